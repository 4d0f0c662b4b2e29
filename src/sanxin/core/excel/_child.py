"""Runs in a child process under an address-space limit: parse one spreadsheet, write its data rows
as JSON lines, print a JSON summary (headers, counts) on stdout.

    python -m sanxin.core.excel._child <path> <kind> <out> <max_rows> <memory_limit> <max_output>

A crafted file that makes the parser allocate too much dies here (MemoryError, or the Rust
allocator aborting at the kernel's limit), never in the server. The output is bounded too, so a
workbook whose shared strings multiply on expansion cannot fill the disk or the parent's memory.

Each output line is ``[index, [cell, ...]]``; ``index`` counts the rows the parser yielded (empty ones
included) and the summary's ``first_row`` turns it into the sheet's own 1-based row number, the one the
user sees in Excel. Trailing empty cells are dropped; empty rows are not written.

This module must import nothing from Django or the project: it runs before any settings exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

# Exit codes the parent (reader.py) translates into Chinese messages.
EXIT_TOO_MANY_ROWS = 3
EXIT_UNREADABLE = 4
EXIT_MEMORY = 5
EXIT_TOO_WIDE = 6
EXIT_TOO_BIG = 7
EXIT_ENCODING = 8
EXIT_NO_SHEET = 9

MAX_COLUMNS = 256
# The header is the first row with two or more filled cells among the first rows (title rows such as
# "XX市行政区划代码表" above the header hold a single merged cell); failing that, the first row.
HEADER_SCAN = 10
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# How an allocation failing at the address-space limit shows in a Rust panic's message.
_MEMORY_MARKERS = ("memerror", "memory allocation", "out of memory", "capacity overflow")


class Stop(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e17:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v).strip()


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


class ExcelSource:
    """The first visible worksheet of an xlsx/xls, through calamine."""

    def __init__(self, path: str):
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        self.wb = CalamineWorkbook.from_path(path)
        names = [
            m.name
            for m in self.wb.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ]
        if not names:
            raise Stop(EXIT_NO_SHEET)
        self.sheet = self.wb.get_sheet_by_name(names[0])
        self.yielded = 0

    def rows(self):
        for row in self.sheet.iter_rows():
            self.yielded += 1
            yield row

    def first_row(self) -> int:
        # calamine's iter_rows starts either at the sheet's first row or at the used range's first row
        # depending on the version; the used range's last row is known either way.
        end = self.sheet.end
        if end is None or not self.yielded:
            return 1
        return end[0] + 2 - self.yielded


class CsvSource:
    """CSV streamed with the csv module: UTF-8 (with or without BOM), else GB18030 (Excel's "CSV" on a
    Chinese Windows). Tab-separated text saved as .csv is recognised by its first line."""

    def __init__(self, path: str):
        self.path = path
        self.encoding = None
        for encoding in CSV_ENCODINGS:
            try:
                with open(path, encoding=encoding, newline="") as fh:
                    while fh.read(1 << 20):
                        pass
            except UnicodeDecodeError:
                continue
            self.encoding = encoding
            break
        if self.encoding is None:
            raise Stop(EXIT_ENCODING)

    def rows(self):
        with open(self.path, encoding=self.encoding, newline="") as fh:
            first = fh.readline(1 << 16)
            fh.seek(0)
            delimiter = "\t" if first.count("\t") > first.count(",") else ","
            yield from csv.reader(fh, delimiter=delimiter)

    def first_row(self) -> int:
        return 1


def extract(rows, out, *, max_rows: int, max_output: int) -> dict:
    """Write the data rows after the header to ``out`` (binary); return the summary."""
    pending: list[tuple[int, list[str]]] = []
    header: tuple[int, list[str]] | None = None
    count = 0
    size = 0

    def emit(index: int, cells: list[str]) -> None:
        nonlocal count, size
        count += 1
        if count > max_rows:
            raise Stop(EXIT_TOO_MANY_ROWS)
        line = json.dumps([index, cells], ensure_ascii=False).encode() + b"\n"
        size += len(line)
        if size > max_output:
            raise Stop(EXIT_TOO_BIG)
        out.write(line)

    for index, row in enumerate(rows):
        cells = _trim([cell_text(v) for v in row])
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise Stop(EXIT_TOO_WIDE)
        if header is not None:
            emit(index, cells)
            continue
        pending.append((index, cells))
        if sum(1 for c in cells if c) >= 2:
            header = pending[-1]  # rows above it were titles
            pending = []
        elif len(pending) >= HEADER_SCAN:
            header, rest = pending[0], pending[1:]
            pending = []
            for i, c in rest:
                emit(i, c)
    if header is None and pending:
        header, rest = pending[0], pending[1:]
        for i, c in rest:
            emit(i, c)
    return {
        "headers": header[1] if header else [],
        "header_index": header[0] if header else None,
        "rows": count,
    }


def main(argv: list[str]) -> int:
    import resource

    path, kind, out = argv[0], argv[1], argv[2]
    max_rows, limit, max_output = int(argv[3]), int(argv[4]), int(argv[5])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A backstop to the explicit output count: no file this process writes grows past it.
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_output + (1 << 20), max_output + (1 << 20)))
    try:
        source = CsvSource(path) if kind == "csv" else ExcelSource(path)
        with open(out, "wb") as fh:
            summary = extract(source.rows(), fh, max_rows=max_rows, max_output=max_output)
        summary["first_row"] = source.first_row()
    except Stop as stop:
        return stop.code
    except MemoryError:
        return EXIT_MEMORY
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # a Rust panic reaches Python as pyo3's PanicException (BaseException)
        text = str(exc).lower()
        if any(m in text for m in _MEMORY_MARKERS):
            return EXIT_MEMORY
        # The type only: messages can quote cell contents, which must not reach the logs.
        sys.stderr.write(f"{type(exc).__name__}\n")
        return EXIT_UNREADABLE
    sys.stdout.buffer.write(json.dumps(summary, ensure_ascii=False).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
