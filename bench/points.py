"""Benchmark of 积分管理 reads: a member's page (balance, breakdown and the first page of the ledger), a
branch's monthly ranking and a committee's monthly ranking with the category breakdown, against the
same figures written as hand-tuned SQL, in the same run.

    python bench/points.py [--members 50000]                                  # SQLite: a tenth
    DATABASE_URL=postgres://... python bench/points.py --members 500000        # PostgreSQL

The province: one provincial committee, 10 city committees, under each five industry committees
(两新组织, 国资, 教育, 卫健, 机关; the first twice the size of the next two, four times the last two),
and under those the branches, 10 members a branch: at full size 50,000 branches, and the 两新组织
committee of each city has 2,000 branches and 20,000 members. Each industry committee has its own
catalogue (five categories × 基础分/先锋分, two deduction items; some items automatic, the others
declared); each city committee contracts five services. A year of ledger rows, about 10 a member: credits
(declared ones with their claim and the committee's reviewer as 认定人, booked one to three weeks after
the deed; automatic ones the same day), members' activity spread unevenly, a few deductions, a few
reversals (冲正), purchases of services (with their voucher) and refunds of cancelled ones. Rows are
booked in time order across all members (ids follow the booking, as in a live ledger: a member's rows
are spread over the table), each spendable change as the ledger gate would compute it; every member's
``points_balance`` row holds the sums of their rows, which the build checks. The rows are written
straight into the tables (``core.bulk``: COPY on PostgreSQL), by INSERT only: the ledger's trigger
refuses updates.

Cases (median and p95 of ``--repeat`` runs after one warm-up; ours and the floor alternate which runs
first):

1. a member's page: ``selectors.summary`` and the first page (20 rows, with the paginator's count) of
   ``selectors.history``, as the page builds it — floor: two hand-written queries (the balance with the
   aggregate of the member's rows; the page's 20 rows, with the total count as a window); a different
   member each run;
2. a branch's monthly ranking: ``selectors.ranking(branch, month)`` — floor: one grouped query on the
   branch's rows with the names joined; a different branch each run;
3. a committee's monthly ranking with the category breakdown, the first 100: ``selectors.ranking(committee,
   month, limit=100)`` over the largest industry committee — floor: one hand-written grouped query
   (the subtree's branches by path range, SUM(CASE …) per category and tier, RANK()) with the names
   joined;
4. the same committee's branches ranked for the month (``by="branch"``), the first 100.

Both must give the same figures (every row, every column, every run), or the benchmark fails.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import math
import os
import random
import sys
import tempfile
import time
from operator import itemgetter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ:
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-points-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from forking import measure, publish  # noqa: E402

YEAR = 2025
MONTH = 6  # the month the rankings are asked for
MEMBERS_PER_BRANCH = 10
CITIES = 10
# (name, share of the city's branches in tenths)
INDUSTRIES = [("两新组织党工委", 4), ("国资委党委", 2), ("教育工委", 2), ("卫健工委", 1), ("机关工委", 1)]
# code, name, category, tier, points, automatic, weight (how often it is earned)
ITEMS = [
    ("L01", "参加组织生活", "life", "basic", 2, True, 26),
    ("L02", "按时足额交纳党费", "life", "basic", 1, True, 12),
    ("L11", "讲党课", "life", "pioneer", 10, False, 2),
    ("S01", "线上学习", "study", "basic", 1, True, 16),
    ("S02", "参加集中培训", "study", "basic", 3, False, 8),
    ("S11", "学习心得获评优秀", "study", "pioneer", 8, False, 2),
    ("V01", "参加志愿服务", "volunteer", "basic", 3, False, 12),
    ("V11", "带头组织志愿服务", "volunteer", "pioneer", 10, False, 3),
    ("G01", "参与社区治理", "governance", "basic", 3, False, 6),
    ("G11", "化解矛盾纠纷", "governance", "pioneer", 15, False, 1),
    ("P01", "群众好评", "praise", "basic", 2, False, 6),
    ("P11", "受到表彰", "praise", "pioneer", 20, False, 1),
]
DEDUCTIONS = [
    ("D01", "无故缺席组织生活", "life", "basic", -5, True),
    ("D02", "违反群众纪律", "governance", "basic", -10, False),
]
OFFERS = [("reading", "读书卡", 20), ("travel", "景区门票", 50), ("medical", "健康体检", 80)]
OFFERS += [("childcare", "托幼服务", 100), ("education", "学历提升补贴", 150)]
CREDITS_A_MONTH = 0.81  # times a member's activity (mean 1)
DEDUCTION_A_MONTH = 0.02
SPEND_A_MONTH = 0.07  # when the member can afford the offer
REVERSED = 0.005  # of credits
REFUNDED = 0.1  # of purchases


def _step(i: int) -> str:
    from sanxin.orgs.models import Org

    out = ""
    for _ in range(Org.steplen):
        out = Org.alphabet[i % len(Org.alphabet)] + out
        i //= len(Org.alphabet)
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def build(members: int, seed: int = 7) -> None:
    """The tree, the members, the catalogues and services, then a year of ledger rows booked month by
    month (one transaction a month: the ids are allocated up front), then the balances."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sanxin.core import bulk
    from sanxin.core.models import Region
    from sanxin.members.models import Member
    from sanxin.orgs.models import Org, Person
    from sanxin.points.models import Balance, Catalogue, Claim, Entry, Item, Offer, Partner, Voucher

    rng = random.Random(seed)
    now = timezone.now()
    stamp = {"created_at": now, "updated_at": now}
    branches = members // MEMBERS_PER_BRANCH
    per_city = branches // CITIES
    sizes = [per_city * share // 10 for _n, share in INDUSTRIES]
    sizes[0] += per_city - sum(sizes)

    with transaction.atomic():
        Region.objects.get_or_create(code="390000000000", defaults={"name": "东江省", "level": 1})
        org_rows = []

        def org(path, depth, name, kind, numchild):
            org_rows.append(
                {
                    "path": path,
                    "depth": depth,
                    "numchild": numchild,
                    "code": f"P{len(org_rows):015d}",
                    "name": name,
                    "org_type": kind,
                    "region_id": "390000000000",
                    "founded_on": dt.date(2015, 1, 1),
                    "status": "active",
                    **stamp,
                }
            )

        org(_step(1), 1, "中共东江省委", "committee", CITIES)
        branch_paths = []  # (path, city path, committee path)
        for c in range(1, CITIES + 1):
            city = _step(1) + _step(c)
            org(city, 2, f"中共第{c}市委", "committee", len(INDUSTRIES))
            for k, (label, _share) in enumerate(INDUSTRIES, start=1):
                committee = city + _step(k)
                org(committee, 3, f"第{c}市{label}", "committee", sizes[k - 1])
                for b in range(1, sizes[k - 1] + 1):
                    path = committee + _step(b)
                    org(path, 4, f"第{c}市{label}第{b}支部", "branch", 0)
                    branch_paths.append((path, city, committee))
        bulk.insert(Org, org_rows)
    org_ids = dict(Org.objects.values_list("path", "pk"))

    User = get_user_model()
    committees = sorted({committee for _p, _c, committee in branch_paths})
    with transaction.atomic():
        accounts = [
            User(username=f"bench-points-{i}", display_name=f"审核员{i}") for i in range(len(committees))
        ]
        for u in accounts:
            u.set_unusable_password()
        User.objects.bulk_create(accounts)
    users = dict(User.objects.filter(username__startswith="bench-points-").values_list("username", "pk"))
    reviewer = {org_ids[p]: users[f"bench-points-{i}"] for i, p in enumerate(committees)}

    # catalogues and items: item[committee_id][code] = (id, category, tier, points, name, automatic)
    item: dict[int, dict[str, tuple]] = {}
    with transaction.atomic():
        for path in committees:
            cat = Catalogue.objects.create(
                org_id=org_ids[path], version=1, title="党员积分管理细则", start_on=dt.date(YEAR - 1, 1, 1)
            )
            objs = [
                Item(
                    catalogue=cat,
                    code=code,
                    name=name,
                    category=category,
                    tier=tier,
                    points=points,
                    month_cap=None,
                    year_cap=None,
                    mode="automatic" if auto else "declared",
                    order=n,
                )
                for n, (code, name, category, tier, points, auto, *_w) in enumerate(ITEMS + DEDUCTIONS)
            ]
            Item.objects.bulk_create(objs)
            item[org_ids[path]] = {
                i.code: (i.pk, i.category, i.tier, i.points, i.name, i.mode == "automatic") for i in objs
            }
    # each city committee's five services: offers[city_id] = [(offer id, title, price), ...]
    offers: dict[int, list[tuple]] = {}
    with transaction.atomic():
        for c in range(1, CITIES + 1):
            city_id = org_ids[_step(1) + _step(c)]
            offers[city_id] = []
            for kind, title, price in OFFERS:
                partner = Partner.objects.create(org_id=city_id, name=f"第{c}市{title}合作方", kind=kind)
                offer = Offer.objects.create(
                    partner=partner,
                    kind=kind,
                    title=title,
                    price=price,
                    stock=1_000_000,
                    valid_from=dt.date(YEAR, 1, 1),
                    valid_to=dt.date(YEAR, 12, 31),
                )
                offers[city_id].append((offer.pk, title, price))

    # members: 10 a branch; per member index: id, branch, committee, city, activity
    m_id, m_branch, m_committee, m_city, m_activity = [], [], [], [], []
    with transaction.atomic():
        person_ids = bulk.allocate_ids(Person, len(branch_paths) * MEMBERS_PER_BRANCH)
        people, member_rows = [], []
        n = 0
        for path, city, committee in branch_paths:
            for _j in range(MEMBERS_PER_BRANCH):
                pid = person_ids[n]
                n += 1
                people.append({"id": pid, "name": f"党员{pid}", "org_id": org_ids[path], **stamp})
                member_rows.append(
                    {
                        "person_id": pid,
                        "standing": "full",
                        "joined_on": dt.date(2010, 7, 1),
                        "converted_on": dt.date(2011, 7, 1),
                        "status": "active",
                        **stamp,
                    }
                )
                m_id.append(pid)
                m_branch.append(org_ids[path])
                m_committee.append(org_ids[committee])
                m_city.append(org_ids[city])
                m_activity.append(rng.gammavariate(2.0, 0.5))
        bulk.insert(Person, people)
        bulk.insert(Member, member_rows)
    del people, member_rows

    n_members = len(m_id)
    earned = [0] * n_members
    spendable = [0] * n_members
    booked_any = [False] * n_members
    codes = [c for c, *_rest in ITEMS]
    cum = []
    acc = 0
    for *_rest, w in ITEMS:
        acc += w
        cum.append(acc)
    pending: list[list] = []  # events to book: [booked key, kind, member index, payload...]
    serial = 0
    t0 = time.perf_counter()
    for month in range(1, 13):
        days = calendar.monthrange(YEAR, month)[1]
        first = dt.date(YEAR, month, 1).toordinal()
        for i in range(n_members):
            lam = CREDITS_A_MONTH * m_activity[i]
            for _ in range(_poisson(rng, lam)):
                code = rng.choices(codes, cum_weights=cum)[0]
                deed = first + rng.randrange(days)
                auto = item[m_committee[i]][code][5]
                booked = deed + (0 if auto else rng.randint(7, 21)) + rng.random()
                credit = [booked, "credit", i, code, deed, None]  # the last: its entry id once booked
                pending.append(credit)
                if rng.random() < REVERSED:
                    pending.append([booked + rng.randint(3, 30), "reversal", i, credit])
            if rng.random() < DEDUCTION_A_MONTH:
                code = "D01" if rng.random() < 0.7 else "D02"
                deed = first + rng.randrange(days)
                auto = item[m_committee[i]][code][5]
                pending.append(
                    [deed + (0 if auto else rng.randint(7, 21)) + rng.random(), "deduction", i, code, deed]
                )
            if rng.random() < SPEND_A_MONTH:
                offer = rng.choice(offers[m_city[i]])
                booked = first + rng.randrange(days) + rng.random()
                refunded = rng.random() < REFUNDED
                spend = [booked, "spend", i, offer, None, refunded]  # [4]: its voucher id once booked
                pending.append(spend)
                if refunded:
                    pending.append([booked + rng.randint(1, 20), "refund", i, spend])
        horizon = dt.date(YEAR + (month == 12), month % 12 + 1, 1).toordinal()
        if month == 12:
            horizon = math.inf  # book what is left: late claims of December
        now_due = sorted((e for e in pending if e[0] < horizon), key=itemgetter(0))
        pending = [e for e in pending if e[0] >= horizon]
        with transaction.atomic():
            entry_ids = iter(bulk.allocate_ids(Entry, len(now_due)))
            claim_ids = iter(bulk.allocate_ids(Claim, len(now_due)))
            voucher_ids = iter(bulk.allocate_ids(Voucher, sum(1 for e in now_due if e[1] == "spend")))
            entries, claims, vouchers = [], [], []
            for e in now_due:
                kind, i = e[1], e[2]
                mid, branch, committee = m_id[i], m_branch[i], m_committee[i]
                row = {
                    "member_id": mid,
                    "branch_id": branch,
                    "committee_id": committee,
                    "kind": kind,
                    "item_id": None,
                    "item_code": "",
                    "category": "",
                    "tier": "",
                    "claim_id": None,
                    "voucher_id": None,
                    "event_id": None,
                    "reverses_id": None,
                    "decided_by_id": None,
                }
                if kind in ("credit", "deduction"):
                    code, deed = e[3], e[4]
                    item_id, category, tier, points, name, auto = item[committee][code]
                    on = dt.date.fromordinal(deed)
                    sp = points if points > 0 else -min(-points, spendable[i])
                    row.update(
                        on=on,
                        item_id=item_id,
                        item_code=code,
                        category=category,
                        tier=tier,
                        points=points,
                        spendable=sp,
                        reason=name,
                    )
                    if auto:
                        serial += 1
                        row["source_key"] = f"event:bench-{serial}:{code}"
                    else:
                        cid = next(claim_ids)
                        claims.append(
                            {
                                "id": cid,
                                "member_id": mid,
                                "branch_id": branch,
                                "committee_id": committee,
                                "item_id": item_id,
                                "deed_on": on,
                                "description": f"{on:%m月%d日}{name}",
                                "points": points,
                                "status": "credited",
                                **stamp,
                            }
                        )
                        row.update(claim_id=cid, source_key=f"claim:{cid}", decided_by_id=reviewer[committee])
                        row["reason"] = f"{name}：{on:%m月%d日}{name}"
                    if kind == "credit":
                        e[5] = row
                elif kind == "reversal":
                    orig = e[3][5]
                    points = -orig["points"]
                    sp = -min(orig["points"], spendable[i])
                    row.update(
                        {k: orig[k] for k in ("on", "item_id", "item_code", "category", "tier", "claim_id")},
                        points=points,
                        spendable=sp,
                        reason=f"冲正：{orig['reason']}"[:200],
                        reverses_id=orig["id"],
                        source_key=f"reverse:{orig['id']}",
                        decided_by_id=reviewer[committee],
                    )
                elif kind == "spend":
                    offer_id, title, price = e[3]
                    if spendable[i] < price:
                        continue  # cannot afford it (then, nor its refund later)
                    vid = next(voucher_ids)
                    e[4] = vid
                    on = dt.date.fromordinal(int(e[0]))
                    vouchers.append(
                        {
                            "id": vid,
                            "offer_id": offer_id,
                            "member_id": mid,
                            "code": f"BP{vid:014d}",
                            "price": price,
                            "status": "cancelled" if e[5] else "redeemed",
                            "expires_on": on + dt.timedelta(days=30),
                            **stamp,
                        }
                    )
                    row.update(
                        committee_id=m_city[i],
                        on=on,
                        points=0,
                        spendable=-price,
                        reason=f"兑换：{title}",
                        voucher_id=vid,
                        source_key=f"voucher:{vid}:spend",
                    )
                else:  # refund
                    vid = e[3][4]
                    if vid is None:
                        continue
                    _offer_id, title, price = e[3][3]
                    row.update(
                        committee_id=m_city[i],
                        on=dt.date.fromordinal(int(e[0])),
                        points=0,
                        spendable=price,
                        reason=f"取消兑换：{title}",
                        voucher_id=vid,
                        source_key=f"voucher:{vid}:refund",
                    )
                row["id"] = next(entry_ids)
                earned[i] += row["points"]
                spendable[i] += row["spendable"]
                booked_any[i] = True
                entries.append(row)
            bulk.insert(Claim, claims)
            bulk.insert(Voucher, vouchers)
            bulk.insert(Entry, entries)
        print(
            f"  month {month}: {len(entries):,} rows booked ({time.perf_counter() - t0:.0f}s)",
            file=sys.stderr,
        )
    with transaction.atomic():
        bulk.insert(
            Balance,
            [
                {"member_id": m_id[i], "earned": earned[i], "spendable": spendable[i]}
                for i in range(n_members)
                if booked_any[i]
            ],
        )
    with connection.cursor() as cur:
        # every balance holds the sums of its member's rows, and every member with rows has one
        cur.execute(
            """
            SELECT COUNT(*) FROM (
                SELECT member_id, SUM(points) AS p, SUM(spendable) AS s FROM points_entry GROUP BY member_id
            ) l LEFT JOIN points_balance b ON b.member_id = l.member_id
            WHERE b.member_id IS NULL OR l.p <> b.earned OR l.s <> b.spendable
            """
        )
        wrong = cur.fetchone()[0]
        cur.execute(
            "SELECT COUNT(*) FROM points_balance b "
            "WHERE NOT EXISTS (SELECT 1 FROM points_entry e WHERE e.member_id = b.member_id)"
        )
        wrong += cur.fetchone()[0]
        assert wrong == 0, f"{wrong} balances disagree with the ledger"
        if connection.vendor == "postgresql":
            # what autovacuum does to a table at rest: statistics, and the visibility map for
            # index-only scans
            for table in ("points_entry", "points_balance", "points_claim", "points_voucher"):
                cur.execute(f"VACUUM ANALYZE {table}")
            cur.execute("ANALYZE")


# --- the floors -------------------------------------------------------------------------------------


def summary_sql(member_id: int) -> tuple[str, list]:
    from sanxin.points.models import EARNING_KINDS, Category, Tier

    cats = [c for c, _ in Category.choices]
    sums = ", ".join("COALESCE(SUM(CASE WHEN category = %s THEN points END), 0)" for _ in cats)
    sql = f"""
    SELECT COALESCE((SELECT earned FROM points_balance WHERE member_id = %s), 0),
           COALESCE((SELECT spendable FROM points_balance WHERE member_id = %s), 0),
           {sums},
           COALESCE(SUM(CASE WHEN tier = %s THEN points END), 0),
           COALESCE(SUM(CASE WHEN tier = %s THEN points END), 0),
           COALESCE(SUM(CASE WHEN "on" >= %s AND "on" < %s THEN points END), 0)
    FROM points_entry WHERE member_id = %s AND kind IN (%s, %s, %s)
    """  # noqa: S608 (every value is a bound parameter)
    params = [member_id, member_id, *cats, Tier.BASIC, Tier.PIONEER]
    params += [dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1), member_id, *EARNING_KINDS]
    return sql, params


PAGE_SQL = """
SELECT e.id, e."on", e.kind, e.category, e.tier, e.points, e.spendable, e.reason,
       COALESCE(NULLIF(u.display_name, ''), u.username, ''), COUNT(*) OVER ()
FROM points_entry e LEFT JOIN accounts_user u ON u.id = e.decided_by_id
WHERE e.member_id = %s ORDER BY e.id DESC LIMIT 20
"""


def ranking_sql(org, start: dt.date, end: dt.date, by: str, limit: int) -> tuple[str, list]:
    """One grouped query: SUM(CASE …) per category and tier, RANK() over the total, the names joined."""
    from sanxin.core.query import next_prefix
    from sanxin.points.models import EARNING_KINDS, Category, Tier

    cats = [c for c, _ in Category.choices]
    key = "member_id" if by == "member" else "branch_id"
    sums = ", ".join(
        f"SUM(CASE WHEN e.category = %s THEN e.points ELSE 0 END) AS c{n}" for n in range(len(cats))
    )
    if org.numchild == 0:
        where, where_params = "e.branch_id = %s", [org.pk]
    else:
        where = "e.branch_id IN (SELECT id FROM orgs_org WHERE path >= %s AND path < %s)"
        where_params = [org.path, next_prefix(org.path)]
    if by == "member":
        names = "p.name, COALESCE(o.name, '')"
        join = "JOIN orgs_person p ON p.id = r.k LEFT JOIN orgs_org o ON o.id = p.org_id"
    else:
        names, join = "o.name, ''", "JOIN orgs_org o ON o.id = r.k"
    sql = f"""
    WITH r AS (
        SELECT e.{key} AS k, SUM(e.points) AS total, COUNT(*) AS entries, {sums},
               SUM(CASE WHEN e.tier = %s THEN e.points ELSE 0 END) AS basic,
               SUM(CASE WHEN e.tier = %s THEN e.points ELSE 0 END) AS pioneer,
               RANK() OVER (ORDER BY SUM(e.points) DESC) AS rnk
        FROM points_entry e
        WHERE {where} AND e.kind IN (%s, %s, %s) AND e."on" >= %s AND e."on" < %s
        GROUP BY e.{key}
        ORDER BY rnk, e.{key}
        LIMIT %s
    )
    SELECT r.k, r.total, r.entries, {", ".join(f"r.c{n}" for n in range(len(cats)))}, r.basic, r.pioneer,
           r.rnk, {names}
    FROM r {join}
    ORDER BY r.rnk, r.k
    """  # noqa: S608 (every value is a bound parameter; only generated aliases are formatted in)
    params = [*cats, Tier.BASIC, Tier.PIONEER, *where_params, *EARNING_KINDS, start, end, limit]
    return sql, params


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


# --- the cases --------------------------------------------------------------------------------------


def member_case(member_ids: list[int]):
    """ours(member), floor(member), and each result as comparable tuples."""
    from django.core.paginator import Paginator

    from sanxin.members.models import Member
    from sanxin.points import selectors

    members = {m.pk: m for m in Member.objects.filter(pk__in=member_ids)}

    def ours(mid):
        member = members[mid]
        s = selectors.summary(member, year=YEAR)
        page = Paginator(selectors.history(member), 20).get_page(1)
        return s, page.paginator.count, list(page.object_list)

    def floor(mid):
        return _fetch(*summary_sql(mid)), _fetch(PAGE_SQL, [mid])

    def ours_rows(result):
        s, count, rows = result
        head = (s.earned, s.spendable, *(v for _c, _l, v in s.by_category), s.basic, s.pioneer, s.year_earned)
        page = [
            (
                e.id,
                str(e.on),
                e.kind,
                e.category,
                e.tier,
                e.points,
                e.spendable,
                e.reason,
                str(e.decided_by or ""),
            )
            for e in rows
        ]
        return head, count, page

    def floor_rows(result):
        (head,), page = result
        count = page[0][-1] if page else 0
        return (
            tuple(int(v) for v in head),
            int(count),
            [(r[0], str(r[1]), *r[2:7], r[7], r[8]) for r in page],
        )

    return ours, floor, ours_rows, floor_rows


def ranking_case(orgs: dict, start: dt.date, end: dt.date, by: str, limit: int):
    from sanxin.points import selectors
    from sanxin.points.models import Category

    cats = [c for c, _ in Category.choices]

    def ours(pk):
        return selectors.ranking(orgs[pk], start, end, by=by, limit=limit)

    def floor(pk):
        return _fetch(*ranking_sql(orgs[pk], start, end, by, limit))

    key = "member_id" if by == "member" else "branch_id"

    def ours_rows(rows):
        return [
            (
                r[key],
                r["total"],
                r["entries"],
                *(r[f"c_{c}"] for c in cats),
                r["basic"],
                r["pioneer"],
                r["rank"],
                r["name"],
                r["branch"],
            )
            for r in rows
        ]

    def floor_rows(rows):
        return [(*(int(v) for v in r[:-2]), r[-2], r[-1]) for r in rows]

    return ours, floor, ours_rows, floor_rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from sanxin.members.models import Member
    from sanxin.orgs.models import Org, Person
    from sanxin.points.models import Balance, Entry

    if not Entry.objects.exists():
        t = time.perf_counter()
        build(args.members)
        print(f"built in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    n_members, n_with_rows = Member.objects.count(), Balance.objects.count()
    n_entries = Entry.objects.count()
    n_branches = Org.objects.filter(depth=4).count()
    start = dt.date(YEAR, MONTH, 1)
    end = dt.date(YEAR, MONTH + 1, 1)
    rng = random.Random(11)

    # the largest industry committee (the first city's 两新组织 committee)
    committee = Org.objects.get(depth=3, path=_step(1) + _step(1) + _step(1))
    under = Org.objects.filter(depth=4, path__startswith=committee.path)
    committee_members = Person.objects.filter(org__in=under, member__isnull=False).count()
    member_ids = list(Balance.objects.values_list("member_id", flat=True).order_by("member_id"))
    member_ids = rng.sample(member_ids, min(len(member_ids), args.repeat))
    branch_ids = list(Org.objects.filter(depth=4).values_list("pk", flat=True))
    branches = {
        o.pk: o for o in Org.objects.filter(pk__in=rng.sample(branch_ids, min(len(branch_ids), args.repeat)))
    }
    cases = [
        (
            "1. a member's page: `summary` + the first 20 rows of `history` (with the count); a different member each run",
            member_case(member_ids),
            member_ids,
        ),
        (
            f"2. a branch's monthly ranking: `ranking(branch, {start:%Y-%m})` (10 members); a different branch each run",
            ranking_case(branches, start, end, "member", 100),
            list(branches),
        ),
        (
            f"3. a committee's monthly ranking, first 100 with the category breakdown: `ranking(committee, "
            f"{start:%Y-%m}, limit=100)` ({committee_members:,} members, {under.count():,} branches)",
            ranking_case({committee.pk: committee}, start, end, "member", 100),
            [committee.pk],
        ),
        (
            f'4. the same committee\'s branches ranked for the month, first 100: `ranking(committee, {start:%Y-%m}, by="branch")`',
            ranking_case({committee.pk: committee}, start, end, "branch", 100),
            [committee.pk],
        ),
    ]
    rows = []
    for label, case, subjects in cases:
        r = measure(label, case, subjects, args.repeat)
        (om, op), (fm, fp) = r["ours"], r["floor"]
        rows.append(f"| {label} | {om:,.1f} | {op:,.1f} | {fm:,.1f} | {fp:,.1f} | {om / fm:.1f}× |")
        print(rows[-1], file=sys.stderr)
    vendor = connection.vendor
    cmd = ("DATABASE_URL=postgres://… " if vendor == "postgresql" else "") + (
        f"python bench/points.py --members {args.members} --repeat {args.repeat}"
    )
    publish(
        [
            f"## Points (积分管理), {vendor} — {n_entries:,} ledger rows for {n_members:,} members "
            f"({n_with_rows:,} with rows) in {n_branches:,} branches, median and p95 of {args.repeat} runs",
            "",
            "| case | ours median ms | ours p95 ms | floor median ms | floor p95 ms | ours / floor (median) |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"Command: `{cmd}`",
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
