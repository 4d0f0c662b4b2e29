"""Home cards of the member registry: a member's own standing and dues; the members a secretary or
office should follow up (dues in arrears, 流动党员活动证 about to expire, returns overdue)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxin.core.scope import request_scope

from . import selectors
from .models import Direction, Member, Mobility

FOLLOW_UP_ARREARS = 3  # months
CERTIFICATE_NOTICE = dt.timedelta(days=30)


def mine(request) -> dict:
    member = (
        Member.objects.filter(person__user=request.user)
        .select_related("person", "person__org")
        .prefetch_related("declarations", "payments", "relations")
        .first()
    )
    if member is None:
        return {}
    today = timezone.localdate()
    return {
        "member": member,
        "activity_org": selectors.org_on(member, today, "activity"),
        "due": selectors.due_for(member, today),
        "arrears": selectors.arrears(member, today),
    }


def follow_up(request) -> dict:
    scope = request_scope(request, "people", "change")
    today = timezone.localdate()
    members = list(
        selectors.member_list(scope, on=today).prefetch_related("payments", "relations", "declarations")[
            :2000
        ]
    )
    behind = [(m, len(selectors.arrears(m, today))) for m in members]
    behind = sorted(((m, n) for m, n in behind if n >= FOLLOW_UP_ARREARS), key=lambda mn: -mn[1])
    away = scope.filter(Mobility.objects.all()).filter(end_on__isnull=True).select_related("member__person")
    expiring = away.filter(certificate_valid_until__lte=today + CERTIFICATE_NOTICE)
    overdue = away.filter(direction=Direction.OUT, expected_return__lt=today)
    return {
        "behind": behind[:5],
        "behind_count": len(behind),
        "expiring": list(expiring.order_by("certificate_valid_until")[:5]),
        "overdue_count": overdue.count(),
        "months": FOLLOW_UP_ARREARS,
    }
