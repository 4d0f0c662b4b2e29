"""RFC 6962 / RFC 9162 Merkle tree hashing and proofs over ``bytes``. No Django here: the stored ledger,
the offline bundle checker and the tests share it.

- leaf hash ``H(0x00 || data)``, node hash ``H(0x01 || left || right)``, SHA-256, the empty tree's hash
  is ``H("")``; a tree of ``n`` leaves splits at the largest power of two smaller than ``n``.
- ``inclusion_proof`` / ``consistency_proof`` produce the audit paths of RFC 9162 §2.1.3.1 / §2.1.4.1;
  ``verify_inclusion`` / ``verify_consistency`` are the verification algorithms of §2.1.3.2 / §2.1.4.2.
- The proofs are also described as *layouts*: the leaf ranges ``[start, end)`` whose subtree hashes
  make up the proof, and every such range as the perfect subtrees (``(level, index)``: the ``2**level``
  leaves from ``index * 2**level``) it is made of. A store that keeps the perfect subtree hashes answers
  any root or proof from O(log n) of them (``range_hash``), without reading the leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, index): a perfect subtree of 2**level leaves


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + bytes(left) + bytes(right)).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- layouts: which subtrees make up a root or a proof --------------------------------------------------


def inclusion_layout(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form the audit path of leaf ``index`` in the tree of ``size`` leaves,
    from the leaf's sibling up (RFC 9162 §2.1.3.1, PATH(m, D[n]))."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    out: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    out.reverse()
    return out


def consistency_layout(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form the consistency proof from ``old_size`` to ``new_size`` (RFC 9162
    §2.1.4.1, PROOF(m, D[n]) = SUBPROOF(m, D[n], true))."""
    if not 0 < old_size <= new_size:
        raise ValueError("sizes out of range")
    out: list[tuple[int, int]] = []
    start, m, n, whole = 0, old_size, new_size, True
    while m != n:
        k = _split(n)
        if m <= k:
            out.append((start + k, start + n))
            n = k
        else:
            out.append((start, start + k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        out.append((start, start + n))
    out.reverse()
    return out


def perfect_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees that a range of the tree is made of, left to right. The ranges of roots and
    proofs start at a multiple of a power of two no smaller than what follows, so this is the binary
    decomposition of ``end - start``."""
    if not 0 <= start < end:
        raise ValueError("empty range")
    out: list[Node] = []
    pos = start
    while pos < end:
        level = (end - pos).bit_length() - 1
        # the largest aligned perfect subtree starting at pos that fits
        while pos % (1 << level):
            level -= 1
        out.append((level, pos >> level))
        pos += 1 << level
    return out


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[start:end]) from the hashes of its perfect subtrees: the largest-power-of-two split puts the
    bigger subtrees left, so the tree of the range folds its perfect parts from the right."""
    parts = [nodes[n] for n in perfect_nodes(start, end)]
    acc = parts[-1]
    for h in reversed(parts[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_nodes(size: int) -> list[Node]:
    return perfect_nodes(0, size) if size else []


def nodes_for_inclusion(index: int, size: int) -> set[Node]:
    return {n for r in inclusion_layout(index, size) for n in perfect_nodes(*r)}


def nodes_for_consistency(old_size: int, new_size: int) -> set[Node]:
    return {n for r in consistency_layout(old_size, new_size) for n in perfect_nodes(*r)}


def root_from(size: int, nodes: Mapping[Node, bytes]) -> bytes:
    return range_hash(0, size, nodes) if size else EMPTY_ROOT


def new_nodes(size: int, leaves: Sequence[bytes], get: Callable[[Node], bytes]) -> dict[Node, bytes]:
    """The perfect subtree hashes completed by appending ``leaves`` (leaf data) to a tree of ``size``
    leaves; ``get`` returns an existing node's hash (only the current peaks are asked for)."""
    out: dict[Node, bytes] = {}
    for offset, data in enumerate(leaves):
        i = size + offset
        h = leaf_hash(data)
        out[(0, i)] = h
        level, idx = 0, i
        while idx % 2 == 1:
            left = (level, idx - 1)
            h = node_hash(out[left] if left in out else get(left), h)
            level, idx = level + 1, idx // 2
            out[(level, idx)] = h
    return out


# --- over a list of leaves ------------------------------------------------------------------------------


def _no_node(node: Node) -> bytes:
    raise KeyError(node)


def _all_nodes(leaves: Sequence[bytes]) -> dict[Node, bytes]:
    return new_nodes(0, leaves, _no_node)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the leaf data ``leaves`` (RFC 9162 §2.1.1)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    nodes = _all_nodes(leaves)
    return [range_hash(s, e, nodes) for s, e in inclusion_layout(index, len(leaves))]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    nodes = _all_nodes(leaves)
    return [range_hash(s, e, nodes) for s, e in consistency_layout(old_size, len(leaves))]


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2, word for word) ---------------------------------------


def _ok_hashes(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes | bytearray) and len(h) == HASH_SIZE for h in hashes)


def root_from_inclusion(leaf_data: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    if not (isinstance(index, int) and isinstance(size, int)) or not 0 <= index < size:
        return None
    if not _ok_hashes(*proof):
        return None
    fn, sn = index, size - 1
    r = leaf_hash(leaf_data)
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_inclusion(leaf_data: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    if not _ok_hashes(root):
        return False
    r = root_from_inclusion(leaf_data, index, size, proof)
    return r is not None and r == bytes(root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    if not (isinstance(old_size, int) and isinstance(new_size, int)):
        return False
    if not _ok_hashes(old_root, new_root, *proof):
        return False
    if not 0 < old_size <= new_size:
        return False  # the empty tree is consistent with anything and needs no proof
    if old_size == new_size:
        return len(proof) == 0 and bytes(old_root) == bytes(new_root)
    proof = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first subtree
        proof = [bytes(old_root), *proof]
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == bytes(old_root) and sr == bytes(new_root) and sn == 0
