"""/api/v1/learning/training: 培训班, 线下培训, 学时档案, 学习统计 and reminders. Offices and secretaries
organise programmes and offline trainings over their orgs (``learning.view`` / ``create`` / ``change``),
enrol their members and mark attendance; a member reads their own programmes and transcript (own
routes); a secretary reads a member's transcript in scope and reminds those behind (at most once a week
each). Every write goes through ``training.services``."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import RuleViolation
from sanxin.core.permissions import permission
from sanxin.members.models import Member
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from . import selectors, services
from .models import Audience, Cohort, Programme, ProgrammeMode, Track, Training

router = Router(tags=["学习教育·培训"])

MODES = Literal[tuple(ProgrammeMode.values)]  # type: ignore[valid-type]
AUDIENCES = Literal[tuple(Audience.values)]  # type: ignore[valid-type]
TRACKS = Literal[tuple(Track.values)]  # type: ignore[valid-type]


class CohortOut(Schema):
    id: int = Field(validation_alias="pk")
    programme_id: int
    name: str
    track: str
    starts_on: dt.date
    ends_on: dt.date


class ProgrammeOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    title: str
    summary: str
    mode: str
    audience: str
    starts_on: dt.date
    ends_on: dt.date
    required_hours: Decimal
    course_ids: list[int]
    cohorts: list[CohortOut]

    @staticmethod
    def resolve_course_ids(obj):
        return [c.pk for c in obj.courses.all()]

    @staticmethod
    def resolve_cohorts(obj):
        return list(obj.cohorts.all())


class ProgrammeIn(Schema):
    org_id: int = Field(description="主办党组织（培训班面向其下级组织的党员）")
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field("", max_length=2000)
    mode: MODES
    audience: AUDIENCES = "general"
    starts_on: dt.date
    ends_on: dt.date
    required_hours: Decimal = Field(gt=0, le=500, decimal_places=2, description="结业所需学时")
    course_ids: list[int] = Field(default_factory=list, max_length=50)


class ProgrammePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    summary: str | None = Field(None, max_length=2000)
    mode: MODES | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    required_hours: Decimal | None = Field(None, gt=0, le=500, decimal_places=2)
    course_ids: list[int] | None = Field(None, max_length=50)


class CohortIn(Schema):
    name: str = Field(min_length=1, max_length=60, description="班次名称，如“第一期”“县级示范班”")
    track: TRACKS = Field(
        "", description="书记示范培训：province/city/county；新生代企业家：startup/succession/mature"
    )
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class MembersIn(Schema):
    member_ids: list[int] = Field(min_length=1, max_length=500)


class MemberIn(Schema):
    member_id: int


class CohortProgressOut(Schema):
    member_id: int
    name: str = Field(validation_alias="member.person.name")
    org_name: str | None = None
    cohort_id: int
    hours: Decimal = Field(description="班次起止日期内在培训班课程和线下培训中获得的学时")
    required: Decimal = Field(validation_alias="programme.required_hours")
    finished: bool

    @staticmethod
    def resolve_org_name(obj):
        org = obj.member.person.org
        return org.name if org else None


class CohortProgressOut(Schema):
    cohort: CohortOut
    enrolled: int
    finished: int
    average_hours: Decimal
    members: list[CohortProgressOut]


class MyProgrammeOut(Schema):
    programme_id: int
    programme_title: str = Field(validation_alias="programme.title")
    organiser: str = Field(validation_alias="programme.org.name")
    cohort: CohortOut
    course_ids: list[int]
    hours: Decimal
    required: Decimal = Field(validation_alias="programme.required_hours")
    finished: bool

    @staticmethod
    def resolve_course_ids(obj):
        return list(obj.programme.courses.values_list("pk", flat=True))


def _programme(request, programme_id: int) -> Programme:
    return selectors.programme_get(request.scope, programme_id)


def _cohort(request, cohort_id: int) -> Cohort:
    return selectors.cohort_get(request.scope, cohort_id)


class ProgrammeFilters(Schema):
    q: str = Field("", max_length=50)
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/programmes", response=list[ProgrammeOut], summary="培训班（本人组织及上级组织主办的）")
@permission("learning", "view")
@paginate(PageNumber)
def programme_list(request, filters: Query[ProgrammeFilters]):
    return selectors.programmes(request.scope, q=filters.q.strip(), year=filters.year).prefetch_related(
        "cohorts", "courses"
    )


@router.post("/programmes", response={201: ProgrammeOut}, summary="新建培训班")
@permission("learning", "create")
def programme_create(request, payload: ProgrammeIn):
    org = request.scope.get(Org, pk=payload.org_id)
    programme = services.programme_create(actor=request.auth, org=org, **payload.dict(exclude={"org_id"}))
    return Status(201, programme)


@router.get("/programmes/{programme_id}", response=ProgrammeOut, summary="培训班详情")
@permission("learning", "view", model=Programme, lookup="programme_id")
def programme_detail(request, programme_id: int):
    return _programme(request, programme_id)


@router.patch("/programmes/{programme_id}", response=ProgrammeOut, summary="修改培训班")
@permission("learning", "change", model=Programme, lookup="programme_id")
def programme_update(request, programme_id: int, payload: ProgrammePatch):
    programme = request.scope.get(Programme.objects.select_related("org"), pk=programme_id)
    return services.programme_update(
        actor=request.auth, programme=programme, **payload.dict(exclude_unset=True)
    )


@router.post("/programmes/{programme_id}/cohorts", response={201: CohortOut}, summary="新建班次")
@permission("learning", "change", model=Programme, lookup="programme_id")
def cohort_create(request, programme_id: int, payload: CohortIn):
    programme = request.scope.get(Programme.objects.select_related("org"), pk=programme_id)
    return Status(201, services.cohort_add(actor=request.auth, programme=programme, **payload.dict()))


@router.get("/cohorts/{cohort_id}", response=CohortProgressOut, summary="班次学员与进度（一条查询）")
@permission("learning", "view", model=Cohort, lookup="cohort_id")
def cohort_detail(request, cohort_id: int):
    cohort = _cohort(request, cohort_id)
    rows = selectors.cohort_progress(cohort, request.scope)
    summary = selectors.summarize(rows)
    return CohortProgressOut(
        cohort=cohort, enrolled=summary.enrolled, finished=summary.finished,
        average_hours=summary.average, members=list(rows),
    )  # fmt: skip


@router.post(
    "/cohorts/{cohort_id}/enrol", response=list[CohortProgressOut], summary="报名（本人管理范围内的党员）"
)
@permission("learning", "change", model=Cohort, lookup="cohort_id")
def cohort_enrol(request, cohort_id: int, payload: MembersIn):
    cohort = _cohort(request, cohort_id)
    members = services.members_for(request.auth, payload.member_ids)
    services.enrol(actor=request.auth, cohort=cohort, members=members)
    return list(selectors.cohort_progress(cohort, request.scope).filter(member__in=[m.pk for m in members]))


@router.post("/cohorts/{cohort_id}/withdraw", response={204: None}, summary="退出班次")
@permission("learning", "change", model=Cohort, lookup="cohort_id")
def cohort_withdraw(request, cohort_id: int, payload: MemberIn):
    cohort = _cohort(request, cohort_id)
    (member,) = services.members_for(request.auth, [payload.member_id])
    services.withdraw(actor=request.auth, cohort=cohort, member=member)
    return Status(204, None)


# --- offline trainings -------------------------------------------------------------------------------


class TrainingOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    title: str
    held_on: dt.date
    place: str
    hours: Decimal
    summary: str
    programme_id: int | None
    cohort_id: int | None


class TrainingIn(Schema):
    org_id: int
    title: str = Field(min_length=1, max_length=120)
    held_on: dt.date
    place: str = Field(min_length=1, max_length=120)
    hours: Decimal = Field(gt=0, le=80, decimal_places=2)
    summary: str = Field("", max_length=2000)
    programme_id: int | None = None
    cohort_id: int | None = None


class TrainingPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    held_on: dt.date | None = None
    place: str | None = Field(None, min_length=1, max_length=120)
    hours: Decimal | None = Field(None, gt=0, le=80, decimal_places=2)
    summary: str | None = Field(None, max_length=2000)


class TrainingAttendanceOut(Schema):
    member_id: int
    name: str = Field(validation_alias="member.person.name")
    present: bool
    marked_at: dt.datetime
    removed_at: dt.datetime | None
    removed_reason: str


class TrainingDetailOut(TrainingOut):
    attendance: list[TrainingAttendanceOut]

    @staticmethod
    def resolve_attendance(obj):
        return list(selectors.attendance_of(obj))


class RemoveIn(Schema):
    member_id: int
    reason: str = Field(min_length=1, max_length=200, description="更正原因（必填，留痕）")


class TrainingFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    q: str = Field("", max_length=50)


@router.get("/trainings", response=list[TrainingOut], summary="线下培训（本人管理范围）")
@permission("learning", "view")
@paginate(PageNumber)
def training_list(request, filters: Query[TrainingFilters]):
    return selectors.trainings(request.scope, year=filters.year, q=filters.q.strip())


@router.post("/trainings", response={201: TrainingOut}, summary="登记线下培训")
@permission("learning", "create")
def training_create(request, payload: TrainingIn):
    org = request.scope.get(Org, pk=payload.org_id)
    programme = selectors.programme_get(request.scope, payload.programme_id) if payload.programme_id else None
    cohort = selectors.cohort_get(request.scope, payload.cohort_id) if payload.cohort_id else None
    training = services.training_create(
        actor=request.auth, org=org, programme=programme, cohort=cohort,
        **payload.dict(exclude={"org_id", "programme_id", "cohort_id"}),
    )  # fmt: skip
    return Status(201, training)


@router.get("/trainings/{training_id}", response=TrainingDetailOut, summary="线下培训与出勤")
@permission("learning", "view", model=Training, lookup="training_id")
def training_detail(request, training_id: int):
    return request.scope.get(Training.objects.select_related("org"), pk=training_id)


@router.patch("/trainings/{training_id}", response=TrainingOut, summary="修改线下培训")
@permission("learning", "change", model=Training, lookup="training_id")
def training_update(request, training_id: int, payload: TrainingPatch):
    training = request.scope.get(Training.objects.select_related("org"), pk=training_id)
    return services.training_update(actor=request.auth, training=training, **payload.dict(exclude_unset=True))


@router.post(
    "/trainings/{training_id}/attendance", response=TrainingDetailOut, summary="登记出席（记入学时）"
)
@permission("learning", "change", model=Training, lookup="training_id")
def training_attend(request, training_id: int, payload: MembersIn):
    training = request.scope.get(Training.objects.select_related("org"), pk=training_id)
    members = services.members_for(request.auth, payload.member_ids)
    services.attendance_add(actor=request.auth, training=training, members=members)
    return training


@router.post(
    "/trainings/{training_id}/attendance/remove",
    response=TrainingDetailOut,
    summary="更正出勤：取消某人出席（学时冲销，30天内）",
)
@permission("learning", "change", model=Training, lookup="training_id")
def training_unattend(request, training_id: int, payload: RemoveIn):
    training = request.scope.get(Training.objects.select_related("org"), pk=training_id)
    (member,) = services.members_for(request.auth, [payload.member_id])
    services.attendance_remove(actor=request.auth, training=training, member=member, reason=payload.reason)
    return training


# --- transcripts --------------------------------------------------------------------------------------


class TranscriptYearOut(Schema):
    year: int
    online: Decimal
    offline: Decimal
    hours: Decimal
    credits: Decimal
    required: Decimal
    met: bool


class TranscriptCreditOut(Schema):
    id: int = Field(validation_alias="pk")
    on: dt.date
    year: int
    kind: str = Field(description="online（线上课时）或 offline（线下培训）")
    title: str
    hours: Decimal
    credits: Decimal
    note: str
    reverses_id: int | None

    @staticmethod
    def resolve_kind(obj):
        return "online" if obj.lesson_id else "offline"

    @staticmethod
    def resolve_title(obj):
        if obj.lesson_id:
            return f"{obj.lesson.course.title}·{obj.lesson.title}"
        return f"{obj.training.title}（{obj.training.org.name}）"


class TranscriptOut(Schema):
    member_id: int
    name: str
    years: list[TranscriptYearOut]
    credits: list[TranscriptCreditOut]
    programmes: list[MyProgrammeOut]


def _transcript(member: Member, year: int | None) -> TranscriptOut:
    years = selectors.transcript_years(member)
    return TranscriptOut(
        member_id=member.pk,
        name=member.person.name,
        years=[
            TranscriptYearOut(
                year=y.year,
                online=y.online,
                offline=y.offline,
                hours=y.hours,
                credits=y.credits,
                required=y.required,
                met=y.met,
            )
            for y in years
        ],
        credits=list(selectors.transcript_credits(member, year)),
        programmes=list(selectors.member_programmes(member)),
    )


@router.get("/mine/transcript", response=TranscriptOut, summary="本人的学时档案")
@permission.own()
def my_transcript(request, year: int | None = Query(None, ge=2000, le=2100)):
    member = learning_selectors.member_of(request.auth)
    if member is None:
        raise RuleViolation("学时档案只为党员记录", code="not_member")
    return _transcript(member, year)


@router.get("/mine/programmes", response=list[MyProgrammeOut], summary="本人参加的培训班与进度")
@permission.own()
def my_programmes(request):
    member = learning_selectors.member_of(request.auth)
    return list(selectors.member_programmes(member)) if member else []


@router.get("/members/{member_id}/transcript", response=TranscriptOut, summary="党员的学时档案（管理范围内）")
@permission("learning", "view", model=Member, lookup="member_id")
def member_transcript(request, member_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    member = request.scope.get(Member.objects.select_related("person__org"), pk=member_id)
    return _transcript(member, year)


# --- statistics and reminders ------------------------------------------------------------------------


class ColumnCompletionOut(Schema):
    column: str
    label: str
    lessons: int = Field(description="完成课时数")
    members: int = Field(description="完成学习的党员数")
    hours: Decimal


class ColumnViewsOut(Schema):
    column: str
    label: str
    views: int = Field(description="浏览人次（同一党员同一课时每天计一次）")
    viewers: int
    lessons: int


class MonthViewsOut(Schema):
    month: int
    views: int
    viewers: int


class BranchHoursOut(Schema):
    org_id: int
    org: str
    members: int
    hours: Decimal
    average: Decimal
    meeting: int = Field(description="达到年度要求的人数")
    share: int = Field(description="达标比例（%）")


class TrainingStatsOut(Schema):
    year: int
    completion: list[ColumnCompletionOut]
    views: list[ColumnViewsOut]
    months: list[MonthViewsOut]
    branches: list[BranchHoursOut]


@router.get("/stats", response=TrainingStatsOut, summary="学习统计（本人管理范围）")
@permission("learning", "view")
def stats(request, year: int | None = Query(None, ge=2000, le=2100)):
    year = year or timezone.localdate().year
    return TrainingStatsOut(
        year=year,
        completion=selectors.completion_by_column(request.scope, year),
        views=selectors.views_by_column(request.scope, year),
        months=selectors.views_by_month(request.scope, year),
        branches=selectors.hours_by_branch(request.scope, year),
    )


class RemindIn(Schema):
    member_ids: list[int] = Field(default_factory=list, max_length=500, description="提醒这些党员")
    org_id: int | None = Field(None, description="或：提醒该组织及其下级所有学时未达标的党员")
    year: int | None = Field(None, ge=2000, le=2100)


class SkippedOut(Schema):
    member_id: int
    reason: str


class RemindOut(Schema):
    sent: list[int]
    skipped: list[SkippedOut]


@router.post("/reminders", response=RemindOut, summary="提醒学时未达标的党员（每人每7天至多一次）")
@permission("learning", "change")
def remind(request, payload: RemindIn):
    year = payload.year or timezone.localdate().year
    if payload.member_ids:
        members = services.members_for(request.auth, payload.member_ids)
    elif payload.org_id:
        org = request.scope.get(Org, pk=payload.org_id)
        members = list(learning_selectors.behind(request.scope, year, org=org)[:500])
    else:
        from sanxin.core.errors import InvalidInput

        raise InvalidInput("请选择党员或组织", field="member_ids")
    result = services.reminders_send(
        actor=request.auth, members=members, year=year, explain_one=bool(payload.member_ids)
    )
    return RemindOut(
        sent=result["sent"], skipped=[SkippedOut(member_id=m, reason=r) for m, r in result["skipped"]]
    )
