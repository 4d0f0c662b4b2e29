"""The import framework: upload → checks → column mapping → validation → apply, as a task.

A module declares an importer once and registers it (from its ``AppConfig.ready``)::

    @register
    class MemberImporter(Importer):
        key = "members"
        label = "党员名册"
        module, action = "people", "change"      # who may run it (the permission matrix)
        natural_key = ("resident_id",)          # a key twice in one file is a row error
        columns = [
            Column("name", "姓名", required=True),
            Column("resident_id", "公民身份号码", aliases=("身份证号",), required=True, sensitive=True),
        ]

        def validate_row(self, values):          # {key: text} -> cleaned, or raise RowError /
            ...                                  # InvalidInput(field=key) / ValidationError
        def apply_row(self, cleaned, actor):     # -> "created" | "updated" | "unchanged"
            ...

``self.actor`` and ``self.job`` are set while a job runs (for scope checks in ``validate_row``).

Rows are applied by natural key, so importing the same file again changes nothing ("unchanged").
All-or-nothing validates every row first without writing, then applies all rows in one transaction
(each in a savepoint, so every failing row is reported) and rolls everything back if any failed.
Valid-only applies each valid row in its own savepoint, in batches that commit one by one, so progress
is visible and no write transaction stays open long (SQLite has one writer). Never half a row. Bad rows
go to an error workbook (row, column, value masked for sensitive columns, reason). The uploaded file is
deleted when the job ends or is cancelled: rosters are not kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from itertools import chain, islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
ROWS = "rows"  # the sidecar of an upload holding its parsed rows
RESULTS = ("created", "updated", "unchanged")
ERROR_REPORT_DAYS = 30


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    sensitive: bool = False  # values are masked in error reports
    help: str = ""

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.label, *self.aliases)}


class RowError(Exception):
    """A row that cannot be imported; ``column`` is the column's key (or None for the whole row)."""

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
    natural_key: tuple[str, ...] = ()  # cleaned fields identifying a row; duplicates are row errors
    # False for importers with their own entry page (they need context the generic page cannot ask for).
    listed: bool = True
    # Rows per batch handed to ``apply_rows`` (and per committed transaction in valid-rows-only mode).
    batch_size: int = 200

    def __init__(self, *, actor=None, job: ImportJob | None = None):
        self.actor = actor
        self.job = job

    def permission(self, user) -> bool:
        return bool(user and user.is_authenticated and has_permission(user, self.module, self.action))

    def validate_row(self, values: dict[str, str]) -> dict:
        return dict(values)

    def apply_row(self, cleaned: dict, actor) -> str:
        raise NotImplementedError

    def apply_rows(self, rows: list[dict], actor) -> list[str | Exception]:
        """Apply a batch of valid rows (in file order): per row its result, or the row error that
        refused it (that row wrote nothing). This default applies each row by ``apply_row`` in a
        savepoint of its own. An importer with a set-oriented path (one lookup query per batch, bulk
        writes) overrides it; if its batch is refused by the database as a whole (IntegrityError), the
        framework rolls the batch back and applies it again through this default, row by row, so the
        row at fault is the one reported."""
        out: list[str | Exception] = []
        for cleaned in rows:
            try:
                out.append(_apply(self, cleaned, actor))
            except (*_ROW_EXCEPTIONS, IntegrityError) as exc:
                out.append(exc)
        return out

    def rolled_back(self) -> None:
        """Writes since the last commit were rolled back: forget anything cached about them."""

    def column(self, key: str | None) -> Column | None:
        return next((c for c in self.columns if c.key == key), None) if key else None

    def finished(self, job: ImportJob, counts: dict) -> None:
        """Called once after a run whose rows were written (DONE), in its own transaction: importers
        that reconcile a whole extract (flag what it no longer lists) do it here."""

    def result_url(self, job: ImportJob) -> str:
        """Where a finished run's outcome is read, for importers whose results have a page of their own
        (the job pages link to it); "" for none."""
        return ""

    def key_of(self, cleaned: dict) -> tuple | None:
        if not self.natural_key:
            return None
        return tuple(cleaned.get(k) for k in self.natural_key)


_DATE = re.compile(r"^(\d{4})\D(\d{1,2})\D(\d{1,2})")


def parse_date(text: str) -> dt.date:
    """A date cell as the reader gives it (``2024-03-01``, ``2024/3/1``, ``2024年3月1日``, ``20240301``,
    or a datetime's text); ValueError otherwise."""
    text = (text or "").strip()
    m = _DATE.match(text)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if len(text) == 8 and text.isdigit():
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


_importers: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    if not cls.key or not cls.label or not cls.columns:
        raise ValueError(f"importer {cls.__name__} needs a key, a label and columns")
    keys = [c.key for c in cls.columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"importer {cls.key}: duplicate column keys")
    _importers[cls.key] = cls
    return cls


def get(key: str, **kwargs) -> Importer:
    try:
        return _importers[key](**kwargs)
    except KeyError:
        raise InvalidInput("未知的导入类型", field="importer") from None


def registered() -> list[str]:
    return list(_importers)


def available(user) -> list[Importer]:
    """The importers ``user`` may run, in registration order."""
    return [imp for imp in (cls() for cls in _importers.values()) if imp.listed and imp.permission(user)]


def label_of(key: str) -> str:
    cls = _importers.get(key)
    return cls.label if cls else key


# --- header recognition and mapping ---------------------------------------------------------------

_NOISE = re.compile(r"[\s:：*＊#＃★☆\"'“”‘’、/\\|_\-—.。]+")
_BRACKETED = re.compile(r"[(\[【{<《].*?[)\]】}>》]")


def normalize_header(text: str) -> str:
    """'＊区划代码（必填）' and '区划 代码:' both become '区划代码': full-width folded (NFKC), spaces,
    punctuation and required-markers dropped, case folded."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _NOISE.sub("", text).casefold()


def _header_forms(text: str) -> list[str]:
    """The header as written, then without parenthesised remarks: '名称（全称）' also reads '名称'."""
    full = normalize_header(text)
    bare = normalize_header(_BRACKETED.sub("", unicodedata.normalize("NFKC", str(text or ""))))
    return [f for f in dict.fromkeys((full, bare)) if f]


def header_signature(headers: list[str]) -> str:
    return hashlib.sha256("\x1f".join(normalize_header(h) for h in headers).encode()).hexdigest()


def recognize(importer: Importer, headers: list[str]) -> dict[str, str]:
    """{column index: field key} by label and alias; each field at most once, exact forms first."""
    out: dict[str, str] = {}
    used: set[str] = set()
    forms = [_header_forms(h) for h in headers]
    for depth in (0, 1):
        for i, fs in enumerate(forms):
            if str(i) in out or len(fs) <= depth:
                continue
            for col in importer.columns:
                if col.key not in used and fs[depth] in col.names():
                    out[str(i)] = col.key
                    used.add(col.key)
                    break
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


def suggest_mapping(importer: Importer, headers: list[str]) -> tuple[dict[str, str], bool]:
    """(mapping, remembered): the mapping a user confirmed before for this header layout, else the
    recognised one."""
    remembered = ImportMapping.objects.filter(
        importer=importer.key, header_signature=header_signature(headers)
    ).first()
    if remembered is not None:
        known = {c.key for c in importer.columns}
        mapping = {
            str(i): k
            for i, k in remembered.mapping.items()
            if k in known and str(i).isdigit() and int(i) < len(headers)
        }
        if mapping:
            return mapping, True
    return recognize(importer, headers), False


def check_mapping(importer: Importer, headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    seen: set[str] = set()
    for idx, key in mapping.items():
        if not key:
            continue
        if not str(idx).isdigit() or int(idx) >= len(headers):
            raise InvalidInput("列对应关系无效", field="mapping")
        col = importer.column(key)
        if col is None:
            raise InvalidInput(f"未知的字段：{key}", field="mapping")
        if key in seen:
            raise InvalidInput(f"“{col.label}”对应了多列，请只保留一列", field="mapping")
        seen.add(key)
        clean[str(idx)] = key
    missing = [c.label for c in importer.columns if c.required and c.key not in seen]
    if missing:
        raise InvalidInput(f"以下必填字段没有对应的列：{'、'.join(missing)}", field="mapping")
    return dict(sorted(clean.items(), key=lambda kv: int(kv[0])))


# --- services --------------------------------------------------------------------------------------


def _checked(chunks, name: str, limit: int) -> Iterator[bytes]:
    """The upload's chunks, refused at the first bytes when those decide (an encrypted workbook) and
    stopped as soon as the size passes the import limit (nothing more is written)."""
    it = iter(chunks)
    head = b""
    for chunk in it:
        head += chunk
        if len(head) >= 8:
            break
    checks.check_head(head, name)
    size = 0
    for chunk in chain([head] if head else [], it):
        size += len(chunk)
        if size > limit:
            raise checks.too_large()
        yield chunk


def _delete_stored(f: StoredFile | None) -> None:
    if f is not None:
        f.remove_files()
        StoredFile.objects.filter(pk=f.pk).delete()


def job_create(
    *,
    actor,
    importer_key: str,
    name: str,
    chunks,
    mode: str = ImportJob.Mode.ALL_OR_NOTHING,
    context: dict | None = None,
) -> ImportJob:
    """Store and check the upload, read its headers in the child process, and propose a mapping. The
    job waits in MAPPING. No transaction is held while the file is parsed."""
    from ..uploads import store

    importer = get(importer_key)
    if not importer.permission(actor):
        raise PermissionDenied()
    if mode not in ImportJob.Mode.values:
        raise InvalidInput("请选择导入方式", field="mode")
    if isinstance(chunks, bytes | bytearray):
        chunks = [bytes(chunks)]
    stored = store(
        actor=actor,
        purpose_name="core.import",
        name=name,
        chunks=_checked(chunks, name, checks.max_bytes()),
        # Removed by the job when it ends; this is the backstop for an upload never confirmed.
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    try:
        kind = checks.check_file(stored.path, stored.original_name)
        # The parsed rows stay beside the upload, so the run reads them without parsing again.
        sheet = reader.read(
            stored.path,
            kind,
            timeout=int(getattr(settings, "IMPORT_UPLOAD_PARSE_TIMEOUT", 50)),
            out=stored.sidecar(ROWS),
        )
        headers, count, header_row = sheet.headers, sheet.count, sheet.header_row
        mapping, remembered = suggest_mapping(importer, headers)
        previous = ImportJob.objects.filter(
            importer=importer.key, source_sha256=stored.sha256, status=ImportJob.Status.DONE
        ).exists()
        with transaction.atomic():
            job = ImportJob.objects.create(
                importer=importer.key,
                source=stored,
                source_name=stored.original_name,
                source_sha256=stored.sha256,
                mode=mode,
                headers=headers,
                mapping=mapping,
                rows_total=count,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                context={
                    **(context or {}),
                    "kind": kind,
                    "header_row": header_row,
                    "first_row": sheet.first_row,
                    "imported_before": previous,
                    "remembered": remembered,
                },
            )
            audit.record(
                actor=actor,
                action="import_upload",
                obj=job,
                after={"importer": importer.key, "file": stored.original_name, "rows": count, "mode": mode},
            )
    except BaseException:
        _delete_stored(stored)
        raise
    return job


@transaction.atomic
def job_confirm(
    *, actor, job: ImportJob, mapping: dict[str, str], mode: str | None = None, enqueue: bool = True
) -> ImportJob:
    """Confirm the column mapping (remembered for this header layout) and queue the job."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    importer = get(job.importer)
    if not importer.permission(actor):
        raise PermissionDenied()
    if job.status != ImportJob.Status.MAPPING:
        raise ServiceError("该导入任务已确认或已取消，不能重复提交", code="already_confirmed")
    job.mapping = check_mapping(importer, job.headers, mapping)
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
        job_id = str(job.pk)
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


def job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Abandon a job not yet running; its upload is deleted at once."""
    if not get(job.importer).permission(actor):
        raise PermissionDenied()
    with transaction.atomic():
        n = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportJob.Status.MAPPING, ImportJob.Status.QUEUED]
        ).update(
            status=ImportJob.Status.FAILED,
            message="已取消，上传的文件已删除",
            finished_at=timezone.now(),
        )
        if not n:
            raise ServiceError("导入已开始或已结束，不能取消", code="not_cancellable")
        audit.record(actor=actor, action="import_cancel", obj=job)
    job.refresh_from_db()
    _discard_source(job)
    return job


def _enqueue(job_id: str) -> None:
    from ..tasks import run_import_task

    run_import_task(job_id)


# --- running a job ---------------------------------------------------------------------------------

_listeners: list[Callable[[ImportJob], None]] = []


class listen:
    """``with listen(callback): run_job(...)``: ``callback(job)`` on every progress step, including the
    ones not yet visible in the database (the terminal command's progress line)."""

    def __init__(self, callback: Callable[[ImportJob], None]):
        self.callback = callback

    def __enter__(self):
        _listeners.append(self.callback)
        return self

    def __exit__(self, *exc):
        _listeners.remove(self.callback)


class _Progress:
    """The running job's counters. ``set`` writes them in a short statement of its own, never from inside
    the import's transaction (other connections could not see them before it commits, and on SQLite the
    page polling for progress must not wait on the importer's write lock); ``persist=False`` only tells
    the listeners."""

    def __init__(self, job: ImportJob):
        self.job = job

    def set(self, *, persist: bool = True, **fields) -> None:
        for k, v in fields.items():
            setattr(self.job, k, v)
        if persist:
            ImportJob.objects.filter(pk=self.job.pk).update(**fields)
        for listener in list(_listeners):
            listener(self.job)

    def phase(self, name: str) -> None:
        self.job.context = {**self.job.context, "phase": name}
        self.set(context=self.job.context, rows_done=0)


@dataclasses.dataclass
class _BadRow:
    row: int  # the row number as Excel shows it
    column: str  # the column's label
    value: str
    reason: str


class _ErrorSink:
    """Bad rows written straight into the error workbook as they come (constant memory)."""

    def __init__(self, importer: Importer):
        self.importer = importer
        self.sensitive = {c.label for c in importer.columns if c.sensitive}
        self.ledger: Ledger | None = None
        self.rows = 0
        self._last = None

    def add(self, bad: _BadRow) -> None:
        if self.ledger is None:
            self.ledger = Ledger(
                title=f"{self.importer.label}导入错误报告",
                columns=["行号", "列", "值", "原因"],
                sheet_name="错误",
            )
        value = mask(bad.value) if bad.column in self.sensitive else bad.value
        self.ledger.add([bad.row, bad.column, value, bad.reason])
        if bad.row != self._last:
            self.rows += 1
            self._last = bad.row

    def store(self, job: ImportJob) -> StoredFile | None:
        from ..uploads import store

        if self.ledger is None:
            return None
        data = self.ledger.to_bytes()
        self.ledger = None
        return store(
            actor=job.created_by,
            purpose_name="core.report",
            name=f"{self.importer.label}导入错误报告.xlsx",
            chunks=data,
            expires_at=timezone.now() + dt.timedelta(days=ERROR_REPORT_DAYS),
        )

    def discard(self) -> None:
        if self.ledger is not None:
            self.ledger.discard()
            self.ledger = None


def _values(mapping: dict[str, str], cells: list[str]) -> dict[str, str]:
    return {key: (cells[int(idx)] if int(idx) < len(cells) else "") for idx, key in mapping.items()}


def _row_errors(importer: Importer, line: int, values: dict, exc: Exception) -> list[_BadRow]:
    """An exception raised by ``validate_row``/``apply_row`` as report rows."""
    if isinstance(exc, RowError):
        col = importer.column(exc.column)
        return [
            _BadRow(
                line, col.label if col else "", str(values.get(exc.column, "")) if col else "", exc.reason
            )
        ]
    if isinstance(exc, ServiceError):
        col = importer.column(exc.field)
        return [
            _BadRow(
                line, col.label if col else "", str(values.get(exc.field, "")) if col else "", exc.message
            )
        ]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            out = []
            for field, errors in exc.error_dict.items():
                col = importer.column(field)
                for msg in ValidationError(errors).messages:
                    out.append(
                        _BadRow(
                            line, col.label if col else "", str(values.get(field, "")) if col else "", msg
                        )
                    )
            return out
        return [_BadRow(line, "", "", "；".join(exc.messages))]
    if isinstance(exc, IntegrityError):
        return [_BadRow(line, "", "", "与已有数据冲突，未能保存")]
    raise exc


_ROW_EXCEPTIONS = (RowError, ServiceError, ValidationError)


class _Rows:
    """Validation of the data rows: required cells, ``validate_row``, natural-key duplicates."""

    def __init__(self, importer: Importer, mapping: dict[str, str]):
        self.importer = importer
        self.mapping = mapping
        self.required = [c for c in importer.columns if c.required and c.key in mapping.values()]
        self.seen: dict[tuple, int] = {}
        self.index = [(int(idx), key) for idx, key in mapping.items()]  # _values, without int() a cell

    def clean(self, line: int, cells: list[str]) -> tuple[dict | None, dict, list[_BadRow]]:
        width = len(cells)
        values = {key: (cells[i] if i < width else "") for i, key in self.index}
        missing = [c for c in self.required if not values[c.key].strip()]
        if missing:
            return None, values, [_BadRow(line, c.label, "", "必填项为空") for c in missing]
        try:
            cleaned = self.importer.validate_row(values)
        except _ROW_EXCEPTIONS as exc:
            return None, values, _row_errors(self.importer, line, values, exc)
        key = self.importer.key_of(cleaned)
        if key is not None:
            first = self.seen.get(key)
            if first is not None:
                col = self.importer.column(self.importer.natural_key[0])
                return (
                    None,
                    values,
                    [
                        _BadRow(
                            line,
                            col.label if col else "",
                            values.get(col.key, "") if col else "",
                            f"与第 {first} 行重复",
                        )
                    ],
                )
        return cleaned, values, []

    def remember(self, line: int, cleaned: dict) -> None:
        key = self.importer.key_of(cleaned)
        if key is not None:
            self.seen.setdefault(key, line)


def _apply(importer: Importer, cleaned: dict, actor) -> str:
    with transaction.atomic():
        result = importer.apply_row(cleaned, actor=actor)
    if result not in RESULTS:
        raise TypeError(f"{type(importer).__name__}.apply_row returned {result!r}")
    return result


def _apply_batch(importer: Importer, rows: list[dict], actor) -> list[str | Exception]:
    """``importer.apply_rows`` in a savepoint; a batch the database refuses as a whole is rolled back and
    applied again row by row (see ``Importer.apply_rows``)."""
    if type(importer).apply_rows is Importer.apply_rows:
        results = importer.apply_rows(rows, actor)
    else:
        try:
            with transaction.atomic():
                results = importer.apply_rows(rows, actor)
        except IntegrityError:
            importer.rolled_back()
            results = Importer.apply_rows(importer, rows, actor)
    if len(results) != len(rows) or not all(r in RESULTS or isinstance(r, Exception) for r in results):
        raise TypeError(f"{type(importer).__name__}.apply_rows returned {results!r}")
    return results


class _Rollback(Exception):
    pass


def _write(importer, rows: _Rows, batch, sink: _ErrorSink, counts: dict, actor) -> None:
    """Clean and apply one batch of (line, cells); bad rows go to ``sink``."""
    valid: list[tuple[int, dict, dict]] = []
    for line, cells in batch:
        cleaned, values, errors = rows.clean(line, cells)
        for e in errors:
            sink.add(e)
        if cleaned is not None:
            rows.remember(line, cleaned)
            valid.append((line, cleaned, values))
    if not valid:
        return
    results = _apply_batch(importer, [cleaned for _, cleaned, _ in valid], actor)
    for (line, _, values), result in zip(valid, results, strict=True):
        if isinstance(result, Exception):
            for e in _row_errors(importer, line, values, result):
                sink.add(e)
        else:
            counts[result] += 1


def _run_all_or_nothing(importer, job, sheet, sink: _ErrorSink, progress: _Progress, actor) -> dict:
    counts = dict.fromkeys(RESULTS, 0)
    rows = _Rows(importer, job.mapping)
    progress.phase("validate")
    for n, (line, cells) in enumerate(sheet.rows(), start=1):
        cleaned, _, errors = rows.clean(line, cells)
        for e in errors:
            sink.add(e)
        if cleaned is not None:
            rows.remember(line, cleaned)
        if n % BATCH == 0:
            progress.set(rows_done=n)
    progress.set(rows_done=sheet.count)
    if sink.rows:
        return counts
    # Every row is valid: write them all in one transaction (each batch in a savepoint, so that every
    # row the database refuses is reported), then roll everything back if any was. Progress is only
    # reported to listeners meanwhile: the database cannot show it before the commit anyway.
    progress.phase("write")
    rows = _Rows(importer, job.mapping)
    done = 0
    it = sheet.rows()
    try:
        with transaction.atomic():
            while batch := list(islice(it, importer.batch_size)):
                _write(importer, rows, batch, sink, counts, actor)
                done += len(batch)
                progress.set(persist=False, rows_done=done)
            if sink.rows:
                raise _Rollback
    except _Rollback:
        importer.rolled_back()
        return dict.fromkeys(RESULTS, 0)
    return counts


def _run_valid_only(importer, job, sheet, sink: _ErrorSink, progress: _Progress, actor) -> dict:
    counts = dict.fromkeys(RESULTS, 0)
    rows = _Rows(importer, job.mapping)
    progress.phase("write")
    done = 0
    it = sheet.rows()
    while batch := list(islice(it, importer.batch_size)):
        with transaction.atomic():  # each batch commits on its own: no long write transaction
            _write(importer, rows, batch, sink, counts, actor)
        done += len(batch)
        # Committed rows are counted as they commit, so a job that fails later still tells the truth.
        progress.set(
            rows_done=done,
            created_count=counts["created"],
            updated_count=counts["updated"],
            unchanged_count=counts["unchanged"],
            error_count=sink.rows,
        )
    return counts


_collector_lock = threading.Lock()
_collector = {"runs": 0, "threshold": gc.get_threshold()}
RUN_GC_THRESHOLD = 50_000  # young-generation allocations between collections while a run is on


@contextlib.contextmanager
def _fewer_collections():
    """While a run is on, the objects the process already holds (Django, the app, an importer's index
    of known names) are frozen out of the cyclic collector, and its young generation is collected every
    50,000 allocations instead of every 700: a run allocates a few dozen objects per row, and the
    default passes cost a million-row run about a tenth of its time. Restored when the last concurrent
    run ends; garbage cycles are still collected, later."""
    with _collector_lock:
        _collector["runs"] += 1
        if _collector["runs"] == 1:
            gc.freeze()
            _collector["threshold"] = gc.get_threshold()
            gc.set_threshold(RUN_GC_THRESHOLD, *_collector["threshold"][1:])
    try:
        yield
    finally:
        with _collector_lock:
            _collector["runs"] -= 1
            if _collector["runs"] == 0:
                gc.set_threshold(*_collector["threshold"])
                gc.unfreeze()


def run_job(job_id) -> ImportJob:
    """Validate and apply a confirmed job (the huey task calls this). Only a QUEUED job is taken, by a
    conditional update, so a job runs once even if it is queued twice."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, rows_done=0
    )
    job = ImportJob.objects.select_related("created_by", "source").get(pk=job_id)
    if not claimed:
        return job
    with _fewer_collections():
        return _run(job)


def _run(job: ImportJob) -> ImportJob:
    actor = job.created_by
    importer = get(job.importer, actor=actor, job=job)
    progress = _Progress(job)
    progress.set(persist=False)
    sink = _ErrorSink(importer)
    counts = dict.fromkeys(RESULTS, 0)
    # What the job ends as if it is interrupted (worker shutdown) before reaching a verdict.
    final: dict = {"status": ImportJob.Status.FAILED, "message": "导入被中断，请重新上传导入"}
    try:
        if actor is None or not actor.is_active or not importer.permission(actor):
            raise InvalidInput("导入人已没有执行此导入的权限", code="permission_denied")
        if job.source is None or not job.source.path.exists():
            raise InvalidInput("上传的文件已不存在，请重新上传", field="file")
        with _sheet(job) as sheet:
            progress.set(rows_total=sheet.count)
            if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
                counts = _run_all_or_nothing(importer, job, sheet, sink, progress, actor)
            else:
                counts = _run_valid_only(importer, job, sheet, sink, progress, actor)
        final = _verdict(job, counts, sink.rows)
        if final.get("status") == ImportJob.Status.DONE:
            with transaction.atomic():
                importer.finished(job, counts)
    except InvalidInput as exc:
        final = {"status": ImportJob.Status.FAILED, "message": exc.message}
    except Exception:
        logger.exception("import job %s failed", job.pk)
        if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
            counts = dict.fromkeys(RESULTS, 0)
            message = "导入过程中出现系统错误，未导入任何数据，请联系管理员"
        else:
            counts = {
                "created": job.created_count,
                "updated": job.updated_count,
                "unchanged": job.unchanged_count,
            }
            message = "导入过程中出现系统错误，已提交的行保留（见计数），请联系管理员"
        final = {"status": ImportJob.Status.FAILED, "message": message}
    finally:
        try:
            report = sink.store(job)
        except Exception:
            logger.exception("import job %s: the error report could not be stored", job.pk)
            report = None
        finally:
            sink.discard()
            _discard_source(job)
        progress.set(
            **final,
            created_count=counts["created"],
            updated_count=counts["updated"],
            unchanged_count=counts["unchanged"],
            error_count=sink.rows,
            error_report=report,
            finished_at=timezone.now(),
            context={k: v for k, v in job.context.items() if k != "phase"},
        )
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


def _sheet(job: ImportJob) -> reader.Sheet:
    """The job's rows: as parsed at upload, or parsed again if those are gone."""
    parsed = job.source.sidecar(ROWS)
    if parsed.exists() and "first_row" in job.context:
        return reader.Sheet(
            headers=job.headers,
            header_row=job.context["header_row"],
            count=job.rows_total,
            path=parsed,
            first_row=job.context["first_row"],
        )
    return reader.read(job.source.path, job.context.get("kind", checks.XLSX))


def _verdict(job: ImportJob, counts: dict, bad_rows: int) -> dict:
    if job.mode == ImportJob.Mode.ALL_OR_NOTHING and bad_rows:
        return {
            "status": ImportJob.Status.REJECTED,
            "rows_done": job.rows_total,
            "message": f"有 {bad_rows} 行错误，未导入任何数据。请下载错误报告，修改后重新导入",
        }
    message = f"导入完成：新增{counts['created']}条，更新{counts['updated']}条，未变化{counts['unchanged']}条"
    if bad_rows:
        message += f"；{bad_rows} 行有错误未导入，见错误报告"
    return {"status": ImportJob.Status.DONE, "rows_done": job.rows_total, "message": message}


def _discard_source(job: ImportJob) -> None:
    """Rosters are not kept: the uploaded file goes as soon as the job is over."""
    if job.source_id:
        _delete_stored(StoredFile.objects.filter(pk=job.source_id).first())
        job.source = None


# --- selectors -------------------------------------------------------------------------------------


def jobs_for(user):
    """The jobs ``user`` started (a superuser sees all), for importers they may still run. An import's
    file names and error reports concern the people in it, so colleagues do not see each other's."""
    keys = [key for key, cls in _importers.items() if cls().permission(user)]  # listed or not
    qs = ImportJob.objects.filter(importer__in=keys)
    if not user.is_superuser:
        qs = qs.filter(created_by=user)
    return qs.select_related("created_by")


def job_for(user, job_id) -> ImportJob:
    job = jobs_for(user).select_related("source", "error_report").filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job
