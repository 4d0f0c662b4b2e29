"""Styled ledger workbooks (台账) with xlsxwriter: one frozen bold header row with Chinese column
names, sensible widths, dates as dates. ``constant_memory`` keeps large exports flat in memory: rows go
to a temporary file as they are added."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone


class Ledger:
    def __init__(self, *, title: str, columns: list[str], sheet_name: str = "台账"):
        fd, self.path = tempfile.mkstemp(prefix="sanxin-ledger-", suffix=".xlsx")
        os.close(fd)
        self.wb = xlsxwriter.Workbook(
            self.path,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.wb.set_properties({"title": title, "author": "三新党建智慧平台"})
        self.ws = self.wb.add_worksheet(sheet_name[:31])
        self.header = self.wb.add_format(
            {"bold": True, "bg_color": "#F4E1E1", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.date = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = self.wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.widths = [max(8, min(40, _width(c) + 2)) for c in columns]
        for i, c in enumerate(columns):
            self.ws.write_string(0, i, c, self.header)
        self.ws.freeze_panes(1, 0)
        self.ws.set_row(0, 22)
        self.row = 1
        self.columns = columns

    def add(self, values: list[Any]) -> None:
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, dt.datetime):
                self.ws.write_datetime(
                    self.row,
                    i,
                    timezone.localtime(v).replace(tzinfo=None) if timezone.is_aware(v) else v,
                    self.datetime,
                )
            elif isinstance(v, dt.date):
                self.ws.write_datetime(self.row, i, dt.datetime.combine(v, dt.time()), self.date)
            elif isinstance(v, bool):
                self.ws.write_string(self.row, i, "是" if v else "否")
            elif isinstance(v, int | float):
                self.ws.write_number(self.row, i, v)
            else:
                text = str(v)
                self.ws.write_string(self.row, i, text)
                if i < len(self.widths):
                    self.widths[i] = max(self.widths[i], min(60, _width(text) + 2))
        self.row += 1

    def close(self) -> str:
        for i, w in enumerate(self.widths):
            self.ws.set_column(i, i, w)
        if self.row > 1:
            self.ws.autofilter(0, 0, self.row - 1, len(self.columns) - 1)
        self.wb.close()
        return self.path

    def to_bytes(self) -> bytes:
        path = self.close()
        try:
            with open(path, "rb") as fh:
                return fh.read()
        finally:
            os.unlink(path)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


Column = tuple[str | Callable[[Any], Any], str]


def export_ledger(rows: Iterable[Any], columns: list[Column], *, title: str) -> str:
    """Write ``rows`` (model instances, dicts...) with ``columns`` [(attribute or callable, 中文列名)]
    to a temporary xlsx; returns its path (the caller removes it)."""
    ledger = Ledger(title=title, columns=[label for _, label in columns])
    for row in rows:
        values = []
        for getter, _ in columns:
            if callable(getter):
                values.append(getter(row))
            elif isinstance(row, dict):
                values.append(row.get(getter))
            else:
                values.append(getattr(row, getter, None))
        ledger.add(values)
    return ledger.close()


class _DeletingFile:
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
    path = export_ledger(rows, columns, title=title)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return FileResponse(
        _DeletingFile(path),
        as_attachment=True,
        filename=f"{filename}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
