"""/api/v1/learning/quiz: 课后测验 and 知识竞赛. A member lists the contests of the orgs above them, starts a
paper (drawn and timed on the server), hands it in and reads the result, their rank and certificates,
and takes the quizzes of the lessons they completed (own routes). A running paper carries the questions
and the server's deadline, never the answer key or the explanations; a handed-in one carries both.
Publishers keep banks (with the Excel/CSV import), quizzes and contests over their orgs
(``learning.view`` / ``create`` / ``change`` / ``publish``), read a contest's participation and rankings
and export its results. A certificate's facts are public by its verification token."""

import datetime as dt
import math
import uuid
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import PageNumber
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import ImportJob
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from ..models import Lesson
from . import exports, selectors, services
from .models import Attempt, AttemptStatus, Bank, Contest, ContestStatus, Question, QuestionKind, Quiz

router = Router(tags=["知识竞赛与测验"])

KINDS = Literal[tuple(QuestionKind.values)]  # type: ignore[valid-type]
STATUSES = Literal[tuple(ContestStatus.values)]  # type: ignore[valid-type]


# --- papers -------------------------------------------------------------------------------------------


class PaperQuestionOut(Schema):
    """A question as the participant sees it while answering: no key, no explanation."""

    id: int
    kind: str
    stem: str
    options: list[str]
    points: int


class AttemptOut(Schema):
    id: int
    contest_id: int | None
    quiz_id: int | None
    status: str
    started_at: dt.datetime
    deadline: dt.datetime | None = Field(description="服务器确定的交卷截止时间（竞赛）")
    server_now: dt.datetime
    seconds_left: int | None
    max_score: int
    questions: list[PaperQuestionOut]


class ResultQuestionOut(PaperQuestionOut):
    your_answer: list[str]
    answer: list[str]
    explanation: str
    correct: bool
    earned: int


class ResultOut(Schema):
    id: int
    contest_id: int | None
    quiz_id: int | None
    status: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    seconds_used: int | None
    score: int | None
    max_score: int
    passed: bool | None
    rank: int | None = Field(description="在本次竞赛中的名次（全部参赛者）")
    branch_rank: int | None = Field(description="在本支部中的名次")
    questions: list[ResultQuestionOut] = Field(description="交卷后才给出答案和解析；作废的答卷不给出")


def attempt_out(attempt: Attempt, now=None) -> AttemptOut:
    now = now or timezone.now()
    left = None
    if attempt.deadline is not None:
        left = max(0, math.ceil((attempt.deadline - now).total_seconds()))
    return AttemptOut(
        id=attempt.pk,
        contest_id=attempt.contest_id,
        quiz_id=attempt.quiz_id,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        server_now=now,
        seconds_left=left,
        max_score=attempt.max_score,
        questions=[PaperQuestionOut(**q) for q in attempt.questions],
    )


def result_out(attempt: Attempt) -> ResultOut:
    questions = []
    if attempt.status == AttemptStatus.SUBMITTED:
        for i, q in enumerate(attempt.questions):
            r = attempt.results[i] if i < len(attempt.results) else {"correct": False, "points": 0}
            questions.append(
                ResultQuestionOut(
                    **q,
                    your_answer=attempt.answers[i] if i < len(attempt.answers) else [],
                    answer=attempt.key[i]["answer"],
                    explanation=attempt.key[i]["explanation"],
                    correct=r["correct"],
                    earned=r["points"],
                )
            )
    return ResultOut(
        id=attempt.pk,
        contest_id=attempt.contest_id,
        quiz_id=attempt.quiz_id,
        status=attempt.status,
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        seconds_used=attempt.seconds_used,
        score=attempt.score,
        max_score=attempt.max_score,
        passed=attempt.passed,
        rank=selectors.rank_of(attempt),
        branch_rank=selectors.rank_of(attempt, attempt.branch) if attempt.contest_id else None,
        questions=questions,
    )


class AttemptSubmitIn(Schema):
    answers: dict[int, list[str] | str | bool | None] = Field(
        description='题目编号 → 答案：选择题为字母列表（如 ["A","C"]），判断题为“对”/“错”，填空题为文字'
    )


# --- learners -----------------------------------------------------------------------------------------


class ContestOut(Schema):
    id: int = Field(validation_alias="pk")
    title: str
    description: str
    organiser_id: int
    organiser_name: str = Field(validation_alias="organiser.name")
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_s: int
    question_count: int
    max_score: int
    pass_score: int
    award_top: int
    phase: str = Field("", description="upcoming / open / closed")
    my_attempt_id: int | None = None
    my_status: str | None = None
    my_score: int | None = None


def _contest_out(contest: Contest, mine: Attempt | None, now) -> Contest:
    contest.phase = contest.phase_at(now)
    contest.my_attempt_id = mine.pk if mine else None
    contest.my_status = mine.status if mine else None
    contest.my_score = mine.score if mine else None
    return contest


@router.get("/contests", response=list[ContestOut], summary="我可以参加的知识竞赛")
@permission.own()
def contests(request):
    now = timezone.now()
    rows = list(selectors.contests_for_learner(request.auth).order_by("-opens_at", "-pk")[:100])
    mine = selectors.my_attempts(learning_selectors.member_of(request.auth), [c.pk for c in rows])
    return [_contest_out(c, mine.get(c.pk), now) for c in rows]


@router.get("/contests/{contest_id}", response=ContestOut, summary="竞赛详情（学员）")
@permission.own()
def contest_detail(request, contest_id: int):
    contest = selectors.learner_contest(request.auth, contest_id)
    mine = selectors.my_attempts(learning_selectors.member_of(request.auth), [contest.pk])
    return _contest_out(contest, mine.get(contest.pk), timezone.now())


@router.post("/contests/{contest_id}/start", response={201: AttemptOut}, summary="开始答题（服务器抽题计时）")
@permission.own()
def contest_start(request, contest_id: int):
    contest = selectors.learner_contest(request.auth, contest_id)
    attempt = services.contest_start(actor=request.auth, contest=contest)
    return Status(201, attempt_out(attempt))


@router.get("/attempts/{attempt_id}", response=AttemptOut | ResultOut, summary="我的答卷：答题中或成绩")
@permission.own()
def attempt_detail(request, attempt_id: int):
    attempt = selectors.learner_attempt(request.auth, attempt_id)
    if attempt.status == AttemptStatus.RUNNING:
        return attempt_out(attempt)
    return result_out(attempt)


@router.post("/attempts/{attempt_id}/submit", response=ResultOut, summary="交卷（服务器评分）")
@permission.own()
def attempt_submit(request, attempt_id: int, payload: AttemptSubmitIn):
    attempt = selectors.learner_attempt(request.auth, attempt_id)
    done = services.attempt_submit(actor=request.auth, attempt=attempt, answers=payload.answers)
    return result_out(done)


class RankRowOut(Schema):
    rank: int
    name: str = Field(description="他人姓名已脱敏")
    branch: str
    score: int
    seconds_used: int
    me: bool


class MyRankingOut(Schema):
    contest_id: int
    participants: int
    my_rank: int | None
    my_branch_rank: int | None
    my_score: int | None
    top: list[RankRowOut]


def _rows(rows, me_member_id: int | None, *, mask: bool) -> list[RankRowOut]:
    out = []
    for a in rows:
        me = a.member_id == me_member_id
        name = a.member.person.name
        out.append(
            RankRowOut(
                rank=a.rank,
                name=name if (me or not mask) else selectors.mask_name(name),
                branch=a.branch.name,
                score=a.score,
                seconds_used=a.seconds_used,
                me=me,
            )
        )
    return out


@router.get(
    "/contests/{contest_id}/ranking",
    response=MyRankingOut,
    summary="竞赛排名（参赛者：本人名次，他人姓名脱敏）",
)
@permission.own()
def my_ranking(request, contest_id: int):
    contest = selectors.learner_contest(request.auth, contest_id)
    member = learning_selectors.member_of(request.auth)
    mine = selectors.my_attempts(member, [contest.pk]).get(contest.pk)
    ranked = selectors.ranking(contest)
    return MyRankingOut(
        contest_id=contest.pk,
        participants=ranked.count(),
        my_rank=selectors.rank_of(mine) if mine else None,
        my_branch_rank=selectors.rank_of(mine, mine.branch) if mine else None,
        my_score=mine.score if mine else None,
        top=_rows(ranked[:20], member.pk if member else None, mask=True),
    )


class QuizOut(Schema):
    id: int = Field(validation_alias="pk")
    lesson_id: int
    lesson_title: str = Field(validation_alias="lesson.title")
    count: int
    pass_percent: int
    completed_lesson: bool = False
    passed: bool = False
    best_score: int | None = None
    running_attempt_id: int | None = None


@router.get("/lessons/{lesson_id}/quiz", response=QuizOut, summary="课时的课后测验（学员）")
@permission.own()
def lesson_quiz(request, lesson_id: int):
    from ..models import Credit

    quiz = selectors.learner_quiz(request.auth, lesson_id)
    member = learning_selectors.member_of(request.auth)
    papers = list(selectors.quiz_attempts(member, quiz))
    quiz.completed_lesson = (
        bool(member) and Credit.objects.filter(member=member, lesson_id=lesson_id).exists()
    )
    quiz.passed = any(a.passed for a in papers)
    scores = [a.score for a in papers if a.score is not None]
    quiz.best_score = max(scores) if scores else None
    running = next((a for a in papers if a.status == AttemptStatus.RUNNING), None)
    quiz.running_attempt_id = running.pk if running else None
    return quiz


@router.post("/lessons/{lesson_id}/quiz/start", response={201: AttemptOut}, summary="开始课后测验")
@permission.own()
def lesson_quiz_start(request, lesson_id: int):
    quiz = selectors.learner_quiz(request.auth, lesson_id)
    return Status(201, attempt_out(services.quiz_start(actor=request.auth, quiz=quiz)))


class QuizCertificateOut(Schema):
    id: int = Field(validation_alias="pk")
    number: str
    kind: str
    kind_label: str = Field(validation_alias="get_kind_display")
    honour: str
    contest_id: int
    contest_title: str = Field(validation_alias="contest.title")
    organiser_name: str = Field(validation_alias="contest.organiser.name")
    rank: int
    score: int
    issued_at: dt.datetime


@router.get("/mine/certificates", response=list[QuizCertificateOut], summary="我的竞赛证书")
@permission.own()
def my_certificates(request):
    return list(selectors.my_certificates(learning_selectors.member_of(request.auth)))


class CertificateVerifyOut(Schema):
    number: str
    kind_label: str
    honour: str
    holder: str = Field(description="持证人姓名（脱敏）")
    contest_title: str
    organiser_name: str
    score: int
    issued_on: dt.date


@router.get("/verify/{token}", response=CertificateVerifyOut, summary="核验竞赛证书（公开）")
@permission.public()
def verify(request, token: str):
    cert = selectors.certificate_by_token(token)
    return CertificateVerifyOut(
        number=cert.number,
        kind_label=cert.get_kind_display(),
        honour=cert.honour,
        holder=selectors.mask_name(cert.member.person.name),
        contest_title=cert.contest.title,
        organiser_name=cert.contest.organiser.name,
        score=cert.score,
        issued_on=timezone.localdate(cert.issued_at),
    )


# --- banks --------------------------------------------------------------------------------------------


class BankOut(Schema):
    id: int = Field(validation_alias="pk")
    name: str
    description: str
    owner_id: int
    owner_name: str = Field(validation_alias="owner.name")
    counts: dict[str, int] = Field(default_factory=dict, description="各题型的启用题目数")


def _bank_out(bank: Bank) -> Bank:
    bank.counts = selectors.bank_counts(bank)
    return bank


class BankIn(Schema):
    owner_id: int = Field(description="所属党组织")
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=300)


class BankPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=300)


class QuestionOut(Schema):
    id: int = Field(validation_alias="pk")
    bank_id: int
    kind: str
    stem: str
    options: list[str]
    answer: list[str]
    explanation: str
    tags: list[str]
    active: bool


class QuizQuestionIn(Schema):
    kind: KINDS
    stem: str = Field(min_length=1, max_length=500)
    options: list[str] = Field(default_factory=list, max_length=6)
    answer: list[str] = Field(min_length=1, max_length=10, description="字母、“对”/“错”或填空的可接受答案")
    explanation: str = Field("", max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=10)


class QuestionPatch(Schema):
    kind: KINDS | None = None
    stem: str | None = Field(None, min_length=1, max_length=500)
    options: list[str] | None = Field(None, max_length=6)
    answer: list[str] | None = Field(None, min_length=1, max_length=10)
    explanation: str | None = Field(None, max_length=2000)
    tags: list[str] | None = Field(None, max_length=10)
    active: bool | None = None


def _bank(request, bank_id: int) -> Bank:
    return request.scope.get(Bank.objects.select_related("owner"), pk=bank_id)


@router.get("/manage/banks", response=list[BankOut], summary="本人管理范围内的题库")
@permission("learning", "view")
@paginate(PageNumber)
def bank_list(request, q: str = Query("", max_length=50)):
    return selectors.managed_banks(request.scope, q=q.strip())


@router.post("/manage/banks", response={201: BankOut}, summary="新建题库")
@permission("learning", "create")
def bank_create(request, payload: BankIn):
    owner = request.scope.get(Org, pk=payload.owner_id)
    bank = services.bank_create(
        actor=request.auth, owner=owner, name=payload.name, description=payload.description
    )
    return Status(201, _bank_out(bank))


@router.get("/manage/banks/{bank_id}", response=BankOut, summary="题库详情")
@permission("learning", "view", model=Bank, lookup="bank_id")
def bank_detail(request, bank_id: int):
    return _bank_out(_bank(request, bank_id))


@router.patch("/manage/banks/{bank_id}", response=BankOut, summary="修改题库")
@permission("learning", "change", model=Bank, lookup="bank_id")
def bank_update(request, bank_id: int, payload: BankPatch):
    bank = services.bank_update(
        actor=request.auth, bank=_bank(request, bank_id), **payload.dict(exclude_unset=True)
    )
    return _bank_out(bank)


class QuestionFilters(Schema):
    kind: KINDS | None = None
    tag: str = Field("", max_length=20)
    q: str = Field("", max_length=50)
    active: bool | None = True


@router.get("/manage/banks/{bank_id}/questions", response=list[QuestionOut], summary="题库的试题（含答案）")
@permission("learning", "view", model=Bank, lookup="bank_id")
@paginate(PageNumber)
def question_list(request, bank_id: int, filters: Query[QuestionFilters]):
    return selectors.bank_questions(
        _bank(request, bank_id),
        kind=filters.kind or "",
        tag=filters.tag.strip(),
        q=filters.q.strip(),
        active=filters.active,
    )


@router.post("/manage/banks/{bank_id}/questions", response={201: QuestionOut}, summary="新增试题")
@permission("learning", "change", model=Bank, lookup="bank_id")
def question_add(request, bank_id: int, payload: QuizQuestionIn):
    question = services.question_add(actor=request.auth, bank=_bank(request, bank_id), **payload.dict())
    return Status(201, question)


@router.patch("/manage/questions/{question_id}", response=QuestionOut, summary="修改或停用试题")
@permission("learning", "change", model=Question, lookup="question_id")
def question_update(request, question_id: int, payload: QuestionPatch):
    question = request.scope.get(Question, pk=question_id)
    return services.question_update(actor=request.auth, question=question, **payload.dict(exclude_unset=True))


class ImportIn(Schema):
    name: str = Field(min_length=1, max_length=200, description="文件名（.xlsx / .xls / .csv）")
    content_base64: str = Field(min_length=1, description="文件内容，base64 编码")
    mode: Literal["all", "valid"] = Field("all", description="all：有错误则全部不导入；valid：只导入正确的行")


class ImportErrorOut(Schema):
    row: int | str
    column: str
    value: str
    reason: str


class ImportOut(Schema):
    job_id: str
    status: str
    message: str
    rows_total: int
    created: int
    errors_count: int = Field(description="有错误的行数")
    mapping_needed: bool = Field(description="有列未能识别，须在导入页面确认列对应关系")
    errors: list[ImportErrorOut]


def _import_out(job: ImportJob) -> ImportOut:
    job.refresh_from_db()
    finished = job.status in (ImportJob.Status.DONE, ImportJob.Status.REJECTED, ImportJob.Status.FAILED)
    return ImportOut(
        job_id=str(job.pk),
        status=job.status,
        message=job.message,
        rows_total=job.rows_total,
        created=job.created_count,
        errors_count=job.error_count,
        mapping_needed=job.status == ImportJob.Status.MAPPING,
        errors=[
            ImportErrorOut(row=r, column=c, value=v, reason=why)
            for r, c, v, why in (selectors.import_errors(job) if finished else [])
        ],
    )


@router.post("/manage/banks/{bank_id}/import", response={202: ImportOut}, summary="从 Excel/CSV 导入试题")
@permission("learning", "change", model=Bank, lookup="bank_id")
def bank_import(request, bank_id: int, payload: ImportIn):
    bank = _bank(request, bank_id)
    data = services.decode_upload(payload.content_base64)
    job = services.bank_import_upload(
        actor=request.auth, bank=bank, name=payload.name, chunks=data, mode=payload.mode
    )
    return Status(202, _import_out(job))


@router.get("/manage/imports/{job_id}", response=ImportOut, summary="试题导入的结果与逐行错误")
@permission.own()  # the job of the user who started it (core.excel.importer.job_for)
def import_detail(request, job_id: uuid.UUID):
    from sanxin.core.excel import importer as imp

    from .imports import BankImporter

    job = imp.job_for(request.auth, job_id)
    if job.importer != BankImporter.key:
        raise NotFound()
    return _import_out(job)


# --- quizzes ----------------------------------------------------------------------------------------


class QuizAdminOut(Schema):
    id: int = Field(validation_alias="pk")
    lesson_id: int
    lesson_title: str = Field(validation_alias="lesson.title")
    course_title: str = Field(validation_alias="lesson.course.title")
    bank_id: int
    bank_name: str = Field(validation_alias="bank.name")
    count: int
    tag: str
    pass_percent: int


class QuizIn(Schema):
    bank_id: int
    count: int = Field(ge=1, le=50, description="每次抽题数")
    pass_percent: int = Field(60, ge=0, le=100, description="及格线（%）")
    tag: str = Field("", max_length=20, description="只抽带该标签的题（空为不限）")


def _usable_bank(request, bank_id: int, org: Org) -> Bank:
    bank = selectors.usable_banks(request.scope, org).filter(pk=bank_id).first()
    if bank is None:
        raise InvalidInput("题库不存在或不可用", field="bank_id")
    return bank


def _lesson(request, lesson_id: int) -> Lesson:
    return request.scope.get(Lesson.objects.select_related("course__publisher"), pk=lesson_id)


@router.get("/manage/quizzes", response=list[QuizAdminOut], summary="本人管理范围内的课后测验")
@permission("learning", "view")
@paginate(PageNumber)
def quiz_list(request):
    return selectors.managed_quizzes(request.scope)


@router.get(
    "/manage/lessons/{lesson_id}/quiz", response=QuizAdminOut | None, summary="课时的课后测验（无则为空）"
)
@permission("learning", "view", model=Lesson, lookup="lesson_id")
def quiz_detail(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    return Quiz.objects.filter(lesson=lesson).select_related("lesson__course", "bank").first()


@router.put("/manage/lessons/{lesson_id}/quiz", response=QuizAdminOut, summary="设置课时的课后测验")
@permission("learning", "change", model=Lesson, lookup="lesson_id")
def quiz_set(request, lesson_id: int, payload: QuizIn):
    lesson = _lesson(request, lesson_id)
    bank = _usable_bank(request, payload.bank_id, lesson.course.publisher)
    return services.quiz_set(
        actor=request.auth, lesson=lesson, bank=bank, count=payload.count,
        pass_percent=payload.pass_percent, tag=payload.tag,
    )  # fmt: skip


@router.delete("/manage/lessons/{lesson_id}/quiz", response={204: None}, summary="删除课后测验（无人作答时）")
@permission("learning", "change", model=Lesson, lookup="lesson_id")
def quiz_remove(request, lesson_id: int):
    lesson = _lesson(request, lesson_id)
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if quiz is None:
        raise RuleViolation("该课时没有课后测验", code="no_quiz")
    services.quiz_remove(actor=request.auth, quiz=quiz)
    return Status(204, None)


# --- contests ---------------------------------------------------------------------------------------


class ContestAdminOut(Schema):
    id: int = Field(validation_alias="pk")
    title: str
    description: str
    organiser_id: int
    organiser_name: str = Field(validation_alias="organiser.name")
    bank_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_s: int
    draw: dict[str, int]
    points: dict[str, int]
    pass_score: int
    max_score: int
    award_top: int
    status: str
    published_at: dt.datetime | None
    certified_at: dt.datetime | None


class ContestIn(Schema):
    organiser_id: int = Field(description="主办党组织（竞赛面向其下级组织的党员）")
    bank_id: int
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_s: int = Field(ge=60, le=3 * 3600)
    draw: dict[KINDS, int] = Field(description='各题型抽题数，如 {"single": 10, "judge": 5}')
    points: dict[KINDS, int] = Field(description="各题型每题分值")
    pass_score: int = Field(ge=0)
    award_top: int = Field(0, ge=0, le=1000)


class ContestPatch(Schema):
    bank_id: int | None = None
    title: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=5000)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    time_limit_s: int | None = Field(None, ge=60, le=3 * 3600)
    draw: dict[KINDS, int] | None = None
    points: dict[KINDS, int] | None = None
    pass_score: int | None = Field(None, ge=0)
    award_top: int | None = Field(None, ge=0, le=1000)


class ContestCancelIn(Schema):
    reason: str = Field("", max_length=300)


def _contest(request, contest_id: int) -> Contest:
    return request.scope.get(Contest.objects.select_related("organiser", "bank__owner"), pk=contest_id)


class ContestFilters(Schema):
    status: STATUSES | None = None
    q: str = Field("", max_length=50)


@router.get("/manage/contests", response=list[ContestAdminOut], summary="本人管理范围内的知识竞赛")
@permission("learning", "view")
@paginate(PageNumber)
def contest_list(request, filters: Query[ContestFilters]):
    return selectors.managed_contests(request.scope, status=filters.status or "", q=filters.q.strip())


@router.post("/manage/contests", response={201: ContestAdminOut}, summary="新建知识竞赛（草稿）")
@permission("learning", "create")
def contest_create(request, payload: ContestIn):
    organiser = request.scope.get(Org, pk=payload.organiser_id)
    bank = _usable_bank(request, payload.bank_id, organiser)
    contest = services.contest_create(
        actor=request.auth, organiser=organiser, bank=bank,
        **payload.dict(exclude={"organiser_id", "bank_id"}),
    )  # fmt: skip
    return Status(201, contest)


@router.get("/manage/contests/{contest_id}", response=ContestAdminOut, summary="竞赛详情（管理）")
@permission("learning", "view", model=Contest, lookup="contest_id")
def contest_admin_detail(request, contest_id: int):
    return _contest(request, contest_id)


@router.patch("/manage/contests/{contest_id}", response=ContestAdminOut, summary="修改竞赛（草稿）")
@permission("learning", "change", model=Contest, lookup="contest_id")
def contest_update(request, contest_id: int, payload: ContestPatch):
    contest = _contest(request, contest_id)
    data = payload.dict(exclude_unset=True)
    if data.get("bank_id"):
        data["bank"] = _usable_bank(request, data.pop("bank_id"), contest.organiser)
    data.pop("bank_id", None)
    return services.contest_update(actor=request.auth, contest=contest, **data)


@router.post("/manage/contests/{contest_id}/publish", response=ContestAdminOut, summary="发布竞赛")
@permission("learning", "publish", model=Contest, lookup="contest_id")
def contest_publish(request, contest_id: int):
    return services.contest_publish(actor=request.auth, contest=_contest(request, contest_id))


@router.post("/manage/contests/{contest_id}/cancel", response=ContestAdminOut, summary="取消竞赛")
@permission("learning", "publish", model=Contest, lookup="contest_id")
def contest_cancel(request, contest_id: int, payload: ContestCancelIn):
    return services.contest_cancel(
        actor=request.auth, contest=_contest(request, contest_id), reason=payload.reason
    )


class CertifyOut(Schema):
    issued: int
    total: int


@router.post("/manage/contests/{contest_id}/certificates", response=CertifyOut, summary="竞赛截止后发放证书")
@permission("learning", "publish", model=Contest, lookup="contest_id")
def contest_certify(request, contest_id: int):
    contest = _contest(request, contest_id)
    issued = services.certificates_issue(actor=request.auth, contest=contest)
    return CertifyOut(issued=issued, total=contest.certificates.count())


class OrgRowOut(Schema):
    name: str
    started: int
    submitted: int
    passed: int
    average: float | None
    best: int | None


class ContestSummaryOut(Schema):
    audience: int = Field(description="主办组织下的党员人数")
    started: int
    submitted: int
    expired: int
    running: int
    passed: int
    average: float | None
    best: int | None
    rate: float = Field(description="参与率（%）")
    certificates: int
    by_branch: list[OrgRowOut]
    by_committee: list[OrgRowOut]


@router.get(
    "/manage/contests/{contest_id}/participation",
    response=ContestSummaryOut,
    summary="竞赛参与情况（按支部、按下级党委）",
)
@permission("learning", "view", model=Contest, lookup="contest_id")
def contest_participation(request, contest_id: int):
    contest = _contest(request, contest_id)
    return ContestSummaryOut(
        **selectors.summary(contest),
        by_branch=[OrgRowOut(**r) for r in selectors.by_org(contest, "branch")],
        by_committee=[OrgRowOut(**r) for r in selectors.by_org(contest, "committee")],
    )


class ContestRankingOut(Schema):
    count: int
    items: list[RankRowOut]


@router.get(
    "/manage/contests/{contest_id}/ranking", response=ContestRankingOut, summary="竞赛排名（管理：可按组织）"
)
@permission("learning", "view", model=Contest, lookup="contest_id")
def contest_ranking(
    request, contest_id: int, org_id: int | None = Query(None), limit: int = Query(100, ge=1, le=1000)
):
    contest = _contest(request, contest_id)
    org = None
    if org_id:
        org = Org.objects.filter(pk=org_id).first()
        if org is None or not org.path.startswith(contest.organiser.path):
            raise InvalidInput("请选择主办组织下的组织", field="org_id")
    ranked = selectors.ranking(contest, org)
    return ContestRankingOut(count=ranked.count(), items=_rows(ranked[:limit], None, mask=False))


@router.get("/manage/contests/{contest_id}/export", summary="导出竞赛成绩（Excel）")
@permission("learning", "view", model=Contest, lookup="contest_id")
def contest_export(request, contest_id: int):
    return exports.results_response(_contest(request, contest_id))
