"""Benchmark of the transparency ledger: appending, then proofs from the stored tree.

    make bench                                          # every benchmark, embedded SQLite
    python bench/ledger.py [--leaves 1000000] [--batch 1000] [--proofs 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanxin_bench_ledger python bench/ledger.py ...

1. **Appending** ``--leaves`` events in batches of ``--batch`` through ``ledger.services.append_many``,
   each batch one transaction as a roster import's batch is: the lock on the ledger's size, a salted
   commitment to each canonical (RFC 8785) event, the leaves, their private openings and every perfect
   subtree the batch completes, written set-oriented; after each commit the tree head is signed
   (Ed25519) and kept. Leaves per second and the statements per 1,000 leaves.

2. **Proofs from the stored ledger**: ``--proofs`` inclusion proofs (random tree size, random index in
   it) and as many consistency proofs (random pair of sizes) through ``ledger.selectors``: median and
   p95 time per proof and the database reads per proof (``CaptureQueriesContext``), against

   - the floor: one raw SQL read of the same nodes by primary key (what any stored proof needs);
   - the naive baseline: every leaf of the tree read and the proof computed by the pure module
     (``merkle.inclusion_proof`` over all the leaves), on a few samples only.

   Every proof is checked against the root of its tree (``merkle.verify_inclusion`` /
   ``verify_consistency``), so the timings are of correct answers.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
os.environ.setdefault("SANXIN_ENV", "development")
if "DATABASE_URL" not in os.environ:
    os.environ["SANXIN_DATA_DIR"] = tempfile.mkdtemp(prefix="sanxin-bench-ledger-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from forking import publish  # noqa: E402

NAIVE_SAMPLES = 5


def reset() -> None:
    from huey.contrib.djhuey import HUEY

    call_command("flush", interactive=False, verbosity=0)
    HUEY.immediate = True  # the head is signed right after each batch commits, as the task would


def event(i: int) -> tuple[str, dict, None]:
    """A membership event as the ledger takes it: ids, codes and dates only."""
    return (
        "members.moved",
        {
            "member_id": 100_000 + i,
            "relation": "formal",
            "from_org_id": 1 + i % 5000,
            "to_org_id": 1 + (i * 7) % 5000,
            "on": f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": "transfer",
        },
        None,
    )


def append_case(leaves: int, batch: int) -> dict:
    from sanxin.transfers.ledger import selectors, services
    from sanxin.transfers.ledger.models import LedgerHead

    t = time.perf_counter()
    statements = 0
    last = t
    for start in range(0, leaves, batch):
        entries = [event(i) for i in range(start, min(leaves, start + batch))]
        if start == batch:  # a batch appended to a non-empty tree, counted apart from the timing
            with CaptureQueriesContext(connection) as ctx:
                services.append_many(entries)
            statements = len(ctx.captured_queries)
        else:
            services.append_many(entries)
        if time.perf_counter() - last > 30:
            last = time.perf_counter()
            done = start + len(entries)
            print(f"  appended {done:,} leaves, {done / (last - t):,.0f}/s", file=sys.stderr)
    secs = time.perf_counter() - t
    assert selectors.size() == leaves
    return {"seconds": secs, "statements": statements, "heads": LedgerHead.objects.count()}


def _stats(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def proof_case(size: int, proofs: int) -> list[tuple[str, int, float, float, int]]:
    """(case, count, median ms, p95 ms, max reads per proof)."""
    from sanxin.transfers import merkle
    from sanxin.transfers.ledger import selectors
    from sanxin.transfers.ledger.models import LedgerLeaf, LedgerNode, node_key

    rng = random.Random(7)
    inclusions = []
    for _ in range(proofs):
        n = rng.randrange(1, size + 1)
        inclusions.append((rng.randrange(n), n))
    consistencies = []
    for _ in range(proofs):
        n = rng.randrange(1, size + 1)
        consistencies.append((rng.randrange(1, n + 1), n))

    def run(pairs, fn) -> tuple[list[float], int]:
        times = []
        for a, b in pairs:
            t = time.perf_counter()
            fn(a, b)
            times.append((time.perf_counter() - t) * 1000)
        reads = 0
        for a, b in pairs:
            with CaptureQueriesContext(connection) as ctx:
                fn(a, b)
            reads = max(reads, len(ctx.captured_queries))
        return times, reads

    # correctness first: each proof verifies against the root of its tree
    roots = {}
    for i, n in inclusions[:50]:
        roots.setdefault(n, selectors.root(n))
        leaf = bytes(LedgerLeaf.objects.get(pk=i).commitment)
        assert merkle.verify_inclusion(leaf, i, n, selectors.inclusion(i, n), roots[n])
    for m, n in consistencies[:50]:
        old, new = selectors.root(m), selectors.root(n)
        assert merkle.verify_consistency(m, n, old, new, selectors.consistency(m, n))

    table = LedgerNode._meta.db_table

    def floor(i, n):
        keys = [node_key(*k) for k in merkle.nodes_for_inclusion(i, n)]
        if not keys:
            return []
        marks = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cur:
            cur.execute(f"SELECT key, hash FROM {table} WHERE key IN ({marks})", keys)  # noqa: S608
            return cur.fetchall()

    def naive(i, n):
        leaves = [
            bytes(c)
            for c in LedgerLeaf.objects.filter(index__lt=n)
            .order_by("index")
            .values_list("commitment", flat=True)
        ]
        return merkle.inclusion_proof(leaves, i)

    out = []
    for name, pairs, fn in [
        ("inclusion proof — `selectors.inclusion(index, size)`", inclusions, selectors.inclusion),
        ("consistency proof — `selectors.consistency(first, second)`", consistencies, selectors.consistency),
        ("root of a random size — `selectors.root(size)`", inclusions, lambda i, n: selectors.root(n)),
        ("floor: the inclusion proof's nodes by primary key, raw SQL", inclusions, floor),
    ]:
        times, reads = run(pairs, fn)
        out.append((name, len(pairs), *_stats(times), reads))
    big = sorted(inclusions, key=lambda p: -p[1])[:NAIVE_SAMPLES]
    assert all(naive(i, n) == selectors.inclusion(i, n) for i, n in big[:1])
    times, reads = run(big, naive)
    out.append(
        (
            f"naive: all leaves of the tree read, proof by the pure module (the {len(big)} largest sizes)",
            len(big),
            *_stats(times),
            reads,
        )
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--proofs", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    reset()
    appended = append_case(args.leaves, args.batch)
    print(f"appended {args.leaves:,} leaves in {appended['seconds']:.1f}s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    proofs = proof_case(args.leaves, args.proofs)
    vendor = connection.vendor
    per_thousand = appended["statements"] * 1000 / args.batch
    lines = [
        f"## transparency ledger, {vendor} — {args.leaves:,} leaves appended in batches of {args.batch:,}; "
        f"{args.proofs} proofs of each kind",
        "",
        "| append | leaves | seconds | leaves/s | statements per 1,000 leaves | signed heads |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `services.append_many` (commitments, openings, nodes; a signed head after each batch) "
        f"| {args.leaves:,} | {appended['seconds']:.1f} | {args.leaves / appended['seconds']:,.0f} "
        f"| {per_thousand:.0f} | {appended['heads']:,} |",
        "",
        f"| proofs from the stored tree of {args.leaves:,} leaves | proofs | median ms | p95 ms | reads per proof (max) |",
        "|---|---:|---:|---:|---:|",
        *[f"| {name} | {n:,} | {m:.2f} | {p:.2f} | {r} |" for name, n, m, p, r in proofs],
        "",
        f"Command: `{'DATABASE_URL=postgres://… ' if vendor == 'postgresql' else ''}python bench/ledger.py "
        f"--leaves {args.leaves} --batch {args.batch} --proofs {args.proofs}`",
        "",
    ]
    publish(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
