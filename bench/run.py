"""Benchmarks of the core's hot paths, each against the raw-SQL floor and a naive baseline in the
same run. Results go to bench/results.md (committed).

    make bench                       # embedded SQLite
    DATABASE_URL=postgres://... make bench

1. Subtree filter: the Scope's range predicate (path >= p AND path < p_next) vs Django's
   ``__startswith`` (LIKE, which SQLite cannot serve from the index) vs a raw SQL range query.
2. Scope building: grants → Scope for one request (the per-request cost every page pays).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ:
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

N_ORGS = int(os.environ.get("BENCH_ORGS", "200000"))
REPEAT = 15


def timed(fn, repeat=REPEAT):
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def build_orgs(n: int) -> None:
    """n orgs in a 4-level tree written straight into the table (the generator of the scale issue will
    do this through services); paths follow treebeard's steplen 4."""
    from sanxin.core.models import Region
    from sanxin.orgs.models import Org

    Region.objects.get_or_create(code="390100000000", defaults={"name": "新河市", "level": 2})
    alphabet = Org.alphabet

    def step(i):
        out = ""
        for _ in range(4):
            out = alphabet[i % 36] + out
            i //= 36
        return out

    rows, k = [], 0
    fan = max(2, round(n**0.25))
    for a in range(1, fan + 1):
        for b in range(1, fan + 1):
            for c in range(1, fan + 1):
                for d in range(1, fan + 1):
                    if k >= n:
                        break
                    path = step(a) + step(b) + step(c) + step(d)
                    rows.append(
                        Org(
                            path=path,
                            depth=4,
                            numchild=0,
                            code=f"B{k:015d}",
                            name=f"支部{k}",
                            org_type="branch",
                            region_id="390100000000",
                            founded_on="2020-01-01",
                        )
                    )
                    k += 1
    Org.objects.bulk_create(rows, batch_size=5000)


def main() -> int:
    call_command("migrate", verbosity=0)
    from sanxin.core.query import prefix_q
    from sanxin.orgs.models import Org

    if Org.objects.count() < N_ORGS:
        Org.objects.all().delete()
        t = time.perf_counter()
        build_orgs(N_ORGS)
        print(f"built {Org.objects.count()} orgs in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    prefix = Org.objects.order_by("path").values_list("path", flat=True)[len(Org.objects.all()) // 3][:8]
    table = Org._meta.db_table

    def ours():
        return Org.objects.filter(prefix_q("path", prefix)).count()

    def naive():
        return Org.objects.filter(path__startswith=prefix).count()

    def floor():
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE path >= %s AND path < %s", [prefix, hi])  # noqa: S608
            return cur.fetchone()[0]

    assert ours() == naive() == floor()
    sub = ours()
    results = [
        ("subtree count: Scope range predicate (ours)", timed(ours)),
        ("subtree count: __startswith / LIKE (naive)", timed(naive)),
        ("subtree count: raw SQL range (floor)", timed(floor)),
    ]

    from django.contrib.auth import get_user_model

    from sanxin.accounts.services import grant_create
    from sanxin.core.scope import scope_for

    user, _ = get_user_model().objects.get_or_create(username="bench")
    if not user.grants.exists():
        for org in Org.objects.order_by("path")[:5]:
            grant_create(actor=None, user=user, role="org_department", org=org)

    def build_scope():
        user.__dict__.pop("_sanxin_grants", None)
        return scope_for(user, "orgs", "view")

    results.append(("scope_for(): 5 grants → Scope, per request", timed(build_scope, 50)))
    vendor = connection.vendor
    lines = [
        f"## {vendor} — {Org.objects.count():,} orgs, subtree of {sub:,} rows, median of {REPEAT} runs",
        "",
        "| case | ms |",
        "|---|---:|",
        *[f"| {name} | {ms:.2f} |" for name, ms in results],
        "",
    ]
    print("\n".join(lines))
    out = Path(__file__).with_name("results.md")
    existing = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n\n"
    header = lines[0].split(" — ")[0]
    kept = [block for block in existing.split("\n## ") if not block.startswith(header[3:])]
    out.write_text("\n## ".join(kept).rstrip() + "\n\n" + "\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
