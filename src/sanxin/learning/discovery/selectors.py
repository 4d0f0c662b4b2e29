"""Reads of discovery: a learner's search results and their recommendations (为你推荐), always within
the lessons they may open (``learning.selectors.lessons_for_learner``: published courses of the orgs
on their org chain)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import scipy.sparse as sp
from django.core.exceptions import EmptyResultSet
from django.utils import timezone

from sanxin.members.models import MemberStatus
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from ..models import Course, Credit, Lesson, Progress, ShortSlot
from . import recommend, search
from .models import LessonSignal, Preference, SearchDoc, SignalRun

DEFAULT_LIMIT = 10


# --- search ------------------------------------------------------------------------------------------


def search_lessons(user, q: str, *, limit: int = 20, offset: int = 0) -> list[search.Hit]:
    """What ``user`` may open that matches ``q``: courses and lessons, the title hits first, then the
    best ranked, with highlighted titles and snippets."""
    terms = search.query_terms(q)
    if not terms:
        return []
    courses = learning_selectors.courses_for_learner(user).values("pk")
    try:
        sql, params = courses.query.sql_with_params()
    except EmptyResultSet:  # no org chain: nothing to search
        return []
    ids = search.ranked_ids(terms, sql, params, limit=limit, offset=offset)
    docs = SearchDoc.objects.in_bulk(ids)
    course_ids = {docs[i].course_id for i in ids if i in docs}
    lesson_ids = {docs[i].lesson_id for i in ids if i in docs and docs[i].lesson_id}
    courses_by_id = Course.objects.select_related("publisher").in_bulk(course_ids)
    lessons_by_id = Lesson.objects.in_bulk(lesson_ids)
    words = search.highlight_words(terms)
    hits = []
    for i in ids:
        doc = docs.get(i)
        course = courses_by_id.get(doc.course_id) if doc else None
        if course is None:
            continue
        lesson = lessons_by_id.get(doc.lesson_id) if doc.lesson_id else None
        if doc.lesson_id and lesson is None:
            continue
        text = (lesson.body if lesson else course.summary) or ""
        hits.append(
            search.Hit(
                kind="lesson" if lesson else "course",
                course=course,
                lesson=lesson,
                title=search.mark((lesson or course).title, words),
                snippet=search.mark(text, words, window=search.SNIPPET_CHARS),
            )
        )
    return hits


# --- recommendations -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Recommendation:
    lesson: Lesson
    score: float
    reasons: list[str]
    started: bool = False
    done: bool = False


@dataclasses.dataclass
class Recommended:
    personalised: bool  # False: the common list of everyone who sees the same lessons
    items: list[Recommendation]


def personalised(member) -> bool:
    """The member's choice (PIPL Art. 24); personalised unless they turned it off."""
    if member is None:
        return False
    value = Preference.objects.filter(member=member).values_list("personalised", flat=True).first()
    return True if value is None else bool(value)


def latest_run() -> SignalRun | None:
    return SignalRun.objects.order_by("-computed_at", "-pk").first()


def _ensure_signals() -> SignalRun | None:
    run = latest_run()
    if run is None and Credit.objects.filter(lesson__isnull=False).exists():
        from . import services

        run = services.signals_rebuild()  # computed once, then kept (nightly refresh)
    return run


def _visible_lessons(user) -> list[Lesson]:
    return list(
        learning_selectors.lessons_for_learner(user)
        .select_related(None)
        .select_related("course__publisher")
        .order_by("pk")
        .only(
            "id",
            "title",
            "kind",
            "credit_hours",
            "short",
            "occupations",
            "duration_s",
            "position",
            "course__id",
            "course__title",
            "course__occupations",
            "course__published_at",
            "course__column",
            "course__sub_column",
            "course__publisher__id",
            "course__publisher__industry",
        )
    )


def _items(lessons, signals, run, industries: dict, now: dt.datetime) -> recommend.Items:
    n = len(lessons)
    kinds = recommend.KINDS
    occ = np.zeros((len(kinds), n), dtype=np.float32)
    peer = np.zeros((len(kinds), n), dtype=np.float32)
    kind_members = (run.kind_members if run else {}) or {}
    industry = np.full(n, -1, dtype=np.int64)
    age = np.zeros(n, dtype=np.float32)
    hours = np.zeros(n, dtype=np.float32)
    short = np.zeros(n, dtype=np.int8)
    recent = np.zeros(n, dtype=np.float32)
    for j, le in enumerate(lessons):
        for kind in set(le.occupations or []) | set(le.course.occupations or []):
            if kind in kinds:
                occ[kinds.index(kind), j] = 1.0
        ind = le.course.publisher.industry_id
        if ind is not None:
            industry[j] = industries.setdefault(ind, len(industries))
        published = le.course.published_at or now
        # whole days: two calls a moment apart rank the same (ties by lesson)
        age[j] = max(0.0, (now - published).total_seconds() // 86400)
        hours[j] = float(le.credit_hours)
        short[j] = {ShortSlot.SHIFT: recommend.SHORT_SHIFT, ShortSlot.NOON: recommend.SHORT_NOON}.get(
            le.short, recommend.SHORT_NONE
        )
        sig = signals.get(le.pk)
        if sig is not None:
            recent[j] = sig.recent
            for kind, count in (sig.by_kind or {}).items():
                if kind in kinds and kind_members.get(kind):
                    peer[kinds.index(kind), j] = count / kind_members[kind]
    return recommend.Items(
        ids=np.array([le.pk for le in lessons], dtype=np.int64),
        publisher=np.zeros(n, dtype=np.int64),  # all visible: one audience column
        occupations=occ,
        industry=industry,
        age_days=age,
        hours=hours,
        short=short,
        recent=recent,
        peer_share=peer,
    )


def common_list(user, *, limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None) -> list[Recommendation]:
    """The non-personal list: the lessons ``user`` may open by popularity and freshness — the same for
    everyone who sees the same lessons; nothing about the member is read."""
    now = now or timezone.now()
    lessons = _visible_lessons(user)
    if not lessons:
        return []
    run = latest_run()
    signals = LessonSignal.objects.in_bulk([le.pk for le in lessons])
    items = _items(lessons, signals, run, {}, now)
    scores = recommend.common_scores(items, sp.csr_matrix(np.ones((1, 1), dtype=np.float32)))
    order = recommend.top_k(scores, limit)[0]
    pop = recommend.popular(items, np.ones((1, items.n), dtype=bool))[0]
    return [
        Recommendation(
            lesson=lessons[j],
            score=float(scores[0, j]),
            reasons=recommend.common_reasons(popular=float(pop[j]), age_days=float(items.age_days[j])),
        )
        for j in order
    ]


def _member_features(member, user, lessons, now):
    """What personalisation reads about a member: kinds of work, the industries of their org chain,
    completed and started lessons, the year's missing hours."""
    from . import services

    ids = [le.pk for le in lessons]
    col = {pk: j for j, pk in enumerate(ids)}
    kinds = services.member_kinds([member.pk]).get(member.pk, [])
    industries = set(
        Org.objects.filter(path__in=learning_selectors.audience_paths(user), industry__isnull=False)
        .values_list("industry_id", flat=True)
        .distinct()
    )
    completed = set(
        Credit.objects.filter(member=member, lesson__isnull=False).values_list("lesson_id", flat=True)
    )
    started = (
        set(
            Progress.objects.filter(member=member, completed_at__isnull=True, lesson_id__in=ids).values_list(
                "lesson_id", flat=True
            )
        )
        - completed
    )
    year = learning_selectors.year_of(member, timezone.localdate(now).year)
    return kinds, industries, completed, started, year, col


def recommended(user, *, limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None) -> Recommended:
    """为你推荐 for ``user``: personalised for a current member who has not turned it off, the common
    list otherwise."""
    now = now or timezone.now()
    member = learning_selectors.member_of(user)
    if member is None or member.status != MemberStatus.ACTIVE or not personalised(member):
        return Recommended(False, common_list(user, limit=limit, now=now))
    lessons = _visible_lessons(user)
    if not lessons:
        return Recommended(True, [])
    run = _ensure_signals()
    kinds, industries, completed, started, year, col = _member_features(member, user, lessons, now)
    history = sorted(completed)
    # the completed lessons' nearest (their rows of the item–item matrix) and the candidates' counts
    signals = LessonSignal.objects.in_bulk(list(col) + history)
    industry_index: dict = {}
    for ind in industries:
        industry_index.setdefault(ind, len(industry_index))
    items = _items(lessons, signals, run, industry_index, now)
    n, h = len(lessons), len(history)
    rows, cols, vals = [], [], []
    for r, pk in enumerate(history):
        sig = signals.get(pk)
        for other, sim in sig.neighbours if sig else []:
            if other in col:
                rows.append(r)
                cols.append(col[other])
                vals.append(sim)
    sim = sp.csr_matrix((vals, (rows, cols)), shape=(h, n), dtype=np.float32)
    member_ind = np.zeros((1, len(industry_index)), dtype=np.float32)
    for ind in industries:
        member_ind[0, industry_index[ind]] = 1.0
    kind_row = np.array([[1.0 if k in kinds else 0.0 for k in recommend.KINDS]], dtype=np.float32)

    def row(ids_):
        js = [col[i] for i in ids_ if i in col]
        return sp.csr_matrix((np.ones(len(js)), ([0] * len(js), js)), shape=(1, n), dtype=np.float32)

    members = recommend.Members(
        completed=row(completed),
        history=sp.csr_matrix(np.ones((1, h), dtype=np.float32)),
        started=row(started),
        kinds=kind_row,
        industries=member_ind,
        audience=sp.csr_matrix(np.ones((1, 1), dtype=np.float32)),
        missing=np.array([float(year.missing)], dtype=np.float32),
        required=np.array([float(year.required)], dtype=np.float32),
        slot=recommend.slot_now(timezone.localtime(now).hour),
    )
    scores = recommend.personal_scores(items, sim, members)
    parts = recommend.parts(items, sim, members)
    order = recommend.top_k(scores, limit)[0]
    titles = dict(Lesson.objects.filter(pk__in=history).values_list("pk", "title")) if h else {}
    out = []
    for j in order:
        like = None
        if h and parts["cf"][0, j] > 0:
            column = sim.getcol(j).toarray().ravel()
            like = titles.get(history[int(column.argmax())])
        values = {name: float(parts[name][0, j]) for name in recommend.PARTS}
        out.append(
            Recommendation(
                lesson=lessons[j],
                score=float(scores[0, j]),
                reasons=recommend.reasons(
                    values,
                    kinds=[k for k in kinds if items.occupations[recommend.KINDS.index(k), j]] or kinds,
                    age_days=float(items.age_days[j]),
                    missing=float(year.missing),
                    short=int(items.short[j]),
                    like_title=like,
                )
                or ["可学课程"],
                started=lessons[j].pk in started,
            )
        )
    return Recommended(True, out)


def mark_done(user, recs: list[Recommendation]) -> list[Recommendation]:
    """Flag the lessons the viewer completed (display only: the common list is not re-ranked)."""
    member = learning_selectors.member_of(user)
    if member is None or not recs:
        return recs
    done = set(
        Credit.objects.filter(member=member, lesson_id__in=[r.lesson.pk for r in recs]).values_list(
            "lesson_id", flat=True
        )
    )
    for r in recs:
        r.done = r.lesson.pk in done
    return recs
