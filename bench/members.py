"""Benchmark of the member registry: the roster import and the search of people.

    make bench                                   # every benchmark, embedded SQLite
    python bench/members.py [--rows 100000] [--people 1000000] [--queries 200]
    DATABASE_URL=postgres://... python bench/members.py ...

1. **Roster import** (党员名册): a ``--rows``-row roster (.xlsx and .csv) of new members spread over 200
   branches, each with a valid resident ID, a phone, the membership dates and the work, measured in
   the same run against

   - the floor: the child-process parse of the file plus an executemany of all its cells into a
     scratch table plus one aggregate query — what any import must do, without our logic;
   - the full import through the import framework (upload with its checks and parse, then the run
     in valid-rows-only mode: validation with the resident ID's check digit and birth date, the keyed
     hash (blind index) of the ID and the phone, AES-GCM encryption of both, the org lookup in scope,
     then per batch the writes of people, members, the two membership relations each, the work, and
     the audit rows).

   Rows per second and peak resident memory of the importing process (the parsing child apart); each
   case runs in a forked process so its peak is its own.

2. **Search among ``--people`` people** (of whom a fifth are members): median and p95 latency of
   ``--queries`` requests each through the API, in-process (Django's test client, a bearer token, the
   middleware, the permission and scope checks, the JSON): members by name (``GET /api/v1/members/
   ?q=``), people by phone and by resident ID (``POST /api/v1/people/search``, the identifier in the
   body, found by its blind index).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ:
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-members-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from forking import forked, publish, write_sheet  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from sanxin.members.imports import COLUMNS  # noqa: E402

HEADER = [c.label for c in COLUMNS]  # the roster layout, as branches keep it

BRANCHES = 200
PASSWORD = "bench-Passw0rd!"  # noqa: S105


def resident_id(i: int) -> str:
    """The i-th of a million distinct valid IDs: birth dates over 1970–1999, a serial per date."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 10950)
    body = f"390102{birth:%Y%m%d}{i // 10950:03d}"
    return body + ric.calc_check_digit(body + "?")


def phone(i: int) -> str:
    return f"139{i:08d}"


def name(rng: random.Random) -> str:
    from sanxin.demo.builtin import person_name

    return person_name(rng)


def setup_orgs() -> list:
    from sanxin.core.models import Region
    from sanxin.orgs import services
    from sanxin.orgs.models import OrgType

    Region.objects.get_or_create(code="390000000000", defaults={"name": "东江省", "level": 1})
    Region.objects.get_or_create(
        code="390100000000", defaults={"name": "新河市", "level": 2, "parent_id": "390000000000"}
    )
    Region.objects.get_or_create(
        code="390102000000", defaults={"name": "新城区", "level": 3, "parent_id": "390100000000"}
    )
    city = services.org_create(
        actor=None,
        parent=None,
        name="中共新河市委员会",
        org_type=OrgType.PARTY_COMMITTEE,
        region="390100000000",
        founded_on=dt.date(2000, 1, 1),
    )
    committee = services.org_create(
        actor=None,
        parent=city,
        name="快递外卖行业党委",
        org_type=OrgType.INDUSTRY_COMMITTEE,
        region="390100000000",
        founded_on=dt.date(2005, 1, 1),
    )
    return [
        services.org_create(
            actor=None,
            parent=committee,
            name=f"基准第{i:03d}流动党员党支部",
            org_type=OrgType.MOBILE_BRANCH,
            region="390102000000",
            founded_on=dt.date(2006, 1, 1),
        )
        for i in range(BRANCHES)
    ]


def reset() -> None:
    from django.contrib.auth import get_user_model

    call_command("flush", interactive=False, verbosity=0)
    user = get_user_model().objects.create(username="bench-admin", is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    setup_orgs()


# --- 1. the roster import -------------------------------------------------------------------------


def write_roster(path: Path, rows: int) -> None:
    rng = random.Random(11)

    def lines():
        for i in range(rows):
            yield [
                name(rng),
                "",
                "汉族",
                resident_id(i),
                "高中",
                "东江省新河市",
                phone(i),
                f"基准第{i % BRANCHES:03d}流动党员党支部",
                "正式党员",
                "2019-07-01",
                "2020-07-01",
                "外卖骑手",
                "蜂行快送",
                "城关片区",
            ]

    write_sheet(path, "党员名册", HEADER, lines())


def floor(path: Path) -> tuple[float, int]:
    """Parse in the child process + executemany of every cell into a scratch table + one aggregate."""
    from sanxin.core.excel import checks, reader

    cols = ", ".join(f"c{i} varchar(200)" for i in range(len(HEADER)))
    marks = ", ".join(["%s"] * len(HEADER))
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor")
        cur.execute(f"CREATE TABLE bench_floor ({cols})")
    n = 0
    with reader.read(path, checks.check_file(path, path.name)) as sheet:
        batch = []
        for _line, cells in sheet.rows():
            batch.append(tuple(cells[: len(HEADER)]))
            if len(batch) == 10000:
                with connection.cursor() as cur:
                    cur.executemany(f"INSERT INTO bench_floor VALUES ({marks})", batch)  # noqa: S608
                n += len(batch)
                batch = []
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO bench_floor VALUES ({marks})", batch)  # noqa: S608
        n += len(batch)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), COUNT(DISTINCT c3) FROM bench_floor")
        cur.fetchone()
        cur.execute("DROP TABLE bench_floor")
    return time.perf_counter() - t, n


def import_case(path: Path):
    from django.contrib.auth import get_user_model

    from sanxin.core.excel import importer as imp
    from sanxin.members.models import Member

    actor = get_user_model().objects.get(username="bench-admin")
    t = time.perf_counter()
    with open(path, "rb") as fh:
        job = imp.job_create(
            actor=actor,
            importer_key="members",
            name=path.name,
            chunks=iter(lambda: fh.read(1 << 20), b""),
            mode="valid",
        )
    uploaded = time.perf_counter() - t
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    job = imp.run_job(job.pk)
    total = time.perf_counter() - t
    print(
        f"  {path.name}: upload {uploaded:.1f}s, run {total - uploaded:.1f}s: {job.message}", file=sys.stderr
    )
    return total, {
        "status": job.status,
        "rows": job.rows_total,
        "created": job.created_count,
        "errors": job.error_count,
        "members": Member.objects.count(),
    }


# --- 2. search among a million people -------------------------------------------------------------


def setup_people(n: int) -> list[tuple[str, str, str]]:
    """``n`` people (every fifth a member of one of the branches), written with ``core.bulk`` as the
    import writes them (encrypted identifiers, blind indexes); returns (name, phone, ID) samples."""
    from sanxin.core import bulk
    from sanxin.core import crypto as pii
    from sanxin.members.models import Member, OrgRelation
    from sanxin.orgs.models import Org, OrgType, Person

    branches = list(Org.objects.filter(org_type=OrgType.MOBILE_BRANCH).values_list("pk", flat=True))
    rng = random.Random(5)
    samples = []
    chunk = 20000
    for start in range(0, n, chunk):
        people, members, relations = [], [], []
        for i in range(start, min(n, start + chunk)):
            rid, tel = resident_id(i), phone(i)
            people.append(
                {
                    "name": name(rng),
                    "resident_id": rid,
                    "resident_id_index": pii.blind_index(rid, purpose="resident_id"),
                    "phone": tel,
                    "phone_index": pii.blind_index(tel, purpose="phone"),
                    "birth_date": dt.date(1970, 1, 1) + dt.timedelta(days=i % 10950),
                    "org_id": branches[i % len(branches)] if i % 5 == 0 else None,
                }
            )
        ids = bulk.insert(Person, people, ids=True)
        for i, (pk, p) in enumerate(zip(ids, people, strict=True), start=start):
            if i % 5 == 0:
                members.append(
                    {
                        "person_id": pk,
                        "standing": "full",
                        "joined_on": dt.date(2019, 7, 1),
                        "converted_on": dt.date(2020, 7, 1),
                    }
                )
                for kind in ("formal", "activity"):
                    relations.append(
                        {
                            "member_id": pk,
                            "org_id": p["org_id"],
                            "kind": kind,
                            "source": "register",
                            "start_on": dt.date(2019, 7, 1),
                        }
                    )
                if rng.random() < 0.01:
                    samples.append((p["name"], p["phone"], p["resident_id"]))
        bulk.insert(Member, members)
        bulk.insert(OrgRelation, relations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return samples


def search_case(people: int, queries: int):
    from django.test import Client

    from sanxin.accounts.services import token_issue

    t = time.perf_counter()
    samples = setup_people(people)
    print(f"{people:,} people written in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    from django.test import RequestFactory

    login = RequestFactory().post("/api/v1/auth/token")  # the brute-force guard wants a request
    token = token_issue(request=login, username="bench-admin", password=PASSWORD)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    rng = random.Random(9)
    picks = [rng.choice(samples) for _ in range(queries)]

    def timed(call) -> list[float]:
        out = []
        for sample in picks:
            t = time.perf_counter()
            response = call(sample)
            out.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            assert (body["count"] if isinstance(body, dict) else len(body)) >= 1, body
        return out

    import json

    def search(**payload):
        return client.post("/api/v1/people/search", json.dumps(payload), content_type="application/json")

    results = {
        "members by name — GET /api/v1/members/?q=": timed(
            lambda s: client.get("/api/v1/members/", {"q": s[0]})
        ),
        "people by phone — POST /api/v1/people/search": timed(lambda s: search(phone=s[1])),
        "people by resident ID — POST /api/v1/people/search": timed(lambda s: search(resident_id=s[2])),
    }
    return {k: (statistics.median(v), statistics.quantiles(v, n=20)[18]) for k, v in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--formats", default="xlsx,csv")
    args = parser.parse_args()
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    work = Path(tempfile.mkdtemp(prefix="sanxin-bench-files-"))
    limits = {
        "IMPORT_MAX_ROWS": args.rows + 10,
        "IMPORT_PARSE_TIMEOUT": 3600,
        "IMPORT_UPLOAD_PARSE_TIMEOUT": 3600,
    }
    rows = []
    with override_settings(**limits):
        for fmt in args.formats.split(","):
            path = work / f"roster.{fmt}"
            write_roster(path, args.rows)
            size = path.stat().st_size / 1024 / 1024
            reset()
            (secs, n), peak, child = forked(floor, path)
            rows.append(
                (
                    f"{fmt} ({size:.0f} MB): floor — parse in the child + executemany + one aggregate",
                    n,
                    secs,
                    peak,
                    child,
                )
            )
            floor_secs = secs
            (secs, job), peak, child = forked(import_case, path)
            assert job["created"] == args.rows and job["members"] == args.rows, job
            rows.append(
                (
                    f"{fmt}: full import ({job['status']}: {job['created']:,} members registered; "
                    f"{secs / floor_secs:.1f}× the floor)",
                    job["rows"],
                    secs,
                    peak,
                    child,
                )
            )
    reset()
    latencies, _, _ = forked(search_case, args.people, args.queries)
    vendor = connection.vendor
    lines = [
        f"## member registry, {vendor} — a {args.rows:,}-row roster import; search among {args.people:,} people",
        "",
        "| case | rows | seconds | rows/s | peak MB (importing process) | peak MB (parsing child) |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {name} | {n:,} | {s:.1f} | {n / s:,.0f} | {p:.0f} | {c:.0f} |" for name, n, s, p, c in rows],
        "",
        f"| search among {args.people:,} people ({args.queries} queries each, in-process API) | median ms | p95 ms |",
        "|---|---:|---:|",
        *[f"| {k} | {m:.1f} | {p:.1f} |" for k, (m, p) in latencies.items()],
        "",
        f"Command: `{'DATABASE_URL=postgres://… ' if vendor == 'postgresql' else ''}python bench/members.py "
        f"--rows {args.rows} --people {args.people} --queries {args.queries}`",
        "",
    ]
    publish(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
