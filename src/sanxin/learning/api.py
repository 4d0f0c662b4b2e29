"""/api/v1/learning: 学习教育. A member reads the courses of the orgs above them, reports the player's
heartbeats, answers check questions and reads their hours (own routes); publishers draft, submit,
review, publish and archive courses over their orgs (``learning.view`` / ``create`` / ``change`` /
``publish``); a secretary lists who is behind on the year's hours (``learning.view``). Every write goes
through ``learning.services``; a lesson's check answer never leaves the server."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org

from . import selectors, services
from .discovery import selectors as discovery
from .discovery.api import RecommendedOut, recommended_out
from .models import Column, Course, CourseStatus, Lesson, LessonKind, ShortSlot, SubColumn
from .training import services as training_services

router = Router(tags=["学习教育"])

COLUMNS = Literal[tuple(Column.values)]  # type: ignore[valid-type]
SUBS = Literal[tuple(SubColumn.values)]  # type: ignore[valid-type]
KINDS = Literal[tuple(LessonKind.values)]  # type: ignore[valid-type]
SLOTS = Literal[tuple(ShortSlot.values)]  # type: ignore[valid-type]
STATUSES = Literal[tuple(CourseStatus.values)]  # type: ignore[valid-type]


class LessonOut(Schema):
    """A lesson as a learner sees it: the check question's choices, never its answer."""

    id: int = Field(validation_alias="pk")
    course_id: int
    position: int
    title: str
    kind: str
    body: str
    media_url: str | None = Field(None, description="音视频（直播课为回放）地址，支持 HTTP Range")
    duration_s: int | None
    credit_hours: Decimal
    tags: list[str]
    occupations: list[str]
    short: str
    starts_at: dt.datetime | None
    live_url: str
    question: str
    choices: list[str]

    @staticmethod
    def resolve_media_url(obj):
        f = obj.playable
        return f"/files/{f.pk}/?inline=1" if f else None


class LessonAdminOut(LessonOut):
    answer: int | None


class CourseOut(Schema):
    id: int = Field(validation_alias="pk")
    title: str
    summary: str
    column: str
    sub_column: str
    column_label: str
    publisher_id: int
    publisher_name: str = Field(validation_alias="publisher.name")
    tags: list[str]
    occupations: list[str]
    status: str
    published_at: dt.datetime | None


class CourseDetailOut(CourseOut):
    lessons: list[LessonOut]

    @staticmethod
    def resolve_lessons(obj):
        return list(obj.lessons.select_related("media", "replay"))


class CourseAdminOut(CourseOut):
    submitted_at: dt.datetime | None
    submitted_by_id: int | None
    reviewed_at: dt.datetime | None
    reviewed_by_id: int | None
    review_note: str
    archived_at: dt.datetime | None
    lessons: list[LessonAdminOut]

    @staticmethod
    def resolve_lessons(obj):
        return list(obj.lessons.select_related("media", "replay"))


class ProgressOut(Schema):
    lesson_id: int
    position_s: float
    watched_s: float = Field(description="服务器按心跳累计的有效学习时间（秒）")
    required_s: int | None = Field(description="记入学时所需的有效学习时间（秒）")
    answered: bool
    completed: bool
    completed_at: dt.datetime | None


def _progress_out(progress, lesson) -> ProgressOut:
    return ProgressOut(
        lesson_id=lesson.pk,
        position_s=progress.position_s if progress else 0,
        watched_s=round(progress.watched_s, 1) if progress else 0,
        required_s=services.required_seconds(lesson),
        answered=bool(progress and progress.answered),
        completed=bool(progress and progress.completed_at),
        completed_at=progress.completed_at if progress else None,
    )


class YearOut(Schema):
    year: int
    hours: Decimal
    credits: Decimal = Field(description="学分")
    required: Decimal
    missing: Decimal


class HomeOut(Schema):
    year: YearOut | None
    continuing: list[ProgressOut]
    short_lessons: list[LessonOut]
    recommended: RecommendedOut = Field(description="为你推荐（前 5 条；关闭个性化时为通用列表）")


# --- learners -------------------------------------------------------------------------------------


@router.get("/home", response=HomeOut, summary="学习首页：本年学时、继续学习、微课")
@permission.own()
def home(request):
    member = selectors.member_of(request.auth)
    year = selectors.year_of(member) if member else None
    continuing = list(selectors.continuing(member, request.auth)) if member else []
    return HomeOut(
        year=YearOut(**{k: getattr(year, k) for k in ("year", "hours", "credits", "required", "missing")})
        if year
        else None,
        continuing=[_progress_out(p, p.lesson) for p in continuing],
        short_lessons=list(selectors.short_lessons(member, request.auth)),
        recommended=recommended_out(request.auth, discovery.recommended(request.auth, limit=5)),
    )


class CatalogueFilters(Schema):
    column: COLUMNS | None = None
    sub_column: SUBS | None = None
    short: SLOTS | None = None
    q: str = Field("", max_length=50)


@router.get("/courses", response=list[CourseOut], summary="可学习的课程（本人所在组织及其上级发布的）")
@permission.own()
@paginate(PageNumber)
def courses(request, filters: Query[CatalogueFilters]):
    return selectors.catalogue(
        request.auth,
        column=filters.column or "",
        sub_column=filters.sub_column or "",
        short=filters.short or "",
        q=filters.q.strip(),
    )


@router.get("/courses/{course_id}", response=CourseDetailOut, summary="课程详情（学员）")
@permission.own()
def course_detail(request, course_id: int):
    return selectors.learner_course(request.auth, course_id)


@router.get("/lessons/{lesson_id}", response=LessonOut, summary="课时（学员）")
@permission.own()
def lesson_detail(request, lesson_id: int):
    lesson = selectors.learner_lesson(request.auth, lesson_id)
    training_services.lesson_viewed(member=selectors.member_of(request.auth), lesson=lesson)
    return lesson


@router.get("/lessons/{lesson_id}/progress", response=ProgressOut, summary="本人的学习进度")
@permission.own()
def lesson_progress(request, lesson_id: int):
    lesson = selectors.learner_lesson(request.auth, lesson_id)
    member = selectors.member_of(request.auth)
    progress = selectors.progress_of(member, [lesson]).get(lesson.pk) if member else None
    return _progress_out(progress, lesson)


class HeartbeatIn(Schema):
    position: float = Field(ge=0, le=86_400, description="播放位置（秒）；图文课时传 0")
    playing: bool = Field(True, description="暂停或页面不可见时为 false")


@router.post("/lessons/{lesson_id}/heartbeat", response=ProgressOut, summary="学习心跳（播放器定时上报）")
@permission.own()
def heartbeat(request, lesson_id: int, payload: HeartbeatIn):
    lesson = selectors.learner_lesson(request.auth, lesson_id)
    progress = services.heartbeat(
        actor=request.auth, lesson=lesson, position=payload.position, playing=payload.playing
    )
    return _progress_out(progress, lesson)


class AnswerIn(Schema):
    choice: int = Field(ge=0, le=5, description="所选选项的序号（从 0 开始）")


class AnswerOut(Schema):
    correct: bool
    restarted: bool = Field(description="答错次数用完，有效学习时间重新累计")
    progress: ProgressOut


@router.post("/lessons/{lesson_id}/answer", response=AnswerOut, summary="回答检测题")
@permission.own()
def answer(request, lesson_id: int, payload: AnswerIn):
    lesson = selectors.learner_lesson(request.auth, lesson_id)
    progress, correct, restarted = services.answer_submit(
        actor=request.auth, lesson=lesson, choice=payload.choice
    )
    return AnswerOut(correct=correct, restarted=restarted, progress=_progress_out(progress, lesson))


class CreditOut(Schema):
    lesson_id: int | None
    lesson_title: str | None = None
    course_title: str | None = None
    training_id: int | None = Field(None, description="线下培训的学时（冲销记录为负数）")
    training_title: str | None = None
    on: dt.date
    hours: Decimal
    credits: Decimal

    @staticmethod
    def resolve_lesson_title(obj):
        return obj.lesson.title if obj.lesson_id else None

    @staticmethod
    def resolve_course_title(obj):
        return obj.lesson.course.title if obj.lesson_id else None

    @staticmethod
    def resolve_training_title(obj):
        return obj.training.title if obj.training_id else None


@router.get("/mine/credits", response=list[CreditOut], summary="本人的学时记录")
@permission.own()
@paginate(PageNumber)
def my_credits(request, year: int | None = Query(None, ge=2000, le=2100)):
    member = selectors.member_of(request.auth)
    return selectors.credits_of(member, year) if member else []


# --- publishers ------------------------------------------------------------------------------------


class CourseIn(Schema):
    publisher_id: int = Field(description="发布党组织（课程面向其下级组织的党员）")
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field("", max_length=2000)
    column: COLUMNS
    sub_column: SUBS = ""
    tags: list[str] = Field(default_factory=list, max_length=10)
    occupations: list[str] = Field(default_factory=list)


class CoursePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    summary: str | None = Field(None, max_length=2000)
    column: COLUMNS | None = None
    sub_column: SUBS | None = None
    tags: list[str] | None = Field(None, max_length=10)
    occupations: list[str] | None = None


class LessonIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    kind: KINDS
    body: str = Field("", max_length=50_000)
    duration_s: int | None = Field(None, ge=1, le=86_400)
    credit_hours: Decimal = Field(ge=0, le=20, decimal_places=2)
    tags: list[str] = Field(default_factory=list, max_length=10)
    occupations: list[str] = Field(default_factory=list)
    short: SLOTS = ""
    starts_at: dt.datetime | None = None
    live_url: str = Field("", max_length=200)
    question: str = Field("", max_length=300)
    choices: list[str] = Field(default_factory=list, max_length=6)
    answer: int | None = Field(None, ge=0, le=5)


class LessonPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    body: str | None = Field(None, max_length=50_000)
    duration_s: int | None = Field(None, ge=1, le=86_400)
    credit_hours: Decimal | None = Field(None, ge=0, le=20, decimal_places=2)
    tags: list[str] | None = Field(None, max_length=10)
    occupations: list[str] | None = None
    short: SLOTS | None = None
    starts_at: dt.datetime | None = None
    live_url: str | None = Field(None, max_length=200)
    question: str | None = Field(None, max_length=300)
    choices: list[str] | None = Field(None, max_length=6)
    answer: int | None = Field(None, ge=0, le=5)


class CourseReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=300, description="审核意见；退回时必填")


class ArchiveIn(Schema):
    reason: str = Field("", max_length=300)


def _course(request, course_id: int) -> Course:
    return request.scope.get(Course.objects.select_related("publisher"), pk=course_id)


class ManageFilters(Schema):
    status: STATUSES | None = None
    q: str = Field("", max_length=50)


@router.get("/manage/courses", response=list[CourseOut], summary="本人管理范围内的课程")
@permission("learning", "view")
@paginate(PageNumber)
def manage_list(request, filters: Query[ManageFilters]):
    return selectors.managed_courses(request.scope, status=filters.status or "", q=filters.q.strip())


@router.get("/manage/review", response=list[CourseOut], summary="待审核的课程")
@permission("learning", "publish")
@paginate(PageNumber)
def manage_review_queue(request):
    return selectors.review_queue(request.scope)


@router.post("/manage/courses", response={201: CourseAdminOut}, summary="新建课程（草稿）")
@permission("learning", "create")
def manage_create(request, payload: CourseIn):
    publisher = request.scope.get(Org, pk=payload.publisher_id)
    course = services.course_create(
        actor=request.auth, publisher=publisher, **payload.dict(exclude={"publisher_id"})
    )
    return Status(201, course)


@router.get("/manage/courses/{course_id}", response=CourseAdminOut, summary="课程详情（管理）")
@permission("learning", "view", model=Course, lookup="course_id")
def manage_detail(request, course_id: int):
    return _course(request, course_id)


@router.patch("/manage/courses/{course_id}", response=CourseAdminOut, summary="修改课程（草稿）")
@permission("learning", "change", model=Course, lookup="course_id")
def manage_update(request, course_id: int, payload: CoursePatch):
    course = _course(request, course_id)
    return services.course_update(actor=request.auth, course=course, **payload.dict(exclude_unset=True))


@router.post("/manage/courses/{course_id}/lessons", response={201: LessonAdminOut}, summary="添加课时")
@permission("learning", "change", model=Course, lookup="course_id")
def manage_lesson_add(request, course_id: int, payload: LessonIn):
    course = _course(request, course_id)
    lesson = services.lesson_add(actor=request.auth, course=course, **payload.dict())
    return Status(201, lesson)


@router.patch("/manage/lessons/{lesson_id}", response=LessonAdminOut, summary="修改课时")
@permission("learning", "change", model=Lesson, lookup="lesson_id")
def manage_lesson_update(request, lesson_id: int, payload: LessonPatch):
    lesson = request.scope.get(Lesson.objects.select_related("course", "media", "replay"), pk=lesson_id)
    return services.lesson_update(actor=request.auth, lesson=lesson, **payload.dict(exclude_unset=True))


@router.post(
    "/manage/lessons/{lesson_id}/media",
    response=LessonAdminOut,
    summary="上传课时的音视频或直播回放（multipart）",
)
@permission("learning", "change", model=Lesson, lookup="lesson_id")
def manage_lesson_media(
    request,
    lesson_id: int,
    file: File[UploadedFile],
    field: Form[Literal["media", "replay"]] = "media",
):
    lesson = request.scope.get(Lesson.objects.select_related("course", "media", "replay"), pk=lesson_id)
    return services.lesson_attach(actor=request.auth, lesson=lesson, uploaded=file, field=field)


@router.post("/manage/courses/{course_id}/submit", response=CourseAdminOut, summary="提交审核")
@permission("learning", "change", model=Course, lookup="course_id")
def manage_submit(request, course_id: int):
    return services.course_submit(actor=request.auth, course=_course(request, course_id))


@router.post("/manage/courses/{course_id}/review", response=CourseAdminOut, summary="审核：发布或退回")
@permission("learning", "publish", model=Course, lookup="course_id")
def manage_review(request, course_id: int, payload: CourseReviewIn):
    return services.course_review(
        actor=request.auth, course=_course(request, course_id), approve=payload.approve, note=payload.note
    )


@router.post("/manage/courses/{course_id}/archive", response=CourseAdminOut, summary="下架课程")
@permission("learning", "publish", model=Course, lookup="course_id")
def manage_archive(request, course_id: int, payload: ArchiveIn):
    return services.course_archive(
        actor=request.auth, course=_course(request, course_id), reason=payload.reason
    )


# --- secretaries -----------------------------------------------------------------------------------


class BehindOut(Schema):
    member_id: int = Field(validation_alias="pk")
    name: str = Field(validation_alias="person.name")
    org_id: int | None = Field(validation_alias="person.org_id")
    org_name: str | None = Field(None)
    hours: Decimal
    required: Decimal
    missing: Decimal
    cadre: bool = Field(description="本年度担任书记、副书记或委员（要求更高）")

    @staticmethod
    def resolve_org_name(obj):
        return obj.person.org.name if obj.person.org_id else None


class BehindFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    org_id: int | None = Field(None, description="只看该组织及其下级")


@router.get("/behind", response=list[BehindOut], summary="学时未达标的党员（本人管理范围）")
@permission("learning", "view")
@paginate(PageNumber)
def behind(request, filters: Query[BehindFilters]):
    org = request.scope.get(Org, pk=filters.org_id) if filters.org_id else None
    return selectors.behind(request.scope, filters.year or timezone.localdate().year, org=org)
