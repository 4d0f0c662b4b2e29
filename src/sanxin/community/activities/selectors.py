"""Reads of community activities. Who sees what:

- a need or an activity: the members and workers whose chain (formal org, activity orgs and their
  ancestors, ``community.selectors.audience_paths``) holds its org, its proposer, and the offices whose
  ``community.view`` or ``community.activities`` scope holds it;
- the roster, the check-in code, the statistics and the teams: the offices and secretaries through
  ``community.activities`` (statistics also ``community.view``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from sanxin.core.errors import NotFound
from sanxin.core.scope import Scope, scope_for
from sanxin.orgs.models import Org

from ..selectors import audience_paths, display_name, suggestion_targets
from .models import (
    Activity,
    ActivityStatus,
    Need,
    NeedStatus,
    NeedVote,
    Participation,
    ParticipationStatus,
    Team,
    TeamMembership,
)

# A participant may check in with the code from this long before the start until the end.
CHECKIN_EARLY = dt.timedelta(minutes=30)

__all__ = ["display_name"]


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def office_scope(user) -> Scope:
    return scope_for(user, "community", "view") | scope_for(user, "community", "activities")


def manages(user, obj) -> bool:
    return scope_for(user, "community", "activities").contains(obj)


def in_audience(user, org: Org) -> bool:
    return org.path in audience_paths(user)


# --- needs --------------------------------------------------------------------------------------------


def need_targets(user) -> list[Org]:
    """The orgs ``user`` may propose a need to: every org on their chain."""
    return suggestion_targets(user)


def needs_for(user) -> QuerySet[Need]:
    if not _signed_in(user):
        return Need.objects.none()
    q = Q(proposer=user) | Q(org__path__in=audience_paths(user))
    scope = office_scope(user)
    if not scope.is_empty:
        q |= scope.q(Need)
    return (
        Need.objects.filter(q)
        .select_related("org", "proposer__person")
        .annotate(voted=Exists(NeedVote.objects.filter(need=OuterRef("pk"), user_id=user.pk)))
    )


def need_get(user, need_id: int) -> Need:
    need = needs_for(user).filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    return need


def voting_open(need: Need, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if need.status != NeedStatus.OPEN:
        return False
    if need.vote_starts and now < need.vote_starts:
        return False
    return not (need.vote_ends and now >= need.vote_ends)


def needs_to_decide(scope: Scope, *, status: str = "") -> QuerySet[Need]:
    qs = scope.filter(Need.objects.select_related("org", "proposer__person"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-votes", "-created_at", "-pk")


# --- activities ---------------------------------------------------------------------------------------


def with_counts(qs: QuerySet[Activity], user=None) -> QuerySet[Activity]:
    qs = qs.annotate(
        taken=Count("participations", filter=Q(participations__status=ParticipationStatus.SIGNED_UP)),
        waiting=Count("participations", filter=Q(participations__status=ParticipationStatus.WAITLISTED)),
    )
    if user is not None:
        mine = Participation.objects.filter(activity=OuterRef("pk"), user_id=user.pk)
        qs = qs.annotate(my_status=Subquery(mine.values("status")[:1]))
    return qs.select_related("org", "station", "team")


def activities_for(user) -> QuerySet[Activity]:
    """The activities ``user`` may read: of an org on their chain, or in their office's scope."""
    if not _signed_in(user):
        return Activity.objects.none()
    q = Q(org__path__in=audience_paths(user))
    scope = office_scope(user)
    if not scope.is_empty:
        q |= scope.q(Activity)
    return with_counts(Activity.objects.filter(q), user)


def activity_get(user, activity_id: int) -> Activity:
    activity = activities_for(user).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound()
    return activity


def upcoming(qs: QuerySet[Activity], now: dt.datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    return qs.filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now).order_by("starts_at", "pk")


def checkin_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    return activity.starts_at - CHECKIN_EARLY, activity.ends_at


def participation_of(user, activity: Activity) -> Participation | None:
    return Participation.objects.filter(activity=activity, user_id=user.pk).first()


def waitlist_position(participation: Participation) -> int:
    """1 for the first waitlisted."""
    return (
        Participation.objects.filter(
            activity_id=participation.activity_id, status=ParticipationStatus.WAITLISTED
        )
        .filter(
            Q(signed_up_at__lt=participation.signed_up_at)
            | Q(signed_up_at=participation.signed_up_at, pk__lt=participation.pk)
        )
        .count()
        + 1
    )


def managed_activities(scope: Scope, *, status: str = "") -> QuerySet[Activity]:
    qs = with_counts(scope.filter(Activity.objects.all()))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")


def roster(activity: Activity) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(activity=activity)
        .exclude(status=ParticipationStatus.CANCELLED)
        .select_related("user__person")
        .order_by("status", "signed_up_at", "pk")
    )


def my_participations(user) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(user_id=user.pk)
        .select_related("activity__org", "activity__station")
        .order_by("-activity__starts_at", "-pk")
    )


def my_hours(user) -> dict:
    """The user's credited volunteer hours: the total, and the participations that made them."""
    rows = my_participations(user).filter(hours__isnull=False)
    total = rows.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    return {"total": total, "count": rows.count(), "rows": rows}


# --- statistics ---------------------------------------------------------------------------------------


def _month_bounds(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        return None
    nxt = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine(nxt, dt.time(), tzinfo=tz),
    )


def _rate(checked: int, signed: int) -> float:
    return round(100 * checked / signed, 1) if signed else 0.0


def statistics(scope: Scope, *, month: str = "") -> dict:
    """Participation per activity and per org of the scope (activities starting in ``month``, YYYY-MM,
    or all): signed up (including those checked in), waitlisted, checked in, the check-in rate, the
    average rating and the volunteer hours credited. Cancelled activities are left out."""
    qs = scope.filter(Activity.objects.exclude(status=ActivityStatus.CANCELLED))
    bounds = _month_bounds(month) if month else None
    if bounds:
        qs = qs.filter(starts_at__gte=bounds[0], starts_at__lt=bounds[1])
    on = ParticipationStatus
    rows = list(
        qs.annotate(
            n_signed=Count("participations", filter=Q(participations__status=on.SIGNED_UP)),
            n_waiting=Count("participations", filter=Q(participations__status=on.WAITLISTED)),
            n_checked=Count("participations", filter=Q(participations__checked_in_at__isnull=False)),
            avg_rating=Avg("participations__rating"),
            n_hours=Sum("participations__hours"),
        )
        .select_related("org")
        .order_by("-starts_at", "-pk")
    )
    activities = [
        {
            "activity_id": a.pk,
            "title": a.title,
            "org_id": a.org_id,
            "org_name": a.org.name,
            "starts_at": a.starts_at,
            "month": timezone.localtime(a.starts_at).strftime("%Y-%m"),
            "signed_up": a.n_signed,
            "waitlisted": a.n_waiting,
            "checked_in": a.n_checked,
            "rate": _rate(a.n_checked, a.n_signed),
            "rating": round(a.avg_rating, 2) if a.avg_rating is not None else None,
            "hours": a.n_hours or Decimal("0"),
        }
        for a in rows
    ]
    orgs: dict[int, dict] = {}
    ratings: dict[int, list] = {}
    for a, r in zip(rows, activities, strict=True):
        o = orgs.setdefault(
            a.org_id,
            {"org_id": a.org_id, "org_name": a.org.name, "path": a.org.path, "activities": 0, "signed_up": 0,
             "waitlisted": 0, "checked_in": 0, "hours": Decimal("0")},
        )  # fmt: skip
        o["activities"] += 1
        for key in ("signed_up", "waitlisted", "checked_in", "hours"):
            o[key] += r[key]
    for org_id, (total, n) in _rating_sums(rows).items():
        ratings[org_id] = [total, n]
    org_rows = []
    for o in sorted(orgs.values(), key=lambda o: o["path"]):
        total, n = ratings.get(o["org_id"], [0, 0])
        o["rate"] = _rate(o["checked_in"], o["signed_up"])
        o["rating"] = round(total / n, 2) if n else None
        del o["path"]
        org_rows.append(o)
    totals = {
        "activities": len(activities),
        "signed_up": sum(r["signed_up"] for r in activities),
        "waitlisted": sum(r["waitlisted"] for r in activities),
        "checked_in": sum(r["checked_in"] for r in activities),
        "hours": sum((r["hours"] for r in activities), Decimal("0")),
    }
    totals["rate"] = _rate(totals["checked_in"], totals["signed_up"])
    return {"activities": activities, "orgs": org_rows, "totals": totals, "month": month if bounds else ""}


def _rating_sums(rows: list[Activity]) -> dict[int, tuple[int, int]]:
    """Per org: the sum and the number of ratings (an org's average weighs every rating alike)."""
    ids = [a.pk for a in rows]
    out: dict[int, tuple[int, int]] = {}
    if not ids:
        return out
    for r in (
        Participation.objects.filter(activity_id__in=ids, rating__isnull=False)
        .values("activity__org_id")
        .annotate(total=Sum("rating"), n=Count("pk"))
    ):
        out[r["activity__org_id"]] = (r["total"], r["n"])
    return out


# --- teams --------------------------------------------------------------------------------------------


def teams(scope: Scope) -> QuerySet[Team]:
    return (
        scope.filter(Team.objects.select_related("org"))
        .annotate(
            members=Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True),
            n_activities=Count("activities", distinct=True),
        )
        .order_by("org__path", "name")
    )


def teams_for(user) -> QuerySet[Team]:
    """The teams a person may read: of an org on their chain, or in their office's scope."""
    if not _signed_in(user):
        return Team.objects.none()
    q = Q(org__path__in=audience_paths(user))
    scope = office_scope(user)
    if not scope.is_empty:
        q |= scope.q(Team)
    return Team.objects.filter(q).select_related("org")


def team_get(user, team_id: int) -> Team:
    team = teams_for(user).filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def team_members(team: Team) -> list[dict]:
    """Every membership (current first), with the hours the member was credited in the team's
    activities."""
    hours = dict(
        Participation.objects.filter(activity__team=team, hours__isnull=False)
        .values("user_id")
        .annotate(h=Sum("hours"))
        .values_list("user_id", "h")
    )
    rows = (
        TeamMembership.objects.filter(team=team)
        .select_related("user__person")
        .order_by("left_on", "joined_on", "pk")
    )
    out = [
        {"membership": m, "name": display_name(m.user), "hours": hours.get(m.user_id, Decimal("0"))}
        for m in rows
    ]
    out.sort(key=lambda r: (r["membership"].left_on is not None, -r["hours"]))
    return out


def team_hours(team: Team) -> Decimal:
    return Participation.objects.filter(activity__team=team, hours__isnull=False).aggregate(h=Sum("hours"))[
        "h"
    ] or Decimal("0")
