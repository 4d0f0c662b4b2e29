"""Reads of the stations module: the nearest open stations to a point, a scope's stations, one
station with its hours for a day."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict, namedtuple

from django.conf import settings
from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from sanxin.core.scope import Scope

from . import spatial
from .hours import Interval, is_open, overrides, today_label, weekly
from .models import Closure, Hours, Shift, ShiftStatus, Station, StationStatus


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


def week_of(s: Station) -> list[Interval]:
    return weekly(s.hours.all())


def overrides_of(s: Station) -> dict:
    return overrides(s.closures.all())


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
    local = timezone.localtime(open_at) if open_at is not None else timezone.localtime()
    day = local.date()
    qs = Station.objects.filter(status=StationStatus.OPEN)
    if amenities:
        qs = qs.alias(has=F("amenities").bitand(amenities)).filter(has=amenities)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    # The search reads tuples, as many as the disks it widens through hold, and builds instances only
    # of the stations it returns. Whether a station has a closure on the day or the day before rides
    # along, so that closures are read only for the few stations that have one.
    odd = Closure.objects.filter(station=OuterRef("pk"), on__gte=day - dt.timedelta(days=1), on__lte=day)
    qs = qs.annotate(odd=Exists(odd))
    weeks: dict[int, tuple[list[Interval], dict]] = {}  # the week and the exceptions of those asked about

    def read_hours(rows) -> None:
        pks = [r[0] for r in rows]
        hours, days = defaultdict(list), defaultdict(list)
        for h in _hours_of(pks):
            hours[h.station_id].append(h)
        if odd_pks := [r[0] for r in rows if r[3]]:
            for c in (
                Closure.objects.filter(
                    station_id__in=odd_pks, on__gte=day - dt.timedelta(days=1), on__lte=day
                )
                .order_by()
                .values_list("station_id", "on", "closed", "opens", "closes", named=True)
            ):
                days[c.station_id].append(c)
        for pk in pks:
            weeks[pk] = (weekly(hours[pk]), overrides(days[pk]))

    def accept(rows):
        read_hours(rows)
        at = local.replace(tzinfo=None)
        return [r for r in rows if is_open(at, *weeks[r[0]])]

    found = spatial.nearest(
        _reader(qs, ("pk", "lat", "lng", "odd", *_SHOWN)),
        lat,
        lng,
        limit=limit,
        max_m=max_m,
        accept=accept if open_at is not None else None,
    )
    if unread := [r for _d, r in found if r[0] not in weeks]:
        read_hours(unread)
    return [
        Near(_station(r), round(d, 1), minutes_for(d, mode), today_label(day, *weeks[r[0]])) for d, r in found
    ]


def _reader(qs: QuerySet[Station], fields: tuple[str, ...]):
    """``spatial.nearest``'s ``read`` over ``qs``: the ``fields`` of its stations in some cells or a
    box, less those in other cells.

    The ORM compiles the query once; each read runs it as a subquery with its cells, which both
    databases fold into the outer query, using the cell column's index. Compiling a query anew for
    each disk cost more than reading the disk (a search reads two to four)."""
    inner = qs.order_by().values_list(*fields, *spatial.FIELDS.values())
    sql, params = inner.query.sql_with_params()
    connection = connections[inner.db]

    def cells(column: str, values: list[int]) -> str:
        return f"s.{connection.ops.quote_name(column)} IN ({', '.join(['%s'] * len(values))})"

    def read(where, outside) -> list[tuple]:
        if isinstance(where[0], str):
            conditions, values = [cells(*where)], list(where[1])
        else:
            south, north, west, east = where
            conditions, values = ["s.lat >= %s", "s.lat <= %s"], [south, north]
            if west is not None:
                conditions += ["s.lng >= %s", "s.lng <= %s"]
                values += [west, east]
        if outside is not None:
            conditions.append(f"NOT {cells(*outside)}")
            values += outside[1]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM ({sql}) s WHERE {' AND '.join(conditions)}",  # noqa: S608  (values are parameters)
                [*params, *values],
            )
            return cursor.fetchall()

    return read


# what the pages and the API show of a station found, read with the search's tuples
_SHOWN = ("name", "kind", "address", "amenities", "status", "phone")


def _station(row) -> Station:
    """A station (its other fields deferred, as ``only()`` leaves them) from a search tuple: pk, lat,
    lng, odd, ``_SHOWN``, then the cells."""
    given = dict(zip(("id", "lat", "lng", "odd", *_SHOWN), row, strict=False))
    names = [f.attname for f in Station._meta.concrete_fields if f.attname in given]
    return Station.from_db(router.db_for_read(Station), names, [given[n] for n in names])


_HourRow = namedtuple("_HourRow", "station_id weekday opens closes")


def _hours_of(pks: list[int]) -> list[_HourRow]:
    """The ``Hours`` rows of these stations, a day's intervals in the order of the day (as the model
    orders them: a page shows them so). The search asks for a few stations at a time, often more than
    once: the query is written by the ORM without its list and run with it, as ORM compilation of each
    such small query cost more than running it."""
    sql, params = (
        Hours.objects.order_by()
        .values_list("station_id", "weekday", "opens", "closes")
        .query.sql_with_params()
    )
    time = Hours._meta.get_field("opens").to_python  # a time already, unless a driver gives text
    with connections[router.db_for_read(Hours)].cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({sql}) h WHERE h.station_id IN ({', '.join(['%s'] * len(pks))}) "  # noqa: S608
            "ORDER BY h.station_id, h.weekday, h.opens",
            [*params, *pks],
        )
        return [_HourRow(pk, w, time(o), time(c)) for pk, w, o, c in cursor.fetchall()]


def for_scope(scope: Scope) -> QuerySet[Station]:
    return scope.filter(Station.objects.all()).select_related("org", "region")


def hours_today(station: Station, day: dt.date) -> str:
    closures = station.closures.filter(on__gte=day - dt.timedelta(days=1), on__lte=day)
    return today_label(day, week_of(station), overrides(closures))


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


# --- 15分钟服务圈 ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Share:
    label: str
    total: int
    covered: int

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.covered / self.total, 1) if self.total else None


@dataclasses.dataclass
class Circle:
    minutes: int
    at: dt.datetime | None
    stations: list  # (lat, lng, name, id, kind) of the stations counted
    added: list  # the candidates counted as if they were stations
    workers: Share
    by_kind: list[Share]
    area: Share
    cells: list  # (lat, lng, covered) of the area's cells, for the map
    suggestions: list  # (candidate, gained workers, total after)


def _mode(kind: str) -> str:
    return settings.STATIONS_MODE_OF_WORK.get(kind, "walking")


def circle(
    region_code: str,
    *,
    minutes: int | None = None,
    at: dt.datetime | None = None,
    add: list[int] | None = None,
    suggest: int = 5,
) -> Circle:
    """The 15-minute service circle of a region (a code's prefix: 3901 for 新河市): the workers whose
    usual work area is within ``minutes`` of a station open at ``at`` (any station in service when
    ``at`` is None) at the speed of their kind of work, by kind; the share of the region's outline
    within ``minutes`` by riding; and the ``suggest`` candidate places that would reach most of the
    riders and couriers not reached. ``add`` counts candidates as if they were stations."""
    import numpy as np

    from sanxin.members.models import WorkKind

    from . import coverage
    from .models import Candidate, Outline, WorkSpot

    minutes = minutes or settings.STATIONS_CIRCLE_MINUTES
    prefix = region_code.rstrip("0") or region_code
    qs = Station.objects.filter(status=StationStatus.OPEN, region__code__startswith=prefix).prefetch_related(
        "hours"
    )
    if at is not None:
        local = timezone.localtime(at)
        qs = qs.prefetch_related(_closures_around(local.date()))
        rows = [s for s in qs if is_open(local.replace(tzinfo=None), week_of(s), overrides_of(s))]
    else:
        rows = list(qs)
    # candidate places of this region only: another region's list is another office's, and its names
    # are not for this page
    candidates = Candidate.objects.filter(region__code__startswith=prefix)
    added = list(candidates.filter(pk__in=add or []))
    points = [(s.lat, s.lng) for s in rows] + [(c.lat, c.lng) for c in added]

    def radius(mode: str) -> float:
        return coverage.radius_m(settings.STATIONS_SPEEDS_KMH[mode], minutes, settings.STATIONS_DETOUR)

    spots = list(WorkSpot.objects.filter(region__code__startswith=prefix).values_list("kind", "lat", "lng"))
    kinds = sorted({k for k, _, _ in spots})
    by_kind, total_covered = [], 0
    masks = {}
    for kind in kinds:
        idx = [i for i, (k, _, _) in enumerate(spots) if k == kind]
        pts = coverage.Points([spots[i][1] for i in idx], [spots[i][2] for i in idx])
        mask = coverage.covered(pts, points, radius(_mode(kind)))
        masks[kind] = (pts, mask)
        total_covered += int(mask.sum())
        label = WorkKind(kind).label if kind in WorkKind.values else kind
        by_kind.append(Share(str(label), len(idx), int(mask.sum())))
    # the area: the outlines of the region or of its districts
    outlines = list(Outline.objects.filter(region__code__startswith=prefix).select_related("region"))
    top = [o for o in outlines if o.region_id == region_code] or outlines
    cells = sorted({c for o in top for c in coverage.area_cells([tuple(v) for v in o.polygon])})
    cover = coverage.cells_covered(cells, points, radius("riding")) if cells else {}
    from h3.api import basic_int as h3

    cell_rows = [(*h3.cell_to_latlng(c), cover[c]) for c in cells]
    # suggestions: where the riders and couriers not reached are
    riding = [k for k in kinds if _mode(k) == "riding"]
    suggestions = []
    if riding and suggest:
        lat = np.concatenate([masks[k][0].lat for k in riding])
        lng = np.concatenate([masks[k][0].lng for k in riding])
        done = np.concatenate([masks[k][1] for k in riding])
        pts = coverage.Points(lat, lng)
        cands = list(candidates.exclude(pk__in=add or []).order_by("pk"))
        picks = coverage.place(pts, done, [(c.lat, c.lng) for c in cands], radius("riding"), suggest)
        suggestions = [(cands[p.index], p.gained, p.total) for p in picks]
    return Circle(
        minutes=minutes,
        at=at,
        stations=[(s.lat, s.lng, s.name, s.pk, s.kind) for s in rows],
        added=added,
        workers=Share("全部", len(spots), total_covered),
        by_kind=by_kind,
        area=Share("区域", len(cells), sum(cover.values())),
        cells=cell_rows,
        suggestions=suggestions,
    )


def reviews(station: Station):
    """The published reviews of a station and their average stars."""
    from django.db.models import Avg, Count

    from .models import Review, ReviewStatus

    qs = (
        Review.objects.filter(station=station, status=ReviewStatus.PUBLISHED)
        .select_related("user")
        .order_by("-at")
    )
    summary = qs.aggregate(avg=Avg("stars"), n=Count("pk"))
    return list(qs[:20]), (round(summary["avg"], 1) if summary["avg"] is not None else None), summary["n"]


def pending_reviews(scope: Scope):
    from .models import Review, ReviewStatus

    return (
        scope.filter(Review.objects.filter(status=ReviewStatus.PENDING))
        .select_related("station", "user")
        .order_by("at", "pk")
    )


# --- volunteer shifts ---------------------------------------------------------------------------------


def shift_on(user):
    """The user's shift still on (at any station), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Shift.objects.filter(person__user=user, status=ShiftStatus.ON).select_related("station").first()


def shifts_of(user, *, station: Station | None = None) -> QuerySet:
    """The user's own shifts, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Shift.objects.none()
    qs = Shift.objects.filter(person__user=user).select_related("station")
    return qs.filter(station=station) if station is not None else qs


def shifts_to_decide(station: Station) -> QuerySet:
    """The station's shifts the keeper has still to decide (ended, or left on), oldest first, with the
    volunteer's name."""
    return (
        Shift.objects.filter(station=station, status__in=[ShiftStatus.ON, ShiftStatus.ENDED])
        .select_related("person")
        .order_by("starts_at", "pk")
    )


def shifts(scope: Scope, *, station: Station | None = None, status: str = "") -> QuerySet:
    qs = scope.filter(Shift.objects.select_related("station", "person"))
    if station is not None:
        qs = qs.filter(station=station)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")
