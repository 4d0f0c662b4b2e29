"""Home cards: the secretary's mailbox (waiting and overdue letters) and the offices' oversight counts."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q

from sanxin.core.scope import has_permission, request_scope

from . import selectors
from .models import LetterStatus, PostStatus, SuggestionStatus


def mailbox(request) -> dict:
    scope = request_scope(request, "community", "mailbox")
    counts = selectors.inbox(scope).aggregate(
        waiting=Count("pk", filter=Q(status__in=[LetterStatus.SENT, LetterStatus.READ])),
        unread=Count("pk", filter=Q(status=LetterStatus.SENT)),
    )
    return {
        **counts,
        "overdue": selectors.overdue_count(scope),
        "days": settings.COMMUNITY_LETTER_REPLY_DAYS,
        "suggestions": selectors.suggestions_to_handle(request_scope(request, "community", "suggest"))
        .filter(status=SuggestionStatus.SUBMITTED)
        .count()
        if has_permission(request.user, "community", "suggest")
        else 0,
    }


def sees_oversight(user) -> bool:
    """Offices above branches: a branch's secretary has the mailbox card instead."""
    return has_permission(user, "community", "view") and not _is_branch_only(user)


def _is_branch_only(user) -> bool:
    from sanxin.accounts.scope import roles_of

    return roles_of(user) <= {"branch_secretary", "member", "member_liaison"}


def oversight(request) -> dict:
    scope = request_scope(request, "community", "view")
    rows = selectors.oversight(scope)
    held = selectors.moderation_queue(request_scope(request, "community", "moderate"))["held"].count()
    return {
        "letters": sum(r["letters"] for r in rows),
        "waiting": sum(r["waiting"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
        "open": sum(r["open"] for r in rows),
        "held": held,
        "status": PostStatus.HELD,
    }
