"""Runs in a child process with a memory limit: parse one spreadsheet, write its rows as JSON lines.

    python -m sanxin.core.excel._child <path> <kind> <out> <max_rows> <memory_limit_bytes>

Exit codes: 0 ok, 3 too many rows, 4 unreadable. A crafted file that makes the parser allocate too
much dies here (MemoryError or the kernel's limit), never in the server.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v).strip()


def _rows_excel(path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    sheet = wb.get_sheet_by_index(0)
    yield from sheet.iter_rows()


def _rows_csv(path):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, encoding=encoding, newline="") as fh:
                for _ in fh:
                    pass
        except UnicodeDecodeError:
            continue
        with open(path, encoding=encoding, newline="") as fh:
            yield from csv.reader(fh)
        return
    raise ValueError("encoding")


def main(argv: list[str]) -> int:
    import resource

    path, kind, out, max_rows, limit = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    rows = _rows_csv(path) if kind == "csv" else _rows_excel(path)
    n = 0
    try:
        with open(out, "w", encoding="utf-8") as fh:
            for row in rows:
                cells = [_cell(v) for v in row]
                if not any(cells):
                    continue
                n += 1
                if n > max_rows + 1:
                    return 3
                fh.write(json.dumps(cells, ensure_ascii=False))
                fh.write("\n")
    except MemoryError:
        return 5
    except Exception as exc:
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
