"""Writes of the transparency ledger: appending events, signing tree heads, crypto-shredding openings.

``append`` runs inside the caller's transaction and takes the ledger's one lock first (a row lock on
PostgreSQL; on SQLite the IMMEDIATE transaction already serializes writers), so leaf indexes are dense
and every perfect subtree completed by the append is written with it. A tree head is signed after the
appending transaction commits, and by a periodic task whenever the tree grew.
"""

from __future__ import annotations

import os
import time

import rfc8785
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxin.core import audit
from sanxin.core.errors import InvalidInput
from sanxin.transfers import keys, merkle

from . import note, selectors
from .models import LedgerHead, LedgerLeaf, LedgerNode, LedgerOpening, LedgerState, node_key

VERSION = 1
ALG = "Ed25519"


# --- keys -------------------------------------------------------------------------------------------


def signing_keys() -> tuple[tuple[str, object], ...]:
    """``((kid, Ed25519PrivateKey), ...)`` from ``SANXIN_LEDGER_KEYS`` (the first signs), read by the
    module's one key loader (``transfers.keys``: outside production a key derived from SECRET_KEY)."""
    return tuple((k.kid, k.private) for k in keys.signing_keys("LEDGER_KEYS", purpose="ledger"))


def public_keys() -> dict[str, bytes]:
    return {kid: note.public_bytes(key.public_key()) for kid, key in signing_keys()}


def origin() -> str:
    return settings.LEDGER_ORIGIN


def reset_key_cache() -> None:
    signing_keys.cache_clear()


# --- appending ---------------------------------------------------------------------------------------


def canonical(kind: str, event: dict) -> str:
    """The versioned canonical encoding (RFC 8785) of an event: ids, codes and dates only."""
    return rfc8785.dumps({"v": VERSION, "kind": kind, **event}).decode()


def _lock() -> LedgerState:
    state = LedgerState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        try:
            with transaction.atomic():
                LedgerState.objects.create(pk=1, size=0)
        except IntegrityError:
            pass  # created by a concurrent first appender
        state = LedgerState.objects.select_for_update().get(pk=1)
    return state


@transaction.atomic
def append_many(entries: list[tuple[str, dict, int | None]]) -> list[LedgerLeaf]:
    """Append ``(kind, event, member_id)`` entries as consecutive leaves; returns the leaves."""
    if not entries:
        return []
    for kind, event, _ in entries:
        if not kind or len(kind) > 40:
            raise InvalidInput("事件类型无效", field="kind")
        if not isinstance(event, dict) or "kind" in event or "v" in event:
            raise InvalidInput("事件内容无效", field="event")
    state = _lock()
    size = state.size
    now = timezone.now()
    openings, leaves = [], []
    for offset, (kind, event, member_id) in enumerate(entries):
        text = canonical(kind, event)
        salt = os.urandom(note.SALT_SIZE)
        leaf = LedgerLeaf(
            index=size + offset, commitment=note.commitment(salt, text), kind=kind, created_at=now
        )
        leaves.append(leaf)
        openings.append(LedgerOpening(leaf=leaf, member_id=member_id, version=VERSION, salt=salt, event=text))
    peaks = selectors.nodes(merkle.root_nodes(size)) if size else {}
    completed = merkle.new_nodes(size, [bytes(leaf.commitment) for leaf in leaves], peaks.__getitem__)
    LedgerLeaf.objects.bulk_create(leaves, batch_size=2000)
    LedgerOpening.objects.bulk_create(openings, batch_size=2000)
    LedgerNode.objects.bulk_create(
        [LedgerNode(key=node_key(*n), hash=h) for n, h in completed.items()], batch_size=2000
    )
    state.size = size + len(entries)
    state.save(update_fields=["size"])
    transaction.on_commit(_sign_after_commit)
    return leaves


def append(*, kind: str, event: dict, member_id: int | None = None) -> LedgerLeaf:
    """Append one event (inside the caller's transaction); the tree head is signed after commit."""
    return append_many([(kind, event, member_id)])[0]


def _sign_after_commit() -> None:
    from .tasks import sign_head_task

    sign_head_task()


def sign_head() -> LedgerHead | None:
    """Sign the current tree if no head of its size exists yet; every head is kept."""
    with transaction.atomic():
        state = LedgerState.objects.filter(pk=1).first()
        if state is None or state.size == 0:
            return None
        existing = LedgerHead.objects.filter(size=state.size).first()
        if existing is not None:
            return existing
        root = selectors.root(state.size)
        kid, key = signing_keys()[0]
        cp = note.Checkpoint(origin(), state.size, root, int(time.time() * 1000))
        try:
            with transaction.atomic():
                return LedgerHead.objects.create(
                    size=cp.size, root=root, timestamp=cp.timestamp, key_id=kid, signature=note.sign(cp, key)
                )
        except IntegrityError:  # signed concurrently
            return LedgerHead.objects.get(size=state.size)


@transaction.atomic
def opening_shred(*, actor, index: int, reason: str) -> LedgerOpening:
    """Crypto-shredding (PIPL erasure): the salt and the event are deleted; the commitment stays in the
    tree, so every root and proof still verifies, and nothing about the event can be recovered."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写原因", field="reason")
    opening = LedgerOpening.objects.select_for_update().get(pk=index)
    before = {"shredded": opening.shredded_at is not None}
    LedgerOpening.objects.filter(pk=index).update(salt=None, event=None, shredded_at=timezone.now())
    opening.refresh_from_db()
    audit.record(
        actor=actor,
        action="ledger_shred",
        obj=opening,
        before=before,
        after={"shredded": True, "reason": reason},
    )
    return opening


def catch_up() -> int:
    """Deliver, now and in event order, the recorded events the ledger has not taken yet (the demo, or
    after the task consumer was down). Idempotent: a delivery that is done is not run again."""
    from sanxin.core import events
    from sanxin.core.models import Event, EventDelivery

    from .hooks import MEMBER_EVENTS, TRANSFER_EVENTS

    names = [*MEMBER_EVENTS, *TRANSFER_EVENTS, "members.imported"]
    before = selectors.size()
    done = EventDelivery.objects.filter(
        subscriber__startswith="transfers.ledger.", status=EventDelivery.Status.DONE
    ).values("event_id")
    for event_id in (
        Event.objects.filter(name__in=names).exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)
    ):
        for delivery_id in events.dispatch(event_id):
            delivery = EventDelivery.objects.get(pk=delivery_id)
            if delivery.subscriber.startswith("transfers.ledger."):
                events.deliver(delivery_id)
    return selectors.size() - before
