"""The awards part of a member's growth archive (成长档案): the selections they won."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sanxin.members.timeline import Event

from .models import AwardCandidate


def awards_won(member, on_or_before: dt.date | None, *, viewer, limit: int | None) -> list[Event]:
    qs = AwardCandidate.objects.filter(person_id=member.pk, awarded=True).select_related(
        "selection__org", "certificate"
    )
    if on_or_before is not None:
        next_day = dt.datetime.combine(on_or_before + dt.timedelta(days=1), dt.time())
        qs = qs.filter(selection__published_at__lt=timezone.make_aware(next_day))
    qs = qs.order_by("-selection__published_at", "-pk")
    if limit is not None:
        qs = qs[:limit]
    out = []
    for c in qs:
        cert = getattr(c, "certificate", None)
        out.append(
            Event(
                on=timezone.localdate(c.selection.published_at),
                kind="award",
                title=f"荣获{c.selection.title}",
                detail=f"{c.selection.org.name} · 第 {c.rank} 名 · {c.votes} 票"
                + (f" · 证书 {cert.number}" if cert else ""),
                link=reverse("community:awards:verify", args=[cert.token]) if cert else "",
            )
        )
    return out
