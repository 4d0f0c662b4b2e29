"""Reads of the transparency ledger. Roots and proofs come from the stored perfect subtrees: one read
of the tree size and one primary-key read of the O(log n) nodes a proof names, never the leaves."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.db.models import QuerySet

from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.scope import Scope
from sanxin.transfers import merkle

from . import note
from .models import LedgerHead, LedgerNode, LedgerOpening, LedgerState, node_key, node_of


def size() -> int:
    state = LedgerState.objects.filter(pk=1).values_list("size", flat=True).first()
    return state or 0


def nodes(wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    keys = [node_key(*n) for n in wanted]
    if not keys:
        return {}
    return {
        node_of(k): bytes(h) for k, h in LedgerNode.objects.filter(key__in=keys).values_list("key", "hash")
    }


def root(tree_size: int) -> bytes:
    return merkle.root_from(tree_size, nodes(merkle.root_nodes(tree_size)))


def _check_size(tree_size: int, field: str) -> None:
    current = size()
    if not 0 < tree_size <= current:
        raise InvalidInput(f"树大小应在 1 到 {current} 之间", field=field)


def inclusion(index: int, tree_size: int) -> list[bytes]:
    _check_size(tree_size, "size")
    if not 0 <= index < tree_size:
        raise InvalidInput("序号应小于树大小", field="index")
    got = nodes(merkle.nodes_for_inclusion(index, tree_size))
    return [merkle.range_hash(s, e, got) for s, e in merkle.inclusion_layout(index, tree_size)]


def consistency(first: int, second: int) -> list[bytes]:
    _check_size(second, "second")
    if not 0 < first <= second:
        raise InvalidInput("first 应在 1 到 second 之间", field="first")
    got = nodes(merkle.nodes_for_consistency(first, second))
    return [merkle.range_hash(s, e, got) for s, e in merkle.consistency_layout(first, second)]


# --- signed tree heads -------------------------------------------------------------------------------


def latest_head() -> LedgerHead:
    head = LedgerHead.objects.order_by("-size").first()
    if head is None:
        raise NotFound("账本尚无签名树头")
    return head


def head(tree_size: int) -> LedgerHead:
    found = LedgerHead.objects.filter(size=tree_size).first()
    if found is None:
        raise NotFound("没有该大小的签名树头")
    return found


def head_at_least(tree_size: int) -> LedgerHead:
    """The earliest signed head that includes a tree of ``tree_size`` leaves."""
    found = LedgerHead.objects.filter(size__gte=tree_size).order_by("size").first()
    if found is None:
        raise NotFound("该记录尚未被签名树头覆盖，请稍后再试")
    return found


def checkpoint(h: LedgerHead) -> note.Checkpoint:
    from .services import origin

    return note.Checkpoint(origin(), h.size, bytes(h.root), h.timestamp)


def signed_note(h: LedgerHead) -> str:
    from .services import public_keys

    public = public_keys().get(h.key_id)
    if public is None:
        raise NotFound("签名密钥已不可用")
    return note.signed_note(checkpoint(h), bytes(h.signature), public)


# --- openings (scoped) --------------------------------------------------------------------------------


def openings(scope: Scope) -> QuerySet[LedgerOpening]:
    return scope.filter(LedgerOpening.objects.select_related("leaf")).order_by("leaf_id")


def opening(scope: Scope, index: int) -> LedgerOpening:
    return scope.get(LedgerOpening.objects.select_related("leaf"), leaf_id=index)


def bundle(o: LedgerOpening) -> str:
    """The offline-verifiable proof bundle of an opened commitment against the earliest signed head
    that includes it."""
    if o.salt is None or o.event is None:
        raise NotFound("该记录的原文已按规定销毁，无法生成证明包")
    h = head_at_least(o.leaf_id + 1)
    proof = inclusion(o.leaf_id, h.size)
    return note.bundle(index=o.leaf_id, salt=bytes(o.salt), event=o.event, proof=proof, note=signed_note(h))


# --- a member's events, proven server-side ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Proven:
    """One opened event checked as its proof bundle is checked offline; ``size`` is the signed tree
    the inclusion is proven in (None when there is none), ``problem`` is empty when it verifies."""

    opening: LedgerOpening
    size: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def member_openings(member_id: int) -> QuerySet[LedgerOpening]:
    return LedgerOpening.objects.select_related("leaf").filter(member_id=member_id).order_by("leaf_id")


def latest_head_or_none() -> LedgerHead | None:
    return LedgerHead.objects.order_by("-size").first()


def prove(o: LedgerOpening, latest: LedgerHead | None) -> Proven:
    """What a proof bundle lets anyone check, done here for browsers without WebCrypto: the opening
    re-opens to the leaf's commitment; the commitment is included at its index in the earliest signed
    head that covers it (the bundle's head), whose signature verifies; and that head is consistent
    with the latest signed head. O(log n) node reads, never the leaves."""
    from .services import origin, public_keys

    if o.salt is None or o.event is None:
        return Proven(o, None, "原文已按规定销毁，无法验证")
    if latest is None or latest.size <= o.leaf_id:
        return Proven(o, None, "尚未被签名树头覆盖，请稍后再看")
    commitment = bytes(o.leaf.commitment)
    if note.commitment(bytes(o.salt), o.event) != commitment:
        return Proven(o, None, "打开值与承诺值不符")
    h = head_at_least(o.leaf_id + 1)
    keys = public_keys()
    for signed in (h, latest):
        public = keys.get(signed.key_id)
        cp = note.Checkpoint(origin(), signed.size, bytes(signed.root), signed.timestamp)
        if public is None or not note.verify_signature(cp, bytes(signed.signature), public):
            return Proven(o, h.size, f"大小为 {signed.size} 的签名树头签名无效")
    if not merkle.verify_inclusion(
        commitment, o.leaf_id, h.size, inclusion(o.leaf_id, h.size), bytes(h.root)
    ):
        return Proven(o, h.size, f"包含证明与大小为 {h.size} 的签名树头的根哈希不符")
    if h.size != latest.size and not merkle.verify_consistency(
        h.size, latest.size, bytes(h.root), bytes(latest.root), consistency(h.size, latest.size)
    ):
        return Proven(o, h.size, f"大小为 {h.size} 的树头与最新签名树头（{latest.size}）不一致")
    return Proven(o, h.size)
