from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ..errors import ServiceError
from ..models import ImportJob
from ..pages import form_error, paginate, render_form
from ..permissions import permission
from . import importer as imp

office_required = permission("system", "view")


class UploadForm(forms.Form):
    importer = forms.ChoiceField(
        label="导入内容", error_messages={"required": "请选择导入内容", "invalid_choice": "请选择导入内容"}
    )
    file = forms.FileField(
        label="文件（.xlsx / .xls / .csv）",
        error_messages={"required": "请选择要导入的文件", "empty": "文件为空"},
    )
    mode = forms.ChoiceField(
        label="导入方式",
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["importer"].choices = [(i.key, i.label) for i in imp.available(user)]


@office_required
@require_http_methods(["GET", "POST"])
def imports(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
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
            form_error(form, exc)
        else:
            return redirect("core:import_detail", job.pk)
    jobs = paginate(request, imp.jobs_for(request.user), 20)
    return render_form(request, "core/imports/list.html", {"form": form, "page": jobs})


@office_required
@require_http_methods(["GET", "POST"])
def import_detail(request, job_id):
    job = imp.job_for(request.user, job_id)
    importer = imp.get(job.importer)
    error = ""
    if request.method == "POST" and job.status == ImportJob.Status.MAPPING:
        mapping = {str(i): request.POST.get(f"col{i}", "") for i in range(len(job.headers))}
        try:
            imp.job_confirm(
                actor=request.user, job=job, mapping=mapping, mode=request.POST.get("mode") or None
            )
        except ServiceError as exc:
            error = exc.message
            job.mapping = {k: v for k, v in mapping.items() if v}
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
        },
        status=400 if error else 200,
    )


@office_required
@require_safe
def import_progress(request, job_id):
    job = imp.job_for(request.user, job_id)
    return render(request, "core/imports/_progress.html", {"job": job})


@office_required
@require_safe
def import_errors(request, job_id):
    job = imp.job_for(request.user, job_id)
    report = job.error_report
    if report is None or not report.path.exists():
        raise Http404
    return FileResponse(
        open(report.path, "rb"),
        as_attachment=True,
        filename=report.original_name,
        content_type=report.content_type,
    )
