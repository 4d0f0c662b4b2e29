"""The audit log service: every service write calls ``record`` (usually through
``core.services.model_create/model_update/model_delete``)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from .context import get_actor_id, get_request_id
from .models import AuditLog

SENSITIVE_PLACEHOLDER = "［已加密］"

# How an action reads in Chinese on history pages and exports; a module adds its own with
# ``label_actions`` (from its AppConfig.ready). An action without a label shows as written.
ACTION_LABELS: dict[str, str] = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "export": "导出",
    "upload": "上传",
    "purge": "到期删除",
    "reveal": "查看完整信息",
    "import_upload": "上传导入文件",
    "import_confirm": "确认导入",
    "import_cancel": "取消导入",
    "import_run": "执行导入",
    "import_create": "导入新增",
}


def label_actions(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


_PLAIN = (type(None), bool, int, float, str)


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if type(value) is dict:  # the common case (a row's fields) without a call per plain value
        return {str(k): v if type(v) in _PLAIN else _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk if not isinstance(value.pk, uuid.UUID) else str(value.pk)
    if hasattr(value, "name"):  # files
        return str(value.name)
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """A JSON-serializable picture of a row's concrete fields for before/after. Encrypted fields
    are never written in clear: they appear masked (so a change is still visible)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if fields is not None and field.name not in fields and name not in fields:
            continue
        if field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(obj, name)
        if getattr(field, "sensitive", False):
            data[field.name] = field.mask_value(value) if value else value
        else:
            data[field.name] = _jsonable(value)
    return data


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    message: str = "",
    ip: str | None = None,
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    actor_id = getattr(actor, "pk", None) if actor is not None else get_actor_id()
    actor_repr = getattr(actor, "get_username", lambda: "")() if actor is not None else ""
    return AuditLog.objects.create(
        actor_id=actor_id,
        actor_repr=actor_repr or ("系统" if actor_id is None else str(actor_id)),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=before,
        after=after,
        message=message,
        request_id=get_request_id(),
        ip=ip,
    )


def record_many(
    *,
    actor,
    action: str,
    object_type: str,
    entries: list[tuple[Any, str, dict | None, dict | None]],
    message: str = "",
) -> None:
    """One audit row per (object id, object repr, before, after), written together (``core.bulk``): the
    history of every row a set-oriented service wrote, at the cost of a few statements per thousand."""
    from . import bulk

    if not entries:
        return
    actor_id = getattr(actor, "pk", None) if actor is not None else get_actor_id()
    actor_repr = getattr(actor, "get_username", lambda: "")() if actor is not None else ""
    actor_repr = actor_repr or ("系统" if actor_id is None else str(actor_id))
    request_id = get_request_id()
    bulk.insert(
        AuditLog,
        [
            {
                "actor_id": actor_id,
                "actor_repr": actor_repr,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "object_repr": str(object_repr)[:200],
                "before": _jsonable(before) if before is not None else None,
                "after": _jsonable(after) if after is not None else None,
                "message": message,
                "request_id": request_id,
            }
            for object_id, object_repr, before, after in entries
        ],
    )


# Batch actions that create their rows: ``core.selectors.history`` looks for them only in the minutes
# after a row's creation (there are many), and for other batch actions (a run's flags) at any time.
BATCH_CREATE_ACTIONS = ("import_create",)


def id_ranges(ids: list[int]) -> list[list[int]]:
    """[3, 4, 5, 9] -> [[3, 5], [9, 9]]: a batch's ids, compactly (allocated ids are mostly runs)."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def record_batch(
    *,
    actor,
    action: str,
    model: type[models.Model],
    ids: list[int],
    after: dict | None = None,
    message: str = "",
) -> AuditLog:
    """One audit row for ``ids``, rows of ``model`` a set-oriented service wrote together (an import's
    new rows: each row carries its own values and stamps, so a row per row would repeat them). The
    row has no object id; ``core.selectors.history`` finds it for any of the rows it covers."""
    return record(
        actor=actor,
        action=action,
        object_type=model._meta.label_lower,
        object_repr=f"{len(ids)}条{model._meta.verbose_name}",
        after={"ids": id_ranges(ids), "count": len(ids), **(after or {})},
        message=message,
    )


def batch_covers(entry: AuditLog, pk: int) -> bool:
    ranges = (entry.after or {}).get("ids") or []
    return any(lo <= pk <= hi for lo, hi in ranges)


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys that changed, for a compact update record."""
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
