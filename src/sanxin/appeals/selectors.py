"""Reads of the appeals module: the queues, a worker's own appeals, one appeal with what the viewer
may see of its author, and the 接诉即办 metrics as SQL aggregates.

Metrics (as the 12345 hotlines publish them), over the appeals received in a period, duplicates
merged into another and withdrawn ones left out:

- 响应率 = responded within the response deadline fixed at intake / received;
- 解决率 = answered (resolved or closed) / received — an appeal reopened after an unsatisfied rating
  counts again only once it is answered again;
- 满意率 = (满意 + 基本满意) / rated, the latest rating of each appeal;
- the average and the 90th percentile (nearest rank: ``PERCENTILE_DISC`` in the same grouped query on
  PostgreSQL, window functions on SQLite) of the hours to the first response and to the (latest)
  answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import connections
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from sanxin.core.query import LocalMonth, PercentileDisc, SecondsBetween, nearest_rank
from sanxin.core.scope import Scope

from .models import (
    DONE,
    OPEN,
    Appeal,
    Coordination,
    Department,
    Extension,
    ExtensionStatus,
    Hardship,
    Level,
    Rating,
    Status,
)

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


def _annotated(qs: QuerySet[Appeal], by: str | None, since: dt.datetime | None = None) -> QuerySet[Appeal]:
    if by == "region":
        qs = qs.annotate(district=Substr("region_id", 1, 6))
    elif by == "month":
        qs = qs.annotate(month=LocalMonth("received_at", since=since))
    return qs


def metrics(
    scope: Scope, *, start: dt.datetime, end: dt.datetime, by: str | None = None, percentiles: bool = True
) -> list[Figures]:
    """The figures of the appeals received in [start, end) inside ``scope``, one row per ``by`` group
    (``GROUPS``) or a single row; largest groups first."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"unknown grouping {by}")
    field = GROUPS.get(by)
    qs = _annotated(_period(scope, start, end), by, start)
    respond = SecondsBetween(F("responded_at"), F("received_at"))  # NULL until the first response
    resolve = SecondsBetween(F("resolved_at"), F("received_at"))
    done = Q(status__in=DONE)
    # No filter where NULL already leaves the row out: ``responded_at <= respond_due`` is not true, and
    # AVG and PERCENTILE_DISC skip NULLs, for an appeal not yet responded to.
    aggregates = {
        "received": Count("id"),
        "responded_in_time": Count("id", filter=Q(responded_at__lte=F("respond_due"))),
        "resolved": Count("id", filter=done),
        "rated": Count("id", filter=~Q(rating="")),
        "satisfied": Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
        "avg_respond": Avg(respond),
        "avg_resolve": Avg(resolve, filter=done),
    }
    # PostgreSQL computes the p90s in the same pass (PERCENTILE_DISC is the nearest rank); SQLite, which
    # has no percentile aggregate, ranks the rows with windows in two more queries.
    in_one = percentiles and connections[qs.db].vendor == "postgresql"
    if in_one:
        aggregates["p90_respond"] = PercentileDisc(respond, 0.9)
        aggregates["p90_resolve"] = PercentileDisc(resolve, 0.9, filter=done)
    rows = (
        list(qs.values(field).annotate(**aggregates).order_by("-received", field))
        if field
        else [qs.aggregate(**aggregates) | {None: None}]
    )
    p90_respond = p90_resolve = {}
    if percentiles and not in_one:
        base = _annotated(_period(scope, start, end), by, start)
        p90_respond = nearest_rank(base.filter(responded_at__isnull=False), respond, field, 0.9)
        p90_resolve = nearest_rank(base.filter(done), resolve, field, 0.9)

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
                p90_respond_h=hours(row["p90_respond"] if in_one else p90_respond.get(group)),
                p90_resolve_h=hours(row["p90_resolve"] if in_one else p90_resolve.get(group)),
            )
        )
    return out


# --- 困难帮扶 and 协调会 ------------------------------------------------------------------------------


def hardships(scope: Scope, *, state: str = "open", q: str = "", today: dt.date | None = None):
    """The register in scope: ``open`` (being helped), ``due`` (a follow-up due today or passed),
    ``closed``, or all; ``q`` matches the person's name. Each row carries its aid count and total."""
    qs = (
        scope.filter(Hardship.objects.all())
        .select_related("person", "org", "appeal")
        .annotate(aid_count=Count("aids"), aid_total=Sum("aids__amount"))
    )
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "due":
        qs = qs.filter(closed_on__isnull=True, follow_up_on__lte=today)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs.order_by(F("closed_on").desc(nulls_first=True), F("follow_up_on").asc(nulls_last=True), "-id")


def hardship_counts(scope: Scope, today: dt.date) -> dict:
    qs = scope.filter(Hardship.objects.all())
    return qs.aggregate(
        open=Count("pk", distinct=True, filter=Q(closed_on__isnull=True)),
        due=Count("pk", distinct=True, filter=Q(closed_on__isnull=True, follow_up_on__lte=today)),
        closed=Count("pk", distinct=True, filter=Q(closed_on__isnull=False)),
        money=Sum("aids__amount"),
    )


def coordinations(scope: Scope):
    return (
        scope.filter(Coordination.objects.all())
        .select_related("org")
        .annotate(item_count=Count("items"))
        .order_by("-held_on", "-id")
    )


def coordination_items(meeting: Coordination, scope: Scope):
    """The appeals a meeting discussed; those the viewer may not see are listed by number only."""
    items = list(meeting.items.select_related("appeal", "appeal__category").order_by("appeal__received_at"))
    visible = set(for_scope(scope).filter(pk__in=[i.appeal_id for i in items]).values_list("pk", flat=True))
    for item in items:
        item.visible = item.appeal_id in visible
    return items


# --- drill-down, ranking, hot topics, the 督办 board ---------------------------------------------------


def drill(scope: Scope, *, start: dt.datetime, end: dt.datetime, by: str, key) -> QuerySet[Appeal]:
    """The appeals behind one row of ``metrics(scope, start=start, end=end, by=by)``: the same period,
    the same counted appeals, the group's key (``None`` for the appeals without one)."""
    if by not in GROUPS or by == "month":
        raise ValueError(f"no drill-down by {by}")
    field = GROUPS[by]
    qs = _annotated(_period(scope, start, end), by, start)
    qs = qs.filter(**{f"{field}__isnull": True}) if key in (None, "") else qs.filter(**{field: key})
    return qs.select_related("category", "branch", "platform", "department", "about").order_by("-received_at")


@dataclasses.dataclass
class Ranked:
    place: int
    department: object
    figures: Figures
    score: float


def ranking_weights() -> dict[str, float]:
    return dict(settings.APPEALS_RANKING_WEIGHTS)


def department_ranking(scope: Scope, *, start: dt.datetime, end: dt.datetime) -> list[Ranked]:
    """The departments that handled appeals in the period, best first, by the weighted score of the
    three rates (``settings.APPEALS_RANKING_WEIGHTS``, after the 12345 assessments); a rate with no
    data (nothing rated yet) leaves its weight out rather than counting as zero. Ties go to the
    department that received more."""
    weights = ranking_weights()
    rows = [r for r in metrics(scope, start=start, end=end, by="department", percentiles=False) if r.key]
    departments = Department.objects.in_bulk([r.key for r in rows])
    scored = []
    for r in rows:
        rates = {
            "response": r.response_rate,
            "resolution": r.resolution_rate,
            "satisfaction": r.satisfaction_rate,
        }
        used = {k: w for k, w in weights.items() if rates.get(k) is not None}
        total = sum(used.values())
        score = round(sum(rates[k] * w for k, w in used.items()) / total, 1) if total else 0.0
        scored.append((score, r.received, r, departments.get(r.key)))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2].key))
    out, place = [], 0
    for i, (score, _received, r, dep) in enumerate(scored):
        if i == 0 or score != scored[i - 1][0]:
            place = i + 1
        out.append(Ranked(place=place, department=dep, figures=r, score=score))
    return out


@dataclasses.dataclass
class Trend:
    label: str
    this: int
    last: int

    @property
    def change(self) -> int:
        return self.this - self.last


@dataclasses.dataclass
class HotTopics:
    since: dt.datetime
    categories: list[Trend]
    terms: list[Trend]
    sampled: bool  # a week had more appeals than were read for the terms


HOT_TEXTS = 20_000  # the most recent appeals of a week whose words are counted


def _stopwords() -> frozenset[str]:
    from .classifier import DATA

    path = DATA / "stopwords.txt"
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


def hot_topics(scope: Scope, *, now: dt.datetime, top: int = 15) -> HotTopics:
    """What the appeals of the last seven days are about against the seven before: the categories
    (counted in SQL) and the most frequent words (the number of appeals using a word; jieba's words of
    two characters or more, without the stop words). Only counts leave here, never a text."""
    from collections import Counter

    from .classifier import tokenize

    this_start = now - dt.timedelta(days=7)
    last_start = now - dt.timedelta(days=14)
    qs = for_scope(scope).filter(COUNTED, received_at__gte=last_start, received_at__lt=now)
    this_week = Q(received_at__gte=this_start)
    cats = (
        qs.values("category_id", "category__name")
        .annotate(this=Count("id", filter=this_week), last=Count("id", filter=~this_week))
        .order_by("-this", "-last", "category_id")
    )
    categories = [Trend(c["category__name"] or "待分类", c["this"], c["last"]) for c in cats]
    stop = _stopwords()
    counts = {}
    sampled = False
    for name, week in (("this", qs.filter(this_week)), ("last", qs.exclude(this_week))):
        texts = list(week.order_by("-received_at").values_list("text", flat=True)[: HOT_TEXTS + 1])
        sampled |= len(texts) > HOT_TEXTS
        counter = Counter()
        for text in texts[:HOT_TEXTS]:
            counter.update({w for w in tokenize(text) if len(w) >= 2 and w not in stop and not w.isdigit()})
        counts[name] = counter
    terms = [Trend(w, n, counts["last"].get(w, 0)) for w, n in counts["this"].most_common(top)]
    return HotTopics(since=this_start, categories=categories, terms=terms, sampled=sampled)


@dataclasses.dataclass
class Board:
    open: int
    overdue: int
    supervised: int
    reopened: int
    urgent: int
    holders: list[dict]
    overdue_rows: list[Appeal]
    extensions: list


def _overdue_q(now: dt.datetime) -> Q:
    return Q(status=Status.RECEIVED, stage_due__lt=now) | Q(resolve_due__lt=now)


def board(scope: Scope, *, now: dt.datetime, rows: int = 50) -> Board:
    """The 督办 board: what is open in scope, what is overdue, each holder's load and lateness, the
    most overdue appeals, and the extensions waiting for a decision."""
    from sanxin.orgs.models import Org

    open_qs = for_scope(scope).filter(status__in=OPEN)
    late = _overdue_q(now)
    counts = open_qs.aggregate(
        open=Count("id"),
        overdue=Count("id", filter=late),
        supervised=Count("id", filter=Q(supervised_at__isnull=False)),
        reopened=Count("id", filter=Q(reopened__gt=0)),
        urgent=Count("id", filter=Q(urgent=True)),
    )
    holders = list(
        open_qs.values("level", "branch_id", "platform_id", "department_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=late),
            supervised=Count("id", filter=Q(supervised_at__isnull=False)),
        )
        .order_by("-overdue", "-open", "level")[:30]
    )
    orgs = Org.objects.in_bulk(
        {h["branch_id"] for h in holders} | {h["platform_id"] for h in holders} - {None}
    )
    departments = Department.objects.in_bulk({h["department_id"] for h in holders} - {None})
    for h in holders:
        unit = (
            departments.get(h["department_id"])
            if h["level"] == Level.DEPARTMENT
            else orgs.get(h["platform_id"] if h["level"] == Level.PLATFORM else h["branch_id"])
        )
        h["unit"] = unit.name if unit is not None else "—"
        h["level_label"] = Level(h["level"]).label
    overdue_rows = list(
        open_qs.filter(late)
        .select_related("category", "branch", "platform", "department")
        .order_by("resolve_due", "id")[:rows]
    )
    for a in overdue_rows:
        late_response = a.status == Status.RECEIVED and a.stage_due and a.stage_due < now
        a.due, a.due_label = (a.stage_due, "响应") if late_response else (a.resolve_due, "办结")
    extensions = list(
        scope.filter(Extension.objects.filter(status=ExtensionStatus.PENDING))
        .select_related("appeal", "requested_by")
        .order_by("requested_at")[:rows]
    )
    return Board(holders=holders, overdue_rows=overdue_rows, extensions=extensions, **counts)
