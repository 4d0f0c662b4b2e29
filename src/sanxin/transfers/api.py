"""/api/v1/transfers: the transfer workflow. Lists and details are scoped (transfers module); each
step is its own route with its own matrix action (apply, approve, escalate, accept); a member's own
transfers are under /mine. Every write goes through ``transfers.services``."""

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import NotFound, PermissionDenied
from sanxin.core.permissions import permission
from sanxin.core.scope import scope_for
from sanxin.members.models import Member
from sanxin.orgs.models import Org

from . import selectors, services
from .models import Kind, State, Transfer

router = Router(tags=["组织关系转接"])


class TransferLetterOut(Schema):
    number: str
    issued_on: dt.date
    valid_until: dt.date


class TransferStepOut(Schema):
    action: str
    label: str
    org_id: int | None
    org_name: str | None = Field(None, validation_alias="org.name")
    on: dt.date
    at: dt.datetime
    note: str


class TransferOut(Schema):
    id: int = Field(validation_alias="pk")
    member_id: int
    member_name: str = Field(validation_alias="member.person.name")
    kind: str
    state: str
    state_label: str = Field(validation_alias="get_state_display")
    from_org_id: int
    from_org_name: str = Field(validation_alias="from_org.name")
    to_org_id: int | None
    to_name: str = Field(validation_alias="destination")
    to_code: str
    approver_id: int | None
    holder_id: int | None = Field(None, description="当前办理组织（谁在办）")
    holder_name: str | None = Field(None, validation_alias="holder.name")
    holder_since: dt.date = Field(description="自何日起由当前组织办理")
    reason: str
    applied_on: dt.date
    decided_on: dt.date | None
    outcome_note: str
    letter: TransferLetterOut | None = None

    @staticmethod
    def resolve_letter(obj):
        return getattr(obj, "letter", None) if _has_letter(obj) else None


def _has_letter(obj) -> bool:
    try:
        return obj.letter is not None
    except Transfer.letter.RelatedObjectDoesNotExist:
        return False


class TransferDetailOut(TransferOut):
    steps: list[TransferStepOut]

    @staticmethod
    def resolve_steps(obj):
        return selectors.steps(obj)


class OverdueOut(TransferOut):
    waited: int = Field(description="已等待的工作日数")


class TransferQuery(Schema):
    state: Literal[("", *State.values)] = ""  # type: ignore[valid-type]
    kind: Literal[("", *Kind.values)] = ""  # type: ignore[valid-type]
    waiting: Literal["", "approve", "escalate", "accept", "report"] = Field(
        "", description="只列出等待本人所在一方办理的转接"
    )
    q: str = Field("", max_length=50, description="党员姓名或接收组织名称")


@router.get("/", response=list[TransferOut], summary="组织关系转接列表")
@paginate(PageNumber)
@permission("transfers", "view")
def transfer_list(request, filters: Query[TransferQuery]):
    if filters.waiting:
        qs = selectors.queue(request.auth, filters.waiting)
        return request.scope.filter(qs)
    return selectors.transfer_list(request.scope, state=filters.state, kind=filters.kind, q=filters.q)


class OverdueQuery(Schema):
    days: int = Field(selectors.OVERDUE_DAYS, ge=1, le=250, description="超过多少个工作日")


@router.get("/overdue", response=list[OverdueOut], summary="超期未办的转接（按工作日）")
@permission("transfers", "view")
def transfer_overdue(request, params: Query[OverdueQuery]):
    return selectors.with_waited(selectors.overdue(request.scope, days=params.days)[:500])


class ApplyIn(Schema):
    member_id: int
    kind: Literal["out", "external", "mobile_out", "mobile_in"]
    to_org_id: int | None = None
    to_name: str = Field("", max_length=200, description="平台外接收组织名称（或流出去向）")
    to_code: str = Field("", max_length=40, description="平台外接收组织代码")
    reason: str = Field(max_length=200)
    on: dt.date | None = None


class MyApplyIn(Schema):
    kind: Literal["out", "external", "mobile_out", "mobile_in"]
    to_org_id: int | None = None
    to_name: str = Field("", max_length=200)
    to_code: str = Field("", max_length=40)
    reason: str = Field(max_length=200)


def _to_org(org_id: int | None) -> Org | None:
    """A destination is any org of the platform (its validity is the service's to judge)."""
    if org_id is None:
        return None
    org = Org.objects.filter(pk=org_id).first()
    if org is None:
        raise NotFound("没有找到该接收组织", field="to_org_id")
    return org


@router.post("/", response={201: TransferDetailOut}, summary="代党员申请组织关系转接")
@permission("transfers", "apply")
def transfer_apply(request, payload: ApplyIn):
    member = scope_for(request.auth, "people", "view").get(
        Member.objects.select_related("person"), pk=payload.member_id
    )
    transfer = services.transfer_apply(
        actor=request.auth,
        member=member,
        kind=payload.kind,
        reason=payload.reason,
        to_org=_to_org(payload.to_org_id),
        to_name=payload.to_name,
        to_code=payload.to_code,
        on=payload.on,
    )
    return Status(201, transfer)


# --- the member's own ---------------------------------------------------------------------------------


def _me(request) -> Member:
    member = Member.objects.select_related("person").filter(person__user=request.auth).first()
    if member is None:
        raise PermissionDenied("您尚未登记为党员")
    return member


def _own(request, transfer_id: int) -> Transfer:
    transfer = selectors.mine(request.auth).filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFound()
    return transfer


@router.get("/mine", response=list[TransferDetailOut], summary="我的组织关系转接")
@permission.own()
def my_transfers(request):
    return list(selectors.mine(request.auth)[:50])


@router.post("/mine", response={201: TransferDetailOut}, summary="本人申请组织关系转接")
@permission.own()
def my_apply(request, payload: MyApplyIn):
    transfer = services.transfer_apply(
        actor=request.auth,
        member=_me(request),
        kind=payload.kind,
        reason=payload.reason,
        to_org=_to_org(payload.to_org_id),
        to_name=payload.to_name,
        to_code=payload.to_code,
    )
    return Status(201, transfer)


class TransferReasonIn(Schema):
    reason: str = Field(max_length=200)
    on: dt.date | None = None


class OnIn(Schema):
    on: dt.date | None = None
    note: str = Field("", max_length=200)


@router.post("/mine/{transfer_id}/report", response=TransferDetailOut, summary="本人报到")
@permission.own()
def my_report(request, transfer_id: int, payload: OnIn):
    return services.transfer_report(
        actor=request.auth, transfer=_own(request, transfer_id), on=payload.on, note=payload.note
    )


@router.post("/mine/{transfer_id}/cancel", response=TransferDetailOut, summary="本人撤销申请")
@permission.own()
def my_cancel(request, transfer_id: int, payload: TransferReasonIn):
    return services.transfer_cancel(
        actor=request.auth, transfer=_own(request, transfer_id), reason=payload.reason, on=payload.on
    )


# --- one transfer ---------------------------------------------------------------------------------------


def _transfer(request, transfer_id: int) -> Transfer:
    return scope_for(request.auth, "transfers", "view").get(selectors._base(), pk=transfer_id)


@router.get("/{transfer_id}", response=TransferDetailOut, summary="转接详情与进度（谁在办、自何时起）")
@permission("transfers", "view", model=Transfer, lookup="transfer_id")
def transfer_detail(request, transfer_id: int):
    return _transfer(request, transfer_id)


class ApproveIn(Schema):
    on: dt.date | None = None
    valid_days: int | None = Field(None, ge=1, le=365, description="介绍信有效天数（默认90天）")
    note: str = Field("", max_length=200)


@router.post("/{transfer_id}/approve", response=TransferDetailOut, summary="转出组织审批同意并开具介绍信")
@permission("transfers", "approve", model=Transfer, lookup="transfer_id")
def transfer_approve(request, transfer_id: int, payload: ApproveIn):
    return services.transfer_approve(
        actor=request.auth,
        transfer=_transfer(request, transfer_id),
        on=payload.on,
        valid_days=payload.valid_days,
        note=payload.note,
    )


@router.post("/{transfer_id}/reject", response=TransferDetailOut, summary="不予批准（转出组织或上级）")
@permission("transfers", "approve", model=Transfer, lookup="transfer_id")
def transfer_reject(request, transfer_id: int, payload: TransferReasonIn):
    return services.transfer_reject(
        actor=request.auth, transfer=_transfer(request, transfer_id), reason=payload.reason, on=payload.on
    )


@router.post("/{transfer_id}/escalation/approve", response=TransferDetailOut, summary="上级党组织审批同意")
@permission("transfers", "escalate", model=Transfer, lookup="transfer_id")
def transfer_escalation_approve(request, transfer_id: int, payload: OnIn):
    return services.transfer_escalation_approve(
        actor=request.auth, transfer=_transfer(request, transfer_id), on=payload.on, note=payload.note
    )


@router.post("/{transfer_id}/escalation/reject", response=TransferDetailOut, summary="上级党组织不予批准")
@permission("transfers", "escalate", model=Transfer, lookup="transfer_id")
def transfer_escalation_reject(request, transfer_id: int, payload: TransferReasonIn):
    return services.transfer_reject(
        actor=request.auth,
        transfer=_transfer(request, transfer_id),
        reason=payload.reason,
        on=payload.on,
        higher_level=True,
    )


@router.post("/{transfer_id}/accept", response=TransferDetailOut, summary="接收（组织关系即时转入）")
@permission("transfers", "accept", model=Transfer, lookup="transfer_id")
def transfer_accept(request, transfer_id: int, payload: OnIn):
    return services.transfer_accept(
        actor=request.auth, transfer=_transfer(request, transfer_id), on=payload.on, note=payload.note
    )


@router.post("/{transfer_id}/return", response=TransferDetailOut, summary="退回")
@permission("transfers", "accept", model=Transfer, lookup="transfer_id")
def transfer_return(request, transfer_id: int, payload: TransferReasonIn):
    return services.transfer_return(
        actor=request.auth, transfer=_transfer(request, transfer_id), reason=payload.reason, on=payload.on
    )


@router.post("/{transfer_id}/report", response=TransferDetailOut, summary="登记报到")
@permission("transfers", "accept", model=Transfer, lookup="transfer_id")
def transfer_report(request, transfer_id: int, payload: OnIn):
    return services.transfer_report(
        actor=request.auth, transfer=_transfer(request, transfer_id), on=payload.on, note=payload.note
    )


@router.post("/{transfer_id}/cancel", response=TransferDetailOut, summary="撤销申请")
@permission("transfers", "apply", model=Transfer, lookup="transfer_id")
def transfer_cancel(request, transfer_id: int, payload: TransferReasonIn):
    return services.transfer_cancel(
        actor=request.auth, transfer=_transfer(request, transfer_id), reason=payload.reason, on=payload.on
    )
