"""Generic write helpers that every module's services build on: validate, save, stamp, audit.

A module's service is a function named ``<entity>_<action>`` taking keyword-only typed arguments and
the acting user; it checks scope and rules, then calls these. See docs/architecture.md.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from . import audit
from .errors import InvalidInput, validation_details

M = TypeVar("M", bound=models.Model)


def _validate(instance: models.Model, exclude: set[str]) -> None:
    """``Model.full_clean`` without looking up again the related rows the caller set as instances (it
    would query each; the service loaded them and the database's foreign keys hold them). Relations
    given as bare ids are still looked up, and unique and check constraints still validated."""
    loaded = {
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation
        and f.is_cached(instance)
        and getattr(getattr(instance, f.name), "pk", None) is not None
    }
    errors: dict = {}
    try:
        instance.clean_fields(exclude=exclude | loaded)
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    exclude = exclude | {name for name in errors if name != NON_FIELD_ERRORS}
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check(exclude=exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        _validate(instance, set(exclude or ()))
    except ValidationError as exc:
        details = validation_details(exc)
        first = details[0]["msg"] if details else "输入有误"
        field = details[0]["loc"][0] if details and details[0]["loc"] else None
        raise InvalidInput(first, field=field, details=details) from exc


def _stamp(instance: models.Model, actor, *, creating: bool) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    names = {f.name for f in instance._meta.concrete_fields}
    if creating and "created_by" in names:
        instance.created_by = actor
    if "updated_by" in names:
        instance.updated_by = actor


@transaction.atomic
def model_create(model: type[M], *, actor, action: str = "create", message: str = "", **data: Any) -> M:
    instance = model(**data)
    _stamp(instance, actor, creating=True)
    full_clean(instance)
    instance.save()
    audit.record(actor=actor, action=action, obj=instance, after=audit.snapshot(instance), message=message)
    return instance


@transaction.atomic
def model_update(
    instance: M,
    *,
    actor,
    data: dict[str, Any],
    fields: list[str] | None = None,
    action: str = "update",
    message: str = "",
) -> tuple[M, bool]:
    """Apply ``data`` (restricted to ``fields`` when given), validate, save only the changed fields and
    audit the diff. Returns (instance, changed)."""
    allowed = set(fields) if fields is not None else set(data)
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = audit.snapshot(instance)
    changed: list[str] = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if not changed:
        return instance, False
    _stamp(instance, actor, creating=False)
    full_clean(instance)
    update_fields = list(changed)
    for extra in ("updated_by", "updated_at"):
        if extra in {f.name for f in instance._meta.concrete_fields}:
            update_fields.append(extra)
    instance.save(update_fields=update_fields)
    b, a = audit.diff(before, audit.snapshot(instance))
    audit.record(actor=actor, action=action, obj=instance, before=b, after=a, message=message)
    return instance, True


@transaction.atomic
def model_delete(instance: models.Model, *, actor, action: str = "delete", message: str = "") -> None:
    before = audit.snapshot(instance)
    audit.record(actor=actor, action=action, obj=instance, before=before, message=message)
    instance.delete()
