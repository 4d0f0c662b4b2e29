"""Import pages, for anyone who may run an importer (each job answers only the user who started it):
upload, confirm the column mapping, watch the progress (htmx polls the progress partial every second
until the job ends), download the error workbook."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .. import uploads
from ..errors import ServiceError
from ..models import ImportJob
from ..pages import paginate, render_form
from ..permissions import permission
from . import checks
from . import importer as imp


class UploadForm(forms.Form):
    importer = forms.ChoiceField(
        label="导入内容", error_messages={"required": "请选择导入内容", "invalid_choice": "请选择导入内容"}
    )
    file = forms.FileField(
        label="文件（.xlsx / .xls / .csv）",
        error_messages={
            "required": "请选择要导入的文件",
            "empty": "文件为空",
            "invalid": "请选择要导入的文件",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    mode = forms.ChoiceField(
        label="导入方式",
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择导入方式", "invalid_choice": "请选择导入方式"},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["importer"].choices = [(i.key, i.label) for i in imp.available(user)]


@permission.own()  # the user's own jobs; the upload offers only the importers the user may run
@login_required
@require_http_methods(["GET", "POST"])
def imports(request):
    if not imp.available(request.user) and not imp.jobs_for(request.user).exists():
        return render(request, "403.html", status=403)
    # ?importer= preselects what a module's page links here for (the service circle's candidate list)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"importer": request.GET.get("importer", "")},
    )
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            job = imp.job_create(
                actor=request.user,
                importer_key=form.cleaned_data["importer"],
                name=f.name,
                chunks=f.chunks(),
                mode=form.cleaned_data["mode"],
            )
        except ServiceError as exc:
            form.add_error("file" if exc.field in {"file", None} else None, exc.message)
        else:
            return redirect("core:import_detail", job.pk)
    page = paginate(request, imp.jobs_for(request.user), 20)
    for job in page:
        job.importer_label = imp.label_of(job.importer)
    return render_form(
        request,
        "core/imports/list.html",
        {"form": form, "page": page, "max_mb": checks.max_bytes() // checks.MB},
    )


@permission.own()  # job_for(): only the user who started the job (and superusers)
@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, job_id):
    job = imp.job_for(request.user, job_id)
    importer = imp.get(job.importer)
    error = ""
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                imp.job_cancel(actor=request.user, job=job)
                messages.success(request, "已取消导入，上传的文件已删除")
                return redirect("core:imports")
            if job.status != ImportJob.Status.MAPPING:
                return redirect("core:import_detail", job.pk)
            mapping = {str(i): request.POST.get(f"col{i}", "") for i in range(len(job.headers))}
            job.mapping = {k: v for k, v in mapping.items() if v}  # shown again if refused
            imp.job_confirm(
                actor=request.user, job=job, mapping=mapping, mode=request.POST.get("mode") or None
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, "已开始导入")
            return redirect("core:import_detail", job.pk)
    columns = [(i, h, job.mapping.get(str(i), "")) for i, h in enumerate(job.headers)]
    return render(
        request,
        "core/imports/detail.html",
        {
            "job": job,
            "importer": importer,
            "columns": columns,
            "error": error,
            "modes": ImportJob.Mode.choices,
            "result_url": importer.result_url(job) if job.finished else "",
        },
        status=400 if error else 200,
    )


@permission.own()  # job_for(): only the user who started the job (and superusers)
@login_required
@require_safe
def import_progress(request, job_id):
    job = imp.job_for(request.user, job_id)
    result_url = imp.get(job.importer).result_url(job) if job.finished else ""
    return render(request, "core/imports/_progress.html", {"job": job, "result_url": result_url})


@permission.own()  # job_for(): only the user who started the job (and superusers)
@login_required
@require_safe
def import_errors(request, job_id):
    job = imp.job_for(request.user, job_id)
    report = job.error_report
    if report is None or not report.path.exists():
        raise Http404
    return uploads.serve(request, report)
