"""Benchmark of the nearest open station among 100,000 stations across China: ours (the H3 ring search
of ``stations.selectors.nearest``), in process and through the API, against a brute-force scan of every
station in the same run.

    python bench/stations.py [--stations 100000] [--queries 1000]             # SQLite
    DATABASE_URL=postgres://... python bench/stations.py                       # PostgreSQL

The stations: 300 towns placed at random inside China's outline (``core.geo.in_china``), each with
stations around it (a town's share drawn from a Pareto law, spread 1–15 km), five patterns of hours
(08:00–22:00 every day, round the clock, 07:00–21:00 on weekdays, 10:00–02:00 every day, 09:00–18:00
Monday to Saturday), a random half of the first eight amenities, 3% suspended. Written straight into
the tables after ``migrate``.

The queries: points near a random town (Gaussian, 5 km; inside the outline), one or two wanted amenities or none (each a
third of the time), a time in the week (a random minute of a random day), ``limit`` 5, radius 30 km.

Cases, median and p99 in milliseconds:

- ours, in process: ``selectors.nearest(lat, lng, amenities=…, open_at=…, limit=5)``;
- ours, through the API: ``GET /api/v1/stations/nearest`` with a bearer token, Django's test client
  (no network), the JSON decoded;
- scan, SQL: every station in service with the amenities read from the database, its hours and
  closures with it, the open ones kept and sorted by haversine distance — what the search would cost
  without its index (``--scan-queries`` of them, it is slow);
- scan, in memory: the same over NumPy arrays held in memory (coordinates, amenity bits, the hours
  pattern), vectorised — the floor of any scan, with no database at all.

Every query's answer (ids in order) is compared with the in-memory scan's; a difference fails the
benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ and not os.environ.get("SANXIN_DATA_DIR"):
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-stations-")

import django

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from forking import publish  # noqa: E402

T = dt.time
PATTERNS = [
    [(d, T(8), T(22)) for d in range(7)],
    [(d, T(0), T(0)) for d in range(7)],
    [(d, T(7), T(21)) for d in range(5)],
    [(d, T(10), T(2)) for d in range(7)],
    [(d, T(9), T(18)) for d in range(6)],
]
BITS = [1, 2, 4, 8, 16, 32, 64, 128]
EARTH_R = 6_371_008.8
BENCH_PASSWORD = "bench-password-1"  # noqa: S105  (a throwaway account in the benchmark's own database)


def build(n: int, rng: random.Random):
    from sanxin.core.geo import in_china
    from sanxin.core.models import Region
    from sanxin.orgs.models import Org, OrgType
    from sanxin.orgs.services import org_create
    from sanxin.stations import spatial
    from sanxin.stations.models import Hours, Station, StationStatus

    region, _ = Region.objects.get_or_create(code="390000000000", defaults={"name": "东江省", "level": 1})
    org = Org.objects.first() or org_create(
        actor=None, parent=None, name="中共东江省委员会", org_type=OrgType.PARTY_COMMITTEE, region=region,
        founded_on=dt.date(2000, 1, 1),
    )  # fmt: skip
    towns = []
    while len(towns) < 300:
        lat, lng = rng.uniform(18, 53), rng.uniform(74, 134)
        if in_china(lat, lng):
            towns.append((lat, lng, rng.paretovariate(1.2), rng.uniform(1, 15)))
    weights = [t[2] for t in towns]
    rows, patterns = [], []
    for i in range(n):
        lat0, lng0, _w, spread_km = rng.choices(towns, weights)[0]
        d = spread_km / 111.0
        lat = lat0 + rng.gauss(0, d)
        lng = lng0 + rng.gauss(0, d / math.cos(math.radians(lat0)))
        s = Station(
            name=f"站{i}", kind="nuanfeng", org=org, address="—", lat=lat, lng=lng,
            amenities=sum(b for b in BITS if rng.random() < 0.5), checkin_token=f"b{i}",
            status=StationStatus.SUSPENDED if rng.random() < 0.03 else StationStatus.OPEN,
        )  # fmt: skip
        for name, cell in spatial.cells(lat, lng).items():
            setattr(s, name, cell)
        rows.append(s)
        patterns.append(rng.randrange(len(PATTERNS)))
    with transaction.atomic():
        Station.objects.bulk_create(rows, batch_size=2000)
        ids = list(Station.objects.order_by("pk").values_list("pk", flat=True))
        hours = [
            Hours(station_id=pk, weekday=w, opens=o, closes=c)
            for pk, p in zip(ids, patterns, strict=True)
            for w, o, c in PATTERNS[p]
        ]
        Hours.objects.bulk_create(hours, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE stations_station")  # what autovacuum does to a table at rest
            cur.execute("VACUUM ANALYZE stations_hours")
    return towns, ids, patterns


def pattern_open(p: int, local: dt.datetime) -> bool:
    from sanxin.stations.hours import Interval, is_open

    return is_open(local, [Interval(*iv) for iv in PATTERNS[p]])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--scan-queries", type=int, default=20)
    parser.add_argument("--part", choices=["nearest", "coverage", "all"], default="all")
    parser.add_argument("--workers", type=int, default=1_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a database of our own kept from a last run
    if args.part == "coverage":
        return coverage_part(args)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from sanxin.accounts.services import token_issue
    from sanxin.stations import selectors
    from sanxin.stations.models import Station, StationStatus

    rng = random.Random(7)
    t0 = time.perf_counter()
    towns, _ids, _patterns = build(args.stations, rng)
    built = time.perf_counter() - t0
    # the in-memory copy for the floor
    rows = list(Station.objects.order_by("pk").values_list("pk", "lat", "lng", "amenities", "status"))
    pk = np.array([r[0] for r in rows])
    lat = np.radians(np.array([r[1] for r in rows]))
    lng = np.radians(np.array([r[2] for r in rows]))
    bits = np.array([r[3] for r in rows])
    live = np.array([r[4] == StationStatus.OPEN for r in rows])
    pat = np.array(_patterns)

    def floor(qlat, qlng, mask, local, limit=5, max_m=30_000):
        open_p = np.array([pattern_open(p, local) for p in range(len(PATTERNS))])
        ok = live & ((bits & mask) == mask) & open_p[pat]
        p1, l1 = math.radians(qlat), math.radians(qlng)
        a = np.sin((lat - p1) / 2) ** 2 + math.cos(p1) * np.cos(lat) * np.sin((lng - l1) / 2) ** 2
        d = 2 * EARTH_R * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        idx = np.nonzero(ok & (d <= max_m))[0]
        order = np.lexsort((pk[idx], d[idx]))[:limit]
        return [int(pk[idx][i]) for i in order]

    user = get_user_model().objects.create_user(username="bench", password=BENCH_PASSWORD)
    from django.test import RequestFactory

    login = RequestFactory().post("/api/v1/auth/token")
    _, token = token_issue(request=login, username="bench", password=BENCH_PASSWORD)
    client = Client()
    base = timezone.make_aware(dt.datetime(2026, 12, 7))  # a Monday
    from sanxin.core.geo import in_china

    queries = []
    while len(queries) < args.queries:
        tlat, tlng, _w, _s = rng.choice(towns)
        qlat, qlng = tlat + rng.gauss(0, 0.045), tlng + rng.gauss(0, 0.045)
        if not in_china(qlat, qlng):  # the API refuses a point abroad (a town near the border)
            continue
        mask = sum(rng.sample(BITS, rng.choice([0, 1, 2])))
        at = base + dt.timedelta(minutes=rng.randrange(7 * 24 * 60))
        queries.append((qlat, qlng, mask, at))

    ours, api, mem, sql = [], [], [], []
    for i, (qlat, qlng, mask, at) in enumerate(queries):
        local = timezone.localtime(at).replace(tzinfo=None)
        t = time.perf_counter()
        got = [n.station.pk for n in selectors.nearest(qlat, qlng, amenities=mask, open_at=at, limit=5)]
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        expected = floor(qlat, qlng, mask, local)
        mem.append(time.perf_counter() - t)
        if got != expected:
            print(f"query {i}: ours {got} != scan {expected}", file=sys.stderr)
            return 1
        params = {"lat": qlat, "lng": qlng, "open_at": at.isoformat(), "limit": 5}
        params["amenity"] = [c for c, b in _codes().items() if mask & b]
        t = time.perf_counter()
        r = client.get("/api/v1/stations/nearest", params, headers={"Authorization": f"Bearer {token}"})
        body = r.json()
        api.append(time.perf_counter() - t)
        if r.status_code != 200 or [n["id"] for n in body] != expected:
            print(f"query {i}: API {r.status_code} {body!r:.200} != {expected}", file=sys.stderr)
            return 1
    from sanxin.stations import spatial

    for qlat, qlng, mask, at in queries[: args.scan_queries]:
        t = time.perf_counter()
        qs = Station.objects.filter(status=StationStatus.OPEN)
        if mask:
            from django.db.models import F

            qs = qs.alias(has=F("amenities").bitand(mask)).filter(has=mask)
        local = timezone.localtime(at)
        from django.db.models import prefetch_related_objects

        from sanxin.stations.hours import is_open

        cand = list(qs)
        prefetch_related_objects(cand, "hours", selectors._closures_around(local.date()))
        keep = [
            s
            for s in cand
            if is_open(local.replace(tzinfo=None), selectors.week_of(s), selectors.overrides_of(s))
        ]
        sorted(
            ((spatial.distance_m(qlat, qlng, s.lat, s.lng), s.pk) for s in keep),
        )[:5]
        sql.append(time.perf_counter() - t)

    def ms(xs, q):
        xs = sorted(xs)
        return 1000 * (
            statistics.median(xs) if q == 50 else xs[min(len(xs) - 1, math.ceil(q / 100 * len(xs)) - 1)]
        )

    one, five, fifteen = os.getloadavg()
    vendor = connection.vendor
    lines = [
        f"## Stations: the nearest open station among {args.stations:,} stations, {vendor} — "
        f"{args.queries:,} queries (the SQL scan: the first {args.scan_queries})",
        "",
        "| case | median ms | p99 ms |",
        "|---|---:|---:|",
        f"| ours, in process: `selectors.nearest(…, limit=5)` | {ms(ours, 50):.2f} | {ms(ours, 99):.2f} |",
        f"| ours, through the API: `GET /api/v1/stations/nearest` | {ms(api, 50):.2f} | {ms(api, 99):.2f} |",
        f"| scan, SQL: every station read, hours checked, sorted by distance | {ms(sql, 50):.1f} | {ms(sql, 99):.1f} |",
        f"| scan, in memory: NumPy over all {args.stations:,} | {ms(mem, 50):.2f} | {ms(mem, 99):.2f} |",
        "",
        f"Every answer of ours (in process and through the API) was the in-memory scan's. Building took "
        f"{built:.0f} s. Command: `{_command()}` "
        f"(2 cores, load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) at the end)",
    ]
    user.delete()
    _publish(lines)
    if args.part == "all":
        return coverage_part(args, towns=towns)
    return 0


def _command() -> str:
    """The command line that ran this (the database's address elided)."""
    prefix = "DATABASE_URL=postgres://… " if connection.vendor == "postgresql" else ""
    return prefix + " ".join(["python", "bench/stations.py", *sys.argv[1:]])


def _publish(lines: list[str]) -> None:
    if os.environ.get("BENCH_NO_PUBLISH"):
        print("\n".join(lines))
    else:
        publish(lines)


def coverage_part(args, towns=None) -> int:
    """The 15-minute circle of ``--workers`` positions (near the towns, 3 km) against the stations
    open at noon on a Monday, by riding: the time to group the points by cell, the time of the check,
    the peak memory of the process (in a fork of its own)."""
    from django.conf import settings
    from forking import forked

    from sanxin.stations import coverage, selectors
    from sanxin.stations.hours import Interval, is_open
    from sanxin.stations.models import Station, StationStatus

    rng = random.Random(11)
    if towns is None:
        if not Station.objects.exists():
            towns, _ids, _patterns = build(args.stations, rng)
        else:
            raise SystemExit("--part coverage builds its own stations: use an empty database")
    noon = dt.datetime(2026, 12, 7, 12)
    stations = []
    for s in Station.objects.filter(status=StationStatus.OPEN).prefetch_related("hours"):
        if is_open(noon, [Interval(h.weekday, h.opens, h.closes) for h in s.hours.all()]):
            stations.append((s.lat, s.lng))
    radius = coverage.radius_m(settings.STATIONS_SPEEDS_KMH["riding"], 15, settings.STATIONS_DETOUR)

    def run(n: int) -> dict:
        r = np.random.default_rng(5)
        pick = r.choice(len(towns), size=n, p=np.array([t[2] for t in towns]) / sum(t[2] for t in towns))
        tl = np.array([t[0] for t in towns])[pick]
        tg = np.array([t[1] for t in towns])[pick]
        lat = tl + r.normal(0, 3 / 111.0, n)
        lng = tg + r.normal(0, 3 / 111.0, n) / np.cos(np.radians(tl))
        t0 = time.perf_counter()
        pts = coverage.Points(lat, lng)
        t1 = time.perf_counter()
        mask = coverage.covered(pts, stations, radius)
        t2 = time.perf_counter()
        return {"group": t1 - t0, "check": t2 - t1, "covered": int(mask.sum()), "cells": len(pts.by_cell)}

    result, peak, _children = forked(run, args.workers)
    one, five, fifteen = os.getloadavg()
    del selectors
    _publish(
        [
            f"## Stations: the 15-minute service circle of {args.workers:,} worker positions, "
            f"{len(stations):,} stations open at noon, {connection.vendor}",
            "",
            "| step | seconds |",
            "|---|---:|",
            f"| group the positions by H3 cell (resolution 8: {result['cells']:,} cells) | {result['group']:.1f} |",
            f"| check every position against the stations near its cell ({radius:,.0f} m by riding) | "
            f"{result['check']:.1f} |",
            f"| total | {result['group'] + result['check']:.1f} |",
            "",
            f"{result['covered']:,} of {args.workers:,} positions within 15 minutes "
            f"({100 * result['covered'] / args.workers:.1f}%). Peak memory of the process that did it: "
            f"{peak:,.0f} MB. Command: `{_command()}` "
            f"(2 cores, load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) at the end)",
        ]
    )
    return 0


def _codes():
    from sanxin.stations.models import AMENITY_CODES

    return AMENITY_CODES


if __name__ == "__main__":
    sys.exit(main())
