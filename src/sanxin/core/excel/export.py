"""Styled ledger workbooks (台账) with xlsxwriter: one frozen bold header row with Chinese column
names, an autofilter, sensible widths (a CJK character counts double), dates as dates in Asia/Shanghai.
``constant_memory`` keeps large exports flat in memory: each row goes to a temporary file as it is
added, so a queryset is streamed with ``iterator()``.

Cells are always written as strings, numbers or dates, never as formulas or links: a value such as
``=HYPERLINK(...)`` that came from user input stays text (no formula injection).

    path = export_ledger(qs, [("name", "名称"), ("org__name", "所属党组织"), (lambda r: ..., "状态")],
                         title="党组织台账")
    return ledger_response(qs, columns, title="党组织台账", filename="党组织台账")   # in a view
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone

from ..errors import InvalidInput

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576 - 1  # Excel's sheet size, less the header row
MIN_WIDTH, MAX_HEADER_WIDTH, MAX_WIDTH = 8, 40, 60

Column = tuple[str | Callable[[Any], Any], str]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


class Ledger:
    """Worksheets written row by row: the first is opened with the ledger, ``sheet()`` starts the
    next (a dossier's sections). Use as a context manager, or call ``close()`` (returns the path; the
    caller removes the file) or ``to_bytes()``; ``discard()`` after a failure."""

    def __init__(self, *, title: str, columns: list[str], sheet_name: str = "台账"):
        fd, self.path = tempfile.mkstemp(prefix="sanxin-ledger-", suffix=".xlsx")
        os.close(fd)
        self.wb = xlsxwriter.Workbook(
            self.path,
            {
                "constant_memory": True,
                "tmpdir": tempfile.gettempdir(),
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self.wb.set_properties({"title": title, "author": "三新党建智慧平台"})
        self.header = self.wb.add_format(
            {
                "bold": True,
                "bg_color": "#F4E1E1",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.date = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = self.wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.closed = False
        self.ws = None
        self.sheet(sheet_name, columns)

    def sheet(self, name: str, columns: list[str]) -> None:
        """Finish the current worksheet and start the next, with its own header row."""
        self._finish_sheet()
        for ch in "[]:*?/\\":
            name = name.replace(ch, "_")
        self.ws = self.wb.add_worksheet(name[:31] or "台账")
        self.columns = list(columns)
        self.widths = [max(MIN_WIDTH, min(MAX_HEADER_WIDTH, _width(c) + 2)) for c in self.columns]
        for i, c in enumerate(self.columns):
            self.ws.write_string(0, i, c, self.header)
        self.ws.set_row(0, 22)
        self.ws.freeze_panes(1, 0)
        self.row = 1

    def _finish_sheet(self) -> None:
        if self.ws is None:
            return
        for i, w in enumerate(self.widths):
            self.ws.set_column(i, i, w)
        if self.row > 1 and self.columns:
            self.ws.autofilter(0, 0, self.row - 1, len(self.columns) - 1)

    def add(self, values: list[Any]) -> None:
        if self.row > MAX_ROWS:
            raise InvalidInput(
                f"导出行数超过 Excel 单表上限（{MAX_ROWS} 行），请缩小筛选范围后再导出", code="too_many_rows"
            )
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, dt.datetime):
                if timezone.is_aware(v):
                    v = timezone.localtime(v).replace(tzinfo=None)
                self.ws.write_datetime(self.row, i, v, self.datetime)
            elif isinstance(v, dt.date):
                self.ws.write_datetime(self.row, i, dt.datetime.combine(v, dt.time()), self.date)
            elif isinstance(v, bool):
                self.ws.write_string(self.row, i, "是" if v else "否")
            elif isinstance(v, int | float | decimal.Decimal) and abs(v) < 10**15:
                # Beyond 15 digits Excel loses precision (identifiers, codes): keep those as text.
                self.ws.write_number(self.row, i, float(v) if isinstance(v, decimal.Decimal) else v)
            else:
                text = str(v)[:32767]  # Excel's cell limit
                self.ws.write_string(self.row, i, text)
                if i < len(self.widths):
                    self.widths[i] = max(self.widths[i], min(MAX_WIDTH, _width(text) + 2))
        self.row += 1

    def close(self) -> str:
        if not self.closed:
            self.closed = True
            self._finish_sheet()
            self.wb.close()
        return self.path

    def discard(self) -> None:
        try:
            self.close()
        finally:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def to_bytes(self) -> bytes:
        path = self.close()
        try:
            with open(path, "rb") as fh:
                return fh.read()
        finally:
            os.unlink(path)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:
            self.discard()


def _getter(spec: str | Callable[[Any], Any]) -> Callable[[Any], Any]:
    if callable(spec):
        return spec
    parts = spec.replace("__", ".").split(".")

    def get(row):
        value = row
        for part in parts:
            if value is None:
                return None
            value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if callable(value) and not isinstance(value, type):
            value = value()  # get_status_display and friends
        return value

    return get


def export_ledger(rows: Iterable[Any] | QuerySet, columns: list[Column], *, title: str) -> str:
    """Write ``rows`` (model instances, dicts...) with ``columns`` — ``[(attribute, 中文列名)]`` where
    the attribute may follow relations (``"org__name"``) or be a callable of the row — to a temporary
    xlsx and return its path (the caller removes it; ``ledger_response`` does). A queryset is
    streamed."""
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=2000)
    getters = [_getter(spec) for spec, _ in columns]
    with Ledger(title=title, columns=[label for _, label in columns]) as ledger:
        for row in rows:
            ledger.add([g(row) for g in getters])
        return ledger.close()


def export_ledger_bytes(rows: Iterable[Any] | QuerySet, columns: list[Column], *, title: str) -> bytes:
    path = export_ledger(rows, columns, title=title)
    try:
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)


class _DeletingFile:
    """A file object that removes its file once the response has been sent."""

    def __init__(self, path: str):
        self.path = path
        self.fh = open(path, "rb")

    def read(self, *a):
        return self.fh.read(*a)

    def close(self):
        self.fh.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def ledger_response(rows: Iterable[Any], columns: list[Column], *, title: str, filename: str) -> FileResponse:
    """The ledger as a download: ``<filename>-<YYYYMMDD>.xlsx``, sent as an attachment."""
    return workbook_response(export_ledger(rows, columns, title=title), filename=filename)


def workbook_response(path: str, *, filename: str) -> FileResponse:
    """A written workbook (``Ledger.close()``'s path) as a download, removed once sent."""
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = FileResponse(
        _DeletingFile(path),
        as_attachment=True,
        filename=f"{filename}-{stamp}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Length"] = str(os.path.getsize(path))
    response["Cache-Control"] = "private, no-store"
    return response
