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


def measure(label: str, case, subjects: list, repeat: int, *, describe=str) -> dict:
    """Warm up on the first subject, then ``repeat`` runs (subject by subject, cycling), ours and the
    floor alternating which goes first; every result compared. ``case`` is (ours, floor, ours_rows,
    floor_rows): the two callables of a subject and what each returns made comparable. Returns the
    median and p95 in milliseconds of each."""
    import time

    ours, floor, ours_rows, floor_rows = case
    times = {"ours": [], "floor": []}
    for n in range(repeat + 1):
        subject = subjects[n % len(subjects)]
        out = {}
        for name in ("ours", "floor") if n % 2 else ("floor", "ours"):
            fn = ours if name == "ours" else floor
            t = time.perf_counter()
            out[name] = fn(subject)
            if n:  # the first run warms up
                times[name].append((time.perf_counter() - t) * 1000)
        a, b = ours_rows(out["ours"]), floor_rows(out["floor"])
        if a != b:
            diff = [(x, y) for x, y in zip(a, b, strict=False) if x != y][:5]
            raise AssertionError(
                f"ours and the floor disagree for {label} ({describe(subject)}): {len(a)} against "
                f"{len(b)} rows; first differing rows (ours, floor): {diff!r}"
            )
    return {k: stats(v) for k, v in times.items()}


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (inclusive quantiles) of a case's times."""
    import statistics

    if len(samples) < 2:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[18]
