"""The 15-minute service circle (15分钟服务圈), without Django: which workers and which parts of an area
are within a given number of minutes of an open station, and where new stations would reach the most
of those who are not.

Assumptions, stated once: a worker or a place is *within t minutes* of a station when the straight-line
(great-circle) distance is at most ``speed × t ÷ detour`` — the detour factor turns the street network
into a straight line (``STATIONS_DETOUR``, 1.3), the speed is the worker's way of moving
(``STATIONS_SPEEDS_KMH``). No road network, no traffic, no river crossings: an office's planning
figure, not a route.

How: points are grouped by their H3 cell, at the finest resolution whose cells are about as wide as
the radius ``r``; a group is checked exactly (a NumPy distance matrix) against the stations in the disk
of cells around it wide enough to hold every station within ``r`` of any of its points — a cell ``k``
rings away is at least 1.5 × k of the smallest edges from it, less two circumradii. A cell of an
area (resolution 8, about 0.74 km²) counts as covered when its centre is within ``r`` of a station;
the area share is a share of cells.

Placement: the greedy algorithm for maximum coverage — K times, the candidate place that would reach
the most workers not yet reached — which is within (1 − 1/e) of the best choice of K.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict

import numpy as np
from h3.api import basic_int as h3

from sanxin.core.geo import EARTH_RADIUS_M

RES = 8


def radius_m(kmh: float, minutes: float, detour: float) -> float:
    return kmh * 1000 / 60 * minutes / detour


def _haversine(lat1, lng1, lat2, lng2):
    """Distances in metres between arrays (broadcasting) of points in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lng2 - lng1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


# Cells of one resolution differ in size (by up to about 2× in area over the globe): bounds for the
# edge, of which a hexagon's circumradius is one.
EDGE_AVG = h3.average_hexagon_edge_length(RES, unit="m")
EDGE_MAX, EDGE_MIN = EDGE_AVG * 1.45, EDGE_AVG * 0.7


def _reach(lat: float, lng: float, radius: float) -> list[int]:
    """The cells that may hold a point within ``radius`` of (lat, lng): those whose centre is within
    ``radius`` plus a cell's circumradius, found in a disk wide enough that its ring ``k`` lies at
    least 1.5 × k minimal edges away."""
    edge = EDGE_MAX
    k = math.ceil((radius + 2 * EDGE_MAX) / (1.5 * EDGE_MIN)) + 1
    out = []
    for cell in h3.grid_disk(h3.latlng_to_cell(lat, lng, RES), k):
        clat, clng = h3.cell_to_latlng(cell)
        if float(_haversine(lat, lng, clat, clng)) <= radius + edge:
            out.append(cell)
    return out


class Points:
    """Points (workers, places) grouped by cell, for repeated coverage questions."""

    def __init__(self, lat, lng):
        self.lat = np.asarray(lat, dtype=float)
        self.lng = np.asarray(lng, dtype=float)
        self.cells = np.array([h3.latlng_to_cell(a, b, RES) for a, b in zip(self.lat, self.lng, strict=True)])
        order = np.argsort(self.cells, kind="stable")
        self.by_cell: dict[int, np.ndarray] = {}
        if len(order):
            sorted_cells = self.cells[order]
            bounds = np.flatnonzero(np.diff(sorted_cells)) + 1
            for chunk in np.split(order, bounds):
                self.by_cell[int(self.cells[chunk[0]])] = chunk

    def __len__(self) -> int:
        return len(self.lat)

    def within(self, lat: float, lng: float, radius: float) -> np.ndarray:
        """Indexes of the points within ``radius`` of (lat, lng)."""
        hits = []
        for cell in _reach(lat, lng, radius):
            idx = self.by_cell.get(cell)
            if idx is not None:
                d = _haversine(lat, lng, self.lat[idx], self.lng[idx])
                hits.append(idx[d <= radius])
        return np.concatenate(hits) if hits else np.empty(0, dtype=int)


def _res_for(radius: float) -> int:
    """The finest resolution whose cells are still about as wide as ``radius``: a disk of a few rings
    then holds every station that can reach a cell's points."""
    for res in range(RES, 2, -1):
        if h3.average_hexagon_edge_length(res, unit="m") * 4 >= radius:
            return res
    return 3


def covered(points: Points, stations: list[tuple[float, float]], radius: float) -> np.ndarray:
    """A boolean per point: within ``radius`` of at least one of the stations. Points are taken a
    cell at a time (at ``_res_for(radius)``), against the stations in the disk of cells around it
    that can hold one near enough, exactly, with NumPy."""
    mask = np.zeros(len(points), dtype=bool)
    if not len(points) or not stations:
        return mask
    res = _res_for(radius)
    edge = h3.average_hexagon_edge_length(res, unit="m")
    k = math.ceil((radius + 2 * edge * 1.45) / (1.5 * edge * 0.7)) + 1
    slat = np.array([a for a, _ in stations], dtype=float)
    slng = np.array([b for _, b in stations], dtype=float)
    by_cell: dict[int, list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(stations):
        by_cell[h3.latlng_to_cell(a, b, res)].append(i)
    groups: dict[int, list[np.ndarray]] = defaultdict(list)
    for cell8, idx in points.by_cell.items():
        groups[h3.cell_to_parent(cell8, res) if res < RES else cell8].append(idx)
    for cell, parts in groups.items():
        near = np.array([i for c in h3.grid_disk(cell, k) for i in by_cell.get(c, ())], dtype=int)
        if not len(near):
            continue
        # only the stations that can reach some point of the cell: within the radius plus the cell's
        # circumradius of its centre
        clat, clng = h3.cell_to_latlng(cell)
        reach = radius + max(float(_haversine(clat, clng, a, b)) for a, b in h3.cell_to_boundary(cell))
        centre_d = _haversine(clat, clng, slat[near], slng[near])
        keep = centre_d <= reach
        near = near[keep][np.argsort(centre_d[keep], kind="stable")]  # the nearest to the cell first
        if not len(near):
            continue
        left = np.concatenate(parts)
        # Stations in batches, nearest first: most points are reached by the first few, and only the
        # points not reached yet meet the next batch.
        size = 16
        for start in range(0, len(near), size):
            batch = near[start : start + size]
            d = _haversine(
                points.lat[left][:, None],
                points.lng[left][:, None],
                slat[batch][None, :],
                slng[batch][None, :],
            )
            hit = (d <= radius).any(axis=1)
            mask[left[hit]] = True
            left = left[~hit]
            if not len(left):
                break
            size = min(size * 2, max(16, 4_000_000 // max(1, len(left))))
    return mask


@dataclasses.dataclass
class Suggestion:
    index: int  # in the candidates list
    gained: int  # workers newly reached by this one, after the earlier picks
    total: int  # workers reached after this pick


def place(
    points: Points, already: np.ndarray, candidates: list[tuple[float, float]], radius: float, k: int
) -> list[Suggestion]:
    """The greedy choice of up to ``k`` candidates reaching the most points not in ``already``."""
    reach = [points.within(lat, lng, radius) for lat, lng in candidates]
    done = already.copy()
    out = []
    for _ in range(k):
        best, gain = -1, 0
        for i, idx in enumerate(reach):
            g = int(np.count_nonzero(~done[idx])) if len(idx) else 0
            if g > gain:
                best, gain = i, g
        if best < 0:
            break
        done[reach[best]] = True
        reach[best] = np.empty(0, dtype=int)
        out.append(Suggestion(best, gain, int(np.count_nonzero(done))))
    return out


def area_cells(polygon: list[tuple[float, float]]) -> list[int]:
    """The resolution-8 cells of an area given as (lat, lng) vertices."""
    return list(h3.polygon_to_cells(h3.LatLngPoly(polygon), RES))


def cells_covered(cells: list[int], stations: list[tuple[float, float]], radius: float) -> dict[int, bool]:
    """Each cell: is its centre within ``radius`` of a station?"""
    centres = [h3.cell_to_latlng(c) for c in cells]
    pts = Points([a for a, _ in centres], [b for _, b in centres])
    mask = covered(pts, stations, radius)
    return {c: bool(m) for c, m in zip(cells, mask, strict=True)}


def group_counts(cells: np.ndarray, mask: np.ndarray) -> dict[int, tuple[int, int]]:
    """Per cell: (points, covered points) — the heat layer of a map."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for c, m in zip(cells.tolist(), mask.tolist(), strict=True):
        row = out[c]
        row[0] += 1
        row[1] += m
    return {c: (a, b) for c, (a, b) in out.items()}
