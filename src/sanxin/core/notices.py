"""公示 (public notice) service: open a notice for an audience over N working days, take objections,
resolve them, and close the notice when its window ends. Modules subscribe to
``core.notice_closed`` to act on the outcome (credit points, admit a candidate...)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from . import audit, events, workdays
from .errors import InvalidInput, RuleViolation
from .models import Objection, PublicNotice
from .services import model_create

# audience model label -> callable(audience_obj, user) -> bool: may this user see and object?
_audiences: dict[str, Callable[[models.Model, object], bool]] = {}


def register_audience(model_label: str, is_member: Callable[[models.Model, object], bool]) -> None:
    _audiences[model_label] = is_member


def in_audience(notice: PublicNotice, user) -> bool:
    if notice.audience_type_id is None:
        return bool(getattr(user, "is_authenticated", False))
    check = _audiences.get(notice.audience_type.model_class()._meta.label_lower)
    return bool(check and check(notice.audience, user))


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def notice_open(
    *,
    actor,
    title: str,
    body: str = "",
    subject: models.Model | None = None,
    audience: models.Model | None = None,
    starts_on: dt.date | None = None,
    window_days: int = 5,
) -> PublicNotice:
    if window_days < 1:
        raise InvalidInput("公示期至少为1个工作日", field="window_days")
    starts_on = starts_on or _today()
    data = {
        "title": title,
        "body": body,
        "starts_on": starts_on,
        "window_days": window_days,
        "ends_on": workdays.add_working_days(starts_on, window_days - 1),
    }
    if subject is not None:
        data |= {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": str(subject.pk)}
    if audience is not None:
        data |= {
            "audience_type": ContentType.objects.get_for_model(audience),
            "audience_id": str(audience.pk),
        }
    return model_create(PublicNotice, actor=actor, **data)


@transaction.atomic
def objection_raise(
    *, actor, notice: PublicNotice, reason: str, anonymous: bool = False, on: dt.date | None = None
):
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput("请写明异议理由（至少5个字）", field="reason")
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    today = on or _today()
    if notice.status != PublicNotice.Status.OPEN or not (notice.starts_on <= today <= notice.ends_on):
        raise RuleViolation("不在公示期内，不能提出异议", code="notice_closed")
    if not in_audience(notice, actor):
        raise RuleViolation("您不在本次公示的范围内", code="not_in_audience")
    return model_create(
        Objection, actor=actor, notice=notice, author=actor, reason=reason, anonymous=anonymous
    )


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    if not resolution.strip():
        raise InvalidInput("请填写核实结果", field="resolution")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.PENDING:
        raise RuleViolation("该异议已处理", code="already_resolved")
    before = audit.snapshot(objection)
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.resolution = resolution.strip()
    objection.resolved_at = timezone.now()
    objection.updated_by = actor
    objection.save()
    audit.record(actor=actor, action="resolve", obj=objection, before=before, after=audit.snapshot(objection))
    return objection


@transaction.atomic
def notice_close(*, actor, notice: PublicNotice, on: dt.date | None = None) -> PublicNotice:
    """Close a notice whose window has ended: PASSED unless an objection is pending or upheld."""
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != PublicNotice.Status.OPEN:
        return notice
    today = on or _today()
    if today <= notice.ends_on:
        raise RuleViolation(f"公示期至{notice.ends_on:%Y-%m-%d}结束，尚未期满", code="notice_not_due")
    blocking = notice.objections.exclude(status=Objection.Status.DISMISSED).exists()
    before = audit.snapshot(notice)
    notice.status = PublicNotice.Status.OBJECTED if blocking else PublicNotice.Status.PASSED
    notice.closed_at = timezone.now()
    notice.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(actor=actor, action="close", obj=notice, before=before, after=audit.snapshot(notice))
    events.publish(
        "core.notice_closed",
        {
            "notice_id": notice.pk,
            "status": notice.status,
            "subject_type": notice.subject_type_id,
            "subject_id": notice.subject_id,
        },
        key=f"notice_closed:{notice.pk}",
    )
    return notice


def close_due(on: dt.date | None = None) -> int:
    today = on or _today()
    n = 0
    for notice in PublicNotice.objects.filter(status=PublicNotice.Status.OPEN, ends_on__lt=today):
        notice_close(actor=None, notice=notice, on=today)
        n += 1
    return n
