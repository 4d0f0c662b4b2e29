from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.errors import ServiceError
from sanxin.core.excel.export import ledger_response
from sanxin.core.models import AuditLog
from sanxin.core.pages import form_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, request_scope, scope_for
from sanxin.orgs.models import Org, Person

from . import coverage, selectors, services
from .forms import ContactForm, CoverageForm, FilterForm, OrganizationForm, VisitForm
from .models import Organization

LEDGER = [
    ("name", "组织名称"),
    ("credit_code", "统一社会信用代码"),
    (lambda o: o.get_kind_display(), "组织形态"),
    (lambda o: str(o.industry or ""), "行业"),
    (lambda o: str(o.region), "所在区划"),
    ("address", "住所"),
    ("employees", "从业人员数"),
    ("new_employment_workers", "新就业群体人数"),
    (lambda o: "是" if o.is_org_covered else "否", "组织覆盖"),
    (lambda o: "是" if (o.is_org_covered or o.has_work_contact) else "否", "工作覆盖"),
    (
        lambda o: (
            "空白点"
            if not (o.is_org_covered or o.has_work_contact)
            else ("薄弱点" if not o.is_org_covered else "")
        ),
        "覆盖状况",
    ),
    ("registered_on", "成立日期"),
]


def _filters(request):
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    on = data.get("on") or timezone.localdate()
    kwargs = {k: (v.code if hasattr(v, "code") else v) for k, v in data.items() if k != "on" and v}
    return form, on, kwargs


@permission("registry", "view")
@require_safe
def dashboard(request):
    form, on, _ = _filters(request)
    scope = request.scope
    return render(
        request,
        "registry/dashboard.html",
        {
            "form": form,
            "on": on,
            "total": coverage.rates(scope, on),
            "by_industry": coverage.rates_by(scope, on, "industry_id"),
            "by_region": coverage.rates_by(scope, on, "region_id"),
            "by_kind": coverage.rates_by(scope, on, "kind"),
            "decline": coverage.marginal_decline(scope, on)[:20],
            "contacts": selectors.contact_rates(scope, on),
        },
    )


@permission("registry", "view")
@require_safe
def organization_list(request):
    form, on, kwargs = _filters(request)
    qs = selectors.organization_list(request.scope, on=on, **kwargs).order_by(
        "-new_employment_workers", "name"
    )
    if request.GET.get("export") == "xlsx":
        if not has_permission(request.user, "registry", "export"):
            return render(request, "403.html", status=403)
        export_scope = request_scope(request, "registry", "export")
        rows = selectors.organization_list(export_scope, on=on, **kwargs).order_by(
            "-new_employment_workers", "name"
        )
        audit_record(
            actor=request.user,
            action="export",
            object_type="registry.organization",
            message=f"导出新兴领域组织台账：{request.GET.urlencode()}"[:500],
        )
        title = {"blank": "空白点清单", "weak": "薄弱点清单"}.get(kwargs.get("gap", ""), "新兴领域组织台账")
        return ledger_response(rows.iterator(chunk_size=2000), LEDGER, title=title, filename=title)
    return render(
        request,
        "registry/list.html",
        {
            "form": form,
            "on": on,
            "page": paginate(request, qs, 50),
            "can_create": has_permission(request.user, "registry", "create"),
        },
    )


@permission("registry", "view", model=Organization, lookup="org_id")
@require_safe
def detail(request, org_id):
    on = timezone.localdate()
    org = selectors.organization_get(request.scope, org_id, on=on)
    history = AuditLog.objects.filter(object_type="registry.organization", object_id=str(org.pk))[:50]
    return render(
        request,
        "registry/detail.html",
        {
            "org": org,
            "coverages": selectors.coverages(org),
            "contacts": selectors.contacts(org),
            "visits": selectors.visits(org)[:50],
            "chain": selectors.chain(org),
            "history": history,
            "can_change": scope_for(request.user, "registry", "change").contains(org),
            "can_visit": scope_for(request.user, "registry", "visit").contains(org),
        },
    )


@permission("registry", "create", model=Organization)
@require_http_methods(["GET", "POST"])
def create(request):
    form = OrganizationForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记“{org.name}”")
            return redirect("registry:detail", org.pk)
    return render_form(request, "registry/form.html", {"form": form, "title": "登记新兴领域组织"})


def _action(request, org_id, form_class, title, apply, action="change"):
    org = request.scope.get(Organization, pk=org_id)
    form = form_class(
        request.POST or None, initial={"start_on": timezone.localdate(), "date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            apply(org, form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("registry:detail", org.pk)
    return render_form(
        request, "registry/form.html", {"form": form, "org": org, "title": f"{title}：{org.name}"}
    )


@permission("registry", "change", model=Organization, lookup="org_id")
@require_http_methods(["GET", "POST"])
def add_coverage(request, org_id):
    def apply(org, d):
        party_org = (
            scope_for(request.user, "orgs", "view")
            .filter(Org.objects.filter(code=d["party_org_code"].strip()))
            .first()
        )
        if party_org is None:
            raise ServiceError("找不到该代码的党组织，或不在您的管理范围内", field="party_org_code")
        services.coverage_add(
            actor=request.user, org=org, party_org=party_org, kind=d["kind"], start_on=d["start_on"]
        )

    return _action(request, org_id, CoverageForm, "登记党组织覆盖", apply)


@permission("registry", "change", model=Organization, lookup="org_id")
@require_http_methods(["GET", "POST"])
def add_contact(request, org_id):
    def apply(org, d):
        people = scope_for(request.user, "people", "view").filter(
            Person.objects.filter(name=d["person_name"].strip())
        )
        if people.count() != 1:
            raise ServiceError("找不到唯一的该姓名人员（须在您的管理范围内）", field="person_name")
        services.contact_assign(
            actor=request.user, org=org, person=people.get(), role=d["role"], start_on=d["start_on"]
        )

    return _action(request, org_id, ContactForm, "派驻指导员/联系人", apply)


@permission("registry", "visit", model=Organization, lookup="org_id")
@require_http_methods(["GET", "POST"])
def add_visit(request, org_id):
    def apply(org, d):
        services.visit_log(actor=request.user, org=org, **d)

    return _action(request, org_id, VisitForm, "记录走访", apply, action="visit")
