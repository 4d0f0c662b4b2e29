"""Benchmark of 数据比对 (registry extract import) and the coverage computation.

    python bench/registry_import.py [--rows 1000000] [--known 200000] [--fuzzy 20000]
    DATABASE_URL=postgres://... python bench/registry_import.py ...

It generates a database of ``--known`` organizations and an extract of ``--rows`` rows (CSV and
xlsx) in which every known organization appears by credit code and the rest are new, then measures,
in the same run:

- the floor: the child-process parse of the file plus a bulk insert (executemany) into a scratch
  table plus one aggregate query;
- the exact-code path: the full import through the import framework (valid-rows-only mode);
- the fuzzy-name path: ``--fuzzy`` rows without credit codes matched by name similarity;
- the coverage computation (rates by industry) over the result;

with rows per second and the peak memory of this process (the server side) and of the parsing child.
Results are appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
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
from stdnum.cn import uscc  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def code(i: int) -> str:
    body = "91390102" + "".join(ALPHABET[(i // 31**k) % 31] for k in range(9))
    return body + uscc.calc_check_digit(body)


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


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
    if Organization.objects.count() >= n:
        return
    Organization.objects.all().delete()
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
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["统一社会信用代码", "企业名称", "住所", "成立日期", "登记机关"])
        for i in range(rows):
            if fuzzy:
                j = rng.randrange(known)
                w.writerow(["", f"新河基准企业{j:07d}公司分部", "", "2021-01-01", ""])
            else:
                name = f"新河基准企业{i:07d}有限公司" if i < known else f"新河新登记企业{i:07d}有限公司"
                w.writerow([code(i), name, f"新河市新城区{i % 500}号", "2021-01-01", "新城区市场监督管理局"])


def floor(path: Path) -> tuple[float, int]:
    """Parse in the child process + executemany into a scratch table + one aggregate."""
    from sanxin.core.excel import checks, reader

    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor")
        cur.execute("CREATE TABLE bench_floor (code varchar(18), name varchar(200))")
    n = 0
    with reader.read(path, checks.check_file(path, path.name)) as sheet:
        batch = []
        for _line, cells in sheet.rows():
            batch.append((cells[0], cells[1]))
            if len(batch) == 10000:
                with connection.cursor() as cur:
                    cur.executemany("INSERT INTO bench_floor VALUES (%s, %s)", batch)
                n += len(batch)
                batch = []
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO bench_floor VALUES (%s, %s)", batch)
        n += len(batch)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), COUNT(DISTINCT code) FROM bench_floor")
        cur.fetchone()
        cur.execute("DROP TABLE bench_floor")
    return time.perf_counter() - t, n


def run_import(path: Path, actor) -> tuple[float, object]:
    from sanxin.core.excel import importer as imp
    from sanxin.core.models import Industry, Region
    from sanxin.registry import extracts

    extract = extracts.extract_declare(
        actor=actor,
        source="market",
        region=Region.objects.get(code="390102000000"),
        industry=Industry.objects.get(code="express"),
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
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    job = imp.run_job(job.pk)
    return time.perf_counter() - t, job


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--known", type=int, default=200_000)
    parser.add_argument("--fuzzy", type=int, default=20_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from sanxin.core.scope import Scope
    from sanxin.registry import coverage

    actor, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    t = time.perf_counter()
    setup_known(args.known)
    print(f"known organizations ready in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="sanxin-bench-files-"))
    exact, fuzzy = work / "extract.csv", work / "fuzzy.csv"
    write_extract(exact, args.rows, args.known)
    write_extract(fuzzy, args.fuzzy, args.known, fuzzy=True)
    limits = {
        "IMPORT_MAX_BYTES": 1 << 30,
        "IMPORT_MAX_ROWS": args.rows + 10,
        "IMPORT_MAX_PARSED_BYTES": 1 << 31,
        "IMPORT_PARSE_TIMEOUT": 3600,
    }
    results = []
    with override_settings(**limits):
        secs, n = floor(exact)
        results.append(("floor: parse in the child + executemany + one aggregate", n, secs))
        secs, job = run_import(exact, actor)
        results.append(
            (
                f"exact-code path: full import ({job.status}, +{job.created_count} new, "
                f"{job.unchanged_count + job.updated_count} matched)",
                job.rows_total,
                secs,
            )
        )
        secs, job = run_import(fuzzy, actor)
        results.append((f"fuzzy-name path ({job.status})", job.rows_total, secs))
    t = time.perf_counter()
    coverage.rates_by(Scope.all(), dt.date(2026, 11, 1), "industry_id")
    cov_ms = (time.perf_counter() - t) * 1000
    from sanxin.registry.models import Organization

    lines = [
        f"## registry import, {connection.vendor} — {args.rows:,}-row extract against {args.known:,} known "
        f"organizations",
        "",
        "| case | rows | seconds | rows/s |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {n:,} | {s:.1f} | {n / s:,.0f} |" for name, n, s in results],
        f"| coverage rates by industry over {Organization.objects.count():,} organizations | | {cov_ms / 1000:.3f} | |",
        "",
        f"Peak memory: this process (the server side) {peak_mb():.0f} MB; the parsing child "
        f"{peak_mb(resource.RUSAGE_CHILDREN):.0f} MB.",
        f"Command: `python bench/registry_import.py --rows {args.rows} --known {args.known} --fuzzy {args.fuzzy}`",
        "",
    ]
    print("\n".join(lines))
    out = Path(__file__).with_name("results.md")
    out.write_text(out.read_text(encoding="utf-8").rstrip() + "\n\n" + "\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
