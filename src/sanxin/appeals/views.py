"""Pages of appeals: the worker's phone pages (submit, my appeals, one appeal with its replies, answer,
rate, withdraw), the handler's queue with deadlines and colours, one appeal with the holder's and the
offices' actions, and the metrics. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Length
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import selectors as core_selectors
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from sanxin.core.excel.export import workbook_response
from sanxin.core.pages import form_error, message_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org, Person

from . import exports, routing, selectors, services
from .forms import (
    AidForm,
    CloseForm,
    CoordinationForm,
    HandleForm,
    HardshipForm,
    RateForm,
    SubmitForm,
    TextForm,
)
from .models import OPEN, Appeal, Category, Coordination, Department, ExtensionStatus, Hardship, Level, Status

# --- the worker's own --------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def my_appeals(request):
    return render(
        request, "appeals/mine.html", {"appeals": paginate(request, selectors.mine(request.user), 20)}
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def submit(request):
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            appeal = services.appeal_submit(
                actor=request.user,
                text=d["text"],
                kind=d["kind"],
                urgent=d["urgent"],
                category=d["category"] or None,
                lat=d["lat"],
                lng=d["lng"],
                address=d["address"],
                region=d["region"] or None,
                anonymous=d["anonymous"],
                needs_contact=d["needs_contact"],
                consent_platform=d["consent_platform"],
                skip_platform=d["skip_platform"],
                consent=d["consent"],
                photos=d["photos"],
                voice=d["voice"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, f"诉求已提交（编号 {appeal.number}），转{routing.unit_name(appeal.holder)}办理"
            )
            return redirect("appeals:mine_detail", appeal.pk)
    return render_form(request, "appeals/submit.html", {"form": form})


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def my_appeal(request, appeal_id: int):
    appeal = selectors.mine(request.user).filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    rate_form = RateForm(request.POST if action == "rate" else None)
    answer_form = TextForm(request.POST if action == "answer" else None)
    if request.method == "POST":
        try:
            if action == "rate" and rate_form.is_valid():
                d = rate_form.cleaned_data
                services.appeal_rate(
                    actor=request.user, appeal=appeal, rating=d["rating"], comment=d["comment"]
                )
                messages.success(request, "感谢您的评价")
                return redirect("appeals:mine_detail", appeal.pk)
            if action == "answer" and answer_form.is_valid():
                services.appeal_answer(
                    actor=request.user, appeal=appeal, text=answer_form.cleaned_data["text"]
                )
                messages.success(request, "已补充，承办单位将继续办理")
                return redirect("appeals:mine_detail", appeal.pk)
            if action == "withdraw":
                services.appeal_withdraw(
                    actor=request.user, appeal=appeal, reason=request.POST.get("reason", "")
                )
                messages.success(request, "诉求已撤回")
                return redirect("appeals:mine")
            if action not in ("rate", "answer", "withdraw"):
                messages.error(request, "未知的操作")
        except ServiceError as exc:
            form_error(rate_form if action == "rate" else answer_form, exc)
    context = {
        "appeal": appeal,
        "steps": selectors.public_steps(appeal),
        "rate_form": rate_form,
        "answer_form": answer_form,
        "open": appeal.status in OPEN,
    }
    if request.method == "POST":
        return render_form(request, "appeals/mine_detail.html", context)
    return render(request, "appeals/mine_detail.html", context)


# --- handlers and offices ----------------------------------------------------------------------------


@permission("appeals", "view")
@require_safe
def queue(request):
    now = timezone.now()
    status = request.GET.get("status", "open")
    level = request.GET.get("level") or None
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.queue(request.scope, status=status or None, level=level, overdue=overdue, now=now)
    rows = paginate(request, qs, 50)
    soon = now + dt.timedelta(hours=24)
    for a in rows:
        due = a.stage_due if a.status == Status.RECEIVED and a.stage_due else a.resolve_due
        a.due_shown = due
        a.colour = (
            "" if a.status not in OPEN else ("overdue" if due < now else ("soon" if due < soon else ""))
        )
    context = {
        "rows": rows,
        "status": status,
        "level": level or "",
        "overdue": overdue,
        "levels": Level.choices,
        "unclassified": selectors.unclassified(scope_for(request.user, "appeals", "classify")).count(),
        "can_supervise": has_permission(request.user, "appeals", "supervise"),
        "can_hardship": has_permission(request.user, "appeals", "hardship"),
        "can_coordinate": has_permission(request.user, "appeals", "coordinate"),
    }
    return render(request, "appeals/queue.html", context)


ACTIONS = {  # page action → (matrix action, service call)
    "accept": "handle",
    "ask": "handle",
    "transfer": "handle",
    "escalate": "handle",
    "resolve": "handle",
    "callback": "handle",
    "extend": "handle",
    "classify": "classify",
    "supervise": "supervise",
    "decide": "supervise",
}


def _run(request, appeal: Appeal, action: str, d: dict) -> str:
    user = request.user
    note = d.get("note") or ""
    if action == "accept":
        services.appeal_accept(actor=user, appeal=appeal, note=note)
        return "已受理"
    if action == "ask":
        services.appeal_ask(actor=user, appeal=appeal, question=note)
        return "已请诉求人补充情况，办理时限暂停"
    if action == "transfer":
        level, _, unit = (request.POST.get("target") or "").partition(":")
        if not unit.isdigit():
            raise InvalidInput("请选择转办的承办单位", field="note")
        services.appeal_transfer(actor=user, appeal=appeal, level=level, unit_id=int(unit), reason=note)
        return "已转办"
    if action == "escalate":
        services.appeal_escalate(actor=user, appeal=appeal, reason=note)
        return "已上报"
    if action == "resolve":
        services.appeal_resolve(actor=user, appeal=appeal, reply=note)
        return "已答复，等待诉求人评价"
    if action == "callback":
        services.appeal_callback(actor=user, appeal=appeal, note=note)
        return "已记录回访"
    if action == "extend":
        services.extension_request(actor=user, appeal=appeal, days=d.get("days") or 0, reason=note)
        return "已申请延期"
    if action == "classify":
        services.appeal_classify(actor=user, appeal=appeal, category=d.get("category") or "")
        return "已确定类别"
    if action == "supervise":
        services.appeal_supervise(actor=user, appeal=appeal, note=note)
        return "已督办"
    ext = appeal.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        raise NotFound()
    services.extension_decide(
        actor=user, extension=ext, approve=request.POST.get("approve") == "1", note=note
    )
    return "已审核延期申请"


def _targets(appeal: Appeal) -> list[tuple[str, str]]:
    """Where a holder may transfer to: the departments, the platform's group, the branch."""
    out = []
    if appeal.branch_id and not appeal.skip_platform:
        out.append((f"liaison:{appeal.branch_id}", f"党员联络员：{appeal.branch.name}"))
    platform = appeal.platform or routing.platform_committee(
        organization=appeal.about, branch=appeal.branch, on=timezone.localdate()
    )
    if platform is not None and not appeal.skip_platform:
        out.append((f"platform:{platform.pk}", f"平台企业党委诉求处理小组：{platform.name}"))
    out += [
        (f"department:{d.pk}", d.name)
        for d in Department.objects.filter(active=True).order_by("kind", "name")
    ]
    return out


@permission("appeals", "view", model=Appeal, lookup="appeal_id")
@require_http_methods(["GET", "POST"])
def detail(request, appeal_id: int):
    appeal = request.scope.get(
        Appeal.objects.select_related("category", "suggested", "branch", "platform", "department", "about"),
        pk=appeal_id,
    )
    form = HandleForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, "未知的操作")
        elif not scope_for(request.user, "appeals", ACTIONS[action]).contains(appeal):
            # Someone who sees the appeal but may not take this step (an office pressing 受理): told so
            # on the page, nothing changes.
            messages.error(
                request, "没有执行此操作的权限：只有承办单位可以办理，督办和延期审核由上级部门进行"
            )
            return redirect("appeals:detail", appeal.pk)
        elif form.is_valid():
            try:
                done = _run(request, appeal, action, form.cleaned_data)
            except ServiceError as exc:
                if isinstance(exc, NotFound | PermissionDenied):
                    raise
                message_error(request, exc)
            else:
                messages.success(request, done)
                return redirect("appeals:detail", appeal.pk)
    user = request.user
    is_holder = routing.is_handler(user, appeal)
    context = {
        "appeal": appeal,
        "steps": appeal.steps.select_related("actor"),
        "photos": list(appeal.photos.all()),
        "form": form,
        "is_holder": is_holder,
        "contact": selectors.contact_visible(appeal, user),
        "can_classify": scope_for(user, "appeals", "classify").contains(appeal),
        "can_supervise": scope_for(user, "appeals", "supervise").contains(appeal),
        "hardship": scope_for(user, "appeals", "hardship")
        .filter(appeal.hardships.filter(closed_on__isnull=True))
        .first(),
        "can_hardship": bool(appeal.category and appeal.category.hardship)
        and not appeal.anonymous
        and appeal.person_id is not None
        and has_permission(user, "appeals", "hardship"),
        "can_coordinate": scope_for(user, "appeals", "coordinate").contains(appeal),
        "pending": appeal.extensions.filter(status=ExtensionStatus.PENDING).first(),
        "targets": _targets(appeal) if is_holder else [],
        "categories": Category.objects.all(),
        "open": appeal.status in OPEN,
        "now": timezone.now(),
    }
    return render(request, "appeals/detail.html", context, status=400 if request.method == "POST" else 200)


def _month_bounds(value: str | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        first = dt.date.fromisoformat(f"{value}-01") if value else today.replace(day=1)
    except ValueError:
        first = today.replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _figures(request, scope):
    by = request.GET.get("by") or "category"
    if by not in selectors.GROUPS:
        by = "category"
    start, end = _month_bounds(request.GET.get("month"))
    rows = selectors.metrics(scope, start=_aware(start), end=_aware(end), by=by)
    [total] = selectors.metrics(scope, start=_aware(start), end=_aware(end), by=None)
    return by, start, end, rows, total, exports.labels(by, [r.key for r in rows])


@permission("appeals", "view")
@require_safe
def metrics(request):
    """接诉即办: the month's figures of the scope by the chosen grouping, and the year by month."""
    by, start, end, rows, total, names = _figures(request, request.scope)
    year = sorted(
        selectors.metrics(
            request.scope,
            start=_aware(end.replace(year=end.year - 1)),
            end=_aware(end),
            by="month",
            percentiles=False,
        ),
        key=lambda r: r.key,
    )
    context = {
        "rows": [(names.get(r.key, r.key if r.key is not None else "（未定）"), r) for r in rows],
        "total": total,
        "by": by,
        "groupings": exports.GROUP_LABELS,
        "month": f"{start:%Y-%m}",
        "by_label": exports.GROUP_LABELS[by],
        "chart": {
            "x": [f"{timezone.localtime(r.key):%Y-%m}" for r in year],
            "series": [
                {"name": "响应率", "data": [r.response_rate for r in year]},
                {"name": "解决率", "data": [r.resolution_rate for r in year]},
                {"name": "满意率", "data": [r.satisfaction_rate for r in year]},
            ],
        },
        "can_export": has_permission(request.user, "appeals", "export"),
        "drillable": by != "month",
        "ranking": selectors.department_ranking(request.scope, start=_aware(start), end=_aware(end)),
        "weights": selectors.ranking_weights(),
        "hot": selectors.hot_topics(request.scope, now=timezone.now()),
    }
    return render(request, "appeals/metrics.html", context)


@permission("appeals", "view")
@require_safe
def metrics_drill(request):
    """The appeals behind one row of the metrics table (same month, same grouping, same key)."""
    by = request.GET.get("by") or "category"
    if by not in selectors.GROUPS or by == "month":
        raise Http404
    start, end = _month_bounds(request.GET.get("month"))
    key = request.GET.get("key") or None
    if key is not None and by in ("department", "platform"):
        if not key.isdigit():
            raise Http404
        key = int(key)
    qs = selectors.drill(request.scope, start=_aware(start), end=_aware(end), by=by, key=key)
    label = exports.labels(by, [key]).get(key, key if key is not None else "（未定）")
    context = {
        "rows": paginate(request, qs, 50),
        "month": f"{start:%Y-%m}",
        "by": by,
        "by_label": exports.GROUP_LABELS[by],
        "label": label,
    }
    return render(request, "appeals/drill.html", context)


@permission("appeals", "supervise")
@require_safe
def board(request):
    """督办看板: what is open and late in the supervisor's scope, by holder, and what waits for them."""
    now = timezone.now()
    data = selectors.board(request.scope, now=now)
    return render(request, "appeals/board.html", {"board": data, "now": now})


@permission("appeals", "export")
@require_safe
def metrics_export(request):
    by, start, _end, rows, total, names = _figures(request, request.scope)
    title = f"{start:%Y年%m月}诉求办理指标（按{exports.GROUP_LABELS[by]}）"
    path = exports.metrics_workbook(rows, total, names, by, start, actor=request.user, title=title)
    return workbook_response(path, filename=title)


# --- 困难帮扶 -----------------------------------------------------------------------------------------


@permission("appeals", "hardship")
@require_safe
def hardships(request):
    today = timezone.localdate()
    state = request.GET.get("state", "open")
    if state not in ("open", "due", "closed", "all"):
        state = "open"
    q = (request.GET.get("q") or "").strip()[:50]
    context = {
        "rows": paginate(request, selectors.hardships(request.scope, state=state, q=q, today=today), 50),
        "state": state,
        "q": q,
        "counts": selectors.hardship_counts(request.scope, today),
        "today": today,
    }
    return render(request, "appeals/hardships.html", context)


@permission("appeals", "hardship")
@require_http_methods(["GET", "POST"])
def hardship_new(request):
    """From an appeal (``?appeal=``: its author) or for someone found by name (``?person=``)."""
    appeal = person = None
    if (raw := request.POST.get("appeal") or request.GET.get("appeal", "")).isdigit():
        appeal = scope_for(request.user, "appeals", "view").get(
            Appeal.objects.select_related("category", "person"), pk=int(raw)
        )
        person = appeal.person if not appeal.anonymous else None
    elif (raw := request.POST.get("person") or request.GET.get("person", "")).isdigit():
        person = request.scope.get(Person.objects.select_related("org"), pk=int(raw))
    q = (request.GET.get("q") or "").strip()[:50]
    found = []
    if person is None and appeal is None and q:
        found = list(request.scope.filter(Person.objects.filter(name__contains=q)).select_related("org")[:20])
    form = HardshipForm(request.POST or None)
    if request.method == "POST" and (person is not None or appeal is not None) and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.hardship_open(
                actor=request.user,
                kind=d["kind"],
                situation=d["situation"],
                consent=d["consent"],
                person=None if appeal else person,
                appeal=appeal,
                follow_up_on=d["follow_up_on"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已为{entry.person.name}建立困难帮扶档案")
            return redirect("appeals:hardship", entry.pk)
    context = {"form": form, "appeal": appeal, "person": person, "q": q, "found": found}
    return render_form(request, "appeals/hardship_new.html", context)


@permission("appeals", "hardship", model=Hardship, lookup="hardship_id")
@require_http_methods(["GET", "POST"])
def hardship(request, hardship_id: int):
    entry = request.scope.get(Hardship.objects.select_related("person", "org", "appeal"), pk=hardship_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    aid_form = AidForm(request.POST if action == "aid" else None, initial={"given_on": timezone.localdate()})
    close_form = CloseForm(request.POST if action == "close" else None)
    form = aid_form if action == "aid" else close_form if action == "close" else None
    if form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            if action == "aid":
                services.aid_record(
                    actor=request.user,
                    hardship=entry,
                    kind=d["kind"],
                    amount=d["amount"],
                    given_on=d["given_on"],
                    given_by=d["given_by"],
                    note=d["note"],
                    follow_up_on=d["follow_up_on"],
                )
                done = "已记录帮扶"
            else:
                services.hardship_close(actor=request.user, hardship=entry, note=d["note"])
                done = "已结束帮扶"
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("appeals:hardship", entry.pk)
    elif request.method == "POST" and form is None:
        messages.error(request, "未知的操作")
    context = {
        "entry": entry,
        "aids": entry.aids.select_related("recorded_by"),
        "aid_form": aid_form,
        "close_form": close_form,
        "history": core_selectors.history(entry, 50),
    }
    return render_form(request, "appeals/hardship.html", context)


# --- 协调会 -------------------------------------------------------------------------------------------


def _convening_orgs(user) -> list[Org]:
    """The party orgs offered as the convener: those the user's grants name, or, for a grant over a
    region or an industry alone, the uppermost orgs within their scope."""
    scope = scope_for(user, "appeals", "coordinate")
    named = list(scope.filter(Org.objects.filter(pk__in=user.grants.filter(org__isnull=False).values("org"))))
    if named:
        return sorted(named, key=lambda o: o.path)
    return list(scope.filter(Org.objects.all()).order_by(Length("path"), "path")[:50])


@permission("appeals", "coordinate")
@require_safe
def coordinations(request):
    context = {"rows": paginate(request, selectors.coordinations(request.scope), 30)}
    return render(request, "appeals/coordinations.html", context)


ITEM_ROWS = 8


@permission("appeals", "coordinate")
@require_http_methods(["GET", "POST"])
def coordination_new(request):
    """A meeting's record; the appeals it discussed are given by number, each with its decision.
    ``?appeal=`` fills the first row (the link on an appeal's page)."""
    orgs = _convening_orgs(request.user)
    form = CoordinationForm(request.POST or None, initial={"held_on": timezone.localdate()})
    form.fields["org"].choices = [(o.pk, o.name) for o in orgs]
    posted = request.POST.get("org", "")
    if posted.isdigit() and all(str(o.pk) != posted for o in orgs):
        # an org of the scope that the list leaves out (it shows the uppermost ones): the scope decides
        extra = request.scope.filter(Org.objects.filter(pk=int(posted))).first()
        if extra is not None:
            orgs.append(extra)
            form.fields["org"].choices += [(extra.pk, extra.name)]
    first = ""
    if (raw := request.GET.get("appeal", "")).isdigit():
        appeal = request.scope.filter(Appeal.objects.filter(pk=int(raw))).first()
        first = appeal.number if appeal else ""
    rows = [
        {
            "i": i,
            "number": request.POST.get(f"number_{i}", first if i == 1 else "").strip(),
            "decision": request.POST.get(f"decision_{i}", "").strip(),
        }
        for i in range(1, ITEM_ROWS + 1)
    ]
    row_errors = {}
    if request.method == "POST" and form.is_valid():
        numbers = [r["number"] for r in rows if r["number"]]
        found = {a.number: a for a in request.scope.filter(Appeal.objects.filter(number__in=numbers))}
        decisions = {}
        for r in rows:
            if not r["number"] and not r["decision"]:
                continue
            if r["number"] not in found:
                row_errors[r["i"]] = "编号不存在或不在你的协调范围内" if r["number"] else "请填写诉求编号"
            elif not r["decision"]:
                row_errors[r["i"]] = "请写明议定事项"
            elif found[r["number"]].pk in decisions:
                row_errors[r["i"]] = "这件诉求已列在上面"
            else:
                decisions[found[r["number"]].pk] = r["decision"]
        if not row_errors:
            d = form.cleaned_data
            try:
                meeting = services.coordination_record(
                    actor=request.user,
                    org=next(o for o in orgs if str(o.pk) == d["org"]),
                    title=d["title"],
                    held_on=d["held_on"],
                    place=d["place"],
                    attendees=d["attendees"],
                    summary=d["summary"],
                    decisions=decisions,
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request, f"已记录协调会，{meeting.items.count()} 件诉求的议定事项已转承办单位"
                )
                return redirect("appeals:coordination", meeting.pk)
        else:
            form.add_error(None, "请修改下面标出的诉求")
    for r in rows:
        r["error"] = row_errors.get(r["i"], "")
    return render_form(request, "appeals/coordination_new.html", {"form": form, "rows": rows, "orgs": orgs})


@permission("appeals", "coordinate", model=Coordination, lookup="meeting_id")
@require_safe
def coordination(request, meeting_id: int):
    meeting = request.scope.get(Coordination.objects.select_related("org", "recorded_by"), pk=meeting_id)
    items = selectors.coordination_items(meeting, scope_for(request.user, "appeals", "view"))
    return render(request, "appeals/coordination.html", {"meeting": meeting, "items": items})
