"""Pages of organization life: the secretary's meetings (list with the leave requests waiting, a new
meeting, a meeting's page with attendance, leave, closing, minutes and amendments), the check-in
screen with the rotating QR, the member's phone page (next meetings, check-in, leave, make-up, the
calendar feed), the page a scanned QR opens, the committee's compliance table with drill-down and
Excel export, and the iCalendar feed. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import qr, uploads
from sanxin.core.audit import record as audit_record
from sanxin.core.errors import ServiceError
from sanxin.core.excel.export import workbook_response
from sanxin.core.pages import form_error, message_error, paginate, render_form, render_page
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org, OrgStatus

from . import exports, feed, rules, selectors, services
from .forms import (
    AmendForm,
    ComplianceForm,
    LeaveDecisionForm,
    MinutesForm,
    ReasonForm,
    ReflectionForm,
    RescheduleForm,
    RuleForm,
    ScheduleForm,
    VenueForm,
)
from .models import Attendance, AttendanceStatus, Meeting, MeetingStatus, Mode

# --- the branch's pages -----------------------------------------------------------------------------------


@permission("meetings", "view")
@require_safe
def meeting_list(request):
    now = timezone.now()
    qs = selectors.meeting_list(request.scope)
    upcoming = qs.filter(status=MeetingStatus.SCHEDULED, ends_at__gte=now).order_by("starts_at")
    past = qs.exclude(status=MeetingStatus.SCHEDULED, ends_at__gte=now)
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": list(upcoming[:50]),
            "page": paginate(request, past, 30),
            "leaves": list(selectors.leave_queue(scope_for(request.user, "meetings", "change"))[:50]),
            "can_create": has_permission(request.user, "meetings", "create"),
        },
    )


def _holding_orgs(user) -> list[Org]:
    return list(
        scope_for(user, "meetings", "create")
        .filter(Org.objects.filter(org_type__in=services.HOLDING_TYPES, status=OrgStatus.ACTIVE))
        .order_by("path")[:500]
    )


@permission("meetings", "create")
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    orgs = _holding_orgs(request.user)
    venues = selectors.venues_for(orgs)
    form = ScheduleForm(request.POST or None, orgs=orgs, venues=venues)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next((o for o in orgs if o.pk == d["org"]), None)
        venue = next((v for v in venues if v.pk == d["venue"]), None)
        starts_at = dt.datetime.combine(d["day"], d["time"], tzinfo=rules.SHANGHAI)
        try:
            if d["repeat"]:
                series = services.series_create(
                    actor=request.user,
                    org=org,
                    kind=d["kind"],
                    topic=d["topic"],
                    rrule=_rrule(d["repeat"], d["day"]),
                    first_on=d["day"],
                    local_time=d["time"],
                    minutes=d["minutes"],
                    mode=d["mode"],
                    venue=venue,
                    place=d["place"],
                    online_url=d["online_url"],
                    horizon=d["repeat_until"] + dt.timedelta(days=1) if d["repeat_until"] else None,
                )
                meeting = series.meetings.order_by("starts_at").first()
                done = f"已安排周期性{series.get_kind_display()}，共{series.meetings.count()}次"
            else:
                meeting = services.meeting_schedule(
                    actor=request.user,
                    org=org,
                    kind=d["kind"],
                    topic=d["topic"],
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=d["minutes"]),
                    mode=d["mode"],
                    venue=venue,
                    place=d["place"],
                    online_url=d["online_url"],
                    remind_minutes=(d["remind_hours"] or 0) * 60,
                )
                done = f"已安排{meeting.get_kind_display()}，并通知{meeting.attendances.count()}名党员"
        except ServiceError as exc:
            form_error(form, exc)
        else:
            if meeting is None:
                form.add_error("repeat_until", "重复至的日期之前没有一次会议")
            else:
                messages.success(request, done)
                return redirect("meetings:detail", meeting.pk)
    return render_form(request, "meetings/new.html", {"form": form})


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _rrule(repeat: str, day: dt.date) -> str:
    if repeat == "weekly":
        return f"FREQ=WEEKLY;BYDAY={WEEKDAYS[day.weekday()]}"
    return f"FREQ=MONTHLY;BYMONTHDAY={day.day}"


def _act(request, meeting: Meeting, action: str, forms: dict) -> str | None:
    """Carry out one POSTed action; a message when it was done, None when its form is invalid."""
    user, post = request.user, request.POST
    if action == "close":
        services.meeting_close(actor=user, meeting=meeting)
        return "会议已办结，缺席党员已收到补学任务"
    if action == "sign":
        services.minutes_sign(actor=user, meeting=meeting)
        return "会议记录已签发"
    if action == "recorder":
        att = (
            Attendance.objects.filter(
                meeting=meeting, pk=post.get("attendance") or 0, member__person__user__isnull=False
            )
            .select_related("member__person__user")
            .first()
        )
        if att is None:
            return "请选择有账号的参会党员"
        services.recorder_set(actor=user, meeting=meeting, user=att.member.person.user)
        return f"已指定{att.member.person.name}为记录人"
    if action == "record":
        att = (
            Attendance.objects.filter(meeting=meeting, pk=post.get("attendance") or 0)
            .select_related("member")
            .first()
        )
        if att is None:
            return "该党员不在参会名单中"
        services.attendance_record(actor=user, meeting=meeting, member=att.member, status="present")
        return f"已补录{att.member.person.name}到会"
    form = forms[action]
    if not form.is_valid():
        return None
    d = form.cleaned_data
    if action == "cancel":
        if meeting.series_id and meeting.series_on:  # one occurrence of a series: kept as its exception
            services.series_except(
                actor=user, series=meeting.series, on=meeting.series_on, reason=d["reason"]
            )
        else:
            services.meeting_cancel(actor=user, meeting=meeting, reason=d["reason"])
        return "会议已取消，已通知参会党员"
    if action == "leave":
        att = Attendance.objects.filter(meeting=meeting, pk=d["attendance"]).first()
        if att is None:
            return "没有该请假申请"
        services.leave_decide(actor=user, attendance=att, grant=d["grant"], note=d["note"] or "")
        return "已处理请假申请"
    if action == "minutes":
        files = []
        if d.get("attachment"):
            files.append(
                uploads.store_uploaded_file(
                    actor=user, purpose_name="meetings.attachment", uploaded=d["attachment"]
                )
            )
        services.minutes_save(
            actor=user, meeting=meeting, content=d["content"], decisions=form.decisions(), attachments=files
        )
        return "会议记录已保存"
    if action == "reschedule":
        starts_at = dt.datetime.combine(d["day"], d["time"], tzinfo=rules.SHANGHAI)
        services.meeting_reschedule(actor=user, meeting=meeting, starts_at=starts_at, reason=d["reason"])
        return f"会议已改期至{starts_at:%m月%d日 %H:%M}，已通知参会党员"
    services.minutes_amend(actor=user, meeting=meeting, text=d["text"], reason=d["reason"])
    return "已记录更正"


@permission("meetings", "view", model=Meeting, lookup="meeting_id")
@require_http_methods(["GET", "POST"])
def meeting_detail(request, meeting_id):
    meeting = request.scope.get(Meeting.objects.select_related("org", "venue"), pk=meeting_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    minutes = getattr(meeting, "minutes", None)
    forms = {
        "cancel": ReasonForm(request.POST if action == "cancel" else None),
        "leave": LeaveDecisionForm(request.POST if action == "leave" else None),
        "minutes": MinutesForm(
            request.POST if action == "minutes" else None,
            request.FILES if action == "minutes" else None,
            initial={"content": minutes.content if minutes else ""},
        ),
        "amend": AmendForm(request.POST if action == "amend" else None),
        "reschedule": RescheduleForm(request.POST if action == "reschedule" else None),
    }
    if request.method == "POST":
        if action not in {"close", "sign", "record", "recorder", *forms}:
            messages.error(request, "未知的操作")
            return redirect("meetings:detail", meeting.pk)
        try:
            done = _act(request, meeting, action, forms)
        except ServiceError as exc:
            if action in forms:
                form_error(forms[action], exc)
            else:
                message_error(request, exc)
                return redirect("meetings:detail", meeting.pk)
        else:
            if done is not None:
                messages.success(request, done)
                return redirect("meetings:detail", meeting.pk)
    can_change = scope_for(request.user, "meetings", "change").contains(meeting)
    context = {
        "meeting": meeting,
        "attendances": list(selectors.attendance_of(meeting)),
        "counts": selectors.counts(meeting),
        "minutes": minutes,
        "forms": forms,
        "can_change": can_change,
        "started": meeting.starts_at <= timezone.now(),
    }
    return render_form(request, "meetings/detail.html", context)


@permission("meetings", "change", model=Meeting, lookup="meeting_id")
@require_safe
def checkin_screen(request, meeting_id):
    """The screen shown at the meeting: a QR that changes every 30 seconds (the page refreshes it)."""
    meeting = request.scope.get(Meeting.objects.select_related("org", "venue"), pk=meeting_id)
    now = timezone.now()
    token = rules.checkin_token(meeting.checkin_secret, meeting.pk, now)
    url = request.build_absolute_uri(reverse("meetings:checkin") + f"?t={token}")
    context = {
        "meeting": meeting,
        "svg": qr.svg_inline(url, scale=8),
        "token": token,
        "counts": selectors.counts(meeting),
        "refresh": max(3, rules.WINDOW_SECONDS - int(now.timestamp()) % rules.WINDOW_SECONDS),
    }
    return render_page(request, "meetings/screen.html", context, partial="meetings/_qr.html")


# --- the member's pages -------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def checkin_page(request):
    """What a scanned QR opens on the member's phone: confirm, and the check-in is made."""
    token = request.POST.get("t") or request.GET.get("t") or ""
    parsed = rules.parse_token(token)
    meeting = Meeting.objects.select_related("org", "venue").filter(pk=parsed[0]).first() if parsed else None
    # only a genuine code (current or expired) names its meeting: an id with a made-up code shows nothing
    if meeting is not None and rules.token_state(
        meeting.checkin_secret, meeting.pk, token, timezone.now()
    ) in (
        "bad",
        "future",
    ):
        meeting = None
    error = "" if meeting else "二维码无效，请扫描本次会议现场的签到二维码"
    if request.method == "POST" and meeting is not None:
        try:
            services.checkin(actor=request.user, meeting=meeting, method="qr", token=token)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"签到成功：{meeting.topic}")
            return redirect("meetings:mine")
    status = 400 if error and request.method == "POST" else 200
    return render(
        request, "meetings/checkin.html", {"meeting": meeting, "token": token, "error": error}, status=status
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def my_meetings(request):
    """The member's phone page: next meetings (check in online or by location, ask for leave), make-ups
    to do, past meetings, and the calendar feed address."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    reflection = ReflectionForm(request.POST if action == "makeup" else None)
    feed_url = ""
    if request.method == "POST":
        meeting = Meeting.objects.filter(pk=request.POST.get("meeting") or 0).first()
        try:
            if action == "feed":
                token = services.feed_token_issue(user=request.user)
                feed_url = request.build_absolute_uri(reverse("meetings:feed", args=[token]))
            elif action == "makeup":
                if reflection.is_valid():
                    makeup = (
                        selectors.my_makeups(request.user)
                        .filter(pk=reflection.cleaned_data["makeup"])
                        .first()
                    )
                    if makeup is None:
                        return HttpResponseNotFound()
                    services.makeup_submit(
                        actor=request.user, makeup=makeup, reflection=reflection.cleaned_data["reflection"]
                    )
                    messages.success(request, "补学已完成")
                    return redirect("meetings:mine")
            elif meeting is None:
                messages.error(request, "没有找到该会议")
            elif action == "leave":
                services.leave_request(
                    actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")
                )
                messages.success(request, "请假申请已提交，等待书记审批")
                return redirect("meetings:mine")
            elif action in ("online", "location"):
                lat, lng = _float(request.POST.get("lat")), _float(request.POST.get("lng"))
                services.checkin(actor=request.user, meeting=meeting, method=action, lat=lat, lng=lng)
                messages.success(request, f"签到成功：{meeting.topic}")
                return redirect("meetings:mine")
            else:
                messages.error(request, "未知的操作")
        except ServiceError as exc:
            if action == "makeup":
                form_error(reflection, exc)
            else:
                message_error(request, exc)
    context = {
        "upcoming": list(selectors.my_attendances(request.user, upcoming=True)[:20]),
        "past": list(selectors.my_attendances(request.user, upcoming=False)[:20]),
        "makeups": list(
            selectors.my_makeups(request.user)
            .filter(done_at__isnull=True)
            .order_by("-attendance__meeting__starts_at", "pk")[:20]
        ),
        "reflection": reflection,
        "feed_url": feed_url,
        "leave_ok": AttendanceStatus.INVITED,
        "offline": Mode.OFFLINE,
    }
    status = (
        400 if request.method == "POST" and (reflection.errors or action not in ("feed", "makeup")) else 200
    )
    return render(request, "meetings/mine.html", context, status=status)


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@permission.public()
@require_safe
def calendar_feed(request, token):
    """The member's meetings as iCalendar; the secret in the URL is the only credential."""
    user = feed.user_for_token(token)
    if user is None:
        return HttpResponseNotFound("订阅地址无效或已重新生成", content_type="text/plain; charset=utf-8")
    body = feed.calendar_bytes(user, host=request.get_host().split(":")[0] or "sanxin")
    resp = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    resp["Content-Disposition"] = 'inline; filename="meetings.ics"'
    resp["Cache-Control"] = "private, max-age=300"
    return resp


# --- the committee's compliance table ------------------------------------------------------------------------


def _home(scope) -> Org | None:
    """Where the table starts: the user's own org when their scope has one root org, else the top."""
    if len(scope.org_paths) == 1:
        return Org.objects.filter(path=next(iter(scope.org_paths))).first()
    return None


@permission("meetings", "view")
@require_safe
def compliance(request):
    form = ComplianceForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    period = d.get("period") or "month"
    on = d.get("on") or timezone.localdate()
    start, end = rules.period_start(on, period), rules.period_end(on, period)
    under = request.scope.get(Org, pk=d["org"]) if d.get("org") else _home(request.scope)
    today = timezone.localdate()
    table = selectors.compliance(request.scope, start, end, under=under, today=today)
    listing = selectors.missed_branches if d.get("missed") else selectors.branch_compliance
    reqs, branch_qs = listing(request.scope, start, end, under=under, today=today)
    if request.GET.get("export") == "xlsx":
        if not has_permission(request.user, "meetings", "export"):
            return render(request, "403.html", status=403)
        title = f"三会一课落实情况（{rules.period_label(start, period)}）"
        audit_record(
            actor=request.user, action="export", object_type=Meeting._meta.label_lower, message=title
        )
        return workbook_response(
            exports.compliance_ledger(branch_qs, reqs, today, title=title).close(), filename=title
        )
    page = paginate(request, branch_qs, 50)
    rows = selectors.rows_with_cells(page.object_list, reqs, today)
    for row in table.rows:  # drill down only into orgs the user may open
        row["link"] = row["org"] is not None and request.scope.contains(row["org"]) and row["org"] != under
    query = request.GET.copy()
    query.pop("org", None)
    query.pop("export", None)
    query.pop("page", None)
    return render(
        request,
        "meetings/compliance.html",
        {
            "form": form,
            "table": table,
            "label": rules.period_label(start, period),
            "under": under,
            "page": page,
            "rows": rows,
            "reqs": reqs,
            "query": query.urlencode(),
            "can_export": has_permission(request.user, "meetings", "export"),
        },
        status=200 if not form.errors else 400,
    )


# --- venues and rules ---------------------------------------------------------------------------------------


@permission("meetings", "view")
@require_http_methods(["GET", "POST"])
def venues(request):
    """The venue registry: the places of the orgs in scope, and a new one (``meetings.create``)."""
    orgs = list(
        scope_for(request.user, "meetings", "create")
        .filter(Org.objects.filter(status=OrgStatus.ACTIVE))
        .order_by("path")[:500]
    )
    form = VenueForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = next((o for o in orgs if o.pk == d["org"]), None)
        try:
            venue = services.venue_create(
                actor=request.user,
                org=org,
                name=d["name"],
                kind=d["kind"],
                address=d["address"],
                lat=d["lat"],
                lng=d["lng"],
                capacity=d["capacity"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记场所：{venue.name}")
            return redirect("meetings:venues")
    context = {"form": form, "venues": list(selectors.venues(request.scope)[:500]), "can_create": bool(orgs)}
    return render_form(request, "meetings/venues.html", context)


@permission.reference()
@login_required
@require_http_methods(["GET", "POST"])
def rule_list(request):
    """The rules of organization life, in force and past; the organization department sets new ones."""
    from sanxin.orgs.models import OrgType

    may_set = has_permission(request.user, "meetings", "rules")
    types = [(str(t), t.label) for t in OrgType if t in services.HOLDING_TYPES]
    form = RuleForm(request.POST or None, org_types=types)
    if request.method == "POST":
        if not may_set:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                rule = services.rule_set(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"新制度自{rule.start_on:%Y-%m-%d}起施行：{rule}")
                return redirect("meetings:rules")
    labels = dict(types)
    rows = [(r, labels.get(r.org_type, "所有党支部")) for r in selectors.rule_history()]
    return render_form(request, "meetings/rules.html", {"form": form, "rows": rows, "may_set": may_set})
