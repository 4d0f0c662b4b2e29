"""Writes of the transfer workflow (组织关系转接). Each takes the acting user (None for system jobs),
checks the transfers scope on the org whose turn it is, applies the rules, records a dated step,
audits and publishes a domain event.

The states, and who moves a transfer on (refusals carry the stable code in brackets):

    applied ──(out-org: approve + letter)──▶ approved ──(in-org: accept)──▶ accepted ──(report)──▶ reported
       │  └──(crosses committees or leaves the platform)──▶ escalated ──(higher level: approve)──▶ approved
       └──(reject, reason)──▶ rejected            approved ──(return, reason)──▶ returned
    applied / escalated / approved ──(cancel)──▶ cancelled; ──(letter past validity, scheduled)──▶ expired

- only the org holding the transfer acts on it (``NotFound`` outside the scope of the action, as for
  reads), and only in the state that waits for it (``wrong_state``);
- a member has one open transfer at a time (``already_open``); the destination is an active branch
  other than the member's own (``same_org``, ``org_inactive``, ``not_a_branch``);
- an expired letter cannot be accepted (``letter_expired``); reasons are required for a rejection, a
  return or a cancellation (422);
- the switch happens at acceptance, atomically, through ``members.services``: ``membership_move``
  (source 转接) inside the platform, ``membership_end`` for a transfer out of the platform,
  ``mobile_out`` / ``mobile_in`` / ``mobility_end`` for the mobile kinds. Until then the member keeps
  the formal org they had. The transfer row is locked (``select_for_update``) and its state read
  again under the lock, so two secretaries accepting at once produce one move.

Events (payload ``transfer_id``, ``member_id``, ``from_org_id``, ``to_org_id``, ``on``):
``transfers.applied``, ``approved``, ``rejected``, ``escalated``, ``letter_issued``, ``accepted``,
``returned``, ``reported``, ``cancelled``, ``expired``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxin.core import audit, events
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.members import services as member_services
from sanxin.members.models import (
    Direction,
    EndKind,
    Member,
    MemberStatus,
    Mobility,
    RelationKind,
    RelationSource,
)
from sanxin.orgs.models import BRANCH_TYPES, COMMITTEE_TYPES, Org, OrgStatus

from .models import Kind, State, Transfer, TransferLetter, TransferStep

LETTER_DAYS_DEFAULT = 90


def letter_days() -> int:
    """How long a letter is valid (``TRANSFER_LETTER_DAYS`` in the settings, default 90 days)."""
    return int(getattr(settings, "TRANSFER_LETTER_DAYS", LETTER_DAYS_DEFAULT))


# --- where a transfer goes ---------------------------------------------------------------------------


def _ancestors(org: Org) -> list[str]:
    return [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]


def committee_of(org: Org) -> Org | None:
    """The nearest org of committee type above ``org``."""
    return (
        Org.objects.filter(path__in=_ancestors(org), org_type__in=COMMITTEE_TYPES).order_by("-depth").first()
    )


def approver_for(kind: str, from_org: Org, to_org: Org | None) -> Org | None:
    """The higher level whose approval is inserted, or None. A transfer inside the platform needs it
    when the nearest committees above the two sides differ: the lowest committee above both approves.
    A transfer out of the platform needs the top of the out-org's chain. Mobility keeps the formal
    relation where it is and needs none."""
    if kind in (Kind.MOBILE_OUT, Kind.MOBILE_IN):
        return None
    if kind == Kind.EXTERNAL or to_org is None:
        return Org.objects.filter(path=from_org.path[: Org.steplen]).first()
    mine, theirs = committee_of(from_org), committee_of(to_org)
    if mine is not None and theirs is not None and mine.pk == theirs.pk:
        return None
    common = set(_ancestors(from_org)) & set(_ancestors(to_org))
    return (
        Org.objects.filter(path__in=common, org_type__in=COMMITTEE_TYPES).order_by("-depth").first()
        or Org.objects.filter(path__in=common).order_by("-depth").first()
    )


def receiver_of(transfer: Transfer) -> Org:
    """Who accepts: the in-org inside the platform; for a destination outside it, the out-org records
    the receipt (回执) and the departure."""
    return transfer.to_org if transfer.to_org_id else transfer.from_org


# --- checks --------------------------------------------------------------------------------------------


def _check(actor, org: Org | None, action: str) -> None:
    """Out of the actor's scope for ``action`` is 404, as for reads. ``actor=None`` is the system."""
    if actor is None:
        return
    if org is None or not scope_for(actor, "transfers", action).contains(org):
        raise NotFound()


def _turn(actor, transfer: Transfer, org: Org | None, action: str) -> None:
    """Only the side holding the transfer acts on it. Someone who may see the transfer but is not that
    side is told so (409); anyone else gets the 404 of an object outside their scope."""
    if actor is None:
        return
    if org is not None and scope_for(actor, "transfers", action).contains(org):
        return
    if scope_for(actor, "transfers", "view").contains(transfer):
        raise RuleViolation(
            f"该转接现在由“{transfer.holder.name if transfer.holder_id else '—'}”办理，您所在组织不能办理此事项",
            code="not_holder",
        )
    raise NotFound()


def _is_member_self(actor, member: Member) -> bool:
    return actor is not None and member.person.user_id is not None and member.person.user_id == actor.pk


def _dated(on: dt.date | None, transfer: Transfer | None = None, field: str = "on") -> dt.date:
    on = on or timezone.localdate()
    if not isinstance(on, dt.date):
        raise InvalidInput("请填写日期", field=field)
    if on > timezone.localdate():
        raise InvalidInput("日期不能晚于今天", field=field)
    if transfer is not None and on < transfer.holder_since:
        raise RuleViolation(
            f"日期不能早于上一步的日期（{transfer.holder_since:%Y-%m-%d}）", code="date_order", field=field
        )
    return on


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写原因", field=field)
    if len(reason) > 200:
        raise InvalidInput("原因不能超过200字", field=field)
    return reason


def _state(transfer: Transfer, *states: str) -> None:
    if transfer.state not in states:
        raise RuleViolation(
            f"该转接当前为“{transfer.get_state_display()}”，不能办理此事项", code="wrong_state"
        )


def _lock(transfer: Transfer) -> Transfer:
    """The transfer row locked for this transaction, read again: its state is the one to trust."""
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member__person", "from_org", "to_org", "approver", "holder")
        .get(pk=transfer.pk)
    )


def _destination(kind: str, member: Member, from_org: Org, to_org: Org | None, to_name: str) -> None:
    if kind not in Kind.values:
        raise InvalidInput("请选择转接类型", field="kind")
    if kind in (Kind.OUT, Kind.MOBILE_IN) and to_org is None:
        raise InvalidInput("请选择接收组织", field="to_org")
    if kind == Kind.EXTERNAL and to_org is not None:
        raise InvalidInput("转往平台外的接收组织请填写名称和代码，不要选择平台内组织", field="to_org")
    if to_org is None and not to_name:
        raise InvalidInput("请填写接收组织名称", field="to_name")
    if to_org is not None:
        if to_org.pk == from_org.pk:
            raise RuleViolation("接收组织不能是该党员现在的组织", code="same_org", field="to_org")
        if to_org.status != OrgStatus.ACTIVE:
            raise RuleViolation(
                f"“{to_org.name}”已撤销或合并，不能接收党员", code="org_inactive", field="to_org"
            )
        if to_org.org_type not in BRANCH_TYPES:
            raise RuleViolation("接收组织须为党支部，请选择支部", code="not_a_branch", field="to_org")


def _payload(transfer: Transfer, on: dt.date) -> dict:
    return {
        "transfer_id": transfer.pk,
        "member_id": transfer.member_id,
        "from_org_id": transfer.from_org_id,
        "to_org_id": transfer.to_org_id,
        "on": on.isoformat(),
    }


def _step(transfer: Transfer, *, actor, action: str, label: str, org: Org | None, on: dt.date, note=""):
    step = TransferStep.objects.create(
        transfer=transfer,
        action=action,
        label=label,
        org=org,
        actor=actor if getattr(actor, "pk", None) else None,
        on=on,
        note=(note or "")[:200],
    )
    return step


def _publish(name: str, transfer: Transfer, step: TransferStep) -> None:
    events.publish(f"transfers.{name}", _payload(transfer, step.on), key=f"transfers.{name}:{step.pk}")


def _move_on(transfer: Transfer, *, actor, data: dict, action: str) -> Transfer:
    transfer, _ = model_update(transfer, actor=actor, data=data, action=action)
    return transfer


# --- applying ----------------------------------------------------------------------------------------------


@transaction.atomic
def transfer_apply(
    *,
    actor,
    member: Member,
    kind: str,
    reason: str,
    to_org: Org | None = None,
    to_name: str = "",
    to_code: str = "",
    on: dt.date | None = None,
) -> Transfer:
    """A member (for themself) or a secretary of the member's org applies to move the member's
    organization relation. The out-org is the member's formal org today."""
    member = Member.objects.select_for_update(of=("self",)).select_related("person").get(pk=member.pk)
    formal = (
        member.relations.filter(kind=RelationKind.FORMAL, end_on__isnull=True).select_related("org").first()
    )
    if formal is None:
        if actor is not None and not _is_member_self(actor, member):
            raise NotFound()
        raise RuleViolation("该党员的组织关系已结束", code="no_relation")
    from_org = formal.org
    if not _is_member_self(actor, member):
        _check(actor, from_org, "apply")
    if member.status == MemberStatus.SUSPENDED:
        raise RuleViolation("该党员已停止党籍，恢复党籍后方可转接组织关系", code="suspended")
    to_name, to_code = (to_name or "").strip(), (to_code or "").strip()
    if to_org is not None:
        to_name, to_code = "", ""
    if len(to_name) > 200 or len(to_code) > 40:
        raise InvalidInput("接收组织名称或代码过长", field="to_name")
    reason = _reason(reason)
    on = _dated(on)
    _destination(kind, member, from_org, to_org, to_name)
    if Transfer.objects.filter(
        member=member, state__in=[State.APPLIED, State.ESCALATED, State.APPROVED]
    ).exists():
        raise RuleViolation("该党员已有一项正在办理的组织关系转接", code="already_open")
    if (
        kind == Kind.MOBILE_OUT
        and Mobility.objects.filter(member=member, direction=Direction.OUT, end_on__isnull=True).exists()
    ):
        raise RuleViolation("该党员已登记外出，请先登记返回", code="already_out")
    transfer = model_create(
        Transfer,
        actor=actor,
        member=member,
        kind=kind,
        from_org=from_org,
        to_org=to_org,
        to_name=to_name,
        to_code=to_code,
        approver=approver_for(kind, from_org, to_org),
        holder=from_org,
        holder_since=on,
        reason=reason,
        applied_on=on,
    )
    who = "本人申请" if _is_member_self(actor, member) else "党组织代为申请"
    step = _step(transfer, actor=actor, action="apply", label="提出申请", org=from_org, on=on, note=who)
    _publish("applied", transfer, step)
    return transfer


# --- the out-org ---------------------------------------------------------------------------------------


def _letter_number(transfer: Transfer, on: dt.date) -> str:
    return f"ZJ{on:%Y}{transfer.pk:07d}"


@transaction.atomic
def transfer_approve(
    *, actor, transfer: Transfer, on: dt.date | None = None, valid_days: int | None = None, note: str = ""
) -> Transfer:
    """The out-org approves and issues the letter (介绍信). Where a higher level's approval is needed the
    transfer goes up to it; otherwise it waits for the receiving side."""
    transfer = _lock(transfer)
    _turn(actor, transfer, transfer.from_org, "approve")
    _state(transfer, State.APPLIED)
    on = _dated(on, transfer)
    days = letter_days() if valid_days is None else valid_days
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise InvalidInput("介绍信有效期应为1至365天", field="valid_days")
    letter = TransferLetter.objects.create(
        transfer=transfer,
        number=_letter_number(transfer, on),
        issued_on=on,
        valid_until=on + dt.timedelta(days=days),
        issued_by=transfer.from_org,
    )
    audit.record(actor=actor, action="letter_issue", obj=letter, after=audit.snapshot(letter))
    up = transfer.approver if transfer.approver_id else None
    nxt = State.ESCALATED if up is not None else State.APPROVED
    holder = up if up is not None else receiver_of(transfer)
    transfer = _move_on(
        transfer, actor=actor, data={"state": nxt, "holder": holder, "holder_since": on}, action="approve"
    )
    step = _step(
        transfer,
        actor=actor,
        action="approve",
        label="转出组织审批同意",
        org=transfer.from_org,
        on=on,
        note=note,
    )
    _publish("approved", transfer, step)
    letter_step = _step(
        transfer,
        actor=actor,
        action="letter",
        label="开具介绍信",
        org=transfer.from_org,
        on=on,
        note=f"{letter.number}，有效期至{letter.valid_until:%Y-%m-%d}",
    )
    _publish("letter_issued", transfer, letter_step)
    if up is not None:
        up_step = _step(
            transfer, actor=actor, action="escalate", label="报上级党组织审批", org=up, on=on, note=up.name
        )
        _publish("escalated", transfer, up_step)
    return transfer


def _close(transfer, *, actor, state, action, event, label, org, on, outcome, note=None) -> Transfer:
    """End ``transfer`` in ``state`` on ``on`` with its ``outcome`` (the reason, or why it expired): nobody
    holds it any more; the step (with ``note``, default the outcome) is recorded and the event published."""
    transfer = _move_on(
        transfer,
        actor=actor,
        data={"state": state, "holder": None, "holder_since": on, "decided_on": on, "outcome_note": outcome},
        action=action,
    )
    step = _step(
        transfer,
        actor=actor,
        action=action,
        label=label,
        org=org,
        on=on,
        note=outcome if note is None else note,
    )
    _publish(event, transfer, step)
    return transfer


@transaction.atomic
def transfer_reject(
    *, actor, transfer: Transfer, reason: str, on: dt.date | None = None, higher_level: bool | None = None
) -> Transfer:
    """The out-org (while applied) or the higher level (while escalated) refuses, with the reason.
    ``higher_level`` True or False: only that side's refusal is meant (checked on the locked row)."""
    transfer = _lock(transfer)
    if higher_level is not None:
        _state(transfer, State.ESCALATED if higher_level else State.APPLIED)
    if transfer.state == State.ESCALATED:
        _turn(actor, transfer, transfer.approver, "escalate")
        org, label = transfer.approver, "上级党组织不予批准"
    else:
        _turn(actor, transfer, transfer.from_org, "approve")
        org, label = transfer.from_org, "转出组织不予批准"
    _state(transfer, State.APPLIED, State.ESCALATED)
    return _close(
        transfer,
        actor=actor,
        state=State.REJECTED,
        action="reject",
        event="rejected",
        label=label,
        org=org,
        outcome=_reason(reason),  # the reason is checked first, then the date, as before
        on=_dated(on, transfer),
    )


# --- the higher level ------------------------------------------------------------------------------------


@transaction.atomic
def transfer_escalation_approve(
    *, actor, transfer: Transfer, on: dt.date | None = None, note: str = ""
) -> Transfer:
    """The higher level approves; the transfer goes on to the receiving side."""
    transfer = _lock(transfer)
    _turn(actor, transfer, transfer.approver, "escalate")
    _state(transfer, State.ESCALATED)
    on = _dated(on, transfer)
    transfer = _move_on(
        transfer,
        actor=actor,
        data={"state": State.APPROVED, "holder": receiver_of(transfer), "holder_since": on},
        action="escalation_approve",
    )
    step = _step(
        transfer,
        actor=actor,
        action="escalation_approve",
        label="上级党组织审批同意",
        org=transfer.approver,
        on=on,
        note=note,
    )
    _publish("approved", transfer, step)
    return transfer


# --- the receiving side --------------------------------------------------------------------------------------


def _switch(transfer: Transfer, on: dt.date) -> None:
    """The registry change, through ``members.services`` (the system acts: the transfer's own scope
    checks have passed, and the in-org has no scope over the out-org)."""
    member = transfer.member
    open_mobilities = list(Mobility.objects.filter(member=member, end_on__isnull=True).order_by("pk"))
    note = f"组织关系转接（介绍信{transfer.letter.number}）"
    if transfer.kind == Kind.OUT:
        for mobility in open_mobilities:  # back from 外出 / no longer 挂靠: the member now belongs there
            if on > mobility.start_on:
                member_services.mobility_end(actor=None, mobility=mobility, on=on)
        member_services.membership_move(
            actor=None,
            member=member,
            org=transfer.to_org,
            on=on,
            kind=RelationKind.FORMAL,
            source=RelationSource.TRANSFER,
            note=note,
        )
    elif transfer.kind == Kind.EXTERNAL:
        dest = transfer.to_name + (f"（{transfer.to_code}）" if transfer.to_code else "")
        member_services.membership_end(
            actor=None, member=member, on=on, how=EndKind.TRANSFERRED_OUT, reason=f"组织关系转往{dest}"
        )
    elif transfer.kind == Kind.MOBILE_OUT:
        member_services.mobile_out(
            actor=None,
            member=member,
            on=on,
            destination=transfer.destination,
            certificate_no=transfer.letter.number,
            certificate_valid_until=transfer.letter.valid_until if transfer.letter.valid_until > on else None,
        )
        if transfer.to_org_id:
            _mobile_in(transfer, open_mobilities, on)
    else:  # MOBILE_IN
        _mobile_in(transfer, open_mobilities, on)


def _mobile_in(transfer: Transfer, open_mobilities: list[Mobility], on: dt.date) -> None:
    for mobility in open_mobilities:
        if mobility.direction == Direction.IN:
            if on <= mobility.start_on:
                raise RuleViolation(
                    "该党员今天刚在其他组织登记挂靠，请次日再接收", code="date_order", field="on"
                )
            member_services.mobility_end(actor=None, mobility=mobility, on=on)
    member_services.mobile_in(
        actor=None,
        member=transfer.member,
        host=transfer.to_org,
        on=on,
        certificate_no=transfer.letter.number,
        certificate_valid_until=transfer.letter.valid_until if transfer.letter.valid_until > on else None,
    )


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer, on: dt.date | None = None, note: str = "") -> Transfer:
    """The in-org accepts (for a destination outside the platform, the out-org records the receipt):
    the member's relation switches now, once."""
    transfer = _lock(transfer)
    _turn(actor, transfer, receiver_of(transfer), "accept")
    _state(transfer, State.APPROVED)
    on = _dated(on, transfer)
    letter = transfer.letter
    if letter.valid_until < on:
        raise RuleViolation(
            f"介绍信已于{letter.valid_until:%Y-%m-%d}过期，不能接收，请转出组织重新办理",
            code="letter_expired",
        )
    _switch(transfer, on)
    final = State.ACCEPTED if transfer.to_org_id else State.REPORTED
    transfer = _move_on(
        transfer,
        actor=actor,
        data={
            "state": final,
            "holder": transfer.to_org if transfer.to_org_id else None,
            "holder_since": on,
            "decided_on": on,
        },
        action="accept",
    )
    label = "接收组织同意接收" if transfer.to_org_id else "收到平台外接收组织回执"
    step = _step(
        transfer, actor=actor, action="accept", label=label, org=receiver_of(transfer), on=on, note=note
    )
    _publish("accepted", transfer, step)
    if final == State.REPORTED:  # the member reported to an org outside the platform: the receipt says so
        done = _step(transfer, actor=actor, action="report", label="已到接收组织报到", org=None, on=on)
        _publish("reported", transfer, done)
    return transfer


@transaction.atomic
def transfer_return(*, actor, transfer: Transfer, reason: str, on: dt.date | None = None) -> Transfer:
    """The receiving side returns the transfer (退回) with the reason; nothing changes in the registry."""
    transfer = _lock(transfer)
    _turn(actor, transfer, receiver_of(transfer), "accept")
    _state(transfer, State.APPROVED)
    return _close(
        transfer,
        actor=actor,
        state=State.RETURNED,
        action="return",
        event="returned",
        label="接收组织退回",
        org=receiver_of(transfer),
        outcome=_reason(reason),  # the reason is checked first, then the date, as before
        on=_dated(on, transfer),
    )


@transaction.atomic
def transfer_report(*, actor, transfer: Transfer, on: dt.date | None = None, note: str = "") -> Transfer:
    """The member reported (报到) to the new org: recorded by its secretary or by the member."""
    transfer = _lock(transfer)
    if not _is_member_self(actor, transfer.member):
        _turn(actor, transfer, transfer.to_org, "accept")
    _state(transfer, State.ACCEPTED)
    on = _dated(on, transfer)
    transfer = _move_on(
        transfer,
        actor=actor,
        data={"state": State.REPORTED, "holder": None, "holder_since": on},
        action="report",
    )
    step = _step(
        transfer, actor=actor, action="report", label="到接收组织报到", org=transfer.to_org, on=on, note=note
    )
    _publish("reported", transfer, step)
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer, reason: str, on: dt.date | None = None) -> Transfer:
    """The member, or the out-org's side, withdraws a transfer that has not been accepted yet."""
    transfer = _lock(transfer)
    if not _is_member_self(actor, transfer.member):
        _turn(actor, transfer, transfer.from_org, "apply")
    _state(transfer, State.APPLIED, State.ESCALATED, State.APPROVED)
    return _close(
        transfer,
        actor=actor,
        state=State.CANCELLED,
        action="cancel",
        event="cancelled",
        label="撤销申请",
        org=transfer.from_org,
        outcome=_reason(reason),  # the reason is checked first, then the date, as before
        on=_dated(on, transfer),
    )


# --- the scheduled expiry -----------------------------------------------------------------------------------


def transfers_expire(*, today: dt.date | None = None) -> int:
    """Transfers whose letter is past its validity and that nobody accepted are closed as expired (the
    scheduled task, daily). Each in its own short transaction, its row locked and its state re-read."""
    today = today or timezone.localdate()
    ids = list(
        Transfer.objects.filter(
            state__in=[State.ESCALATED, State.APPROVED], letter__valid_until__lt=today
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            transfer = _lock(Transfer(pk=pk))
            if (
                transfer.state not in (State.ESCALATED, State.APPROVED)
                or transfer.letter.valid_until >= today
            ):
                continue
            letter = transfer.letter
            _close(
                transfer,
                actor=None,
                state=State.EXPIRED,
                action="expire",
                event="expired",
                label="介绍信过期，自动撤销",
                org=None,
                on=today,
                outcome=f"介绍信已于{letter.valid_until:%Y-%m-%d}过期",
                note=f"{letter.number}有效期至{letter.valid_until:%Y-%m-%d}",
            )
            done += 1
    return done
