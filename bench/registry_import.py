"""Benchmark of 数据比对 (registry extract import) and the coverage computation.

    make bench                                   # both benchmarks, embedded SQLite
    python bench/registry_import.py [--rows 1000000] [--known 200000] [--fuzzy 5000]
    DATABASE_URL=postgres://... python bench/registry_import.py ...

For each format (.csv and .xlsx) it starts from a database of ``--known`` organizations and an extract
of ``--rows`` rows in which every known organization appears by credit code (a quarter of them with a
changed address) and the rest are new, then measures, in the same run:

- the floor, as the issue words it: the child-process parse of the file (calamine for .xlsx, the same
  streaming reader the import uses for .csv) plus a bulk insert of every parsed column of every row
  (COPY on PostgreSQL, executemany on SQLite) into a scratch table of text columns without index, key
  or constraint, plus one aggregate query (COUNT, COUNT DISTINCT of the credit code);
- the exact-code path: the full import through the import framework (upload with its checks and
  parse, then the run in valid-rows-only mode: validation, matching, writes, audit, reconciliation);
- then, from the known organizations again, the fuzzy-name path: ``--fuzzy`` rows without credit
  codes matched by name similarity against them (declared for another industry, so that the
  reconciliation flags nothing and the figure is the matching);
- the coverage computation (rates by industry) over the organizations after the import;

with rows per second and peak memory. Each case runs in a forked process of its own, so the peak
resident memory of the server side (the process that imports) is that case's alone; the parsing child
is reported apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ:
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-registry-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from forking import forked, publish, write_sheet  # noqa: E402
from stdnum.cn import uscc  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def code(i: int) -> str:
    body = "91390102" + "".join(ALPHABET[(i // 31**k) % 31] for k in range(9))
    return body + uscc.calc_check_digit(body)


def setup_known(n: int) -> None:
    from sanxin.core.models import Industry, Region
    from sanxin.registry.models import Organization
    from sanxin.registry.services import normalize_name

    Region.objects.get_or_create(code="390000000000", defaults={"name": "东江省", "level": 1})
    Region.objects.get_or_create(
        code="390100000000", defaults={"name": "新河市", "level": 2, "parent_id": "390000000000"}
    )
    Region.objects.get_or_create(
        code="390102000000", defaults={"name": "新城区", "level": 3, "parent_id": "390100000000"}
    )
    Industry.objects.get_or_create(code="express", defaults={"name": "快递外卖"})
    Industry.objects.get_or_create(code="transport", defaults={"name": "交通运输"})
    rows = []
    for i in range(n):
        name = f"新河基准企业{i:07d}有限公司"
        rows.append(
            Organization(
                name=name,
                normalized_name=normalize_name(name),
                credit_code=code(i),
                region_id="390102000000",
                industry_id="express",
                registered_on=dt.date(2020, 1, 1),
            )
        )
        if len(rows) == 5000:
            Organization.objects.bulk_create(rows)
            rows = []
    Organization.objects.bulk_create(rows)


def write_extract(path: Path, rows: int, known: int, *, fuzzy: bool = False) -> None:
    rng = random.Random(7)
    picks = iter(rng.sample(range(known), rows)) if fuzzy else None
    header = ["统一社会信用代码", "企业名称", "住所", "成立日期", "登记机关"]

    def lines():
        for i in range(rows):
            if fuzzy:
                j = next(picks)
                yield ["", f"新河基准企业{j:07d}公司分部", "", "2021-01-01", ""]
            else:
                name = f"新河基准企业{i:07d}有限公司" if i < known else f"新河新登记企业{i:07d}有限公司"
                address = f"新河市新城区{i % 500}号" if i % 4 else ""  # known ones: a quarter change
                yield [code(i), name, address, "2021-01-01", "新城区市场监督管理局"]

    write_sheet(path, "登记信息", header, lines())


def floor(path: Path) -> tuple[float, int]:
    """Parse in the child process + a bulk insert of every parsed column of every row into a scratch
    table (COPY on PostgreSQL, executemany on SQLite) + one aggregate."""
    from sanxin.core.excel import checks, reader

    t = time.perf_counter()
    n = 0
    with reader.read(path, checks.check_file(path, path.name)) as sheet:
        width = len(sheet.headers)
        columns = ", ".join(f"c{i} text" for i in range(width))
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_floor")
            cur.execute(f"CREATE TABLE bench_floor ({columns})")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur, cur.copy("COPY bench_floor FROM STDIN") as copy:
                for _line, cells in sheet.rows():
                    copy.write_row((cells + [""] * width)[:width])
                    n += 1
        else:
            sql = f"INSERT INTO bench_floor VALUES ({', '.join(['%s'] * width)})"  # noqa: S608
            batch = []
            for _line, cells in sheet.rows():
                batch.append((cells + [""] * width)[:width])
                if len(batch) == 10000:
                    with connection.cursor() as cur:
                        cur.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            with connection.cursor() as cur:
                cur.executemany(sql, batch)
            n += len(batch)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), COUNT(DISTINCT c0) FROM bench_floor")
        cur.fetchone()
        cur.execute("DROP TABLE bench_floor")
    return time.perf_counter() - t, n


def run_import(path: Path, actor, industry: str = "express") -> tuple[float, object]:
    from sanxin.core.excel import importer as imp
    from sanxin.core.models import Industry, Region
    from sanxin.registry import extracts

    extract = extracts.extract_declare(
        actor=actor,
        source="market",
        region=Region.objects.get(code="390102000000"),
        industry=Industry.objects.get(code=industry),
        as_of=dt.date(2026, 10, 31),
    )
    t = time.perf_counter()
    with open(path, "rb") as fh:
        job = extracts.extract_upload(
            actor=actor,
            extract=extract,
            name=path.name,
            chunks=iter(lambda: fh.read(1 << 20), b""),
            mode="valid",
        )
    uploaded = time.perf_counter() - t
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    job = imp.run_job(job.pk)
    total = time.perf_counter() - t
    print(
        f"  {path.name}: upload {uploaded:.1f}s, run {total - uploaded:.1f}s: {job.message}", file=sys.stderr
    )
    return total, job


def import_case(path: Path, industry: str = "express"):
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(username="bench-admin")
    secs, job = run_import(path, actor, industry)
    return secs, {
        "status": job.status,
        "rows": job.rows_total,
        "created": job.created_count,
        "matched": job.updated_count + job.unchanged_count,
        "updated": job.updated_count,
        "errors": job.error_count,
    }


def coverage_case():
    from sanxin.core.scope import Scope
    from sanxin.registry import coverage
    from sanxin.registry.models import Organization

    t = time.perf_counter()
    coverage.rates_by(Scope.all(), dt.date(2026, 11, 1), "industry_id")
    return time.perf_counter() - t, Organization.objects.count()


def reset(known: int) -> None:
    from django.contrib.auth import get_user_model

    call_command("flush", interactive=False, verbosity=0)
    get_user_model().objects.create(username="bench-admin", is_superuser=True)
    t = time.perf_counter()
    setup_known(known)
    print(f"{known:,} known organizations ready in {time.perf_counter() - t:.1f}s", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--known", type=int, default=200_000)
    parser.add_argument("--fuzzy", type=int, default=5_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    work = Path(tempfile.mkdtemp(prefix="sanxin-bench-files-"))
    limits = {
        "IMPORT_MAX_BYTES": 1 << 31,
        "IMPORT_MAX_ROWS": args.rows + 10,
        "IMPORT_MAX_PARSED_BYTES": 1 << 31,
        "IMPORT_PARSE_TIMEOUT": 3600,
        "IMPORT_MAX_UNCOMPRESSED_BYTES": 1 << 32,
        "IMPORT_UPLOAD_PARSE_TIMEOUT": 3600,
        "IMPORT_MEMORY_LIMIT_BYTES": 4 << 30,  # calamine holds a million-row sheet in the child
    }
    rows = []
    coverage_line = ""
    insert = "COPY" if connection.vendor == "postgresql" else "executemany"
    with override_settings(**limits):
        for fmt in args.formats.split(","):
            path = work / f"extract.{fmt}"
            t = time.perf_counter()
            write_extract(path, args.rows, args.known)
            size = path.stat().st_size / 1024 / 1024
            print(f"{path.name}: {size:.0f} MB written in {time.perf_counter() - t:.1f}s", file=sys.stderr)
            reset(args.known)
            (secs, n), peak, child = forked(floor, path)
            rows.append(
                (
                    f"{fmt} ({size:.0f} MB): floor — parse in the child + {insert} of every column + one aggregate",
                    n,
                    secs,
                    peak,
                    child,
                )
            )
            floor_secs = secs
            (secs, job), peak, child = forked(import_case, path)
            rows.append(
                (
                    f"{fmt}: exact-code path — full import ({job['status']}: +{job['created']:,} new, "
                    f"{job['matched']:,} matched of which {job['updated']:,} changed; "
                    f"{secs / floor_secs:.1f}× the floor)",
                    job["rows"],
                    secs,
                    peak,
                    child,
                )
            )
            (secs, count), _, _ = forked(coverage_case)
            coverage_line = f"Coverage rates by industry over {count:,} organizations: {secs * 1000:.0f} ms."
        fuzzy = work / "fuzzy.csv"
        write_extract(fuzzy, args.fuzzy, args.known, fuzzy=True)
        reset(args.known)
        (secs, job), peak, child = forked(import_case, fuzzy, "transport")
        rows.append(
            (
                f"csv: fuzzy-name path — {job['matched']:,} matched by name similarity against "
                f"{args.known:,} names ({job['status']})",
                job["rows"],
                secs,
                peak,
                child,
            )
        )
    lines = [
        f"## registry import, {connection.vendor} — {args.rows:,}-row extract against {args.known:,} known "
        f"organizations",
        "",
        "| case | rows | seconds | rows/s | peak MB (importing process) | peak MB (parsing child) |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {name} | {n:,} | {s:.1f} | {n / s:,.0f} | {p:.0f} | {c:.0f} |" for name, n, s, p, c in rows],
        "",
        coverage_line,
        f"Command: `{'DATABASE_URL=postgres://… ' if connection.vendor == 'postgresql' else ''}python "
        f"bench/registry_import.py --rows {args.rows} --known {args.known} --fuzzy {args.fuzzy}`",
        "",
    ]
    publish(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
