"""Pages of discovery: 为你推荐 (the full list with each lesson's reasons, and the switch that turns
personalisation off or on), and the phone search page. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sanxin.core.errors import ServiceError
from sanxin.core.pages import message_error
from sanxin.core.permissions import permission

from .. import selectors as learning_selectors
from . import selectors, services

PAGE = 20


@permission.own()
@login_required
@require_safe
def recommended(request):
    member = learning_selectors.member_of(request.user)
    rec = selectors.recommended(request.user, limit=30)
    items = selectors.mark_done(request.user, rec.items) if not rec.personalised else rec.items
    context = {"member": member, "rec": rec, "items": items, "personalised": selectors.personalised(member)}
    return render(request, "learning/discovery/recommended.html", context)


@permission.own()
@login_required
@require_POST
def preference(request):
    on = request.POST.get("personalised") == "1"
    try:
        services.preference_set(actor=request.user, personalised=on)
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(
            request, "已开启个性化推荐" if on else "已关闭个性化推荐：推荐将不使用你的岗位和学习记录"
        )
    back = request.POST.get("next", "")
    return redirect("learning:home" if back == "home" else "learning:discover")


@permission.own()
@login_required
@require_safe
def search(request):
    q = (request.GET.get("q") or "").strip()[:50]
    try:
        page = max(1, min(50, int(request.GET.get("page") or 1)))
    except ValueError:
        page = 1
    hits = selectors.search_lessons(request.user, q, limit=PAGE + 1, offset=(page - 1) * PAGE) if q else []
    context = {"q": q, "hits": hits[:PAGE], "page": page, "more": len(hits) > PAGE}
    return render(request, "learning/discovery/search.html", context)
