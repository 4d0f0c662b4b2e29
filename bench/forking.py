"""What the benchmarks share: the input file written as .xlsx or .csv, each case in a forked process of
its own (so that the peak resident memory reported is that case's alone, and its parsing child's
apart), and the results section printed and appended to results.md."""

from __future__ import annotations

import csv
import resource
from collections.abc import Iterable
from pathlib import Path

from django.db import connection


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def forked(fn, *args):
    """``fn(*args)`` in a forked process: (its result, its peak RSS in MB, its children's peak in MB)."""
    import multiprocessing

    connection.close()  # the child opens its own
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child():
        try:
            result = fn(*args)
            queue.put(("ok", result, peak_mb(), peak_mb(resource.RUSAGE_CHILDREN)))
        except BaseException as exc:  # report, then fail the benchmark in the parent
            queue.put(("error", repr(exc), 0, 0))
        finally:
            connection.close()

    proc = ctx.Process(target=child)
    proc.start()
    status, result, peak, children = queue.get()
    proc.join()
    if status != "ok":
        raise RuntimeError(result)
    return result, peak, children


def write_sheet(path: Path, sheet_name: str, header: list[str], lines: Iterable[list]) -> None:
    """``header`` and ``lines`` to ``path``: an .xlsx (streamed, constant memory) or a UTF-8 .csv."""
    if path.suffix == ".xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, header)
        for n, line in enumerate(lines, start=1):
            sheet.write_row(n, 0, line)
        book.close()
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(lines)


def publish(lines: list[str]) -> None:
    """Print a benchmark's section and append it to ``bench/results.md``."""
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).with_name("results.md")
    out.write_text(out.read_text(encoding="utf-8").rstrip() + "\n\n" + text, encoding="utf-8")
