from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import selectors as core_selectors
from sanxin.core.audit import record as audit_record
from sanxin.core.errors import ServiceError
from sanxin.core.excel.export import ledger_response, workbook_response
from sanxin.core.models import ImportJob, Industry, Region
from sanxin.core.pages import form_error, message_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, request_scope, scope_for
from sanxin.orgs.models import Org, Person

from . import campaigns, coverage, exports, extracts, selectors, services
from .forms import DATE, DATE_ERRORS, ContactForm, CoverageForm, FilterForm, OrganizationForm, VisitForm
from .models import Campaign, CampaignTarget, Contact, Coverage, Extract, MatchReview, Organization, Outcome

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
    if request.GET.get("export") == "xlsx":  # 一企一档 as a workbook
        if not has_permission(request.user, "registry", "export"):
            return render(request, "403.html", status=403)
        org = selectors.organization_get(request_scope(request, "registry", "export"), org_id, on=on)
        audit_record(actor=request.user, action="export", obj=org, message="导出一企一档")
        return workbook_response(exports.dossier_workbook(org, on=on), filename=f"{org.name}-一企一档")
    org = selectors.organization_get(request.scope, org_id, on=on)
    history = core_selectors.history(org)
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
            "can_export": has_permission(request.user, "registry", "export"),
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


# --- campaigns -----------------------------------------------------------------------------------------


class CampaignForm(forms.Form):
    name = forms.CharField(
        label="名称", max_length=100, min_length=2, error_messages={"required": "请填写名称"}
    )
    owner_org_code = forms.CharField(
        label="牵头党组织代码", max_length=20, error_messages={"required": "请填写牵头党组织代码"}
    )
    start_on = forms.DateField(label="开始日期", widget=DATE, error_messages=DATE_ERRORS)
    deadline = forms.DateField(label="完成时限", widget=DATE, error_messages=DATE_ERRORS)
    gap = forms.ChoiceField(label="攻坚对象", choices=[("blank", "全部空白点"), ("weak", "全部薄弱点")])

    def clean(self):
        data = super().clean()
        if data.get("start_on") and data.get("deadline") and data["deadline"] < data["start_on"]:
            self.add_error("deadline", "完成时限不能早于开始日期")
        return data


class TargetForm(forms.Form):
    outcome = forms.ChoiceField(label="进展", choices=Outcome.choices)
    reason = forms.CharField(label="说明/原因", max_length=300, required=False)


@permission("registry", "view")
@require_safe
def campaign_list(request):
    items = campaigns.campaigns(request.scope).order_by("-start_on", "-id")
    can_change = has_permission(request.user, "registry", "change")
    return render(
        request,
        "registry/campaigns.html",
        {
            "page": paginate(request, items, 20),
            "can_change": can_change,
            "form": CampaignForm(initial={"start_on": timezone.localdate()}) if can_change else None,
        },
    )


@permission("registry", "change")
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None, initial={"start_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                owner = (
                    scope_for(request.user, "orgs", "view")
                    .filter(Org.objects.filter(code=d["owner_org_code"].strip()))
                    .first()
                )
                if owner is None:
                    raise ServiceError("找不到该代码的党组织，或不在您的管理范围内", field="owner_org_code")
                scope = request_scope(request, "registry", "change")
                pick = coverage.blank_points if d["gap"] == "blank" else coverage.weak_points
                campaign = campaigns.campaign_create(
                    actor=request.user,
                    name=d["name"],
                    owner_org=owner,
                    start_on=d["start_on"],
                    deadline=d["deadline"],
                    organizations=list(pick(scope, d["start_on"])),
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request, f"已发起“{campaign.name}”，共 {campaign.targets.count()} 个攻坚对象"
                )
                return redirect("registry:campaign", campaign.pk)
    return render_form(request, "registry/form.html", {"form": form, "title": "发起集中攻坚"})


@permission("registry", "view", model=Campaign, lookup="campaign_id")
@require_safe
def campaign_detail(request, campaign_id):
    campaign = request.scope.get(campaigns.campaigns(request.scope), pk=campaign_id)
    series = campaigns.burndown(request.scope, campaign)
    total = series[0][1] if series else 0
    days = max(1, (campaign.deadline - campaign.start_on).days)
    chart = {
        "x": [d.isoformat() for d, _ in series],
        "series": [
            {"name": "未完成", "data": [n for _, n in series], "area": True},
            {
                "name": "理想进度",
                "dashed": True,
                "data": [
                    round(max(0.0, total * (1 - (d - campaign.start_on).days / days)), 1) for d, _ in series
                ],
            },
        ],
    }
    return render(
        request,
        "registry/campaign.html",
        {
            "campaign": campaign,
            "targets": campaigns.targets(request.scope, campaign),
            "chart": chart,
            "outcomes": Outcome.choices,
            "can_change": has_permission(request.user, "registry", "change"),
        },
    )


@permission("registry", "change", model=CampaignTarget, lookup="target_id")
@require_http_methods(["POST"])
def target_update(request, target_id):
    target = request.scope.get(
        CampaignTarget.objects.select_related("campaign", "organization"), pk=target_id
    )
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            campaigns.target_update(actor=request.user, target=target, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, f"{target.organization.name}：{e}")
    else:
        messages.success(request, f"已更新“{target.organization.name}”的进展")
    return redirect("registry:campaign", target.campaign_id)


# --- 数据比对 ------------------------------------------------------------------------------------------


class ExtractForm(forms.Form):
    source = forms.ChoiceField(label="数据来源", choices=Extract.Source.choices)
    region = forms.ModelChoiceField(
        label="数据覆盖的区划",
        queryset=Region.objects.filter(level__gte=2).order_by("code"),
        error_messages={"required": "请选择数据覆盖的区划"},
    )
    industry = forms.ModelChoiceField(
        label="数据覆盖的行业（不限则留空）", queryset=Industry.objects.all(), required=False
    )
    as_of = forms.DateField(label="数据截止日期", widget=DATE, error_messages=DATE_ERRORS)
    file = forms.FileField(
        label="文件（.xlsx / .xls / .csv）", error_messages={"required": "请选择要导入的文件"}
    )
    mode = forms.ChoiceField(
        label="导入方式",
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )


@permission("registry", "view")
@require_safe
def extract_list(request):
    items = request.scope.filter(Extract.objects.select_related("region", "industry", "job")).order_by(
        "-created_at"
    )
    return render(
        request,
        "registry/extracts.html",
        {
            "page": paginate(request, items, 20),
            "form": ExtractForm(initial={"as_of": timezone.localdate()}),
            "can_change": has_permission(request.user, "registry", "change"),
        },
    )


@permission("registry", "change")
@require_http_methods(["GET", "POST"])
def extract_create(request):
    form = ExtractForm(request.POST or None, request.FILES or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                extract = extracts.extract_declare(
                    actor=request.user,
                    source=d["source"],
                    region=d["region"],
                    as_of=d["as_of"],
                    industry=d["industry"],
                )
            job = extracts.extract_upload(
                actor=request.user,
                extract=extract,
                name=d["file"].name,
                chunks=d["file"].chunks(),
                mode=d["mode"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            return redirect("core:import_detail", job.pk)
    return render_form(
        request, "registry/form.html", {"form": form, "title": "数据比对：上传登记信息", "multipart": True}
    )


@permission("registry", "view", model=Extract, lookup="extract_id")
@require_safe
def extract_detail(request, extract_id):
    extract = request.scope.get(Extract.objects.select_related("region", "industry", "job"), pk=extract_id)
    reviews = extracts.reviews_for(request_scope(request, "registry", "view"), extract).order_by(
        "status", "id"
    )
    return render(
        request,
        "registry/extract.html",
        {
            "extract": extract,
            "reviews": reviews,
            "can_change": has_permission(request.user, "registry", "change"),
        },
    )


@permission("registry", "change", model=MatchReview, lookup="review_id")
@require_http_methods(["POST"])
def review_decide(request, review_id):
    review = request.scope.get(MatchReview.objects.select_related("candidate"), pk=review_id)
    try:
        extracts.review_decide(actor=request.user, review=review, same=request.POST.get("same") == "1")
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(request, "已确认")
    return redirect("registry:extract", review.extract_id)


@permission("registry", "change", model=Organization, lookup="org_id")
@require_http_methods(["POST"])
def confirm_status(request, org_id):
    """A possibly-closed organization: confirm it closed (注销) or still operating."""
    org = request.scope.get(Organization, pk=org_id)
    try:
        if request.POST.get("closed") == "1":
            services.organization_close(actor=request.user, org=org, on=timezone.localdate())
        else:
            services.organization_confirm_operating(actor=request.user, org=org)
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(request, "已确认")
    return redirect("registry:detail", org.pk)


class EndForm(forms.Form):
    end_on = forms.DateField(label="结束日期", widget=DATE, error_messages=DATE_ERRORS)


class IncubationForm(forms.Form):
    incubation = forms.CharField(label="孵化进度", max_length=200, required=False)


def _end(request, obj, end):
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            end(form.cleaned_data["end_on"])
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已结束")
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("registry:detail", obj.organization_id)


@permission("registry", "change", model=Coverage, lookup="coverage_id")
@require_http_methods(["POST"])
def coverage_end(request, coverage_id):
    cov = request.scope.get(Coverage.objects.select_related("organization"), pk=coverage_id)
    return _end(request, cov, lambda on: services.coverage_end(actor=request.user, coverage=cov, end_on=on))


@permission("registry", "change", model=Contact, lookup="contact_id")
@require_http_methods(["POST"])
def contact_end(request, contact_id):
    contact = request.scope.get(Contact.objects.select_related("organization"), pk=contact_id)
    return _end(
        request, contact, lambda on: services.contact_end(actor=request.user, contact=contact, end_on=on)
    )


@permission("registry", "visit", model=Contact, lookup="contact_id")
@require_http_methods(["POST"])
def contact_incubation(request, contact_id):
    """The instructor's note of how far the enterprise is toward forming a party org."""
    contact = request.scope.get(Contact.objects.select_related("organization"), pk=contact_id)
    form = IncubationForm(request.POST)
    if form.is_valid():
        services.contact_incubation(actor=request.user, contact=contact, text=form.cleaned_data["incubation"])
        messages.success(request, "已保存孵化进度")
    return redirect("registry:detail", contact.organization_id)
