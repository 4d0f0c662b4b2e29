"""Reads of the transfer workflow: scoped lists, the queues of each side (what waits for me), a
member's own transfers, the office's overdue steps in working days."""

from __future__ import annotations

import bisect
import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from sanxin.core import workdays
from sanxin.core.scope import Scope, scope_for
from sanxin.orgs.models import Org

from .models import WAITING, State, Transfer, TransferStep

OVERDUE_DAYS = 5  # working days a side may hold a transfer before the office's overdue view lists it

# Which side acts in which state, and through which matrix action.
QUEUES = {
    "approve": ("转出组织审批", State.APPLIED, "approve"),
    "escalate": ("上级党组织审批", State.ESCALATED, "escalate"),
    "accept": ("接收", State.APPROVED, "accept"),
    "report": ("待报到", State.ACCEPTED, "accept"),
}


def _base() -> QuerySet:
    return Transfer.objects.select_related(
        "member__person", "from_org", "to_org", "approver", "holder", "letter"
    )


def transfer_list(scope: Scope, *, state: str = "", kind: str = "", q: str = "", org: Org | None = None):
    qs = scope.filter(_base())
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(member__person__name__contains=q) | Q(to_name__contains=q))
    if org is not None:
        qs = qs.filter(Q(from_org=org) | Q(to_org=org) | Q(holder=org))
    return qs.order_by("-applied_on", "-pk")


def queue(user, which: str) -> QuerySet:
    """The transfers waiting for ``user``'s side: held by an org in the user's scope for the action."""
    _label, state, action = QUEUES[which]
    scope = scope_for(user, "transfers", action)
    if scope.is_empty:
        return Transfer.objects.none()
    held = scope.filter(Org.objects.all()).values("pk")
    return _base().filter(state=state, holder__in=held).order_by("holder_since", "pk")


def queues(user) -> list[tuple[str, str, QuerySet]]:
    return [(key, label, queue(user, key)) for key, (label, _s, _a) in QUEUES.items()]


def waiting_count(user) -> int:
    return sum(qs.count() for _k, _l, qs in queues(user))


def mine(user) -> QuerySet:
    """The signed-in member's own transfers (newest first)."""
    return _base().filter(member__person__user=user).order_by("-applied_on", "-pk")


def steps(transfer: Transfer) -> list[TransferStep]:
    return list(transfer.steps.select_related("org", "actor").order_by("on", "pk"))


class WorkdayCounter:
    """Working days between dates for many rows with one calendar read."""

    def __init__(self, start: dt.date, end: dt.date):
        self.end = end
        days = []
        day = start
        while day <= end:
            days.append(day)
            day += dt.timedelta(days=1)
        overrides = workdays._overrides(start, end)
        self.workdays = [d for d in days if workdays._is_workday(d, overrides)]

    def since(self, start: dt.date) -> int:
        """Working days in (start, end]."""
        return len(self.workdays) - bisect.bisect_right(self.workdays, start)


def overdue(scope: Scope, *, days: int = OVERDUE_DAYS, today: dt.date | None = None) -> QuerySet:
    """Transfers held longer than ``days`` working days by whoever holds them now."""
    today = today or timezone.localdate()
    cutoff = workdays.add_working_days(today, -days)
    return (
        scope.filter(_base())
        .filter(state__in=WAITING, holder__isnull=False, holder_since__lt=cutoff)
        .order_by("holder_since", "pk")
    )


def with_waited(rows, today: dt.date | None = None) -> list:
    """Annotate each transfer with ``waited`` (working days since ``holder_since``)."""
    rows = list(rows)
    if not rows:
        return rows
    today = today or timezone.localdate()
    counter = WorkdayCounter(min(r.holder_since for r in rows), today)
    for r in rows:
        r.waited = counter.since(r.holder_since)
    return rows
