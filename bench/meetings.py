"""Benchmark of 三会一课 compliance: a committee's table for its subtree and for the whole province, against
the same aggregate written as one hand-tuned SQL query, in the same run.

    python bench/meetings.py [--branches 1500] [--months 12]                 # SQLite: a tenth
    DATABASE_URL=postgres://... python bench/meetings.py --branches 15000     # PostgreSQL

The province: one provincial committee, 10 city committees, 10 committees under each, and the branches
spread evenly under those; 12 members a branch (one in six probationary). A year of meetings for every
branch, most branches keeping the rules and some not: every month a 主题党日 (96%), a 支委会 (92%) and two
党小组会; every quarter a 支部党员大会 (90%) and a 党课 (70%); a 组织生活会 and a 民主评议党员 in January;
with attendance rows for every invitee. The rows are written straight into the tables (``core.bulk``:
COPY on PostgreSQL), with the counts the services keep on a closed meeting.

Cases (median of ``--repeat`` runs after one warm-up):

- ours: ``meetings.selectors.compliance`` — the rules in force, one correlated COUNT per requirement
  on the meetings' (org, day) index, grouped by child org in SQL;
- floor: one hand-written query — the branches in the subtree, a single grouped scan of the window's
  held meetings with one SUM(CASE …) per requirement, joined back and grouped by child org;

for a month (the monthly rules judged) and a year (all of them), over one city's subtree and over the
province. Both must give the same figures, or the benchmark fails.
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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ:
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-meetings-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from forking import publish  # noqa: E402

YEAR = 2025
MEMBERS_PER_BRANCH = 12


def _step(i: int) -> str:
    from sanxin.orgs.models import Org

    out = ""
    for _ in range(Org.steplen):
        out = Org.alphabet[i % len(Org.alphabet)] + out
        i //= len(Org.alphabet)
    return out


@transaction.atomic
def build(branches: int, months: int, seed: int = 7) -> dict:
    """The province's tree, members and a year of meetings with attendance (one transaction: the ids
    are allocated up front)."""
    from django.utils import timezone

    from sanxin.core import bulk
    from sanxin.core.models import Region
    from sanxin.meetings.models import Attendance, Meeting
    from sanxin.members.models import Member
    from sanxin.orgs.models import Org, Person

    rng = random.Random(seed)
    now = timezone.now()
    Region.objects.get_or_create(code="390000000000", defaults={"name": "东江省", "level": 1})
    stamp = {"created_at": now, "updated_at": now}
    org_rows = []

    def org(path, depth, name, kind, numchild):
        org_rows.append(
            {
                "path": path,
                "depth": depth,
                "numchild": numchild,
                "code": f"B{len(org_rows):015d}",
                "name": name,
                "org_type": kind,
                "region_id": "390000000000",
                "founded_on": dt.date(2015, 1, 1),
                "status": "active",
                **stamp,
            }
        )

    per_committee = max(1, branches // 100)
    org(_step(1), 1, "中共东江省委", "committee", 10)
    branch_paths = []
    for c in range(1, 11):
        city = _step(1) + _step(c)
        org(city, 2, f"第{c}市委", "committee", 10)
        for k in range(1, 11):
            committee = city + _step(k)
            org(committee, 3, f"第{c}市第{k}党委", "committee", per_committee)
            for b in range(1, per_committee + 1):
                path = committee + _step(b)
                org(path, 4, f"第{c}市第{k}党委第{b}支部", "branch", 0)
                branch_paths.append(path)
    with transaction.atomic():
        Org.objects.bulk_create([Org(**r) for r in org_rows], batch_size=5000)
    branch_ids = dict(Org.objects.filter(depth=4).values_list("path", "pk"))
    ids = [branch_ids[p] for p in branch_paths]

    people, members, roster = [], [], {}
    person_ids = bulk.allocate_ids(Person, len(ids) * MEMBERS_PER_BRANCH)  # ids known before the insert
    n = 0
    for org_id in ids:
        roster[org_id] = []
        for j in range(MEMBERS_PER_BRANCH):
            pid = person_ids[n]
            n += 1
            full = j % 6 != 5
            people.append({"id": pid, "name": f"党员{pid}", "org_id": org_id, **stamp})
            members.append(
                {
                    "person_id": pid,
                    "standing": "full" if full else "probationary",
                    "joined_on": dt.date(2015, 7, 1) if full else dt.date(YEAR - 1, 10, 1),
                    "converted_on": dt.date(2016, 7, 1) if full else None,
                    "status": "active",
                    **stamp,
                }
            )
            roster[org_id].append((pid, full))
    with transaction.atomic():
        Person.objects.bulk_create([Person(**r) for r in people], batch_size=5000)
        Member.objects.bulk_create([Member(**r) for r in members], batch_size=5000)

    tz = dt.timezone(dt.timedelta(hours=8))
    meetings, attendance = [], []
    meeting_ids = iter(bulk.allocate_ids(Meeting, len(ids) * months * 6))

    def meeting(org_id, kind, day, audience, present_rate):
        invited = audience
        present = [(pid, full) for pid, full in invited if rng.random() < present_rate]
        mid = next(meeting_ids)
        start = dt.datetime.combine(day, dt.time(19), tzinfo=tz)
        voting = sum(1 for _p, full in invited if full)
        present_voting = sum(1 for _p, full in present if full)
        if kind in ("general", "life_meeting", "appraisal"):
            quorum = voting > 0 and 2 * present_voting > voting
        elif kind == "committee":
            quorum = len(invited) > 0 and 2 * len(present) > len(invited)
        else:
            quorum = True
        meetings.append(
            {
                "id": mid,
                "org_id": org_id,
                "kind": kind,
                "topic": kind,
                "starts_at": start,
                "ends_at": start + dt.timedelta(minutes=90),
                "held_on": day,
                "mode": "offline",
                "place": "活动室",
                "online_url": "",
                "status": "held",
                "remind_minutes": 1440,
                "checkin_secret": "0" * 32,
                "checkin_radius_m": 300,
                "cancel_reason": "",
                "invited_count": len(invited),
                "voting_count": voting,
                "present_count": len(present),
                "present_voting": present_voting,
                "quorum_met": quorum,
                "closed_at": start + dt.timedelta(minutes=90),
                **stamp,
            }
        )
        here = {pid for pid, _f in present}
        for pid, full in invited:
            attendance.append(
                {
                    "meeting_id": mid,
                    "member_id": pid,
                    "status": "present" if pid in here else "absent",
                    "voting": full,
                    "method": "manual" if pid in here else "",
                    "leave_reason": "",
                    "leave_note": "",
                    **stamp,
                }
            )

    def flush():
        with transaction.atomic():
            bulk.insert(Meeting, meetings)
            bulk.insert(Attendance, attendance)
        meetings.clear()
        attendance.clear()

    for i, org_id in enumerate(ids):
        people_here = roster[org_id]
        committee, groups = people_here[:5], (people_here[:6], people_here[6:])
        keeper = rng.random()  # how well this branch keeps the rules
        for mo in range(1, months + 1):
            first = dt.date(YEAR, mo, 1)
            if rng.random() < 0.96 * (0.5 + keeper):
                meeting(org_id, "theme_day", first.replace(day=15), people_here, 0.85)
            if rng.random() < 0.92 * (0.5 + keeper):
                meeting(org_id, "committee", first.replace(day=5), committee, 0.9)
            for g in groups:
                meeting(org_id, "group", first.replace(day=10), g, 0.8)
            if mo % 3 == 0:
                if rng.random() < 0.9:
                    meeting(org_id, "general", first.replace(day=20), people_here, 0.75)
                if rng.random() < 0.7:
                    meeting(org_id, "lecture", first.replace(day=25), people_here, 0.8)
            if mo == 1:
                meeting(org_id, "life_meeting", first.replace(day=18), people_here, 0.85)
                meeting(org_id, "appraisal", first.replace(day=22), people_here, 0.85)
        if len(attendance) > 200_000 or i == len(ids) - 1:
            flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"city": Org.objects.get(depth=2, path=_step(1) + _step(1)), "root": Org.objects.get(depth=1)}


def floor_sql(reqs, under, start, end, today) -> tuple[str, list]:
    """The same figures as one hand-written query: one grouped scan of the window's held meetings."""
    from sanxin.orgs.models import BRANCH_TYPES, Org

    depth = under.depth + 1
    width = depth * Org.steplen
    judged = [q for q in reqs if q.judged]
    sums, params = [], []
    for i, q in enumerate(judged):
        quorum = " AND m.quorum_met" if q.quorum != "none" else ""
        sums.append(
            f"SUM(CASE WHEN m.kind = %s AND m.held_on >= %s AND m.held_on < %s{quorum} THEN 1 ELSE 0 END) AS r{i}"
        )
        params += [q.kind, q.start, q.end]
    missed = " + ".join(
        f"CASE WHEN COALESCE(h.r{i}, 0) < {q.min_count} AND %s THEN 1 ELSE 0 END"
        for i, q in enumerate(judged)
    )
    missed_params = [q.end <= today for q in judged]
    pending = " + ".join(
        f"CASE WHEN COALESCE(h.r{i}, 0) < {q.min_count} AND NOT %s THEN 1 ELSE 0 END"
        for i, q in enumerate(judged)
    )
    hi = under.path[:-1] + chr(ord(under.path[-1]) + 1)
    types = sorted(str(t) for t in BRANCH_TYPES)
    marks = ", ".join(["%s"] * len(types))
    sql = f"""
    WITH b AS (
        SELECT id, path FROM orgs_org
        WHERE path >= %s AND path < %s AND org_type IN ({marks}) AND status = 'active'
    ), h AS (
        SELECT m.org_id, {", ".join(sums)}, SUM(m.invited_count) AS invited, SUM(m.present_count) AS present
        FROM meetings_meeting m JOIN b ON b.id = m.org_id
        WHERE m.status = 'held' AND m.held_on >= %s AND m.held_on < %s
        GROUP BY m.org_id
    ), s AS (
        SELECT SUBSTR(b.path, 1, {width}) AS child, ({missed}) AS missed, ({pending}) AS pending,
               COALESCE(h.invited, 0) AS invited, COALESCE(h.present, 0) AS present
        FROM b LEFT JOIN h ON h.org_id = b.id
    )
    SELECT child, COUNT(*), SUM(CASE WHEN missed = 0 AND pending = 0 THEN 1 ELSE 0 END),
           SUM(CASE WHEN missed > 0 THEN 1 ELSE 0 END), SUM(invited), SUM(present)
    FROM s GROUP BY child ORDER BY child
    """  # noqa: S608 (every value is a bound parameter; only generated aliases are formatted in)
    return sql, [under.path, hi, *types, *params, start, end, *missed_params, *missed_params]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=1500)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from sanxin.core.scope import Scope
    from sanxin.meetings import selectors
    from sanxin.meetings.models import Attendance, Meeting
    from sanxin.orgs.models import Org

    if not Meeting.objects.exists():
        t = time.perf_counter()
        where = build(args.branches, args.months)
        print(f"built in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    else:
        where = {"city": Org.objects.get(depth=2, path=_step(1) + _step(1)), "root": Org.objects.get(depth=1)}
    n_branches = Org.objects.filter(depth=4).count()
    n_meetings, n_attendance = Meeting.objects.count(), Attendance.objects.count()
    today = dt.date(YEAR + 1, 1, 15)
    windows = [
        ("a month", dt.date(YEAR, 6, 1), dt.date(YEAR, 7, 1)),
        ("a year", dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1)),
    ]
    rows = []
    for label, start, end in windows:
        for scope_label, under in (("one city's subtree", where["city"]), ("the province", where["root"])):

            def ours(under=under, start=start, end=end):
                t = selectors.compliance(Scope.all(), start, end, under=under, today=today)
                return [
                    (
                        r["child"],
                        r["branches"],
                        r["compliant_n"],
                        r["missed_n"],
                        r["invited_n"],
                        r["present_n"],
                    )
                    for r in t.rows
                ]

            reqs = selectors.requirements(start, end)
            sql, params = floor_sql(reqs, under, start, end, today)

            def floor(sql=sql, params=params):
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    return [
                        tuple(int(v) if not isinstance(v, str) else v for v in row) for row in cur.fetchall()
                    ]

            a, b = ours(), floor()
            assert a == b, f"ours and the floor disagree for {label} over {scope_label}:\n{a[:3]}\n{b[:3]}"
            branches_in = sum(r[1] for r in a)
            t_ours, t_floor = _median(ours, args.repeat), _median(floor, args.repeat)
            rows.append(
                f"| {label}, {scope_label} ({branches_in:,} branches, {sum(q.judged for q in reqs)} requirements judged) "
                f"| {t_ours:,.0f} | {t_floor:,.0f} | {t_ours / t_floor:.1f}× |"
            )
    vendor = connection.vendor
    cmd = ("DATABASE_URL=postgres://… " if vendor == "postgresql" else "") + (
        f"python bench/meetings.py --branches {args.branches} --months {args.months}"
    )
    publish(
        [
            f"## 三会一课 compliance, {vendor} — {n_branches:,} branches, {n_meetings:,} meetings, "
            f"{n_attendance:,} attendance rows, median of {args.repeat}",
            "",
            "| table | ours ms | floor (one hand-written query) ms | ours / floor |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"Command: `{cmd}`",
        ]
    )
    return 0


def _median(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


if __name__ == "__main__":
    sys.exit(main())
