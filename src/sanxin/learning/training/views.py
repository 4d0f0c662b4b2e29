"""Pages of training, under /learning/training/ in the ``learning`` namespace: the programmes with their
cohorts and each cohort's progress (enrolment), the offline trainings with attendance (and its
correction), a member's transcript (学时档案, printable) and a secretary's view of it, the office's
statistics with Excel export, and the reminders sent from the behind list. Thin: selectors read,
services write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.errors import InvalidInput, RuleViolation, ServiceError
from sanxin.core.excel.export import Ledger, workbook_response
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.members.models import Member
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from ..models import Course, CourseStatus
from . import selectors, services
from .models import Audience, Cohort, Programme, ProgrammeMode, Training


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _ids(values) -> list[int]:
    out = []
    for v in values:
        v = str(v).strip()
        if not v.isdigit():
            raise InvalidInput("请选择党员", field="members")
        out.append(int(v))
    return out


def _int(value, field: str, label: str) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise InvalidInput(f"请选择{label}", field=field) from None


def _orgs(user, action: str):
    return scope_for(user, "learning", action).filter(Org.objects.all()).order_by("path")[:300]


# --- programmes -------------------------------------------------------------------------------------


@permission("learning", "view")
@require_safe
def programmes(request):
    q = (request.GET.get("q") or "").strip()[:50]
    context = {
        "rows": paginate(request, selectors.programmes(request.scope, q=q), 30),
        "q": q,
        "can_create": has_permission(request.user, "learning", "create"),
    }
    return render(request, "learning/training/programmes.html", context)


def _programme_form(post) -> dict:
    return {
        "title": post.get("title", ""),
        "summary": post.get("summary", ""),
        "mode": post.get("mode", ""),
        "audience": post.get("audience", "") or Audience.GENERAL,
        "starts_on": post.get("starts_on", ""),
        "ends_on": post.get("ends_on", ""),
        "required_hours": post.get("required_hours", ""),
        "course_ids": _course_ids(post.getlist("courses")),
    }


def _course_ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def _course_choices(user):
    """Published courses of the orgs the user organises for, and of the orgs above them."""
    scope = scope_for(user, "learning", "create")
    paths: set[str] = set()
    for path in scope.org_paths:
        paths.update(learning_selectors._ancestor_paths(path))
    qs = Course.objects.filter(status=CourseStatus.PUBLISHED).select_related("publisher")
    if not scope.everything:
        from django.db.models import Q

        qs = qs.filter(scope.q(Course) | Q(publisher__path__in=sorted(paths)))
    return qs.order_by("column", "title")[:200]


@permission("learning", "create")
@require_http_methods(["GET", "POST"])
def programme_new(request):
    data = _programme_form(request.POST) if request.method == "POST" else {"audience": Audience.GENERAL}
    if request.method == "POST":
        try:
            org = request.scope.get(Org, pk=_int(request.POST.get("org"), "org", "主办党组织"))
            p = services.programme_create(actor=request.user, org=org, **data)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已新建培训班，请添加班次")
            return redirect("learning:training_programme", p.pk)
    context = {
        "orgs": _orgs(request.user, "create"),
        "data": data,
        "modes": ProgrammeMode.choices,
        "audiences": Audience.choices,
        "courses": _course_choices(request.user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/training/programme_new.html", context, status=status)


@permission("learning", "view", model=Programme, lookup="programme_id")
@require_http_methods(["GET", "POST"])
def programme(request, programme_id: int):
    p = selectors.programme_get(request.scope, programme_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") != "cohort":
                raise InvalidInput("未知的操作")
            services.cohort_add(
                actor=request.user, programme=p, name=request.POST.get("name", ""),
                track=request.POST.get("track", ""), starts_on=request.POST.get("starts_on") or None,
                ends_on=request.POST.get("ends_on") or None,
            )  # fmt: skip
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已新建班次")
            return redirect("learning:training_programme", p.pk)
    from .models import TRACKS

    cohorts = []
    for c in p.cohorts.all():
        rows = selectors.cohort_progress(c, request.scope)
        cohorts.append((c, selectors.summarize(rows)))
    context = {
        "p": p,
        "cohorts": cohorts,
        "courses": list(p.courses.select_related("publisher")),
        "trainings": list(p.trainings.select_related("org", "cohort")),
        "tracks": [(t.value, t.label) for t in TRACKS[Audience(p.audience)] if t],
        "can_change": scope_for(request.user, "learning", "change").contains(p),
    }
    return render(
        request, "learning/training/programme.html", context, status=400 if request.method == "POST" else 200
    )


PROGRESS_COLUMNS = ["姓名", "所在组织", "班次", "已获学时", "结业学时", "是否结业"]


@permission("learning", "view", model=Cohort, lookup="cohort_id")
@require_http_methods(["GET", "POST"])
def cohort(request, cohort_id: int):
    c = selectors.cohort_get(request.scope, cohort_id)
    p = c.programme
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "enrol":
                members = services.members_for(request.user, _ids(request.POST.getlist("members")))
                services.enrol(actor=request.user, cohort=c, members=members)
                done = f"已报名 {len(members)} 人"
            elif action == "withdraw":
                (m,) = services.members_for(request.user, _ids([request.POST.get("member", "")]))
                services.withdraw(actor=request.user, cohort=c, member=m)
                done = f"{m.person.name}已退出本班次"
            else:
                raise InvalidInput("未知的操作")
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("learning:training_cohort", c.pk)
    rows = selectors.cohort_progress(c, request.scope)
    if request.GET.get("export") == "xlsx":
        title = f"{p.title}{c.name}学员进度"
        audit_record(actor=request.user, action="export", obj=c, message=title)
        ledger = Ledger(title=title, columns=PROGRESS_COLUMNS, sheet_name="学员进度")
        for e in rows:
            org = e.member.person.org
            ledger.add([e.member.person.name, org.name if org else "", c.name, e.hours,
                        p.required_hours, e.finished])  # fmt: skip
        return workbook_response(ledger.close(), filename=title)
    change = scope_for(request.user, "learning", "change")
    candidates = []
    if not change.is_empty:
        taken = p.enrolments.values("member_id")
        candidates = list(selectors.visible_members(change, p.org).exclude(pk__in=taken)[:300])
    context = {
        "c": c,
        "p": p,
        "rows": list(rows),
        "summary": selectors.summarize(rows),
        "candidates": candidates,
        "can_change": not change.is_empty,
    }
    return render(
        request, "learning/training/cohort.html", context, status=400 if request.method == "POST" else 200
    )


# --- offline trainings -------------------------------------------------------------------------------


@permission("learning", "view")
@require_safe
def trainings(request):
    year = _year(request)
    q = (request.GET.get("q") or "").strip()[:50]
    context = {
        "rows": paginate(request, selectors.trainings(request.scope, year=year, q=q), 30),
        "year": year,
        "q": q,
        "can_create": has_permission(request.user, "learning", "create"),
    }
    return render(request, "learning/training/trainings.html", context)


def _training_form(post) -> dict:
    return {
        "title": post.get("title", ""),
        "held_on": post.get("held_on", ""),
        "place": post.get("place", ""),
        "hours": post.get("hours", ""),
        "summary": post.get("summary", ""),
    }


@permission("learning", "create")
@require_http_methods(["GET", "POST"])
def training_new(request):
    data = _training_form(request.POST) if request.method == "POST" else {"held_on": timezone.localdate()}
    if request.method == "POST":
        try:
            org = request.scope.get(Org, pk=_int(request.POST.get("org"), "org", "组织单位"))
            cohort = None
            programme = None
            if request.POST.get("cohort"):
                cohort = selectors.cohort_get(request.scope, _int(request.POST["cohort"], "cohort", "班次"))
                programme = cohort.programme
            elif request.POST.get("programme"):
                programme = selectors.programme_get(
                    request.scope, _int(request.POST["programme"], "programme", "培训班")
                )
            t = services.training_create(
                actor=request.user, org=org, programme=programme, cohort=cohort, **data
            )
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已登记线下培训，请登记出勤")
            return redirect("learning:training_detail", t.pk)
    cohorts = Cohort.objects.filter(
        programme__in=selectors.reachable(request.scope).values("pk"),
        programme__mode__in=[ProgrammeMode.OFFLINE, ProgrammeMode.HYBRID],
    ).select_related("programme")[:200]
    context = {"orgs": _orgs(request.user, "create"), "data": data, "cohorts": cohorts}
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/training/training_new.html", context, status=status)


@permission("learning", "view", model=Training, lookup="training_id")
@require_http_methods(["GET", "POST"])
def training_detail(request, training_id: int):
    t = request.scope.get(Training.objects.select_related("org", "programme", "cohort"), pk=training_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "attend":
                members = services.members_for(request.user, _ids(request.POST.getlist("members")))
                services.attendance_add(actor=request.user, training=t, members=members)
                done = f"已登记 {len(members)} 人出席，学时已记入"
            elif action == "remove":
                (m,) = services.members_for(request.user, _ids([request.POST.get("member", "")]))
                services.attendance_remove(
                    actor=request.user, training=t, member=m, reason=request.POST.get("reason", "")
                )
                done = f"已更正：{m.person.name}未出席，学时已冲销"
            else:
                raise InvalidInput("未知的操作")
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, done)
            return redirect("learning:training_detail", t.pk)
    rows = list(selectors.attendance_of(t))
    change = scope_for(request.user, "learning", "change")
    can_change = change.contains(t)
    candidates = []
    if can_change:
        present = [a.member_id for a in rows if a.present]
        candidates = list(selectors.visible_members(change, t.org).exclude(pk__in=present)[:300])
    now = timezone.now()
    window = dt.timedelta(days=services.correction_days())
    context = {
        "t": t,
        "rows": [(a, a.present and now - a.marked_at <= window) for a in rows],
        "present": sum(1 for a in rows if a.present),
        "candidates": candidates,
        "can_change": can_change,
        "held": t.held_on <= timezone.localdate(),
        "correction_days": services.correction_days(),
    }
    return render(
        request, "learning/training/training.html", context, status=400 if request.method == "POST" else 200
    )


# --- transcripts -------------------------------------------------------------------------------------


def _transcript_context(request, member: Member) -> dict:
    years = selectors.transcript_years(member)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() and 2000 <= int(year) <= 2100 else None
    return {
        "member": member,
        "years": years,
        "year": year,
        "credits": list(selectors.transcript_credits(member, year)),
        "programmes": list(selectors.member_programmes(member)),
        "today": timezone.localdate(),
    }


@permission.own()
@require_safe
def my_transcript(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    member = learning_selectors.member_of(request.user)
    if member is None:
        return render(request, "learning/training/transcript.html", {"member": None}, status=200)
    context = _transcript_context(request, member)
    context["mine"] = True
    return render(request, "learning/training/transcript.html", context)


@permission("learning", "view", model=Member, lookup="member_id")
@require_safe
def member_transcript(request, member_id: int):
    member = request.scope.get(Member.objects.select_related("person__org"), pk=member_id)
    context = _transcript_context(request, member)
    context["reminders"] = list(selectors.reminders_of(member)[:10])
    return render(request, "learning/training/transcript.html", context)


# --- statistics --------------------------------------------------------------------------------------

EXPORTS = {
    "completion": ("各栏目完成情况", ["栏目", "完成课时（次）", "完成学习的党员（人）", "学时"],
                   lambda r: [r["label"], r["lessons"], r["members"], r["hours"]]),
    "views": ("各栏目浏览情况", ["栏目", "浏览（人次）", "浏览党员（人）", "被浏览课时（个）"],
              lambda r: [r["label"], r["views"], r["viewers"], r["lessons"]]),
    "months": ("各月浏览情况", ["月份", "浏览（人次）", "浏览党员（人）"],
               lambda r: [f"{r['month']}月", r["views"], r["viewers"]]),
    "branches": ("各组织党员学时", ["党组织", "党员（人）", "学时合计", "人均学时", "达标（人）", "达标率（%）"],
                 lambda r: [r["org"], r["members"], r["hours"], r["average"], r["meeting"], r["share"]]),
}  # fmt: skip


@permission("learning", "view")
@require_safe
def stats(request):
    year = _year(request)
    tables = {
        "completion": selectors.completion_by_column(request.scope, year),
        "views": selectors.views_by_column(request.scope, year),
        "months": selectors.views_by_month(request.scope, year),
        "branches": selectors.hours_by_branch(request.scope, year),
    }
    which = request.GET.get("export", "")
    if which:
        if which not in EXPORTS:
            raise InvalidInput("未知的导出表", field="export")
        label, columns, values = EXPORTS[which]
        title = f"{year}年学习统计·{label}"
        audit_record(actor=request.user, action="export", object_type="learning.stats", message=title)
        ledger = Ledger(title=title, columns=columns, sheet_name=label)
        for r in tables[which]:
            ledger.add(values(r))
        return workbook_response(ledger.close(), filename=title)
    branches = tables["branches"]
    totals = {
        "members": sum(r["members"] for r in branches),
        "meeting": sum(r["meeting"] for r in branches),
        "hours": sum((r["hours"] for r in branches), Decimal("0")),
    }
    totals["average"] = (
        (totals["hours"] / totals["members"]).quantize(Decimal("0.01")) if totals["members"] else 0
    )
    totals["share"] = int(totals["meeting"] * 100 / totals["members"]) if totals["members"] else 0
    context = {
        **tables,
        "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "totals": totals,
        "views_total": sum(r["views"] for r in tables["views"]),
    }
    return render(request, "learning/training/stats.html", context)


# --- reminders ---------------------------------------------------------------------------------------


@permission("learning", "change")
@require_POST
def remind(request):
    """From the behind list: remind one member (``member``) or every member behind in ``org`` (or the
    whole scope) for ``year``; back to the list with what was sent and skipped."""
    try:
        year = int(request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    back = reverse("learning:behind") + f"?year={year}"
    try:
        if request.POST.get("member"):
            members = services.members_for(request.user, _ids([request.POST["member"]]))
            result = services.reminders_send(actor=request.user, members=members, year=year)
        else:
            org = None
            if request.POST.get("org"):
                org = request.scope.get(Org, pk=_int(request.POST["org"], "org", "组织"))
                back += f"&org={org.pk}"
            members = list(learning_selectors.behind(request.scope, year, org=org)[:500])
            if not members:
                raise RuleViolation("没有学时未达标的党员", code="nobody_behind")
            result = services.reminders_send(
                actor=request.user, members=members, year=year, explain_one=False
            )
    except ServiceError as exc:
        message_error(request, exc)
        return redirect(back)
    if result["sent"]:
        messages.success(request, f"已提醒 {len(result['sent'])} 人")
    if result["skipped"]:
        reasons = "；".join(r for _, r in result["skipped"][:5])
        more = f"等 {len(result['skipped'])} 人" if len(result["skipped"]) > 5 else ""
        messages.info(request, f"未重复提醒：{reasons}{more}")
    return redirect(back)
