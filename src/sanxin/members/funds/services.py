"""Writes of the funds ledger. Each takes the acting user (None for system jobs), checks the scope
(people module, ``change``: the branch secretary for the branch, offices for their subtree),
validates, appends entries through ``core.services.model_create`` (audited) and never edits one.

An outflow (spending, an allocation to an org below, the reversal of an income) is checked inside the
transaction after locking the org's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
write transaction serialises writers), so two concurrent spendings cannot both pass the balance check.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sanxin.core import uploads
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import StoredFile
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create
from sanxin.members.dues import money, month_start
from sanxin.orgs.models import Org, OrgStatus, OrgType

from . import selectors
from .models import INFLOW_KINDS, FundCategory, FundEntry, FundKind

RECEIPT_PURPOSE = "members.funds.receipt"
RECEIPT_MAX_BYTES = 5 * uploads.MB
MAX_AMOUNT = Decimal("100000000.00")  # one entry of a party org's funds: a hundred million yuan at most

# What ``entry_record`` writes directly; allocations to an org below go through ``funds_allocate``
# (two entries together) and dues returns through ``dues_return_record`` (with their period).
RECORDABLE = (FundKind.ALLOCATION_IN, FundKind.OTHER_INCOME, FundKind.SPENDING)


def _check(actor, org: Org) -> None:
    """Out of the actor's scope is 404, as for reads. ``actor=None`` is the system."""
    if actor is not None and not scope_for(actor, "people", "change").contains(org):
        raise NotFound()


def _keeps_ledger(org: Org, field: str = "org") -> None:
    if org.status != OrgStatus.ACTIVE:
        raise RuleViolation(f"“{org.name}”已撤销或合并，不能记账", code="org_inactive", field=field)
    if org.org_type == OrgType.GROUP:
        raise RuleViolation("党小组不单独记账，请记入所在支部", code="group_no_ledger", field=field)


def _amount(value, field: str = "amount") -> Decimal:
    amount = money("" if value is None else value, field)
    if amount <= 0:
        raise InvalidInput("金额应大于零", field=field)
    if amount > MAX_AMOUNT:
        raise InvalidInput("金额过大，请核对", field=field)
    return amount


def _date(on: dt.date | None, field: str = "occurred_on") -> dt.date:
    if on is None:
        raise InvalidInput("请填写日期", field=field)
    if on > timezone.localdate():
        raise InvalidInput("日期不能晚于今天", field=field)
    return on


def _text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"最多{limit}个字", field=field)
    return value


def _lock(*orgs: Org) -> None:
    """Lock the orgs' rows in a fixed order (no deadlock between two allocations)."""
    ids = sorted({o.pk for o in orgs})
    list(Org.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _not_overdrawn(org: Org, on: dt.date, amount: Decimal, field: str = "amount") -> None:
    """``amount`` (positive) leaving the org on ``on`` must not take the balance below zero on that day
    or any later one. Call with the org's row locked."""
    available = selectors.available_on(org, on)
    if amount > available:
        raise RuleViolation(
            f"余额不足：{on:%Y-%m-%d}起可用余额为 {available} 元，不能支出 {amount} 元",
            code="insufficient_balance",
            field=field,
        )


def _receipt(actor, *, receipt: StoredFile | None, upload=None) -> StoredFile | None:
    """The receipt as a stored file: a fresh upload (checked by content and size), or a file the
    actor uploaded for this purpose and no entry uses yet."""
    if upload is not None:
        return uploads.store_uploaded_file(actor=actor, purpose_name=RECEIPT_PURPOSE, uploaded=upload)
    if receipt is None:
        return None
    mine = receipt.owner_id is None or (actor is not None and receipt.owner_id == actor.pk)
    if receipt.purpose != RECEIPT_PURPOSE or not mine:
        raise InvalidInput("凭证文件无效，请重新上传", field="receipt")
    if FundEntry.objects.filter(receipt=receipt).exists():
        raise RuleViolation("该凭证已用于另一笔支出", code="receipt_used", field="receipt")
    return receipt


@transaction.atomic
def entry_record(
    *,
    actor,
    org: Org,
    kind: str,
    amount,
    occurred_on: dt.date,
    counterpart: str = "",
    note: str = "",
    category: str = "",
    receipt: StoredFile | None = None,
    receipt_upload=None,
) -> FundEntry:
    """Append an income (党建工作经费 received from outside the tree, 其他收入) or a spending to the
    org's ledger. A spending needs its category and a receipt (an image or PDF: ``receipt_upload``,
    an uploaded file, or ``receipt``, a file stored for this purpose) and never overdraws."""
    _check(actor, org)
    _keeps_ledger(org)
    if kind not in [k.value for k in RECORDABLE]:
        if kind in FundKind.values:
            raise InvalidInput(
                "下拨下级经费请用“下拨经费”，党费返还请用“党费返还”登记", field="kind", code="wrong_form"
            )
        raise InvalidInput("请选择收支类别", field="kind")
    value = _amount(amount)
    on = _date(occurred_on)
    counterpart = _text(counterpart, 100, "counterpart")
    note = _text(note, 200, "note")
    spending = kind == FundKind.SPENDING
    if spending:
        if category not in FundCategory.values or not category:
            raise InvalidInput("请选择支出用途", field="category")
        if receipt is None and receipt_upload is None:
            raise InvalidInput("支出须上传凭证（发票、收据的照片或 PDF）", field="receipt", code="no_receipt")
    elif category:
        raise InvalidInput("只有支出需要选择用途", field="category")
    elif receipt is not None or receipt_upload is not None:
        receipt = receipt_upload = None  # an income needs no receipt; nothing is stored for it
    _lock(org)
    if spending:
        _not_overdrawn(org, on, value)
    stored = _receipt(actor, receipt=receipt, upload=receipt_upload) if spending else None
    entry = model_create(
        FundEntry,
        actor=actor,
        org=org,
        kind=kind,
        category=category if spending else "",
        amount=-value if spending else value,
        occurred_on=on,
        counterpart=counterpart,
        note=note,
        receipt=stored,
    )
    return entry


@transaction.atomic
def funds_allocate(
    *,
    actor,
    source: Org,
    target: Org,
    amount,
    occurred_on: dt.date,
    note: str = "",
) -> tuple[FundEntry, FundEntry]:
    """A committee allocates party-work funds (党建工作经费) to an org below it: the committee's outflow
    and the receiver's inflow, written together with one transfer id. The actor needs both in scope
    (an office's subtree holds both)."""
    _check(actor, source)
    _check(actor, target)
    _keeps_ledger(source, "source")
    _keeps_ledger(target, "target")
    if target.pk == source.pk or not target.path.startswith(source.path):
        raise RuleViolation("只能向本组织的下级党组织下拨经费", code="not_below", field="target")
    value = _amount(amount)
    on = _date(occurred_on)
    note = _text(note, 200, "note")
    _lock(source, target)
    _not_overdrawn(source, on, value)
    transfer = uuid.uuid4()
    out = model_create(
        FundEntry,
        actor=actor,
        org=source,
        kind=FundKind.ALLOCATION_OUT,
        amount=-value,
        occurred_on=on,
        counterpart=target.name[:100],
        note=note,
        transfer=transfer,
    )
    into = model_create(
        FundEntry,
        actor=actor,
        org=target,
        kind=FundKind.ALLOCATION_IN,
        amount=value,
        occurred_on=on,
        counterpart=source.name[:100],
        note=note,
        transfer=transfer,
    )
    return out, into


@transaction.atomic
def dues_return_record(
    *,
    actor,
    org: Org,
    period_from: dt.date,
    period_to: dt.date,
    occurred_on: dt.date,
    amount=None,
    share=None,
    counterpart: str = "",
    note: str = "",
) -> FundEntry:
    """Dues returned to the org (党费返还/下拨) for the collections of a period (whole months): by
    default the configured share of what it collected then (``selectors.dues_return_proposal``); a
    period is returned once (unless that return was reversed)."""
    _check(actor, org)
    _keeps_ledger(org)
    if period_from is None or period_to is None:
        raise InvalidInput("请填写党费所属期", field="period_from")
    first = month_start(period_from)
    last = selectors.month_end(period_to)
    if last < first:
        raise InvalidInput("所属期止不能早于所属期起", field="period_to")
    if last >= month_start(timezone.localdate()):
        raise InvalidInput("只能返还已结束月份收缴的党费", field="period_to")
    on = _date(occurred_on)
    if share is not None and share != "":
        share = money(share, "share")
        if not Decimal("0") < share <= Decimal("1"):
            raise InvalidInput("返还比例应大于0且不超过1，如 0.5", field="share")
    _lock(org)
    clash = selectors.returned_overlapping(org, first, last)
    if clash is not None:
        raise RuleViolation(
            f"{clash.period_from:%Y年%m月}至{clash.period_to:%Y年%m月}的党费已返还，所属期不能重叠",
            code="already_returned",
            field="period_from",
        )
    proposal = selectors.dues_return_proposal(org, first, last, share or None)
    value = proposal.amount if amount in (None, "") else _amount(amount)
    if value <= 0:
        raise RuleViolation("该期间没有收缴党费，无可返还金额", code="nothing_collected", field="period_from")
    if value > proposal.collected:
        raise RuleViolation(
            f"返还金额不能超过该期间收缴的党费 {proposal.collected} 元", code="over_collected", field="amount"
        )
    entry = model_create(
        FundEntry,
        actor=actor,
        org=org,
        kind=FundKind.DUES_RETURN,
        amount=value,
        occurred_on=on,
        counterpart=_text(counterpart, 100, "counterpart"),
        note=_text(note, 200, "note") or f"返还{first:%Y年%m月}至{last:%Y年%m月}收缴党费",
        period_from=first,
        period_to=last,
    )
    return entry


@transaction.atomic
def entry_reverse(
    *, actor, entry: FundEntry, reason: str, occurred_on: dt.date | None = None
) -> list[FundEntry]:
    """Correct an entry by a reversing one (same kind, opposite sign, dated ``occurred_on``, default
    today); an allocation is reversed on both sides together. Reversing an income must not overdraw."""
    entry = FundEntry.objects.select_related("org").get(pk=entry.pk)
    _check(actor, entry.org)
    reason = _text(reason, 200, "reason")
    if not reason:
        raise InvalidInput("请填写冲销原因", field="reason")
    if entry.reverses_id is not None:
        raise RuleViolation("冲销记录不能再冲销", code="is_reversal")
    group = [entry]
    if entry.transfer is not None:
        group = list(
            FundEntry.objects.select_related("org")
            .filter(transfer=entry.transfer, reverses__isnull=True)
            .order_by("pk")
        )
        for e in group:
            _check(actor, e.org)
    on = _date(occurred_on or timezone.localdate())
    if on < max(e.occurred_on for e in group):
        raise InvalidInput("冲销日期不能早于原记录日期", field="occurred_on")
    _lock(*(e.org for e in group))
    if FundEntry.objects.filter(reverses__in=group).exists():
        raise RuleViolation("该记录已冲销", code="already_reversed")
    for e in group:
        if e.amount > 0:  # reversing an income takes money out
            _not_overdrawn(e.org, on, e.amount)
    transfer = uuid.uuid4() if entry.transfer is not None else None
    out = []
    for e in group:
        out.append(
            model_create(
                FundEntry,
                actor=actor,
                action="reverse",
                org=e.org,
                kind=e.kind,
                category=e.category,
                amount=-e.amount,
                occurred_on=on,
                counterpart=e.counterpart,
                note=f"冲销：{reason}",
                period_from=e.period_from,
                period_to=e.period_to,
                transfer=transfer,
                reverses=e,
            )
        )
    return out


__all__ = [
    "INFLOW_KINDS",
    "RECEIPT_PURPOSE",
    "dues_return_record",
    "entry_record",
    "entry_reverse",
    "funds_allocate",
]
