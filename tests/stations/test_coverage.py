"""The 15-minute service circle: coverage equals a brute-force check of every point against every
station; the greedy placement picks, each time, the candidate reaching the most points left."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st_

from sanxin.core.geo import distance_m
from sanxin.stations import coverage


def _brute(points, stations, radius):
    return np.array([any(distance_m(a, b, s, t) <= radius for s, t in stations) for a, b in points])


@settings(max_examples=40, deadline=None)
@given(
    seed=st_.integers(0, 10_000),
    lat0=st_.sampled_from([18.3, 30.6, 45.8, 52.9]),
    radius=st_.sampled_from([300.0, 1_500.0, 2_900.0, 9_000.0]),
)
def test_coverage_is_a_brute_force_check(seed, lat0, radius):
    rng = np.random.default_rng(seed)
    lng0 = 110.0
    pts = list(zip(lat0 + rng.normal(0, 0.06, 400), lng0 + rng.normal(0, 0.06, 400), strict=True))
    stations = list(zip(lat0 + rng.normal(0, 0.06, 12), lng0 + rng.normal(0, 0.06, 12), strict=True))
    points = coverage.Points([p[0] for p in pts], [p[1] for p in pts])
    got = coverage.covered(points, stations, radius)
    assert (got == _brute(pts, stations, radius)).all()


def test_greedy_placement_takes_the_largest_gain_first():
    # three clusters of workers: 50, 30 and 20; a station already reaches the 20
    rng = np.random.default_rng(1)
    centres = [(30.50, 114.20, 50), (30.60, 114.40, 30), (30.40, 114.00, 20)]
    lat, lng = [], []
    for clat, clng, n in centres:
        lat += list(clat + rng.normal(0, 0.002, n))
        lng += list(clng + rng.normal(0, 0.002, n))
    points = coverage.Points(lat, lng)
    radius = coverage.radius_m(15, 15, 1.3)
    already = coverage.covered(points, [(30.40, 114.00)], radius)
    assert already.sum() == 20
    candidates = [(30.60, 114.40), (30.50, 114.20), (30.40, 114.01), (35.0, 100.0)]
    picks = coverage.place(points, already, candidates, radius, k=3)
    assert [(p.index, p.gained, p.total) for p in picks] == [
        (1, 50, 70),
        (0, 30, 100),
    ]  # then nothing left to gain


def test_area_cells_and_their_cover():
    square = [(30.50, 114.20), (30.50, 114.26), (30.55, 114.26), (30.55, 114.20)]
    cells = coverage.area_cells(square)
    assert 20 < len(cells) < 60  # about 5.8 km × 5.6 km of 0.74 km² cells
    cover = coverage.cells_covered(cells, [(30.525, 114.23)], 1_000)
    assert 0 < sum(cover.values()) < len(cells)
