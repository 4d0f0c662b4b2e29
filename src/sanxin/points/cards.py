"""Home cards of points: a member's balance and what it buys; a reviewer's queue; a partner's day."""

from __future__ import annotations

from django.utils import timezone

from sanxin.core.scope import scope_for
from sanxin.members.models import Member

from . import selectors
from .models import VoucherStatus


def is_member(user) -> bool:
    return bool(user.is_authenticated) and Member.objects.filter(person__user=user).exists()


def mine(request) -> dict:
    member = Member.objects.get(person__user=request.user)
    s = selectors.summary(member)
    offers = selectors.offers_for(member).filter(stock__gt=0)
    return {
        "summary": s,
        "affordable": offers.filter(price__lte=s.spendable).count(),
        "open_claims": selectors.my_claims(member)
        .exclude(status__in=["credited", "rejected", "withdrawn"])
        .count(),
    }


def queue(request) -> dict:
    user = request.user
    review = scope_for(user, "points", "review")
    confirm = scope_for(user, "points", "confirm")
    today = timezone.localdate()
    to_review = selectors.review_queue(review, user) if not review.is_empty else None
    to_confirm = selectors.confirm_queue(confirm, user) if not confirm.is_empty else None
    return {
        "to_review": to_review.count() if to_review is not None else None,
        "to_confirm": to_confirm.count() if to_confirm is not None else None,
        "overdue": sum(
            qs.filter(due_on__lt=today).count() for qs in (to_review, to_confirm) if qs is not None
        ),
    }


def partner(request) -> dict:
    scope = scope_for(request.user, "points", "redeem")
    today = timezone.localdate()
    return {
        "today": selectors.partner_vouchers(scope).filter(redeemed_at__date=today).count(),
        "issued": scope.filter(selectors.Voucher.objects.filter(status=VoucherStatus.ISSUED)).count(),
    }
