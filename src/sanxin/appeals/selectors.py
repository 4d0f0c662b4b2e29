"""Reads of the appeals module: the queues, a worker's own appeals, one appeal with what the viewer
may see of its author, and the 接诉即办 metrics as SQL aggregates.

Metrics (as the 12345 hotlines publish them), over the appeals received in a period, duplicates
merged into another and withdrawn ones left out:

- 响应率 = responded within the response deadline fixed at intake / received;
- 解决率 = answered (resolved or closed) / received — an appeal reopened after an unsatisfied rating
  counts again only once it is answered again;
- 满意率 = (满意 + 基本满意) / rated, the latest rating of each appeal;
- the average and the 90th percentile (nearest rank, window functions) of the hours to the first
  response and to the (latest) answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Substr, TruncMonth

from sanxin.core.query import SecondsBetween, nearest_rank
from sanxin.core.scope import Scope

from .models import DONE, OPEN, Appeal, Level, Rating, Status

COUNTED = ~Q(status__in=[Status.MERGED, Status.WITHDRAWN])
GROUPS = {
    "category": "category_id",
    "department": "department_id",
    "platform": "about_hq_id",
    "region": "district",
    "level": "level",
    "month": "month",
}


def for_scope(scope: Scope) -> QuerySet[Appeal]:
    return scope.filter(Appeal.objects.all())


def queue(
    scope: Scope, *, status: str | None = None, level: str | None = None, overdue: bool = False, now=None
):
    qs = for_scope(scope).select_related("category", "branch", "platform", "department", "about")
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if overdue and now is not None:
        qs = qs.filter(Q(status=Status.RECEIVED, stage_due__lt=now) | Q(status__in=OPEN, resolve_due__lt=now))
    return qs.order_by("resolve_due", "id")


def unclassified(scope: Scope) -> QuerySet[Appeal]:
    return for_scope(scope).filter(category__isnull=True, status__in=OPEN).select_related("suggested")


def mine(user) -> QuerySet[Appeal]:
    from .services import owner_index

    return (
        Appeal.objects.filter(Q(submitter=user) | Q(owner_index=owner_index(user)))
        .select_related("category")
        .order_by("-received_at")
    )


def public_steps(appeal: Appeal):
    from .models import PUBLIC_ACTIONS

    return appeal.steps.filter(action__in=PUBLIC_ACTIONS).order_by("at", "id")


def contact_visible(appeal: Appeal, user) -> bool:
    """Whether ``user`` may see the author's name and phone: never for an anonymous appeal; for the
    holder's people only when the appeal needs contact (a call back, a visit); never for a platform's
    group unless the worker agreed."""
    from . import routing

    if appeal.anonymous or not appeal.needs_contact:
        return False
    if appeal.level == Level.PLATFORM and not appeal.consent_platform:
        return False
    return routing.is_handler(user, appeal)


# --- metrics ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Figures:
    key: object
    received: int
    responded_in_time: int
    resolved: int
    rated: int
    satisfied: int
    avg_respond_h: float | None
    avg_resolve_h: float | None
    p90_respond_h: float | None = None
    p90_resolve_h: float | None = None

    @staticmethod
    def _rate(a: int, b: int) -> float | None:
        return round(100.0 * a / b, 1) if b else None

    @property
    def response_rate(self):
        return self._rate(self.responded_in_time, self.received)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved, self.received)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)


def _period(scope: Scope, start: dt.datetime, end: dt.datetime) -> QuerySet[Appeal]:
    return for_scope(scope).filter(COUNTED, received_at__gte=start, received_at__lt=end)


def _annotated(qs: QuerySet[Appeal], by: str | None) -> QuerySet[Appeal]:
    if by == "region":
        qs = qs.annotate(district=Substr("region_id", 1, 6))
    elif by == "month":
        qs = qs.annotate(month=TruncMonth("received_at"))
    return qs


def metrics(
    scope: Scope, *, start: dt.datetime, end: dt.datetime, by: str | None = None, percentiles: bool = True
) -> list[Figures]:
    """The figures of the appeals received in [start, end) inside ``scope``, one row per ``by`` group
    (``GROUPS``) or a single row; largest groups first."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"unknown grouping {by}")
    field = GROUPS.get(by)
    qs = _annotated(_period(scope, start, end), by)
    respond = SecondsBetween(F("responded_at"), F("received_at"))
    resolve = SecondsBetween(F("resolved_at"), F("received_at"))
    aggregates = {
        "received": Count("id"),
        "responded_in_time": Count(
            "id", filter=Q(responded_at__isnull=False, responded_at__lte=F("respond_due"))
        ),
        "resolved": Count("id", filter=Q(status__in=DONE)),
        "rated": Count("id", filter=~Q(rating="")),
        "satisfied": Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
        "avg_respond": Avg(respond, filter=Q(responded_at__isnull=False)),
        "avg_resolve": Avg(resolve, filter=Q(status__in=DONE)),
    }
    rows = (
        list(qs.values(field).annotate(**aggregates).order_by("-received", field))
        if field
        else [qs.aggregate(**aggregates) | {None: None}]
    )
    p90_respond = p90_resolve = {}
    if percentiles:
        base = _annotated(_period(scope, start, end), by)
        p90_respond = nearest_rank(base.filter(responded_at__isnull=False), respond, field, 0.9)
        p90_resolve = nearest_rank(base.filter(status__in=DONE), resolve, field, 0.9)

    def hours(seconds):
        return round(seconds / 3600.0, 1) if seconds is not None else None

    out = []
    for row in rows:
        key = row.get(field) if field else None
        group = key if field else ""
        out.append(
            Figures(
                key=key,
                received=row["received"] or 0,
                responded_in_time=row["responded_in_time"] or 0,
                resolved=row["resolved"] or 0,
                rated=row["rated"] or 0,
                satisfied=row["satisfied"] or 0,
                avg_respond_h=hours(row["avg_respond"]),
                avg_resolve_h=hours(row["avg_resolve"]),
                p90_respond_h=hours(p90_respond.get(group)),
                p90_resolve_h=hours(p90_resolve.get(group)),
            )
        )
    return out
