"""The activities part of a member's growth archive (成长档案): the volunteer activities they were
checked in at, with the hours credited."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sanxin.members.timeline import Event

from .models import Participation


def volunteered(member, on_or_before: dt.date | None, *, viewer, limit: int | None) -> list[Event]:
    user_id = getattr(member.person, "user_id", None)
    if user_id is None:
        return []
    qs = Participation.objects.filter(user_id=user_id, checked_in_at__isnull=False).select_related(
        "activity__org", "activity__team"
    )
    if on_or_before is not None:
        next_day = dt.datetime.combine(on_or_before + dt.timedelta(days=1), dt.time())
        qs = qs.filter(activity__starts_at__lt=timezone.make_aware(next_day))
    qs = qs.order_by("-activity__starts_at", "-pk")
    if limit is not None:
        qs = qs[:limit]
    out = []
    for p in qs:
        a = p.activity
        team = f" · {a.team.name}" if a.team_id else ""
        out.append(
            Event(
                on=timezone.localdate(a.starts_at),
                kind="volunteer",
                title=f"参加{a.org.name}的“{a.title}”",
                detail=f"志愿时长 {p.hours or 0} 小时{team}",
                link=reverse("community:activities:detail", args=[a.pk]),
            )
        )
    return out
