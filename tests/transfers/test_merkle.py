"""The merkle module against an independent RFC 9162 implementation (pymerkle), the published RFC 6962
test vectors of Certificate Transparency, and single-bit tampering."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from sanxin.transfers import merkle

# The eight leaves and the roots of their prefixes used by Certificate Transparency's RFC 6962 tests.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _leaves(n: int, seed: int) -> list[bytes]:
    rnd = random.Random(seed)
    return [rnd.randbytes(rnd.randrange(0, 40)) for _ in range(n)]


def _reference(leaves: list[bytes]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")  # RFC 9162: 0x00 / 0x01 prefixes
    for data in leaves:
        tree.append_entry(data)
    return tree


def _check_against_reference(leaves: list[bytes], indexes, old_sizes) -> None:
    n = len(leaves)
    tree = _reference(leaves)
    root = merkle.root(leaves)
    assert root == tree.get_root(), n
    for i in indexes:
        proof = merkle.inclusion_proof(leaves, i)
        # pymerkle's path is the leaf's own hash followed by the RFC 9162 audit path
        assert proof == tree.prove_inclusion(i + 1).path[1:], (n, i)
        assert merkle.verify_inclusion(leaves[i], i, n, proof, tree.get_root())
    for m in old_sizes:
        proof = merkle.consistency_proof(leaves, m)
        old_root = tree.get_root(m)
        assert merkle.root(leaves[:m]) == old_root
        assert merkle.verify_consistency(m, n, old_root, tree.get_root(), proof), (m, n)
        # every proof element is the hash pymerkle computes for the subtree it stands for
        layout = merkle.consistency_layout(m, n)
        assert proof == [tree._get_root(s, e) for s, e in layout]


def test_ct_published_vectors():
    for n in range(1, 9):
        assert merkle.root(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]
    assert merkle.root([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("block", range(10))
def test_agrees_with_pymerkle_for_every_size_up_to_300(block):
    rnd = random.Random(block)
    for n in range(block * 30 + 1, block * 30 + 31):
        leaves = _leaves(n, n)
        if n <= 64:  # every index and every old size
            indexes, old_sizes = range(n), range(1, n + 1)
        else:  # both ends, the powers of two around, and a sample
            edges = {0, 1, n - 2, n - 1, *(min(n - 1, 1 << k) for k in range(n.bit_length()))}
            indexes = sorted(edges | set(rnd.sample(range(n), 24)))
            old_sizes = sorted({i + 1 for i in edges} | set(rnd.sample(range(1, n + 1), 24)))
        _check_against_reference(leaves, indexes, old_sizes)


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(301, 5000),
    seed=st.integers(0, 2**32),
    picks=st.lists(st.floats(0, 1), min_size=3, max_size=6),
)
def test_agrees_with_pymerkle_for_random_larger_trees(n, seed, picks):
    leaves = _leaves(n, seed)
    indexes = [min(n - 1, int(p * n)) for p in picks]
    old_sizes = [max(1, min(n, int(p * n))) for p in picks] + [n]
    _check_against_reference(leaves, indexes, old_sizes)


def _flips(value: bytes):
    for i in range(len(value) * 8):
        b = bytearray(value)
        b[i // 8] ^= 1 << (i % 8)
        yield bytes(b)


@pytest.mark.parametrize(("n", "index"), [(1, 0), (2, 1), (7, 3), (13, 12), (64, 17), (100, 99)])
def test_inclusion_rejects_every_single_bit_change(n, index):
    leaves = _leaves(n, 7 * n)
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, index)
    assert merkle.verify_inclusion(leaves[index], index, n, proof, root)
    for k, element in enumerate(proof):
        for flipped in _flips(element):
            assert not merkle.verify_inclusion(
                leaves[index], index, n, [*proof[:k], flipped, *proof[k + 1 :]], root
            )
    for flipped in _flips(root):
        assert not merkle.verify_inclusion(leaves[index], index, n, proof, flipped)
    for flipped in _flips(leaves[index] or b"\x00"):
        if flipped != leaves[index]:
            assert not merkle.verify_inclusion(flipped, index, n, proof, root)
    # a wrong position, a wrong size, a missing or an extra element
    assert not merkle.verify_inclusion(leaves[index], index ^ 1, n, proof, root) or n == 1
    assert not merkle.verify_inclusion(leaves[index], index, 2 * n + 2, proof, root)
    if proof:
        assert not merkle.verify_inclusion(leaves[index], index, n, proof[:-1], root)
    assert not merkle.verify_inclusion(leaves[index], index, n, [*proof, root], root)


@pytest.mark.parametrize(("m", "n"), [(1, 2), (3, 7), (4, 8), (6, 8), (5, 13), (32, 100), (99, 100)])
def test_consistency_rejects_every_single_bit_change(m, n):
    leaves = _leaves(n, 11 * n + m)
    old, new = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(leaves, m)
    assert merkle.verify_consistency(m, n, old, new, proof)
    for k, element in enumerate(proof):
        for flipped in _flips(element):
            assert not merkle.verify_consistency(m, n, old, new, [*proof[:k], flipped, *proof[k + 1 :]])
    for flipped in _flips(old):
        assert not merkle.verify_consistency(m, n, flipped, new, proof)
    for flipped in _flips(new):
        assert not merkle.verify_consistency(m, n, old, flipped, proof)
    assert not merkle.verify_consistency(m, n, old, new, proof[:-1])
    assert not merkle.verify_consistency(m, n, old, new, [*proof, new])
    assert not merkle.verify_consistency(m + 1, n, old, new, proof)


def test_stored_nodes_give_the_same_roots_and_proofs():
    """What the stored ledger does: append in batches keeping only the perfect subtrees, then answer
    from the few nodes each layout names."""
    leaves = _leaves(1000, 3)
    store: dict = {}
    size = 0
    rnd = random.Random(5)
    while size < len(leaves):
        batch = leaves[size : size + rnd.randrange(1, 40)]
        asked = []

        def get(node, asked=asked):
            asked.append(node)
            return store[node]

        store.update(merkle.new_nodes(size, batch, get))
        assert set(asked) <= set(merkle.root_nodes(size))
        size += len(batch)
        assert merkle.root_from(size, store) == merkle.root(leaves[:size])
    assert len(store) == 2 * 1000 - bin(1000).count("1")
    for _ in range(200):
        n = rnd.randrange(1, 1001)
        i = rnd.randrange(n)
        m = rnd.randrange(1, n + 1)
        needed = merkle.nodes_for_inclusion(i, n)
        assert len(needed) <= 2 * n.bit_length()
        sub = {k: store[k] for k in needed}
        path = [merkle.range_hash(s, e, sub) for s, e in merkle.inclusion_layout(i, n)]
        assert path == merkle.inclusion_proof(leaves[:n], i)
        needed = merkle.nodes_for_consistency(m, n)
        assert len(needed) <= 2 * n.bit_length()
        sub = {k: store[k] for k in needed}
        proof = [merkle.range_hash(s, e, sub) for s, e in merkle.consistency_layout(m, n)]
        assert proof == merkle.consistency_proof(leaves[:n], m)
