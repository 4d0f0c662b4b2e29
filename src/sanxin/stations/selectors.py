"""Reads of the stations module: the nearest open stations to a point, a scope's stations, one
station with its hours for a day."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from sanxin.core.scope import Scope

from . import spatial
from .hours import DayOverride, Interval, is_open, today_label
from .models import Closure, Station, StationStatus


@dataclasses.dataclass
class Near:
    station: Station
    distance_m: float
    minutes: float
    hours_today: str

    @property
    def distance_label(self) -> str:
        d = self.distance_m
        return f"{d:.0f} 米" if d < 1000 else f"{d / 1000:.1f} 公里"


def minutes_for(distance_m: float, mode: str) -> float:
    """Estimated minutes to cover ``distance_m`` in a straight line at the mode's speed, times the
    detour factor of streets (``STATIONS_DETOUR``)."""
    kmh = settings.STATIONS_SPEEDS_KMH[mode]
    return round(distance_m * settings.STATIONS_DETOUR / (kmh * 1000 / 60), 1)


def _closures_around(day: dt.date) -> Prefetch:
    return Prefetch(
        "closures", queryset=Closure.objects.filter(on__gte=day - dt.timedelta(days=1), on__lte=day)
    )


def _weekly(s: Station) -> list[Interval]:
    return [Interval(h.weekday, h.opens, h.closes) for h in s.hours.all()]


def _overrides(s: Station) -> dict:
    return {
        c.on: DayOverride(c.on, None if c.closed else c.opens, None if c.closed else c.closes)
        for c in s.closures.all()
    }


def nearest(
    lat: float,
    lng: float,
    *,
    amenities: int = 0,
    open_at: dt.datetime | None = None,
    kinds: list[str] | None = None,
    limit: int = 5,
    mode: str = "riding",
    max_m: float | None = None,
) -> list[Near]:
    """The ``limit`` nearest stations in service that have every amenity of the mask and, when
    ``open_at`` is given, are open then (local time, the station's hours and exceptions)."""
    max_m = settings.STATIONS_NEAREST_MAX_M if max_m is None else max_m
    qs = Station.objects.filter(status=StationStatus.OPEN).only(
        "pk", "name", "kind", "lat", "lng", "address", "amenities", "status", "phone"
    )
    if amenities:
        qs = qs.alias(has=F("amenities").bitand(amenities)).filter(has=amenities)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    local = timezone.localtime(open_at) if open_at is not None else timezone.localtime()
    day = local.date()

    def accept(rows):
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(rows, "hours", _closures_around(day))
        if open_at is None:
            return rows
        return [r for r in rows if is_open(local.replace(tzinfo=None), _weekly(r), _overrides(r))]

    out = []
    for distance, s in spatial.nearest(qs, lat, lng, limit=limit, max_m=max_m, accept=accept):
        out.append(
            Near(
                s,
                round(distance, 1),
                minutes_for(distance, mode),
                today_label(day, _weekly(s), _overrides(s)),
            )
        )
    return out


def for_scope(scope: Scope) -> QuerySet[Station]:
    return scope.filter(Station.objects.all()).select_related("org", "region")


def hours_today(station: Station, day: dt.date) -> str:
    station.closures_today = list(station.closures.filter(on__gte=day - dt.timedelta(days=1), on__lte=day))
    overrides = {
        c.on: DayOverride(c.on, None if c.closed else c.opens, None if c.closed else c.closes)
        for c in station.closures_today
    }
    return today_label(day, _weekly(station), overrides)


def ledger(scope: Scope, *, kind: str = "", status: str = "", q: str = "", since: dt.datetime | None = None):
    """The stations in scope with their visits since ``since`` (default: 30 days)."""
    from django.db.models import Count, Q

    since = since or timezone.now() - dt.timedelta(days=30)
    qs = for_scope(scope).annotate(recent=Count("visits", filter=Q(visits__at__gte=since)))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("region_id", "kind", "name", "pk")


@dataclasses.dataclass
class Use:
    total: int
    by_hour: list[int]  # 0–23, local time
    by_weekday: list[int]  # Monday first
    amenities: list[tuple[str, int]]  # how often each was used


def use(station: Station, *, since: dt.datetime) -> Use:
    """A station's visits since ``since``: by hour of the day and by weekday (local time), and the
    amenities used. Counted in SQL."""
    from django.db.models import Count, Q
    from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

    from .models import Amenity

    visits = station.visits.filter(at__gte=since).order_by()
    by_hour = [0] * 24
    for row in visits.annotate(h=ExtractHour("at")).values("h").annotate(n=Count("pk")):
        by_hour[row["h"]] = row["n"]
    by_weekday = [0] * 7
    for row in visits.annotate(d=ExtractIsoWeekDay("at")).values("d").annotate(n=Count("pk")):
        by_weekday[row["d"] - 1] = row["n"]
    bits = [a for a in Amenity if station.amenities & a.value]
    used = visits.alias(**{f"b{a.value}": F("used").bitand(a.value) for a in bits}).aggregate(
        **{f"a{a.value}": Count("pk", filter=Q(**{f"b{a.value}": a.value})) for a in bits}
    )
    amenities = [(str(a.label), used[f"a{a.value}"]) for a in bits]
    return Use(sum(by_hour), by_hour, by_weekday, amenities)
