"""Pages of the transparency ledger, under /transfers/ledger/ in the ``transfers`` namespace: a member's
own ledger events with their proofs checked server-side (browsers on plain-HTTP intranets have no
WebCrypto), an office's view of a member's events, and the proof-bundle download that verifies offline
with ``sanxin ledger check-bundle``."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sanxin.core.pages import paginate
from sanxin.core.permissions import Perm, permission
from sanxin.core.scope import request_scope
from sanxin.members.models import Member

from . import note, selectors, services
from .models import LedgerOpening

PER_PAGE = 50

KIND_LABELS = {
    "members.registered": "入党登记",
    "members.moved": "组织关系变动",
    "members.mobile_out": "外出流动",
    "members.mobile_in": "流入登记",
    "members.mobility_ended": "流动结束",
    "members.converted": "转为正式党员",
    "members.membership_ended": "党籍终止",
    "members.suspended": "停止党籍",
    "members.restored": "恢复党籍",
    "transfers.applied": "转接申请",
    "transfers.approved": "转出审批通过",
    "transfers.rejected": "转出审批驳回",
    "transfers.escalated": "报上级审批",
    "transfers.letter_issued": "开具介绍信",
    "transfers.accepted": "转入接收",
    "transfers.returned": "退回",
    "transfers.reported": "到新支部报到",
    "transfers.cancelled": "转接撤销",
    "transfers.expired": "介绍信过期",
}


def member_or_scope(module: str, action: str, *, model=None, lookup: str | None = None):
    """The page twin of ``ledger.api.member_or_scope``: a signed-in user whose grants give no scope is
    not refused, their scope is then their own rows only (the openings' ``owner`` mapping)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            request.scope = request_scope(request, module, action)
            return view(request, *args, **kwargs)

        wrapper.sanxin_permission = Perm(module, action, model, lookup)
        return wrapper

    return decorator


def _events_page(request, member: Member | None, *, own: bool):
    latest = selectors.latest_head_or_none()
    page = paginate(request, selectors.member_openings(member.pk), PER_PAGE) if member else None
    rows = [selectors.prove(o, latest) for o in page] if page else []
    keys = services.public_keys()
    return render(
        request,
        "transfers/ledger/events.html",
        {
            "member": member,
            "own": own,
            "page": page,
            "rows": [(p, KIND_LABELS.get(p.opening.leaf.kind, p.opening.leaf.kind)) for p in rows],
            "latest": latest,
            "verifier_key": note.verifier_key(services.origin(), keys[latest.key_id])
            if latest is not None and latest.key_id in keys
            else "",
        },
    )


@permission.own()
@login_required
@require_safe
def ledger_mine(request):
    """The signed-in member's own ledger events, each proven against the signed tree."""
    member = Member.objects.select_related("person").filter(person__user=request.user).first()
    return _events_page(request, member, own=True)


@permission("people", "view", model=Member, lookup="member_id")
@require_safe
def ledger_member(request, member_id):
    """An office's view of one member's ledger events (the member must be in its people scope)."""
    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    return _events_page(request, member, own=False)


@member_or_scope("people", "view", model=LedgerOpening, lookup="index")
@require_safe
def ledger_bundle(request, index):
    """The proof bundle of one event (the member's own, or one in the office's scope) as a file."""
    o = selectors.opening(request.scope, index)
    response = HttpResponse(selectors.bundle(o), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ledger-proof-{index}.txt"'
    response["Cache-Control"] = "private, no-store"
    return response
