"""Benchmark of learning's discovery (为你推荐 and 搜索): the recommendations' hit rate at 10 against a
popularity baseline, offline; the time to compute recommendations for 200,000 members with 5,000,000
completions (batch) and for one member on request; search over 100,000 lessons.

    python bench/learning.py                                   # all three parts, SQLite for the search
    python bench/learning.py --part hit --members 2400         # one part
    DATABASE_URL=postgres://... python bench/learning.py --part search

1. Hit rate at 10 (``--part hit``), no database: ``discovery.recommend``, the code the pages run, on a
   synthetic population shaped like the demo — a city committee and three industry committees
   (快递外卖: riders and couriers; 交通运输: ride-hailing and truck drivers; 网络名人: streamers) that
   publish lessons, the city's to everyone (no target occupation), each committee's to its subtree
   (one or two of its kinds of work); members of the five kinds in the demo's proportions; each lesson
   of one of eight topics, with a quality (log-normal), hours and an age. A member completes a number
   of the lessons they may see (Poisson, mean 8), drawn one after another with weights quality ×
   occupation (3 named, 1 general, 0.3 named for others) × (1 + 4 × the member's liking of the
   topic: a Dirichlet over the topics, most of it on two or three). Each member with at least four
   completions has the last two held out; everything (the item–item matrix, the counts, the peers'
   shares, the hours still missing) is computed from the rest, and a member is a hit when one of the
   held-out lessons is in their top ten. Compared: ours (personalised), ours without the collaborative
   filtering (its weight 0), the most completed lessons they may see and have not completed
   (popularity), and our non-personal list (popularity and freshness, completed ones not removed:
   PIPL's "off"). Two sizes: the demo's (239 members, 30 lessons) and ten times that.

2. Scale (``--part scale``), no database: 200,000 members, 5,000 lessons, 5,000,000 completions drawn
   as in 1 (by kind of work and topic), vectorised. Timed: the item–item matrix (cosine, top 20 a
   lesson) and the counts (all, by kind) — the nightly ``signals_rebuild``'s arithmetic; the top ten of
   every member (``recommend.batch``, 1,000 members a block); one member on request as
   ``discovery.selectors.recommended`` computes it (their completed lessons' rows of the matrix against
   the lessons they may see), median and p95 of 500 members. The reading and writing of rows is not
   in these figures (see the note in results.md).

3. Search (``--part search``), the database: 100,000 lessons in 10,000 published courses of a
   committee, bodies of 80 to 200 characters put together from sentences of the demo's kind; indexed
   by ``discovery.services.index_rebuild`` (jieba, then FTS5 or the GIN index); 1,000 queries of
   one to three words (from a list of 40 a member would type) through
   ``discovery.selectors.search_lessons`` as a member of a branch under the committee, 20 results:
   median and p95, and the same through ``GET /api/v1/learning/discovery/search``.
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

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ and not os.environ.get("SANXIN_DATA_DIR"):
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-learning-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from forking import publish  # noqa: E402

from sanxin.learning.discovery import recommend  # noqa: E402

KINDS = recommend.KINDS
# the demo's committees: (their kinds of work, the share of members)
COMMITTEES = [(("rider", "courier"), 0.65), (("ride_hailing", "truck"), 0.25), (("streamer",), 0.10)]
KIND_SHARE = {"rider": 0.40, "courier": 0.25, "ride_hailing": 0.15, "truck": 0.10, "streamer": 0.10}
TOPICS = 8


# --- the synthetic population ---------------------------------------------------------------------------


def population(n_members: int, n_lessons: int, mean_done: float, rng: np.random.Generator):
    """(items, kinds of the members, their committee, their topic likings, lesson topic, lesson quality,
    lesson occupation weights (kinds × lessons))."""
    kinds_p = np.array([KIND_SHARE.get(k, 0.0) for k in KINDS])
    member_kind = rng.choice(len(KINDS), size=n_members, p=kinds_p / kinds_p.sum())
    committee_of_kind = {}
    for c, (ks, _share) in enumerate(COMMITTEES):
        for k in ks:
            committee_of_kind[KINDS.index(k)] = c
    member_committee = np.array([committee_of_kind[k] for k in member_kind])
    likes = rng.dirichlet(np.full(TOPICS, 0.3), size=n_members).astype(np.float32)
    # lessons: 40% the city's (publisher 0), the rest a committee's (publisher 1 + committee)
    publisher = np.where(rng.random(n_lessons) < 0.4, 0, 1 + rng.choice(3, size=n_lessons, p=[0.5, 0.3, 0.2]))
    occupations = np.zeros((len(KINDS), n_lessons), dtype=np.float32)
    for j in range(n_lessons):
        if publisher[j] > 0:
            ks = COMMITTEES[publisher[j] - 1][0]
            chosen = ks if len(ks) == 1 or rng.random() < 0.4 else (ks[rng.integers(len(ks))],)
            for k in chosen:
                occupations[KINDS.index(k), j] = 1.0
    topic = rng.integers(TOPICS, size=n_lessons)
    quality = rng.lognormal(0.0, 0.8, size=n_lessons).astype(np.float32)
    items = recommend.Items(
        ids=np.arange(n_lessons),
        publisher=publisher,
        occupations=occupations,
        industry=np.where(publisher > 0, publisher - 1, -1),
        age_days=rng.uniform(0, 365, size=n_lessons).astype(np.float32),
        hours=rng.choice([0.5, 1.0, 1.5, 2.0], size=n_lessons).astype(np.float32),
        short=np.where(rng.random(n_lessons) < 0.2, recommend.SHORT_SHIFT, recommend.SHORT_NONE),
        recent=np.zeros(n_lessons, dtype=np.float32),
        peer_share=np.zeros((len(KINDS), n_lessons), dtype=np.float32),
    )
    return items, member_kind, member_committee, likes, topic, quality


def _weights(items, kind, committee, like, topic, quality):
    named = items.occupations.sum(axis=0) > 0
    occ = np.where(items.occupations[kind] > 0, 3.0, np.where(named, 0.3, 1.0))
    visible = (items.publisher == 0) | (items.publisher == committee + 1)
    return np.where(visible, quality * occ * (1.0 + 4.0 * like[topic]), 0.0)


def sequences(items, member_kind, member_committee, likes, topic, quality, mean_done, rng):
    """Each member's completions in order (weighted draws without replacement)."""
    out = []
    for m in range(len(member_kind)):
        w = _weights(items, member_kind[m], member_committee[m], likes[m], topic, quality)
        n = min(int(rng.poisson(mean_done)), int((w > 0).sum()))
        if n == 0:
            out.append(np.zeros(0, dtype=np.int64))
            continue
        # Gumbel top-k: the order of weighted sampling without replacement
        keys = np.log(np.maximum(w, 1e-30)) + rng.gumbel(size=len(w))
        keys[w <= 0] = -np.inf
        out.append(np.argsort(-keys)[:n])
    return out


def features(items, member_kind, member_committee, train: list[np.ndarray]):
    """Members and the items' counts from the training completions."""
    m, n = len(member_kind), items.n
    rows = np.concatenate([np.full(len(s), i) for i, s in enumerate(train)]) if m else np.zeros(0)
    cols = np.concatenate(train) if m else np.zeros(0)
    c = recommend.completion_matrix(rows.astype(np.int64), cols.astype(np.int64), m, n)
    kinds = np.zeros((m, len(KINDS)), dtype=np.float32)
    kinds[np.arange(m), member_kind] = 1.0
    counts = np.asarray(c.sum(axis=0)).ravel()
    items.recent = counts.astype(np.float32)
    per_kind = np.asarray((c.T @ sp.csr_matrix(kinds)).todense()).T  # kinds × items
    kind_members = np.maximum(kinds.sum(axis=0), 1.0)[:, None]
    items.peer_share = (per_kind / kind_members).astype(np.float32)
    audience = sp.csr_matrix(
        (
            np.ones(2 * m),
            (np.repeat(np.arange(m), 2), np.stack([np.zeros(m), member_committee + 1], 1).ravel()),
        ),
        shape=(m, 4),
        dtype=np.float32,
    )
    industries = np.zeros((m, 3), dtype=np.float32)
    industries[np.arange(m), member_committee] = 1.0
    done_hours = np.asarray(c @ items.hours).ravel()
    members = recommend.Members(
        completed=c,
        started=sp.csr_matrix((m, n), dtype=np.float32),
        kinds=kinds,
        industries=industries,
        audience=audience,
        missing=np.maximum(32.0 - done_hours, 0).astype(np.float32),
        required=np.full(m, 32.0, dtype=np.float32),
    )
    return c, members


def hit_part(args) -> list[str]:
    lines = [
        "## Learning: 为你推荐, hit rate at 10 against popularity (offline, held-out last two completions)",
        "",
        "| population | members evaluated | ours | ours without CF | popularity (completed removed) "
        "| non-personal list (PIPL off) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n_members, n_lessons in ((239, 30), (args.members, args.lessons)):
        rates = {k: [] for k in ("ours", "no_cf", "pop", "common")}
        evaluated = 0
        for seed in range(args.seeds):
            rng = np.random.default_rng(seed)
            items, kind, committee, likes, topic, quality = population(n_members, n_lessons, 8.0, rng)
            seqs = sequences(items, kind, committee, likes, topic, quality, 8.0, rng)
            train = [s[:-2] if len(s) >= 4 else s for s in seqs]
            held = [set(s[-2:].tolist()) if len(s) >= 4 else set() for s in seqs]
            c, members = features(items, kind, committee, train)
            sim = recommend.similarity(c)
            who = [i for i, h in enumerate(held) if h]
            evaluated += len(who)
            ours = recommend.batch(items, sim, members, 10)
            no_cf = _batch_weights(items, sim, members, recommend.Weights(cf=0.0))
            common = recommend.batch(items, sim, members, 10, personal=False)
            pop_scores = np.broadcast_to(items.recent, (members.m, items.n)).copy()
            pop_scores[~recommend.visible(items, members.audience) | (c.toarray() > 0)] = -np.inf
            pop = recommend.top_k(pop_scores, 10)
            for name, tops in (("ours", ours), ("no_cf", no_cf), ("pop", pop), ("common", common)):
                rates[name].append(np.mean([bool(held[i] & set(tops[i].tolist())) for i in who]))
        label = f"{n_members:,} members, {n_lessons} lessons" + (
            " (the demo's size)" if n_members == 239 else ""
        )
        lines.append(
            f"| {label} | {evaluated:,} | {np.mean(rates['ours']):.3f} | {np.mean(rates['no_cf']):.3f} "
            f"| {np.mean(rates['pop']):.3f} | {np.mean(rates['common']):.3f} |"
        )
    lines += [
        "",
        f"Each figure the mean over {args.seeds} populations (seeds 0–{args.seeds - 1}); a member is a hit when "
        "one of their two held-out lessons is in their top ten. Command: "
        f"`{_command()}` {_load()}",
    ]
    return lines


def _batch_weights(items, sim, members, weights):
    out = []
    for lo in range(0, members.m, 1000):
        part = recommend.slice_members(members, lo, min(lo + 1000, members.m))
        scores = recommend.personal_scores(items, sim, part, weights)
        out.extend(recommend.top_k(scores, 10))
    return out


# --- scale -------------------------------------------------------------------------------------------


def scale_part(args) -> list[str]:
    rng = np.random.default_rng(11)
    n_members, n_lessons, n_done = args.scale_members, args.scale_lessons, args.scale_completions
    t0 = time.perf_counter()
    items, kind, committee, likes, topic, quality = population(n_members, n_lessons, 1.0, rng)
    # completions: by member group (kind × favourite topic), weights as in part 1, vectorised by group
    fav = likes.argmax(axis=1)
    rows, cols = [], []
    per_member = rng.poisson(n_done / n_members, size=n_members)
    groups = {}
    for m in range(n_members):
        groups.setdefault((int(kind[m]), int(fav[m])), []).append(m)
    for (k, f), ms in groups.items():
        like = np.full(TOPICS, 0.05, dtype=np.float32)
        like[f] = 0.65
        w = _weights(items, k, committee[ms[0]], like, topic, quality)
        p = w / w.sum()
        for m in ms:
            n = min(int(per_member[m]), int((w > 0).sum()))
            if n:
                rows.append(np.full(n, m))
                cols.append(rng.choice(n_lessons, size=n, replace=False, p=p))
    rows_a, cols_a = np.concatenate(rows), np.concatenate(cols)
    built = time.perf_counter() - t0
    train = np.split(cols_a, np.cumsum(np.bincount(rows_a, minlength=n_members))[:-1])
    t0 = time.perf_counter()
    c, members = features(items, kind, committee, train)
    sim = recommend.similarity(c)
    t_sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    tops = recommend.batch(items, sim, members, 10)
    t_batch = time.perf_counter() - t0
    assert len(tops) == n_members
    # one member on request: their completed rows of the matrix against the lessons they may see
    picks = rng.choice(n_members, size=500, replace=False)
    vis_all = None
    samples = []
    for m in picks:
        t0 = time.perf_counter()
        one = recommend.slice_members(members, int(m), int(m) + 1)
        vis = recommend.visible(items, one.audience)[0]
        cols_v = np.nonzero(vis)[0]
        history = c[int(m)].indices
        sub = recommend.Items(
            ids=items.ids[cols_v], publisher=np.zeros(len(cols_v), dtype=np.int64),
            occupations=items.occupations[:, cols_v], industry=items.industry[cols_v],
            age_days=items.age_days[cols_v], hours=items.hours[cols_v], short=items.short[cols_v],
            recent=items.recent[cols_v], peer_share=items.peer_share[:, cols_v],
        )  # fmt: skip
        one.history = sp.csr_matrix(np.ones((1, len(history)), dtype=np.float32))
        one.completed = one.completed[:, cols_v]
        one.started = one.started[:, cols_v]
        one.audience = sp.csr_matrix(np.ones((1, 1), dtype=np.float32))
        one.industries = one.industries
        scores = recommend.personal_scores(sub, sim[history][:, cols_v], one)
        top = sub.ids[recommend.top_k(scores, 10)[0]]
        samples.append(time.perf_counter() - t0)
        assert list(top) == list(tops[int(m)]), "on request and batch differ"
        vis_all = len(cols_v)
    ms = sorted(s * 1000 for s in samples)
    lines = [
        f"## Learning: 为你推荐 at scale — {n_members:,} members, {n_lessons:,} lessons, {len(rows_a):,} completions",
        "",
        "| step | time |",
        "|---|---:|",
        f"| item–item cosine matrix (top 20 a lesson) and the counts by kind (the nightly signals' arithmetic) | {t_sim:.1f} s |",
        f"| top ten of every member (batch, 1,000 a block) | {t_batch:.1f} s |",
        f"| one member on request (their rows of the matrix × the {vis_all:,} or so lessons they see), median | {statistics.median(ms):.1f} ms |",
        f"| one member on request, p95 | {ms[int(0.95 * len(ms)) - 1]:.1f} ms |",
        "",
        f"Every one of the 500 members' lists on request was the batch's. Generating the completions took {built:.0f} s. "
        f"Command: `{_command()}` {_load()}",
    ]
    return lines


# --- search ----------------------------------------------------------------------------------------------

SENTENCES = [
    "新就业形态劳动者与平台签订劳动合同时，要看清工资和休息条款",
    "骑手在雨天送餐要减速慢行，安全比准时更重要",
    "灵活就业人员可以参加职工基本医疗保险，按月缴费",
    "遇到欠薪可以拨打热线或找党员联络员反映",
    "入党誓词是每名党员对组织的郑重承诺",
    "平台调整计件单价应当听取劳动者和工会的意见",
    "暖蜂驿站提供饮水、充电、微波炉和休息的地方",
    "货车司机出车前要检查轮胎、刹车和灯光",
    "心肺复苏按压的深度是五到六厘米，频率每分钟一百到一百二十次",
    "中暑时先把人移到阴凉处，解开衣领，补充淡盐水",
    "网络主播要守住底线，不传播虚假信息",
    "网约车司机接单前要确认乘客信息和上车地点",
    "党员要按时交纳党费，积极参加组织生活",
    "三会一课是党的组织生活的基本制度",
    "职业伤害保障覆盖外卖骑手和快递员",
    "法律援助中心为困难职工提供免费的法律咨询",
    "电动车要按规定上牌，骑行时佩戴头盔",
    "快递员分拣包裹时要注意用电和消防安全",
    "协商议事让骑手代表和平台坐下来谈算法规则",
    "学习党章党规，做合格党员",
    "社区的小哥公寓解决了骑手的住房难题",
    "子女入学政策对新就业群体一视同仁",
    "互助保险为职工在生病住院时提供补助",
    "直播助农要如实介绍产品，保证质量",
]
QUERIES = [
    "劳动合同", "医保", "欠薪", "党费", "心肺复苏", "中暑", "电动车", "头盔", "法律援助", "互助保险",
    "算法规则", "骑手 安全", "货车司机", "党章", "入党誓词", "暖蜂驿站", "充电", "三会一课", "直播",
    "网约车", "快递员 消防", "职业伤害", "小哥公寓", "子女入学", "工会", "休息", "计件单价", "党员联络员",
    "组织生活", "灵活就业 医保", "轮胎", "刹车", "助农", "虚假信息", "住房", "分拣", "热线", "合同 工资",
    "平台 劳动者 意见", "党员",
]  # fmt: skip


def search_part(args) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from sanxin.core.models import Region
    from sanxin.learning.discovery import selectors, services
    from sanxin.learning.discovery.models import SearchDoc
    from sanxin.learning.models import Course, Lesson
    from sanxin.orgs.models import Org, Person

    call_command("migrate", verbosity=0)
    per = 10
    n_courses = args.lessons_search // per
    reuse = (
        Lesson.objects.count() == n_courses * per
        and SearchDoc.objects.count() == n_courses * (per + 1)
        and get_user_model().objects.filter(username="bench-learner").exists()
    )
    if reuse:  # the same deterministic build, kept from a last run (SANXIN_DATA_DIR / DATABASE_URL)
        user = get_user_model().objects.get(username="bench-learner")
        built = indexed = float("nan")
        docs = SearchDoc.objects.count()
        rng = random.Random(5)
    else:
        if Course.objects.exists():  # a database of our own kept from a last run
            call_command("flush", interactive=False, verbosity=0)
        rng = random.Random(5)
        region, _ = Region.objects.get_or_create(code="390100000000", defaults={"name": "新河市", "level": 2})
        day = dt.date(2020, 1, 1)
        city = Org.add_root(code="3901000000000001", name="中共新河市委员会", org_type="party_committee",
                            region=region, founded_on=day)  # fmt: skip
        committee = city.add_child(code="3901000000000002", name="快递外卖行业党委", org_type="industry",
                                   region=region, founded_on=day)  # fmt: skip
        branch = committee.add_child(code="3901000000000003", name="骑手流动党员党支部", org_type="mobile_branch",
                                     region=region, founded_on=day)  # fmt: skip
        user = get_user_model().objects.create_user(username="bench-learner", password="bench-pass-1")  # noqa: S106  (a throwaway database)
        Person.objects.create(name="骑手", org=branch, user=user)
        t0 = time.perf_counter()
        now = timezone.now()
        Course.objects.bulk_create(
            [
                Course(
                    title=f"课程{i}：" + rng.choice(SENTENCES)[:12],
                    summary=rng.choice(SENTENCES),
                    column="policy",
                    publisher=committee,
                    status="published",
                    published_at=now,
                )
                for i in range(n_courses)
            ],
            batch_size=2000,
        )
        course_ids = list(Course.objects.order_by("pk").values_list("pk", flat=True))
        batch = []
        for cid in course_ids:
            for p in range(per):
                body = "。".join(rng.sample(SENTENCES, rng.randint(3, 7)))[: rng.randint(80, 200)]
                batch.append(Lesson(course_id=cid, position=p + 1, title=rng.choice(SENTENCES)[:14], kind="article",
                                    body=body, credit_hours=1, duration_s=60))  # fmt: skip
            if len(batch) >= 5000:
                Lesson.objects.bulk_create(batch)
                batch = []
        Lesson.objects.bulk_create(batch)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        docs = services.index_rebuild()
        indexed = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE learning_searchdoc")
    queries = [rng.choice(QUERIES) for _ in range(args.queries)]
    selectors.search_lessons(user, "劳动合同")  # warm up: jieba's dictionary
    ours, found = [], 0
    for q in queries:
        t0 = time.perf_counter()
        hits = selectors.search_lessons(user, q, limit=20)
        ours.append(time.perf_counter() - t0)
        found += bool(hits)
    client = Client()
    client.force_login(user)
    api = []
    for q in queries[:200]:
        t0 = time.perf_counter()
        resp = client.get("/api/v1/learning/discovery/search", {"q": q})
        api.append(time.perf_counter() - t0)
        assert resp.status_code == 200
    ms = sorted(x * 1000 for x in ours)
    ams = sorted(x * 1000 for x in api)
    lines = [
        f"## Learning: search over {args.lessons_search:,} lessons ({docs:,} index rows), {connection.vendor}",
        "",
        "| case | median ms | p95 ms |",
        "|---|---:|---:|",
        f"| `discovery.selectors.search_lessons(user, q, limit=20)`, {len(ms):,} queries | "
        f"{statistics.median(ms):.1f} | {ms[int(0.95 * len(ms)) - 1]:.1f} |",
        f"| `GET /api/v1/learning/discovery/search?q=…` (page session), {len(ams)} queries | "
        f"{statistics.median(ams):.1f} | {ams[int(0.95 * len(ams)) - 1]:.1f} |",
        "",
        f"{found:,} of {len(ms):,} queries found something. "
        + (
            "The database of a last run was reused. "
            if reuse
            else f"Writing the rows took {built:.0f} s; indexing them (jieba, then the database's index) "
            f"{indexed:.0f} s. "
        )
        + f"Command: `{_command()}` {_load()}",
    ]
    return lines


# --- main ----------------------------------------------------------------------------------------------


def _command() -> str:
    prefix = "DATABASE_URL=postgres://… " if connection.vendor == "postgresql" else ""
    return prefix + " ".join(["python", "bench/learning.py", *sys.argv[1:]])


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"(2 cores, load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) at the end)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["hit", "scale", "search", "all"], default="all")
    parser.add_argument("--members", type=int, default=2390)
    parser.add_argument("--lessons", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--scale-members", type=int, default=200_000)
    parser.add_argument("--scale-lessons", type=int, default=5_000)
    parser.add_argument("--scale-completions", type=int, default=5_000_000)
    parser.add_argument("--lessons-search", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    parts = {"hit": hit_part, "scale": scale_part, "search": search_part}
    for name in parts if args.part == "all" else [args.part]:
        lines = parts[name](args)
        if os.environ.get("BENCH_NO_PUBLISH"):
            print("\n".join(lines))
        else:
            publish(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
