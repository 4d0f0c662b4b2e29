"""Benchmark of the appeals module (诉求, 连心桥): the text classifier on the frozen held-out split, and
the 接诉即办 metrics of a city's year of appeals against the same figures written as hand-tuned SQL,
in the same run.

    python bench/appeals.py [--appeals 100000]                                  # SQLite: a tenth
    DATABASE_URL=postgres://... python bench/appeals.py --appeals 1000000        # PostgreSQL
    python bench/appeals.py --part classifier                                   # the classifier only

1. Classification, with the committed model (``classifier.load(classifier.BASE_MODEL)``, its SHA-256
   checked against ``classifier-v1.json``): macro-F1 on ``data/heldout.tsv`` (280 texts, 20 a category,
   never trained on) and the per-category precision, recall and F1 (scikit-learn's
   ``classification_report``); throughput in appeals a second, one text a call
   (``classifier.predict(pipeline, [text])``, as a request classifies its appeal) and in batches of
   1,000 (the held-out texts repeated) — the median of ``--runs`` runs after a warm-up run.

2. Metrics at city scale. The city is 新河市 (390100000000): five districts and 18 streets (the demo's
   codes, 390102001000 …), the city committee, the district and street committees with one joint
   branch of couriers and riders a street, three industry committees and under them five platform
   enterprise committees (急速达, 蜂行快送, 畅行出行, 新河港丰物流, 星光文化传媒) with 125 mobile branches;
   the five platforms in the registry (their head offices, as ``about_hq``, and 30 stations); 15
   departments (the city's 人社, 交通运输, 市场监管, 邮政管理, 住建, 教育, 卫健, 医保, 司法, 交警, 总工会,
   新就业群体服务中心, the lawyers' committee, and two districts' 人社); 5,000 workers' accounts.

   A year (2025) of appeals as of 2026-01-05 09:00, written straight into ``appeals_appeal``
   (``core.bulk``: COPY on PostgreSQL) after ``migrate``, ids in order of receipt (one transaction a
   month, ids allocated up front, numbers ``SQ<local date><id>`` as intake gives them):
   received_at over the year with a daily rhythm (lunch and evening peaks, few at night), a weekly
   one (fewer at weekends), holidays (春节, 国庆) and a slow growth; the 14 categories with seasons
   (欠薪 before 春节, 子女入学 in August and September, 休息与就餐 in the summer heat); kinds, urgency,
   channels, anonymity (no submitter), 不经平台 (no branch, no platform), 点单 and professional
   services; each appeal's holders along the chain as intake and escalation place them (a branch's
   liaison, the platform committee's group, a department picked by the category's department kind,
   the street's district and the industry). Deadlines as intake fixes them: ``respond_due`` 24 hours
   after receipt, ``resolve_due`` the end of the day 3 working days later (求助, 咨询), 13 (投诉, 建议) or
   the same day (urgent) on the working-day calendar. About 88% are responded to within the 24 hours,
   9% late, 3% never (withdrawn, merged into an earlier appeal, or still waiting); answers mostly
   within ``resolve_due``, 8% late; 86% of the answered rated (72% 满意, 19% 基本满意, 9% 不满意, which
   reopens the appeal), the unrated closed after 7 days; late ones escalated a level (at the
   department, 督办). The recent ones are still open. Timestamps carry microseconds, as
   ``timezone.now()`` gives them. The texts are short fixed strings (the metrics do not read them),
   and no ``Step`` rows are written (nor do the metrics read them).

   Cases (median and p95 of ``--repeat`` runs after one warm-up; ours and the floor alternate which
   runs first; every run's figures compared):

   a. the organization department's monthly table: ``selectors.metrics(Scope(region_prefixes=
      {"3901"}), start=<month>, end=<next month>, by="department")``, a different month each run;
   b. one department's drill-down for a month: ``Scope(assignments={"appeals_departments": {id}})``,
      ``by="category"``, a different (department, month) each run;
   c. the whole city's year by month: ``by="month"``.

   The floor of each case is one hand-written GROUP BY query over ``appeals_appeal``: COUNT(*) FILTER
   for the counts, AVG of the epoch difference (``date_part('epoch', …)``, a float, on PostgreSQL; the
   selector's own ``julianday`` difference on SQLite, which has no other sub-second one), the p90 by
   PERCENTILE_DISC(0.9) (nearest rank) on PostgreSQL and by ROW_NUMBER()/COUNT() windows on SQLite.
   Ours and the floor must give the same figures — every group key, count, rate's parts, average and
   p90 as ``Figures`` reports them (hours to 0.1) — in every run, or the benchmark fails.

A database already holding exactly ``--appeals`` appeals is reused as it is (the build is
deterministic: seed 7); any other count is refused.

``--explain`` prints the plans (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) of each
case's queries, ours and the floor's, for the first subject.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ and not os.environ.get("SANXIN_DATA_DIR"):
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-appeals-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from forking import measure, publish  # noqa: E402

YEAR = 2025
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
START = dt.datetime(YEAR, 1, 1, tzinfo=SHANGHAI)
NOW = dt.datetime(YEAR + 1, 1, 5, 9, 0, tzinfo=SHANGHAI)  # the data as of this moment
CITY = "390100000000"
PROVINCE = "390000000000"
# district code, name, streets, share of the appeals
DISTRICTS = [
    ("390102000000", "新城区", ["城关街道", "解放路街道", "新华街道", "文昌街道"], 30),
    ("390103000000", "河东区", ["河东街道", "滨江街道", "物流园街道", "东湖街道"], 25),
    ("390104000000", "河西区", ["河西街道", "科创街道", "丰收街道", "望江街道"], 22),
    ("390105000000", "港湾区", ["港湾街道", "临港街道", "海韵街道"], 15),
    ("390121000000", "清水县", ["清水镇", "白沙镇", "桃源乡"], 8),
]
INDUSTRIES = [("transport", "交通运输", 1), ("express", "快递外卖", 2), ("influencer", "网络名人", 3)]
# key, registry name, industry, mobile branches, share of the appeals about a platform
PLATFORMS = [
    ("jsd", "急速达", "新河急速达网络科技有限公司", "express", 40, 30),
    ("fx", "蜂行快送", "新河蜂行快送信息技术有限公司", "express", 40, 30),
    ("cx", "畅行出行", "畅行出行（新河）科技有限公司", "transport", 20, 15),
    ("gf", "新河港丰物流", "新河港丰物流有限公司", "transport", 15, 15),
    ("xg", "星光文化传媒", "新河星光文化传媒有限公司", "influencer", 10, 10),
]
STATIONS = 6  # registry stations of each platform (about = a station, about_hq = the head office)
# key, name, kind, region
DEPARTMENTS = [
    ("hrss", "新河市人力资源和社会保障局", "hrss", CITY),
    ("hrss-xc", "新河市新城区人力资源和社会保障局", "hrss", "390102000000"),
    ("hrss-hd", "新河市河东区人力资源和社会保障局", "hrss", "390103000000"),
    ("transport", "新河市交通运输局", "transport", CITY),
    ("market", "新河市市场监督管理局", "market", CITY),
    ("postal", "新河市邮政管理局", "postal", CITY),
    ("housing", "新河市住房和城乡建设局", "housing", CITY),
    ("education", "新河市教育局", "education", CITY),
    ("health", "新河市卫生健康委员会", "health", CITY),
    ("medical_insurance", "新河市医疗保障局", "medical_insurance", CITY),
    ("justice", "新河市司法局", "justice", CITY),
    ("police", "新河市公安局交通警察支队", "police", CITY),
    ("union", "新河市总工会", "union", CITY),
    ("service_centre", "新河市新就业群体服务中心", "service_centre", CITY),
    ("lawyers", "新河市律师协会新就业群体法律服务专业委员会", "lawyers", CITY),
]
WORKERS = 5_000
# category, weight (share of the appeals)
CATEGORIES = [
    ("wages", 16),
    ("contract", 7),
    ("insurance", 9),
    ("injury", 6),
    ("dispatch", 14),
    ("rest", 7),
    ("schooling", 4),
    ("housing", 5),
    ("medical", 4),
    ("legal", 5),
    ("training", 4),
    ("care", 3),
    ("traffic", 8),
    ("other", 8),
]
PLATFORM_CATEGORIES = {"wages", "contract", "insurance", "injury", "dispatch", "rest"}  # routing's
# seasons: category -> {month: factor}
SEASONS = {
    "wages": {1: 2.2, 12: 1.8, 2: 1.2},
    "schooling": {8: 3.0, 9: 2.5, 7: 1.5},
    "rest": {7: 1.8, 8: 1.8, 6: 1.3},
    "traffic": {1: 1.2, 12: 1.2},
}
KINDS = {
    "default": [("help", 40), ("consult", 28), ("complaint", 24), ("suggestion", 8)],
    "dispatch": [("help", 20), ("consult", 15), ("complaint", 45), ("suggestion", 20)],
    "wages": [("help", 55), ("consult", 10), ("complaint", 35), ("suggestion", 0)],
}
RESOLVE_DAYS = {"help": 3, "consult": 3, "complaint": 13, "suggestion": 13}  # migration 0002's rules
CHANNELS = [("app", 72), ("station", 8), ("hotline", 8), ("liaison", 10), ("enterprise", 2)]
HOURS = [2, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 12, 13, 11, 9, 9, 10, 11, 13, 14, 13, 10, 7, 4]
WEEKDAYS = [1.10, 1.05, 1.0, 1.0, 1.0, 0.85, 0.80]
HOLIDAYS = [  # (first, last, factor)
    (dt.date(2025, 1, 28), dt.date(2025, 2, 4), 0.45),
    (dt.date(2025, 4, 4), dt.date(2025, 4, 6), 0.8),
    (dt.date(2025, 5, 1), dt.date(2025, 5, 5), 0.7),
    (dt.date(2025, 5, 31), dt.date(2025, 6, 2), 0.8),
    (dt.date(2025, 10, 1), dt.date(2025, 10, 8), 0.6),
]
UNRATED_CLOSE_DAYS = 7  # services.UNRATED_CLOSE_DAYS
H = 3600.0
DAY = 86400.0


def _step(i: int) -> str:
    from sanxin.orgs.models import Org

    out = ""
    for _ in range(Org.steplen):
        out = Org.alphabet[i % len(Org.alphabet)] + out
        i //= len(Org.alphabet)
    return out


def _cum(weights) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


# --- the city ---------------------------------------------------------------------------------------


def build_city(rng: random.Random) -> dict:
    """Regions, industries, the org tree, the registry's platforms and stations, the departments and
    the workers' accounts; returns what the appeals refer to."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sanxin.appeals.models import Department
    from sanxin.core import bulk
    from sanxin.core.models import Industry, Region
    from sanxin.orgs.models import Org
    from sanxin.registry.models import Organization

    now = timezone.now()
    stamp = {"created_at": now, "updated_at": now}
    streets: list[str] = []  # street codes
    district_of: dict[str, str] = {}
    with transaction.atomic():
        regions = [
            {"code": PROVINCE, "name": "东江省", "level": 1, "parent_id": None},
            {"code": CITY, "name": "新河市", "level": 2, "parent_id": PROVINCE},
        ]
        for code, name, street_names, _share in DISTRICTS:
            regions.append({"code": code, "name": name, "level": 3, "parent_id": CITY})
            for n, sname in enumerate(street_names, start=1):
                scode = f"{code[:6]}{n:03d}000"
                regions.append({"code": scode, "name": sname, "level": 4, "parent_id": code})
                streets.append(scode)
                district_of[scode] = code
        existing = set(Region.objects.values_list("code", flat=True))
        bulk.insert(Region, [r for r in regions if r["code"] not in existing])
        for code, name, order in INDUSTRIES:
            Industry.objects.get_or_create(code=code, defaults={"name": name, "order": order})

    # The org tree: the city committee; districts > streets > a joint branch each; industry
    # committees > platform committees > mobile branches (each in a street).
    org_rows = []

    def org(path, name, kind, region, numchild, industry=None):
        org_rows.append(
            {
                "path": path,
                "depth": len(path) // Org.steplen,
                "numchild": numchild,
                "code": f"{region}{len(org_rows) + 1:04d}",
                "name": name,
                "org_type": kind,
                "region_id": region,
                "industry_id": industry,
                "founded_on": dt.date(2018, 7, 1),
                "status": "active",
                **stamp,
            }
        )
        return path

    city = org(_step(1), "中共新河市委员会", "committee", CITY, len(DISTRICTS) + len(INDUSTRIES))
    joint_path: dict[str, str] = {}  # street -> its joint branch's path
    for d, (code, name, street_names, _share) in enumerate(DISTRICTS, start=1):
        dpath = org(city + _step(d), f"中共新河市{name}委员会", "committee", code, len(street_names))
        for s, sname in enumerate(street_names, start=1):
            scode = f"{code[:6]}{s:03d}000"
            spath = org(dpath + _step(s), f"中共{sname}工作委员会", "working_committee", scode, 1)
            joint_path[scode] = org(
                spath + _step(1), f"{sname}快递外卖联合流动党员党支部", "joint_branch", scode, 0, "express"
            )
    platform_path: dict[str, str] = {}
    branch_paths: dict[str, list[str]] = {}
    for k, (icode, iname, _order) in enumerate(INDUSTRIES, start=1):
        mine = [p for p in PLATFORMS if p[3] == icode]
        ipath = org(
            city + _step(len(DISTRICTS) + k), f"中共新河市{iname}行业委员会", "industry", CITY, len(mine)
        )
        for p, (key, short, _reg, _ind, n_branches, _w) in enumerate(mine, start=1):
            ppath = org(
                ipath + _step(p), f"中共{short}平台企业委员会", "committee", streets[0], n_branches, icode
            )
            platform_path[key] = ppath
            branch_paths[key] = [
                org(
                    ppath + _step(b),
                    f"{short}第{b}站流动党员党支部",
                    "mobile_branch",
                    streets[(b * 7 + p) % len(streets)],
                    0,
                    icode,
                )
                for b in range(1, n_branches + 1)
            ]
    with transaction.atomic():
        bulk.insert(Org, org_rows)
    org_ids = dict(Org.objects.values_list("path", "pk"))
    org_region = {r["path"]: r["region_id"] for r in org_rows}

    # The registry: each platform's head office and its stations.
    with transaction.atomic():
        ids = bulk.allocate_ids(Organization, len(PLATFORMS) * (1 + STATIONS))
        rows, hq, stations = [], {}, {}
        n = 0
        for key, short, reg_name, icode, _b, _w in PLATFORMS:
            hq_id = ids[n]
            n += 1
            hq[key] = hq_id
            base = {
                "category": "economic",
                "kind": "enterprise",
                "industry_id": icode,
                "registered_on": dt.date(2016, 3, 1),
                "source": "bench",
                **stamp,
            }
            rows.append(
                {
                    "id": hq_id,
                    "name": reg_name,
                    "normalized_name": reg_name,
                    "parent_id": None,
                    "hq_id": None,
                    "region_id": streets[0],
                    "internet_platform": True,
                    "employees": 2000,
                    "new_employment_workers": 20000,
                    **base,
                }
            )
            stations[key] = []
            for s in range(STATIONS):
                sid = ids[n]
                n += 1
                street = streets[(s * 5 + n) % len(streets)]
                rows.append(
                    {
                        "id": sid,
                        "name": f"{short}{s + 1}号站",
                        "normalized_name": f"{short}{s + 1}号站",
                        "parent_id": hq_id,
                        "hq_id": hq_id,
                        "region_id": street,
                        "internet_platform": False,
                        "employees": 20,
                        "new_employment_workers": 300,
                        **base,
                    }
                )
                stations[key].append(sid)
        bulk.insert(Organization, rows)

    with transaction.atomic():
        depts = [Department(name=name, kind=kind, region_id=region) for _k, name, kind, region in DEPARTMENTS]
        Department.objects.bulk_create(depts)
    dept_ids = {key: d.pk for (key, *_rest), d in zip(DEPARTMENTS, depts, strict=True)}

    User = get_user_model()
    with transaction.atomic():
        accounts = [User(username=f"bench-appeals-{i}", display_name=f"骑手{i}") for i in range(WORKERS)]
        for u in accounts:
            u.set_unusable_password()
        User.objects.bulk_create(accounts)
    workers = list(
        User.objects.filter(username__startswith="bench-appeals-").order_by("pk").values_list("pk", flat=True)
    )

    return {
        "streets": streets,
        "district_of": district_of,
        "street_weights": _cum(
            next(share for code, _n, _s, share in DISTRICTS if code == district_of[s])
            / sum(1 for t in streets if district_of[t] == district_of[s])
            for s in streets
        ),
        "joint": {s: org_ids[p] for s, p in joint_path.items()},
        "platform": {k: org_ids[p] for k, p in platform_path.items()},
        "branches": {k: [(org_ids[p], org_region[p]) for p in ps] for k, ps in branch_paths.items()},
        "hq": hq,
        "stations": stations,
        "depts": dept_ids,
        "workers": workers,
    }


# --- the appeals ------------------------------------------------------------------------------------


class Calendar:
    """``resolve_due`` as ``deadlines.resolve_by`` computes it (the end of the local day, the core
    calendar's working days), cached by (local day, working days)."""

    def __init__(self):
        self.cache: dict[tuple[dt.date, int], dt.datetime] = {}

    def due(self, received: dt.datetime, days: int) -> dt.datetime:
        day = received.astimezone(SHANGHAI).date()
        key = (day, days)
        if key not in self.cache:
            from sanxin.core.workdays import add_working_days

            on = add_working_days(day, days) if days else day
            self.cache[key] = dt.datetime.combine(on, dt.time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)
        return self.cache[key]


def receipts(rng: random.Random, n: int) -> list[int]:
    """``n`` receipt times (microseconds after the year's start, local time), sorted."""
    days = (dt.date(YEAR + 1, 1, 1) - dt.date(YEAR, 1, 1)).days
    weights = []
    for d in range(days):
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=d)
        w = WEEKDAYS[day.weekday()] * (0.85 + 0.3 * d / (days - 1))
        for first, last, factor in HOLIDAYS:
            if first <= day <= last:
                w *= factor
        weights.append(w)
    day_of = rng.choices(range(days), cum_weights=_cum(weights), k=n)
    hour_of = rng.choices(range(24), cum_weights=_cum(HOURS), k=n)
    rr = rng.randrange
    out = [
        ((d * 24 + h) * 3600 + rr(3600)) * 1_000_000 + rr(1_000_000)
        for d, h in zip(day_of, hour_of, strict=True)
    ]
    out.sort()
    return out


def build_appeals(n: int, city: dict, rng: random.Random) -> None:
    """``n`` appeals received over the year, month by month (ids allocated up front, in order of
    receipt)."""
    from sanxin.appeals.models import Appeal, Category
    from sanxin.core import bulk

    cal = Calendar()
    kinds_of = {k: ([c for c, _w in v], _cum(w for _c, w in v)) for k, v in KINDS.items()}
    cat_kind = dict(Category.objects.values_list("code", "department_kind"))
    cat_text = {
        c: f"{name}方面的诉求（基准测试数据）" for c, name in Category.objects.values_list("code", "name")
    }
    codes = [c for c, _w in CATEGORIES]
    month_cats = {m: _cum(w * SEASONS.get(c, {}).get(m, 1.0) for c, w in CATEGORIES) for m in range(1, 13)}
    channel_codes, channel_cum = [c for c, _w in CHANNELS], _cum(w for _c, w in CHANNELS)
    plat_keys, plat_cum = [p[0] for p in PLATFORMS], _cum(p[5] for p in PLATFORMS)
    plat_industry = {p[0]: p[3] for p in PLATFORMS}
    streets, street_cum, district_of = city["streets"], city["street_weights"], city["district_of"]
    depts, workers = city["depts"], city["workers"]
    branches_by_street: dict[str, list[tuple[int, str]]] = {}
    for key, bs in city["branches"].items():
        for bid, region in bs:
            branches_by_street.setdefault(region, []).append((bid, key))
    owner = {w: hashlib.sha256(f"bench-owner:{w}".encode()).hexdigest() for w in workers[:500]}
    owners = list(owner.values())

    def department_for(cat, region, industry, service):
        r = rng.random()
        if service == "legal":
            return depts["lawyers"]
        if cat is None:
            return depts["service_centre"]
        kind = cat_kind[cat]
        if kind == "hrss":
            district = district_of[region]
            if district == "390102000000" and r < 0.6:
                return depts["hrss-xc"]
            if district == "390103000000" and r < 0.6:
                return depts["hrss-hd"]
            return depts["hrss"]
        if kind == "market":  # 算法与派单: the industry's regulator half the time
            if industry == "transport" and r < 0.5:
                return depts["transport"]
            if industry == "express" and r < 0.5:
                return depts["postal"]
            return depts["market"]
        if kind == "medical_insurance" and r < 0.3:
            return depts["health"]
        if kind == "justice" and r < 0.35:
            return depts["lawyers"]
        if cat == "care" and r < 0.3:
            return depts["health"]
        return depts[kind]

    times = receipts(rng, n)
    start_utc = START.astimezone(UTC)
    now = NOW.astimezone(UTC)
    td = dt.timedelta
    random_ = rng.random
    lognorm = rng.lognormvariate
    recent: list[int] = []
    month_ends = [
        int((dt.datetime(YEAR + (m == 12), m % 12 + 1, 1, tzinfo=SHANGHAI) - START).total_seconds())
        * 1_000_000
        for m in range(1, 13)
    ]
    first = 0
    t0 = time.perf_counter()
    statuses: dict[str, int] = {}
    for month, end_us in enumerate(month_ends, start=1):
        last = first
        while last < len(times) and times[last] < end_us:
            last += 1
        cat_cum = month_cats[month]
        with transaction.atomic():
            ids = bulk.allocate_ids(Appeal, last - first)
            rows = []
            for rid, us in zip(ids, times[first:last], strict=True):
                received = start_utc + td(microseconds=us)
                cat = rng.choices(codes, cum_weights=cat_cum)[0]
                kc, kw = kinds_of.get(cat, kinds_of["default"])
                kind = rng.choices(kc, cum_weights=kw)[0]
                urgent = random_() < (0.2 if cat in ("injury", "medical") else 0.01)
                channel = rng.choices(channel_codes, cum_weights=channel_cum)[0]
                service = "legal" if channel == "enterprise" else ""
                is_order = not service and random_() < 0.04
                street = rng.choices(streets, cum_weights=street_cum)[0]
                # what it is about: a platform (a station or its head office), most of the time
                about = hq_id = platform_key = None
                if channel in ("app", "liaison", "station") and random_() < 0.72:
                    platform_key = rng.choices(plat_keys, cum_weights=plat_cum)[0]
                    hq_id = city["hq"][platform_key]
                    about = rng.choice(city["stations"][platform_key]) if random_() < 0.7 else hq_id
                    industry = plat_industry[platform_key]
                else:
                    r = random_()
                    industry = (
                        "express"
                        if r < 0.55
                        else "transport"
                        if r < 0.85
                        else "influencer"
                        if r < 0.95
                        else None
                    )
                # the worker's branch: one of the platform's mobile branches, else the street's joint one
                branch = None
                if platform_key is not None and random_() < 0.7:
                    near = [b for b, k in branches_by_street.get(street, []) if k == platform_key]
                    branch = rng.choice(near) if near else rng.choice(city["branches"][platform_key])[0]
                elif random_() < 0.4:
                    branch = city["joint"][street]
                if channel == "liaison" and branch is None:
                    channel = "app"
                anonymous = channel == "app" and random_() < 0.08
                skip = platform_key is not None and kind == "complaint" and random_() < 0.12
                if skip:
                    branch = None
                platform = city["platform"][platform_key] if platform_key is not None and not skip else None
                # deadlines
                days = 0 if urgent else RESOLVE_DAYS[kind]
                respond_due = received + td(hours=24)
                # An urgent appeal received in the day's last second (after 23:59:59.000) would be due
                # before it was received; intake (services.appeal_submit) does not guard this and fails
                # the CHECK, classification does (max with received_at), as here.
                resolve_due = max(cal.due(received, days), received)
                span = (resolve_due - received).total_seconds()
                # the first response and the answer, in seconds after receipt
                u = random_()
                if u < 0.03:
                    resp = None
                elif u < 0.12:
                    resp = DAY + rng.expovariate(1 / (18 * H))
                else:
                    resp = DAY
                    while resp >= DAY - 60:
                        resp = lognorm(math.log(0.5 * H if urgent else 2.5 * H), 1.1)
                    resp = max(resp, 30.0)
                late_resolve = random_() < (0.15 if urgent else 0.07)
                if late_resolve:
                    res = span + rng.uniform(0.3, 10) * DAY
                else:
                    res = span * rng.betavariate(1.6, 3.0)
                if resp is not None:
                    res = max(res, resp + rng.uniform(600, 3 * H))
                esc = (resp is not None and resp > DAY) + late_resolve + (random_() < 0.06)
                row_status = "received"
                responded_at = resolved_at = first_resolved = closed_at = rated_at = paused_at = None
                rating, reopened, merged_into, stage_due, callback_at = "", 0, None, None, None
                fate = random_()
                if fate < 0.02 or (fate < 0.035 and not recent):  # withdrawn
                    closed_at = received + td(seconds=rng.uniform(0.5 * H, 5 * DAY))
                    if closed_at > now:
                        closed_at = now
                    row_status = "withdrawn"
                    if resp is not None and received + td(seconds=resp) < closed_at:
                        responded_at = received + td(seconds=resp)
                    esc = 0
                elif fate < 0.035:  # a duplicate, merged into an earlier appeal
                    merged_into = rng.choice(recent[-200:])
                    closed_at = min(received + td(seconds=rng.uniform(H, 3 * DAY)), now)
                    row_status = "merged"
                    if resp is not None and received + td(seconds=resp) < closed_at:
                        responded_at = received + td(seconds=resp)
                    esc = 0
                elif resp is None or received + td(seconds=resp) > now:  # never (yet) responded
                    if resp is None:
                        esc = 1 + (random_() < 0.3)
                    else:
                        esc = 0
                    stage_due = respond_due + td(days=esc)
                else:
                    responded_at = received + td(seconds=resp)
                    answered = received + td(seconds=res)
                    if answered > now:
                        row_status = "handling"
                        if random_() < 0.1:
                            row_status = "waiting"
                            paused_at = responded_at + (now - responded_at) * random_()
                    else:
                        first_resolved = resolved_at = answered
                        row_status = "resolved"
                        if random_() < 0.86:
                            rate_at = answered + td(seconds=min(lognorm(math.log(20 * H), 1.0), 6.5 * DAY))
                            if rate_at <= now:
                                rating = rng.choices(
                                    ("satisfied", "basic", "unsatisfied"), cum_weights=(72, 91, 100)
                                )[0]
                                rated_at = rate_at
                                if rating != "unsatisfied":
                                    row_status, closed_at = "closed", rate_at
                                else:  # reopened with the same holder
                                    reopened = 1
                                    resolve_due = max(resolve_due, cal.due(rate_at, days))
                                    again = rate_at + td(seconds=lognorm(math.log(2 * DAY), 0.8))
                                    if again > now:
                                        row_status, resolved_at = "handling", None
                                    else:
                                        resolved_at = again
                                        rate2 = again + td(
                                            seconds=min(lognorm(math.log(20 * H), 1.0), 6.5 * DAY)
                                        )
                                        if random_() < 0.8 and rate2 <= now:
                                            rating = rng.choices(
                                                ("satisfied", "basic", "unsatisfied"),
                                                cum_weights=(60, 90, 100),
                                            )[0]
                                            rated_at = rate2
                                            if rating != "unsatisfied":
                                                row_status, closed_at = "closed", rate2
                                            else:  # again: up a level
                                                reopened, esc = 2, esc + 1
                                                row_status, resolved_at = "handling", None
                                        elif again + td(days=UNRATED_CLOSE_DAYS) <= now:
                                            row_status = "closed"
                                            closed_at = again + td(days=UNRATED_CLOSE_DAYS)
                        elif answered + td(days=UNRATED_CLOSE_DAYS) <= now:
                            row_status, closed_at = "closed", answered + td(days=UNRATED_CLOSE_DAYS)
                        if random_() < 0.25 and answered + td(days=1) <= now:
                            callback_at = answered + td(seconds=rng.uniform(H, DAY))
                # the holders along the chain: first as intake places it, then up a level per escalation
                chain = (["liaison"] if branch else []) + (["platform"] if platform else []) + ["department"]
                if skip or is_order or service:
                    at = len(chain) - 1
                elif channel == "liaison" and branch:
                    at = 0
                elif platform and cat in PLATFORM_CATEGORIES:
                    at = chain.index("platform")
                else:
                    at = 0
                reached = at + esc
                level = chain[min(reached, len(chain) - 1)]
                supervised_at = received + td(days=2) if reached > len(chain) - 1 else None
                if supervised_at is not None and supervised_at > now:
                    supervised_at = None
                placed = set(chain[at : reached + 1])
                # unclassified: only open ones (an answer needs a category)
                category, suggested, source = cat, None, "model"
                confidence = None
                if row_status in ("received", "handling", "waiting") and random_() < 0.05:
                    category, suggested, source = None, cat, ""
                    confidence = round(rng.uniform(0.12, 0.35), 4)
                elif is_order:
                    source = "order"
                elif random_() < 0.15:
                    source, confidence = "human", round(rng.uniform(0.12, 0.35), 4)
                else:
                    confidence = round(rng.uniform(0.35, 0.99), 4)
                submitter = None if anonymous or channel in ("hotline", "station") else rng.choice(workers)
                statuses[row_status] = statuses.get(row_status, 0) + 1
                rows.append(
                    {
                        "id": rid,
                        "number": f"SQ{received.astimezone(SHANGHAI):%Y%m%d}{rid:07d}",
                        "channel": channel,
                        "kind": kind,
                        "urgent": urgent,
                        "service": service,
                        "is_order": is_order,
                        "text": cat_text[cat],
                        "category_id": category,
                        "category_source": source,
                        "confidence": confidence,
                        "suggested_id": suggested,
                        "classifier": "" if source == "order" else "v1",
                        "region_id": street,
                        "industry_id": industry,
                        "about_id": about,
                        "about_hq_id": hq_id,
                        "submitter_id": submitter,
                        "anonymous": anonymous,
                        "owner_index": rng.choice(owners) if anonymous else "",
                        "needs_contact": not anonymous and random_() < 0.3,
                        "consent_platform": not skip and random_() < 0.5,
                        "skip_platform": skip,
                        "consented_at": received,
                        "level": level,
                        "branch_id": branch,
                        "platform_id": platform if "platform" in placed else None,
                        "department_id": (
                            department_for(category, street, industry, service)
                            if "department" in placed
                            else None
                        ),
                        "status": row_status,
                        "received_at": received,
                        "respond_due": respond_due,
                        "responded_at": responded_at,
                        "stage_due": stage_due,
                        "resolve_due": resolve_due,
                        "paused_at": paused_at,
                        "resolved_at": resolved_at,
                        "first_resolved_at": first_resolved,
                        "closed_at": closed_at,
                        "escalations": esc,
                        "supervised_at": supervised_at,
                        "reopened": reopened,
                        "reply": "已按规定办理并答复（基准测试数据）" if first_resolved else "",
                        "resolved_level": level if first_resolved else "",
                        "rating": rating,
                        "rating_comment": "希望尽快处理" if rating == "unsatisfied" else "",
                        "rated_at": rated_at,
                        "callback_at": callback_at,
                        "callback_note": "已回访，诉求人认可" if callback_at else "",
                        "merged_into_id": merged_into,
                        "duplicate_of_id": merged_into,
                        "created_at": received,
                    }
                )
                recent.append(rid)
                if len(recent) > 400:
                    del recent[:200]
            bulk.insert(Appeal, rows)
        print(
            f"  month {month}: {len(rows):,} appeals ({time.perf_counter() - t0:.0f}s)",
            file=sys.stderr,
            flush=True,
        )
        first = last
    print(f"  statuses: {statuses}", file=sys.stderr)


def build(n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    t = time.perf_counter()
    city = build_city(rng)
    print(f"  the city: {time.perf_counter() - t:.1f}s", file=sys.stderr)
    build_appeals(n, city, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute("VACUUM ANALYZE appeals_appeal")  # what autovacuum does to a table at rest
            cur.execute("ANALYZE")
            print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.0f}s", file=sys.stderr)
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


# --- the floors -------------------------------------------------------------------------------------

DONE_SQL = "('resolved', 'closed')"


def floor_sql(key: str, where: str) -> str:
    """One grouped query: the counts by COUNT(*) FILTER, the averages of the epoch difference, the p90
    (nearest rank) by PERCENTILE_DISC on PostgreSQL and by windows on SQLite."""
    counted = (
        "a.status NOT IN ('merged', 'withdrawn') AND a.received_at >= %s AND a.received_at < %s AND " + where
    )
    if connection.vendor == "postgresql":
        keys = {
            "department": "a.department_id",
            "category": "a.category_id",
            "month": "date_trunc('month', a.received_at AT TIME ZONE 'Asia/Shanghai')",
        }
        return f"""
        SELECT {keys[key]} AS k,
               COUNT(*) AS received,
               COUNT(*) FILTER (WHERE a.responded_at <= a.respond_due),
               COUNT(*) FILTER (WHERE a.status IN {DONE_SQL}),
               COUNT(*) FILTER (WHERE a.rating <> ''),
               COUNT(*) FILTER (WHERE a.rating IN ('satisfied', 'basic')),
               AVG(date_part('epoch', a.responded_at - a.received_at)),
               AVG(date_part('epoch', a.resolved_at - a.received_at)) FILTER (WHERE a.status IN {DONE_SQL}),
               date_part('epoch', PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY a.responded_at - a.received_at)),
               date_part('epoch', PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY a.resolved_at - a.received_at)
                                  FILTER (WHERE a.status IN {DONE_SQL}))
        FROM appeals_appeal a
        WHERE {counted}
        GROUP BY 1
        ORDER BY 2 DESC, 1
        """  # noqa: S608 (every value is a bound parameter; only fixed fragments are formatted in)
    keys = {
        "department": "a.department_id",
        "category": "a.category_id",
        "month": "strftime('%%Y-%%m', a.received_at, '+8 hours')",  # Asia/Shanghai: UTC+8 since 1991
    }
    return f"""
    WITH b AS (
        SELECT {keys[key]} AS k, a.status IN {DONE_SQL} AS done, a.rating,
               a.responded_at <= a.respond_due AS in_time,
               (julianday(a.responded_at) - julianday(a.received_at)) * 86400.0 AS rs,
               CASE WHEN a.status IN {DONE_SQL}
                    THEN (julianday(a.resolved_at) - julianday(a.received_at)) * 86400.0 END AS vs
        FROM appeals_appeal a
        WHERE {counted}
    ), r AS (
        SELECT b.*,
               ROW_NUMBER() OVER (PARTITION BY k, rs IS NULL ORDER BY rs) AS rn_r,
               COUNT(*) OVER (PARTITION BY k, rs IS NULL) AS n_r,
               ROW_NUMBER() OVER (PARTITION BY k, vs IS NULL ORDER BY vs) AS rn_v,
               COUNT(*) OVER (PARTITION BY k, vs IS NULL) AS n_v
        FROM b
    )
    SELECT k, COUNT(*) AS received,
           COUNT(*) FILTER (WHERE in_time),
           COUNT(*) FILTER (WHERE done),
           COUNT(*) FILTER (WHERE rating <> ''),
           COUNT(*) FILTER (WHERE rating IN ('satisfied', 'basic')),
           AVG(rs), AVG(vs),
           MAX(CASE WHEN rs IS NOT NULL AND rn_r * 10 >= n_r * 9 AND rn_r * 10 < n_r * 9 + 10 THEN rs END),
           MAX(CASE WHEN vs IS NOT NULL AND rn_v * 10 >= n_v * 9 AND rn_v * 10 < n_v * 9 + 10 THEN vs END)
    FROM r
    GROUP BY k
    ORDER BY 2 DESC, 1
    """  # noqa: S608 (every value is a bound parameter; only fixed fragments are formatted in)


def _bounds(start: dt.datetime, end: dt.datetime) -> list:
    """The period's bounds as the database compares them (on SQLite, UTC text as Django stores it)."""
    return [connection.ops.adapt_datetimefield_value(v) for v in (start, end)]


def _hours(seconds):
    return round(seconds / 3600.0, 1) if seconds is not None else None


def _month_key(value) -> str:
    from django.utils import timezone

    if isinstance(value, str):
        return value[:7]
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y-%m}"


def case(key: str, scope_of, where_of):
    """ours(subject), floor(subject), and each result as comparable rows. A subject is (scope argument,
    start, end)."""
    from sanxin.appeals import selectors

    def ours(subject):
        arg, start, end = subject
        return selectors.metrics(scope_of(arg), start=start, end=end, by=key)

    def floor(subject):
        arg, start, end = subject
        where, params = where_of(arg)
        with connection.cursor() as cur:
            cur.execute(floor_sql(key, where), [*_bounds(start, end), *params])
            return cur.fetchall()

    def norm(k):
        if k is None:
            return None
        return _month_key(k) if key == "month" else str(k)

    def ours_rows(rows):
        return [
            (
                norm(f.key),
                f.received,
                f.responded_in_time,
                f.resolved,
                f.rated,
                f.satisfied,
                f.avg_respond_h,
                f.avg_resolve_h,
                f.p90_respond_h,
                f.p90_resolve_h,
            )
            for f in rows
        ]

    def floor_rows(rows):
        return [(norm(r[0]), *(int(v) for v in r[1:6]), *(_hours(v) for v in r[6:10])) for r in rows]

    return ours, floor, ours_rows, floor_rows


def explain(label: str, parts, subject) -> None:
    """The plans of ours' queries and of the floor's, for ``subject``."""
    from django.test.utils import CaptureQueriesContext

    ours = parts[0]
    with CaptureQueriesContext(connection) as ctx:
        ours(subject)
    pg = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
    print(f"\n=== {label}: ours ({len(ctx.captured_queries)} queries)", file=sys.stderr)
    with connection.cursor() as cur:
        for q in ctx.captured_queries:
            print(f"--- {q['sql']}\n", file=sys.stderr)
            cur.execute(prefix + q["sql"])
            print("\n".join(" | ".join(str(c) for c in r) for r in cur.fetchall()), file=sys.stderr)
    print(f"\n=== {label}: floor", file=sys.stderr)
    key, (where, params) = parts[4], parts[5](subject[0])
    with connection.cursor() as cur:
        sql = floor_sql(key, where)
        print(f"--- {sql}\n", file=sys.stderr)
        cur.execute(prefix + sql, [*_bounds(subject[1], subject[2]), *params])
        print("\n".join(" | ".join(str(c) for c in r) for r in cur.fetchall()), file=sys.stderr)


# --- the classifier ---------------------------------------------------------------------------------


def classification(runs: int) -> list[str]:
    from sklearn.metrics import classification_report, f1_score

    from sanxin.appeals import classifier

    recorded = json.loads((classifier.DATA / "classifier-v1.json").read_text(encoding="utf-8"))
    digest = classifier.sha256(classifier.BASE_MODEL)
    assert digest == recorded["sha256"], f"classifier-v1.skops is {digest}, recorded {recorded['sha256']}"
    t = time.perf_counter()
    pipeline = classifier.load(classifier.BASE_MODEL)
    load_s = time.perf_counter() - t
    texts, labels = classifier.read_tsv(classifier.HELDOUT)
    t = time.perf_counter()
    classifier.predict(pipeline, [texts[0]])  # jieba's dictionary loads on the first text
    first_s = time.perf_counter() - t
    predicted = [g.code for g in classifier.predict(pipeline, texts)]
    macro = f1_score(labels, predicted, average="macro")
    macro_predict = classifier.macro_f1(pipeline, texts, labels)  # through pipeline.predict
    assert abs(macro - macro_predict) < 1e-12, (macro, macro_predict)
    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    import importlib

    names = {
        c[0]: c[1] for c in importlib.import_module("sanxin.appeals.migrations.0002_defaults").CATEGORIES
    }

    # one text a call, as a request classifies its appeal
    for text in texts:
        classifier.predict(pipeline, [text])
    single_rates, latencies = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        for text in texts:
            t = time.perf_counter()
            classifier.predict(pipeline, [text])
            latencies.append((time.perf_counter() - t) * 1000)
        single_rates.append(len(texts) / (time.perf_counter() - t0))
    # batches of 1,000
    batch = (texts * math.ceil(1000 / len(texts)))[:1000]
    classifier.predict(pipeline, batch)
    batch_rates, batch_ms = [], []
    for _ in range(runs):
        t = time.perf_counter()
        classifier.predict(pipeline, batch)
        elapsed = time.perf_counter() - t
        batch_rates.append(len(batch) / elapsed)
        batch_ms.append(elapsed * 1000)

    rows = []
    for code in sorted(names, key=lambda c: -report[c]["f1-score"] if c in report else 0):
        r = report[code]
        rows.append(
            f"| {code} | {names[code]} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1-score']:.3f} | {int(r['support'])} |"
        )
    for avg in ("macro avg", "weighted avg"):
        r = report[avg]
        rows.append(
            f"| **{avg}** | | {r['precision']:.3f} | {r['recall']:.3f} | **{r['f1-score']:.3f}** | {int(r['support'])} |"
        )
    lat = statistics.quantiles(latencies, n=20, method="inclusive")
    lines = [
        f"## Appeals (诉求) classifier — committed model v1 on the frozen held-out split ({len(texts)} texts, "
        f"{len(names)} categories)",
        "",
        f"Macro-F1 **{macro:.4f}** (recorded at training: {recorded['heldout_macro_f1']}); accuracy "
        f"{report['accuracy']:.3f}. Model file SHA-256 as recorded; loading it took {load_s:.2f} s, the first "
        f"prediction {first_s:.2f} s (jieba's dictionary).",
        "",
        "| category | 类别 | precision | recall | F1 | support |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"| throughput (median of {runs} runs after a warm-up run) | appeals/s | runs' range | ms a call, median | ms a call, p95 |",
        "|---|---:|---:|---:|---:|",
        f"| one text a call: `predict(pipeline, [text])`, the {len(texts)} texts each run | "
        f"{statistics.median(single_rates):,.0f} | {min(single_rates):,.0f}–{max(single_rates):,.0f} | "
        f"{statistics.median(latencies):.2f} | {lat[18]:.2f} |",
        f"| batches of 1,000 (the held-out texts repeated): `predict(pipeline, batch)` | "
        f"{statistics.median(batch_rates):,.0f} | {min(batch_rates):,.0f}–{max(batch_rates):,.0f} | "
        f"{statistics.median(batch_ms):,.0f} | {statistics.quantiles(batch_ms, n=20, method='inclusive')[18]:,.0f} |",
        "",
        f"Command: `{_command()}` ({_load()})",
    ]
    print("\n".join(lines), file=sys.stderr)
    return lines


def _command() -> str:
    """The command line as run (the database URL elided)."""
    prefix = "DATABASE_URL=postgres://… " if connection.vendor == "postgresql" else ""
    return prefix + " ".join(["python bench/appeals.py", *sys.argv[1:]])


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) at the end"


# --- main ---------------------------------------------------------------------------------------------


def metrics_part(args) -> list[str]:
    from django.db.models import Count, Q

    from sanxin.appeals.models import Appeal, Department
    from sanxin.core.scope import Scope

    call_command("migrate", verbosity=0)
    if not Appeal.objects.exists():
        t = time.perf_counter()
        print(f"building {args.appeals:,} appeals on {connection.vendor}", file=sys.stderr)
        build(args.appeals)
        print(f"built in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    total = Appeal.objects.count()
    if total != args.appeals:
        raise SystemExit(f"the database holds {total:,} appeals, not {args.appeals:,}: use a fresh database")
    counted = Appeal.objects.exclude(status__in=["merged", "withdrawn"]).count()
    months = [
        (
            dt.datetime(YEAR, m, 1, tzinfo=SHANGHAI),
            dt.datetime(YEAR + (m == 12), m % 12 + 1, 1, tzinfo=SHANGHAI),
        )
        for m in range(1, 13)
    ]
    city = Scope(region_prefixes=frozenset({"3901"}))
    depts = list(Department.objects.order_by("pk").values_list("pk", "name"))  # the 15, in id order
    per_dept = dict(
        Appeal.objects.filter(department__isnull=False)
        .exclude(status__in=["merged", "withdrawn"])
        .values_list("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    june = Appeal.objects.filter(
        ~Q(status__in=["merged", "withdrawn"]), received_at__gte=months[5][0], received_at__lt=months[5][1]
    ).count()

    def region_scope(_arg):
        return city

    def region_where(_arg):
        return "a.region_id >= %s AND a.region_id < %s", ["3901", "3902"]

    def dept_scope(pk):
        return Scope(assignments={"appeals_departments": frozenset({str(pk)})})

    def dept_where(pk):
        return "a.department_id = %s", [pk]

    a = case("department", region_scope, region_where)
    b = case("category", dept_scope, dept_where)
    c = case("month", region_scope, region_where)
    cases = [
        (
            'a. the organization department\'s monthly table: `metrics(Scope(region_prefixes={"3901"}), '
            f'<month>, by="department")`, a different month each run (June: {june:,} appeals)',
            (*a, "department", region_where),
            [("3901", s, e) for s, e in months],
        ),
        (
            'b. one department\'s drill-down for a month: `metrics(Scope(assignments={"appeals_departments": '
            f'{{id}}}}), <month>, by="category")`, a different department and month each run '
            f"({min(per_dept.values()):,}–{max(per_dept.values()):,} appeals a department in the year)",
            (*b, "category", dept_where),
            [(pk, *months[i % 12]) for i, (pk, _name) in enumerate(depts)],
        ),
        (
            f'c. the whole city\'s year by month: `metrics(Scope(region_prefixes={{"3901"}}), {YEAR}, by="month")` '
            f"({counted:,} appeals)",
            (*c, "month", region_where),
            [("3901", months[0][0], months[11][1])],
        ),
    ]
    if args.explain:
        for label, parts, subjects in cases:
            explain(label.split(":")[0], parts, subjects[0])
    rows = []
    for label, parts, subjects in cases:
        r = measure(label, parts[:4], subjects, args.repeat, describe=lambda s: f"{s[0]}, {s[1]:%Y-%m}")
        (om, op), (fm, fp) = r["ours"], r["floor"]
        rows.append(f"| {label} | {om:,.1f} | {op:,.1f} | {fm:,.1f} | {fp:,.1f} | {om / fm:.1f}× |")
        print(rows[-1], file=sys.stderr, flush=True)
    vendor = connection.vendor
    return [
        f"## Appeals (诉求) metrics, {vendor} — {total:,} appeals over {YEAR} ({counted:,} counted: "
        f"not merged or withdrawn) in 新河市, 15 departments, median and p95 of {args.repeat} runs",
        "",
        "| case | ours median ms | ours p95 ms | floor median ms | floor p95 ms | ours / floor (median) |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Command: `{_command()}` ({_load()})",
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["all", "classifier", "metrics"], default="all")
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7, help="runs of each classifier throughput case")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    lines: list[str] = []
    if args.part in ("all", "classifier"):
        lines += classification(args.runs)
    if args.part in ("all", "metrics"):
        if lines:
            lines.append("")
        lines += metrics_part(args)
    publish(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
