"""Reads of the core's own rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import AuditLog


def audit_list(
    *,
    actor_id: int | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    request_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    q: str = "",
) -> QuerySet[AuditLog]:
    qs = AuditLog.objects.all()
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if request_id:
        qs = qs.filter(request_id=request_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    if q:
        qs = qs.filter(object_repr__icontains=q) | qs.filter(actor_repr__icontains=q)
    return qs.order_by("-at", "-id")
