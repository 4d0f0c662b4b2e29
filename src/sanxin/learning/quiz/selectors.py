"""Reads of quizzes and contests: the banks and contests an org's publishers manage (the scope), the
contests a learner may take (the orgs on their ancestor chain, as for courses), a learner's papers and
certificates, and a contest's rankings and participation — ranks by a window function (score
descending, then time used ascending; ties share a rank), summaries by GROUP BY."""

from __future__ import annotations

from django.db.models import Avg, Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import Rank, Substr
from django.utils import timezone

from sanxin.core.errors import NotFound
from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.members.models import Member, MemberStatus
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from .models import (
    Attempt,
    AttemptStatus,
    Bank,
    Certificate,
    Contest,
    ContestStatus,
    Question,
    QuestionKind,
    Quiz,
)


def mask_name(name: str) -> str:
    """张三丰 -> 张**: how rankings show other people (as the points vouchers do)."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


# --- organisers ----------------------------------------------------------------------------------------


def managed_banks(scope: Scope, *, q: str = "") -> QuerySet[Bank]:
    qs = scope.filter(Bank.objects.select_related("owner")).annotate(
        total=Count("questions", filter=Q(questions__active=True))
    )
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("owner__path", "name")


def bank_questions(bank: Bank, *, kind: str = "", tag: str = "", q: str = "", active: bool | None = True):
    qs = Question.objects.filter(bank=bank)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(stem__icontains=q)
    if tag:
        # Tags are a JSON list; SQLite has no JSON containment, and a bank is small: filter by text.
        qs = qs.filter(tags__icontains=f'"{tag}"')
    return qs.order_by("kind", "pk")


def bank_counts(bank: Bank) -> dict[str, int]:
    rows = Question.objects.filter(bank=bank, active=True).values("kind").annotate(n=Count("pk"))
    out = dict.fromkeys(QuestionKind.values, 0)
    out.update({r["kind"]: r["n"] for r in rows})
    return out


def usable_banks(scope: Scope, org: Org | None = None) -> QuerySet[Bank]:
    """Banks a publisher may draw from for ``org``: those in their scope and those of the orgs above."""
    q = scope.q(Bank)
    if org is not None:
        step = Org.steplen
        q |= Q(owner__path__in=[org.path[:i] for i in range(step, len(org.path) + 1, step)])
    return Bank.objects.filter(q).select_related("owner").order_by("owner__path", "name")


def managed_contests(scope: Scope, *, status: str = "", q: str = "") -> QuerySet[Contest]:
    qs = scope.filter(Contest.objects.select_related("organiser", "bank"))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.annotate(
        participants=Count("attempts"),
        submitted=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUBMITTED)),
    ).order_by("-opens_at", "-pk")


def managed_quizzes(scope: Scope) -> QuerySet[Quiz]:
    return (
        scope.filter(Quiz.objects.select_related("lesson__course", "bank"))
        .annotate(papers=Count("attempts"), passes=Count("attempts", filter=Q(attempts__passed=True)))
        .order_by("lesson__course_id", "lesson__position")
    )


# --- learners ----------------------------------------------------------------------------------------


def contests_for_learner(user) -> QuerySet[Contest]:
    """Published contests whose organiser is on the learner's ancestor chain (an indexed IN on paths)."""
    paths = learning_selectors.audience_paths(user)
    if not paths:
        return Contest.objects.none()
    return Contest.objects.filter(status=ContestStatus.PUBLISHED, organiser__path__in=paths).select_related(
        "organiser"
    )


def learner_contest(user, contest_id: int) -> Contest:
    contest = contests_for_learner(user).filter(pk=contest_id).first()
    if contest is None:
        raise NotFound()
    return contest


def learner_quiz(user, lesson_id: int) -> Quiz:
    lesson = learning_selectors.learner_lesson(user, lesson_id)
    quiz = Quiz.objects.filter(lesson=lesson).select_related("lesson__course", "bank").first()
    if quiz is None:
        raise NotFound()
    return quiz


def learner_attempt(user, attempt_id: int) -> Attempt:
    """The user's own paper (404 for anyone else's)."""
    attempt = (
        Attempt.objects.filter(pk=attempt_id, member__person__user=user)
        .select_related("contest__organiser", "quiz__lesson__course", "member__person", "branch")
        .first()
    )
    if attempt is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    return attempt


def my_attempts(member: Member | None, contest_ids) -> dict[int, Attempt]:
    if member is None:
        return {}
    return {a.contest_id: a for a in Attempt.objects.filter(member=member, contest_id__in=list(contest_ids))}


def quiz_attempts(member: Member | None, quiz: Quiz) -> QuerySet[Attempt]:
    if member is None:
        return Attempt.objects.none()
    return Attempt.objects.filter(member=member, quiz=quiz).order_by("-started_at")


def my_certificates(member: Member | None) -> QuerySet[Certificate]:
    if member is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(member=member).select_related("contest__organiser")


def learner_certificate(user, certificate_id: int) -> Certificate:
    cert = (
        Certificate.objects.filter(pk=certificate_id, member__person__user=user)
        .select_related("contest__organiser", "member__person")
        .first()
    )
    if cert is None:
        raise NotFound()
    return cert


def certificate_by_token(token: str) -> Certificate:
    cert = (
        Certificate.objects.filter(token=token).select_related("contest__organiser", "member__person").first()
        if token
        else None
    )
    if cert is None:
        raise NotFound("证书不存在或验证码有误")
    return cert


# --- rankings and participation ----------------------------------------------------------------------------


def ranking(contest: Contest, org: Org | None = None) -> QuerySet[Attempt]:
    """The submitted papers of ``contest`` (of the branches in ``org``'s subtree, when given) with their
    rank among them: score descending, then time used ascending; equal ones share a rank."""
    qs = Attempt.objects.filter(contest=contest, status=AttemptStatus.SUBMITTED)
    if org is not None:
        qs = qs.filter(prefix_q("branch__path", org.path))
    return (
        qs.annotate(
            rank=Window(Rank(), order_by=[F("score").desc(), F("seconds_used").asc()]),
        )
        .select_related("member__person", "branch")
        .order_by("rank", "submitted_at", "pk")
    )


def rank_of(attempt: Attempt, org: Org | None = None) -> int | None:
    """``attempt``'s rank in its contest (among the branches of ``org``'s subtree): one COUNT."""
    if attempt.status != AttemptStatus.SUBMITTED or attempt.contest_id is None:
        return None
    qs = Attempt.objects.filter(contest_id=attempt.contest_id, status=AttemptStatus.SUBMITTED).filter(
        Q(score__gt=attempt.score) | Q(score=attempt.score, seconds_used__lt=attempt.seconds_used)
    )
    if org is not None:
        qs = qs.filter(prefix_q("branch__path", org.path))
    return qs.count() + 1


def committee_of(contest: Contest, branch: Org) -> Org | None:
    """The org just below the organiser on the branch's chain (an industry committee below the city):
    the level rankings are also given by. None when the branch is the organiser or outside it."""
    depth = contest.organiser.depth + 1
    path = branch.path[: depth * Org.steplen]
    if len(path) < depth * Org.steplen or not path.startswith(contest.organiser.path):
        return None
    return Org.objects.filter(path=path).first()


def summary(contest: Contest) -> dict:
    """Participation of a contest: papers started, submitted, expired, passed; average and best score;
    the members of the organiser's subtree it was open to."""
    row = Attempt.objects.filter(contest=contest).aggregate(
        started=Count("pk"),
        submitted=Count("pk", filter=Q(status=AttemptStatus.SUBMITTED)),
        expired=Count("pk", filter=Q(status=AttemptStatus.EXPIRED)),
        running=Count("pk", filter=Q(status=AttemptStatus.RUNNING)),
        passed=Count("pk", filter=Q(passed=True)),
        average=Avg("score", filter=Q(status=AttemptStatus.SUBMITTED)),
        best=Max("score"),
    )
    row["audience"] = (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .filter(prefix_q("person__org__path", contest.organiser.path))
        .count()
    )
    row["rate"] = round(row["started"] * 100 / row["audience"], 1) if row["audience"] else 0
    row["average"] = round(row["average"], 1) if row["average"] is not None else None
    row["certificates"] = Certificate.objects.filter(contest=contest).count()
    return row


def by_org(contest: Contest, level: str = "branch") -> list[dict]:
    """Participation and scores grouped by branch, or by the orgs just below the organiser
    (``level="committee"``): one GROUP BY, the best average first."""
    qs = Attempt.objects.filter(contest=contest)
    if level == "committee":
        width = (contest.organiser.depth + 1) * Org.steplen
        qs = qs.annotate(unit=Substr("branch__path", 1, width))
        key = "unit"
    else:
        key = "branch_id"
    rows = list(
        qs.values(key)
        .annotate(
            started=Count("pk"),
            submitted=Count("pk", filter=Q(status=AttemptStatus.SUBMITTED)),
            passed=Count("pk", filter=Q(passed=True)),
            average=Avg("score", filter=Q(status=AttemptStatus.SUBMITTED)),
            best=Max("score"),
        )
        .order_by(F("average").desc(nulls_last=True), key)
    )
    if level == "committee":
        names = dict(Org.objects.filter(path__in=[r["unit"] for r in rows]).values_list("path", "name"))
        for r in rows:
            r["name"] = names.get(r["unit"]) or contest.organiser.name
    else:
        names = dict(Org.objects.filter(pk__in=[r["branch_id"] for r in rows]).values_list("pk", "name"))
        for r in rows:
            r["name"] = names.get(r["branch_id"], "")
    for r in rows:
        r["average"] = round(r["average"], 1) if r["average"] is not None else None
    return rows


def export_rows(contest: Contest) -> list[dict]:
    """Every paper of the contest for the results ledger: ranked ones first, then the expired and the
    unfinished."""
    certs = dict(Certificate.objects.filter(contest=contest).values_list("attempt_id", "number"))
    rows = []
    for a in ranking(contest):
        rows.append(_export_row(a, a.rank, certs))
    others = (
        Attempt.objects.filter(contest=contest)
        .exclude(status=AttemptStatus.SUBMITTED)
        .select_related("member__person", "branch")
        .order_by("started_at", "pk")
    )
    for a in others:
        rows.append(_export_row(a, None, certs))
    return rows


def _export_row(a: Attempt, rank, certs) -> dict:
    return {
        "rank": rank,
        "name": a.member.person.name,
        "branch": a.branch.name,
        "status": a.get_status_display(),
        "score": a.score,
        "max_score": a.max_score,
        "seconds": a.seconds_used,
        "passed": a.passed,
        "started_at": a.started_at,
        "submitted_at": a.submitted_at,
        "certificate": certs.get(a.pk, ""),
    }


def running_deadline_passed(attempt: Attempt, now=None) -> bool:
    now = now or timezone.now()
    return attempt.status == AttemptStatus.RUNNING and attempt.deadline is not None and now > attempt.deadline


# --- imports -----------------------------------------------------------------------------------------------


def import_errors(job, limit: int = 500) -> list[tuple]:
    """The rows of a finished import's error report (our own workbook): (row, column, value, reason)."""
    report = getattr(job, "error_report", None)
    if report is None or not report.path.exists():
        return []
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(report.path)).get_sheet_by_index(0).to_python()
    out = []
    for row in sheet[1 : limit + 1]:
        cells = [("" if c is None else c) for c in row] + ["", "", "", ""]
        line = int(cells[0]) if isinstance(cells[0], int | float) and cells[0] != "" else cells[0]
        out.append((line, str(cells[1]), str(cells[2]), str(cells[3])))
    return out
