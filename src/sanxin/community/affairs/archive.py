"""The affairs part of a member's growth archive (成长档案): the 示范岗 and 责任区 they have held."""

from __future__ import annotations

import datetime as dt

from sanxin.members.timeline import Event

from .models import Holding


def holdings(member, on_or_before: dt.date | None, *, viewer, limit: int | None) -> list[Event]:
    qs = Holding.objects.filter(person_id=member.person_id).select_related("designation__org")
    if on_or_before is not None:
        qs = qs.filter(start_on__lte=on_or_before)
    qs = qs.order_by("-start_on", "-pk")
    if limit is not None:
        qs = qs[:limit]
    out = []
    for h in qs:
        d = h.designation
        until = f"，至{h.end_on:%Y年%m月%d日}" if h.end_on else ""
        out.append(
            Event(
                on=h.start_on,
                kind="designation",
                title=f"担任{d.org.name}{d.get_kind_display()}“{d.name}”",
                detail=f"{d.place}{until}",
                link="",
            )
        )
    return out
