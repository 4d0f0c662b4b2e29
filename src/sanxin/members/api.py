"""/api/v1/members: the member registry. Lists and details are scoped (people module); every write
goes through ``members.services``; the 口袋/隐形党员 flag is returned only to holders of ``people.flags``."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org, Person

from . import dues, selectors, services
from .models import Direction, Hidden, Member, Mobility, RelationKind, Standing

router = Router(tags=["党员信息库"])


class RelationOut(Schema):
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    kind: str
    source: str
    start_on: dt.date
    end_on: dt.date | None
    note: str


class MobilityOut(Schema):
    id: int
    direction: str
    host_id: int | None
    destination: str
    start_on: dt.date
    end_on: dt.date | None
    expected_return: dt.date | None
    certificate_no: str
    certificate_valid_until: dt.date | None


class MemberOut(Schema):
    id: int = Field(validation_alias="pk")
    name: str = Field(validation_alias="person.name")
    org_id: int | None = Field(validation_alias="person.org_id")
    standing: str
    joined_on: dt.date
    converted_on: dt.date | None
    status: str = Field(description="党籍状态：active 正常，suspended 停止党籍，ended 党籍终止")
    status_on: dt.date | None
    end_kind: str = Field(description="党籍终止方式（仅 ended）")
    hidden: str | None = Field(None, description="口袋/隐形党员标记：仅组织部门可见，其他人为 null")

    @staticmethod
    def resolve_hidden(obj, context):
        return obj.hidden if _sees_flags(context["request"]) else None


class MemberDetailOut(MemberOut):
    relations: list[RelationOut]
    mobilities: list[MobilityOut]

    @staticmethod
    def resolve_relations(obj):
        return list(selectors.history(obj))

    @staticmethod
    def resolve_mobilities(obj):
        return list(obj.mobilities.all())


def _sees_flags(request) -> bool:
    """Asked once per request, not once per member serialized."""
    if not hasattr(request, "_sees_member_flags"):
        request._sees_member_flags = has_permission(request.auth, "people", "flags")
    return request._sees_member_flags


class MemberQuery(Schema):
    org_id: int | None = Field(None, description="组织（含下级）")
    standing: Literal["", "probationary", "full"] = ""
    mobile: Literal["", "out", "in"] = Field("", description="当前外出或流入的党员")
    q: str = Field("", max_length=50, description="姓名或其开头几个字")
    status: Literal["", "active", "suspended", "ended", "all"] = Field(
        "", description="空=现有党员（正常和停止党籍）；all=含党籍已终止的"
    )


@router.get("/", response=list[MemberOut], summary="党员列表")
@paginate(PageNumber)
@permission("people", "view")
def member_list(request, filters: Query[MemberQuery]):
    org = scope_for(request.auth, "orgs", "view").get(Org, pk=filters.org_id) if filters.org_id else None
    return selectors.member_list(
        request.scope,
        org=org,
        standing=filters.standing,
        mobile=filters.mobile,
        q=filters.q,
        status=filters.status,
    )


# Fixed paths before "/{member_id}": the resolver tries routes in order.
class EnrolIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    resident_id: str = Field(
        min_length=1, max_length=20, description="公民身份号码（加密保存，仅显示脱敏值）"
    )
    phone: str = Field("", max_length=20)
    gender: Literal["", "M", "F"] = Field("", description="空=按身份证号码")
    ethnicity: str = Field("", max_length=10)
    education: str = Field("", max_length=16)
    household_place: str = Field("", max_length=200)
    org_id: int
    joined_on: dt.date
    standing: Literal["probationary", "full"] = Standing.PROBATIONARY
    converted_on: dt.date | None = None


@router.post("/enrol", response={201: MemberOut}, summary="登记党员（新登记人员及其党员信息）")
@permission("people", "change")
def member_enrol(request, payload: EnrolIn):
    org = _org(request, payload.org_id)
    profile = payload.dict(
        include={"name", "resident_id", "phone", "gender", "ethnicity", "education", "household_place"}
    )
    member = services.member_enrol(
        actor=request.auth,
        org=org,
        profile=profile,
        joined_on=payload.joined_on,
        standing=payload.standing,
        converted_on=payload.converted_on,
    )
    return Status(201, member)


class BulkMoveIn(Schema):
    member_ids: list[int] = Field(min_length=1, max_length=services.BULK_LIMIT)
    org_id: int
    on: dt.date
    note: str = Field("", max_length=200)


class BulkMobileOutIn(Schema):
    member_ids: list[int] = Field(min_length=1, max_length=services.BULK_LIMIT)
    on: dt.date
    destination: str = Field(min_length=1, max_length=200)
    expected_return: dt.date | None = None


class MembersBulkOut(Schema):
    count: int


def _selected(request, ids: list[int]) -> list[Member]:
    """The members named, each inside the scope (one missing or outside it: 404 for the whole request)."""
    members = list(request.scope.filter(Member.objects.select_related("person").filter(pk__in=ids)))
    if len(members) != len(set(ids)):
        raise NotFound()
    return members


@router.post("/bulk/move", response=MembersBulkOut, summary="批量调整组织关系（全部通过才生效）")
@permission("people", "change")
def members_move_bulk(request, payload: BulkMoveIn):
    members = _selected(request, payload.member_ids)
    done = services.members_move_bulk(
        actor=request.auth,
        members=members,
        org=_org(request, payload.org_id),
        on=payload.on,
        note=payload.note,
    )
    return {"count": len(done)}


@router.post("/bulk/mobile-out", response=MembersBulkOut, summary="批量登记外出（全部通过才生效）")
@permission("people", "change")
def members_mobile_out_bulk(request, payload: BulkMobileOutIn):
    members = _selected(request, payload.member_ids)
    done = services.members_mobile_out_bulk(
        actor=request.auth,
        members=members,
        on=payload.on,
        destination=payload.destination,
        expected_return=payload.expected_return,
    )
    return {"count": len(done)}


@router.get("/{member_id}", response=MemberDetailOut, summary="党员详情（含组织关系历史）")
@permission("people", "view", model=Member, lookup="member_id")
def member_detail(request, member_id: int):
    return request.scope.get(Member.objects.select_related("person"), pk=member_id)


class RegisterIn(Schema):
    person_id: int
    org_id: int
    joined_on: dt.date
    standing: Literal["probationary", "full"] = Standing.PROBATIONARY
    converted_on: dt.date | None = None
    since: dt.date | None = Field(None, description="组织关系在本组织的开始日期，默认入党日期")
    note: str = Field("", max_length=200)


@router.post("/", response={201: MemberOut}, summary="登记党员")
@permission("people", "change")
def member_register(request, payload: RegisterIn):
    person = request.scope.get(Person, pk=payload.person_id)
    org = _org(request, payload.org_id)
    member = services.member_register(
        actor=request.auth,
        person=person,
        org=org,
        joined_on=payload.joined_on,
        standing=payload.standing,
        converted_on=payload.converted_on,
        since=payload.since,
        note=payload.note,
    )
    return Status(201, member)


def _org(request, org_id: int) -> Org:
    """An org the actor may place members in (404 otherwise, as for reads)."""
    return scope_for(request.auth, "people", "change").get(Org, pk=org_id)


class MoveIn(Schema):
    org_id: int
    on: dt.date
    kind: Literal["formal", "activity"] = RelationKind.FORMAL
    note: str = Field("", max_length=200)


@router.post("/{member_id}/move", response=MemberDetailOut, summary="调整组织关系")
@permission("people", "change", model=Member, lookup="member_id")
def member_move(request, member_id: int, payload: MoveIn):
    member = request.scope.get(Member, pk=member_id)
    services.membership_move(
        actor=request.auth,
        member=member,
        org=_org(request, payload.org_id),
        on=payload.on,
        kind=payload.kind,
        note=payload.note,
    )
    return Member.objects.select_related("person").get(pk=member.pk)


class ConvertIn(Schema):
    on: dt.date


@router.post("/{member_id}/convert", response=MemberOut, summary="预备党员转正")
@permission("people", "change", model=Member, lookup="member_id")
def member_convert(request, member_id: int, payload: ConvertIn):
    member = request.scope.get(Member, pk=member_id)
    return services.member_convert(actor=request.auth, member=member, on=payload.on)


class StatusIn(Schema):
    on: dt.date
    reason: str = Field(min_length=1, max_length=200)
    document: str = Field("", max_length=60, description="决定文号")


class ExitIn(StatusIn):
    how: Literal["deceased", "withdrawn", "removed", "expelled"] = Field(
        description="deceased 去世（支部登记），withdrawn 退党、removed 除名、expelled 开除党籍（上级党委决定）"
    )


@router.post("/{member_id}/suspend", response=MemberOut, summary="停止党籍")
@permission("people", "approve", model=Member, lookup="member_id")
def member_suspend(request, member_id: int, payload: StatusIn):
    member = request.scope.get(Member, pk=member_id)
    return services.member_suspend(actor=request.auth, member=member, **payload.dict())


@router.post("/{member_id}/restore", response=MemberOut, summary="恢复党籍")
@permission("people", "approve", model=Member, lookup="member_id")
def member_restore(request, member_id: int, payload: StatusIn):
    member = request.scope.get(Member, pk=member_id)
    return services.member_restore(actor=request.auth, member=member, **payload.dict())


@router.post("/{member_id}/exit", response=MemberOut, summary="党籍终止（去世、退党、除名、开除党籍）")
@permission("people", "change", model=Member, lookup="member_id")
def member_exit(request, member_id: int, payload: ExitIn):
    """A death is recorded by the branch (``people.change``); the other endings need the committee's
    ``people.approve``, which the service checks."""
    member = request.scope.get(Member, pk=member_id)
    return services.member_exit(actor=request.auth, member=member, **payload.dict())


class MobilityIn(Schema):
    direction: Literal["out", "in"]
    on: dt.date
    destination: str = Field("", max_length=200, description="外出去向（外出必填）")
    expected_return: dt.date | None = None
    host_id: int | None = Field(None, description="流入挂靠的党组织（流入必填）")
    certificate_no: str = Field("", max_length=40, description="流动党员活动证编号")
    certificate_valid_until: dt.date | None = None


@router.post("/{member_id}/mobility", response={201: MobilityOut}, summary="登记外出或流入")
@permission("people", "change", model=Member, lookup="member_id")
def member_mobility(request, member_id: int, payload: MobilityIn):
    member = request.scope.get(Member, pk=member_id)
    if payload.direction == Direction.OUT:
        mobility = services.mobile_out(
            actor=request.auth,
            member=member,
            on=payload.on,
            destination=payload.destination,
            expected_return=payload.expected_return,
            certificate_no=payload.certificate_no,
            certificate_valid_until=payload.certificate_valid_until,
        )
    else:
        if payload.host_id is None:
            raise InvalidInput("流入须选择挂靠的党组织", field="host_id")
        mobility = services.mobile_in(
            actor=request.auth,
            member=member,
            host=_org(request, payload.host_id),
            on=payload.on,
            certificate_no=payload.certificate_no,
            certificate_valid_until=payload.certificate_valid_until,
        )
    return Status(201, mobility)


class MemberEndIn(Schema):
    on: dt.date


@router.post("/mobilities/{mobility_id}/end", response=MobilityOut, summary="登记返回或结束挂靠")
@permission("people", "change", model=Mobility, lookup="mobility_id")
def mobility_end(request, mobility_id: int, payload: MemberEndIn):
    mobility = request.scope.get(Mobility, pk=mobility_id)
    return services.mobility_end(actor=request.auth, mobility=mobility, on=payload.on)


class HiddenIn(Schema):
    hidden: Literal["", "pocket", "invisible"] = Field(
        description="pocket 口袋党员 / invisible 隐形党员 / 空=清除"
    )
    how: str = Field("", max_length=200, description="发现途径")
    on: dt.date | None = None


@router.post("/{member_id}/hidden", response=MemberOut, summary="标记口袋/隐形党员（仅组织部门）")
@permission("people", "flags", model=Member, lookup="member_id")
def member_hidden(request, member_id: int, payload: HiddenIn):
    member = request.scope.get(Member, pk=member_id)
    return services.member_flag_hidden(
        actor=request.auth,
        member=member,
        hidden=payload.hidden or Hidden.NONE,
        how=payload.how,
        on=payload.on,
    )


class DuesQuery(Schema):
    basis: Literal["salary", "pension", "flat", "rural"]
    income: str = Field("", max_length=20, description="税后月收入、月养老金或农民党员每月交纳金额（元）")


class DuesOut(Schema):
    basis: str
    income: Decimal | None
    monthly: Decimal


@router.get("/dues/calculate", response=DuesOut, summary="按规定计算每月党费")
@permission.reference()
def dues_calculate(request, params: Query[DuesQuery]):
    monthly = dues.monthly_dues(params.basis, params.income or None)
    income = dues.money(params.income) if params.income else None
    return {"basis": params.basis, "income": income, "monthly": monthly}


# --- dues (党费) -------------------------------------------------------------------------------------


class DeclarationIn(Schema):
    basis: Literal["salary", "pension", "flat", "rural"]
    amount: str = Field("", max_length=20, description="税后月收入、月养老金或农民党员每月交纳金额（元）")
    month: dt.date = Field(description="从哪个月起按此申报计算（取该月1日）")
    note: str = Field("", max_length=200)


class DeclarationOut(Schema):
    id: int
    basis: str
    amount: Decimal | None
    start_on: dt.date
    end_on: dt.date | None


@router.post("/{member_id}/declarations", response={201: DeclarationOut}, summary="申报收入（党费计算基数）")
@permission("people", "change", model=Member, lookup="member_id")
def income_declare(request, member_id: int, payload: DeclarationIn):
    member = request.scope.get(Member, pk=member_id)
    declaration = services.income_declare(
        actor=request.auth,
        member=member,
        basis=payload.basis,
        amount=payload.amount or None,
        month=payload.month,
        note=payload.note,
    )
    return Status(201, declaration)


class PaymentIn(Schema):
    month_from: dt.date
    month_to: dt.date | None = None
    amount: str = Field("", max_length=20, description="实交金额，默认等于应交金额")
    channel: Literal["cash", "wechat", "alipay", "bank", "payroll"]
    paid_on: dt.date
    receipt_no: str = Field("", max_length=40)


class PaymentOut(Schema):
    id: int
    org_id: int
    month_from: dt.date
    month_to: dt.date
    due: Decimal
    amount: Decimal
    channel: str
    paid_on: dt.date
    receipt_no: str


@router.post("/{member_id}/payments", response={201: PaymentOut}, summary="登记党费交纳")
@permission("people", "change", model=Member, lookup="member_id")
def dues_pay(request, member_id: int, payload: PaymentIn):
    member = request.scope.get(Member, pk=member_id)
    payment = services.dues_pay(
        actor=request.auth,
        member=member,
        month_from=payload.month_from,
        month_to=payload.month_to,
        amount=payload.amount or None,
        channel=payload.channel,
        paid_on=payload.paid_on,
        receipt_no=payload.receipt_no,
    )
    return Status(201, payment)


class DuesStatusOut(Schema):
    declarations: list[DeclarationOut]
    payments: list[PaymentOut]
    arrears: list[dt.date] = Field(description="欠交的月份（当月之前）")


@router.get("/{member_id}/dues", response=DuesStatusOut, summary="党费情况（申报、交纳、欠交月份）")
@permission("people", "view", model=Member, lookup="member_id")
def dues_status(request, member_id: int):
    member = request.scope.get(
        Member.objects.prefetch_related("declarations", "payments", "relations"), pk=member_id
    )
    return {
        "declarations": list(member.declarations.all()),
        "payments": list(member.payments.all()),
        "arrears": selectors.arrears(member, dt.date.today()),
    }


# --- 成长档案 ----------------------------------------------------------------------------------------


class TimelineEventOut(Schema):
    on: dt.date
    kind: str
    title: str
    detail: str
    link: str
    source: str = Field(description="提供该事件的模块来源")


class TimelineOut(Schema):
    items: list[TimelineEventOut]
    next_on_or_before: dt.date | None = Field(description="下一页的 on_or_before；为空表示没有更早的记录")


class TimelineQuery(Schema):
    on_or_before: dt.date | None = Field(None, description="只看该日及以前的事件（分页游标）")
    limit: int = Field(30, ge=1, le=200, description="每页大约条数（同一天的事件不拆页）")


@router.get("/{member_id}/timeline", response=TimelineOut, summary="成长档案（按日期倒序，游标分页）")
@permission("people", "view", model=Member, lookup="member_id")
def member_timeline(request, member_id: int, params: Query[TimelineQuery]):
    from . import timeline

    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    page = timeline.page(member, viewer=request.auth, on_or_before=params.on_or_before, limit=params.limit)
    return {"items": [e.as_dict() for e in page.events], "next_on_or_before": page.next_on_or_before}
