"""/api/v1/members/pipeline: 发展党员. Lists and details are scoped (people module); every write goes
through ``pipeline.services``, whose refusals name the rule that blocks them."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for
from sanxin.orgs.models import COMMITTEE_TYPES, Org, Person

from . import selectors, services
from .models import DevelopmentCase, DevelopmentQuota

router = Router(tags=["发展党员"])

StageName = Literal["applicant", "activist", "candidate", "probationary", "full"]


class DocumentIn(Schema):
    name: str = Field(max_length=100, description="材料名称，如 入党申请书、支部大会决议")
    number: str = Field("", max_length=60, description="编号")
    date: dt.date | None = None


class DocumentOut(Schema):
    name: str
    number: str
    date: str


class PipelineStepOut(Schema):
    stage: str
    on: dt.date
    decided_by: str
    documents: list[DocumentOut]
    note: str


class PipelineNoticeOut(Schema):
    id: int
    starts_on: dt.date
    ends_on: dt.date
    status: str


class CaseOut(Schema):
    id: int
    name: str = Field(validation_alias="person.name")
    person_id: int
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    stage: str
    status: str
    applied_on: dt.date
    admitted_on: dt.date | None
    member_id: int | None
    new_employment: bool | None = Field(None, description="当前是否为新就业群体从业者")
    next_due_on: dt.date | None = Field(None, description="下一步最早可办理的日期")
    probation_until: dt.date | None = Field(None, description="延长后的预备期结束日期")

    @staticmethod
    def resolve_new_employment(obj):
        return getattr(obj, "is_new_employment", None)


class CaseDetailOut(CaseOut):
    steps: list[PipelineStepOut]
    notice: PipelineNoticeOut | None
    notice_result: str
    extended_on: dt.date | None
    extension_reason: str
    ended_on: dt.date | None
    end_reason: str

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.order_by("on", "pk"))


class CaseQuery(Schema):
    stage: Literal["", "applicant", "activist", "candidate", "probationary", "full"] = ""
    status: Literal["", "open", "done", "terminated", "cancelled"] = Field("open", description="空为全部")
    org_id: int | None = Field(None, description="组织（含下级）")
    new_employment: bool | None = Field(None, description="是否新就业群体从业者")
    due: bool = Field(False, description="仅看已到可办理下一步日期的")
    q: str = Field("", max_length=50, description="姓名")


def _detail(request, case_id: int) -> DevelopmentCase:
    return request.scope.get(
        selectors.case_list(request.scope, on=timezone.localdate(), status="").prefetch_related("steps"),
        pk=case_id,
    )


@router.get("/", response=list[CaseOut], summary="发展党员列表")
@paginate(PageNumber)
@permission("people", "view")
def case_list(request, filters: Query[CaseQuery]):
    org = scope_for(request.auth, "orgs", "view").get(Org, pk=filters.org_id) if filters.org_id else None
    return selectors.case_list(
        request.scope,
        on=timezone.localdate(),
        stage=filters.stage,
        status=filters.status,
        org=org,
        new_employment=filters.new_employment,
        due=filters.due,
        q=filters.q,
    )


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="发展党员详情（含各步骤）")
@permission("people", "view", model=DevelopmentCase, lookup="case_id")
def case_detail(request, case_id: int):
    return _detail(request, case_id)


class CaseIn(Schema):
    person_id: int
    org_id: int = Field(description="培养的党支部")
    applied_on: dt.date
    documents: list[DocumentIn] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=500)


@router.post("/", response={201: CaseDetailOut}, summary="登记入党申请人")
@permission("people", "change")
def case_create(request, payload: CaseIn):
    scope = scope_for(request.auth, "people", "change")
    person = scope.get(Person, pk=payload.person_id)
    org = scope.get(Org, pk=payload.org_id)
    case = services.case_create(
        actor=request.auth,
        person=person,
        org=org,
        applied_on=payload.applied_on,
        documents=[d.dict() for d in payload.documents],
        note=payload.note,
    )
    return Status(201, _detail(request, case.pk))


class PipelineAdvanceIn(Schema):
    stage: StageName = Field(description="到达的阶段（只能是下一阶段）")
    on: dt.date
    decided_by: str = Field("", max_length=100, description="决定机构，如 支部委员会、支部大会")
    documents: list[DocumentIn] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=500)


@router.post("/cases/{case_id}/advance", response=CaseDetailOut, summary="记录下一步骤")
@permission("people", "change", model=DevelopmentCase, lookup="case_id")
def case_advance(request, case_id: int, payload: PipelineAdvanceIn):
    case = request.scope.get(DevelopmentCase, pk=case_id)
    services.case_advance(
        actor=request.auth,
        case=case,
        stage=payload.stage,
        on=payload.on,
        decided_by=payload.decided_by,
        documents=[d.dict() for d in payload.documents],
        note=payload.note,
    )
    return _detail(request, case_id)


class PipelineNoticeIn(Schema):
    starts_on: dt.date
    window_days: int = Field(services.NOTICE_DAYS, ge=1, le=30, description="公示期（工作日）")


@router.post("/cases/{case_id}/notice", response=CaseDetailOut, summary="发起发展对象公示")
@permission("people", "change", model=DevelopmentCase, lookup="case_id")
def case_notice(request, case_id: int, payload: PipelineNoticeIn):
    case = request.scope.get(DevelopmentCase, pk=case_id)
    services.case_notice_open(
        actor=request.auth, case=case, starts_on=payload.starts_on, window_days=payload.window_days
    )
    return _detail(request, case_id)


class ExtendIn(Schema):
    on: dt.date = Field(description="决定日期")
    until: dt.date = Field(description="延长后的预备期结束日期（半年至一年）")
    reason: str = Field(max_length=500)


@router.post("/cases/{case_id}/extend", response=CaseDetailOut, summary="延长预备期")
@permission("people", "change", model=DevelopmentCase, lookup="case_id")
def case_extend(request, case_id: int, payload: ExtendIn):
    case = request.scope.get(DevelopmentCase, pk=case_id)
    services.case_extend(
        actor=request.auth, case=case, on=payload.on, until=payload.until, reason=payload.reason
    )
    return _detail(request, case_id)


class PipelineEndIn(Schema):
    on: dt.date
    reason: str = Field(max_length=500)


@router.post("/cases/{case_id}/end", response=CaseDetailOut, summary="终止发展或取消预备党员资格")
@permission("people", "change", model=DevelopmentCase, lookup="case_id")
def case_end(request, case_id: int, payload: PipelineEndIn):
    case = request.scope.get(DevelopmentCase, pk=case_id)
    services.case_end(actor=request.auth, case=case, on=payload.on, reason=payload.reason)
    return _detail(request, case_id)


class QuotaOut(Schema):
    id: int
    committee_id: int
    committee_name: str = Field(validation_alias="committee.name")
    year: int
    total: int
    reserved: int
    used: int = Field(description="已接收")
    used_new: int = Field(description="其中新就业群体")


class QuotaQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/quotas", response=list[QuotaOut], summary="发展党员名额及使用情况")
@paginate(PageNumber)
@permission("people", "view")
def quota_list(request, filters: Query[QuotaQuery]):
    return selectors.quota_list(request.scope, year=filters.year)


class QuotaIn(Schema):
    committee_id: int
    year: int = Field(ge=2000, le=2100)
    total: int = Field(ge=0, le=100000)
    reserved: int = Field(0, ge=0, le=100000, description="新就业群体预留名额")


@router.post("/quotas", response=QuotaOut, summary="下达（调整）发展党员名额")
@permission("people", "quota")
def quota_set(request, payload: QuotaIn):
    committee = request.scope.get(Org.objects.filter(org_type__in=COMMITTEE_TYPES), pk=payload.committee_id)
    quota = services.quota_set(
        actor=request.auth,
        committee=committee,
        year=payload.year,
        total=payload.total,
        reserved=payload.reserved,
    )
    return selectors.quota_list(scope_for(request.auth, "people", "quota")).get(pk=quota.pk)


@router.get("/quotas/{quota_id}", response=QuotaOut, summary="一个党委的名额使用情况")
@permission("people", "view", model=DevelopmentQuota, lookup="quota_id")
def quota_detail(request, quota_id: int):
    return request.scope.get(selectors.quota_list(request.scope), pk=quota_id)
