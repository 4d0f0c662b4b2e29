"""Pages of the member registry: the scoped member list and a member's file (membership history,
mobility, work, dues). Views stay thin: selectors read, services write."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sanxin.core.crypto import mask, mask_phone
from sanxin.core.pages import paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org

from . import selectors
from .forms import MemberFilterForm
from .models import Member


@permission("people", "view")
@require_safe
def member_list(request):
    form = MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        org = scope_for(request.user, "orgs", "view").filter(Org.objects.filter(code=data["org"])).first()
        if org is None:
            form.add_error("org", "没有找到该组织，或它不在您的管理范围内")
    today = timezone.localdate()
    qs = selectors.member_list(
        request.scope,
        org=org,
        standing=data.get("standing", ""),
        mobile=data.get("mobile", ""),
        q=data.get("q", ""),
        arrears_only=bool(data.get("arrears")),
        on=today,
    )
    return render(request, "members/list.html", {"form": form, "page": paginate(request, qs, 50)})


@permission("people", "view", model=Member, lookup="member_id")
@require_safe
def member_detail(request, member_id):
    member = request.scope.get(
        Member.objects.select_related("person", "person__org").prefetch_related(
            "declarations", "payments", "relations__org", "mobilities__host", "person__employments"
        ),
        pk=member_id,
    )
    today = timezone.localdate()
    person = member.person
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "person": person,
            "phone_masked": mask_phone(person.phone or ""),
            "resident_id_masked": mask(person.resident_id or ""),
            "relations": selectors.history(member),
            "mobilities": member.mobilities.all(),
            "employments": person.employments.all(),
            "declarations": member.declarations.all(),
            "payments": member.payments.all(),
            "arrears": selectors.arrears(member, today),
            "sees_flags": has_permission(request.user, "people", "flags"),
        },
    )
