"""Pages of community activities: phone pages for members and workers (needs, activities, sign-up,
check-in with the code, rating, my volunteer hours, teams) and desktop pages for the secretary and the
offices (the needs to decide, a new activity — prefilled from a need —, the roster with the check-in
code, the summary, statistics with the Excel export, teams). A refused form comes back with the Chinese
reason and everything typed (status 400)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from sanxin.core.excel.export import Ledger, workbook_response
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org
from sanxin.stations.models import Station

from . import selectors, services
from .models import Activity, ActivityKind, Need, NeedStatus, ParticipationStatus, Team, TeamMembership


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _status(request, failed: bool) -> int:
    return 400 if request.method == "POST" and failed else 200


def _when(value: str, field: str, label: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}格式不正确", field=field) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _refused(request, exc) -> None:
    """A refusal of a form is shown on the form (the template prints ``error``); "out of scope" stays
    a 404 unless it names what to fix, "not allowed" a 403."""
    if isinstance(exc, NotFound) and exc.message == NotFound().message:
        raise exc
    if isinstance(exc, PermissionDenied):
        raise exc


# --- members and workers ------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def home(request):
    user = request.user
    visible = selectors.activities_for(user)
    context = {
        "upcoming": selectors.upcoming(visible)[:30],
        "past": visible.exclude(pk__in=selectors.upcoming(visible).values("pk")).order_by("-starts_at")[:10],
        "needs": selectors.needs_for(user)
        .filter(status=NeedStatus.OPEN)
        .order_by("-votes", "-created_at")[:5],
        "manager": has_permission(user, "community", "activities"),
        "office": has_permission(user, "community", "view"),
    }
    return render(request, "community/activities/home.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def needs(request):
    targets = selectors.need_targets(request.user)
    data, error = {}, None
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("title", "body", "kind", "vote_ends")}
        org = next((o for o in targets if o.pk == _int(request.POST.get("org"))), None)
        try:
            if org is None:
                raise NotFound("请选择征集需求的党组织")
            need = services.need_propose(
                actor=request.user, org=org, title=data["title"], body=data["body"], kind=data["kind"],
                vote_ends=_when(data["vote_ends"], "vote_ends", "投票截止时间"),
            )  # fmt: skip
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            messages.success(request, "需求已提交，大家可以投票了")
            return redirect("community:activities:need", need.pk)
    status = request.GET.get("status", "")
    qs = selectors.needs_for(request.user).order_by("-votes", "-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    context = {
        "targets": targets,
        "page": paginate(request, qs, 20),
        "status": status,
        "statuses": NeedStatus.choices,
        "kinds": ActivityKind.choices,
        "data": data,
        "error": error,
        "picked": _int(request.POST.get("org")) if request.method == "POST" else 0,
    }
    return render(
        request, "community/activities/needs.html", context, status=_status(request, error is not None)
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def need(request, need_id: int):
    n = selectors.need_get(request.user, need_id)
    if request.method == "POST":
        try:
            services.need_vote(actor=request.user, need=n)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已投票")
        return redirect("community:activities:need", n.pk)
    context = {
        "n": n,
        "voting_open": selectors.voting_open(n),
        "activity": Activity.objects.filter(need=n).first(),
        "can_vote": n.proposer_id != request.user.pk and selectors.in_audience(request.user, n.org),
        "manager": selectors.manages(request.user, n),
    }
    return render(request, "community/activities/need.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def detail(request, activity_id: int):
    a = selectors.activity_get(request.user, activity_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "signup":
                p = services.activity_signup(actor=request.user, activity=a)
                done = "报名成功" if p.status == ParticipationStatus.SIGNED_UP else "名额已满，您已进入候补"
            elif action == "cancel":
                services.signup_cancel(actor=request.user, activity=a)
                done = "已取消报名"
            elif action == "checkin":
                services.checkin_code(actor=request.user, activity=a, code=request.POST.get("code", ""))
                done = f"签到成功，记志愿时长 {a.hours} 小时"
            elif action == "rate":
                services.participation_rate(
                    actor=request.user, activity=a, rating=request.POST.get("rating"),
                    comment=request.POST.get("comment", ""),
                )  # fmt: skip
                done = "感谢您的评价"
            else:
                raise InvalidInput("未知的操作", field="action")
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            messages.success(request, done)
            return redirect("community:activities:detail", a.pk)
        a = selectors.activity_get(request.user, activity_id)
    mine = selectors.participation_of(request.user, a)
    now = timezone.now()
    opens, closes = selectors.checkin_window(a)
    context = {
        "a": a,
        "mine": mine,
        "position": selectors.waitlist_position(mine) if mine and mine.status == "waitlisted" else None,
        "in_audience": selectors.in_audience(request.user, a.org),
        "signup_open": a.status == "published" and now <= a.signup_deadline,
        "checkin_open": opens <= now <= closes,
        "started": now >= a.starts_at,
        "manager": selectors.manages(request.user, a),
        "error": error,
        "form": request.POST if error else {},
    }
    return render(
        request, "community/activities/detail.html", context, status=_status(request, error is not None)
    )


@permission.own()
@login_required
@require_safe
def mine(request):
    hours = selectors.my_hours(request.user)
    context = {
        "hours": hours,
        "joined": selectors.my_participations(request.user).exclude(status=ParticipationStatus.CANCELLED)[
            :50
        ],
        "teams": TeamMembership.objects.filter(user=request.user, left_on__isnull=True).select_related(
            "team__org"
        ),
    }
    return render(request, "community/activities/mine.html", context)


# --- the organizer and the offices --------------------------------------------------------------------


@require_safe  # before the permission: a POST is 405 for everyone
@permission("community", "activities")
def manage(request):
    status = request.GET.get("status", "")
    context = {
        "page": paginate(request, selectors.managed_activities(request.scope, status=status), 30),
        "needs": selectors.needs_to_decide(request.scope, status=NeedStatus.OPEN)[:50],
        "status": status,
    }
    return render(request, "community/activities/manage.html", context)


@permission("community", "activities", model=Need, lookup="need_id")
@require_http_methods(["GET", "POST"])
def manage_need(request, need_id: int):
    n = request.scope.get(Need.objects.select_related("org", "proposer__person"), pk=need_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            services.need_decide(
                actor=request.user, need=n, action=action, reason=request.POST.get("reason", "")
            )
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            if action == "adopt":
                messages.success(request, "已采纳，现在可以据此发布活动")
                return redirect(f"{_new_url()}?need={n.pk}")
            messages.success(request, "已办理，提出人会收到通知")
            return redirect("community:activities:manage_need", n.pk)
    n.refresh_from_db()
    context = {
        "n": n,
        "activity": Activity.objects.filter(need=n).first(),
        "error": error,
        "reason": request.POST.get("reason", "") if error else "",
    }
    return render(
        request, "community/activities/manage_need.html", context, status=_status(request, error is not None)
    )


def _new_url() -> str:
    from django.urls import reverse

    return reverse("community:activities:new")


def _stations_for(orgs) -> list[Station]:
    from django.db.models import Q

    q = Q(pk__in=[])
    for org in orgs:
        ancestors = [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]
        q |= Q(org__path__startswith=org.path) | Q(org__path__in=ancestors)
    return list(Station.objects.filter(q, status="open").select_related("org").order_by("name")[:300])


@permission("community", "activities")
@require_http_methods(["GET", "POST"])
def new(request):
    orgs = list(request.scope.filter(Org.objects.filter(status="active")).order_by("path")[:300])
    from_need = None
    need_id = _int(request.POST.get("need") or request.GET.get("need"))
    if need_id:
        from_need = request.scope.filter(Need.objects.select_related("org")).filter(pk=need_id).first()
        if from_need is None:
            raise NotFound()
    fields = (
        "title",
        "description",
        "kind",
        "starts_at",
        "ends_at",
        "signup_deadline",
        "place",
        "capacity",
        "hours",
    )
    error = None
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in fields}
        data["org"] = _int(request.POST.get("org"))
        data["station"] = _int(request.POST.get("station"))
        data["team"] = _int(request.POST.get("team"))
        try:
            org = next((o for o in orgs if o.pk == data["org"]), None)
            if org is None:
                raise InvalidInput("请选择主办党组织", field="org")
            station = None
            if data["station"]:
                station = Station.objects.select_related("org").filter(pk=data["station"]).first()
                if station is None:
                    raise InvalidInput("没有这个驿站", field="station")
            team = None
            if data["team"]:
                team = request.scope.filter(Team.objects.all()).filter(pk=data["team"]).first()
                if team is None:
                    raise InvalidInput("没有这个服务队", field="team")
            a = services.activity_create(
                actor=request.user, org=org, title=data["title"], description=data["description"],
                kind=data["kind"], starts_at=_when(data["starts_at"], "starts_at", "开始时间"),
                ends_at=_when(data["ends_at"], "ends_at", "结束时间"),
                signup_deadline=_when(data["signup_deadline"], "signup_deadline", "报名截止时间"),
                place=data["place"], station=station, capacity=data["capacity"] or 0, hours=data["hours"],
                need=from_need, team=team,
            )  # fmt: skip
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            messages.success(request, "活动已发布")
            return redirect("community:activities:roster", a.pk)
    elif from_need is not None:
        data = {"title": from_need.title, "description": from_need.body, "kind": from_need.kind,
                "org": from_need.org_id, "capacity": "20", "hours": "2"}  # fmt: skip
    else:
        data = {"kind": "activity", "capacity": "20", "hours": "2", "org": orgs[0].pk if orgs else 0}
    context = {
        "orgs": orgs,
        "stations": _stations_for(orgs[:20]),
        "teams": request.scope.filter(Team.objects.filter(is_active=True).select_related("org")).order_by(
            "name"
        ),
        "kinds": ActivityKind.choices,
        "from_need": from_need,
        "data": data,
        "error": error,
    }
    return render(
        request, "community/activities/new.html", context, status=_status(request, error is not None)
    )


@permission("community", "activities", model=Activity, lookup="activity_id")
@require_http_methods(["GET", "POST"])
def roster(request, activity_id: int):
    a = request.scope.get(Activity, pk=activity_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "checkin":
                n = services.checkin_roster(
                    actor=request.user, activity=a, user_ids=request.POST.getlist("user_ids")
                )
                done = f"已签到 {n} 人"
            elif action == "summary":
                services.activity_summarize(
                    actor=request.user, activity=a, summary=request.POST.get("summary", "")
                )
                done = "总结已保存"
            elif action == "cancel":
                services.activity_cancel(
                    actor=request.user, activity=a, reason=request.POST.get("reason", "")
                )
                done = "活动已取消，已通知报名者"
            else:
                raise InvalidInput("未知的操作", field="action")
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            messages.success(request, done)
            return redirect("community:activities:roster", a.pk)
    a = selectors.managed_activities(request.scope).get(pk=a.pk)
    opens, closes = selectors.checkin_window(a)
    now = timezone.now()
    context = {
        "a": a,
        "rows": selectors.roster(a),
        "code_live": opens <= now <= closes and a.status != "cancelled",
        "ended": now >= a.ends_at,
        "error": error,
        "form": request.POST if error else {},
    }
    return render(
        request, "community/activities/roster.html", context, status=_status(request, error is not None)
    )


STAT_COLUMNS = {
    "activities": (
        "各活动参与情况",
        ["活动", "主办党组织", "月份", "报名", "候补", "签到", "签到率（%）", "平均评分", "志愿时长（小时）"],
        lambda r: [r["title"], r["org_name"], r["month"], r["signed_up"], r["waitlisted"], r["checked_in"],
                   r["rate"], r["rating"] if r["rating"] is not None else "", r["hours"]],
    ),
    "orgs": (
        "各组织参与情况",
        ["党组织", "活动（场）", "报名", "候补", "签到", "签到率（%）", "平均评分", "志愿时长（小时）"],
        lambda r: [r["org_name"], r["activities"], r["signed_up"], r["waitlisted"], r["checked_in"], r["rate"],
                   r["rating"] if r["rating"] is not None else "", r["hours"]],
    ),
}  # fmt: skip


@permission("community", "view")
@require_safe
def stats(request):
    month = request.GET.get("month", "")
    data = selectors.statistics(request.scope, month=month)
    which = request.GET.get("export", "")
    if which:
        if which not in STAT_COLUMNS:
            raise InvalidInput("未知的导出表", field="export")
        export = scope_for(request.user, "community", "export")
        if export.is_empty:
            raise PermissionDenied("导出需要导出权限")
        data = selectors.statistics(export, month=month)
        label, columns, values = STAT_COLUMNS[which]
        title = f"组织活动参与统计·{label}" + (f"·{data['month']}" if data["month"] else "")
        audit_record(actor=request.user, action="export", object_type="community.activities", message=title)
        ledger = Ledger(title=title, columns=columns, sheet_name=label)
        for r in data[which]:
            ledger.add(values(r))
        return workbook_response(ledger.close(), filename=title)
    context = {
        "data": data,
        "month": data["month"],
        "can_export": has_permission(request.user, "community", "export"),
    }
    return render(request, "community/activities/stats.html", context)


# --- teams --------------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def teams(request):
    manage_scope = scope_for(request.user, "community", "activities")
    error, data = None, {}
    if request.method == "POST":
        if manage_scope.is_empty:
            raise PermissionDenied()
        data = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        org = manage_scope.filter(Org.objects.all()).filter(pk=_int(request.POST.get("org"))).first()
        try:
            if org is None:
                raise InvalidInput("请选择所属党组织", field="org")
            t = services.team_create(actor=request.user, org=org, **data)
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            messages.success(request, "服务队已成立")
            return redirect("community:activities:team", t.pk)
    context = {
        "teams": selectors.teams_for(request.user).order_by("org__path", "name"),
        "orgs": list(manage_scope.filter(Org.objects.filter(status="active")).order_by("path")[:300])
        if not manage_scope.is_empty
        else [],
        "data": data,
        "error": error,
    }
    return render(
        request, "community/activities/teams.html", context, status=_status(request, error is not None)
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def team(request, team_id: int):
    t = selectors.team_get(request.user, team_id)
    manager = selectors.manages(request.user, t)
    error = None
    if request.method == "POST":
        if not manager:
            raise NotFound()
        action = request.POST.get("action", "")
        try:
            if action == "join":
                user = (
                    get_user_model().objects.filter(username=request.POST.get("username", "").strip()).first()
                )
                if user is None:
                    raise InvalidInput("没有这个账号", field="username")
                services.team_join(actor=request.user, team=t, user=user)
                done = "已吸收为队员"
            elif action == "leave":
                m = TeamMembership.objects.filter(team=t, pk=_int(request.POST.get("membership"))).first()
                if m is None:
                    raise NotFound()
                services.team_leave(actor=request.user, membership=m)
                done = "已记录退出"
            else:
                raise InvalidInput("未知的操作", field="action")
        except ServiceError as exc:
            _refused(request, exc)
            error = exc
        else:
            messages.success(request, done)
            return redirect("community:activities:team", t.pk)
    context = {
        "t": t,
        "members": selectors.team_members(t),
        "hours": selectors.team_hours(t),
        "activities": selectors.with_counts(t.activities.all()).order_by("-starts_at")[:50],
        "manager": manager,
        "error": error,
    }
    return render(
        request, "community/activities/team.html", context, status=_status(request, error is not None)
    )
