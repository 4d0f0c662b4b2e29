"""Home cards of organization life: the member's next meetings and make-ups; for a branch, the
requirements about to be missed this period; for an office, last month's branches that missed."""

from __future__ import annotations

from django.utils import timezone

from sanxin.core.scope import scope_for
from sanxin.members.models import Member

from . import rules, selectors

BRANCH_CARD_LIMIT = 3  # a secretary holds one branch or a few; offices get the summary instead


def is_member(user) -> bool:
    return bool(user.is_authenticated) and Member.objects.filter(person__user=user).exists()


def mine(request) -> dict:
    return {
        "upcoming": list(selectors.my_attendances(request.user, upcoming=True)[:3]),
        "makeups": selectors.my_makeups(request.user).filter(done_at__isnull=True).count(),
    }


def oversight(request) -> dict:
    """Branches in the user's scope: each one's requirements at risk (a secretary), or the count of
    branches that missed a requirement last month (an office: one SQL aggregate)."""
    scope = scope_for(request.user, "meetings", "view")
    today = timezone.localdate()
    branches = selectors.branches(scope)
    few = list(branches.order_by("path")[: BRANCH_CARD_LIMIT + 1])
    if len(few) <= BRANCH_CARD_LIMIT:
        return {"branches": [(org, selectors.about_to_miss(org, today)) for org in few]}
    last = rules.add_months(rules.period_start(today, "month"), -1)
    table = selectors.compliance(scope, last, rules.period_start(today, "month"), today=today)
    return {"summary": table.total, "label": rules.period_label(last, "month"), "last": last}
