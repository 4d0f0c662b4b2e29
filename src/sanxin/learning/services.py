"""Writes of learning: the publishers' courses and lessons through draft → review → published →
archived; the learners' heartbeats and check answers, and the credit they earn.

Who: an org's publishers (``learning.create`` / ``learning.change`` over the publisher org) draft and
submit; a reviewer (``learning.publish``, not the one who submitted: four eyes) publishes or returns the
course, and archives it. A member learns on routes of their own; the courses they may open are those
of the orgs on their org's ancestor chain (``selectors.courses_for_learner``).

Credit: a lesson completes when the watched (read) time the server accumulated from heartbeats
(``rules.advance``) reaches ``LEARNING_WATCH_SHARE`` of its duration (all of an article's minimum
reading time) and its check question, if any, was answered right. It credits once: the progress row is
locked while deciding, and a unique constraint on (member, lesson) turns a concurrent second completion
into nothing. Each credit is audited and announced as ``learning.credited`` (``{"member_id",
"lesson_id", "course_id", "column", "short", "hours", "credits", "on"}``, keyed per member and lesson),
which points (``points.sources``) may credit and the growth archive reads.

Refusals: ``InvalidInput`` with the field; ``RuleViolation`` ``not_draft`` (a course past its draft is
not edited), ``bad_state``, ``same_person`` (a reviewer reviewing their own submission), ``no_lessons``,
``incomplete_lesson``, ``not_member`` (progress is kept for members), ``no_question``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxin.core import audit, events, uploads
from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import StoredFile
from sanxin.core.scope import scope_for
from sanxin.members.models import Member, MemberStatus, WorkKind
from sanxin.orgs.models import Org

from . import media, rules, selectors
from .discovery import services as search_index
from .models import (
    Column,
    Course,
    CourseStatus,
    Credit,
    Lesson,
    LessonKind,
    Progress,
    ShortSlot,
    SubColumn,
)

MEDIA_PURPOSE = "learning.media"
SHORT_LIMITS = {ShortSlot.SHIFT: 5 * 60, ShortSlot.NOON: 15 * 60}
MAX_HOURS = Decimal("20")


def _require(actor, action: str, obj) -> None:
    if actor is not None and not scope_for(actor, "learning", action).contains(obj):
        raise PermissionDenied("该课程不在你的管理范围内")


def _words(values, field: str, *, most: int = 10, length: int = 20) -> list[str]:
    out = []
    for v in values or []:
        v = str(v).strip()
        if not v:
            continue
        if len(v) > length:
            raise InvalidInput(f"标签不能超过{length}个字", field=field)
        if v not in out:
            out.append(v)
    if len(out) > most:
        raise InvalidInput(f"最多{most}个标签", field=field)
    return out


def _occupations(values) -> list[str]:
    out = list(dict.fromkeys(values or []))
    for v in out:
        if v not in WorkKind.values:
            raise InvalidInput(f"未知的从业类型：{v}", field="occupations")
    return out


def _course_fields(data: dict) -> dict:
    out = {}
    if "title" in data:
        title = (data["title"] or "").strip()
        if not title:
            raise InvalidInput("请填写课程名称", field="title")
        if len(title) > 120:
            raise InvalidInput("课程名称不能超过120个字", field="title")
        out["title"] = title
    if "summary" in data:
        out["summary"] = (data["summary"] or "").strip()
    if "column" in data and data["column"] not in Column.values:
        raise InvalidInput("请选择栏目", field="column")
    for key in ("column", "sub_column"):
        if key in data:
            out[key] = data[key] or ""
    if out.get("sub_column", "") not in SubColumn.values:
        raise InvalidInput("未知的子栏目", field="sub_column")
    if "tags" in data:
        out["tags"] = _words(data["tags"], "tags")
    if "occupations" in data:
        out["occupations"] = _occupations(data["occupations"])
    return out


def _check_columns(course: Course) -> None:
    if course.sub_column and course.column != Column.SKILLS:
        raise InvalidInput("子栏目只用于“技能培训”栏目", field="sub_column")


def course_create(
    *,
    actor,
    publisher: Org,
    title: str,
    column: str,
    summary: str = "",
    sub_column: str = "",
    tags=(),
    occupations=(),
) -> Course:
    """A draft course of ``publisher``, for its subtree."""
    if actor is not None and not scope_for(actor, "learning", "create").contains(publisher):
        raise PermissionDenied("该党组织不在你的管理范围内")
    fields = _course_fields(
        {
            "title": title,
            "summary": summary,
            "column": column,
            "sub_column": sub_column,
            "tags": tags,
            "occupations": occupations,
        }
    )
    course = Course(publisher=publisher, **fields)
    _check_columns(course)
    if getattr(actor, "is_authenticated", False):
        course.created_by = course.updated_by = actor
    with transaction.atomic():
        course.save()
        audit.record(actor=actor, action="course_create", obj=course, after=audit.snapshot(course))
    return course


def _draft(course: Course) -> None:
    if course.status != CourseStatus.DRAFT:
        raise RuleViolation("课程已提交审核或已发布，不能修改；请先退回草稿", code="not_draft")


def course_update(*, actor, course: Course, **data) -> Course:
    _require(actor, "change", course)
    unknown = set(data) - {"title", "summary", "column", "sub_column", "tags", "occupations"}
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        _draft(course)
        before = audit.snapshot(course)
        for k, v in _course_fields(data).items():
            setattr(course, k, v)
        _check_columns(course)
        if getattr(actor, "is_authenticated", False):
            course.updated_by = actor
        course.save()
        b, a = audit.diff(before, audit.snapshot(course))
        audit.record(actor=actor, action="course_update", obj=course, before=b, after=a)
    return course


# --- lessons -----------------------------------------------------------------------------------------


def media_store(*, actor, uploaded, kind: str) -> StoredFile:
    """An uploaded video or audio (checked by content and size by the core) for a lesson of ``kind``."""
    f = uploads.store_uploaded_file(actor=actor, purpose_name=MEDIA_PURPOSE, uploaded=uploaded)
    try:
        _check_media(f, kind, field="media")
    except InvalidInput:
        f.remove_files()  # an audio offered for a video lesson leaves nothing behind
        f.delete()
        raise
    return f


def lesson_attach(*, actor, lesson: Lesson, uploaded, field: str = "media") -> Lesson:
    """Stores an uploaded file and makes it the lesson's media (``field="media"``) or a live class's
    replay (``"replay"``), all or nothing: a file the service refuses (wrong kind, the course no longer a
    draft, a lesson of another kind) leaves neither a row nor bytes behind. The file's own length wins
    over the typed one, as for a page upload."""
    _require(actor, "change", lesson.course)
    _draft(lesson.course)
    if field not in ("media", "replay"):
        raise InvalidInput("只能上传课时的音视频或直播回放", field="field")
    if field == "replay" and lesson.kind != LessonKind.LIVE:
        raise InvalidInput("只有直播课有回放", field="field", code="not_live")
    if field == "media" and lesson.kind not in (LessonKind.AUDIO, LessonKind.VIDEO):
        raise InvalidInput("图文和直播课不上传音视频（直播课请上传回放）", field="field", code="no_media")
    f = uploads.store_uploaded_file(actor=actor, purpose_name=MEDIA_PURPOSE, uploaded=uploaded)
    try:
        with transaction.atomic():
            _check_media(f, lesson.kind, field=field)
            return lesson_update(actor=actor, lesson=lesson, **{field: f})
    except BaseException:
        f.remove_files()
        f.delete()
        raise


def _check_media(f: StoredFile, kind: str, *, field: str) -> None:
    wanted = "audio/" if kind == LessonKind.AUDIO else "video/"
    if kind == LessonKind.LIVE:  # a replay may be a recording of either
        ok = f.content_type.startswith(("audio/", "video/"))
    else:
        ok = f.content_type.startswith(wanted)
    if f.purpose != MEDIA_PURPOSE or not ok:
        label = {"audio": "音频", "video": "视频"}.get(kind, "音视频")
        raise InvalidInput(f"请上传{label}文件", field=field, code="bad_type")


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput("学时应为数字，如 0.5", field="credit_hours") from None
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise InvalidInput(f"学时应在 0 到 {MAX_HOURS} 之间", field="credit_hours")
    if hours != hours.quantize(Decimal("0.01")):
        raise InvalidInput("学时最多保留两位小数", field="credit_hours")
    return hours


LESSON_FIELDS = (
    "title",
    "kind",
    "body",
    "media",
    "duration_s",
    "credit_hours",
    "tags",
    "occupations",
    "short",
    "starts_at",
    "live_url",
    "replay",
    "question",
    "choices",
    "answer",
)


def _lesson_fields(lesson: Lesson, data: dict) -> None:
    """Apply ``data`` to ``lesson`` and check the whole lesson."""
    unknown = set(data) - set(LESSON_FIELDS)
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    for k, v in data.items():
        setattr(lesson, k, v)
    lesson.title = (lesson.title or "").strip()
    if not lesson.title:
        raise InvalidInput("请填写课时名称", field="title")
    if len(lesson.title) > 120:
        raise InvalidInput("课时名称不能超过120个字", field="title")
    if lesson.kind not in LessonKind.values:
        raise InvalidInput("请选择课时形式", field="kind")
    lesson.credit_hours = _hours(lesson.credit_hours)
    lesson.tags = _words(lesson.tags, "tags")
    lesson.occupations = _occupations(lesson.occupations)
    lesson.short = lesson.short or ""
    if lesson.short not in ShortSlot.values:
        raise InvalidInput("未知的微课时段", field="short")
    lesson.body = (lesson.body or "").strip()
    if lesson.duration_s is not None and (lesson.duration_s < 1 or lesson.duration_s > 24 * 3600):
        raise InvalidInput("时长应在 1 秒到 24 小时之间", field="duration_s")
    if lesson.kind == LessonKind.ARTICLE:
        if not lesson.body:
            raise InvalidInput("图文课时须有正文", field="body")
        least = rules.reading_seconds(
            lesson.body,
            chars_per_minute=settings.LEARNING_READING_CHARS_PER_MINUTE,
            minimum=settings.LEARNING_READING_MIN_SECONDS,
        )
        lesson.duration_s = max(lesson.duration_s or 0, least)
        lesson.media = lesson.replay = None
    elif lesson.kind in (LessonKind.VIDEO, LessonKind.AUDIO):
        if lesson.media is not None:
            _check_media(lesson.media, lesson.kind, field="media")
            read = media.duration_seconds(lesson.media.path, lesson.media.content_type)
            if read:
                lesson.duration_s = read  # the file's own length wins over a typed one
        lesson.replay = None
    else:
        if lesson.starts_at is None:
            raise InvalidInput("请填写直播时间", field="starts_at")
        if lesson.live_url and not lesson.live_url.startswith(("https://", "http://")):
            raise InvalidInput("直播链接应以 http:// 或 https:// 开头", field="live_url")
        if lesson.replay is not None:
            _check_media(lesson.replay, lesson.kind, field="replay")
            read = media.duration_seconds(lesson.replay.path, lesson.replay.content_type)
            if read:
                lesson.duration_s = read
        lesson.media = None
    limit = SHORT_LIMITS.get(lesson.short)
    if limit and lesson.duration_s and lesson.duration_s > limit:
        label = ShortSlot(lesson.short).label
        raise InvalidInput(f"“{label}”的微课不能超过 {limit // 60} 分钟", field="short")
    lesson.question = (lesson.question or "").strip()
    if lesson.question:
        choices = [str(c).strip() for c in (lesson.choices or [])]
        if len(choices) < 2 or len(choices) > 6 or not all(choices):
            raise InvalidInput("检测题须有 2 到 6 个非空选项", field="choices")
        if len(set(choices)) != len(choices):
            raise InvalidInput("检测题的选项不能重复", field="choices")
        if lesson.answer is None or not (0 <= int(lesson.answer) < len(choices)):
            raise InvalidInput("请指定正确选项", field="answer")
        lesson.choices = choices
    else:
        lesson.choices, lesson.answer = [], None


def lesson_add(*, actor, course: Course, **data) -> Lesson:
    _require(actor, "change", course)
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        _draft(course)
        last = course.lessons.order_by("-position").values_list("position", flat=True).first() or 0
        lesson = Lesson(course=course, position=last + 1, credit_hours=Decimal("0"))
        _lesson_fields(lesson, {k: v for k, v in data.items()})
        if getattr(actor, "is_authenticated", False):
            lesson.created_by = lesson.updated_by = actor
        lesson.save()
        audit.record(actor=actor, action="lesson_create", obj=lesson, after=audit.snapshot(lesson))
    search_index.lesson_changed(lesson)
    return lesson


def lesson_update(*, actor, lesson: Lesson, **data) -> Lesson:
    _require(actor, "change", lesson.course)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=lesson.course_id).first()
        lesson = Lesson.objects.select_related("course", "media", "replay").get(pk=lesson.pk)
        _draft(lesson.course)
        before = audit.snapshot(lesson)
        _lesson_fields(lesson, data)
        if getattr(actor, "is_authenticated", False):
            lesson.updated_by = actor
        lesson.save()
        b, a = audit.diff(before, audit.snapshot(lesson))
        audit.record(actor=actor, action="lesson_update", obj=lesson, before=b, after=a)
    search_index.lesson_changed(lesson)
    return lesson


def lesson_remove(*, actor, lesson: Lesson) -> None:
    _require(actor, "change", lesson.course)
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=lesson.course_id)
        _draft(course)
        audit.record(actor=actor, action="lesson_delete", obj=lesson, before=audit.snapshot(lesson))
        lesson.delete()


# --- publishing ------------------------------------------------------------------------------------


def _incomplete(lesson: Lesson) -> str | None:
    if lesson.kind in (LessonKind.VIDEO, LessonKind.AUDIO):
        if lesson.media_id is None:
            return "尚未上传音视频文件"
        if not lesson.duration_s:
            return "须填写时长"
    if lesson.kind == LessonKind.LIVE and lesson.replay_id is not None and not lesson.duration_s:
        return "回放须填写时长"
    return None


def _step(course: Course, *, actor, action: str, **changes) -> Course:
    before = audit.snapshot(course)
    for k, v in changes.items():
        setattr(course, k, v)
    if getattr(actor, "is_authenticated", False):
        course.updated_by = actor
    course.save()
    b, a = audit.diff(before, audit.snapshot(course))
    audit.record(actor=actor, action=action, obj=course, before=b, after=a)
    search_index.index_course(course)  # published: in the search index; otherwise out of it
    return course


def _locked(course: Course) -> Course:
    return Course.objects.select_for_update().select_related("publisher").get(pk=course.pk)


def course_submit(*, actor, course: Course) -> Course:
    """草稿 → 待审核: the course must hold lessons, each ready to be learned."""
    _require(actor, "change", course)
    with transaction.atomic():
        course = _locked(course)
        _draft(course)
        lessons = list(course.lessons.all())
        if not lessons:
            raise RuleViolation("课程还没有课时", code="no_lessons")
        for lesson in lessons:
            why = _incomplete(lesson)
            if why:
                raise RuleViolation(f"课时《{lesson.title}》{why}", code="incomplete_lesson")
        now = timezone.now()
        return _step(
            course,
            actor=actor,
            action="course_submit",
            status=CourseStatus.REVIEW,
            submitted_at=now,
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
            review_note="",
        )


def course_review(*, actor, course: Course, approve: bool, note: str = "") -> Course:
    """待审核 → 已发布, or back to 草稿 with the reviewer's note (required)."""
    _require(actor, "publish", course)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        course = _locked(course)
        if course.status != CourseStatus.REVIEW:
            raise RuleViolation("课程不在待审核状态", code="bad_state")
        if actor is not None and course.submitted_by_id == actor.pk:
            raise RuleViolation("不能审核自己提交的课程", code="same_person")
        now = timezone.now()
        who = actor if getattr(actor, "is_authenticated", False) else None
        if approve:
            return _step(
                course,
                actor=actor,
                action="course_publish",
                status=CourseStatus.PUBLISHED,
                reviewed_at=now,
                reviewed_by=who,
                review_note=note,
                published_at=now,
            )
        if not note:
            raise InvalidInput("退回时请写明修改意见", field="note")
        return _step(
            course,
            actor=actor,
            action="course_return",
            status=CourseStatus.DRAFT,
            reviewed_at=now,
            reviewed_by=who,
            review_note=note,
        )


def course_archive(*, actor, course: Course, reason: str = "") -> Course:
    """已发布 → 已下架: learners no longer find it; their progress and credits stay."""
    _require(actor, "publish", course)
    with transaction.atomic():
        course = _locked(course)
        if course.status != CourseStatus.PUBLISHED:
            raise RuleViolation("只有已发布的课程可以下架", code="bad_state")
        return _step(
            course,
            actor=actor,
            action="course_archive",
            status=CourseStatus.ARCHIVED,
            archived_at=timezone.now(),
            archived_by=actor if getattr(actor, "is_authenticated", False) else None,
            review_note=(reason or "").strip()[:300] or course.review_note,
        )


# --- learning ------------------------------------------------------------------------------------


def _member(actor) -> Member:
    member = selectors.member_of(actor)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise RuleViolation("学习记录和学时只为党员记录", code="not_member")
    return member


def _progress(member: Member, lesson: Lesson) -> Progress:
    """The member's progress row of ``lesson``, locked until the transaction ends (created first if
    need be; two first heartbeats at once meet the unique constraint and read the winner's row)."""
    Progress.objects.get_or_create(member=member, lesson=lesson)
    return Progress.objects.select_for_update().get(member=member, lesson=lesson)


def required_seconds(lesson: Lesson) -> int | None:
    if lesson.kind == LessonKind.LIVE and lesson.replay_id is None:
        return None
    return rules.required_seconds(
        duration=lesson.duration_s,
        reading=lesson.kind == LessonKind.ARTICLE,
        share=Decimal(settings.LEARNING_WATCH_SHARE),
    )


def heartbeat(
    *, actor, lesson: Lesson, position: float, playing: bool = True, now=None, member: Member | None = None
) -> Progress:
    """The player's report: ``position`` seconds into the media (an article's page: any); ``playing``
    says whether the interval that ends with this report was spent playing (false for the report that
    starts playback after a pause, or while an article's page was hidden). Adds what ``rules.advance``
    allows and credits the lesson once it is complete. ``member`` and ``now`` are for the system (the
    demo, tests): a person's request is always the actor's own member at the server's time."""
    member = member or _member(actor)
    now = now or timezone.now()
    with transaction.atomic():
        progress = _progress(member, lesson)
        step = rules.advance(
            last_at=progress.beat_at.timestamp() if progress.beat_at else None,
            last_position=progress.beat_position,
            now=now.timestamp(),
            position=float(position),
            duration=lesson.duration_s,
            reading=lesson.kind == LessonKind.ARTICLE,
            max_gap=settings.LEARNING_HEARTBEAT_MAX_GAP_S,
        )
        if playing:
            progress.watched_s += step.counted
        progress.position_s = progress.beat_position = step.position
        progress.beat_at = now
        progress.beats += 1
        progress.save()
        _complete(progress, lesson, member, actor, now)
    return progress


def answer_submit(
    *, actor, lesson: Lesson, choice: int, now=None, member: Member | None = None
) -> tuple[Progress, bool, bool]:
    """Answer the check question: (progress, correct, restarted). After ``LEARNING_CHECK_ATTEMPTS``
    wrong answers the watched time starts again from zero (guessing is not learning)."""
    if not lesson.question:
        raise RuleViolation("该课时没有检测题", code="no_question")
    if not isinstance(choice, int) or not (0 <= choice < len(lesson.choices)):
        raise InvalidInput("请选择一个选项", field="choice")
    member = member or _member(actor)
    now = now or timezone.now()
    restarted = False
    with transaction.atomic():
        progress = _progress(member, lesson)
        if progress.answered or progress.completed_at:
            return progress, True, False
        correct = choice == lesson.answer
        if correct:
            progress.answered = True
        else:
            progress.wrong_answers += 1
            if progress.wrong_answers >= settings.LEARNING_CHECK_ATTEMPTS:
                progress.wrong_answers = 0
                progress.watched_s = 0
                progress.beat_at = None
                restarted = True
        progress.save()
        _complete(progress, lesson, member, actor, now)
    return progress, correct, restarted


def _complete(progress: Progress, lesson: Lesson, member: Member, actor, now: dt.datetime) -> Credit | None:
    """Credit the lesson when it is complete and not credited yet (inside the caller's transaction,
    with ``progress`` locked)."""
    if progress.completed_at is not None:
        return None
    needed = required_seconds(lesson)
    if needed is None or progress.watched_s < needed:
        return None
    if lesson.question and not progress.answered:
        return None
    on = timezone.localdate(now)
    hours = lesson.credit_hours
    credits = rules.to_credits(hours, Decimal(settings.LEARNING_CREDITS_PER_HOUR))
    try:
        with transaction.atomic():
            credit = Credit.objects.create(
                member=member, lesson=lesson, on=on, year=on.year, hours=hours, credits=credits
            )
    except IntegrityError:
        return None  # credited by a concurrent completion
    progress.completed_at = now
    progress.save(update_fields=["completed_at"])
    audit.record(
        actor=actor,
        action="learning_credit",
        obj=credit,
        after={"member": member.pk, "lesson": lesson.pk, "hours": str(hours), "credits": str(credits)},
    )
    course = lesson.course
    events.publish(
        "learning.credited",
        {
            "member_id": member.pk,
            "lesson_id": lesson.pk,
            "course_id": course.pk,
            "training_id": None,
            "source": "lesson",
            "column": course.column,
            "short": lesson.short,
            "hours": str(hours),
            "credits": str(credits),
            "on": on.isoformat(),
        },
        key=f"learning.credited:{member.pk}:{lesson.pk}",
    )
    return credit
