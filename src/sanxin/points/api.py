"""/api/v1/points: points. A member's balance, history, claims, purchases and vouchers are under /mine
(their own rows), the 公示 board and objections under /notices (the caller's own branch); queues,
rankings, the ledger and catalogues are scoped (points module); a partner redeems under /vouchers.
Every write goes through ``points.services``."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import FileIn, PageNumber, decode_files
from sanxin.core.errors import NotFound, PermissionDenied
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for
from sanxin.orgs.models import Org

from . import selectors, services
from .models import Catalogue, Category, Claim, ClaimStatus, Entry, Item, Offer, Partner, ServiceKind

router = Router(tags=["积分管理"])

CATEGORIES = Literal[tuple(Category.values)]  # type: ignore[valid-type]


# --- schemas --------------------------------------------------------------------------------------------


class CatalogueItemOut(Schema):
    id: int = Field(validation_alias="pk")
    code: str
    name: str
    category: str
    category_label: str = Field(validation_alias="get_category_display")
    tier: str
    tier_label: str = Field(validation_alias="get_tier_display")
    points: int
    month_cap: int | None
    year_cap: int | None
    evidence: str
    mode: str
    description: str


class CatalogueOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    version: int
    title: str
    start_on: dt.date
    end_on: dt.date | None
    items: list[CatalogueItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class PointsCategoryOut(Schema):
    code: str
    label: str
    points: int


class PointsSummaryOut(Schema):
    earned: int = Field(description="累计获得积分（排名、评优使用；兑换不减少）")
    spendable: int = Field(description="可用积分（可兑换服务）")
    basic: int
    pioneer: int
    year_earned: int
    by_category: list[PointsCategoryOut]


class PointsEntryOut(Schema):
    id: int = Field(validation_alias="pk")
    member_id: int
    on: dt.date
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    item_code: str
    category: str
    tier: str
    points: int
    spendable: int
    reason: str
    claim_id: int | None
    voucher_id: int | None
    event_id: int | None
    reverses_id: int | None
    decided_by: str | None = Field(None, validation_alias="decided_by.username")
    created_at: dt.datetime


class ClaimStepOut(Schema):
    action: str
    action_label: str = Field(validation_alias="get_action_display")
    at: dt.datetime
    note: str


class ClaimOut(Schema):
    id: int = Field(validation_alias="pk")
    member_id: int
    member_name: str = Field(validation_alias="member.person.name")
    branch_id: int
    branch_name: str = Field(validation_alias="branch.name")
    committee_id: int
    item: CatalogueItemOut
    deed_on: dt.date
    description: str
    record_ref: str
    points: int
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    due_on: dt.date | None
    reason: str
    notice_id: int | None
    notice_ends_on: dt.date | None = Field(None, validation_alias="notice.ends_on")
    evidence_ids: list[str]
    steps: list[ClaimStepOut]

    @staticmethod
    def resolve_evidence_ids(obj):
        return [str(f.pk) for f in obj.evidence.all()]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class OfferOut(Schema):
    id: int = Field(validation_alias="pk")
    partner_id: int
    partner_name: str = Field(validation_alias="partner.name")
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    title: str
    description: str
    price: int
    stock: int
    valid_from: dt.date
    valid_to: dt.date
    voucher_days: int
    active: bool


class VoucherOut(Schema):
    id: int = Field(validation_alias="pk")
    offer_id: int
    offer_title: str = Field(validation_alias="offer.title")
    code: str
    price: int
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    expires_on: dt.date
    redeemed_at: dt.datetime | None


class PartnerVoucherOut(Schema):
    """What a partner sees of a voucher: the service and a masked name, never more of the member."""

    code: str
    offer_title: str = Field(validation_alias="offer.title")
    price: int
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    expires_on: dt.date
    holder: str
    redeemed_at: dt.datetime | None

    @staticmethod
    def resolve_holder(obj):
        name = obj.member.person.name
        return name[:1] + "*" * max(1, len(name) - 1)


def _files(files: list[FileIn]):
    return decode_files(files, field="evidence")


def _me(request):
    member = services.member_of(request.auth)
    if member is None:
        raise PermissionDenied("只有党员本人可以使用积分")
    return member


# --- a member's own ------------------------------------------------------------------------------------


@router.get("/mine", response=PointsSummaryOut, summary="我的积分：累计、可用、分类")
@permission.own()
def my_summary(request):
    s = selectors.summary(_me(request))
    return {
        "earned": s.earned,
        "spendable": s.spendable,
        "basic": s.basic,
        "pioneer": s.pioneer,
        "year_earned": s.year_earned,
        "by_category": [{"code": c, "label": str(label), "points": p} for c, label, p in s.by_category],
    }


@router.get("/mine/entries", response=list[PointsEntryOut], summary="我的积分明细（每一分的来由）")
@paginate(PageNumber)
@permission.own()
def my_entries(request):
    return selectors.history(_me(request))


@router.get("/mine/catalogue", response=CatalogueOut | None, summary="我适用的积分细则（今天施行的版本）")
@permission.own()
def my_catalogue(request, on: dt.date | None = None):
    return selectors.catalogue_of(_me(request), on)


@router.get("/mine/claims", response=list[ClaimOut], summary="我的积分申报")
@paginate(PageNumber)
@permission.own()
def my_claims(request):
    return (
        selectors.my_claims(_me(request))
        .select_related("branch", "member__person")
        .prefetch_related("evidence", "steps")
    )


class DeclareIn(Schema):
    item_id: int
    deed_on: dt.date
    description: str = Field(max_length=2000)
    record_ref: str = Field("", max_length=60)
    evidence: list[FileIn] = Field(default_factory=list, max_length=6)


def _my_claim(request, claim_id: int) -> Claim:
    claim = selectors.my_claims(_me(request)).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


@router.post("/mine/claims", response={201: ClaimOut}, summary="申报积分（个人申报）")
@permission.own()
def claim_declare(request, payload: DeclareIn):
    item = Item.objects.select_related("catalogue").filter(pk=payload.item_id).first()
    if item is None:
        raise NotFound("没有该积分项目", field="item_id")
    claim = services.claim_declare(
        actor=request.auth,
        item=item,
        deed_on=payload.deed_on,
        description=payload.description,
        record_ref=payload.record_ref,
        uploads_=_files(payload.evidence),
    )
    return Status(201, claim)


class ResubmitIn(Schema):
    description: str = Field(max_length=2000)
    record_ref: str = Field("", max_length=60)
    evidence: list[FileIn] = Field(default_factory=list, max_length=6)


@router.post("/mine/claims/{claim_id}/resubmit", response=ClaimOut, summary="补充材料后重新提交")
@permission.own()
def claim_resubmit(request, claim_id: int, payload: ResubmitIn):
    return services.claim_resubmit(
        actor=request.auth,
        claim=_my_claim(request, claim_id),
        description=payload.description,
        record_ref=payload.record_ref,
        uploads_=_files(payload.evidence),
    )


@router.post("/mine/claims/{claim_id}/withdraw", response=ClaimOut, summary="撤回申报")
@permission.own()
def claim_withdraw(request, claim_id: int):
    return services.claim_withdraw(actor=request.auth, claim=_my_claim(request, claim_id))


@router.get("/mine/offers", response=list[OfferOut], summary="可兑换的服务")
@permission.own()
def my_offers(request):
    return list(selectors.offers_for(_me(request)))


@router.post(
    "/mine/offers/{offer_id}/buy", response={201: VoucherOut}, summary="用积分兑换服务（生成兑换券）"
)
@permission.own()
def voucher_buy(request, offer_id: int):
    offer = selectors.offers_for(_me(request)).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound("没有该服务或当前不可兑换")
    return Status(201, services.voucher_buy(actor=request.auth, offer=offer))


@router.get("/mine/vouchers", response=list[VoucherOut], summary="我的兑换券")
@permission.own()
def my_vouchers(request):
    return list(selectors.my_vouchers(_me(request)))


@router.post("/mine/vouchers/{voucher_id}/cancel", response=VoucherOut, summary="取消兑换（积分与名额退回）")
@permission.own()
def voucher_cancel(request, voucher_id: int):
    voucher = selectors.my_vouchers(_me(request)).filter(pk=voucher_id).first()
    if voucher is None:
        raise NotFound()
    return services.voucher_cancel(actor=request.auth, voucher=voucher)


# --- the 公示 board ----------------------------------------------------------------------------------


@router.get("/notices", response=list[ClaimOut], summary="积分公示（本人所在支部）")
@permission.own()
def notice_board(request):
    return list(
        selectors.notice_board(request.auth, scope_for(request.auth, "points", "view")).prefetch_related(
            "evidence", "steps"
        )
    )


class PointsObjectionIn(Schema):
    reason: str = Field(max_length=1000)
    anonymous: bool = False


class PointsObjectionOut(Schema):
    id: int = Field(validation_alias="pk")
    status: str
    created_at: dt.datetime


@router.post("/notices/{claim_id}/objections", response={201: PointsObjectionOut}, summary="对公示提出异议")
@permission.own()
def claim_object(request, claim_id: int, payload: PointsObjectionIn):
    claim = (
        selectors.notice_board(request.auth, scope_for(request.auth, "points", "view"))
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFound()
    return Status(
        201,
        services.claim_object(
            actor=request.auth, claim=claim, reason=payload.reason, anonymous=payload.anonymous
        ),
    )


# --- queues and decisions --------------------------------------------------------------------------------


class ClaimQuery(Schema):
    status: Literal[("", *ClaimStatus.values)] = ""  # type: ignore[valid-type]
    q: str = Field("", max_length=50, description="姓名开头或项目名称")


def _claims(qs):
    return qs.select_related("notice").prefetch_related("evidence", "steps")


@router.get("/claims", response=list[ClaimOut], summary="积分申报（本人管理范围）")
@paginate(PageNumber)
@permission("points", "view")
def claim_list(request, filters: Query[ClaimQuery]):
    return _claims(selectors.claims(request.scope, status=filters.status, q=filters.q))


@router.get("/claims/review-queue", response=list[ClaimOut], summary="待支部审核")
@paginate(PageNumber)
@permission("points", "review")
def review_queue(request):
    return _claims(selectors.review_queue(request.scope, request.auth))


@router.get("/claims/confirm-queue", response=list[ClaimOut], summary="待党委认定、公示有异议待复核")
@paginate(PageNumber)
@permission("points", "confirm")
def confirm_queue(request):
    return _claims(selectors.confirm_queue(request.scope, request.auth))


def _claim(request, claim_id: int) -> Claim:
    return request.scope.get(
        _claims(Claim.objects.select_related("member__person", "item", "branch")), pk=claim_id
    )


def _committee_claim(request, claim_id: int) -> Claim:
    """A claim whose committee is in the caller's confirm scope (the claim's branch may be below it)."""
    claim = Claim.objects.select_related("committee").filter(pk=claim_id).first()
    if claim is None or not request.scope.contains(claim.committee):
        raise NotFound()
    return claim


@router.get("/claims/{claim_id}", response=ClaimOut, summary="申报详情（含办理过程）")
@permission("points", "view", model=Claim, lookup="claim_id")
def claim_detail(request, claim_id: int):
    return _claim(request, claim_id)


class ClaimReviewIn(Schema):
    decision: Literal["approve", "return", "reject"]
    reason: str = Field("", max_length=300)


@router.post("/claims/{claim_id}/review", response=ClaimOut, summary="党支部审核：通过、退回补充、不予通过")
@permission("points", "review", model=Claim, lookup="claim_id")
def claim_review(request, claim_id: int, payload: ClaimReviewIn):
    return services.claim_review(
        actor=request.auth, claim=_claim(request, claim_id), decision=payload.decision, reason=payload.reason
    )


class BulkIn(Schema):
    claim_ids: list[int] = Field(min_length=1, max_length=200)
    reason: str = Field("", max_length=300)


class PointsBulkOut(Schema):
    done: list[int]
    refused: dict[str, str] = Field(description="申报编号 → 未办理的原因")


def _bulk_result(ids, results) -> dict:
    done, refused = [], {}
    for claim_id, result in zip(ids, results, strict=True):
        if isinstance(result, Exception):
            refused[str(claim_id)] = getattr(result, "message", str(result))
        else:
            done.append(claim_id)
    return {"done": done, "refused": refused}


@router.post("/bulk/review", response=PointsBulkOut, summary="党支部批量审核通过")
@permission("points", "review")
def claims_review_bulk(request, payload: BulkIn):
    claims = _all_found(list(request.scope.filter(Claim.objects.filter(pk__in=payload.claim_ids))), payload)
    results = services.claims_review_bulk(actor=request.auth, claims=claims, decision="approve")
    return _bulk_result([c.pk for c in claims], results)


def _all_found(claims: list[Claim], payload: BulkIn) -> list[Claim]:
    """All the named claims, in the order named; any outside the scope refuses the whole request."""
    by_id = {c.pk: c for c in claims}
    if len(by_id) != len(set(payload.claim_ids)):
        raise NotFound("部分申报不存在或不在您的管理范围内", field="claim_ids")
    return [by_id[i] for i in dict.fromkeys(payload.claim_ids)]


class ConfirmIn(Schema):
    decision: Literal["confirm", "reject"] = "confirm"
    reason: str = Field("", max_length=300)
    window_days: int = Field(services.NOTICE_DAYS, ge=1, le=15, description="公示期（工作日）")


@router.post("/claims/{claim_id}/confirm", response=ClaimOut, summary="党委认定（认定后公示）或不予认定")
@permission("points", "confirm", model=Claim, lookup="claim_id")
def claim_confirm(request, claim_id: int, payload: ConfirmIn):
    claim = services.claim_confirm(
        actor=request.auth,
        claim=_committee_claim(request, claim_id),
        decision=payload.decision,
        reason=payload.reason,
        window_days=payload.window_days,
    )
    return _claims(Claim.objects.select_related("member__person", "item", "branch")).get(pk=claim.pk)


@router.post("/bulk/confirm", response=PointsBulkOut, summary="党委批量认定")
@permission("points", "confirm")
def claims_confirm_bulk(request, payload: BulkIn):
    claims = [
        c
        for c in Claim.objects.filter(pk__in=payload.claim_ids).select_related("committee")
        if request.scope.contains(c.committee)
    ]
    claims = _all_found(claims, payload)
    results = services.claims_confirm_bulk(actor=request.auth, claims=claims)
    return _bulk_result([c.pk for c in claims], results)


class SettleIn(Schema):
    credit: bool = Field(description="true：异议不成立，计入积分；false：异议成立，不予计入")
    resolution: str = Field(max_length=300, description="核实情况")


@router.post("/claims/{claim_id}/settle", response=ClaimOut, summary="公示异议复核")
@permission("points", "confirm", model=Claim, lookup="claim_id")
def claim_settle(request, claim_id: int, payload: SettleIn):
    claim = services.claim_settle(
        actor=request.auth,
        claim=_committee_claim(request, claim_id),
        credit=payload.credit,
        resolution=payload.resolution,
    )
    return _claims(Claim.objects.select_related("member__person", "item", "branch")).get(pk=claim.pk)


# --- ledger and rankings -------------------------------------------------------------------------------


class LedgerQuery(Schema):
    org_id: int | None = Field(None, description="只看该组织及其下级")
    start: dt.date | None = Field(None, description="日期起（含），默认本年1月1日")
    end: dt.date | None = Field(None, description="日期止（不含）")


@router.get("/entries", response=list[PointsEntryOut], summary="积分台账")
@paginate(PageNumber)
@permission("points", "view")
def entry_list(request, filters: Query[LedgerQuery]):
    today = timezone.localdate()
    org = request.scope.get(Org, pk=filters.org_id) if filters.org_id else None
    return selectors.ledger_rows(
        request.scope,
        filters.start or dt.date(today.year, 1, 1),
        filters.end or dt.date(today.year + 1, 1, 1),
        org,
    )


class EntryReverseIn(Schema):
    reason: str = Field(max_length=200)


@router.post("/entries/{entry_id}/reverse", response={201: PointsEntryOut}, summary="冲正一条加分或扣分记录")
@permission("points", "confirm", model=Entry, lookup="entry_id")
def entry_reverse(request, entry_id: int, payload: EntryReverseIn):
    entry = Entry.objects.select_related("committee").filter(pk=entry_id).first()
    if entry is None or not request.scope.contains(entry.committee):
        raise NotFound()
    return Status(201, services.entry_reverse(actor=request.auth, entry=entry, reason=payload.reason))


class RankingQuery(Schema):
    org_id: int = Field(description="支部或党委")
    period: Literal["month", "year"] = "month"
    on: dt.date | None = Field(None, description="该日所在的月或年（默认今天）")
    by: Literal["member", "branch"] = "member"
    category: Literal[("", *Category.values)] = ""  # type: ignore[valid-type]
    limit: int = Field(100, ge=1, le=1000)


class RankingRowOut(Schema):
    rank: int
    id: int
    name: str
    branch: str
    total: int
    basic: int
    pioneer: int
    categories: list[int] = Field(description="按 党的生活、学习培训、志愿服务、基层治理、工作好评 的顺序")


class PointsRankingOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    rows: list[RankingRowOut]


@router.get("/ranking", response=PointsRankingOut, summary="积分排名（月度、年度，可按类别）")
@permission("points", "view")
def ranking(request, filters: Query[RankingQuery]):
    org = request.scope.get(Org, pk=filters.org_id)
    start, end, label = selectors.period_bounds(filters.period, filters.on or timezone.localdate())
    rows = selectors.ranking(
        org, start, end, by=filters.by, category=filters.category, limit=filters.limit, scope=request.scope
    )
    key = "member_id" if filters.by == "member" else "branch_id"
    return {"label": label, "start": start, "end": end, "rows": [{**r, "id": r[key]} for r in rows]}


# --- catalogues ---------------------------------------------------------------------------------------


@router.get("/catalogues", response=list[CatalogueOut], summary="积分细则（各版本）")
@permission("points", "view")
def catalogue_list(request):
    return list(
        request.scope.filter(Catalogue.objects.select_related("org").prefetch_related("items")).order_by(
            "org_id", "-start_on"
        )
    )


class AutoRuleIn(Schema):
    event: str = Field(max_length=60, description="来源事件，如 meetings.attended")
    conditions: dict = Field(default_factory=dict, description="事件内容的条件：键 → 值或值的列表")
    member_key: str = Field("member_id", max_length=30)
    date_key: str = Field("on", max_length=30)


class CatalogueItemIn(Schema):
    code: str = Field(max_length=12)
    name: str = Field(max_length=100)
    category: CATEGORIES
    tier: Literal["basic", "pioneer"]
    points: int = Field(ge=-100, le=100)
    month_cap: int | None = Field(None, ge=1, le=10000)
    year_cap: int | None = Field(None, ge=1, le=100000)
    evidence: Literal["none", "photo", "document", "record"] = "none"
    mode: Literal["declared", "automatic"] = "declared"
    description: str = Field("", max_length=300)
    auto: list[AutoRuleIn] = Field(default_factory=list, max_length=10)


class CatalogueIn(Schema):
    org_id: int
    title: str = Field(max_length=100)
    start_on: dt.date
    note: str = Field("", max_length=2000)
    items: list[CatalogueItemIn] = Field(min_length=1, max_length=200)


@router.post("/catalogues", response={201: CatalogueOut}, summary="发布积分细则新版本（自施行日起适用）")
@permission("points", "catalogue")
def catalogue_publish(request, payload: CatalogueIn):
    org = request.scope.get(Org, pk=payload.org_id)
    items = [item.dict() for item in payload.items]
    catalogue = services.catalogue_publish(
        actor=request.auth,
        org=org,
        title=payload.title,
        start_on=payload.start_on,
        items=items,
        note=payload.note,
    )
    return Status(201, catalogue)


# --- partners and offers ---------------------------------------------------------------------------


class PartnerIn(Schema):
    org_id: int
    name: str = Field(max_length=100)
    kind: Literal[tuple(ServiceKind.values)]  # type: ignore[valid-type]
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)


class PartnerOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    name: str
    kind: str
    contact_name: str
    contact_phone: str
    address: str
    active: bool


@router.get("/partners", response=list[PartnerOut], summary="服务合作方")
@permission("points", "view")
def partner_list(request):
    return list(request.scope.filter(Partner.objects.all()))


@router.post("/partners", response={201: PartnerOut}, summary="登记服务合作方")
@permission("points", "partners")
def partner_create(request, payload: PartnerIn):
    org = request.scope.get(Org, pk=payload.org_id)
    data = payload.dict(exclude={"org_id"})
    return Status(201, services.partner_save(actor=request.auth, org=org, **data))


class OfferIn(Schema):
    title: str = Field(max_length=100)
    description: str = Field("", max_length=2000)
    price: int = Field(ge=1, le=100000)
    stock: int = Field(ge=0, le=100000)
    valid_from: dt.date
    valid_to: dt.date
    voucher_days: int = Field(30, ge=1, le=366)
    kind: Literal[("", *ServiceKind.values)] = ""  # type: ignore[valid-type]


@router.get("/offers", response=list[OfferOut], summary="积分兑换服务（本人管理范围）")
@permission("points", "view")
def offer_list(request):
    return list(request.scope.filter(Offer.objects.select_related("partner")))


@router.post("/partners/{partner_id}/offers", response={201: OfferOut}, summary="上架兑换服务")
@permission("points", "partners", model=Partner, lookup="partner_id")
def offer_create(request, partner_id: int, payload: OfferIn):
    partner = request.scope.get(Partner.objects.select_related("org"), pk=partner_id)
    data = payload.dict()
    if not data["kind"]:
        data.pop("kind")
    return Status(201, services.offer_save(actor=request.auth, partner=partner, **data))


class OfferPatch(Schema):
    stock: int | None = Field(None, ge=0, le=100000)
    valid_to: dt.date | None = None
    active: bool | None = None
    price: int | None = Field(None, ge=1, le=100000)


@router.patch("/offers/{offer_id}", response=OfferOut, summary="调整兑换服务（库存、期限、上下架）")
@permission("points", "partners", model=Offer, lookup="offer_id")
def offer_update(request, offer_id: int, payload: OfferPatch):
    offer = request.scope.get(Offer.objects.select_related("partner"), pk=offer_id)
    data = payload.dict(exclude_none=True)
    return services.offer_save(actor=request.auth, offer=offer, **data)


# --- a partner's redemption -------------------------------------------------------------------------


class PointsCodeIn(Schema):
    code: str = Field(max_length=40, description="兑换码（扫码或手工输入）")


@router.post("/vouchers/lookup", response=PartnerVoucherOut, summary="查询兑换券（合作方）")
@permission("points", "redeem")
def voucher_lookup(request, payload: PointsCodeIn):
    return services.voucher_find(actor=request.auth, code=payload.code)


@router.post("/vouchers/redeem", response=PartnerVoucherOut, summary="核销兑换券（合作方，一次有效）")
@permission("points", "redeem")
def voucher_redeem(request, payload: PointsCodeIn):
    return services.voucher_redeem(actor=request.auth, code=payload.code)
