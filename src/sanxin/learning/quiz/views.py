"""Pages of quizzes and contests. A member's (phone first): the contests open to them, a contest with its
start button, the paper (the countdown in ``static/learning/quiz.js`` only shows the server's deadline;
the server decides), the result with the explanations, their ranking, a lesson's quiz, a printable
certificate; the public verification of a certificate. The publishers': banks with their questions and
the Excel/CSV import with its row errors, lesson quizzes, contests with participation, rankings by
branch and committee, certificates and the results export. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import qr
from sanxin.core.errors import InvalidInput, NotFound, ServiceError
from sanxin.core.models import ImportJob
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.query import prefix_q
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from ..models import Lesson
from . import exports, selectors, services
from .models import (
    LETTERS,
    AttemptStatus,
    Bank,
    Contest,
    ContestStatus,
    Question,
    QuestionKind,
    Quiz,
)

KIND_ORDER = [(k.value, k.label) for k in services.KIND_ORDER]


# --- learners -------------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def home(request):
    now = timezone.now()
    member = learning_selectors.member_of(request.user)
    contests = list(selectors.contests_for_learner(request.user).order_by("-opens_at", "-pk")[:100])
    mine = selectors.my_attempts(member, [c.pk for c in contests])
    groups = {"open": [], "upcoming": [], "closed": []}
    for c in contests:
        groups[c.phase_at(now)].append((c, mine.get(c.pk)))
    context = {
        "member": member,
        "groups": groups,
        "certificates": list(selectors.my_certificates(member)[:20]),
        "can_manage": has_permission(request.user, "learning", "view"),
    }
    return render(request, "learning/quiz/home.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def contest(request, contest_id: int):
    c = selectors.learner_contest(request.user, contest_id)
    member = learning_selectors.member_of(request.user)
    if request.method == "POST":
        try:
            attempt = services.contest_start(actor=request.user, contest=c)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            return redirect("learning:quiz:attempt", attempt.pk)
    mine = selectors.my_attempts(member, [c.pk]).get(c.pk)
    context = {
        "c": c,
        "member": member,
        "mine": mine,
        "phase": c.phase_at(timezone.now()),
        "kinds": [(label, c.draw.get(k, 0), c.points.get(k, 0)) for k, label in KIND_ORDER if c.draw.get(k)],
        "minutes": c.time_limit_s // 60,
    }
    return render(
        request, "learning/quiz/contest.html", context, status=400 if request.method == "POST" else 200
    )


def _paper_rows(attempt) -> list[dict]:
    rows = []
    for i, q in enumerate(attempt.questions):
        rows.append(
            {
                "n": i + 1,
                "id": q["id"],
                "kind": q["kind"],
                "kind_label": QuestionKind(q["kind"]).label,
                "stem": q["stem"],
                "options": list(zip(LETTERS, q["options"], strict=False)),
                "points": q["points"],
            }
        )
    return rows


def _result_rows(attempt) -> list[dict]:
    rows = _paper_rows(attempt)
    for i, row in enumerate(rows):
        result = attempt.results[i] if i < len(attempt.results) else {"correct": False, "points": 0}
        row.update(
            mine=attempt.answers[i] if i < len(attempt.answers) else [],
            key=attempt.key[i]["answer"],
            explanation=attempt.key[i]["explanation"],
            correct=result["correct"],
            earned=result["points"],
        )
    return rows


def _submitted_answers(post, attempt) -> dict[str, list[str]]:
    return {str(q["id"]): post.getlist(f"q{q['id']}") for q in attempt.questions}


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def attempt(request, attempt_id: int):
    """A running paper (the questions, never the key) or, once handed in, the result with the key and
    the explanations."""
    a = selectors.learner_attempt(request.user, attempt_id)
    status = 200
    if request.method == "POST":
        try:
            services.attempt_submit(
                actor=request.user, attempt=a, answers=_submitted_answers(request.POST, a)
            )
        except ServiceError as exc:
            message_error(request, exc)
            status = 400
            a = selectors.learner_attempt(request.user, attempt_id)
        else:
            messages.success(request, "已交卷")
            return redirect("learning:quiz:attempt", a.pk)
    now = timezone.now()
    if a.status == AttemptStatus.RUNNING:
        context = {
            "a": a,
            "rows": _paper_rows(a),
            "now": now,
            "seconds_left": max(0, math.ceil((a.deadline - now).total_seconds())) if a.deadline else None,
            "late": selectors.running_deadline_passed(a, now),
        }
        return render(request, "learning/quiz/paper.html", context, status=status)
    context = {
        "a": a,
        "rows": _result_rows(a) if a.status == AttemptStatus.SUBMITTED else [],
        "rank": selectors.rank_of(a),
        "branch_rank": selectors.rank_of(a, a.branch) if a.contest_id else None,
        "certificate": getattr(a, "certificate", None) if a.contest_id else None,
    }
    return render(request, "learning/quiz/result.html", context, status=status)


@permission.own()
@login_required
@require_safe
def ranking(request, contest_id: int):
    c = selectors.learner_contest(request.user, contest_id)
    member = learning_selectors.member_of(request.user)
    mine = selectors.my_attempts(member, [c.pk]).get(c.pk)
    ranked = selectors.ranking(c)
    top = []
    for row in ranked[:20]:
        me = member is not None and row.member_id == member.pk
        top.append((row, row.member.person.name if me else selectors.mask_name(row.member.person.name), me))
    context = {
        "c": c,
        "mine": mine,
        "rank": selectors.rank_of(mine) if mine else None,
        "branch_rank": selectors.rank_of(mine, mine.branch) if mine else None,
        "participants": ranked.count(),
        "top": top,
    }
    return render(request, "learning/quiz/ranking.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def lesson_quiz(request, lesson_id: int):
    from ..models import Credit

    quiz = selectors.learner_quiz(request.user, lesson_id)
    member = learning_selectors.member_of(request.user)
    if request.method == "POST":
        try:
            a = services.quiz_start(actor=request.user, quiz=quiz)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            return redirect("learning:quiz:attempt", a.pk)
    papers = list(selectors.quiz_attempts(member, quiz)[:20])
    context = {
        "quiz": quiz,
        "member": member,
        "papers": papers,
        "passed": any(p.passed for p in papers),
        "done": bool(member) and Credit.objects.filter(member=member, lesson_id=lesson_id).exists(),
    }
    return render(
        request, "learning/quiz/lesson_quiz.html", context, status=400 if request.method == "POST" else 200
    )


def _verify_url(request, cert) -> str:
    return request.build_absolute_uri(reverse("learning:quiz:verify", args=[cert.token]))


@permission.own()
@login_required
@require_safe
def certificate(request, certificate_id: int):
    cert = selectors.learner_certificate(request.user, certificate_id)
    url = _verify_url(request, cert)
    return render(
        request,
        "learning/quiz/certificate.html",
        {"cert": cert, "verify_url": url, "qr_svg": qr.svg_inline(url, scale=4)},
    )


@permission.public()
@require_safe
def verify(request, token: str):
    """Public: the facts of a certificate — its number, kind, the contest, the organiser, the score and
    the date, and the holder's name masked — for whoever scans its QR code."""
    try:
        cert = selectors.certificate_by_token(token)
    except NotFound:
        return render(request, "learning/quiz/verify.html", {"cert": None}, status=404)
    return render(
        request,
        "learning/quiz/verify.html",
        {"cert": cert, "holder": selectors.mask_name(cert.member.person.name)},
    )


# --- publishers: banks -----------------------------------------------------------------------------------


@permission("learning", "view")
@require_safe
def manage(request):
    q = (request.GET.get("q") or "").strip()[:50]
    context = {
        "banks": paginate(request, selectors.managed_banks(request.scope, q=q), 50),
        "contests": list(selectors.managed_contests(request.scope)[:50]),
        "quizzes": list(selectors.managed_quizzes(request.scope)[:100]),
        "q": q,
        "can_create": has_permission(request.user, "learning", "create"),
    }
    return render(request, "learning/quiz/manage.html", context)


def _owners(user):
    return scope_for(user, "learning", "create").filter(Org.objects.all()).order_by("path")[:300]


def _org_from(request, key: str) -> Org:
    raw = request.POST.get(key) or ""
    if not raw.isdigit():
        raise InvalidInput("请选择党组织", field=key)
    return request.scope.get(Org, pk=int(raw))


@permission("learning", "create")
@require_http_methods(["GET", "POST"])
def bank_new(request):
    data = {k: request.POST.get(k, "") for k in ("owner", "name", "description")}
    if request.method == "POST":
        try:
            owner = _org_from(request, "owner")
            bank = services.bank_create(
                actor=request.user, owner=owner, name=data["name"], description=data["description"]
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已创建题库，可以录入或导入试题")
            return redirect("learning:quiz:bank", bank.pk)
    return render(
        request,
        "learning/quiz/bank_new.html",
        {"owners": _owners(request.user), "data": data},
        status=400 if request.method == "POST" else 200,
    )


def _question_form(post) -> dict:
    kind = post.get("kind", "")
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        answer = post.getlist("answer")
    elif kind == QuestionKind.JUDGE:
        answer = post.get("judge", "")
    else:
        answer = post.get("fill", "")
    return {
        "kind": kind,
        "stem": post.get("stem", ""),
        "options": [post.get(f"option_{c}", "") for c in LETTERS],
        "answer": answer,
        "explanation": post.get("explanation", ""),
        "tags": post.get("tags", ""),
    }


@permission("learning", "view", model=Bank, lookup="bank_id")
@require_http_methods(["GET", "POST"])
def bank(request, bank_id: int):
    b = request.scope.get(Bank.objects.select_related("owner"), pk=bank_id)
    can_change = scope_for(request.user, "learning", "change").contains(b)
    form = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if not can_change:
                raise NotFound()
            if action == "add":
                form = _question_form(request.POST)
                services.question_add(actor=request.user, bank=b, **form)
                done = "已新增试题"
            elif action in ("retire", "restore"):
                raw = request.POST.get("question", "")
                if not raw.isdigit():
                    raise InvalidInput("请选择试题", field="question")
                question = request.scope.get(Question.objects.filter(bank=b), pk=int(raw))
                services.question_update(actor=request.user, question=question, active=action == "restore")
                done = "已停用试题" if action == "retire" else "已恢复试题"
            elif action == "update":
                services.bank_update(
                    actor=request.user,
                    bank=b,
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                )
                done = "已保存题库"
            else:
                raise InvalidInput("未知的操作")
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("learning:quiz:bank", b.pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in QuestionKind.values else ""
    q = (request.GET.get("q") or "").strip()[:50]
    tag = (request.GET.get("tag") or "").strip()[:20]
    retired = request.GET.get("retired") == "1"
    context = {
        "b": b,
        "can_change": can_change,
        "questions": paginate(
            request, selectors.bank_questions(b, kind=kind, tag=tag, q=q, active=not retired), 30
        ),
        "counts": [(label, selectors.bank_counts(b)[k]) for k, label in KIND_ORDER],
        "kinds": KIND_ORDER,
        "kind": kind,
        "q": q,
        "tag": tag,
        "retired": retired,
        "form": form,
        "option_rows": [
            (letter, (form.get("options") or [""] * 6)[i], letter in (form.get("answer") or []))
            for i, letter in enumerate(LETTERS)
        ],
    }
    return render(
        request, "learning/quiz/bank.html", context, status=400 if request.method == "POST" else 200
    )


@permission("learning", "change", model=Bank, lookup="bank_id")
@require_http_methods(["GET", "POST"])
def bank_import(request, bank_id: int):
    b = request.scope.get(Bank.objects.select_related("owner"), pk=bank_id)
    if request.method == "POST":
        f = request.FILES.get("file")
        mode = request.POST.get("mode") or ImportJob.Mode.ALL_OR_NOTHING
        try:
            if f is None:
                raise InvalidInput("请选择要导入的文件", field="file")
            job = services.bank_import_upload(
                actor=request.user, bank=b, name=f.name, chunks=f.chunks(), mode=mode
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            if job.status == ImportJob.Status.MAPPING:
                messages.info(request, "有列未能识别，请确认列对应关系")
                return redirect("core:import_detail", job.pk)
            return redirect("learning:quiz:import_result", job.pk)
    return render(
        request,
        "learning/quiz/bank_import.html",
        {"b": b, "modes": ImportJob.Mode.choices, "letters": LETTERS},
        status=400 if request.method == "POST" else 200,
    )


@permission.own()  # job_for(): only the user who started the job (and superusers)
@login_required
@require_safe
def import_result(request, job_id):
    from sanxin.core.excel import importer as imp

    from .imports import BankImporter

    try:
        job = imp.job_for(request.user, job_id)
    except Exception as exc:  # a malformed id reads as not found
        if isinstance(exc, NotFound):
            raise
        raise NotFound() from None
    if job.importer != BankImporter.key:
        raise NotFound()
    bank = Bank.objects.filter(pk=job.context.get("bank_id")).first()
    finished = job.finished
    return render(
        request,
        "learning/quiz/import_result.html",
        {
            "job": job,
            "bank": bank,
            "errors": selectors.import_errors(job) if finished else [],
            "finished": finished,
        },
    )


# --- publishers: lesson quizzes ---------------------------------------------------------------------------


@permission("learning", "change", model=Lesson, lookup="lesson_id")
@require_http_methods(["GET", "POST"])
def quiz_manage(request, lesson_id: int):
    le = request.scope.get(Lesson.objects.select_related("course__publisher"), pk=lesson_id)
    quiz = Quiz.objects.filter(lesson=le).select_related("bank").first()
    banks = list(
        selectors.usable_banks(scope_for(request.user, "learning", "view"), le.course.publisher)[:200]
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                if quiz is None:
                    raise InvalidInput("该课时没有课后测验")
                services.quiz_remove(actor=request.user, quiz=quiz)
                done = "已删除课后测验"
            else:
                raw = request.POST.get("bank", "")
                bank = next((b for b in banks if str(b.pk) == raw), None)
                if bank is None:
                    raise InvalidInput("请选择题库", field="bank")
                try:
                    count = int(request.POST.get("count") or 0)
                    percent = int(request.POST.get("pass_percent") or 60)
                except ValueError:
                    raise InvalidInput("抽题数和及格线应为整数", field="count") from None
                services.quiz_set(
                    actor=request.user, lesson=le, bank=bank, count=count, pass_percent=percent,
                    tag=request.POST.get("tag", ""),
                )  # fmt: skip
                done = "已保存课后测验"
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("learning:quiz:quiz_manage", le.pk)
    context = {"le": le, "quiz": quiz, "banks": banks, "post": request.POST}
    return render(
        request, "learning/quiz/quiz_manage.html", context, status=400 if request.method == "POST" else 200
    )


# --- publishers: contests ----------------------------------------------------------------------------------


def _when(value: str, field: str):
    if not value:
        raise InvalidInput("请填写时间", field=field)
    try:
        return timezone.make_aware(dt.datetime.fromisoformat(value))
    except ValueError:
        raise InvalidInput("时间格式应为“年-月-日 时:分”", field=field) from None


def _int(post, key: str, label: str, default: int | None = None) -> int:
    raw = (post.get(key) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{label}应为整数", field=key) from None


def _contest_form(request, banks) -> dict:
    post = request.POST
    raw = post.get("bank", "")
    bank = next((b for b in banks if str(b.pk) == raw), None)
    if bank is None:
        raise InvalidInput("请选择题库", field="bank")
    return {
        "bank": bank,
        "title": post.get("title", ""),
        "description": post.get("description", ""),
        "opens_at": _when(post.get("opens_at", ""), "opens_at"),
        "closes_at": _when(post.get("closes_at", ""), "closes_at"),
        "time_limit_s": _int(post, "minutes", "答题时限", 20) * 60,
        "draw": {k: _int(post, f"draw_{k}", "抽题数", 0) for k, _ in KIND_ORDER},
        "points": {k: _int(post, f"points_{k}", "分值", 0) for k, _ in KIND_ORDER},
        "pass_score": _int(post, "pass_score", "合格分数", 60),
        "award_top": _int(post, "award_top", "获奖名次数", 0),
    }


@permission("learning", "create")
@require_http_methods(["GET", "POST"])
def contest_new(request):
    owners = _owners(request.user)
    view_scope = scope_for(request.user, "learning", "view")
    banks = list(selectors.usable_banks(view_scope)[:200])
    if request.method == "POST":
        try:
            organiser = _org_from(request, "organiser")
            banks = list(selectors.usable_banks(view_scope, organiser)[:200])
            c = services.contest_create(
                actor=request.user, organiser=organiser, **_contest_form(request, banks)
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已创建竞赛草稿，核对后发布")
            return redirect("learning:quiz:contest_manage", c.pk)
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    context = {
        "owners": owners,
        "banks": banks,
        "kinds": KIND_ORDER,
        "post": request.POST,
        "default_opens": start.strftime("%Y-%m-%dT%H:%M"),
        "default_closes": (start + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    return render(
        request, "learning/quiz/contest_new.html", context, status=400 if request.method == "POST" else 200
    )


@permission("learning", "view", model=Contest, lookup="contest_id")
@require_http_methods(["GET", "POST"])
def contest_manage(request, contest_id: int):
    c = request.scope.get(Contest.objects.select_related("organiser", "bank__owner"), pk=contest_id)
    if request.method == "GET" and request.GET.get("export") == "xlsx":
        return exports.results_response(c)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                services.contest_publish(actor=request.user, contest=c)
                done = "已发布竞赛"
            elif action == "cancel":
                services.contest_cancel(actor=request.user, contest=c, reason=request.POST.get("reason", ""))
                done = "已取消竞赛"
            elif action == "certify":
                n = services.certificates_issue(actor=request.user, contest=c)
                done = f"已发放证书 {n} 张"
            else:
                raise InvalidInput("未知的操作")
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("learning:quiz:contest_manage", c.pk)
    org = None
    if (request.GET.get("org") or "").isdigit():
        org = Org.objects.filter(pk=int(request.GET["org"])).first()
        if org is None or not org.path.startswith(c.organiser.path):
            raise InvalidInput("请选择主办组织下的组织", field="org")
    now = timezone.now()
    publish = scope_for(request.user, "learning", "publish").contains(c)
    context = {
        "c": c,
        "phase": c.phase_at(now),
        "summary": selectors.summary(c),
        "by_branch": selectors.by_org(c, "branch"),
        "by_committee": selectors.by_org(c, "committee"),
        "ranking": paginate(request, selectors.ranking(c, org), 50),
        "org": org,
        "units": Org.objects.filter(prefix_q("path", c.organiser.path), depth__lte=c.organiser.depth + 2)
        .exclude(pk=c.organiser_id)
        .order_by("path")[:200],
        "kinds": [(label, c.draw.get(k, 0), c.points.get(k, 0)) for k, label in KIND_ORDER if c.draw.get(k)],
        "can_publish": publish and c.status == ContestStatus.DRAFT,
        "can_cancel": publish and c.status == ContestStatus.PUBLISHED and c.certified_at is None,
        "can_certify": publish and c.status == ContestStatus.PUBLISHED and now >= c.closes_at,
        "minutes": c.time_limit_s // 60,
    }
    return render(
        request, "learning/quiz/contest_manage.html", context, status=400 if request.method == "POST" else 200
    )
