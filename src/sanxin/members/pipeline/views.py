"""Pages of the development pipeline: the list with counts per stage, a case with its step timeline
and the form for what comes next, and the committees' quotas. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sanxin.core import crypto
from sanxin.core.errors import RuleViolation, ServiceError
from sanxin.core.models import PublicNotice
from sanxin.core.pages import form_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.core.validators import check_resident_id
from sanxin.orgs import services as org_services
from sanxin.orgs.models import BRANCH_TYPES, COMMITTEE_TYPES, Org, OrgStatus, Person

from . import selectors, services
from .forms import CaseCreateForm, CaseFilterForm, QuotaForm, StepForm
from .models import CaseStatus, DevelopmentCase, Stage

NOT_IN_SCOPE = "没有找到该组织，或它不在您的管理范围内"


@permission("people", "view")
@require_safe
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        org = scope_for(request.user, "orgs", "view").filter(Org.objects.filter(code=data["org"])).first()
        if org is None:
            form.add_error("org", NOT_IN_SCOPE)
    today = timezone.localdate()
    ne = data.get("new_employment", "")
    common = {
        "on": today,
        "org": org,
        "status": data.get("status", CaseStatus.OPEN) if form.is_bound else CaseStatus.OPEN,
        "new_employment": None if ne == "" else ne == "1",
        "due": bool(data.get("due")),
        "q": data.get("q", ""),
    }
    qs = selectors.case_list(request.scope, stage=data.get("stage", ""), **common)
    counts = selectors.stage_counts(selectors.case_list(request.scope, **common))
    return render(
        request,
        "members/pipeline/list.html",
        {
            "form": form,
            "page": paginate(request, qs, 50),
            "counts": counts,
            "can_create": has_permission(request.user, "people", "change"),
        },
    )


def _branches(user):
    return (
        scope_for(user, "people", "change")
        .filter(Org.objects.filter(org_type__in=BRANCH_TYPES, status=OrgStatus.ACTIVE))
        .order_by("path")
    )


@permission("people", "change")
@require_http_methods(["GET", "POST"])
def case_new(request):
    """Register an applicant: a known person is found by resident ID (blind index, in the POST body),
    anyone else is recorded in the branch."""
    branches = list(_branches(request.user)[:500])
    form = CaseCreateForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = next((b for b in branches if b.code == data["org"]), None)
        try:
            if org is None:
                raise RuleViolation(NOT_IN_SCOPE, field="org")
            with transaction.atomic():
                person = _applicant(request.user, data["name"], data["resident_id"], org)
                docs = [{"name": "入党申请书", "number": data["document_number"], "date": data["applied_on"]}]
                case = services.case_create(
                    actor=request.user, person=person, org=org, applied_on=data["applied_on"], documents=docs
                )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记入党申请人{case.person.name}")
            return redirect("members:pipeline_detail", case.pk)
    return render_form(request, "members/pipeline/new.html", {"form": form})


def _applicant(user, name: str, resident_id: str, org: Org) -> Person:
    from sanxin.core.errors import InvalidInput

    try:
        value = check_resident_id(resident_id).value
    except Exception as exc:
        raise InvalidInput(exc.messages[0], field="resident_id") from exc
    index = crypto.blind_index(value, purpose="resident_id")
    known = Person.objects.filter(resident_id_index=index).exclude(resident_id_index="").first()
    if known is not None:
        if known.org_id is not None and not scope_for(user, "people", "change").contains(known):
            raise RuleViolation(
                "该公民身份号码已在其他组织登记，请联系其所在组织", code="elsewhere", field="resident_id"
            )
        return known
    person, _ = org_services.person_create(actor=user, name=name, org=org, resident_id=value)
    return person


def _case(request, case_id) -> DevelopmentCase:
    return request.scope.get(
        DevelopmentCase.objects.select_related("person", "org", "notice", "member", "quota_committee"),
        pk=case_id,
    )


def _forms(case, bound: StepForm | None = None) -> dict:
    """The forms the case's state offers, the submitted one bound (with its errors)."""
    today = timezone.localdate()
    offers = {}
    if case.status == CaseStatus.OPEN:
        order = services.ORDER
        nxt = order[order.index(case.stage) + 1]
        offers["advance"] = StepForm(
            initial={
                "action": "advance",
                "stage": nxt,
                "on": today,
                "decided_by": services.DECIDED_BY[Stage(nxt)],
            }
        )
        offers["advance"].next_stage = Stage(nxt)
        offers["advance"].documents = services.DOCUMENTS[Stage(nxt)]
        if case.stage == Stage.CANDIDATE and (
            case.notice_id is None or case.notice_result == PublicNotice.Status.OBJECTED
        ):
            offers["notice"] = StepForm(
                initial={"action": "notice", "on": today, "window_days": services.NOTICE_DAYS}
            )
        if case.stage == Stage.PROBATIONARY and case.probation_until is None:
            offers["extend"] = StepForm(initial={"action": "extend", "on": today})
        offers["end"] = StepForm(initial={"action": "end", "on": today})
    if bound is not None:
        action = bound.data.get("action", "")
        if action in offers:
            for attr in ("next_stage", "documents"):
                if hasattr(offers[action], attr):
                    setattr(bound, attr, getattr(offers[action], attr))
            offers[action] = bound
    return offers


def _apply(request, case: DevelopmentCase, form: StepForm) -> str:
    d = form.cleaned_data
    action = d["action"]
    if action == "advance":
        docs = (
            [{"name": d["doc_name"], "number": d["doc_number"], "date": d["doc_date"]}]
            if d["doc_name"]
            else []
        )
        services.case_advance(
            actor=request.user,
            case=case,
            stage=d["stage"],
            on=d["on"],
            decided_by=d["decided_by"],
            documents=docs,
            note=d["note"],
        )
        return f"已记录：{Stage(d['stage']).label}"
    if action == "notice":
        services.case_notice_open(
            actor=request.user,
            case=case,
            starts_on=d["on"],
            window_days=d["window_days"] or services.NOTICE_DAYS,
        )
        return "已发起发展对象公示"
    if action == "extend":
        services.case_extend(actor=request.user, case=case, on=d["on"], until=d["until"], reason=d["reason"])
        return "已延长预备期"
    services.case_end(actor=request.user, case=case, on=d["on"], reason=d["reason"])
    return "已办结"


@permission("people", "view", model=DevelopmentCase, lookup="case_id")
@require_http_methods(["GET", "POST"])
def case_detail(request, case_id):
    case = _case(request, case_id)
    bound = None
    if request.method == "POST":
        if not scope_for(request.user, "people", "change").contains(case.org):
            return render(request, "403.html", status=403)
        bound = StepForm(request.POST)
        if bound.is_valid():
            try:
                message = _apply(request, case, bound)
            except ServiceError as exc:
                form_error(bound, exc)
            else:
                messages.success(request, message)
                return redirect("members:pipeline_detail", case.pk)
    today = timezone.localdate()
    context = {
        "case": case,
        "steps": case.steps.order_by("on", "pk"),
        "forms": _forms(case, bound) if has_permission(request.user, "people", "change") else {},
        "probation_end": services.probation_end(case),
        "objections": case.notice.objections.order_by("created_at") if case.notice_id else [],
        "new_employment": services.is_new_employment(case.person, today),
        "committee": services.committee_of(case.org),
        "today": today,
        "end_heading": "取消预备党员资格" if case.stage == Stage.PROBATIONARY else "终止发展",
    }
    advance = context["forms"].get("advance")
    if advance is not None:
        context["advance_heading"] = f"下一步：{advance.next_stage.label}"
        context["advance_hint"] = "本步骤材料：" + "、".join(advance.documents)
    return render_form(request, "members/pipeline/detail.html", context)


def _committees(user, action: str):
    return (
        scope_for(user, "people", action)
        .filter(Org.objects.filter(org_type__in=COMMITTEE_TYPES, status=OrgStatus.ACTIVE))
        .order_by("path")
    )


def _quota_page(request, form: QuotaForm | None):
    year = request.GET.get("year", "")
    rows = selectors.quota_list(
        scope_for(request.user, "people", "view"), year=int(year) if year.isdigit() else None
    )
    return render_form(
        request,
        "members/pipeline/quotas.html",
        {"rows": paginate(request, rows, 50), "form": form, "year": year},
    )


@permission("people", "view")
@require_safe
def quota_list(request):
    form = None
    if has_permission(request.user, "people", "quota"):
        form = QuotaForm(
            committees=_committees(request.user, "quota")[:500], initial={"year": timezone.localdate().year}
        )
    return _quota_page(request, form)


@permission("people", "quota")
@require_POST
def quota_set(request):
    committees = list(_committees(request.user, "quota")[:500])
    form = QuotaForm(request.POST, committees=committees)
    if form.is_valid():
        d = form.cleaned_data
        committee = next((c for c in committees if c.code == d["committee"]), None)
        try:
            if committee is None:
                raise RuleViolation(NOT_IN_SCOPE, field="committee")
            services.quota_set(
                actor=request.user,
                committee=committee,
                year=d["year"],
                total=d["total"],
                reserved=d["reserved"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已下达{committee.name}{d['year']}年度发展党员名额")
            return redirect("members:pipeline_quotas")
    return _quota_page(request, form)
