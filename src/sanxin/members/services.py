"""Writes of the member registry. Each takes the acting user (None for system jobs), checks the scope
(people module), validates, audits through the core services and publishes events.

``membership_move`` is the one way a member's formal or activity org changes: registration opens the
first relations, moves, merges, mobility and (later) transfers all go through it, so the periods stay
contiguous and the person's current org (``Person.org``, what scopes and pages read) follows the formal
relation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from sanxin.core import events
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, Person

from . import dues
from .models import (
    DECIDED_ENDS,
    Channel,
    Direction,
    DuesPayment,
    Employment,
    EndKind,
    Hidden,
    IncomeDeclaration,
    Member,
    MemberStatus,
    Mobility,
    OrgRelation,
    RelationKind,
    RelationSource,
    Standing,
    WorkKind,
)

MIN_AGE = 18
PROBATION_YEARS = 1


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _check(actor, org: Org, action: str = "change") -> None:
    """Out of the actor's scope is 404, as for reads. ``actor=None`` is the system."""
    if actor is not None and not scope_for(actor, "people", action).contains(org):
        raise NotFound()


def _holds_members(org: Org, field: str = "org") -> None:
    if org.status != OrgStatus.ACTIVE:
        raise RuleViolation(f"“{org.name}”已撤销或合并，不能接收党员", code="org_inactive", field=field)
    if org.org_type not in BRANCH_TYPES:
        raise RuleViolation(
            "党员的组织关系只能在党支部（含联合、临时、流动党员党支部等），请选择支部",
            code="not_a_branch",
            field=field,
        )


def _not_future(on: dt.date, field: str = "on") -> None:
    if on > timezone.localdate():
        raise InvalidInput("日期不能晚于今天", field=field)


def _open(member: Member, kind: str) -> OrgRelation | None:
    return OrgRelation.objects.filter(member=member, kind=kind, end_on__isnull=True).first()


def _formal(member: Member) -> OrgRelation:
    """The member's open formal relation; refused once the membership has ended."""
    formal = _open(member, RelationKind.FORMAL)
    if formal is None:
        raise RuleViolation("该党员的组织关系已结束", code="no_relation")
    return formal


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("person").get(pk=member.pk)


# --- registration ---------------------------------------------------------------------------------


@transaction.atomic
def member_register(
    *,
    actor,
    person: Person,
    org: Org,
    joined_on: dt.date,
    standing: str = Standing.PROBATIONARY,
    converted_on: dt.date | None = None,
    since: dt.date | None = None,
    note: str = "",
) -> Member:
    """Record that ``person`` is a member whose formal (and activity) org is ``org`` from ``since``
    (default: the join date)."""
    _check(actor, org)
    _holds_members(org)
    if Member.objects.filter(person=person).exists():
        raise RuleViolation("此人已登记为党员", code="duplicate", field="person")
    if standing not in Standing.values:
        raise InvalidInput("请选择党员类别", field="standing")
    _not_future(joined_on, "joined_on")
    if person.birth_date and joined_on < add_years(person.birth_date, MIN_AGE):
        raise RuleViolation("入党时须年满18周岁", code="too_young", field="joined_on")
    if standing == Standing.FULL:
        if converted_on is None:
            raise InvalidInput("正式党员请填写转正日期", field="converted_on")
        if converted_on < add_years(joined_on, PROBATION_YEARS):
            raise RuleViolation(
                "预备期为一年，转正日期不能早于入党满一年", code="probation", field="converted_on"
            )
        _not_future(converted_on, "converted_on")
    elif converted_on is not None:
        raise InvalidInput("预备党员没有转正日期", field="converted_on")
    since = since or joined_on
    if since < joined_on:
        raise InvalidInput("组织关系开始日期不能早于入党日期", field="since")
    _not_future(since, "since")
    member = model_create(
        Member, actor=actor, person=person, standing=standing, joined_on=joined_on, converted_on=converted_on
    )
    for kind in (RelationKind.FORMAL, RelationKind.ACTIVITY):
        model_create(
            OrgRelation,
            actor=actor,
            member=member,
            org=org,
            kind=kind,
            source=RelationSource.REGISTER,
            start_on=since,
            note=note,
        )
    _sync_person(actor, member.person, org)
    events.publish("members.registered", {"member_id": member.pk, "org_id": org.pk, "on": since.isoformat()})
    return member


def _sync_person(actor, person: Person, org: Org) -> None:
    if person.org_id != org.pk:
        model_update(person, actor=actor, data={"org": org}, action="membership_sync")


# --- the one way a member's org changes -------------------------------------------------------------


@transaction.atomic
def membership_move(
    *,
    actor,
    member: Member,
    org: Org,
    on: dt.date,
    kind: str = RelationKind.FORMAL,
    source: str = RelationSource.MOVE,
    note: str = "",
) -> OrgRelation:
    """From ``on``, ``member``'s ``kind`` org is ``org``: the open relation ends on ``on`` and the new
    one starts there. Moving the formal org moves the activity org with it, unless the member is
    挂靠 elsewhere (an open 流入). The actor needs the people scope on both orgs."""
    member = _lock(member)
    if kind not in RelationKind.values:
        raise InvalidInput("请选择关系类型", field="kind")
    if source not in RelationSource.values:
        raise InvalidInput("请选择调整原因", field="source")
    current = _open(member, kind)
    if current is None:
        raise RuleViolation("该党员的组织关系已结束，不能调整", code="no_relation")
    _check(actor, current.org)
    _check(actor, org)
    if current.org_id == org.pk:
        raise RuleViolation("该党员已在此组织", code="unchanged", field="org")
    _holds_members(org)
    _not_future(on)
    if on <= current.start_on:
        raise RuleViolation(
            f"调整日期须晚于当前关系的开始日期（{current.start_on:%Y-%m-%d}）", code="date_order", field="on"
        )
    model_update(current, actor=actor, data={"end_on": on}, action="end")
    relation = model_create(
        OrgRelation, actor=actor, member=member, org=org, kind=kind, source=source, start_on=on, note=note
    )
    if kind == RelationKind.FORMAL:
        _sync_person(actor, member.person, org)
        activity = _open(member, RelationKind.ACTIVITY)
        hosted = Mobility.objects.filter(member=member, direction=Direction.IN, end_on__isnull=True).exists()
        if activity is not None and activity.org_id == current.org_id and not hosted:
            if on > activity.start_on:
                model_update(activity, actor=actor, data={"end_on": on}, action="end")
                model_create(
                    OrgRelation,
                    actor=actor,
                    member=member,
                    org=org,
                    kind=RelationKind.ACTIVITY,
                    source=RelationSource.FOLLOW,
                    start_on=on,
                )
            else:  # it began today (a 流入 ended today): it begins at the new org instead
                model_update(activity, actor=actor, data={"org": org, "source": RelationSource.FOLLOW})
    events.publish(
        "members.moved",
        {
            "member_id": member.pk,
            "kind": kind,
            "from_org_id": current.org_id,
            "to_org_id": org.pk,
            "on": on.isoformat(),
            "source": source,
        },
    )
    return relation


def move_members_of_merged_org(actor, source: Org, target: Org, on: dt.date) -> None:
    """The merge hook (``orgs.services.register_people_mover``): the members of a merged org move to
    the merged-into org through ``membership_move`` (their activity org with them), then the 流入
    members it hosts move their activity there too. The merge checked the actor's scope on both."""
    for kind in (RelationKind.FORMAL, RelationKind.ACTIVITY):
        open_here = OrgRelation.objects.filter(org=source, kind=kind, end_on__isnull=True).select_related(
            "member__person"
        )
        for relation in open_here:
            if relation.start_on >= on:  # begun the same day: nothing to end, it begins at the target
                model_update(relation, actor=actor, data={"org": target}, action="merge")
                if kind == RelationKind.FORMAL:
                    _sync_person(actor, relation.member.person, target)
                events.publish(  # the same fact as a move on the day it began, for the ledger's history
                    "members.moved",
                    {
                        "member_id": relation.member_id,
                        "kind": kind,
                        "from_org_id": source.pk,
                        "to_org_id": target.pk,
                        "on": relation.start_on.isoformat(),
                        "source": RelationSource.MERGE,
                    },
                )
                continue
            membership_move(
                actor=None,
                member=relation.member,
                org=target,
                on=on,
                kind=kind,
                source=RelationSource.MERGE,
                note=f"{source.name}并入{target.name}",
            )
    for mobility in Mobility.objects.filter(host=source, end_on__isnull=True):
        model_update(mobility, actor=actor, data={"host": target}, action="merge")


# --- mobility (流动党员) ------------------------------------------------------------------------------


@transaction.atomic
def mobile_out(
    *,
    actor,
    member: Member,
    on: dt.date,
    destination: str,
    expected_return: dt.date | None = None,
    certificate_no: str = "",
    certificate_valid_until: dt.date | None = None,
) -> Mobility:
    """外出: the member leaves for work elsewhere; the formal org keeps the relation."""
    member = _lock(member)
    formal = _formal(member)
    _check(actor, formal.org)
    if not (destination or "").strip():
        raise InvalidInput("请填写外出去向", field="destination")
    _not_future(on)
    if on < formal.start_on:
        raise RuleViolation("外出日期不能早于组织关系开始日期", code="date_order", field="on")
    if expected_return is not None and expected_return <= on:
        raise InvalidInput("预计返回日期应晚于外出日期", field="expected_return")
    _certificate(certificate_no, certificate_valid_until, on)
    if Mobility.objects.filter(member=member, direction=Direction.OUT, end_on__isnull=True).exists():
        raise RuleViolation("该党员已登记外出，请先登记返回", code="already_out")
    mobility = model_create(
        Mobility,
        actor=actor,
        member=member,
        direction=Direction.OUT,
        start_on=on,
        destination=destination.strip(),
        expected_return=expected_return,
        certificate_no=certificate_no.strip(),
        certificate_valid_until=certificate_valid_until,
    )
    events.publish("members.mobile_out", {"member_id": member.pk, "mobility_id": mobility.pk})
    return mobility


def _certificate(number: str, valid_until: dt.date | None, on: dt.date) -> None:
    if (number or "").strip() and valid_until is None:
        raise InvalidInput("请填写流动党员活动证有效期", field="certificate_valid_until")
    if valid_until is not None and valid_until <= on:
        raise InvalidInput("活动证有效期应晚于登记日期", field="certificate_valid_until")


@transaction.atomic
def mobile_in(
    *,
    actor,
    member: Member,
    host: Org,
    on: dt.date,
    certificate_no: str = "",
    certificate_valid_until: dt.date | None = None,
) -> Mobility:
    """流入: the member takes part in organization life at ``host`` (挂靠) while the formal relation
    stays where it is. Registered by the host's side (its scope)."""
    member = _lock(member)
    formal = _formal(member)
    _check(actor, host)
    _holds_members(host, "host")
    if host.pk == formal.org_id:
        raise RuleViolation("挂靠组织不能是其组织关系所在的组织", code="same_org", field="host")
    _not_future(on)
    _certificate(certificate_no, certificate_valid_until, on)
    if Mobility.objects.filter(member=member, direction=Direction.IN, end_on__isnull=True).exists():
        raise RuleViolation("该党员已在其他组织挂靠，请先结束挂靠", code="already_in")
    mobility = model_create(
        Mobility,
        actor=actor,
        member=member,
        direction=Direction.IN,
        host=host,
        start_on=on,
        certificate_no=(certificate_no or "").strip(),
        certificate_valid_until=certificate_valid_until,
    )
    activity = _open(member, RelationKind.ACTIVITY)
    if activity is not None and activity.org_id != host.pk:
        membership_move(
            actor=None,  # the host's side registers 流入; the activity relation follows it
            member=member,
            org=host,
            on=on,
            kind=RelationKind.ACTIVITY,
            source=RelationSource.MOBILE_IN,
        )
    events.publish(
        "members.mobile_in", {"member_id": member.pk, "mobility_id": mobility.pk, "host_id": host.pk}
    )
    return mobility


@transaction.atomic
def mobility_end(*, actor, mobility: Mobility, on: dt.date) -> Mobility:
    """返回 (外出) or 结束挂靠 (流入): a 流入 member's activity org goes back to the formal org."""
    mobility = (
        Mobility.objects.select_for_update(of=("self",)).select_related("member", "host").get(pk=mobility.pk)
    )
    member = mobility.member
    formal = _open(member, RelationKind.FORMAL)
    _check(actor, mobility.host if mobility.direction == Direction.IN else formal.org)
    if mobility.end_on is not None:
        raise RuleViolation("该流动登记已结束", code="already_ended")
    _not_future(on)
    if on <= mobility.start_on:
        raise RuleViolation("结束日期应晚于开始日期", code="date_order", field="on")
    mobility, _ = model_update(mobility, actor=actor, data={"end_on": on}, action="end")
    if mobility.direction == Direction.IN and formal is not None:
        activity = _open(member, RelationKind.ACTIVITY)
        if activity is not None and activity.org_id != formal.org_id:
            membership_move(
                actor=None,
                member=member,
                org=formal.org,
                on=on,
                kind=RelationKind.ACTIVITY,
                source=RelationSource.MOBILE_END,
            )
    events.publish("members.mobility_ended", {"member_id": member.pk, "mobility_id": mobility.pk})
    return mobility


# --- standing and flags ---------------------------------------------------------------------------------


@transaction.atomic
def member_convert(*, actor, member: Member, on: dt.date) -> Member:
    """预备党员 → 正式党员, after the year of probation."""
    member = _lock(member)
    formal = _formal(member)
    _check(actor, formal.org)
    if member.standing != Standing.PROBATIONARY:
        raise RuleViolation("只有预备党员可以转正", code="not_probationary")
    _not_future(on)
    due = add_years(member.joined_on, PROBATION_YEARS)
    if on < due:
        raise RuleViolation(f"预备期为一年，{due:%Y-%m-%d}起方可转正", code="probation", field="on")
    member, _ = model_update(
        member, actor=actor, data={"standing": Standing.FULL, "converted_on": on}, action="convert"
    )
    events.publish("members.converted", {"member_id": member.pk, "on": on.isoformat()})
    return member


def _status_reason(reason: str, document: str = "") -> tuple[str, str]:
    reason, document = (reason or "").strip(), (document or "").strip()
    if not reason:
        raise InvalidInput("请填写原因", field="reason")
    if len(reason) > 200:
        raise InvalidInput("原因不超过200字", field="reason")
    if len(document) > 60:
        raise InvalidInput("文号不超过60字", field="document")
    return reason, document


def _status_date(member: Member, on: dt.date) -> None:
    _not_future(on)
    if on < member.joined_on:
        raise RuleViolation(
            f"日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）", code="date_order", field="on"
        )
    if member.status_on and on < member.status_on:
        raise RuleViolation(
            f"日期不能早于上次党籍状态变更（{member.status_on:%Y-%m-%d}）", code="date_order", field="on"
        )


def _check_status(actor, org: Org, how: str = "") -> None:
    """Who decides what: the branch records a death (people.change over its members); 停止党籍, its
    restoration and the other endings are decided by the committee above (people.approve). Someone who
    manages the member but may not decide is told so (403); anyone else gets the 404 of a row outside
    their scope."""
    if actor is None:
        return
    _check(actor, org)
    if how != EndKind.DECEASED and not scope_for(actor, "people", "approve").contains(org):
        raise PermissionDenied("停止党籍、恢复党籍、退党、除名和开除党籍须由上级党委决定并登记")


@transaction.atomic
def membership_end(
    *, actor, member: Member, on: dt.date, how: str, reason: str, document: str = ""
) -> Member:
    """The membership ends on ``on`` — ``how`` one of ``EndKind`` (the pipeline cancels a probation, an
    accepted transfer out of the platform ends the relation here, an office records a death, 退党, 除名
    or 开除党籍): the open formal and activity relations and any open mobility end there, the member's
    status becomes ended with the reason and the decision's number; the history stays. ``Person.org``
    keeps the last org. Publishes ``members.membership_ended`` with ``how``."""
    member = _lock(member)
    formal = _formal(member)
    if how not in EndKind.values:
        raise InvalidInput("请选择终止方式", field="how")
    _check_status(actor, formal.org, how)
    reason, document = _status_reason(reason, document)
    _status_date(member, on)
    relations = [r for r in (formal, _open(member, RelationKind.ACTIVITY)) if r is not None]
    for relation in relations:
        if on <= relation.start_on:
            raise RuleViolation(
                f"结束日期须晚于当前关系的开始日期（{relation.start_on:%Y-%m-%d}）",
                code="date_order",
                field="on",
            )
    for relation in relations:
        model_update(relation, actor=actor, data={"end_on": on, "note": reason[:200]}, action="end")
    for mobility in Mobility.objects.filter(member=member, end_on__isnull=True, start_on__lt=on):
        model_update(mobility, actor=actor, data={"end_on": on}, action="end")
    member, _ = model_update(
        member,
        actor=actor,
        data={
            "status": MemberStatus.ENDED,
            "status_on": on,
            "end_kind": how,
            "status_reason": reason,
            "status_document": document,
        },
        action="membership_end",
        message=EndKind(how).label,
    )
    events.publish("members.membership_ended", {"member_id": member.pk, "on": on.isoformat(), "how": how})
    return member


@transaction.atomic
def member_exit(*, actor, member: Member, on: dt.date, how: str, reason: str, document: str = "") -> Member:
    """An office's decision that ends a membership (去世, 退党, 除名, 开除党籍); the other endings come
    from their own workflows and are refused here."""
    if how not in DECIDED_ENDS:
        raise InvalidInput("请选择去世、退党、除名或开除党籍", field="how")
    return membership_end(actor=actor, member=member, on=on, how=how, reason=reason, document=document)


def _status_change(
    actor, member: Member, *, to: str, on, reason, document, action: str, event: str, check
) -> Member:
    """One change of 党籍状态 between 正常 and 停止党籍: lock, scope, the state's own rule (``check``),
    reason and date, the audited update and the ``event``."""
    member = _lock(member)
    _check_status(actor, _formal(member).org)
    check(member)
    reason, document = _status_reason(reason, document)
    _status_date(member, on)
    member, _ = model_update(
        member,
        actor=actor,
        data={"status": to, "status_on": on, "status_reason": reason, "status_document": document},
        action=action,
    )
    events.publish(event, {"member_id": member.pk, "on": on.isoformat()})
    return member


def _may_suspend(member: Member) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise RuleViolation("只有党籍正常的党员可以停止党籍", code="not_active")
    if member.standing == Standing.PROBATIONARY:
        raise RuleViolation(
            "预备党员失去联系的应取消预备党员资格，而不是停止党籍", code="probationary", field="how"
        )


def _may_restore(member: Member) -> None:
    if member.status != MemberStatus.SUSPENDED:
        raise RuleViolation("只有停止党籍的党员可以恢复党籍", code="not_suspended")


@transaction.atomic
def member_suspend(*, actor, member: Member, on: dt.date, reason: str, document: str = "") -> Member:
    """停止党籍 (a full member out of contact, decided by the branch and approved above): the member stays
    on the branch's register with their relations, but is no longer an active member — their credential
    is revoked and no transfer or new credential starts — until restored or removed."""
    return _status_change(
        actor,
        member,
        to=MemberStatus.SUSPENDED,
        on=on,
        reason=reason,
        document=document,
        action="suspend",
        event="members.suspended",
        check=_may_suspend,
    )


@transaction.atomic
def member_restore(*, actor, member: Member, on: dt.date, reason: str, document: str = "") -> Member:
    """恢复党籍: a suspended member is active again from ``on``."""
    return _status_change(
        actor,
        member,
        to=MemberStatus.ACTIVE,
        on=on,
        reason=reason,
        document=document,
        action="restore",
        event="members.restored",
        check=_may_restore,
    )


@transaction.atomic
def member_flag_hidden(
    *, actor, member: Member, hidden: str, how: str = "", on: dt.date | None = None
) -> Member:
    """Mark (or clear, with ``hidden=""``) a member as 口袋党员/隐形党员, with how they were found.
    Only the organization department's ``flags`` permission may; audited."""
    member = _lock(member)
    formal = _open(member, RelationKind.FORMAL)
    if formal is None or not scope_for(actor, "people", "flags").contains(formal.org):
        raise NotFound()
    if hidden not in Hidden.values:
        raise InvalidInput("请选择标记类型", field="hidden")
    if hidden and not (how or "").strip():
        raise InvalidInput("请填写发现途径", field="how")
    on = on or timezone.localdate()
    _not_future(on)
    data = {
        "hidden": hidden,
        "hidden_found_how": (how or "").strip() if hidden else "",
        "hidden_found_on": on if hidden else None,
    }
    member, _ = model_update(member, actor=actor, data=data, action="flag_hidden")
    return member


# --- dues (党费) -------------------------------------------------------------------------------------


@transaction.atomic
def income_declare(
    *, actor, member: Member, basis: str, amount=None, month: dt.date, note: str = ""
) -> IncomeDeclaration:
    """From ``month`` on, ``member``'s dues are computed on this declaration (the previous one ends)."""
    member = _lock(member)
    formal = _formal(member)
    _check(actor, formal.org)
    if basis not in dues.Basis.values:
        raise InvalidInput("请选择党费计算方式", field="basis")
    value = None if basis == dues.Basis.FLAT else dues.money(amount if amount is not None else "", "amount")
    dues.monthly_dues(basis, value)  # the rules' own checks (a rural amount between 0.2 and 1 yuan)
    start = dues.month_start(month)
    if start > dues.add_months(timezone.localdate(), 1):
        raise InvalidInput("申报最早可提前一个月生效", field="month")
    current = IncomeDeclaration.objects.filter(member=member, end_on__isnull=True).first()
    if current is not None:
        if start <= current.start_on:
            raise RuleViolation(
                f"新的申报须晚于现行申报的起始月份（{current.start_on:%Y年%m月}）",
                code="date_order",
                field="month",
            )
        model_update(current, actor=actor, data={"end_on": start}, action="end")
    declaration = model_create(
        IncomeDeclaration, actor=actor, member=member, basis=basis, amount=value, start_on=start, note=note
    )
    return declaration


@transaction.atomic
def dues_pay(
    *,
    actor,
    member: Member,
    month_from: dt.date,
    month_to: dt.date | None = None,
    amount=None,
    channel: str,
    paid_on: dt.date,
    receipt_no: str = "",
) -> DuesPayment:
    """Record dues paid for whole months to the member's formal org: never for a month already paid,
    never less than the rules ask (``amount`` defaults to exactly that)."""
    from . import selectors

    member = _lock(member)
    formal = _formal(member)
    _check(actor, formal.org)
    if channel not in Channel.values:
        raise InvalidInput("请选择交纳方式", field="channel")
    _not_future(paid_on, "paid_on")
    first, last = dues.month_start(month_from), dues.month_start(month_to or month_from)
    if last < first:
        raise InvalidInput("截止月份不能早于起始月份", field="month_to")
    if last > dues.add_months(dues.month_start(paid_on), 12):
        raise InvalidInput("最多预交12个月", field="month_to")
    covered = selectors.paid_months(member)
    clash = [m for m in dues.months(first, last) if m in covered]
    if clash:
        raise RuleViolation(f"{clash[0]:%Y年%m月}的党费已交纳", code="already_paid", field="month_from")
    prefetch_related_objects([member], "declarations")  # read once, not once per month
    dues_by_month = {m: selectors.due_for(member, m) for m in dues.months(first, last)}
    undeclared = [m for m, d in dues_by_month.items() if d is None]
    if undeclared:
        raise RuleViolation(
            f"{undeclared[0]:%Y年%m月}没有收入申报，请先申报收入", code="undeclared", field="month_from"
        )
    due = sum(dues_by_month.values(), Decimal("0.00"))
    paid = due if amount in (None, "") else dues.money(amount, "amount")
    if paid < due:
        raise RuleViolation(f"实交金额不能少于应交金额 {due} 元", code="underpaid", field="amount")
    payment = model_create(
        DuesPayment,
        actor=actor,
        member=member,
        org=formal.org,
        month_from=first,
        month_to=last,
        due=due,
        amount=paid,
        channel=channel,
        paid_on=paid_on,
        receipt_no=(receipt_no or "").strip(),
    )
    events.publish("members.dues_paid", {"member_id": member.pk, "payment_id": payment.pk})
    return payment


# --- employment (新就业形态) ------------------------------------------------------------------------------


def _check_person(actor, person: Person, work_region=None) -> None:
    """A person is changed by whoever holds the people scope over their org, or — for a worker who
    belongs to no org — over the region where they work."""
    if actor is None:
        return
    scope = scope_for(actor, "people", "change")
    if person.org_id is not None:
        if not scope.contains(person.org):
            raise NotFound()
    elif work_region is None or not scope.covers_place(work_region.code):
        raise NotFound()


@transaction.atomic
def employment_record(
    *,
    actor,
    person: Person,
    kind: str,
    since: dt.date,
    platform=None,
    employer_name: str = "",
    work_region=None,
    work_area: str = "",
) -> Employment:
    """``person`` works as ``kind`` for ``platform`` (a registry organization) or a named employer from
    ``since``. Several jobs may run at once (a rider on two platforms), not the same one twice."""
    _check_person(actor, person, work_region)
    if kind not in WorkKind.values:
        raise InvalidInput("请选择新就业形态", field="kind")
    employer_name = (employer_name or "").strip()
    if platform is None and not employer_name:
        raise InvalidInput("请选择平台或填写用工单位", field="employer_name")
    _not_future(since, "since")
    same = Employment.objects.filter(person=person, kind=kind, end_on__isnull=True)
    same = (
        same.filter(platform=platform) if platform is not None else same.filter(employer_name=employer_name)
    )
    if same.exists():
        raise RuleViolation("该从业情况已登记", code="duplicate")
    return model_create(
        Employment,
        actor=actor,
        person=person,
        kind=kind,
        platform=platform,
        employer_name=employer_name or (platform.name if platform is not None else ""),
        work_region=work_region,
        work_area=(work_area or "").strip(),
        start_on=since,
    )


@transaction.atomic
def employment_end(*, actor, employment: Employment, on: dt.date) -> Employment:
    employment = (
        Employment.objects.select_for_update(of=("self",))
        .select_related("person", "work_region")
        .get(pk=employment.pk)
    )
    _check_person(actor, employment.person, employment.work_region)
    if employment.end_on is not None:
        raise RuleViolation("该从业情况已结束", code="already_ended")
    _not_future(on)
    if on <= employment.start_on:
        raise RuleViolation("结束日期应晚于开始日期", code="date_order", field="on")
    employment, _ = model_update(employment, actor=actor, data={"end_on": on}, action="end")
    return employment


# --- the roster import (党员名册): a batch at a time ------------------------------------------------

# A roster row may correct these facts of a person already registered (identifiers have their own
# paths: the resident ID is the row's key, the phone is re-validated and re-indexed).
ROSTER_PROFILE = ("name", "gender", "ethnicity", "education", "household_place")


@transaction.atomic
def members_register_batch(*, actor, rows: list[dict]) -> list[str | Exception]:
    """Register a batch of roster rows (the importer's cleaned rows: the person's profile, the resident
    ID with its blind index, the phone with its own, the org, standing and dates, the work) with a few
    queries and set-oriented writes: what ``person_create`` + ``member_register`` + ``employment_record``
    do row by row, checked the same way. Per row: "created" (a new member; a person already known but
    not yet a member becomes one), "updated" (a member of the same org whose profile or phone the row
    corrects), "unchanged", or the refusal. A member whose formal org is another is refused: an org
    changes only through ``membership_move`` (the bulk move does it). One audit row per written table
    (ids as ranges) and one per corrected person; one ``members.imported`` event per batch."""
    from sanxin.core import audit, bulk
    from sanxin.core import crypto as pii
    from sanxin.core.query import in_values

    checked_orgs: dict[int, Exception | None] = {}

    def org_refusal(org: Org) -> Exception | None:
        if org.pk not in checked_orgs:
            try:
                _check(actor, org)
                _holds_members(org)
                checked_orgs[org.pk] = None
            except (NotFound, RuleViolation) as exc:
                checked_orgs[org.pk] = exc
        return checked_orgs[org.pk]

    known = {
        p["resident_id_index"]: p
        for p in Person.objects.filter(
            in_values(Person, "resident_id_index", [r["resident_id_index"] for r in rows])
        )
        .exclude(resident_id_index="")  # the unique index's condition: the lookup uses that index
        .values("pk", "org_id", "phone_index", "resident_id_index", *ROSTER_PROFILE)
        .iterator()
    }
    members = set(
        Member.objects.filter(in_values(Member, "person", [p["pk"] for p in known.values()])).values_list(
            "pk", flat=True
        )
    )
    people_scope = scope_for(actor, "people", "change") if actor is not None else None
    orgs_in_scope: dict[int, bool] = {}

    def person_in_scope(org_id: int | None) -> bool:
        if org_id is None or people_scope is None:
            return True
        if org_id not in orgs_in_scope:
            orgs_in_scope[org_id] = people_scope.filter(Org.objects.filter(pk=org_id)).exists()
        return orgs_in_scope[org_id]

    actor_id = getattr(actor, "pk", None)
    stamps = {"created_by_id": actor_id, "updated_by_id": actor_id}
    out: list[str | Exception] = []
    new_people: list[dict] = []
    new_members: list[tuple[dict, dict]] = []  # (row, person values)
    corrections: list[tuple[dict, dict, dict, str]] = []  # (person values, before, after, name)
    for row in rows:
        org = row["org"]
        refusal = org_refusal(org)
        if refusal is not None:
            out.append(refusal)
            continue
        person = known.get(row["resident_id_index"])
        if person is None:
            person = {
                "name": row["name"],
                "gender": row["gender"],
                "birth_date": row["birth_date"],
                "ethnicity": row["ethnicity"],
                "education": row["education"],
                "household_place": row["household_place"],
                "phone": row["phone"],
                "phone_index": pii.blind_index(row["phone"], purpose="phone") if row["phone"] else "",
                "resident_id": row["resident_id"],
                "resident_id_index": row["resident_id_index"],
                "org_id": org.pk,
                **stamps,
            }
            known[row["resident_id_index"]] = (
                person  # the same ID twice in a batch is the importer's row error
            )
            new_people.append(person)
            new_members.append((row, person))
            out.append("created")
            continue
        if not person_in_scope(person["org_id"]):
            out.append(RuleViolation("该公民身份号码已在其他组织登记", code="duplicate", field="resident_id"))
            continue
        is_member = person["pk"] in members
        if is_member and person["org_id"] != org.pk:
            out.append(
                RuleViolation(
                    "该党员的组织关系在其他党组织：调整组织关系请用“调整组织关系”",
                    code="other_org",
                    field="org",
                )
            )
            continue
        change = {f: row[f] for f in ROSTER_PROFILE if row[f] and row[f] != person[f]}
        phone_index = pii.blind_index(row["phone"], purpose="phone") if row["phone"] else ""
        if phone_index and phone_index != person["phone_index"]:
            change |= {"phone": row["phone"], "phone_index": phone_index}
        if not is_member:
            change["org_id"] = org.pk
            members.add(person["pk"])
            new_members.append((row, person))
        if change:
            before = {f: person[f] for f in change if f in ROSTER_PROFILE}
            after = {f: v for f, v in change.items() if f in ROSTER_PROFILE}
            if "phone" in change:
                before["phone"], after["phone"] = "（原号码）", pii.mask(row["phone"])
            values = {"id": person["pk"], **change, "updated_by_id": actor_id}
            corrections.append((values, before, after, row["name"]))
            person.update(change)
        out.append("created" if not is_member else "updated" if change else "unchanged")

    person_ids = bulk.insert(Person, new_people, ids=True)
    if corrections:
        bulk.update(Person, [c[0] for c in corrections])
    member_rows, relations, jobs = [], [], []
    for row, person in new_members:
        pk = person.get("pk") or person["id"]
        person["pk"] = pk
        member_rows.append(
            {
                "person_id": pk,
                "standing": row["standing"],
                "joined_on": row["joined_on"],
                "converted_on": row["converted_on"],
                **stamps,
            }
        )
        for kind in (RelationKind.FORMAL, RelationKind.ACTIVITY):
            relations.append(
                {
                    "member_id": pk,
                    "org_id": row["org"].pk,
                    "kind": kind,
                    "source": RelationSource.REGISTER,
                    "start_on": row["joined_on"],
                    "note": "名册导入",
                }
            )
    working = {
        (e["person_id"], e["kind"])
        for e in Employment.objects.filter(
            in_values(Employment, "person", [p["pk"] for p in known.values() if "pk" in p]),
            end_on__isnull=True,
        ).values("person_id", "kind")
    }
    today = timezone.localdate()
    for row in rows:
        person = known[row["resident_id_index"]]
        if not row.get("work_kind") or "pk" not in person or (person["pk"], row["work_kind"]) in working:
            continue
        if not (row.get("platform") or row.get("employer_name")):
            continue
        working.add((person["pk"], row["work_kind"]))
        platform = row.get("platform")
        jobs.append(
            {
                "person_id": person["pk"],
                "kind": row["work_kind"],
                "platform_id": platform.pk if platform is not None else None,
                "employer_name": row.get("employer_name") or (platform.name if platform is not None else ""),
                "work_area": row.get("work_area", ""),
                "start_on": row.get("work_since") or today,
            }
        )
    bulk.insert(Member, member_rows)
    relation_ids = bulk.insert(OrgRelation, relations, ids=True)
    job_ids = bulk.insert(Employment, jobs, ids=True)
    written = [
        (Person, person_ids),
        (Member, [m["person_id"] for m in member_rows]),
        (OrgRelation, relation_ids),
        (Employment, job_ids),
    ]
    for model, ids in written:
        if ids:
            audit.record_batch(
                actor=actor, action="import_create", model=model, ids=ids, message="党员名册导入"
            )
    audit.record_many(
        actor=actor,
        action="update",
        object_type=Person._meta.label_lower,
        entries=[(values["id"], name, before, after) for values, before, after, name in corrections],
        message="党员名册导入",
    )
    if member_rows:
        events.publish(
            "members.imported", {"member_ids": audit.id_ranges([m["person_id"] for m in member_rows])}
        )
    return out


# --- bulk actions (several members at once, all or none) -------------------------------------------

BULK_LIMIT = 500


def _bulk(actor, members: list[Member], action: str, one) -> list:
    """Apply ``one(member)`` to each member in one transaction, each through its own service (so each is
    checked and audited as if done alone); if any is refused, nothing is kept and the refusal names the
    members at fault. A summary audit row records the action and its members."""
    from sanxin.core import audit

    if not members:
        raise InvalidInput("请先勾选党员", field="members")
    if len(members) > BULK_LIMIT:
        raise InvalidInput(f"一次最多处理{BULK_LIMIT}名党员", field="members")
    out, refused = [], []
    with transaction.atomic():
        for member in members:
            try:
                with transaction.atomic():
                    out.append(one(member))
            except (InvalidInput, RuleViolation, NotFound) as exc:
                refused.append(f"{member.person.name}：{exc.message if hasattr(exc, 'message') else exc}")
        if refused:
            transaction.set_rollback(True)
        else:
            audit.record(
                actor=actor,
                action=action,
                object_type=Member._meta.label_lower,
                object_repr=f"{len(members)}名党员",
                after={"ids": audit.id_ranges([m.pk for m in members]), "count": len(members)},
            )
    if refused:
        more = f"等{len(refused)}人" if len(refused) > 3 else ""
        raise RuleViolation(
            "未作任何调整：" + "；".join(refused[:3]) + more, code="bulk_refused", field="members"
        )
    return out


def members_move_bulk(
    *, actor, members: list[Member], org: Org, on: dt.date, note: str = ""
) -> list[OrgRelation]:
    """调整组织关系 for several members to ``org`` from ``on`` (each by ``membership_move``)."""
    return _bulk(
        actor,
        members,
        "bulk_move",
        lambda m: membership_move(actor=actor, member=m, org=org, on=on, note=note),
    )


def members_mobile_out_bulk(
    *, actor, members: list[Member], on: dt.date, destination: str, expected_return: dt.date | None = None
) -> list[Mobility]:
    """登记外出 for several members (each by ``mobile_out``)."""
    return _bulk(
        actor,
        members,
        "bulk_mobile_out",
        lambda m: mobile_out(
            actor=actor, member=m, on=on, destination=destination, expected_return=expected_return
        ),
    )


@transaction.atomic
def member_enrol(
    *,
    actor,
    org: Org,
    profile: dict,
    joined_on: dt.date,
    standing: str = Standing.PROBATIONARY,
    converted_on: dt.date | None = None,
) -> Member:
    """Register a member who is not yet a person here: the person (``profile``: name, resident_id, phone,
    gender, ethnicity, education, household_place — validated, encrypted and indexed by
    ``orgs.services.person_create``) and the membership, together or not at all."""
    from sanxin.orgs import services as org_services

    _check(actor, org)
    _holds_members(org)
    person, _ = org_services.person_create(actor=actor, org=org, **profile)
    return member_register(
        actor=actor, person=person, org=org, joined_on=joined_on, standing=standing, converted_on=converted_on
    )
