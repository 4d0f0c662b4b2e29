"""Writes of discovery: the search index of the published library, the recommendation signals computed
from all completions at once, and a member's choice of personalised recommendations.

- ``index_course(course)``: the course's search rows follow its state — written (course and each
  lesson) while it is published, removed otherwise. ``learning.services`` calls it at every step of a
  course (submit, publish, return, archive) and when a lesson is added or changed; ``index_rebuild``
  (``sanxin discovery index``) writes the whole index again.
- ``signals_rebuild()``: the item–item cosine matrix over the member × lesson completion matrix, cut
  to each lesson's nearest, with every lesson's completions (all, the last ``RECENT_DAYS`` days, by kind
  of work), as ``LessonSignal`` rows; run nightly (``tasks``), by ``sanxin discovery signals``, at the
  demo's build, and on the first recommendation when none was ever computed.
- ``preference_set``: a member turns personalisation off or on for themselves (audited: the record of
  a person's choice under PIPL Art. 24).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.db import transaction
from django.utils import timezone

from sanxin.core import audit
from sanxin.core.errors import RuleViolation
from sanxin.members.models import Employment, MemberStatus

from .. import selectors as learning_selectors
from ..models import Course, CourseStatus, Credit, Lesson
from . import recommend, search
from .models import LessonSignal, Preference, SearchDoc, SignalRun

RECENT_DAYS = 90


# --- search index ------------------------------------------------------------------------------------


def _course_doc(course: Course) -> SearchDoc:
    text = "\n".join([course.summary or "", " ".join(course.tags or []), str(course.column_label)])
    return SearchDoc(
        key=f"c{course.pk}",
        course_id=course.pk,
        lesson_id=None,
        title=search.index_tokens(course.title),
        body=search.index_tokens(text),
    )


def _lesson_doc(lesson: Lesson) -> SearchDoc:
    text = "\n".join([lesson.body or "", " ".join(lesson.tags or [])])
    return SearchDoc(
        key=f"l{lesson.pk}",
        course_id=lesson.course_id,
        lesson_id=lesson.pk,
        title=search.index_tokens(lesson.title),
        body=search.index_tokens(text),
    )


def index_course(course: Course) -> int:
    """Make the course's search rows follow its state; the number of rows it now has."""
    with transaction.atomic():
        SearchDoc.objects.filter(course_id=course.pk).delete()
        status = Course.objects.filter(pk=course.pk).values_list("status", flat=True).first()
        if status != CourseStatus.PUBLISHED:
            return 0
        course = Course.objects.get(pk=course.pk)
        docs = [_course_doc(course)] + [_lesson_doc(le) for le in Lesson.objects.filter(course=course)]
        SearchDoc.objects.bulk_create(docs)
    return len(docs)


def lesson_changed(lesson: Lesson) -> None:
    index_course(lesson.course)


def index_rebuild(*, progress=None, batch: int = 500) -> int:
    """The whole index again, from the published courses; the number of rows."""
    total = 0
    with transaction.atomic():
        SearchDoc.objects.all().delete()
        courses = Course.objects.filter(status=CourseStatus.PUBLISHED).order_by("pk")
        docs = []
        for course in courses.iterator(chunk_size=batch):
            docs.append(_course_doc(course))
        lessons = Lesson.objects.filter(course__status=CourseStatus.PUBLISHED).order_by("pk")
        for lesson in lessons.iterator(chunk_size=batch):
            docs.append(_lesson_doc(lesson))
            if len(docs) >= batch:
                SearchDoc.objects.bulk_create(docs)
                total += len(docs)
                docs = []
                if progress:
                    progress(total)
        SearchDoc.objects.bulk_create(docs)
        total += len(docs)
    if progress:
        progress(total)
    return total


# --- recommendation signals ------------------------------------------------------------------------


def member_kinds(member_ids=None, on: dt.date | None = None) -> dict[int, list[str]]:
    """Each member's kinds of work today (``members.Employment`` in force)."""
    on = on or timezone.localdate()
    qs = Employment.objects.filter(Employment.active_q(on), person__member__isnull=False)
    if member_ids is not None:
        qs = qs.filter(person_id__in=member_ids)
    out: dict[int, list[str]] = {}
    for person_id, kind in qs.values_list("person_id", "kind").order_by("person_id", "kind"):
        kinds = out.setdefault(person_id, [])
        if kind not in kinds:
            kinds.append(kind)
    return out


def signals_rebuild(*, now: dt.datetime | None = None, neighbours: int = recommend.NEIGHBOURS) -> SignalRun:
    """Every lesson's signals from all completions at once (the item–item matrix computed once)."""
    started = time.perf_counter()
    now = now or timezone.now()
    recent_from = timezone.localdate(now) - dt.timedelta(days=RECENT_DAYS)
    rows = np.array(
        list(Credit.objects.filter(lesson__isnull=False).values_list("member_id", "lesson_id", "on")),
        dtype=object,
    )
    lesson_ids = np.array(sorted(Lesson.objects.values_list("pk", flat=True)), dtype=np.int64)
    col = {int(pk): i for i, pk in enumerate(lesson_ids)}
    if len(rows):
        members = np.array(sorted({int(m) for m in rows[:, 0]}), dtype=np.int64)
        row = {int(pk): i for i, pk in enumerate(members)}
        mi = np.array([row[int(m)] for m in rows[:, 0]], dtype=np.int64)
        li = np.array([col[int(le)] for le in rows[:, 1]], dtype=np.int64)
        recent_mask = np.array([on >= recent_from for on in rows[:, 2]], dtype=bool)
    else:
        members = np.zeros(0, dtype=np.int64)
        mi = li = np.zeros(0, dtype=np.int64)
        recent_mask = np.zeros(0, dtype=bool)
    c = recommend.completion_matrix(mi, li, len(members), len(lesson_ids))
    sim = recommend.similarity(c, neighbours).tocsr()
    completions = np.bincount(li, minlength=len(lesson_ids))
    recent = np.bincount(li[recent_mask], minlength=len(lesson_ids))
    kinds_of = member_kinds()
    by_kind: dict[str, np.ndarray] = {}
    for kind in recommend.KINDS:
        has = np.array([kind in kinds_of.get(int(m), ()) for m in members], dtype=bool)
        if has.any():
            by_kind[kind] = np.asarray(c[has].sum(axis=0)).ravel().astype(np.int64)
    active = members_by_kind(kinds_of)
    with transaction.atomic():
        LessonSignal.objects.all().delete()
        signals = []
        for i, pk in enumerate(lesson_ids):
            lo, hi = sim.indptr[i], sim.indptr[i + 1]
            pairs = sorted(
                zip(sim.indices[lo:hi].tolist(), sim.data[lo:hi].tolist(), strict=True), key=lambda p: -p[1]
            )
            signals.append(
                LessonSignal(
                    lesson_id=int(pk),
                    completions=int(completions[i]),
                    recent=int(recent[i]),
                    by_kind={k: int(v[i]) for k, v in by_kind.items() if v[i]},
                    neighbours=[[int(lesson_ids[j]), round(float(s), 5)] for j, s in pairs],
                    computed_at=now,
                )
            )
        LessonSignal.objects.bulk_create(signals, batch_size=500)
        run = SignalRun.objects.create(
            computed_at=now,
            members=len(members),
            lessons=len(lesson_ids),
            completions=len(rows),
            kind_members=active,
            seconds=round(time.perf_counter() - started, 3),
        )
        SignalRun.objects.filter(pk__lt=run.pk).delete()
    return run


def members_by_kind(kinds_of: dict[int, list[str]]) -> dict[str, int]:
    """How many current members hold each kind of work (the denominators of 同岗位的党员都在学)."""
    from sanxin.members.models import Member

    current = set(
        Member.objects.filter(pk__in=list(kinds_of), status=MemberStatus.ACTIVE).values_list("pk", flat=True)
    )
    out: dict[str, int] = {}
    for pk, kinds in kinds_of.items():
        if pk in current:
            for kind in kinds:
                out[kind] = out.get(kind, 0) + 1
    return out


# --- preference --------------------------------------------------------------------------------------


def preference_set(*, actor, personalised: bool) -> Preference:
    """The actor's own choice: personalised recommendations on or off."""
    member = learning_selectors.member_of(actor)
    if member is None:
        raise RuleViolation("推荐设置只为党员保存", code="not_member")
    with transaction.atomic():
        pref, created = Preference.objects.select_for_update().get_or_create(member=member)
        before = pref.personalised
        pref.personalised = bool(personalised)
        pref.save()
        if before != pref.personalised or created:
            audit.record(
                actor=actor,
                action="recommend_preference",
                obj=pref,
                before={"personalised": before},
                after={"personalised": pref.personalised},
            )
    return pref
