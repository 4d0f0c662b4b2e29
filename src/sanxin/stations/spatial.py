"""The nearest stations to a point, exactly, without scanning them all: H3 cells.

Why H3 rather than PostGIS: the same index and the same query run on the embedded SQLite of a county
and on PostgreSQL (with or without the PostGIS extension, which a province's managed database may not
offer), as three indexed integer columns; and the covering argument below makes the answer exact, not
approximate.

Each station stores the H3 cell of its point at resolutions 9, 7 and 5 (edges of about 0.17, 1.2 and
8.5 km). A search looks at the disk of cells within ``k`` steps of the query point's cell, first at
resolution 9, widening and then coarsening, and keeps every accepted station it finds with its
great-circle distance (``core.geo.distance_m``). It may stop once it has ``limit`` stations no farther
than ``bound``: the smallest distance from the point to any cell of the ring just outside the disk
(the distance to a cell's centre less the cell's circumradius). Any station outside the disk lies
beyond that ring — the great circle from the point to it leaves the disk through a cell of the next
ring, since the cells meeting at any vertex are pairwise neighbours — so nothing unseen can be nearer.
Past the coarsest disk (some 60 km) the rest within ``max_m`` is read by a bounding box.

Ties are broken by the station's id, so the answer is one fixed list: the property test compares it
with a scan of every station.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from h3.api import basic_int as h3

from sanxin.core.geo import EARTH_RADIUS_M, distance_m

RESOLUTIONS = (9, 7, 5)
FIELDS = {9: "cell9", 7: "cell7", 5: "cell5"}
STEPS = (1, 2, 4)  # the disk radii tried at each resolution


def cells(lat: float, lng: float) -> dict[str, int]:
    """The ``cell9``, ``cell7``, ``cell5`` of a point."""
    return {FIELDS[r]: h3.latlng_to_cell(lat, lng, r) for r in RESOLUTIONS}


def _circumradius(cell: int) -> float:
    clat, clng = h3.cell_to_latlng(cell)
    return max(distance_m(clat, clng, lat, lng) for lat, lng in h3.cell_to_boundary(cell))


def ring_bound(lat: float, lng: float, origin: int, k: int) -> float:
    """No point outside the disk of radius ``k`` around ``origin`` is nearer to (lat, lng) than this."""
    best = math.inf
    for cell in h3.grid_ring(origin, k + 1):
        clat, clng = h3.cell_to_latlng(cell)
        best = min(best, distance_m(lat, lng, clat, clng) - _circumradius(cell))
    return max(0.0, best)


def _box(lat: float, lng: float, max_m: float) -> dict:
    dlat = math.degrees(max_m / EARTH_RADIUS_M)
    north, south = min(90.0, lat + dlat), max(-90.0, lat - dlat)
    widest = max(abs(north), abs(south))
    if widest >= 89.9:
        return {"lat__gte": south, "lat__lte": north}
    dlng = math.degrees(max_m / (EARTH_RADIUS_M * math.cos(math.radians(widest))))
    return {"lat__gte": south, "lat__lte": north, "lng__gte": lng - dlng, "lng__lte": lng + dlng}


def nearest(
    qs,
    lat: float,
    lng: float,
    *,
    limit: int,
    max_m: float,
    accept: Callable[[Iterable], list] | None = None,
) -> list[tuple[float, object]]:
    """Up to ``limit`` (distance in metres, row) of ``qs`` (a queryset already filtered in SQL: status,
    amenities, kind) within ``max_m`` of the point, nearest first (then by id). ``accept`` filters the
    fetched rows in Python (open at a time) and returns those it keeps."""
    found: dict[int, tuple[float, object]] = {}
    seen: set[int] = set()

    def take(rows) -> None:
        fresh = [r for r in rows if r.pk not in seen]
        seen.update(r.pk for r in fresh)
        for r in accept(fresh) if accept else fresh:
            d = distance_m(lat, lng, r.lat, r.lng)
            if d <= max_m:
                found[r.pk] = (d, r)

    def done(bound: float) -> bool:
        within = sum(1 for d, _ in found.values() if d < bound)
        return within >= limit or bound >= max_m

    for res in RESOLUTIONS:
        origin = h3.latlng_to_cell(lat, lng, res)
        for k in STEPS:
            take(qs.filter(**{f"{FIELDS[res]}__in": list(h3.grid_disk(origin, k))}))
            if done(ring_bound(lat, lng, origin, k)):
                return _ordered(found, limit)
    take(qs.filter(**_box(lat, lng, max_m)))
    return _ordered(found, limit)


def _ordered(found: dict, limit: int) -> list[tuple[float, object]]:
    return sorted(found.values(), key=lambda t: (t[0], t[1].pk))[:limit]
