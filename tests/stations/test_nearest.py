"""The nearest search returns exactly what a scan of every station returns: the same stations in the
same order, distances within a metre — for random points, amenities, times and radii, around cities in
the middle and at the edges of China, at midnight and across overnight hours."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_

from sanxin.core.geo import distance_m
from sanxin.stations import selectors, spatial
from sanxin.stations.hours import Interval, is_open, today_label
from sanxin.stations.models import AMENITY_CODES, Closure, Hours, Station, StationStatus
from sanxin.stations.selectors import overrides_of, week_of

T = dt.time
# Cities in the middle and at the edges of China: 武汉, 漠河, 三亚, 喀什, 抚远, 东兴 (the border with
# Vietnam), 拉萨, and a sparse spot in 罗布泊 where the nearest is far away.
CENTRES = [
    (30.58, 114.30), (52.97, 122.54), (18.25, 109.51), (39.47, 75.99), (48.36, 134.29), (21.55, 107.97),
    (29.65, 91.13), (40.30, 90.50),
]  # fmt: skip
HOURS = [
    [Interval(d, T(8), T(20)) for d in range(7)],
    [Interval(d, T(0), T(0)) for d in range(7)],  # round the clock
    [Interval(d, T(22), T(6)) for d in range(5)],  # nights, Monday to Friday
    [Interval(d, T(7), T(11)) for d in range(6)] + [Interval(d, T(17), T(23, 30)) for d in range(6)],
    [],  # no hours set: never open
]


@pytest.fixture
def many(st):
    """1,200 stations around the centres (denser near the first ones), with random hours and
    amenities, a few suspended, a few closed on one day or open other hours."""
    rng = random.Random(7)
    rows = []
    for i in range(1200):
        clat, clng = CENTRES[min(int(rng.expovariate(0.6)), len(CENTRES) - 1)]
        spread = rng.choice([0.01, 0.05, 0.3])
        lat, lng = clat + rng.gauss(0, spread), clng + rng.gauss(0, spread)
        s = Station(
            name=f"站{i}", kind=rng.choice(["nuanfeng", "demo", "driver"]), org=st.org, address="测试",
            lat=lat, lng=lng, amenities=rng.getrandbits(6), checkin_token=f"t{i}",
            status=StationStatus.SUSPENDED if rng.random() < 0.05 else StationStatus.OPEN,
        )  # fmt: skip
        for name, cell in spatial.cells(lat, lng).items():
            setattr(s, name, cell)
        rows.append(s)
    Station.objects.bulk_create(rows)
    hours, closures = [], []
    today = timezone.localdate()
    for s in Station.objects.all():
        for iv in rng.choice(HOURS):
            hours.append(Hours(station=s, weekday=iv.weekday, opens=iv.opens, closes=iv.closes))
        if rng.random() < 0.1:
            day = today + dt.timedelta(days=rng.randint(0, 6))
            special = rng.random() < 0.5
            closures.append(Closure(station=s, on=day, closed=not special, opens=T(12) if special else None,
                                    closes=T(14) if special else None))  # fmt: skip
    Hours.objects.bulk_create(hours)
    Closure.objects.bulk_create(closures)
    return list(Station.objects.prefetch_related("hours", "closures"))


def brute_force(stations, lat, lng, *, mask, open_at, limit, max_m):
    local = timezone.localtime(open_at).replace(tzinfo=None)
    out = []
    for s in stations:
        if s.status != StationStatus.OPEN or s.amenities & mask != mask:
            continue
        if open_at is not None and not is_open(local, week_of(s), overrides_of(s)):
            continue
        d = distance_m(lat, lng, s.lat, s.lng)
        if d <= max_m:
            out.append((d, s.pk))
    return sorted(out)[:limit]


BITS = list(AMENITY_CODES.values())[:6]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    centre=st_.sampled_from(CENTRES),
    dlat=st_.floats(-0.6, 0.6),
    dlng=st_.floats(-0.6, 0.6),
    bits=st_.lists(st_.sampled_from(BITS), max_size=2),
    day=st_.integers(0, 6),
    minute=st_.sampled_from([0, 1, 5 * 60 + 59, 6 * 60, 7 * 60 + 30, 12 * 60 + 30, 22 * 60, 23 * 60 + 59]),
    timed=st_.booleans(),
    limit=st_.integers(1, 12),
    max_m=st_.sampled_from([2_000, 30_000, 150_000]),
)
def test_nearest_is_exactly_the_brute_force_scan(
    many, centre, dlat, dlng, bits, day, minute, timed, limit, max_m
):
    lat, lng = centre[0] + dlat, centre[1] + dlng
    mask = sum(set(bits))
    base = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    open_at = base + dt.timedelta(days=day, minutes=minute) if timed else None
    got = selectors.nearest(lat, lng, amenities=mask, open_at=open_at, limit=limit, max_m=max_m)
    expected = brute_force(many, lat, lng, mask=mask, open_at=open_at, limit=limit, max_m=max_m)
    assert [n.station.pk for n in got] == [pk for _, pk in expected]
    _same_as_scanned(got, expected, many, open_at)


def _same_as_scanned(got, expected, stations, open_at):
    """Distances within a metre; each station as read whole, with today's hours as its page shows them."""
    day = timezone.localtime(open_at).date()
    by_pk = {s.pk: s for s in stations}
    for n, (d, pk) in zip(got, expected, strict=True):
        s = by_pk[pk]
        assert abs(n.distance_m - d) <= 1.0
        assert (n.station.name, n.station.kind, n.station.address, n.station.amenities) == (
            s.name, s.kind, s.address, s.amenities,
        )  # fmt: skip
        assert n.hours_today == today_label(day, week_of(s), overrides_of(s))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    centre=st_.sampled_from(CENTRES),
    dlat=st_.floats(-0.6, 0.6),
    dlng=st_.floats(-0.6, 0.6),
    bits=st_.lists(st_.sampled_from(BITS), max_size=2),
    minute=st_.integers(0, 7 * 24 * 60 - 1),
    limit=st_.integers(1, 12),
    max_m=st_.sampled_from([2_000, 30_000, 150_000]),
    margin=st_.sampled_from([0.01, 1.5, 100.0]),
)
def test_which_disks_are_read_and_how_many_are_asked_about_at_once_never_change_the_answer(
    many, centre, dlat, dlng, bits, minute, limit, max_m, margin
):
    """A tiny margin reads every disk in turn and asks about one station at a time; a huge one jumps
    to the coarse disks at once and asks about many: the answer is the scan's either way."""
    lat, lng = centre[0] + dlat, centre[1] + dlng
    mask = sum(set(bits))
    base = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    open_at = base + dt.timedelta(minutes=minute)
    with mock.patch.object(spatial, "MARGIN", margin):
        got = selectors.nearest(lat, lng, amenities=mask, open_at=open_at, limit=limit, max_m=max_m)
    expected = brute_force(many, lat, lng, mask=mask, open_at=open_at, limit=limit, max_m=max_m)
    assert [n.station.pk for n in got] == [pk for _, pk in expected]
    _same_as_scanned(got, expected, many, open_at)


def test_the_search_reads_only_the_cells_around_the_point(many, django_assert_max_num_queries):
    lat, lng = CENTRES[0]
    # the stations of the first disks of cells (a few hundred metres), the hours of the one found
    with django_assert_max_num_queries(3):
        got = selectors.nearest(lat, lng, limit=1, max_m=30_000)
    assert len(got) == 1


def test_the_ring_bound_is_a_lower_bound_of_the_distance_to_everything_outside_the_disk():
    from h3.api import basic_int as h3

    rng = random.Random(3)
    for _ in range(200):
        lat, lng = 20 + rng.random() * 30, 80 + rng.random() * 50
        res, k = rng.choice(spatial.RESOLUTIONS), rng.choice(spatial.STEPS)
        origin = h3.latlng_to_cell(lat, lng, res)
        bound = spatial.ring_bound(lat, lng, origin, k)
        disk = set(h3.grid_disk(origin, k))
        for cell in h3.grid_ring(origin, k + 1):
            for vlat, vlng in h3.cell_to_boundary(cell):
                assert distance_m(lat, lng, vlat, vlng) >= bound - 1e-6
        assert bound > 0 and h3.latlng_to_cell(lat, lng, res) in disk


def test_a_day_with_two_intervals_shows_them_in_the_order_of_the_day(st):
    from tests.stations.conftest import CITY

    Hours.objects.filter(station=st.station).delete()
    Hours.objects.bulk_create(
        [Hours(station=st.station, weekday=d, opens=T(17), closes=T(23)) for d in range(7)]
        + [Hours(station=st.station, weekday=d, opens=T(7), closes=T(11)) for d in range(7)]
    )
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), T(10)))
    for open_at in (noon, None):  # the hours read to check it is open, or only for the page
        (got,) = selectors.nearest(*CITY, open_at=open_at, limit=1)
        assert got.hours_today == "07:00–11:00、17:00–23:00"
