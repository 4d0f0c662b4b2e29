"""Pages of 双找双核: the lists and their findings (filters: list, kind, status), the upload of a
worker list (then the core import pages map its columns and show the progress), and a finding's page
with both checks and the confirm/reject forms. Views stay thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sanxin.core.crypto import mask_phone
from sanxin.core.errors import InvalidInput, ServiceError
from sanxin.core.pages import form_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission
from sanxin.orgs.models import Org

from . import selectors, services
from .forms import CheckForm, FindingFilterForm, UploadForm
from .models import CheckSide, Finding, FindingKind


@permission("people", "find")
@require_safe
def findings_list(request):
    form = FindingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    batch = None
    if data.get("batch"):
        batch = selectors.batches(request.scope).filter(pk=data["batch"]).first()
        if batch is None:
            form.add_error("batch", "没有找到该名单，或它不在您的管理范围内")
    qs = selectors.findings(
        request.scope, batch=batch, kind=data.get("kind", ""), status=data.get("status", "")
    )
    if data.get("batch") and batch is None:
        qs = qs.none()
    page = paginate(request, qs, 50)
    for f in page:
        done = selectors.checks_of(f)
        f.side_checks = [done.get(CheckSide.OFFICE), done.get(CheckSide.INDUSTRY)]
    return render(
        request,
        "members/findings/list.html",
        {
            "form": form,
            "batch": batch,
            "batches": selectors.batches(request.scope)[:20],
            "page": page,
        },
    )


@permission("people", "find")
@require_http_methods(["GET", "POST"])
def findings_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch = services.batch_upload(
                actor=request.user,
                name=d["file"].name,
                chunks=d["file"].chunks(),
                region=d["region"],
                industry=d["industry"],
                platform=d["platform"],
                work_kind=d["work_kind"],
                mode=d["mode"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            return redirect("core:import_detail", batch.job_id)
    return render_form(request, "members/findings/upload.html", {"form": form})


@permission("people", "find", model=Finding, lookup="finding_id")
@require_safe
def findings_detail(request, finding_id):
    finding = request.scope.get(selectors.findings(request.scope), pk=finding_id)
    return render(request, "members/findings/detail.html", _context(request, finding, CheckForm()))


def _context(request, finding: Finding, form: CheckForm) -> dict:
    sides = selectors.sides_for(request.user, finding)
    return {
        "finding": finding,
        "person": finding.person,
        "phone_masked": mask_phone(finding.person.phone or ""),
        "checks": selectors.checks_of(finding),
        "sides": [(s, CheckSide(s).label) for s in sides],
        "needs_branch": CheckSide.OFFICE in sides and finding.kind == FindingKind.MEMBER,
        "branches": selectors.branches_for(request.user)[:300] if CheckSide.OFFICE in sides else [],
        "form": form,
        "sees_member": has_permission(request.user, "people", "view"),
    }


def _check(request, finding_id, side: str):
    """One side's confirm or reject, from the finding's page; a refusal shows the page again (400)."""
    finding = request.scope.get(selectors.findings(request.scope), pk=finding_id)
    form = CheckForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "reject":
                services.finding_reject(actor=request.user, finding=finding, side=side, reason=d["reason"])
            else:
                branch = None
                if d["branch"]:
                    branch = Org.objects.filter(code=d["branch"].strip()).first()
                    if branch is None:
                        raise InvalidInput("没有找到该组织编码的党支部", field="branch")
                services.finding_confirm(
                    actor=request.user,
                    finding=finding,
                    side=side,
                    branch=branch,
                    joined_on=d["joined_on"],
                    standing=d["standing"],
                    converted_on=d["converted_on"],
                )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已记录核实结论" if d["decision"] == "confirm" else "已否定该发现")
            return redirect("members:findings_detail", finding.pk)
    finding = selectors.findings(request.scope).get(pk=finding.pk)
    return render(request, "members/findings/detail.html", _context(request, finding, form), status=400)


@permission("people", "verify", model=Finding, lookup="finding_id")
@require_POST
def findings_check_office(request, finding_id):
    return _check(request, finding_id, CheckSide.OFFICE)


@permission("people", "verify_industry", model=Finding, lookup="finding_id")
@require_POST
def findings_check_industry(request, finding_id):
    return _check(request, finding_id, CheckSide.INDUSTRY)
