"""Reads of organization life: scoped meeting lists, a member's own meetings and tasks, the rules in
force, and compliance — required vs held by kind for every branch and period, computed in SQL.

Compliance of a branch over a window [start, end) (a month, a quarter, a year):

- a *requirement* is (kind, one period of its rule that overlaps the window, the minimum count), with
  the rule in force on the first day of that period — so a later change of rules does not rewrite a
  past period — and the org types it applies to (the type's own rule, else the default);
- a requirement is *judged* in the window when its period lies inside it (a month's table judges the
  monthly rules; the quarter's and the year's are shown beside them as progress, and judged in the
  quarter's and the year's tables);
- a requirement is *met* when the branch held at least that many meetings of the kind in the period
  (for a rule with a quorum, meetings that met it); it is *missed* when its period is over and it is
  not met; otherwise it is *pending*;
- a branch is compliant (达标) for the window when every judged requirement is met, in progress
  (进行中) when none is missed but some are pending, not compliant (未达标) when one is missed.

Each requirement is one correlated ``COUNT`` subquery on the meetings' (org, day) index; the counts
of compliant branches per child of a committee are one ``GROUP BY`` over those annotations, never a
loop in Python.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus

from . import rules as r
from .models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Kind,
    MakeUp,
    Meeting,
    MeetingRule,
    MeetingStatus,
    Quorum,
    Venue,
)

# --- meetings ----------------------------------------------------------------------------------------------


def meeting_list(
    scope: Scope,
    *,
    org: Org | None = None,
    kind: str = "",
    status: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Meeting]:
    qs = scope.filter(Meeting.objects.select_related("org", "venue"))
    if org is not None:
        qs = qs.filter(prefix_q("org__path", org.path))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lt=end)
    return qs.order_by("-starts_at", "-pk")


def attendance_of(meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendances.select_related("member__person").order_by("member__person__name", "pk")


def my_attendances(user, *, upcoming: bool | None = None) -> QuerySet[Attendance]:
    """The signed-in member's meetings (any org that invited them), soonest first for upcoming ones."""
    qs = Attendance.objects.filter(member__person__user=user).select_related("meeting__org", "meeting__venue")
    now = timezone.now()
    if upcoming is True:
        return qs.filter(meeting__status=MeetingStatus.SCHEDULED, meeting__ends_at__gte=now).order_by(
            "meeting__starts_at"
        )
    if upcoming is False:
        return qs.exclude(meeting__status=MeetingStatus.SCHEDULED, meeting__ends_at__gte=now).order_by(
            "-meeting__starts_at"
        )
    return qs.order_by("-meeting__starts_at")


def my_makeups(user) -> QuerySet[MakeUp]:
    return (
        MakeUp.objects.filter(attendance__member__person__user=user)
        .select_related("attendance__meeting__org")
        .order_by("done_at", "due_on", "pk")
    )


def leave_queue(scope: Scope) -> QuerySet[Attendance]:
    """Leave requests waiting for a decision, for the orgs in the scope."""
    meetings = scope.filter(Meeting.objects.all()).values("pk")
    return (
        Attendance.objects.filter(status=AttendanceStatus.LEAVE_ASKED, meeting__in=meetings)
        .select_related("member__person", "meeting")
        .order_by("meeting__starts_at", "pk")
    )


def venues(scope: Scope) -> QuerySet[Venue]:
    return scope.filter(Venue.objects.select_related("org")).order_by("name", "pk")


def venues_for(orgs: list[Org]) -> list[Venue]:
    """The venues the given orgs may book: their own and those of the orgs above them, and public
    places (party-mass service centres, stations)."""
    paths = {o.path[:i] for o in orgs for i in range(Org.steplen, len(o.path) + 1, Org.steplen)}
    return list(
        Venue.objects.filter(active=True)
        .filter(Q(org__path__in=sorted(paths)) | Q(kind__in=["centre", "station"]))
        .select_related("org")
        .order_by("name", "pk")[:500]
    )


def counts(meeting: Meeting) -> dict:
    """Live attendance counts of one meeting (kept on the row once it is closed)."""
    rows = meeting.attendances.aggregate(
        invited=Count("pk"),
        present=Count("pk", filter=Q(status__in=ATTENDED)),
        late=Count("pk", filter=Q(status=AttendanceStatus.LATE)),
        leave_asked=Count("pk", filter=Q(status=AttendanceStatus.LEAVE_ASKED)),
        excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        made_up=Count("pk", filter=Q(status=AttendanceStatus.MADE_UP)),
        voters=Count("pk", filter=Q(voting=True)),
        present_voters=Count("pk", filter=Q(voting=True, status__in=ATTENDED)),
    )
    return rows


# --- rules -------------------------------------------------------------------------------------------------


def rule_history() -> QuerySet[MeetingRule]:
    return MeetingRule.objects.order_by("kind", "org_type", "-start_on")


# --- compliance -------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Requirement:
    key: str  # the annotation's name
    kind: str
    start: dt.date
    end: dt.date
    min_count: int
    quorum: str
    types: frozenset[str]  # the org types it applies to
    label: str
    judged: bool = True  # its period lies inside the window asked for

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


BRANCH_TYPE_NAMES = frozenset(str(t) for t in BRANCH_TYPES)  # compliance is asked of branches


def _types_for(rule: MeetingRule, all_rules: list[MeetingRule]) -> frozenset[str]:
    if rule.org_type:
        return frozenset({rule.org_type})
    own = {x.org_type for x in all_rules if x.org_type and x.kind == rule.kind}
    return frozenset(str(t) for t in BRANCH_TYPES) - own


def requirements(start: dt.date, end: dt.date) -> list[Requirement]:
    """Every (kind, period, minimum) that the window [start, end) overlaps, under the rule in force
    on each period's first day."""
    rows = list(
        MeetingRule.objects.filter(start_on__lt=end).filter(Q(end_on__isnull=True) | Q(end_on__gt=start))
    )
    out = []
    seen = set()
    for rule in rows:
        for p_start, p_end in r.periods(start, end, rule.period):
            if not rule.active_on(p_start):
                continue
            active = [x for x in rows if x.active_on(p_start)]
            types = _types_for(rule, active) & BRANCH_TYPE_NAMES
            if not types:
                continue
            key = f"req_{rule.kind}_{rule.org_type or 'all'}_{p_start:%Y%m}"
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Requirement(
                    key=key,
                    kind=rule.kind,
                    start=p_start,
                    end=p_end,
                    min_count=rule.min_count,
                    quorum=rule.quorum,
                    types=types,
                    label=r.period_label(p_start, rule.period),
                    judged=start <= p_start and p_end <= end,
                )
            )
    kinds = list(Kind.values)
    out.sort(key=lambda q: (kinds.index(q.kind), q.start, q.key))
    return out


def branches(scope: Scope, *, under: Org | None = None) -> QuerySet[Org]:
    """The active branches in scope (optionally under ``under``): those compliance is asked of."""
    qs = scope.filter(Org.objects.filter(org_type__in=BRANCH_TYPES, status=OrgStatus.ACTIVE))
    if under is not None:
        qs = qs.filter(prefix_q("path", under.path))
    return qs


def _counts(qs: QuerySet, reqs: list[Requirement], start: dt.date, end: dt.date) -> QuerySet:
    """One join of the branches with their held meetings over the requirements' span: per requirement
    the count held (``req_…``; for a rule with a quorum, the meetings that met it), and ``invited`` /
    ``present``, the sums over the window's meetings."""
    span_start = min([start, *(q.start for q in reqs)])
    span_end = max([end, *(q.end for q in reqs)])
    qs = qs.annotate(
        held=FilteredRelation(
            "meetings",
            condition=Q(
                meetings__status=MeetingStatus.HELD,
                meetings__held_on__gte=span_start,
                meetings__held_on__lt=span_end,
            ),
        )
    )
    counts = {}
    for req in reqs:
        counted = Q(held__kind=req.kind, held__held_on__gte=req.start, held__held_on__lt=req.end)
        if req.quorum != Quorum.NONE:
            counted &= Q(held__quorum_met=True)
        counts[f"{req.key}_n"] = Count("held", filter=counted)
    window = Q(held__held_on__gte=start, held__held_on__lt=end)
    return qs.annotate(
        **counts,
        invited=Coalesce(Sum("held__invited_count", filter=window), 0),
        present=Coalesce(Sum("held__present_count", filter=window), 0),
    )


def annotate_compliance(
    qs: QuerySet[Org], reqs: list[Requirement], today: dt.date, start: dt.date, end: dt.date
) -> QuerySet[Org]:
    """The branch rows of a page: ``_counts`` plus, per requirement, ``req_…`` (the count, NULL where
    it does not apply), ``missed`` (judged requirements whose period is over and not met), ``pending``
    (judged, not over, not met yet), ``required`` (judged ones that apply) and ``compliant`` (none
    missed or pending)."""
    qs = _counts(qs, reqs, start, end)
    missed_terms, pending_terms, required_terms = [], [], []
    for req in reqs:
        applies = Q(org_type__in=sorted(req.types))
        qs = qs.annotate(**{req.key: Case(When(applies, then=F(f"{req.key}_n")), default=Value(None))})
        if not req.judged:
            continue
        short = applies & Q(**{f"{req.key}_n__lt": req.min_count})
        over = req.end <= today
        (missed_terms if over else pending_terms).append(Case(When(short, then=1), default=0))
        required_terms.append(Case(When(applies, then=1), default=0))

    def total(terms):
        if not terms:
            return Value(0)
        expr = terms[0]
        for term in terms[1:]:
            expr = expr + term
        return ExpressionWrapper(expr, output_field=IntegerField())

    return qs.annotate(
        missed=total(missed_terms), pending=total(pending_terms), required=total(required_terms)
    ).annotate(compliant=ExpressionWrapper(Q(missed=0, pending=0), output_field=BooleanField()))


def _summary_sql(inner_sql: str, reqs: list[Requirement], today: dt.date) -> tuple[str, list]:
    """Group the per-branch counts by child org: each branch's missed and pending requirements from
    its counts (a requirement applies to its org types), then one GROUP BY. The ORM cannot nest an
    aggregate over aggregates, so these two levels are written here, over the ORM's own query."""
    missed, pending, params_m, params_p = [], [], [], []
    for q in reqs:
        types = sorted(q.types)
        term = f"CASE WHEN org_type IN ({', '.join(['%s'] * len(types))}) AND {q.key}_n < {int(q.min_count)} THEN 1 ELSE 0 END"
        if q.end <= today:
            missed.append(term)
            params_m += types
        else:
            pending.append(term)
            params_p += types
    sql = (
        "SELECT child, COUNT(*), SUM(CASE WHEN missed = 0 AND pending = 0 THEN 1 ELSE 0 END),"  # noqa: S608
        " SUM(CASE WHEN missed > 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN missed = 0 AND pending > 0 THEN 1 ELSE 0 END), SUM(invited), SUM(present)"
        f" FROM (SELECT child, invited, present, ({' + '.join(missed) or '0'}) AS missed,"
        f" ({' + '.join(pending) or '0'}) AS pending FROM ({inner_sql}) AS counts) AS per_branch"
        " GROUP BY child ORDER BY child"
    )
    return sql, params_m + params_p


@dataclasses.dataclass
class ComplianceTable:
    start: dt.date
    end: dt.date
    requirements: list[Requirement]
    rows: list[dict]  # per child of the org (or per branch when the org is a branch's parent)
    total: dict


def compliance(
    scope: Scope, start: dt.date, end: dt.date, *, under: Org | None = None, today: dt.date | None = None
):
    """The compliance table of the window: the branches under ``under`` grouped by the child of
    ``under`` they sit in (a branch directly under it is its own row), with totals; all counts in SQL."""
    today = today or timezone.localdate()
    reqs = requirements(start, end)
    judged = [q for q in reqs if q.judged]  # the others are progress shown per branch, not counted here
    depth = (under.depth + 1) if under is not None else 1
    # grouped by the columns it needs, not by every column of the org row
    keyed = branches(scope, under=under).values("pk", "path", "org_type")
    inner = _counts(keyed, judged, start, end).annotate(child=Substr("path", 1, depth * Org.steplen))
    inner = inner.values("child", "org_type", "invited", "present", *(f"{q.key}_n" for q in judged))
    inner_sql, inner_params = inner.query.sql_with_params()
    outer, outer_params = _summary_sql(inner_sql, judged, today)
    keys = ("child", "branches", "compliant_n", "missed_n", "pending_n", "invited_n", "present_n")
    with connection.cursor() as cur:
        cur.execute(outer, [*outer_params, *inner_params])
        rows = [
            {k: (v if k == "child" else int(v or 0)) for k, v in zip(keys, r, strict=True)}
            for r in cur.fetchall()
        ]
    orgs = {o.path: o for o in Org.objects.filter(path__in=[row["child"] for row in rows])}
    for row in rows:
        row["org"] = orgs.get(row["child"])
        row["rate"] = _pct(row["compliant_n"], row["branches"])
        row["attendance_rate"] = _pct(row["present_n"], row["invited_n"])
    total = {
        "branches": sum(x["branches"] for x in rows),
        "compliant_n": sum(x["compliant_n"] for x in rows),
        "missed_n": sum(x["missed_n"] for x in rows),
        "pending_n": sum(x["pending_n"] for x in rows),
        "invited_n": sum(x["invited_n"] or 0 for x in rows),
        "present_n": sum(x["present_n"] or 0 for x in rows),
    }
    total["rate"] = _pct(total["compliant_n"], total["branches"])
    total["attendance_rate"] = _pct(total["present_n"], total["invited_n"])
    return ComplianceTable(start=start, end=end, requirements=reqs, rows=rows, total=total)


def _pct(n, d) -> float | None:
    return round(100 * (n or 0) / d, 1) if d else None


def branch_compliance(scope: Scope, start: dt.date, end: dt.date, *, under: Org | None = None, today=None):
    """The branch-level rows (a queryset: paginate it) with each requirement's count."""
    today = today or timezone.localdate()
    reqs = requirements(start, end)
    qs = annotate_compliance(branches(scope, under=under), reqs, today, start, end)
    return reqs, qs.order_by("path")


@dataclasses.dataclass
class Cell:
    requirement: Requirement
    held: int | None
    state: str  # met / missed / pending / progress (not judged in this window) / n/a
    reason: str


def _unmet(org_ids: list[int], reqs: list[Requirement]) -> dict[int, list[tuple]]:
    """For the reasons of misses: the orgs' meetings of the requirements' span that did not count —
    cancelled, not closed, or held without their quorum — one query for all the orgs."""
    out: dict[int, list[tuple]] = {pk: [] for pk in org_ids}
    if not org_ids or not reqs:
        return out
    rows = (
        Meeting.objects.filter(
            org_id__in=org_ids,
            held_on__gte=min(q.start for q in reqs),
            held_on__lt=max(q.end for q in reqs),
        )
        .exclude(status=MeetingStatus.HELD, quorum_met=True)
        .order_by("-starts_at")
        .values_list("org_id", "kind", "held_on", "status", "quorum_met", "cancel_reason")
    )
    for org_id, *rest in rows:
        out[org_id].append(tuple(rest))
    return out


def rows_with_cells(orgs, reqs: list[Requirement], today: dt.date) -> list[tuple[Org, list[Cell]]]:
    """Branch rows (annotated by ``annotate_compliance``) with their cells, the reasons of all the
    rows' misses read in one query."""
    orgs = list(orgs)
    unmet = _unmet([o.pk for o in orgs], reqs)
    return [(org, cells(org, reqs, today, unmet[org.pk])) for org in orgs]


def cells(org: Org, reqs: list[Requirement], today: dt.date, unmet: list[tuple] | None = None) -> list[Cell]:
    """One branch's row as cells with the reason for each missed requirement; ``unmet`` is the org's
    part of ``_unmet`` (read here when not given)."""
    out = []
    for req in reqs:
        held = getattr(org, req.key, None)
        if held is None:
            out.append(Cell(req, None, "n/a", ""))
            continue
        if held >= req.min_count:
            out.append(Cell(req, held, "met", ""))
            continue
        if not req.judged:
            out.append(Cell(req, held, "progress", f"{req.label}已召开{held}次，至少{req.min_count}次"))
            continue
        if req.end > today:
            out.append(Cell(req, held, "pending", f"本周期尚需召开{req.min_count - held}次"))
            continue
        if unmet is None:
            unmet = _unmet([org.pk], reqs)[org.pk]
        out.append(Cell(req, held, "missed", _reason(req, unmet)))
    return out


def _reason(req: Requirement, unmet: list[tuple]) -> str:
    mine = [
        (status, quorum, why)
        for kind, day, status, quorum, why in unmet
        if kind == req.kind and req.start <= day < req.end
    ]
    if req.quorum != Quorum.NONE and any(s == MeetingStatus.HELD and q is False for s, q, _w in mine):
        return "已召开但到会人数未达到规定"
    cancelled = next((why for s, _q, why in mine if s == MeetingStatus.CANCELLED), None)  # the latest first
    if cancelled is not None:
        return f"会议取消：{cancelled}"
    if any(s == MeetingStatus.SCHEDULED for s, _q, _w in mine):
        return "已安排但未办结"
    return f"{req.label}未召开{req.kind_label}"


def about_to_miss(org: Org, today: dt.date, within_days: int = 10) -> list[Cell]:
    """The requirements of ``org`` whose period ends within ``within_days`` and are not met yet: the
    secretary's home card."""
    start, end = today, today + dt.timedelta(days=within_days)
    reqs = [
        dataclasses.replace(q, judged=True)
        for q in requirements(start, end)
        if q.end <= end + dt.timedelta(days=1) and q.end > today
    ]
    if not reqs:
        return []
    annotated = annotate_compliance(Org.objects.filter(pk=org.pk), reqs, today, start, end).first()
    return [c for c in cells(annotated, reqs, today) if c.state == "pending"]


def missed_branches(scope: Scope, start: dt.date, end: dt.date, *, under: Org | None = None, today=None):
    """The committee's list of branches that missed a requirement in the window."""
    reqs, qs = branch_compliance(scope, start, end, under=under, today=today)
    return reqs, qs.filter(missed__gt=0)
