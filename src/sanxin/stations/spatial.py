"""The nearest stations to a point, exactly, without scanning them all: H3 cells.

Why H3 rather than PostGIS: the same index and the same query run on the embedded SQLite of a county
and on PostgreSQL (with or without the PostGIS extension, which a province's managed database may not
offer), as three indexed integer columns; and the covering argument below makes the answer exact, not
approximate.

Each station stores the H3 cell of its point at resolutions 9, 7 and 5 (edges of about 0.2, 1.4 and
9.9 km). A search reads the stations of a disk of cells within ``k`` steps of the query point's cell,
then of larger disks (``DISKS``: widening, then coarsening), and knows after each one a ``bound``: the
smallest distance from the point to any cell of the ring just outside the disk (the distance to a
cell's centre less the cell's circumradius). Any station outside the disk lies beyond that ring — the
great circle from the point to it leaves the disk through a cell of the next ring, since the cells
meeting at any vertex are pairwise neighbours — so every station nearer than ``bound`` has been read.
Past the coarsest disk (some 70 km) the rest within ``max_m`` is read by a bounding box.

What each disk costs is kept small:

- a disk reads only the stations the disk before did not (its new ring at the same resolution; at a
  coarser one, its cells less the finer disk's), as tuples (``read``, the caller's SQL);
- the stations read wait in a heap by distance, and ``accept`` (open at the time: the caller reads
  hours) is asked only about the nearest ones nearer than ``bound``, in batches sized by the share it
  has accepted so far, until ``limit`` are kept; and not at all while fewer than ``limit`` are nearer
  than ``bound``, as that disk cannot end the search. Asked in distance order, and only about
  stations nearer than the bound, the stations kept are the first ``limit`` of all in that order;
- when a disk leaves the search short, the next disk is chosen by the density seen so far: a point
  in empty country goes from a few hundred metres to tens of kilometres in a few steps, not eight.

Which disks are read changes only the cost, never the answer: every disk's bound holds. Ties are
broken by the station's id, so the answer is one fixed list: the property test compares it with a
scan of every station.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

from h3.api import basic_int as h3

from sanxin.core.geo import EARTH_RADIUS_M, distance_m

RESOLUTIONS = (9, 7, 5)
FIELDS = {9: "cell9", 7: "cell7", 5: "cell5"}
STEPS = (1, 2, 4)  # the disk radii tried at each resolution
DISKS = [(res, k) for res in RESOLUTIONS for k in STEPS]
_CELL_AREA = {res: h3.average_hexagon_area(res, "m^2") for res in RESOLUTIONS}
# How much more area than the density seen so far suggests the next disk should cover: reading some
# more rows costs less than one more round trip.
MARGIN = 1.5


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


def box(lat: float, lng: float, max_m: float) -> tuple[float, float, float | None, float | None]:
    """South, north, west, east of the circle of ``max_m`` around the point (no west and east when
    it reaches a pole)."""
    dlat = math.degrees(max_m / EARTH_RADIUS_M)
    north, south = min(90.0, lat + dlat), max(-90.0, lat - dlat)
    widest = max(abs(north), abs(south))
    if widest >= 89.9:
        return south, north, None, None
    dlng = math.degrees(max_m / (EARTH_RADIUS_M * math.cos(math.radians(widest))))
    return south, north, lng - dlng, lng + dlng


def _area(i: int) -> float:
    res, k = DISKS[i]
    return (3 * k * (k + 1) + 1) * _CELL_AREA[res]


def next_disk(i: int, kept: float, limit: int) -> int:
    """The disk to read after ``DISKS[i]`` left the search with ``kept`` of ``limit`` stations: the
    first one large enough for ``limit`` at the density seen (half a station when none was seen)."""
    target = _area(i) * MARGIN * limit / max(kept, 0.5)
    j = i + 1
    while j < len(DISKS) - 1 and _area(j) < target:
        j += 1
    return j


Cells = tuple[str, list[int]]  # a cell column and some of its cells
Box = tuple[float, float, float | None, float | None]


def nearest(
    read: Callable[[Cells | Box, Cells | None], list[tuple]],
    lat: float,
    lng: float,
    *,
    limit: int,
    max_m: float,
    accept: Callable[[list[tuple]], list[tuple]] | None = None,
) -> list[tuple[float, tuple]]:
    """Up to ``limit`` (distance in metres, row) within ``max_m`` of the point, nearest first (then by
    id). ``read(where, outside)`` returns the rows — tuples that begin (pk, lat, lng) — of the
    stations (already filtered: status, amenities, kind) in ``where``, cells (``cell9`` and some of
    its values) or a ``box``, and not in ``outside``, cells or None. ``accept`` filters rows in Python
    (open at a time): it is given a list of them, nearest first, and returns those it keeps."""
    pending: list[tuple[float, int, tuple]] = []  # read, not yet asked about: a heap by (distance, pk)
    kept: list[tuple[float, tuple]] = []
    seen: set[int] = set()
    asked = taken = 0

    def take(rows: list[tuple]) -> None:
        for row in rows:
            pk = row[0]
            if pk in seen:  # a coarser disk need not cover the finer one it follows
                continue
            seen.add(pk)
            d = distance_m(lat, lng, row[1], row[2])
            if d <= max_m:
                heapq.heappush(pending, (d, pk, row))

    def decide(bound: float) -> None:
        """Ask about the pending rows nearer than ``bound``, nearest first, until ``limit`` are kept."""
        nonlocal asked, taken
        while len(kept) < limit and pending and pending[0][0] < bound:
            need = limit - len(kept)
            # as many as should give ``need`` at the share accepted so far (one in two to begin with)
            size = need if accept is None else math.ceil(MARGIN * need * (asked + 2) / (taken + 1))
            batch = []
            while pending and pending[0][0] < bound and len(batch) < size:
                batch.append(heapq.heappop(pending))
            if accept is None:
                kept.extend((d, row) for d, _pk, row in batch)
                continue
            ok = {row[0] for row in accept([row for _d, _pk, row in batch])}
            asked += len(batch)
            taken += len(ok)
            kept.extend((d, row) for d, pk, row in batch if pk in ok)

    bound = 0.0
    last: tuple[int, set[int]] | None = None  # the resolution and cells of the disk read last
    i = 0
    while i < len(DISKS):
        res, k = DISKS[i]
        origin = h3.latlng_to_cell(lat, lng, res)
        disk = set(h3.grid_disk(origin, k))
        if last is None:
            take(read((FIELDS[res], sorted(disk)), None))
        elif last[0] == res:  # the new ring only
            take(read((FIELDS[res], sorted(disk - last[1])), None))
        else:  # less the finer disk read last
            take(read((FIELDS[res], sorted(disk)), (FIELDS[last[0]], sorted(last[1]))))
        last = (res, disk)
        # the bound never shrinks: whatever was nearer than an earlier disk's bound has been read too
        bound = max(bound, ring_bound(lat, lng, origin, k))
        if bound >= max_m:
            break
        near = sum(1 for p in pending if p[0] < bound)
        # with too few read for this disk to end the search, they are asked about with the next disk's
        if len(kept) + near >= limit:
            decide(bound)
            if len(kept) >= limit:
                return kept[:limit]
            near = 0
        i = next_disk(i, len(kept) + near * (taken + 1) / (asked + 2), limit)
    else:
        take(read(box(lat, lng, max_m), (FIELDS[last[0]], sorted(last[1]))))
    decide(math.inf)
    return kept[:limit]
