"""Two appenders racing on the ledger (PostgreSQL, two threads with their own connections and real
commits): the row lock on the ledger's size makes the second wait for the first, so the indexes stay
dense with no duplicate and no gap, each batch stays consecutive, every stored node and head agrees
with the leaves, and the head signed after both covers both. On SQLite the write transaction is
IMMEDIATE — the second writer waits at BEGIN — which is what the lock relies on there."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections

from sanxin.transfers import merkle
from sanxin.transfers.ledger import note, selectors, services
from sanxin.transfers.ledger.models import LedgerHead, LedgerLeaf, LedgerOpening

BATCHES = 12


@pytest.mark.django_db(transaction=True)
def test_two_appenders_keep_the_tree_dense_and_consistent(monkeypatch, db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    services.append(kind="test.event", event={"t": "seed", "n": 0})  # the state row exists
    real = selectors.nodes

    def slow(wanted):  # widen the window between reading the size and writing the leaves
        found = real(wanted)
        time.sleep(0.02)
        return found

    monkeypatch.setattr(selectors, "nodes", slow)
    barrier = threading.Barrier(2)
    errors: list[str] = []
    sizes = {"a": [1 + (k * 5) % 7 for k in range(BATCHES)], "b": [1 + (k * 3) % 5 for k in range(BATCHES)]}

    def appender(name: str):
        barrier.wait()
        try:
            n = 0
            for size in sizes[name]:
                services.append_many([("test.event", {"t": name, "n": n + k}, None) for k in range(size)])
                n += size
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appender, args=(name,)) for name in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    connection.close()
    assert errors == []
    total = 1 + sum(sizes["a"]) + sum(sizes["b"])
    assert selectors.size() == total
    assert list(LedgerLeaf.objects.order_by("index").values_list("index", flat=True)) == list(range(total))
    # every event once, and each batch's leaves consecutive and in order
    events = [
        json.loads(e) for e in LedgerOpening.objects.order_by("leaf_id").values_list("event", flat=True)
    ]
    for name in sizes:
        mine = [(i, e["n"]) for i, e in enumerate(events) if e.get("t") == name]
        assert [n for _, n in mine] == list(range(sum(sizes[name])))
        start = 0
        for size in sizes[name]:
            batch = [i for i, n in mine if start <= n < start + size]
            assert batch == list(range(batch[0], batch[0] + size))
            start += size
    # the stored tree is the tree of the leaves, and the head signed after both covers both
    services.sign_head()
    commitments = [
        bytes(c) for c in LedgerLeaf.objects.order_by("index").values_list("commitment", flat=True)
    ]
    head = selectors.latest_head()
    assert head.size == total and bytes(head.root) == merkle.root(commitments)
    public = services.public_keys()[head.key_id]
    assert note.parse_note(selectors.signed_note(head), public, services.origin()).size == total
    for h in LedgerHead.objects.order_by("size"):
        assert bytes(h.root) == merkle.root(commitments[: h.size])
        proof = selectors.consistency(h.size, total)
        assert merkle.verify_consistency(h.size, total, bytes(h.root), bytes(head.root), proof)
    call_command("ledger", "verify", "--no-membership")
