"""Pages of community affairs. On the phone: the 党务公开 board of my orgs with unread marks, a notice
with the objection form while its 公示 is open, the consultations of my orgs with the opinion form, my
示范岗/责任区 and the deed form. On the desktop, for the org and the offices (``community.affairs``):
publish, pin, withdraw, read receipts and objections; consultations with parties, meetings, outcome and
follow-ups; designations with their holders' history; two Excel ledgers (``community.export``).
Thin: selectors read, services write; a refusal comes back as a Chinese message on the page (400),
what was typed stays in the form."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from sanxin.core.excel.export import Ledger, workbook_response
from sanxin.core.pages import paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org, Person

from . import selectors, services
from .models import (
    OBJECTION_KINDS,
    AffairsNotice,
    Consultation,
    ConsultationStatus,
    Designation,
    DesignationKind,
    FollowUp,
    Holding,
    MeetingMode,
    NoticeKind,
    PartySide,
)


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _status(failed: bool) -> int:
    return 400 if failed else 200


def _refused(request, exc) -> ServiceError:
    """A service's refusal, shown on the form the page renders again (400); "not found / not yours"
    and "not allowed" stay 404 / 403 unless the message names what the form asked for (a person not of
    this org, an org outside the scope)."""
    if isinstance(exc, PermissionDenied) or (isinstance(exc, NotFound) and exc.message == NotFound().message):
        raise exc
    return exc


def _managed_orgs(request):
    return request.scope.filter(Org.objects.filter(status="active")).order_by("path")[:300]


def _org_in(request, org_id) -> Org:
    org = request.scope.filter(Org.objects.filter(status="active")).filter(pk=_int(org_id)).first()
    if org is None:
        raise NotFound("请选择本人管辖范围内的党组织")
    return org


# --- the phone: 党务公开 ---------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def home(request):
    user = request.user
    kind = request.GET.get("kind", "")
    qs = selectors.notices_for(user)
    if kind in NoticeKind.values:
        qs = qs.filter(kind=kind)
    context = {
        "page": paginate(request, qs, 20),
        "kind": kind,
        "kinds": NoticeKind.choices,
        "unread": selectors.unread_count(user),
        "consultations": selectors.consultations_for(user).exclude(status=ConsultationStatus.CLOSED)[:5],
        "designations": selectors.designations_mine(user),
        "manager": has_permission(user, "community", "affairs"),
    }
    return render(request, "community/affairs/home.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def notice(request, notice_id: int):
    n = selectors.notice_get(request.user, notice_id)
    error, data = None, {}
    if request.method == "POST":
        data = {"reason": request.POST.get("reason", ""), "anonymous": request.POST.get("anonymous") == "1"}
        try:
            services.notice_object(actor=request.user, notice=n, **data)
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, "异议已提交，组织核实后会通知您")
            return redirect("community:affairs:notice", n.pk)
    else:
        services.notice_read(user=request.user, notice=n)
    pn = n.public_notice
    context = {
        "n": n,
        "attachments": n.attachments.all(),
        "objection_open": bool(
            pn
            and not n.withdrawn
            and pn.status == "open"
            and pn.starts_on <= timezone.localdate() <= pn.ends_on
        ),
        "can_object": selectors.in_audience(request.user, n),
        "my_objections": pn.objections.filter(author=request.user) if pn else [],
        "manager": scope_for(request.user, "community", "affairs").contains(n),
        "data": data,
        "error": error,
    }
    return render(request, "community/affairs/notice.html", context, status=_status(error is not None))


# --- the phone: 协商议事 ---------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def consultations(request):
    status = request.GET.get("status", "")
    qs = selectors.consultations_for(request.user)
    if status in ConsultationStatus.values:
        qs = qs.filter(status=status)
    context = {"page": paginate(request, qs, 20), "status": status, "statuses": ConsultationStatus.choices}
    return render(request, "community/affairs/consultations.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def consultation(request, consultation_id: int):
    c = selectors.consultation_get(request.user, consultation_id)
    error, text = None, ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.opinion_submit(actor=request.user, consultation=c, text=text)
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, "意见已提交，感谢参与")
            return redirect("community:affairs:consultation", c.pk)
    detail = selectors.consultation_detail(c)
    context = {
        "c": c,
        **detail,
        "my_opinions": [o for o in detail["opinions"] if o.author_id == request.user.pk],
        "open": c.status in ("proposed", "consulting"),
        "manager": scope_for(request.user, "community", "affairs").contains(c),
        "text": text,
        "error": error,
    }
    return render(request, "community/affairs/consultation.html", context, status=_status(error is not None))


# --- the phone: 示范岗 and 责任区 --------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def mine(request):
    return render(
        request, "community/affairs/mine.html", {"designations": selectors.designations_mine(request.user)}
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def designation_mine(request, designation_id: int):
    d = selectors.designation_mine(request.user, designation_id)
    error, data = None, {}
    if request.method == "POST":
        data = {"done_on": request.POST.get("done_on", ""), "text": request.POST.get("text", "")}
        try:
            services.deed_record(actor=request.user, designation=d, photo=request.FILES.get("photo"), **data)
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, "履职记录已保存")
            return redirect("community:affairs:designation_mine", d.pk)
    context = {
        "d": d,
        "holder": selectors.holder_of(d),
        "deeds": selectors.deeds(d, 50),
        "data": data or {"done_on": timezone.localdate().isoformat()},
        "error": error,
    }
    return render(
        request, "community/affairs/designation_mine.html", context, status=_status(error is not None)
    )


# --- the desktop: 党务公开 -------------------------------------------------------------------------------


@permission("community", "affairs")
@require_http_methods(["GET", "POST"])
def manage_notices(request):
    error, data = None, {}
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in ("org", "kind", "title", "body", "published_on", "expires_on", "window_days")
        }
        data["pinned"] = request.POST.get("pinned") == "1"
        try:
            org = _org_in(request, data["org"])
            n = services.notice_publish(
                actor=request.user, org=org, kind=data["kind"], title=data["title"], body=data["body"],
                published_on=data["published_on"] or None, expires_on=data["expires_on"] or None,
                pinned=data["pinned"], window_days=data["window_days"] or 5,
                attachments=request.FILES.getlist("attachments"),
            )  # fmt: skip
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, "已发布")
            return redirect("community:affairs:manage_notice", n.pk)
    kind = request.GET.get("kind", "")
    context = {
        "page": paginate(
            request,
            selectors.notices_managed(request.scope, kind=kind if kind in NoticeKind.values else ""),
            30,
        ),
        "kind": kind,
        "kinds": NoticeKind.choices,
        "objection_kinds": sorted(OBJECTION_KINDS),
        "orgs": _managed_orgs(request),
        "data": data or {"window_days": "5", "published_on": timezone.localdate().isoformat()},
        "picked": _int(data.get("org")),
        "error": error,
        "can_export": has_permission(request.user, "community", "export"),
    }
    return render(
        request, "community/affairs/manage_notices.html", context, status=_status(error is not None)
    )


@permission("community", "affairs", model=AffairsNotice, lookup="notice_id")
@require_http_methods(["GET", "POST"])
def manage_notice(request, notice_id: int):
    n = request.scope.get(AffairsNotice, pk=notice_id)
    error, data = None, {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        data = {k: request.POST.get(k, "") for k in ("reason", "resolution", "objection")}
        try:
            if action == "withdraw":
                services.notice_withdraw(actor=request.user, notice=n, reason=data["reason"])
                messages.success(request, "已撤回，公开记录中保留并标注")
            elif action in ("pin", "unpin"):
                services.notice_pin(actor=request.user, notice=n, pinned=action == "pin")
                messages.success(request, "已置顶" if action == "pin" else "已取消置顶")
            elif action in ("uphold", "dismiss"):
                services.objection_resolve(
                    actor=request.user, notice=n, objection_id=_int(data["objection"]),
                    upheld=action == "uphold", resolution=data["resolution"],
                )  # fmt: skip
                messages.success(request, "异议已核实，提出人会收到通知")
            else:
                raise InvalidInput("未知的操作", field="action")
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            return redirect("community:affairs:manage_notice", n.pk)
    n = selectors.notices_managed(request.scope).get(pk=n.pk)
    context = {
        "n": n,
        "attachments": n.attachments.all(),
        "r": selectors.receipts(n),
        "objections": (
            n.public_notice.objections.select_related("author__person").order_by("created_at")
            if n.public_notice_id
            else []
        ),
        "data": data,
        "error": error,
    }
    return render(request, "community/affairs/manage_notice.html", context, status=_status(error is not None))


# --- the desktop: 协商议事 -------------------------------------------------------------------------------


def _enterprises(request):
    from sanxin.registry.models import Organization

    return scope_for(request.user, "community", "affairs").filter(Organization.objects.all()).order_by("name")


@permission("community", "affairs")
@require_http_methods(["GET", "POST"])
def manage_consultations(request):
    error, data = None, {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("org", "topic", "background", "enterprise")}
        parties = []
        for side, name in zip(
            request.POST.getlist("party_side"), request.POST.getlist("party_name"), strict=False
        ):
            if name.strip():
                parties.append((side, name, None))
        data["parties"] = parties
        try:
            org = _org_in(request, data["org"])
            enterprise = None
            if _int(data["enterprise"]):
                enterprise = _enterprises(request).filter(pk=_int(data["enterprise"])).first()
                if enterprise is None:
                    raise NotFound("请选择本人管辖范围内的企业")
            c = services.consultation_create(
                actor=request.user, org=org, topic=data["topic"], background=data["background"],
                enterprise=enterprise, parties=parties,
            )  # fmt: skip
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, "协商议事已发起")
            return redirect("community:affairs:manage_consultation", c.pk)
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.consultations_managed(
        request.scope, status=status if status in ConsultationStatus.values else "", overdue=overdue
    )
    context = {
        "page": paginate(request, qs, 30),
        "status": status,
        "overdue": overdue,
        "statuses": ConsultationStatus.choices,
        "sides": PartySide.choices,
        "orgs": _managed_orgs(request),
        "enterprises": _enterprises(request)[:300],
        "data": data,
        "picked": _int(data.get("org")),
        "error": error,
        "overdue_items": selectors.overdue_followups(request.scope).order_by("due_on")[:20],
        "can_export": has_permission(request.user, "community", "export"),
    }
    return render(
        request, "community/affairs/manage_consultations.html", context, status=_status(error is not None)
    )


def _consultation_action(request, c: Consultation, action: str) -> str:
    """Run one action of the consultation page; returns the success message."""
    post = request.POST
    if action == "party":
        services.party_add(
            actor=request.user, consultation=c, side=post.get("side", ""), name=post.get("name", "")
        )
        return "已增加参与方"
    if action == "meeting":
        held_at = None
        if post.get("held_at"):
            try:
                held_at = dt.datetime.fromisoformat(post["held_at"])
            except ValueError:
                raise InvalidInput("会议时间格式不对", field="held_at") from None
        services.meeting_add(
            actor=request.user, consultation=c, held_at=held_at, mode=post.get("mode", ""),
            link=post.get("link", ""), place=post.get("place", ""), minutes=post.get("minutes", ""),
            attended_ids=[_int(i) for i in post.getlist("attended")],
        )  # fmt: skip
        return "会议已安排，参与方会收到通知"
    if action == "advance":
        services.consultation_advance(
            actor=request.user, consultation=c, to=post.get("to", ""), outcome=post.get("outcome", "")
        )
        return "状态已更新"
    if action == "followup":
        services.followup_add(
            actor=request.user, consultation=c, what=post.get("what", ""), who=post.get("who", ""),
            due_on=post.get("due_on", ""),
        )  # fmt: skip
        return "已添加落实事项"
    if action == "done":
        services.followup_done(
            actor=request.user,
            consultation=c,
            followup_id=_int(post.get("followup")),
            note=post.get("note", ""),
        )
        return "落实事项已完成"
    raise InvalidInput("未知的操作", field="action")


@permission("community", "affairs", model=Consultation, lookup="consultation_id")
@require_http_methods(["GET", "POST"])
def manage_consultation(request, consultation_id: int):
    c = request.scope.get(Consultation, pk=consultation_id)
    error = None
    if request.method == "POST":
        try:
            done = _consultation_action(request, c, request.POST.get("action", ""))
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, done)
            return redirect("community:affairs:manage_consultation", c.pk)
    c = selectors.consultations_managed(request.scope).get(pk=c.pk)
    context = {
        "c": c,
        **selectors.consultation_detail(c),
        "sides": PartySide.choices,
        "modes": MeetingMode.choices,
        "moves": [(str(t), t.label) for t, froms in services.MOVES.items() if c.status in froms],
        "post": request.POST if error else {},
        "error": error,
    }
    return render(
        request, "community/affairs/manage_consultation.html", context, status=_status(error is not None)
    )


# --- the desktop: 示范岗 and 责任区 ------------------------------------------------------------------------


def _person_in(org: Org, person_id) -> Person | None:
    """The picked person if a member of ``org``'s subtree; else ``None`` (the service says 请选择党员)."""
    return selectors.candidates(org).filter(pk=_int(person_id)).first()


@permission("community", "affairs")
@require_http_methods(["GET", "POST"])
def manage_designations(request):
    error, data = None, {}
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in ("org", "kind", "name", "place", "stands_for", "person", "start_on")
        }
        try:
            org = _org_in(request, data["org"])
            person = _person_in(org, data["person"]) if data["person"] else None
            if data["person"] and person is None:
                raise InvalidInput("只能由本组织（含下级组织）的党员担任", field="person")
            d = services.designation_create(
                actor=request.user, org=org, kind=data["kind"], name=data["name"], place=data["place"],
                stands_for=data["stands_for"], person=person,
                start_on=data["start_on"] or None,
            )  # fmt: skip
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, "已设立")
            return redirect("community:affairs:manage_designation", d.pk)
    kind = request.GET.get("kind", "")
    ended = request.GET.get("ended") == "1"
    qs = selectors.designations_managed(
        request.scope, kind=kind if kind in DesignationKind.values else "", ended=ended
    )
    orgs = list(_managed_orgs(request))
    context = {
        "page": paginate(request, qs, 50),
        "kind": kind,
        "ended": ended,
        "kinds": DesignationKind.choices,
        "orgs": orgs,
        "people": _people_in_scope(request),
        "data": data or {"start_on": timezone.localdate().isoformat()},
        "picked": _int(data.get("org")),
        "error": error,
        "can_export": has_permission(request.user, "community", "export"),
    }
    return render(
        request, "community/affairs/manage_designations.html", context, status=_status(error is not None)
    )


def _people_in_scope(request):
    """The members of the orgs in the caller's scope, for the holder's list."""
    orgs = request.scope.filter(Org.objects.all()).values("pk")
    return (
        Person.objects.filter(org__in=orgs, member__isnull=False)
        .select_related("org")
        .order_by("org__path", "name")[:500]
    )


@permission("community", "affairs", model=Designation, lookup="designation_id")
@require_http_methods(["GET", "POST"])
def manage_designation(request, designation_id: int):
    d = request.scope.get(Designation, pk=designation_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                services.designation_assign(
                    actor=request.user, designation=d, person=_person_in(d.org, request.POST.get("person")),
                    start_on=request.POST.get("start_on") or None,
                )  # fmt: skip
                done = "已更换在岗党员，原在岗记录保留"
            elif action == "deed":
                services.deed_record(
                    actor=request.user, designation=d, done_on=request.POST.get("done_on", ""),
                    text=request.POST.get("text", ""), photo=request.FILES.get("photo"),
                )  # fmt: skip
                done = "履职记录已保存"
            elif action == "end":
                services.designation_end(
                    actor=request.user, designation=d, on=request.POST.get("ended_on") or None
                )
                done = "已撤销"
            else:
                raise InvalidInput("未知的操作", field="action")
        except ServiceError as exc:
            error = _refused(request, exc)
        else:
            messages.success(request, done)
            return redirect("community:affairs:manage_designation", d.pk)
    d = selectors.designations_managed(request.scope, ended=d.ended_on is not None).get(pk=d.pk)
    context = {
        "d": d,
        "holder": selectors.holder_of(d),
        "history": selectors.history(d),
        "deeds": selectors.deeds(d),
        "people": selectors.candidates(d.org)[:500],
        "post": request.POST if error else {},
        "today": timezone.localdate().isoformat(),
        "error": error,
    }
    return render(
        request, "community/affairs/manage_designation.html", context, status=_status(error is not None)
    )


# --- exports --------------------------------------------------------------------------------------------

CONSULTATION_COLUMNS = ["发起组织", "议题", "涉及企业", "状态", "参与方", "会议次数", "协商结果", "发起日期"]
FOLLOWUP_COLUMNS = ["发起组织", "议题", "落实事项", "责任方", "完成期限", "完成日期", "完成情况", "是否逾期"]
DESIGNATION_COLUMNS = [
    "设岗组织",
    "类别",
    "名称",
    "地点或区域",
    "承诺与职责",
    "党员",
    "上岗日期",
    "离岗日期",
    "履职记录（条）",
]


@require_safe
@permission("community", "export")
def export_consultations(request):
    """协商议事台账: the consultations of the scope and, on a second sheet, their follow-up items."""
    title = "协商议事台账"
    audit_record(
        actor=request.user, action="affairs_export", object_type="community.consultation", message=title
    )
    today = timezone.localdate()
    qs = request.scope.filter(Consultation.objects.select_related("org", "enterprise")).order_by(
        "org__path", "-created_at"
    )
    qs = qs.prefetch_related("parties").annotate(meeting_count=Count("meetings"))
    ledger = Ledger(title=title, columns=CONSULTATION_COLUMNS, sheet_name="协商议事")
    for c in qs.iterator(chunk_size=500):
        ledger.add([
            c.org.name, c.topic, c.enterprise.name if c.enterprise_id else "", c.get_status_display(),
            "、".join(f"{p.name}（{p.get_side_display()}）" for p in c.parties.all()), c.meeting_count,
            c.outcome, timezone.localdate(c.created_at),
        ])  # fmt: skip
    ledger.sheet("跟踪落实", FOLLOWUP_COLUMNS)
    followups = request.scope.filter(FollowUp.objects.select_related("consultation__org")).order_by(
        "consultation__org__path", "consultation_id", "due_on"
    )
    for f in followups.iterator(chunk_size=1000):
        ledger.add([
            f.consultation.org.name, f.consultation.topic, f.what, f.who, f.due_on, f.done_on, f.note,
            "逾期" if f.is_overdue(today) else "",
        ])  # fmt: skip
    return workbook_response(ledger.close(), filename=title)


@require_safe
@permission("community", "export")
def export_designations(request):
    """示范岗与责任区台账: a row per holding (the history included), with the deeds counted."""
    title = "党员示范岗与责任区台账"
    audit_record(
        actor=request.user, action="affairs_export", object_type="community.designation", message=title
    )
    holdings = (
        request.scope.filter(Holding.objects.select_related("designation__org", "person"))
        .annotate(
            deed_count=Count(
                "designation__deeds",
                filter=Q(designation__deeds__person=F("person")),
            )
        )
        .order_by("designation__org__path", "designation__kind", "designation__name", "start_on")
    )
    ledger = Ledger(title=title, columns=DESIGNATION_COLUMNS, sheet_name="示范岗与责任区")
    for h in holdings.iterator(chunk_size=1000):
        d = h.designation
        ledger.add([
            d.org.name, d.get_kind_display(), d.name, d.place, d.stands_for, h.person.name, h.start_on, h.end_on,
            h.deed_count,
        ])  # fmt: skip
    return workbook_response(ledger.close(), filename=title)
