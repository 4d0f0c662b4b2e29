"""The stations' part of a member's growth archive (成长档案): the volunteer shifts a keeper confirmed."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sanxin.members.timeline import Event

from .models import Shift, ShiftStatus


def shifts(member, on_or_before: dt.date | None, *, viewer, limit: int | None) -> list[Event]:
    qs = Shift.objects.filter(person_id=member.pk, status=ShiftStatus.CONFIRMED).select_related("station")
    if on_or_before is not None:
        next_day = dt.datetime.combine(on_or_before + dt.timedelta(days=1), dt.time())
        qs = qs.filter(starts_at__lt=timezone.make_aware(next_day))
    qs = qs.order_by("-starts_at", "-pk")
    if limit is not None:
        qs = qs[:limit]
    return [
        Event(
            on=timezone.localdate(s.starts_at),
            kind="volunteer",
            title=f"在{s.station.name}志愿值守",
            detail=f"{s.duty} · {s.hours.normalize():f} 小时",
            link=reverse("stations:detail", args=[s.station_id]),
        )
        for s in qs
    ]
