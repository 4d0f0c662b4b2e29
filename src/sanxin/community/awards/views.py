"""Pages of community awards. Phone: the current selections, a selection with its candidates (reasons,
photos) and the vote, my certificates, my 四亮 and pledge; the public verification of a certificate.
Desktop (organisers): create a selection, nominate, review, the flagged votes, close and publish, the
certificates and the awardee's story, the 四亮 table per branch, the exports. Thin: selectors read,
services write; a refusal comes back as a Chinese message and what was typed stays in the form."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import qr
from sanxin.core.audit import record as audit_record
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from sanxin.core.excel.export import workbook_response
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission
from sanxin.members.models import WorkKind
from sanxin.orgs.models import BRANCH_TYPES, Org, Person

from . import exports, selectors, services
from .models import AwardCandidate, AwardSelection, CandidateStatus, FlagReview, SiliangKind

DEVICE_COOKIE = "sx_vote_device"
DEVICE_SALT = "community.vote_device"
DEVICE_MAX_AGE = 5 * 365 * 86400


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _fail(request, exc: ServiceError) -> int:
    """Show the refusal as a message; the status of the page that shows it (a rule: 409, too many: 429,
    bad input: 400)."""
    message_error(request, exc)
    return exc.status if exc.status in (409, 429) else 400


def _device_id(request) -> str:
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT) or ""


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


# --- the audience -----------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def home(request):
    user = request.user
    context = {
        "selections": list(selectors.selections_for(user).filter(org__path__in=_chain(user))[:30]),
        "certificates": list(selectors.my_certificates(user)),
        "runs": has_permission(user, "community", "awards"),
        "is_member": getattr(getattr(user, "person", None), "org_id", None) is not None,
    }
    return render(request, "community/awards/home.html", context)


def _chain(user) -> list[str]:
    from sanxin.community.selectors import audience_paths

    return audience_paths(user)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def selection(request, selection_id: int):
    """A selection with its candidates; the vote form during the vote window. The page sets the
    long-lived signed device cookie that the vote is counted with."""
    s = selectors.selection_get(request.user, selection_id)
    status = 200
    if request.method == "POST":
        try:
            v = services.vote_cast(
                actor=request.user,
                selection=s,
                candidate_id=_int(request.POST.get("candidate")),
                device_id=_device_id(request),
                ip=_client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ServiceError as exc:
            status = _fail(request, exc)
        else:
            messages.success(request, f"已为{v.candidate.person.name}投票，每人每天可投一票")
            return redirect("community:awards:selection", s.pk)
    mine = selectors.my_vote_today(request.user, s)
    context = {
        "s": s,
        "candidates": selectors.ranking(s),
        "mine": mine,
        "can_vote": s.phase() == "vote" and selectors.in_audience(request.user, s) and mine is None,
        "manages": selectors.manages(request.user, s),
    }
    response = render(request, "community/awards/selection.html", context, status=status)
    if not _device_id(request):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(18),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=not settings.DEBUG and request.is_secure(),
        )
    return response


@permission.own()
@login_required
@require_safe
def certificate(request, certificate_id: int):
    cert = selectors.certificate_get(request.user, certificate_id)
    url = request.build_absolute_uri(reverse("community:awards:verify", args=[cert.token]))
    return render(
        request,
        "community/awards/certificate.html",
        {"cert": cert, "c": cert.candidate, "verify_url": url, "qr_svg": qr.svg_inline(url, scale=4)},
    )


@permission.public()
@require_safe
def verify(request, token: str):
    """Public: the facts of a certificate — number, selection, organiser, rank, date, the holder's name
    masked — for whoever scans its QR code."""
    try:
        cert = selectors.certificate_by_token(token)
    except NotFound:
        return render(request, "community/awards/verify.html", {"cert": None}, status=404)
    return render(
        request,
        "community/awards/verify.html",
        {"cert": cert, "holder": selectors.mask_name(cert.candidate.person.name)},
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def siliang_mine(request):
    status, text = 200, ""
    if request.method == "POST":
        text = request.POST.get("pledge", "")
        try:
            services.pledge_make(actor=request.user, pledge=text)
        except ServiceError as exc:
            status = _fail(request, exc)
        else:
            messages.success(request, "承诺已记录")
            return redirect("community:awards:siliang_mine")
    mine = selectors.siliang_mine(request.user)
    pledge = mine["records"].get(SiliangKind.PLEDGE)
    context = {
        "mine": mine,
        "kinds": [(k, label, mine["records"].get(k)) for k, label in SiliangKind.choices if k != "flag"],
        "pledge_text": text or (pledge.pledge if pledge else ""),
    }
    return render(request, "community/awards/siliang_mine.html", context, status=status)


# --- organisers -----------------------------------------------------------------------------------------


SELECTION_FIELDS = ("title", "year", "awardees", "nominate_from", "nominate_until", "vote_from", "vote_until",
                    "min_job_years", "min_party_years", "description")  # fmt: skip


@permission("community", "awards")
@require_http_methods(["GET", "POST"])
def manage(request):
    data, status, error = {}, 200, None
    orgs = list(request.scope.filter(Org.objects.filter(status="active")).order_by("path")[:300])
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in SELECTION_FIELDS}
        data["work_kinds"] = request.POST.getlist("work_kinds")
        data["members_only"] = request.POST.get("members_only") == "1"
        org = Org.objects.filter(pk=_int(request.POST.get("org"))).first()
        try:
            if org is None:
                raise InvalidInput("请选择主办党组织", field="org")
            s = services.selection_create(actor=request.user, org=org, **data)
        except NotFound as exc:
            messages.error(request, exc.message)
            status, error = 400, exc
        except ServiceError as exc:
            status, error = _fail(request, exc), exc
        else:
            messages.success(request, "评选已发起")
            return redirect("community:awards:manage_selection", s.pk)
    context = {
        "page": paginate(request, selectors.managed_selections(request.scope), 30),
        "orgs": orgs,
        "picked": _int(request.POST.get("org")) if request.method == "POST" else 0,
        "data": data,
        "error": error,
        "work_kinds": WorkKind.choices,
        "nominatable": list(selectors.nominatable(request.user)[:20]),
    }
    return render(request, "community/awards/manage.html", context, status=status)


@permission("community", "awards", model=AwardSelection)
@require_http_methods(["GET", "POST"])
def nominate(request):
    """Nominate one of the people in the nominator's scope for a selection in its nomination phase."""
    available = list(selectors.nominatable(request.user))
    picked = _int(request.POST.get("selection") if request.method == "POST" else request.GET.get("selection"))
    s = next((x for x in available if x.pk == picked), available[0] if available and not picked else None)
    status, reasons = 200, ""
    if request.method == "POST":
        reasons = request.POST.get("reasons", "")
        try:
            if s is None:
                raise NotFound()
            person = Person.objects.filter(pk=_int(request.POST.get("person"))).first()
            if person is None:
                raise InvalidInput("请选择被提名人", field="person")
            c = services.candidate_nominate(
                actor=request.user,
                selection=s,
                person=person,
                reasons=reasons,
                photos=request.FILES.getlist("photos"),
            )
        except ServiceError as exc:
            status = _fail(request, exc)
        else:
            messages.success(request, f"已提名{c.person.name}，等待主办方审核")
            return redirect(f"{reverse('community:awards:nominate')}?selection={s.pk}")
    people = list(selectors.nominees(request.user, s)[:500]) if s is not None else []
    context = {
        "available": available,
        "s": s,
        "people": people,
        "picked_person": _int(request.POST.get("person")),
        "reasons": reasons,
        "mine": AwardCandidate.objects.filter(selection=s, nominated_by=request.user).select_related("person")
        if s is not None
        else [],
    }
    return render(request, "community/awards/nominate.html", context, status=status)


def _manage_post(request, s: AwardSelection) -> str:
    """One of the organiser's actions; returns the success message."""
    action = request.POST.get("action", "")
    if action in ("approve", "reject"):
        c = AwardCandidate.objects.filter(pk=_int(request.POST.get("candidate")), selection=s).first()
        if c is None:
            raise InvalidInput("请选择候选人", field="candidate")
        services.candidate_review(
            actor=request.user, candidate=c, decision=action, reason=request.POST.get("reason", "")
        )
        return f"{c.person.name}：{'审核通过' if action == 'approve' else '不通过'}"
    if action == "close":
        services.selection_close(actor=request.user, selection=s)
        return "投票已结束，请复核疑似刷票后公布结果"
    if action in ("keep", "void"):
        n = services.votes_review(
            actor=request.user,
            selection=s,
            vote_ids=[_int(v) for v in request.POST.getlist("votes")],
            keep=action == "keep",
        )
        return f"已复核 {n} 张投票"
    if action == "publish":
        services.selection_publish(actor=request.user, selection=s)
        return "结果已公布，当选者的证书已发放"
    if action == "story":
        c = AwardCandidate.objects.filter(pk=_int(request.POST.get("candidate")), selection=s).first()
        if c is None:
            raise InvalidInput("请选择当选者", field="candidate")
        services.story_publish(
            actor=request.user,
            candidate=c,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )
        return "先锋故事已提交学习库审核"
    raise InvalidInput("未知的操作", field="action")


@permission("community", "awards", model=AwardSelection, lookup="selection_id")
@require_http_methods(["GET", "POST"])
def manage_selection(request, selection_id: int):
    s = request.scope.get(AwardSelection.objects.select_related("org"), pk=selection_id)
    status = 200
    if request.method == "POST":
        try:
            text = _manage_post(request, s)
        except (NotFound, PermissionDenied):
            raise
        except ServiceError as exc:
            status = _fail(request, exc)
        else:
            messages.success(request, text)
            return redirect("community:awards:manage_selection", s.pk)
        s.refresh_from_db()
    rows = list(selectors.candidates_of(s, everyone=True).order_by("status", "-valid", "pk"))
    context = {
        "s": s,
        "pending": [c for c in rows if c.status == CandidateStatus.PENDING],
        "approved": [c for c in rows if c.status == CandidateStatus.APPROVED],
        "rejected": [c for c in rows if c.status == CandidateStatus.REJECTED],
        "flagged": list(selectors.flagged_votes(s)[:500]),
        "flagged_pending": sum(c.flagged_votes for c in rows),
        "FlagReview": FlagReview,
        "can_export": has_permission(request.user, "community", "export"),
        "post": request.POST if status != 200 else {},
    }
    return render(request, "community/awards/manage_selection.html", context, status=status)


@require_safe
@permission("community", "export", model=AwardSelection, lookup="selection_id")
def export(request, selection_id: int):
    s = request.scope.get(AwardSelection.objects.select_related("org"), pk=selection_id)
    title = f"{s.title}·评选台账"
    audit_record(actor=request.user, action="export", obj=s, message=title)
    return workbook_response(exports.selection_ledger(s), filename=title)


@permission("community", "awards")
@require_http_methods(["GET", "POST"])
def siliang(request):
    """The 四亮 table per branch of the scope, and the secretary's record form for a branch."""
    branches = selectors.siliang_branches(request.scope)
    picked = _int(request.POST.get("org") if request.method == "POST" else request.GET.get("org"))
    org = next((r["org"] for r in branches if r["org_id"] == picked), None)
    if org is None and len(branches) == 1:
        org = branches[0]["org"]
    status, form = 200, {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("kind", "note", "pledge", "on", "person")}
        try:
            target = Org.objects.filter(pk=picked, org_type__in=BRANCH_TYPES).first()
            if target is None:
                raise InvalidInput("请选择党支部", field="org")
            person = Person.objects.filter(pk=_int(form["person"])).first() if form["person"] else None
            services.siliang_record(
                actor=request.user,
                kind=form["kind"],
                org=target,
                person=person,
                note=form["note"],
                pledge=form["pledge"],
                on=form["on"] or None,
                photo=request.FILES.get("photo"),
            )
        except NotFound:
            messages.error(request, "该党支部不在你的管理范围内")
            status = 400
        except ServiceError as exc:
            status = _fail(request, exc)
        else:
            messages.success(request, "四亮情况已记录")
            return redirect(f"{reverse('community:awards:siliang')}?org={picked}")
    context = {
        "branches": branches,
        "org": org,
        "people": list(selectors.branch_people(request.scope, org)) if org else [],
        "records": list(selectors.siliang_records(request.scope, org)) if org else [],
        "kinds": SiliangKind.choices,
        "form": form,
        "can_export": has_permission(request.user, "community", "export"),
    }
    return render(request, "community/awards/siliang.html", context, status=status)


@require_safe
@permission("community", "export")
def siliang_export(request):
    title = "四亮情况统计"
    audit_record(actor=request.user, action="export", object_type="community.siliang", message=title)
    return workbook_response(exports.siliang_ledger(request.scope), filename=title)
