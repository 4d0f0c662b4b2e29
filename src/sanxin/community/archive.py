"""The community part of a member's growth archive (成长档案): their suggestions that were adopted."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sanxin.members.timeline import Event

from .models import Suggestion, SuggestionStatus


def adopted(member, on_or_before: dt.date | None, *, viewer, limit: int | None) -> list[Event]:
    user_id = getattr(member.person, "user_id", None)
    if user_id is None:
        return []
    qs = Suggestion.objects.filter(author_id=user_id, status=SuggestionStatus.ADOPTED).select_related("org")
    if on_or_before is not None:
        next_day = dt.datetime.combine(on_or_before + dt.timedelta(days=1), dt.time())
        qs = qs.filter(answered_at__lt=timezone.make_aware(next_day))
    qs = qs.order_by("-answered_at", "-pk")
    if limit is not None:
        qs = qs[:limit]
    return [
        Event(
            on=timezone.localdate(s.answered_at),
            kind="suggestion",
            title=f"建议“{s.title}”被{s.org.name}采纳",
            detail=f"{s.get_category_display()} · {s.seconds} 人附议",
            link=reverse("community:suggestion", args=[s.pk]),
        )
        for s in qs
    ]
