"""The import framework: upload → checks → column mapping → validation → apply, as a task.

A module declares an importer once::

    class MemberImporter(Importer):
        key = "members"
        label = "党员名册"
        module, action = "people", "change"   # who may run it (the authorization matrix)
        columns = [Column("name", "姓名", required=True), Column("resident_id", "公民身份号码",
                   aliases=("身份证号",), sensitive=True), ...]

        def clean_row(self, values, *, actor):  # raise RowError(column, reason) / InvalidInput
            ...
        def apply_row(self, cleaned, *, actor):  # -> "created" | "updated" | "unchanged"
            ...

    register(MemberImporter)

Rows are applied by natural key, so importing the same file again changes nothing ("unchanged").
All-or-nothing validates every row first and writes none when any fails; valid-only writes each
valid row in its own savepoint (never half a row). Bad rows go to an error workbook (row, column,
masked value, reason). The uploaded file is deleted when the job ends: rosters are not kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..crypto import mask
from ..errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from ..models import ImportJob, ImportMapping, StoredFile
from ..scope import has_permission
from . import checks, reader
from .export import Ledger

logger = logging.getLogger(__name__)

BATCH = 200


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    sensitive: bool = False

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.label, *self.aliases)}


class RowError(Exception):
    def __init__(self, column: str | None, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


class Importer:
    key: str = ""
    label: str = ""
    module: str = "system"
    action: str = "change"
    columns: list[Column] = []

    def permitted(self, user) -> bool:
        return has_permission(user, self.module, self.action)

    def clean_row(self, values: dict[str, str], *, actor) -> dict:
        return values

    def apply_row(self, cleaned: dict, *, actor) -> str:
        raise NotImplementedError

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


_importers: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    _importers[cls.key] = cls
    return cls


def get(key: str) -> Importer:
    try:
        return _importers[key]()
    except KeyError:
        raise InvalidInput("未知的导入类型", field="importer") from None


def available(user) -> list[Importer]:
    return [cls() for cls in _importers.values() if cls().permitted(user)]


_SPACE = re.compile(r"[\s\u3000:：*＊()（）\[\]【】]+")


def normalize_header(text: str) -> str:
    return _SPACE.sub("", str(text or "")).lower()


def header_signature(headers: list[str]) -> str:
    return hashlib.sha256("\x1f".join(normalize_header(h) for h in headers).encode()).hexdigest()


def suggest_mapping(importer: Importer, headers: list[str]) -> dict[str, str]:
    """{column index: field key}: the mapping confirmed before for this header layout, else by label
    and alias."""
    remembered = ImportMapping.objects.filter(
        importer=importer.key, header_signature=header_signature(headers)
    ).first()
    if remembered is not None:
        return dict(remembered.mapping)
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, h in enumerate(headers):
        n = normalize_header(h)
        for col in importer.columns:
            if col.key not in used and n in col.names():
                out[str(i)] = col.key
                used.add(col.key)
                break
    return out


def _check_mapping(importer: Importer, headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    clean = {}
    seen: set[str] = set()
    for idx, key in mapping.items():
        if not key:
            continue
        if not str(idx).isdigit() or int(idx) >= len(headers):
            raise InvalidInput("列对应关系无效", field="mapping")
        if importer.column(key) is None:
            raise InvalidInput(f"未知的字段：{key}", field="mapping")
        if key in seen:
            raise InvalidInput(f"“{importer.column(key).label}”对应了多列，请只保留一列", field="mapping")
        seen.add(key)
        clean[str(idx)] = key
    missing = [c.label for c in importer.columns if c.required and c.key not in seen]
    if missing:
        raise InvalidInput(f"以下必填字段没有对应的列：{'、'.join(missing)}", field="mapping")
    return clean


# --- services ---------------------------------------------------------------------------------------


@transaction.atomic
def job_create(
    *, actor, importer_key: str, name: str, chunks, mode: str = ImportJob.Mode.ALL_OR_NOTHING
) -> ImportJob:
    """Store and check the upload, read its headers, and propose a mapping. The job waits in MAPPING."""
    from ..uploads import store

    importer = get(importer_key)
    if not importer.permitted(actor):
        raise PermissionDenied()
    if mode not in ImportJob.Mode.values:
        raise InvalidInput("请选择导入方式", field="mode")
    stored = store(
        actor=actor,
        purpose_name="core.import",
        name=name,
        chunks=chunks,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    try:
        kind = checks.check_file(stored.path, stored.original_name)
        sheet = reader.read(stored.path, kind)
    except InvalidInput:
        stored.path.unlink(missing_ok=True)
        raise
    sheet.close()
    previous = ImportJob.objects.filter(
        importer=importer.key, source_sha256=stored.sha256, status=ImportJob.Status.DONE
    ).exists()
    job = ImportJob.objects.create(
        importer=importer.key,
        source=stored,
        source_name=stored.original_name,
        source_sha256=stored.sha256,
        mode=mode,
        headers=sheet.headers,
        mapping=suggest_mapping(importer, sheet.headers),
        rows_total=sheet.count,
        created_by=actor,
        context={"kind": kind, "imported_before": previous},
    )
    audit.record(
        actor=actor,
        action="import_upload",
        obj=job,
        after={"importer": importer.key, "file": stored.original_name, "rows": sheet.count, "mode": mode},
    )
    return job


@transaction.atomic
def job_confirm(
    *, actor, job: ImportJob, mapping: dict[str, str], mode: str | None = None, enqueue: bool = True
) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    importer = get(job.importer)
    if not importer.permitted(actor):
        raise PermissionDenied()
    if job.status != ImportJob.Status.MAPPING:
        raise ServiceError("该导入任务已确认，不能重复提交", code="already_confirmed")
    job.mapping = _check_mapping(importer, job.headers, mapping)
    if mode:
        if mode not in ImportJob.Mode.values:
            raise InvalidInput("请选择导入方式", field="mode")
        job.mode = mode
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "mode", "status"])
    ImportMapping.objects.update_or_create(
        importer=importer.key,
        header_signature=header_signature(job.headers),
        defaults={"mapping": job.mapping},
    )
    audit.record(
        actor=actor, action="import_confirm", obj=job, after={"mapping": job.mapping, "mode": job.mode}
    )
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id) -> None:
    from ..tasks import run_import_task

    run_import_task(str(job_id))


_listeners: list[Callable[[ImportJob], None]] = []


def _progress(job_id, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)
    if _listeners and ("rows_done" in fields or "status" in fields):
        job = ImportJob.objects.get(pk=job_id)
        for listener in _listeners:
            listener(job)


@dataclasses.dataclass
class _BadRow:
    row: int  # 1-based line in the sheet, the header being line 1
    column: str
    value: str
    reason: str


def _values(importer: Importer, mapping: dict[str, str], cells: list[str]) -> dict[str, str]:
    return {key: (cells[int(idx)] if int(idx) < len(cells) else "") for idx, key in mapping.items()}


def _clean(importer: Importer, values: dict[str, str], actor, line: int) -> tuple[dict | None, list[_BadRow]]:
    bad = []
    for col in importer.columns:
        if col.required and col.key in values and not values[col.key].strip():
            bad.append(_BadRow(line, col.label, "", "必填项为空"))
    if bad:
        return None, bad
    try:
        return importer.clean_row(values, actor=actor), []
    except RowError as exc:
        col = importer.column(exc.column) if exc.column else None
        return None, [_BadRow(line, col.label if col else "", values.get(exc.column or "", ""), exc.reason)]
    except ServiceError as exc:
        col = importer.column(exc.field) if exc.field else None
        return None, [_BadRow(line, col.label if col else "", values.get(exc.field or "", ""), exc.message)]
    except ValidationError as exc:
        return None, [_BadRow(line, "", "", "；".join(exc.messages))]


def run_job(job_id) -> ImportJob:
    """Validate and apply a confirmed job. Safe to run twice: a finished job is left alone."""
    job = ImportJob.objects.select_related("created_by", "source").get(pk=job_id)
    if job.finished or job.status == ImportJob.Status.MAPPING:
        return job
    importer = get(job.importer)
    actor = job.created_by
    _progress(job.pk, status=ImportJob.Status.RUNNING, rows_done=0)
    sheet = None
    try:
        if job.source is None or not job.source.path.exists():
            raise InvalidInput("上传的文件已不存在，请重新上传", field="file")
        sheet = reader.read(job.source.path, job.context.get("kind", "xlsx"))
        rows = list(enumerate(sheet.rows(), start=2))
        job.rows_total = len(rows)
        _progress(job.pk, rows_total=len(rows))
        bad: list[_BadRow] = []
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
            cleaned = []
            for i, (line, cells) in enumerate(rows, start=1):
                c, errors = _clean(importer, _values(importer, job.mapping, cells), actor, line)
                bad += errors
                if c is not None:
                    cleaned.append((line, c))
                if i % BATCH == 0:
                    _progress(job.pk, rows_done=i // 2)
            if not bad:
                try:
                    with transaction.atomic():
                        for line, c in cleaned:
                            try:
                                counts[importer.apply_row(c, actor=actor)] += 1
                            except (RowError, ServiceError, ValidationError) as exc:
                                bad += _clean_error(importer, line, c, exc)
                                raise _Abort from exc
                except _Abort:
                    counts = {"created": 0, "updated": 0, "unchanged": 0}
        else:
            for start in range(0, len(rows), BATCH):
                with transaction.atomic():
                    for line, cells in rows[start : start + BATCH]:
                        c, errors = _clean(importer, _values(importer, job.mapping, cells), actor, line)
                        if errors:
                            bad += errors
                            continue
                        try:
                            with transaction.atomic():
                                counts[importer.apply_row(c, actor=actor)] += 1
                        except (RowError, ServiceError, ValidationError) as exc:
                            bad += _clean_error(importer, line, c, exc)
                _progress(job.pk, rows_done=min(len(rows), start + BATCH))
        report = _error_report(importer, job, bad) if bad else None
        rejected = job.mode == ImportJob.Mode.ALL_OR_NOTHING and bad
        _progress(
            job.pk,
            status=ImportJob.Status.REJECTED if rejected else ImportJob.Status.DONE,
            rows_done=len(rows),
            created_count=counts["created"],
            updated_count=counts["updated"],
            unchanged_count=counts["unchanged"],
            error_count=len({b.row for b in bad}),
            error_report=report,
            finished_at=timezone.now(),
            message=(
                "有错误，未导入任何数据，请下载错误报告修改后重新导入"
                if rejected
                else f"导入完成：新增{counts['created']}条，更新{counts['updated']}条，未变化{counts['unchanged']}条"
                + (f"，{len({b.row for b in bad})}行有错误未导入" if bad else "")
            ),
        )
    except InvalidInput as exc:
        _progress(job.pk, status=ImportJob.Status.FAILED, message=exc.message, finished_at=timezone.now())
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _progress(
            job.pk,
            status=ImportJob.Status.FAILED,
            message="导入过程中出现系统错误，请联系管理员",
            finished_at=timezone.now(),
        )
    finally:
        if sheet is not None:
            sheet.close()
        _discard_source(job)
    job.refresh_from_db()
    audit.record(
        actor=actor,
        action="import_run",
        obj=job,
        after={
            "status": job.status,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": job.error_count,
        },
    )
    return job


class _Abort(Exception):
    pass


def _clean_error(importer, line, cleaned, exc) -> list[_BadRow]:
    field = getattr(exc, "column", None) or getattr(exc, "field", None)
    col = importer.column(field) if field else None
    reason = (
        getattr(exc, "reason", None)
        or getattr(exc, "message", None)
        or "；".join(getattr(exc, "messages", []))
    )
    return [_BadRow(line, col.label if col else "", str(cleaned.get(field, "")) if field else "", reason)]


def _discard_source(job: ImportJob) -> None:
    """Rosters are not kept: the uploaded file goes as soon as the job has read it."""
    if job.source_id:
        src = StoredFile.objects.filter(pk=job.source_id).first()
        if src is not None:
            src.path.unlink(missing_ok=True)
            src.delete()


def _error_report(importer: Importer, job: ImportJob, bad: list[_BadRow]) -> StoredFile:
    from ..uploads import store

    sensitive = {c.label for c in importer.columns if c.sensitive}
    ledger = Ledger(title=f"{importer.label}导入错误报告", columns=["行号", "列", "值", "原因"])
    for b in bad:
        ledger.add([b.row, b.column, mask(b.value) if b.column in sensitive else b.value, b.reason])
    data = ledger.to_bytes()
    return store(
        actor=None,
        purpose_name="core.report",
        name=f"{importer.label}导入错误报告.xlsx",
        chunks=data,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


def job_for(user, job_id) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not (
        user.is_superuser or job.created_by_id == user.pk or get(job.importer).permitted(user)
    ):
        raise NotFound()
    return job


def jobs_for(user):
    keys = [i.key for i in available(user)]
    return ImportJob.objects.filter(importer__in=keys).select_related("created_by")


class listen:
    """``with listen(callback): run_job(...)``: ``callback(job)`` on every progress update (the terminal
    command's progress line)."""

    def __init__(self, callback: Callable[[ImportJob], None]):
        self.callback = callback

    def __enter__(self):
        _listeners.append(self.callback)
        return self

    def __exit__(self, *exc):
        _listeners.remove(self.callback)
