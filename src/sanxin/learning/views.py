"""Pages of learning: the phone learning home (continue where I left, short lessons, my hours this year
against the requirement, the catalogue by column), a course, a lesson with its player (heartbeats from
``static/learning/player.js``) and check question; the secretary's list of who is behind on hours; the
publishers' course list, editor and review queue. Thin: selectors read, services write."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.errors import InvalidInput, ServiceError
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.members.models import WorkKind
from sanxin.orgs.models import Org

from . import selectors, services
from .models import Column, Course, CourseStatus, Lesson, LessonKind, ShortSlot, SubColumn
from .training import selectors as training_selectors
from .training import services as training_services


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _recommended(user) -> dict:
    """为你推荐 on the home: the first few of the member's list (the common list when turned off)."""
    from .discovery import selectors as discovery

    rec = discovery.recommended(user, limit=5)
    items = discovery.mark_done(user, rec.items) if not rec.personalised else rec.items
    return {"recommended": rec, "recommended_items": items}


@permission.own()
@login_required
@require_safe
def home(request):
    member = selectors.member_of(request.user)
    column = request.GET.get("column", "")
    column = column if column in Column.values else ""
    sub = request.GET.get("sub", "")
    sub = sub if sub in SubColumn.values else ""
    short = request.GET.get("short", "")
    short = short if short in ShortSlot.values else ""
    q = (request.GET.get("q") or "").strip()[:50]
    context = {
        "member": member,
        "year": selectors.year_of(member) if member else None,
        "continuing": list(selectors.continuing(member, request.user)) if member else [],
        "short_lessons": list(selectors.short_lessons(member, request.user)),
        **_recommended(request.user),
        "courses": paginate(
            request,
            selectors.catalogue(request.user, column=column, sub_column=sub, short=short, q=q),
            20,
        ),
        "columns": Column.choices,
        "subs": [c for c in SubColumn.choices if c[0]],
        "slots": [c for c in ShortSlot.choices if c[0]],
        "column": column,
        "sub": sub,
        "short": short,
        "q": q,
    }
    return render(request, "learning/home.html", context)


@permission.own()
@login_required
@require_safe
def course(request, course_id: int):
    c = selectors.learner_course(request.user, course_id)
    lessons = list(c.lessons.all())
    member = selectors.member_of(request.user)
    progress = selectors.progress_of(member, lessons) if member else {}
    rows = [(lesson, progress.get(lesson.pk)) for lesson in lessons]
    return render(request, "learning/course.html", {"c": c, "rows": rows})


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def lesson(request, lesson_id: int):
    le = selectors.learner_lesson(request.user, lesson_id)
    member = selectors.member_of(request.user)
    if request.method == "POST":
        try:
            choice = int(request.POST.get("choice", ""))
        except ValueError:
            choice = -1
        try:
            _progress, correct, restarted = services.answer_submit(
                actor=request.user, lesson=le, choice=choice
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            if correct:
                messages.success(request, "回答正确")
            elif restarted:
                messages.error(request, "回答错误次数过多，请重新学习本课时后再作答")
            else:
                messages.error(request, "回答错误，请再想一想")
            return redirect("learning:lesson", le.pk)
    if request.method == "GET":
        training_services.lesson_viewed(member=member, lesson=le)
    progress = selectors.progress_of(member, [le]).get(le.pk) if member else None
    siblings = list(le.course.lessons.values_list("pk", "title"))
    index = [pk for pk, _ in siblings].index(le.pk)
    context = {
        "le": le,
        "member": member,
        "progress": progress,
        "required": services.required_seconds(le),
        "watched": min(progress.watched_s, services.required_seconds(le) or 0) if progress else 0,
        "every": settings.LEARNING_HEARTBEAT_SECONDS,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "choices": list(enumerate(le.choices)),
        "kinds": LessonKind,
    }
    return render(request, "learning/lesson.html", context, status=400 if request.method == "POST" else 200)


# --- secretaries -------------------------------------------------------------------------------------


@permission("learning", "view")
@require_safe
def behind(request):
    year = _year(request)
    orgs = request.scope.filter(Org.objects.all()).order_by("path")[:200]
    org = None
    if request.GET.get("org"):
        try:
            org = request.scope.get(Org, pk=int(request.GET["org"]))
        except ValueError:
            raise InvalidInput("组织编号应为数字", field="org") from None
    rows = training_selectors.with_last_reminded(selectors.behind(request.scope, year, org=org))
    context = {
        "rows": paginate(request, rows, 50),
        "year": year,
        "org": org,
        "orgs": orgs,
        "required": settings.LEARNING_REQUIRED_HOURS,
    }
    return render(request, "learning/behind.html", context)


# --- publishers ------------------------------------------------------------------------------------


@permission("learning", "view")
@require_safe
def manage(request):
    status = request.GET.get("status", "")
    status = status if status in CourseStatus.values else ""
    q = (request.GET.get("q") or "").strip()[:50]
    publish = scope_for(request.user, "learning", "publish")
    context = {
        "rows": paginate(request, selectors.managed_courses(request.scope, status=status, q=q), 50),
        "queue": list(selectors.review_queue(publish)[:50]) if not publish.is_empty else None,
        "status": status,
        "q": q,
        "statuses": CourseStatus.choices,
        "can_create": has_permission(request.user, "learning", "create"),
    }
    return render(request, "learning/manage.html", context)


def _course_form(post) -> dict:
    return {
        "title": post.get("title", ""),
        "summary": post.get("summary", ""),
        "column": post.get("column", ""),
        "sub_column": post.get("sub_column", ""),
        "tags": [t for t in (post.get("tags") or "").replace("，", ",").split(",") if t.strip()],
        "occupations": post.getlist("occupations"),
    }


def _publishers(user):
    return scope_for(user, "learning", "create").filter(Org.objects.all()).order_by("path")[:300]


@permission("learning", "create")
@require_http_methods(["GET", "POST"])
def manage_new(request):
    error = None
    data = _course_form(request.POST) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            try:
                publisher_id = int(request.POST.get("publisher") or 0)
            except ValueError:
                publisher_id = 0
            publisher = request.scope.get(Org, pk=publisher_id)
            c = services.course_create(actor=request.user, publisher=publisher, **data)
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            messages.success(request, "已创建课程草稿，请添加课时")
            return redirect("learning:manage_course", c.pk)
    context = {
        "publishers": _publishers(request.user),
        "data": data,
        "error": error,
        "columns": Column.choices,
        "subs": SubColumn.choices,
        "occupations": WorkKind.choices,
    }
    return render(
        request, "learning/manage_new.html", context, status=400 if request.method == "POST" else 200
    )


def _dt(value: str, field: str):
    if not value:
        return None
    try:
        return timezone.make_aware(dt.datetime.fromisoformat(value))
    except ValueError:
        raise InvalidInput("时间格式应为“年-月-日 时:分”", field=field) from None


@contextlib.contextmanager
def _upload_kept_only_on_success():
    """A media file stored for a lesson the service then refuses goes with it: its row rolls back with
    the transaction and its bytes are removed from disk."""
    stored: list = []
    request_files = _stored_files.set(stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for f in stored:
            f.remove_files()
        raise
    finally:
        _stored_files.reset(request_files)


_stored_files: contextvars.ContextVar[list | None] = contextvars.ContextVar("learning_uploads", default=None)


def _lesson_form(request, kind: str) -> dict:
    post = request.POST
    try:
        hours = Decimal(post.get("credit_hours") or "0")
    except InvalidOperation:
        raise InvalidInput("学时应为数字，如 0.5", field="credit_hours") from None
    try:
        duration = int(post["duration_s"]) if post.get("duration_s") else None
        answer = int(post["answer"]) if post.get("answer") not in (None, "") else None
    except ValueError:
        raise InvalidInput("时长和正确选项应为整数", field="duration_s") from None
    data = {
        "title": post.get("title", ""),
        "kind": kind,
        "body": post.get("body", ""),
        "duration_s": duration,
        "credit_hours": hours,
        "tags": [t for t in (post.get("tags") or "").replace("，", ",").split(",") if t.strip()],
        "occupations": post.getlist("occupations"),
        "short": post.get("short", ""),
        "starts_at": _dt(post.get("starts_at", ""), "starts_at"),
        "live_url": post.get("live_url", "").strip(),
        "question": post.get("question", ""),
        "choices": [c for c in (post.get("choices") or "").splitlines() if c.strip()],
        "answer": answer,
    }
    upload = request.FILES.get("media")
    if upload is not None:
        stored = services.media_store(actor=request.user, uploaded=upload, kind=kind)
        kept = _stored_files.get()
        if kept is not None:
            kept.append(stored)
        data["replay" if kind == LessonKind.LIVE else "media"] = stored
    return data


@permission("learning", "view", model=Course, lookup="course_id")
@require_http_methods(["GET", "POST"])
def manage_course(request, course_id: int):
    """A course's editor: its fields and lessons while a draft, submission, the review and archiving."""
    c = request.scope.get(
        Course.objects.select_related("publisher", "submitted_by", "reviewed_by"), pk=course_id
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "update":
                services.course_update(actor=request.user, course=c, **_course_form(request.POST))
                done = "已保存课程"
            elif action == "lesson":
                kind = request.POST.get("kind", "")
                if kind not in LessonKind.values:
                    raise InvalidInput("请选择课时形式", field="kind")
                with _upload_kept_only_on_success():
                    services.lesson_add(actor=request.user, course=c, **_lesson_form(request, kind))
                done = "已添加课时"
            elif action == "remove":
                lesson_id = request.POST.get("lesson", "")
                if not lesson_id.isdigit():
                    raise InvalidInput("请选择课时", field="lesson")
                le = request.scope.get(Lesson.objects.filter(course=c), pk=int(lesson_id))
                services.lesson_remove(actor=request.user, lesson=le)
                done = "已删除课时"
            elif action == "submit":
                services.course_submit(actor=request.user, course=c)
                done = "已提交审核"
            elif action in ("publish", "return"):
                services.course_review(
                    actor=request.user,
                    course=c,
                    approve=action == "publish",
                    note=request.POST.get("note", ""),
                )
                done = "已发布" if action == "publish" else "已退回修改"
            elif action == "archive":
                services.course_archive(actor=request.user, course=c, reason=request.POST.get("note", ""))
                done = "已下架"
            else:
                raise InvalidInput("未知的操作")
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("learning:manage_course", c.pk)
    context = {
        "c": c,
        "lessons": list(c.lessons.select_related("media", "replay")),
        "draft": c.status == CourseStatus.DRAFT,
        "can_change": scope_for(request.user, "learning", "change").contains(c),
        "can_publish": scope_for(request.user, "learning", "publish").contains(c),
        "columns": Column.choices,
        "subs": SubColumn.choices,
        "kinds": LessonKind.choices,
        "slots": ShortSlot.choices,
        "occupations": WorkKind.choices,
    }
    return render(
        request, "learning/manage_course.html", context, status=400 if request.method == "POST" else 200
    )


@permission("learning", "change", model=Lesson, lookup="lesson_id")
@require_http_methods(["GET", "POST"])
def manage_lesson(request, lesson_id: int):
    le = request.scope.get(
        Lesson.objects.select_related("course__publisher", "media", "replay"), pk=lesson_id
    )
    if request.method == "POST":
        try:
            with _upload_kept_only_on_success():
                data = _lesson_form(request, le.kind)
                data.pop("kind")
                services.lesson_update(actor=request.user, lesson=le, **data)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已保存课时")
            return redirect("learning:manage_course", le.course_id)
    context = {
        "le": le,
        "slots": ShortSlot.choices,
        "occupations": WorkKind.choices,
        "choices_text": "\n".join(le.choices),
    }
    return render(
        request, "learning/manage_lesson.html", context, status=400 if request.method == "POST" else 200
    )
