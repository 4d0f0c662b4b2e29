"""Writes of quizzes and contests: banks and their questions (and their import), lesson quizzes,
contests through draft → published (→ cancelled), the learners' papers, and certificates.

Who: an org's publishers (``learning.create`` / ``learning.change`` over the owner org) keep its banks,
attach quizzes to the lessons of its courses and draft contests; publishing or cancelling a contest and
issuing its certificates is ``learning.publish`` over the organiser (as publishing a course is). Every
such write is audited. A member takes the quizzes of the lessons they learn and the contests of the orgs
on their ancestor chain (``selectors.contests_for_learner``) on routes of their own.

A paper (``Attempt``) is drawn on the server when it starts, at random, by kind counts, and stored with
its answer key; its deadline (contests) is fixed then: the start plus the time limit, never after the
contest closes. A submission later than the deadline plus ``LEARNING_CONTEST_GRACE_SECONDS`` (network
latency; 15 by default) is refused (``time_up``) and the paper recorded as expired, without a score. A
member has one paper a contest (a unique constraint; ``already_attempted``). Marking is
``scoring.mark``; a submitted contest paper is announced as ``learning.contest_completed`` and a passed
quiz as ``learning.quiz_passed``.

Refusals: ``InvalidInput`` with the field; ``RuleViolation`` ``duplicate_question``, ``bank_too_small``,
``not_draft``, ``bad_state``, ``not_open``, ``already_attempted``, ``time_up``, ``not_member``,
``lesson_not_done``, ``submitted``, ``not_closed``, ``has_attempts``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import random
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxin.core import audit, events
from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import ImportJob
from sanxin.core.scope import scope_for
from sanxin.members.models import Member, MemberStatus, OrgRelation, RelationKind
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from ..models import Credit, Lesson
from . import scoring
from .models import (
    Attempt,
    AttemptStatus,
    Bank,
    Certificate,
    CertificateKind,
    Contest,
    ContestStatus,
    Question,
    QuestionKind,
    Quiz,
)

KIND_ORDER = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.JUDGE, QuestionKind.FILL]
MAX_QUESTIONS = 200  # in one contest paper
MAX_TIME_LIMIT_S = 3 * 3600
IMPORT_MAX_BYTES = 10 * 1024 * 1024


def grace_seconds() -> int:
    return int(getattr(settings, "LEARNING_CONTEST_GRACE_SECONDS", 15))


def _who(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require(actor, action: str, obj, message: str = "不在你的管理范围内") -> None:
    if actor is not None and not scope_for(actor, "learning", action).contains(obj):
        raise PermissionDenied(message)


def _text(value, field: str, label: str, *, most: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if field != "description" else str(value or "").strip()
    if required and not text:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(text) > most:
        raise InvalidInput(f"{label}不能超过{most}个字", field=field)
    return text


def _tags(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").split(",")
    out: list[str] = []
    for v in values or []:
        v = " ".join(str(v).split())
        if not v:
            continue
        if len(v) > 20:
            raise InvalidInput("标签不能超过20个字", field="tags")
        if v not in out:
            out.append(v)
    if len(out) > 10:
        raise InvalidInput("最多10个标签", field="tags")
    return out


# --- banks -------------------------------------------------------------------------------------------


def bank_create(*, actor, owner: Org, name: str, description: str = "") -> Bank:
    if actor is not None and not scope_for(actor, "learning", "create").contains(owner):
        raise PermissionDenied("该党组织不在你的管理范围内")
    bank = Bank(
        owner=owner,
        name=_text(name, "name", "题库名称", most=100),
        description=_text(description, "description", "说明", most=300, required=False),
    )
    if Bank.objects.filter(owner=owner, name=bank.name).exists():
        raise InvalidInput("该党组织已有同名题库", field="name")
    bank.created_by = bank.updated_by = _who(actor)
    with transaction.atomic():
        bank.save()
        audit.record(actor=actor, action="quiz_bank_create", obj=bank, after=audit.snapshot(bank))
    return bank


def bank_update(*, actor, bank: Bank, **data) -> Bank:
    _require(actor, "change", bank, "该题库不在你的管理范围内")
    unknown = set(data) - {"name", "description"}
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=bank.pk)
        before = audit.snapshot(bank)
        if "name" in data:
            bank.name = _text(data["name"], "name", "题库名称", most=100)
            if Bank.objects.filter(owner_id=bank.owner_id, name=bank.name).exclude(pk=bank.pk).exists():
                raise InvalidInput("该党组织已有同名题库", field="name")
        if "description" in data:
            bank.description = _text(data["description"], "description", "说明", most=300, required=False)
        bank.updated_by = _who(actor)
        bank.save()
        b, a = audit.diff(before, audit.snapshot(bank))
        audit.record(actor=actor, action="quiz_bank_update", obj=bank, before=b, after=a)
    return bank


def question_fields(*, kind: str, stem: str, options=(), answer=None, explanation: str = "", tags=()) -> dict:
    """A question's checked fields (raises ``InvalidInput`` naming the field). ``answer`` is the key as
    a list (letters, 对/错, accepted texts) or as a spreadsheet writes it ("ACD", "对", "甲｜乙")."""
    if kind not in QuestionKind.values:
        raise InvalidInput("题型应为单选题、多选题、判断题或填空题", field="kind")
    stem = " ".join(str(stem or "").split())
    if not stem:
        raise InvalidInput("请填写题干", field="stem")
    if len(stem) > 500:
        raise InvalidInput("题干不能超过500个字", field="stem")
    if not scoring.normalise(stem):
        raise InvalidInput("题干不能只有标点", field="stem")
    try:
        opts = scoring.check_options(kind, list(options or []))
    except scoring.AnswerError as exc:
        raise InvalidInput(str(exc), field="options") from None
    if any(len(o) > 200 for o in opts):
        raise InvalidInput("选项不能超过200个字", field="options")
    if isinstance(answer, list | tuple):
        separator = "|" if kind == QuestionKind.FILL else ""
        answer = separator.join(str(a) for a in answer)
    try:
        key = scoring.parse_key(kind, str(answer or ""), opts)
    except scoring.AnswerError as exc:
        raise InvalidInput(str(exc), field="answer") from None
    if kind == QuestionKind.FILL and any(len(k) > 100 for k in key):
        raise InvalidInput("填空答案不能超过100个字", field="answer")
    explanation = str(explanation or "").strip()
    if len(explanation) > 2000:
        raise InvalidInput("解析不能超过2000个字", field="explanation")
    return {
        "kind": kind,
        "stem": stem,
        "stem_key": scoring.stem_key(stem),
        "options": opts,
        "answer": key,
        "explanation": explanation,
        "tags": _tags(tags),
    }


def _duplicate(bank_id: int, key: str, exclude: int | None = None) -> None:
    qs = Question.objects.filter(bank_id=bank_id, stem_key=key)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise RuleViolation("题库中已有相同的题目（题干相同）", code="duplicate_question", field="stem")


def question_add(*, actor, bank: Bank, **data) -> Question:
    _require(actor, "change", bank, "该题库不在你的管理范围内")
    fields = question_fields(**data)
    question = Question(bank=bank, **fields)
    question.created_by = question.updated_by = _who(actor)
    with transaction.atomic():
        _duplicate(bank.pk, fields["stem_key"])
        try:
            with transaction.atomic():
                question.save()
        except IntegrityError:
            raise RuleViolation(
                "题库中已有相同的题目（题干相同）", code="duplicate_question", field="stem"
            ) from None
        audit.record(actor=actor, action="quiz_question_create", obj=question, after=audit.snapshot(question))
    return question


def question_update(*, actor, question: Question, **data) -> Question:
    _require(actor, "change", question, "该题库不在你的管理范围内")
    unknown = set(data) - {"kind", "stem", "options", "answer", "explanation", "tags", "active"}
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        before = audit.snapshot(question)
        current = {
            "kind": question.kind,
            "stem": question.stem,
            "options": question.options,
            "answer": question.answer,
            "explanation": question.explanation,
            "tags": question.tags,
        }
        if "kind" in data and data["kind"] != question.kind and "answer" not in data:
            raise InvalidInput("改变题型时请同时填写答案", field="answer")
        fields = question_fields(**{**current, **{k: v for k, v in data.items() if k != "active"}})
        _duplicate(question.bank_id, fields["stem_key"], exclude=question.pk)
        for k, v in fields.items():
            setattr(question, k, v)
        if "active" in data:
            question.active = bool(data["active"])
        question.updated_by = _who(actor)
        question.save()
        b, a = audit.diff(before, audit.snapshot(question))
        audit.record(actor=actor, action="quiz_question_update", obj=question, before=b, after=a)
    return question


def bank_import_upload(
    *, actor, bank: Bank, name: str, chunks, mode: str = ImportJob.Mode.ALL_OR_NOTHING
) -> ImportJob:
    """Upload a bank's question file (Excel or CSV) through the core import framework. The columns are
    recognised by their Chinese headers; when every one is, the job is confirmed and queued at once
    (its outcome and row errors on the import's page), otherwise it waits for the mapping on the core
    import pages."""
    from sanxin.core.excel import importer as imp

    from .imports import BankImporter

    _require(actor, "change", bank, "该题库不在你的管理范围内")
    job = imp.job_create(
        actor=actor,
        importer_key=BankImporter.key,
        name=name,
        chunks=chunks,
        mode=mode,
        context={"bank_id": bank.pk},
    )
    try:
        imp.check_mapping(imp.get(BankImporter.key), job.headers, job.mapping)
    except InvalidInput:
        return job  # the user maps the columns on the core page
    return imp.job_confirm(actor=actor, job=job, mapping=job.mapping)


def decode_upload(content_base64: str) -> bytes:
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("文件内容应为 base64 编码", field="content_base64") from None
    if not data:
        raise InvalidInput("文件为空", field="content_base64")
    if len(data) > IMPORT_MAX_BYTES:
        raise InvalidInput("文件不能超过 10 MB", field="content_base64")
    return data


# --- lesson quizzes ----------------------------------------------------------------------------------


def _bank_usable(actor, bank: Bank, org: Org) -> None:
    """A bank serves ``org`` when its owner is ``org`` or above it, or the actor manages the bank."""
    if org.path.startswith(bank.owner.path):
        return
    if actor is None or scope_for(actor, "learning", "view").contains(bank):
        return
    raise InvalidInput("只能使用本组织、上级组织或你管理的题库", field="bank_id")


def _available(bank: Bank, tag: str = "") -> dict[str, int]:
    rows = Question.objects.filter(bank=bank, active=True).values_list("kind", "tags")
    out = dict.fromkeys(QuestionKind.values, 0)
    for kind, tags in rows:
        if not tag or tag in (tags or []):
            out[kind] += 1
    return out


def quiz_set(*, actor, lesson: Lesson, bank: Bank, count: int, pass_percent: int = 60, tag: str = "") -> Quiz:
    """Attach (or change) the lesson's 课后测验: ``count`` questions a paper from ``bank``."""
    _require(actor, "change", lesson, "该课时不在你的管理范围内")
    lesson = Lesson.objects.select_related("course__publisher").get(pk=lesson.pk)
    _bank_usable(actor, bank, lesson.course.publisher)
    if not isinstance(count, int) or not 1 <= count <= 50:
        raise InvalidInput("每次抽题数应在 1 到 50 之间", field="count")
    if not isinstance(pass_percent, int) or not 0 <= pass_percent <= 100:
        raise InvalidInput("及格线应在 0 到 100 之间", field="pass_percent")
    tag = " ".join(str(tag or "").split())[:20]
    have = sum(_available(bank, tag).values())
    if have < count:
        raise RuleViolation(f"题库中可抽的题目只有 {have} 道，少于 {count} 道", code="bank_too_small")
    with transaction.atomic():
        quiz = Quiz.objects.select_for_update().filter(lesson=lesson).first()
        before = audit.snapshot(quiz) if quiz else None
        if quiz is None:
            quiz = Quiz(lesson=lesson, created_by=_who(actor))
        quiz.bank, quiz.count, quiz.pass_percent, quiz.tag = bank, count, pass_percent, tag
        quiz.updated_by = _who(actor)
        quiz.save()
        if before is None:
            audit.record(actor=actor, action="quiz_create", obj=quiz, after=audit.snapshot(quiz))
        else:
            b, a = audit.diff(before, audit.snapshot(quiz))
            audit.record(actor=actor, action="quiz_update", obj=quiz, before=b, after=a)
    return quiz


def quiz_remove(*, actor, quiz: Quiz) -> None:
    _require(actor, "change", quiz, "该测验不在你的管理范围内")
    with transaction.atomic():
        if quiz.attempts.exists():
            raise RuleViolation("已有党员作答，不能删除该测验；可以修改抽题设置", code="has_attempts")
        audit.record(actor=actor, action="quiz_delete", obj=quiz, before=audit.snapshot(quiz))
        quiz.delete()


# --- contests ----------------------------------------------------------------------------------------

CONTEST_FIELDS = (
    "title",
    "description",
    "bank",
    "opens_at",
    "closes_at",
    "time_limit_s",
    "draw",
    "points",
    "pass_score",
    "award_top",
)


def _counts(value, field: str, label: str, *, most: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind, n in dict(value or {}).items():
        if kind not in QuestionKind.values:
            raise InvalidInput(f"未知的题型：{kind}", field=field)
        try:
            n = int(n)
        except (TypeError, ValueError):
            raise InvalidInput(f"{label}应为整数", field=field) from None
        if n < 0 or n > most:
            raise InvalidInput(f"{label}应在 0 到 {most} 之间", field=field)
        if n:
            out[str(kind)] = n
    return out


def _check_contest(contest: Contest, actor) -> None:
    contest.title = _text(contest.title, "title", "竞赛名称", most=120)
    contest.description = _text(contest.description, "description", "竞赛说明", most=5000, required=False)
    if contest.opens_at is None or contest.closes_at is None:
        raise InvalidInput("请填写开始和截止时间", field="opens_at")
    if contest.closes_at <= contest.opens_at:
        raise InvalidInput("截止时间应晚于开始时间", field="closes_at")
    if not isinstance(contest.time_limit_s, int) or not 60 <= contest.time_limit_s <= MAX_TIME_LIMIT_S:
        raise InvalidInput("答题时限应在 1 到 180 分钟之间", field="time_limit_s")
    contest.draw = _counts(contest.draw, "draw", "抽题数", most=MAX_QUESTIONS)
    if not contest.draw:
        raise InvalidInput("请至少抽一道题", field="draw")
    if sum(contest.draw.values()) > MAX_QUESTIONS:
        raise InvalidInput(f"一份试卷最多 {MAX_QUESTIONS} 道题", field="draw")
    contest.points = _counts(contest.points, "points", "每题分值", most=100)
    missing = [QuestionKind(k).label for k in contest.draw if not contest.points.get(k)]
    if missing:
        raise InvalidInput(f"请填写{'、'.join(missing)}的每题分值", field="points")
    contest.points = {k: v for k, v in contest.points.items() if k in contest.draw}
    if not isinstance(contest.pass_score, int) or contest.pass_score < 0:
        raise InvalidInput("合格分数应为不小于 0 的整数", field="pass_score")
    if contest.pass_score > contest.max_score:
        raise InvalidInput(f"合格分数不能高于满分（{contest.max_score} 分）", field="pass_score")
    if not isinstance(contest.award_top, int) or not 0 <= contest.award_top <= 1000:
        raise InvalidInput("获奖名次数应在 0 到 1000 之间", field="award_top")
    _bank_usable(actor, contest.bank, contest.organiser)
    have = _available(contest.bank)
    short = [
        f"{QuestionKind(k).label}只有 {have.get(k, 0)} 道，少于 {n} 道"
        for k, n in contest.draw.items()
        if have.get(k, 0) < n
    ]
    if short:
        raise RuleViolation("题库题量不足：" + "；".join(short), code="bank_too_small", field="draw")


def contest_create(*, actor, organiser: Org, bank: Bank, **data) -> Contest:
    """A draft contest of ``organiser`` for its subtree."""
    if actor is not None and not scope_for(actor, "learning", "create").contains(organiser):
        raise PermissionDenied("该党组织不在你的管理范围内")
    unknown = set(data) - set(CONTEST_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    contest = Contest(organiser=organiser, bank=bank, **data)
    _check_contest(contest, actor)
    contest.created_by = contest.updated_by = _who(actor)
    with transaction.atomic():
        contest.save()
        audit.record(actor=actor, action="contest_create", obj=contest, after=audit.snapshot(contest))
    return contest


def contest_update(*, actor, contest: Contest, **data) -> Contest:
    _require(actor, "change", contest, "该竞赛不在你的管理范围内")
    unknown = set(data) - set(CONTEST_FIELDS)
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        contest = (
            Contest.objects.select_for_update(of=("self",))
            .select_related("organiser", "bank__owner")
            .get(pk=contest.pk)
        )
        if contest.status != ContestStatus.DRAFT:
            raise RuleViolation("竞赛已发布，不能修改；如需调整请取消后重新创建", code="not_draft")
        before = audit.snapshot(contest)
        for k, v in data.items():
            setattr(contest, k, v)
        _check_contest(contest, actor)
        contest.updated_by = _who(actor)
        contest.save()
        b, a = audit.diff(before, audit.snapshot(contest))
        audit.record(actor=actor, action="contest_update", obj=contest, before=b, after=a)
    return contest


def _contest_step(contest: Contest, *, actor, action: str, **changes) -> Contest:
    before = audit.snapshot(contest)
    for k, v in changes.items():
        setattr(contest, k, v)
    contest.updated_by = _who(actor)
    contest.save()
    b, a = audit.diff(before, audit.snapshot(contest))
    audit.record(actor=actor, action=action, obj=contest, before=b, after=a)
    return contest


def contest_publish(*, actor, contest: Contest, now=None) -> Contest:
    """草稿 → 已发布: the members of the organiser's subtree see it and, in its window, take part."""
    _require(actor, "publish", contest, "该竞赛不在你的管理范围内")
    now = now or timezone.now()
    with transaction.atomic():
        contest = (
            Contest.objects.select_for_update(of=("self",))
            .select_related("organiser", "bank__owner")
            .get(pk=contest.pk)
        )
        if contest.status != ContestStatus.DRAFT:
            raise RuleViolation("只有草稿状态的竞赛可以发布", code="bad_state")
        if contest.closes_at <= now:
            raise InvalidInput("截止时间已过，请先修改竞赛时间", field="closes_at")
        _check_contest(contest, None)  # the bank may have changed since the draft
        return _contest_step(
            contest,
            actor=actor,
            action="contest_publish",
            status=ContestStatus.PUBLISHED,
            published_at=now,
            published_by=_who(actor),
        )


def contest_cancel(*, actor, contest: Contest, reason: str = "") -> Contest:
    _require(actor, "publish", contest, "该竞赛不在你的管理范围内")
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status == ContestStatus.CANCELLED:
            raise RuleViolation("竞赛已取消", code="bad_state")
        if contest.certified_at is not None:
            raise RuleViolation("已发放证书的竞赛不能取消", code="bad_state")
        reason = " ".join(str(reason or "").split())[:300]
        contest = _contest_step(contest, actor=actor, action="contest_cancel", status=ContestStatus.CANCELLED)
        if reason:
            audit.record(actor=actor, action="contest_cancel", obj=contest, message=reason)
        return contest


# --- papers -------------------------------------------------------------------------------------------


def _member(actor) -> Member:
    member = learning_selectors.member_of(actor)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise RuleViolation("测验和竞赛只对党员开放", code="not_member")
    return member


def branch_of(member: Member, on: dt.date) -> Org:
    """Where a member is ranked: the org they are hosted at today (流入), else their formal org."""
    hosted = (
        OrgRelation.objects.filter(OrgRelation.active_q(on), member=member, kind=RelationKind.ACTIVITY)
        .select_related("org")
        .first()
    )
    if hosted is not None:
        return hosted.org
    org = member.person.org
    if org is None:
        raise RuleViolation("你还没有所在党组织，暂不能参加", code="not_member")
    return org


def _paper(questions: list[Question], points: dict[str, int], rng: random.Random) -> tuple[list, list]:
    """(questions as shown, key) in kind order, shuffled within each kind."""
    by_kind: dict[str, list[Question]] = {}
    for q in questions:
        by_kind.setdefault(q.kind, []).append(q)
    shown, key = [], []
    for kind in KIND_ORDER:
        group = by_kind.get(kind, [])
        rng.shuffle(group)
        for q in group:
            shown.append(
                {
                    "id": q.pk,
                    "kind": q.kind,
                    "stem": q.stem,
                    "options": list(q.options),
                    "points": int(points.get(q.kind, 1)),
                }
            )
            key.append({"answer": list(q.answer), "explanation": q.explanation})
    return shown, key


def _draw(bank_id: int, counts: dict[str, int], rng: random.Random, tag: str = "") -> list[Question]:
    """``counts[kind]`` active questions of each kind, at random (``counts`` may hold "*" for any kind)."""
    pool = Question.objects.filter(bank_id=bank_id, active=True).values_list("pk", "kind", "tags")
    ids: dict[str, list[int]] = {}
    for pk, kind, tags in pool:
        if tag and tag not in (tags or []):
            continue
        ids.setdefault(kind, []).append(pk)
        ids.setdefault("*", []).append(pk)
    chosen: list[int] = []
    for kind, n in counts.items():
        have = sorted(ids.get(kind, []))
        if len(have) < n:
            label = "题目" if kind == "*" else QuestionKind(kind).label
            raise RuleViolation(f"题库中的{label}不足 {n} 道，请联系主办方", code="bank_too_small")
        chosen += rng.sample(have, n)
    found = Question.objects.in_bulk(chosen)
    return [found[pk] for pk in chosen]


def contest_start(*, actor, contest: Contest, now=None, member: Member | None = None, rng=None) -> Attempt:
    """Start the member's paper (or return the one running): drawn now, the deadline fixed now. The
    contest must be published and open; a member who has a paper already gets no second one."""
    member = member or _member(actor)
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    contest = Contest.objects.select_related("bank").get(pk=contest.pk)
    if contest.status != ContestStatus.PUBLISHED:
        raise RuleViolation("竞赛未发布或已取消", code="not_open")
    existing = Attempt.objects.filter(contest=contest, member=member).first()
    if existing is not None:
        if existing.status == AttemptStatus.RUNNING and now <= existing.deadline:
            return existing  # a reload of the page: the same paper, the same deadline
        raise RuleViolation("你已参加过本次竞赛，每人只能答题一次", code="already_attempted")
    if now < contest.opens_at:
        raise RuleViolation("竞赛尚未开始", code="not_open")
    if now >= contest.closes_at:
        raise RuleViolation("竞赛已截止", code="not_open")
    shown, key = _paper(_draw(contest.bank_id, contest.draw, rng), contest.points, rng)
    attempt = Attempt(
        member=member,
        branch=branch_of(member, timezone.localdate(now)),
        contest=contest,
        questions=shown,
        key=key,
        started_at=now,
        deadline=min(now + dt.timedelta(seconds=contest.time_limit_s), contest.closes_at),
        max_score=sum(q["points"] for q in shown),
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        raise RuleViolation("你已参加过本次竞赛，每人只能答题一次", code="already_attempted") from None
    return attempt


def quiz_start(*, actor, quiz: Quiz, now=None, member: Member | None = None, rng=None) -> Attempt:
    """A paper of the lesson's quiz, once the member has completed the lesson (a running one is
    returned again)."""
    member = member or _member(actor)
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    if not Credit.objects.filter(member=member, lesson_id=quiz.lesson_id).exists():
        raise RuleViolation("请先学完本课时，再参加课后测验", code="lesson_not_done")
    running = Attempt.objects.filter(quiz=quiz, member=member, status=AttemptStatus.RUNNING).first()
    if running is not None:
        return running
    shown, key = _paper(_draw(quiz.bank_id, {"*": quiz.count}, rng, quiz.tag), {}, rng)
    attempt = Attempt(
        member=member,
        branch=branch_of(member, timezone.localdate(now)),
        quiz=quiz,
        questions=shown,
        key=key,
        started_at=now,
        max_score=len(shown),
    )
    attempt.save()
    return attempt


def _answers(attempt: Attempt, answers) -> list[list[str]]:
    """The submitted answers in the paper's order, from {question id: value} or a list in order."""
    if isinstance(answers, dict):
        by_id = {str(k): v for k, v in answers.items()}
        raw = [by_id.get(str(q["id"])) for q in attempt.questions]
    elif isinstance(answers, list | tuple):
        raw = list(answers)[: len(attempt.questions)]
    else:
        raise InvalidInput("答案格式不正确", field="answers")
    raw += [None] * (len(attempt.questions) - len(raw))
    return [scoring.given(q["kind"], v) for q, v in zip(attempt.questions, raw, strict=True)]


def attempt_submit(*, actor, attempt: Attempt, answers, now=None, member: Member | None = None) -> Attempt:
    """Hand in a paper: marked on the server. A contest paper after its deadline (plus the grace) is
    recorded as expired and the submission refused (``time_up``); a paper is handed in once."""
    member = member or _member(actor)
    now = now or timezone.now()
    if attempt.member_id != member.pk:
        raise PermissionDenied("这不是你的答卷")
    given = _answers(attempt, answers)
    late = attempt.deadline is not None and now > attempt.deadline + dt.timedelta(seconds=grace_seconds())
    with transaction.atomic():
        fresh = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("contest", "quiz")
            .get(pk=attempt.pk)
        )
        if fresh.status != AttemptStatus.RUNNING:
            raise RuleViolation("该答卷已交卷或已作废", code="submitted")
        if late:
            Attempt.objects.filter(pk=fresh.pk, status=AttemptStatus.RUNNING).update(
                status=AttemptStatus.EXPIRED, answers=given
            )
            audit.record(
                actor=actor,
                action="contest_expired",
                obj=fresh,
                after={"deadline": fresh.deadline.isoformat(), "submitted": now.isoformat()},
            )
    if late:
        # Outside the transaction: the paper stays expired although the request is refused.
        raise RuleViolation(
            "答题时间已到，本次答卷已作废，不计成绩",
            code="time_up",
            details=[{"deadline": attempt.deadline.isoformat(), "grace_s": grace_seconds()}],
        )
    score, results = scoring.mark(fresh.questions, fresh.key, given)
    end = min(now, fresh.deadline) if fresh.deadline else now
    used = max(0, int((end - fresh.started_at).total_seconds()))
    if fresh.contest_id:
        passed = score >= fresh.contest.pass_score
    else:
        passed = score * 100 >= fresh.quiz.pass_percent * fresh.max_score
    with transaction.atomic():
        done = Attempt.objects.filter(pk=fresh.pk, status=AttemptStatus.RUNNING).update(
            status=AttemptStatus.SUBMITTED,
            answers=given,
            results=results,
            score=score,
            passed=passed,
            submitted_at=now,
            seconds_used=used,
        )
        if not done:
            raise RuleViolation("该答卷已交卷或已作废", code="submitted")
        fresh.refresh_from_db()
        audit.record(
            actor=actor,
            action="contest_submit" if fresh.contest_id else "quiz_submit",
            obj=fresh,
            after={"score": score, "max_score": fresh.max_score, "passed": passed, "seconds": used},
        )
        on = timezone.localdate(now).isoformat()
        if fresh.contest_id:
            events.publish(
                "learning.contest_completed",
                {
                    "member_id": member.pk,
                    "contest_id": fresh.contest_id,
                    "organiser_id": fresh.contest.organiser_id,
                    "score": score,
                    "max_score": fresh.max_score,
                    "passed": passed,
                    "on": on,
                },
                key=f"learning.contest_completed:{member.pk}:{fresh.contest_id}",
            )
        elif (
            passed
            and not Attempt.objects.filter(quiz_id=fresh.quiz_id, member=member, passed=True)
            .exclude(pk=fresh.pk)
            .exists()
        ):
            events.publish(
                "learning.quiz_passed",
                {
                    "member_id": member.pk,
                    "quiz_id": fresh.quiz_id,
                    "lesson_id": fresh.quiz.lesson_id,
                    "on": on,
                },
                key=f"learning.quiz_passed:{member.pk}:{fresh.quiz_id}",
            )
    return fresh


def expire_overdue(*, now=None, contest: Contest | None = None) -> int:
    """Running contest papers past their deadline and grace become expired (no score): the periodic
    task, and before certificates are issued."""
    now = now or timezone.now()
    qs = Attempt.objects.filter(
        status=AttemptStatus.RUNNING,
        contest__isnull=False,
        deadline__lt=now - dt.timedelta(seconds=grace_seconds()),
    )
    if contest is not None:
        qs = qs.filter(contest=contest)
    return qs.update(status=AttemptStatus.EXPIRED)


# --- certificates -----------------------------------------------------------------------------------


def certificates_issue(*, actor, contest: Contest, now=None) -> int:
    """After the contest closes: a 获奖证书 for each of the first ``award_top`` ranks, a 参赛证书 for every
    other participant who passed; each once (a paper has at most one certificate). Returns how many
    were issued now."""
    from . import selectors

    _require(actor, "publish", contest, "该竞赛不在你的管理范围内")
    now = now or timezone.now()
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status != ContestStatus.PUBLISHED:
            raise RuleViolation("只有已发布的竞赛可以发放证书", code="bad_state")
        if now < contest.closes_at:
            raise RuleViolation("竞赛截止后才能发放证书", code="not_closed")
        expire_overdue(now=now, contest=contest)
        done = set(Certificate.objects.filter(contest=contest).values_list("attempt_id", flat=True))
        seq = Certificate.objects.filter(contest=contest).count()
        year = timezone.localtime(contest.opens_at).year
        new = []
        for row in selectors.ranking(contest).values("pk", "member_id", "rank", "score", "passed"):
            if row["pk"] in done:
                continue
            if contest.award_top and row["rank"] <= contest.award_top:
                kind = CertificateKind.AWARD
            elif row["passed"]:
                kind = CertificateKind.PARTICIPATION
            else:
                continue
            seq += 1
            new.append(
                Certificate(
                    number=f"JS{year}-{contest.pk:04d}-{seq:04d}",
                    token=secrets.token_urlsafe(16)[:22],
                    contest=contest,
                    attempt_id=row["pk"],
                    member_id=row["member_id"],
                    kind=kind,
                    rank=row["rank"],
                    score=row["score"],
                    issued_at=now,
                )
            )
        Certificate.objects.bulk_create(new, batch_size=500)
        if new:
            ids = list(
                Certificate.objects.filter(contest=contest, issued_at=now).values_list("pk", flat=True)
            )
            audit.record_batch(
                actor=actor,
                action="certificate_issue",
                model=Certificate,
                ids=ids,
                after={"contest": contest.pk},
            )
        _contest_step(contest, actor=actor, action="contest_certify", certified_at=now)
    return len(new)
