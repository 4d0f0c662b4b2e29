"""Reads of the core's own rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from . import audit
from .models import AuditLog

# How long after a row's creation the batch audit row that created it is written (same transaction).
BATCH_WINDOW = dt.timedelta(minutes=10)


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


def history(obj, limit: int = 50) -> list[AuditLog]:
    """The audit rows of ``obj``, newest first: its own, and the batch rows (``audit.record_batch``)
    that cover it: the one that created it, looked for in the minutes after its creation, and any
    other since (a batch flag, written once per run)."""
    label = obj._meta.label_lower
    rows = list(
        AuditLog.objects.filter(object_type=label, object_id=str(obj.pk)).order_by("-at", "-id")[:limit]
    )
    created = getattr(obj, "created_at", None)
    if created is None or not isinstance(obj.pk, int):
        return rows
    batches = AuditLog.objects.filter(object_type=label, object_id="", at__gte=created).filter(
        Q(at__lte=created + BATCH_WINDOW) | ~Q(action__in=audit.BATCH_CREATE_ACTIONS)
    )
    rows += [b for b in batches.iterator() if audit.batch_covers(b, obj.pk)]
    rows.sort(key=lambda r: (r.at, r.pk), reverse=True)
    return rows[:limit]
