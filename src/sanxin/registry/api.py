import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber, apply_ordering
from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.models import Industry, Region
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for
from sanxin.orgs.models import Org, Person

from . import campaigns as campaigns_mod
from . import coverage, selectors, services
from .models import (
    Campaign,
    CampaignTarget,
    Category,
    ContactRole,
    CoverageKind,
    Kind,
    Organization,
    Outcome,
    Size,
    VisitKind,
)

router = Router(tags=["新兴领域组织"])

KindIn = Literal[tuple(Kind.values)]  # type: ignore[valid-type]


class OrganizationOut(Schema):
    id: int
    name: str
    credit_code: str
    category: str
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    parent_id: int | None
    hq_id: int | None
    region_id: str
    industry_id: str | None
    address: str
    employees: int
    new_employment_workers: int
    above_scale: bool
    leading: bool
    internet_platform: bool
    specialized: bool
    status: str
    registered_on: dt.date
    closed_on: dt.date | None
    possibly_closed: bool
    org_covered: bool = Field(validation_alias="is_org_covered")
    work_covered: bool

    @staticmethod
    def resolve_work_covered(obj):
        return bool(obj.is_org_covered or obj.has_work_contact)


class ListQuery(Schema):
    on: dt.date | None = Field(None, description="日期（默认今天）：按该日的存续和覆盖情况")
    q: str = Field("", max_length=50, description="名称或统一社会信用代码前缀")
    industry: str = Field("", max_length=32)
    region: str = Field("", max_length=12, pattern=r"^\d{0,12}$")
    kind: KindIn | Literal[""] = ""  # type: ignore[valid-type]
    status: Literal["", "operating", "cancelled", "moved_out"] = ""
    gap: Literal["", "blank", "weak", "covered", "possibly_closed"] = Field(
        "", description="blank=空白点，weak=薄弱点"
    )
    flag: Literal["", "above_scale", "leading", "internet_platform", "specialized"] = ""
    ordering: str | None = Field(None, description="name, registered_on, new_employment_workers, employees")


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


@router.get("/organizations", response=list[OrganizationOut], summary="组织列表（含两个覆盖情况）")
@paginate(PageNumber)
@permission("registry", "view")
def organization_list(request, filters: Query[ListQuery]):
    qs = selectors.organization_list(
        request.scope, on=_today(filters.on), **filters.dict(exclude={"on", "ordering"})
    )
    return apply_ordering(
        qs,
        filters.ordering,
        allowed={"name", "registered_on", "new_employment_workers", "employees"},
        default="name",
    )


@router.get("/organizations/{org_id}", response=OrganizationOut, summary="一企一档")
@permission("registry", "view", model=Organization, lookup="org_id")
def organization_detail(request, org_id: int, on: dt.date | None = None):
    return selectors.organization_get(request.scope, org_id, on=_today(on))


class OrganizationIn(Schema):
    name: str = Field(min_length=2, max_length=200)
    credit_code: str = Field("", max_length=18)
    category: Literal[tuple(Category.values)] = Category.ECONOMIC  # type: ignore[valid-type]
    kind: KindIn = Kind.ENTERPRISE  # type: ignore[valid-type]
    parent_id: int | None = None
    region: str = Field(pattern=r"^\d{12}$")
    industry: str | None = Field(None, max_length=32)
    address: str = Field("", max_length=200)
    size: Literal[tuple(["", *Size.values])] = ""  # type: ignore[valid-type]
    employees: int = Field(0, ge=0)
    new_employment_workers: int = Field(0, ge=0)
    above_scale: bool = False
    leading: bool = False
    internet_platform: bool = False
    specialized: bool = False
    registered_on: dt.date


def _resolve(request, payload: OrganizationIn) -> dict:
    data = payload.dict(exclude={"region", "industry", "parent_id"})
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise InvalidInput("所在区划不存在", field="region")
    data["region"] = region
    data["industry"] = Industry.objects.filter(code=payload.industry).first() if payload.industry else None
    if payload.industry and data["industry"] is None:
        raise InvalidInput("行业不存在", field="industry")
    data["parent"] = request.scope.get(Organization, pk=payload.parent_id) if payload.parent_id else None
    return data


@router.post("/organizations", response={201: OrganizationOut}, summary="登记组织")
@permission("registry", "create", model=Organization)
def organization_create(request, payload: OrganizationIn):
    org = services.organization_create(actor=request.auth, **_resolve(request, payload))
    return Status(
        201,
        selectors.organization_get(
            scope_for(request.auth, "registry", "view"), org.pk, on=timezone.localdate()
        ),
    )


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=2, max_length=200)
    credit_code: str | None = Field(None, max_length=18)
    address: str | None = Field(None, max_length=200)
    employees: int | None = Field(None, ge=0)
    new_employment_workers: int | None = Field(None, ge=0)
    above_scale: bool | None = None
    leading: bool | None = None
    internet_platform: bool | None = None
    specialized: bool | None = None


@router.patch("/organizations/{org_id}", response=OrganizationOut, summary="修改组织信息")
@permission("registry", "change", model=Organization, lookup="org_id")
def organization_update(request, org_id: int, payload: OrganizationPatch):
    org = request.scope.get(Organization, pk=org_id)
    services.organization_update(actor=request.auth, org=org, data=payload.dict(exclude_none=True))
    return selectors.organization_get(request.scope, org_id, on=timezone.localdate())


class CloseIn(Schema):
    on: dt.date
    status: Literal["cancelled", "moved_out"] = "cancelled"


@router.post("/organizations/{org_id}/close", response=OrganizationOut, summary="注销或迁出")
@permission("registry", "change", model=Organization, lookup="org_id")
def organization_close(request, org_id: int, payload: CloseIn):
    org = request.scope.get(Organization, pk=org_id)
    services.organization_close(actor=request.auth, org=org, on=payload.on, status=payload.status)
    return selectors.organization_get(request.scope, org_id, on=payload.on)


class CoverageIn(Schema):
    party_org_id: int
    kind: Literal[tuple(CoverageKind.values)]  # type: ignore[valid-type]
    start_on: dt.date


class CoverageOut(Schema):
    id: int
    party_org_id: int
    party_org_name: str = Field(validation_alias="party_org.name")
    kind: str
    start_on: dt.date
    end_on: dt.date | None


@router.post("/organizations/{org_id}/coverages", response={201: CoverageOut}, summary="登记党组织覆盖")
@permission("registry", "change", model=Organization, lookup="org_id")
def coverage_add(request, org_id: int, payload: CoverageIn):
    org = request.scope.get(Organization, pk=org_id)
    party_org = scope_for(request.auth, "orgs", "view").get(Org, pk=payload.party_org_id)
    cov = services.coverage_add(
        actor=request.auth, org=org, party_org=party_org, kind=payload.kind, start_on=payload.start_on
    )
    return Status(201, cov)


class ContactIn(Schema):
    person_id: int
    role: Literal[tuple(ContactRole.values)]  # type: ignore[valid-type]
    start_on: dt.date


class ContactOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(validation_alias="person.name")
    role: str
    start_on: dt.date
    end_on: dt.date | None


def _person(request, person_id: int) -> Person:
    person = scope_for(request.auth, "people", "view").filter(Person.objects.filter(pk=person_id)).first()
    if person is None:
        raise InvalidInput("人员不存在或不在您的管理范围内", field="person_id")
    return person


@router.post("/organizations/{org_id}/contacts", response={201: ContactOut}, summary="派驻指导员/联系人")
@permission("registry", "change", model=Organization, lookup="org_id")
def contact_assign(request, org_id: int, payload: ContactIn):
    org = request.scope.get(Organization, pk=org_id)
    contact = services.contact_assign(
        actor=request.auth,
        org=org,
        person=_person(request, payload.person_id),
        role=payload.role,
        start_on=payload.start_on,
    )
    return Status(201, contact)


class VisitIn(Schema):
    date: dt.date
    kind: Literal[tuple(VisitKind.values)] = VisitKind.ROUTINE  # type: ignore[valid-type]
    content: str = Field(min_length=2, max_length=5000)
    next_step: str = Field("", max_length=2000)


class RegistryVisitOut(Schema):
    id: int
    date: dt.date
    kind: str
    content: str
    next_step: str
    visitor_name: str


@router.post("/organizations/{org_id}/visits", response={201: RegistryVisitOut}, summary="记录走访")
@permission("registry", "visit", model=Organization, lookup="org_id")
def visit_log(request, org_id: int, payload: VisitIn):
    org = request.scope.get(Organization, pk=org_id)
    visit = services.visit_log(actor=request.auth, org=org, **payload.dict())
    return Status(201, visit)


class RatesOut(Schema):
    key: str | bool | None = None
    total: int
    org_covered: int
    work_covered: int
    org_rate: float
    work_rate: float
    blank: int
    weak: int


def _rates_out(r, key=None) -> dict:
    return {
        "key": key,
        "total": r.total,
        "org_covered": r.org_covered,
        "work_covered": r.work_covered,
        "org_rate": round(r.org_rate, 4),
        "work_rate": round(r.work_rate, 4),
        "blank": r.blank,
        "weak": r.weak,
    }


class CoverageQuery(Schema):
    on: dt.date | None = None
    by: Literal[
        "",
        "industry_id",
        "region_id",
        "kind",
        "above_scale",
        "leading",
        "internet_platform",
        "specialized",
        "hq_id",
    ] = ""


@router.get(
    "/coverage", response=list[RatesOut], summary="两个覆盖率（可按行业、区划、类别分组，可查历史日期）"
)
@permission("registry", "view")
def coverage_rates(request, params: Query[CoverageQuery]):
    on = _today(params.on)
    if not params.by:
        return [_rates_out(coverage.rates(request.scope, on))]
    return [_rates_out(r["rates"], r["key"]) for r in coverage.rates_by(request.scope, on, params.by)]


class DeclineOut(Schema):
    hq: OrganizationOut
    uncovered: list[OrganizationOut]


@router.get("/marginal-decline", response=list[DeclineOut], summary="总部已覆盖而分支、网点未覆盖")
@permission("registry", "view")
def marginal_decline(request, on: dt.date | None = None):
    return [
        {"hq": hq, "uncovered": rest} for hq, rest in coverage.marginal_decline(request.scope, _today(on))
    ]


__all__ = ["apply_ordering", "router"]


# --- campaigns (集中攻坚) --------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    owner_org_id: int
    start_on: dt.date
    deadline: dt.date
    status: str
    n_targets: int = 0
    n_done: int = 0


class CampaignIn(Schema):
    name: str = Field(min_length=2, max_length=100)
    owner_org_id: int
    start_on: dt.date
    deadline: dt.date
    gap: Literal["", "blank", "weak"] = Field("", description="把该类缺口全部列为攻坚对象")
    organization_ids: list[int] = Field(default_factory=list, max_length=5000)
    note: str = Field("", max_length=2000)


@router.get("/campaigns", response=list[CampaignOut], summary="集中攻坚")
@paginate(PageNumber)
@permission("registry", "view")
def campaign_list(request):
    return campaigns_mod.campaigns(request.scope).order_by("-start_on", "-id")


@router.post("/campaigns", response={201: CampaignOut}, summary="发起集中攻坚")
@permission("registry", "change", model=Organization)
def campaign_create(request, payload: CampaignIn):
    owner_org = scope_for(request.auth, "orgs", "view").get(Org, pk=payload.owner_org_id)
    orgs = list(request.scope.filter(Organization.objects.filter(pk__in=payload.organization_ids)))
    if len(orgs) != len(set(payload.organization_ids)):
        raise NotFound()
    if payload.gap:
        pick = coverage.blank_points if payload.gap == "blank" else coverage.weak_points
        orgs += list(pick(request.scope, payload.start_on))
    campaign = campaigns_mod.campaign_create(
        actor=request.auth,
        name=payload.name,
        owner_org=owner_org,
        start_on=payload.start_on,
        deadline=payload.deadline,
        organizations=orgs,
        note=payload.note,
    )
    return Status(201, campaigns_mod.campaigns(request.scope).get(pk=campaign.pk))


class TargetOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(validation_alias="organization.name")
    owner_id: int | None
    deadline: dt.date
    outcome: str
    reason: str
    resolved_on: dt.date | None


class CampaignDetailOut(Schema):
    campaign: CampaignOut
    targets: list[TargetOut]
    burndown: list[tuple[dt.date, int]]


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut, summary="攻坚进展与燃尽图数据")
@permission("registry", "view", model=Campaign, lookup="campaign_id")
def campaign_detail(request, campaign_id: int):
    campaign = request.scope.get(campaigns_mod.campaigns(request.scope), pk=campaign_id)
    return {
        "campaign": campaign,
        "targets": list(campaigns_mod.targets(request.scope, campaign)[:5000]),
        "burndown": campaigns_mod.burndown(request.scope, campaign),
    }


class TargetPatch(Schema):
    outcome: Literal[tuple(Outcome.values)] | None = None  # type: ignore[valid-type]
    reason: str = Field("", max_length=300)
    owner_id: int | None = None
    deadline: dt.date | None = None


@router.patch("/campaigns/targets/{target_id}", response=TargetOut, summary="更新攻坚对象进展")
@permission("registry", "change", model=CampaignTarget, lookup="target_id")
def target_update(request, target_id: int, payload: TargetPatch):
    target = request.scope.get(
        CampaignTarget.objects.select_related("organization", "campaign"), pk=target_id
    )
    owner = _person(request, payload.owner_id) if payload.owner_id else None
    return campaigns_mod.target_update(
        actor=request.auth,
        target=target,
        outcome=payload.outcome,
        reason=payload.reason,
        owner=owner,
        deadline=payload.deadline,
    )
