"""/api/v1/appeals: 诉求 (连心桥). A worker submits, follows, answers, rates and withdraws their own
appeals under /mine; /classify gives hotline software the category of a text; liaisons, hotlines and
station desks register for someone else at /intake; the queues, an appeal's handling, the 督办 and the
metrics are scoped (appeals module). Every write goes through ``appeals.services``."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import FileIn, PageNumber, decode_files
from sanxin.core.errors import InvalidInput
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for
from sanxin.orgs.models import Org, Person
from sanxin.registry.models import Organization

from . import inference, selectors, services
from .models import (
    AidKind,
    Appeal,
    Category,
    Coordination,
    Department,
    Extension,
    Hardship,
    HardshipKind,
    Kind,
    Level,
    Rating,
    Service,
)

router = Router(tags=["诉求办理"])

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
LEVELS = Literal[tuple(Level.values)]  # type: ignore[valid-type]
RATINGS = Literal[tuple(Rating.values)]  # type: ignore[valid-type]
SERVICES = Literal[tuple(["", *Service.values])]  # type: ignore[valid-type]
GROUPINGS = Literal[tuple(selectors.GROUPS)]  # type: ignore[valid-type]
HARDSHIP_KINDS = Literal[tuple(HardshipKind.values)]  # type: ignore[valid-type]
AID_KINDS = Literal[tuple(AidKind.values)]  # type: ignore[valid-type]


# --- schemas ------------------------------------------------------------------------------------------


class AppealCategoryOut(Schema):
    code: str
    name: str
    delivered_by: str
    sensitive: bool


class ClassifyIn(Schema):
    text: str = Field(description="诉求原文")


class ClassifyOut(Schema):
    code: str = Field(description="类别代码")
    name: str = Field(description="类别名称")
    confidence: float = Field(description="置信度（0–1）")
    needs_review: bool = Field(description="置信度低于阈值，需人工确定类别")
    model_version: str
    alternatives: list[dict]


class AppealStepOut(Schema):
    action: str
    action_label: str = Field(validation_alias="get_action_display")
    at: dt.datetime
    unit: str
    to_unit: str
    note: str


class AppealMineOut(Schema):
    """What the worker sees of their own appeal."""

    id: int = Field(validation_alias="pk")
    number: str
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    category: str | None = Field(None, validation_alias="category_id")
    category_name: str | None = Field(None, validation_alias="category.name")
    text: str
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    holder: str
    received_at: dt.datetime
    resolve_due: dt.datetime
    reply: str
    rating: str
    anonymous: bool
    skip_platform: bool
    merged_into: str | None = Field(None, validation_alias="merged_into.number")
    steps: list[AppealStepOut]

    @staticmethod
    def resolve_holder(obj):
        return getattr(obj.holder, "name", "")

    @staticmethod
    def resolve_steps(obj):
        return list(selectors.public_steps(obj))


class AppealOut(Schema):
    """What a handler or an office sees: the author only when ``contact_visible``."""

    id: int = Field(validation_alias="pk")
    number: str
    channel: str
    kind: str
    urgent: bool
    service: str
    is_order: bool
    category: str | None = Field(None, validation_alias="category_id")
    category_name: str | None = Field(None, validation_alias="category.name")
    category_source: str
    confidence: float | None
    suggested: str | None = Field(None, validation_alias="suggested_id")
    text: str
    region: str | None = Field(None, validation_alias="region_id")
    station_id: int | None = Field(None, description="受理驿站")
    industry: str | None = Field(None, validation_alias="industry_id")
    about: str | None = Field(None, validation_alias="about.name")
    level: str
    level_label: str = Field(validation_alias="get_level_display")
    holder: str
    status: str
    status_label: str = Field(validation_alias="get_status_display")
    received_at: dt.datetime
    respond_due: dt.datetime
    responded_at: dt.datetime | None
    stage_due: dt.datetime | None
    resolve_due: dt.datetime
    resolved_at: dt.datetime | None
    escalations: int
    supervised_at: dt.datetime | None
    reopened: int
    reply: str
    rating: str
    rating_comment: str
    anonymous: bool
    needs_contact: bool
    duplicate_of: str | None = Field(None, validation_alias="duplicate_of.number")

    @staticmethod
    def resolve_holder(obj):
        return getattr(obj.holder, "name", "")


class AppealDetailOut(AppealOut):
    contact_name: str = Field("", description="诉求人（仅在需要联系时向承办人员显示）")
    contact_phone: str = ""
    steps: list[AppealStepOut]

    @staticmethod
    def resolve_contact_name(obj):
        return getattr(obj, "shown_contact", ("", ""))[0]

    @staticmethod
    def resolve_contact_phone(obj):
        return getattr(obj, "shown_contact", ("", ""))[1]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


def _out(appeal: Appeal, user) -> Appeal:
    """An appeal as a handler sees it: the author's name and phone only where ``contact_visible``."""
    if selectors.contact_visible(appeal, user):
        appeal.shown_contact = (appeal.contact_name, appeal.contact_phone)
    else:
        appeal.shown_contact = ("（匿名）" if appeal.anonymous else _masked(appeal.contact_name), "")
    return appeal


def _masked(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


class AppealSubmitIn(Schema):
    text: str = Field(description="遇到的问题（不超过 2000 字）")
    kind: KINDS = Field(description="诉求性质：help 求助、consult 咨询、complaint 投诉、suggestion 建议")
    urgent: bool = False
    category: str | None = Field(None, description="点单式：直接选择服务类别（不填则自动分类）")
    service: SERVICES = Field("", description="企业党组织申请的专业服务：legal、policy、finance")
    lat: float | None = None
    lng: float | None = None
    address: str = Field("", max_length=200)
    region: str | None = Field(None, description="发生地街道（乡镇）的区划代码")
    about_id: int | None = Field(
        None, description="涉及的平台或用工单位（新兴领域组织 id），不填则从内容识别"
    )
    anonymous: bool = Field(False, description="匿名：办理人员看不到诉求人身份")
    needs_contact: bool = Field(False, description="需要办理人员电话联系本人")
    consent_platform: bool = Field(False, description="同意向平台披露本人身份")
    skip_platform: bool = Field(False, description="不经平台诉求处理小组，直接报主管部门")
    consent: bool = Field(description="已阅读并同意《诉求个人信息处理说明》")
    photos: list[FileIn] = Field(default_factory=list, max_length=9)
    voice: FileIn | None = None


class IntakeIn(AppealSubmitIn):
    channel: Literal["liaison", "hotline", "station", "enterprise"] = "hotline"
    person_id: int | None = Field(None, description="诉求人（已登记人员）")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    station_id: int | None = Field(None, description="受理驿站（驿站窗口登记时）")


def _submit(request, payload: AppealSubmitIn, **extra) -> Appeal:
    about = None
    if payload.about_id is not None:
        about = Organization.objects.filter(pk=payload.about_id).first()
        if about is None:
            raise InvalidInput("未知的平台或用工单位", field="about_id")
    return services.appeal_submit(
        actor=request.auth,
        text=payload.text,
        kind=payload.kind,
        urgent=payload.urgent,
        category=payload.category,
        service=payload.service,
        lat=payload.lat,
        lng=payload.lng,
        address=payload.address,
        region=payload.region,
        about=about,
        anonymous=payload.anonymous,
        needs_contact=payload.needs_contact,
        consent_platform=payload.consent_platform,
        skip_platform=payload.skip_platform,
        consent=payload.consent,
        photos=decode_files(payload.photos, field="photos"),
        voice=(decode_files([payload.voice], field="voice") or [None])[0] if payload.voice else None,
        **extra,
    )


# --- reference and classification -------------------------------------------------------------------


@router.get("/categories", response=list[AppealCategoryOut], summary="诉求类别（点单式服务：每类由谁提供）")
@permission.reference()
def categories(request):
    return list(Category.objects.all())


@router.post("/classify", response=ClassifyOut, summary="诉求文本自动分类（供热线系统调用）")
@permission.own()
def classify(request, payload: ClassifyIn):
    from django.conf import settings

    text = services.check_text(payload.text)
    result = inference.classify(text)
    names = dict(Category.objects.values_list("code", "name"))
    return {
        "code": result.code,
        "name": names.get(result.code, result.code),
        "confidence": result.confidence,
        "needs_review": result.confidence < settings.APPEALS_CLASSIFY_THRESHOLD,
        "model_version": result.version,
        "alternatives": [
            {"code": c, "name": names.get(c, c), "confidence": round(p, 4)} for c, p in result.ranked
        ],
    }


# --- a worker's own -----------------------------------------------------------------------------------


def _mine(request, appeal_id: int) -> Appeal:
    appeal = selectors.mine(request.auth).filter(pk=appeal_id).first()
    if appeal is None:
        from sanxin.core.errors import NotFound

        raise NotFound()
    return appeal


@router.post("/mine", response={201: AppealMineOut}, summary="提交诉求（本人）")
@permission.own()
def submit(request, payload: AppealSubmitIn):
    return Status(201, _submit(request, payload))


@router.get("/mine", response=list[AppealMineOut], summary="我的诉求")
@permission.own()
@paginate(PageNumber)
def mine(request):
    return selectors.mine(request.auth).prefetch_related("steps")


@router.get("/mine/{appeal_id}", response=AppealMineOut, summary="我的诉求详情（办理过程与答复）")
@permission.own()
def mine_detail(request, appeal_id: int):
    return _mine(request, appeal_id)


class TextIn(Schema):
    text: str


class AppealRateIn(Schema):
    rating: RATINGS
    comment: str = Field("", max_length=500)


class AppealReasonIn(Schema):
    reason: str = Field("", max_length=500)


@router.post("/mine/{appeal_id}/answer", response=AppealMineOut, summary="补充情况")
@permission.own()
def answer(request, appeal_id: int, payload: TextIn):
    return services.appeal_answer(actor=request.auth, appeal=_mine(request, appeal_id), text=payload.text)


@router.post(
    "/mine/{appeal_id}/rate",
    response=AppealMineOut,
    summary="评价答复：满意、基本满意、不满意（不满意将重新办理）",
)
@permission.own()
def rate(request, appeal_id: int, payload: AppealRateIn):
    return services.appeal_rate(
        actor=request.auth, appeal=_mine(request, appeal_id), rating=payload.rating, comment=payload.comment
    )


@router.post("/mine/{appeal_id}/withdraw", response=AppealMineOut, summary="撤回诉求")
@permission.own()
def withdraw(request, appeal_id: int, payload: AppealReasonIn):
    return services.appeal_withdraw(
        actor=request.auth, appeal=_mine(request, appeal_id), reason=payload.reason
    )


# --- intake for someone else --------------------------------------------------------------------------


@router.post(
    "/intake", response={201: AppealDetailOut}, summary="代为登记诉求（党员联络员、热线、驿站、企业党组织）"
)
@permission("appeals", "intake")
def intake(request, payload: IntakeIn):
    person = None
    if payload.person_id is not None:
        person = request.scope.get(Person, pk=payload.person_id)
    station = None
    if payload.station_id is not None:
        from sanxin.stations.models import Station

        station = Station.objects.filter(pk=payload.station_id).first()
        if station is None:
            raise InvalidInput("未知的驿站", field="station_id")
    appeal = _submit(
        request,
        payload,
        channel=payload.channel,
        on_behalf=person,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        station=station,
    )
    return Status(201, _out(appeal, request.auth))


# --- scoped ---------------------------------------------------------------------------------------------


class QueueFilters(Schema):
    status: str | None = Field(None, description="open（办理中）或状态代码")
    level: LEVELS | None = None
    overdue: bool = False


@router.get("", response=list[AppealOut], summary="诉求列表（本人管理范围）")
@permission("appeals", "view")
@paginate(PageNumber)
def appeal_list(request, filters: Query[QueueFilters]):
    return selectors.queue(
        request.scope, status=filters.status, level=filters.level, overdue=filters.overdue, now=timezone.now()
    ).select_related("duplicate_of")


class MetricsFilters(Schema):
    start: dt.date
    end: dt.date = Field(description="不含当日")
    by: GROUPINGS | None = None


class FiguresOut(Schema):
    key: str | None
    received: int
    responded_in_time: int
    resolved: int
    rated: int
    satisfied: int
    response_rate: float | None = Field(description="响应率（%）")
    resolution_rate: float | None = Field(description="解决率（%）")
    satisfaction_rate: float | None = Field(description="满意率（%）")
    avg_respond_h: float | None
    avg_resolve_h: float | None
    p90_respond_h: float | None
    p90_resolve_h: float | None


@router.get("/metrics", response=list[FiguresOut], summary="接诉即办指标：响应率、解决率、满意率、用时")
@permission("appeals", "view")
def metrics(request, filters: Query[MetricsFilters]):
    if filters.end <= filters.start:
        raise InvalidInput("结束日期应晚于开始日期", field="end")
    rows = selectors.metrics(
        request.scope, start=_day_start(filters.start), end=_day_start(filters.end), by=filters.by
    )
    return [_figures_out(r) for r in rows]


def _figures_out(r: selectors.Figures) -> FiguresOut:
    return FiguresOut(
        key=None if r.key is None else str(r.key.date() if isinstance(r.key, dt.datetime) else r.key),
        received=r.received,
        responded_in_time=r.responded_in_time,
        resolved=r.resolved,
        rated=r.rated,
        satisfied=r.satisfied,
        response_rate=r.response_rate,
        resolution_rate=r.resolution_rate,
        satisfaction_rate=r.satisfaction_rate,
        avg_respond_h=r.avg_respond_h,
        avg_resolve_h=r.avg_resolve_h,
        p90_respond_h=r.p90_respond_h,
        p90_resolve_h=r.p90_resolve_h,
    )


class PeriodFilters(Schema):
    start: dt.date
    end: dt.date = Field(description="不含当日")


class RankedOut(Schema):
    place: int
    department_id: int
    department: str
    score: float = Field(description="综合得分（响应率、解决率、满意率加权）")
    figures: FiguresOut


@router.get("/ranking", response=list[RankedOut], summary="主管部门排名（综合得分）")
@permission("appeals", "view")
def ranking(request, filters: Query[PeriodFilters]):
    if filters.end <= filters.start:
        raise InvalidInput("结束日期应晚于开始日期", field="end")
    rows = selectors.department_ranking(
        request.scope, start=_day_start(filters.start), end=_day_start(filters.end)
    )
    return [
        RankedOut(
            place=r.place,
            department_id=r.figures.key,
            department=getattr(r.department, "name", ""),
            score=r.score,
            figures=_figures_out(r.figures),
        )
        for r in rows
    ]


class TrendOut(Schema):
    label: str
    this: int = Field(description="近7天（件）")
    last: int = Field(description="前7天（件）")


class HotOut(Schema):
    since: dt.datetime
    categories: list[TrendOut]
    terms: list[TrendOut]
    sampled: bool


@router.get("/hot", response=HotOut, summary="热点：近7天与前7天的类别和高频词")
@permission("appeals", "view")
def hot(request):
    return selectors.hot_topics(request.scope, now=timezone.now())


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class DepartmentOut(Schema):
    id: int = Field(validation_alias="pk")
    name: str
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    region: str = Field(validation_alias="region_id")
    phone: str
    services: list[str]


@router.get("/departments", response=list[DepartmentOut], summary="主管部门与专业服务承办单位（转办对象）")
@permission.reference()
def departments(request):
    return list(Department.objects.filter(active=True))


def _appeal(request, appeal_id: int) -> Appeal:
    return request.scope.get(
        Appeal.objects.select_related(
            "category", "branch", "platform", "department", "about", "duplicate_of"
        ),
        pk=appeal_id,
    )


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class AppealQuestionIn(Schema):
    question: str = Field(max_length=500)


class TransferIn(Schema):
    level: LEVELS
    unit_id: int = Field(description="承办单位：党组织 id（联络员、平台党委）或主管部门 id")
    reason: str = Field(max_length=500)


class AppealReplyIn(Schema):
    reply: str


class MergeIn(Schema):
    into_id: int = Field(description="被合并到的诉求 id")


class CategoryIn(Schema):
    category: str


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=30, description="延长的工作日数")
    reason: str = Field(max_length=500)


class ExtensionOut(Schema):
    id: int = Field(validation_alias="pk")
    appeal_id: int
    days: int
    reason: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class AppealDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class AppealIdentityOut(Schema):
    name: str
    phone: str
    user_id: int | None


def _act(request, appeal_id: int, fn, **kwargs):
    appeal = _appeal(request, appeal_id)
    return _out(fn(actor=request.auth, appeal=appeal, **kwargs), request.auth)


@router.post("/{appeal_id}/accept", response=AppealDetailOut, summary="受理")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def accept(request, appeal_id: int, payload: NoteIn):
    return _act(request, appeal_id, services.appeal_accept, note=payload.note)


@router.post("/{appeal_id}/ask", response=AppealDetailOut, summary="请诉求人补充情况（办理时限暂停）")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def ask(request, appeal_id: int, payload: AppealQuestionIn):
    return _act(request, appeal_id, services.appeal_ask, question=payload.question)


@router.post("/{appeal_id}/transfer", response=AppealDetailOut, summary="转办（写明理由）")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def transfer(request, appeal_id: int, payload: TransferIn):
    return _act(
        request,
        appeal_id,
        services.appeal_transfer,
        level=payload.level,
        unit_id=payload.unit_id,
        reason=payload.reason,
    )


@router.post("/{appeal_id}/escalate", response=AppealDetailOut, summary="上报上一层级")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def escalate(request, appeal_id: int, payload: AppealReasonIn):
    return _act(request, appeal_id, services.appeal_escalate, reason=payload.reason)


@router.post("/{appeal_id}/resolve", response=AppealDetailOut, summary="答复办结")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def resolve(request, appeal_id: int, payload: AppealReplyIn):
    return _act(request, appeal_id, services.appeal_resolve, reply=payload.reply)


@router.post("/{appeal_id}/callback", response=AppealDetailOut, summary="回访记录")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def callback(request, appeal_id: int, payload: NoteIn):
    return _act(request, appeal_id, services.appeal_callback, note=payload.note)


@router.post("/{appeal_id}/merge", response=AppealDetailOut, summary="合并重复诉求")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def merge(request, appeal_id: int, payload: MergeIn):
    into = request.scope.get(Appeal, pk=payload.into_id)
    return _act(request, appeal_id, services.appeal_merge, into=into)


@router.post("/{appeal_id}/classify", response=AppealDetailOut, summary="人工确定类别")
@permission("appeals", "classify", model=Appeal, lookup="appeal_id")
def classify_appeal(request, appeal_id: int, payload: CategoryIn):
    return _act(request, appeal_id, services.appeal_classify, category=payload.category)


@router.post("/{appeal_id}/supervise", response=AppealDetailOut, summary="督办")
@permission("appeals", "supervise", model=Appeal, lookup="appeal_id")
def supervise(request, appeal_id: int, payload: NoteIn):
    return _act(request, appeal_id, services.appeal_supervise, note=payload.note)


@router.post("/{appeal_id}/extensions", response={201: ExtensionOut}, summary="申请延期（办结时限前）")
@permission("appeals", "handle", model=Appeal, lookup="appeal_id")
def extension_request(request, appeal_id: int, payload: ExtensionIn):
    appeal = _appeal(request, appeal_id)
    return Status(
        201,
        services.extension_request(
            actor=request.auth, appeal=appeal, days=payload.days, reason=payload.reason
        ),
    )


@router.post("/extensions/{extension_id}/decide", response=ExtensionOut, summary="审核延期申请")
@permission("appeals", "supervise", model=Extension, lookup="extension_id")
def extension_decide(request, extension_id: int, payload: AppealDecisionIn):
    ext = request.scope.get(Extension, pk=extension_id)
    return services.extension_decide(
        actor=request.auth, extension=ext, approve=payload.approve, note=payload.note
    )


@router.post(
    "/{appeal_id}/reveal", response=AppealIdentityOut, summary="查看匿名诉求人身份（须写明理由，留痕）"
)
@permission("appeals", "reveal", model=Appeal, lookup="appeal_id")
def reveal(request, appeal_id: int, payload: AppealReasonIn):
    return services.appeal_reveal(
        actor=request.auth, appeal=_appeal(request, appeal_id), reason=payload.reason
    )


# --- 督办看板, 困难帮扶, 协调会 ------------------------------------------------------------------------


class HolderOut(Schema):
    level: str
    unit: str
    open: int
    overdue: int
    supervised: int


class AppealBoardOut(Schema):
    open: int
    overdue: int
    supervised: int
    reopened: int
    urgent: int
    holders: list[HolderOut]
    overdue_appeals: list[AppealOut]
    extensions: list[ExtensionOut]


@router.get("/board", response=AppealBoardOut, summary="督办看板：超时、督办、各承办单位、待审核延期")
@permission("appeals", "supervise")
def board(request):
    b = selectors.board(request.scope, now=timezone.now())
    return {  # validated once, as the response, from the rows themselves
        "open": b.open,
        "overdue": b.overdue,
        "supervised": b.supervised,
        "reopened": b.reopened,
        "urgent": b.urgent,
        "holders": b.holders,
        "overdue_appeals": [_out(a, request.auth) for a in b.overdue_rows],
        "extensions": list(b.extensions),
    }


class AidOut(Schema):
    id: int = Field(validation_alias="pk")
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    amount: Decimal | None
    given_on: dt.date
    given_by: str
    note: str


class HardshipOut(Schema):
    id: int = Field(validation_alias="pk")
    person_id: int
    person: str = Field(validation_alias="person.name")
    org_id: int
    org: str = Field(validation_alias="org.name")
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    situation: str
    consented_at: dt.datetime
    appeal_id: int | None
    follow_up_on: dt.date | None
    closed_on: dt.date | None
    closing_note: str
    aids: list[AidOut]

    @staticmethod
    def resolve_aids(obj):
        return list(obj.aids.all())


class HardshipFilters(Schema):
    state: Literal["open", "due", "closed", "all"] = "open"
    q: str = Field("", max_length=50, description="姓名")


class HardshipIn(Schema):
    person_id: int | None = Field(None, description="帮扶对象（与 appeal_id 二选一）")
    appeal_id: int | None = Field(None, description="由诉求转入：帮扶对象为诉求人")
    kind: HARDSHIP_KINDS
    situation: str = Field(max_length=2000)
    consent: bool = Field(description="本人同意登记困难情况")
    follow_up_on: dt.date | None = None


class AidIn(Schema):
    kind: AID_KINDS
    amount: Decimal | None = Field(None, max_digits=10, decimal_places=2)
    given_on: dt.date
    given_by: str = Field(max_length=100)
    note: str = Field("", max_length=500)
    follow_up_on: dt.date | None = None


def _hardship(request, hardship_id: int) -> Hardship:
    return request.scope.get(
        Hardship.objects.select_related("person", "org").prefetch_related("aids"), pk=hardship_id
    )


@router.get("/hardships", response=list[HardshipOut], summary="困难帮扶台账")
@permission("appeals", "hardship")
@paginate(PageNumber)
def hardship_list(request, filters: Query[HardshipFilters]):
    return selectors.hardships(
        request.scope, state=filters.state, q=filters.q.strip(), today=timezone.localdate()
    ).prefetch_related("aids")


@router.post("/hardships", response={201: HardshipOut}, summary="建立困难帮扶档案（须经本人同意）")
@permission("appeals", "hardship")
def hardship_open(request, payload: HardshipIn):
    if (payload.person_id is None) == (payload.appeal_id is None):
        raise InvalidInput("请指定帮扶对象或来源诉求（二选一）", field="person_id")
    appeal = person = None
    if payload.appeal_id is not None:
        appeal = scope_for(request.auth, "appeals", "view").get(Appeal, pk=payload.appeal_id)
    else:
        person = request.scope.get(Person, pk=payload.person_id)
    entry = services.hardship_open(
        actor=request.auth,
        kind=payload.kind,
        situation=payload.situation,
        consent=payload.consent,
        person=person,
        appeal=appeal,
        follow_up_on=payload.follow_up_on,
    )
    return Status(201, _hardship(request, entry.pk))


@router.get("/hardships/{hardship_id}", response=HardshipOut, summary="困难帮扶档案")
@permission("appeals", "hardship", model=Hardship, lookup="hardship_id")
def hardship_detail(request, hardship_id: int):
    return _hardship(request, hardship_id)


@router.post(
    "/hardships/{hardship_id}/aids", response={201: HardshipOut}, summary="记录帮扶（资金、服务、走访）"
)
@permission("appeals", "hardship", model=Hardship, lookup="hardship_id")
def aid_record(request, hardship_id: int, payload: AidIn):
    services.aid_record(
        actor=request.auth,
        hardship=_hardship(request, hardship_id),
        kind=payload.kind,
        amount=payload.amount,
        given_on=payload.given_on,
        given_by=payload.given_by,
        note=payload.note,
        follow_up_on=payload.follow_up_on,
    )
    return Status(201, _hardship(request, hardship_id))


@router.post("/hardships/{hardship_id}/close", response=HardshipOut, summary="结束帮扶")
@permission("appeals", "hardship", model=Hardship, lookup="hardship_id")
def hardship_close(request, hardship_id: int, payload: NoteIn):
    services.hardship_close(actor=request.auth, hardship=_hardship(request, hardship_id), note=payload.note)
    return _hardship(request, hardship_id)


class CoordinationItemIn(Schema):
    appeal_id: int
    decision: str = Field(max_length=1000)


class CoordinationIn(Schema):
    org_id: int = Field(description="召集党组织")
    title: str = Field(max_length=200)
    held_on: dt.date
    place: str = Field("", max_length=200)
    attendees: str = Field("", max_length=2000)
    summary: str = Field("", max_length=10000)
    items: list[CoordinationItemIn] = Field(description="协调的诉求和议定事项")


class CoordinationItemOut(Schema):
    appeal_id: int
    number: str = Field(validation_alias="appeal.number")
    decision: str


class CoordinationOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org: str = Field(validation_alias="org.name")
    title: str
    held_on: dt.date
    place: str
    attendees: str
    summary: str
    items: list[CoordinationItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.select_related("appeal"))


@router.get("/coordinations", response=list[CoordinationOut], summary="协调会记录")
@permission("appeals", "coordinate")
@paginate(PageNumber)
def coordination_list(request):
    return selectors.coordinations(request.scope)


@router.post("/coordinations", response={201: CoordinationOut}, summary="记录协调会（议定事项写入各诉求）")
@permission("appeals", "coordinate")
def coordination_record(request, payload: CoordinationIn):
    org = request.scope.get(Org, pk=payload.org_id)
    decisions = {}
    for item in payload.items:
        if item.appeal_id in decisions:
            raise InvalidInput(f"诉求 {item.appeal_id} 重复列出", field="items")
        decisions[item.appeal_id] = item.decision
    meeting = services.coordination_record(
        actor=request.auth,
        org=org,
        title=payload.title,
        held_on=payload.held_on,
        place=payload.place,
        attendees=payload.attendees,
        summary=payload.summary,
        decisions=decisions,
    )
    return Status(201, meeting)


@router.get("/coordinations/{meeting_id}", response=CoordinationOut, summary="协调会详情")
@permission("appeals", "coordinate", model=Coordination, lookup="meeting_id")
def coordination_detail(request, meeting_id: int):
    return request.scope.get(Coordination.objects.select_related("org"), pk=meeting_id)


# Last: "/{appeal_id}" would otherwise answer for the literal paths above ("/hardships", "/board").
@router.get("/{appeal_id}", response=AppealDetailOut, summary="诉求详情（含办理过程）")
@permission("appeals", "view", model=Appeal, lookup="appeal_id")
def appeal_detail(request, appeal_id: int):
    return _out(_appeal(request, appeal_id), request.auth)
