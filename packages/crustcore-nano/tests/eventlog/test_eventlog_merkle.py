"""Merkle trees: the incremental frontier, inclusion and consistency proofs (RFC 6962 style)."""

from __future__ import annotations

import hashlib

from crustcore_nano.eventlog.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_path,
    inclusion_path,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from the RFC 6962 definition (recursive; fine for small trees)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])
    ).digest()


def make_leaves(n: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def test_domain_separation() -> None:
    data = hashlib.sha256(b"x").digest()
    assert leaf_hash(data) == hashlib.sha256(b"\x00" + data).digest()
    assert node_hash(data, data) == hashlib.sha256(b"\x01" + data + data).digest()
    assert leaf_hash(data + data) != node_hash(data, data)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 70))
def test_frontier_root_matches_the_definition(n: int) -> None:
    leaves = make_leaves(n)
    frontier = Frontier()
    for leaf in leaves:
        frontier.append_leaf(leaf)
    assert frontier.size == n
    assert frontier.root() == reference_root(leaves)
    if n == 0:
        assert frontier.root() == EMPTY_ROOT


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_inclusion_proofs_verify_and_fail_on_tampering(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 70))
    index = data.draw(st.integers(0, size - 1))
    leaves = make_leaves(size + 5)
    root = reference_root(leaves[:size])
    path = inclusion_path(leaves, index, size)
    assert verify_inclusion(index, size, leaves[index], path, root)
    # Any other leaf, index, size, or a tampered path does not verify.
    assert not verify_inclusion(index, size, leaves[size], path, root)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert not verify_inclusion(other, size, leaves[index], path, root)
    if path:
        position = data.draw(st.integers(0, len(path) - 1))
        bad = list(path)
        bad[position] = bytes(b ^ 1 for b in bad[position])
        assert not verify_inclusion(index, size, leaves[index], bad, root)
        assert not verify_inclusion(index, size, leaves[index], path[:-1], root)
    assert not verify_inclusion(index, size, leaves[index], [*path, root], root)
    assert not verify_inclusion(size, size, leaves[index], path, root)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_and_fail_on_tampering(data: st.DataObject) -> None:
    second = data.draw(st.integers(1, 70))
    first = data.draw(st.integers(1, second))
    leaves = make_leaves(second)
    first_root = reference_root(leaves[:first])
    second_root = reference_root(leaves)
    path = consistency_path(leaves, first, second)
    assert verify_consistency(first, second, first_root, second_root, path)
    assert not verify_consistency(
        first, second, second_root if first != second else b"x" * 32, second_root, path
    )
    if path:
        position = data.draw(st.integers(0, len(path) - 1))
        bad = list(path)
        bad[position] = bytes(b ^ 0x80 for b in bad[position])
        assert not verify_consistency(first, second, first_root, second_root, bad)
    # A different history of the same size is not consistent with the first tree.
    if first < second:
        forked = [*leaves[: first - 1], leaf_hash(b"\xff" * 32), *leaves[first:]]
        forked_root = reference_root(forked)
        assert not verify_consistency(
            first, second, first_root, forked_root, consistency_path(forked, first, second)
        )


def test_empty_and_equal_trees() -> None:
    leaves = make_leaves(8)
    root = reference_root(leaves)
    assert verify_consistency(8, 8, root, root, [])
    assert not verify_consistency(8, 8, root, EMPTY_ROOT, [])
    assert verify_consistency(0, 8, EMPTY_ROOT, root, [])
    assert consistency_path(leaves, 0, 8) == []
    assert not verify_consistency(5, 3, root, root, [root])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 20), max_size=12), st.integers(0, 40))
def test_batched_extension_matches_one_by_one(chunks: list[int], prefix: int) -> None:
    record_hashes = [hashlib.sha256(b"r%d" % i).digest() for i in range(prefix + sum(chunks))]
    one_by_one, batched = Frontier(), Frontier()
    for record_hash in record_hashes:
        one_by_one.append_record(record_hash)
    collected: list[bytes] = []
    position = 0
    for size in [prefix, *chunks]:
        batched.extend_records(record_hashes[position : position + size], collected)
        position += size
    assert batched.size == one_by_one.size == len(record_hashes)
    assert batched.root() == one_by_one.root() == reference_root(collected)
    assert collected == [leaf_hash(h) for h in record_hashes]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 70), st.integers(0, 70))
def test_a_frontier_resumed_from_its_saved_nodes_continues_the_same_tree(
    before: int, after: int
) -> None:
    leaves = make_leaves(before + after)
    whole = Frontier()
    whole.extend_leaves(leaves[:before])
    saved = whole.nodes()
    assert len(saved) == before.bit_count()
    resumed = Frontier.resume(before, saved)
    assert resumed is not None
    for leaf in leaves[before:]:
        whole.append_leaf(leaf)
    resumed.extend_leaves(leaves[before:])
    assert resumed.size == whole.size == before + after
    assert resumed.root() == whole.root() == reference_root(leaves)


def test_a_frontier_of_the_wrong_shape_is_refused() -> None:
    nodes = Frontier()
    nodes.extend_leaves(make_leaves(6))  # 6 = 4 + 2: two subtrees
    saved = nodes.nodes()
    assert Frontier.resume(6, saved) is not None
    assert Frontier.resume(7, saved) is None  # 7 needs three
    assert Frontier.resume(6, saved[:1]) is None
    assert Frontier.resume(6, [saved[0], saved[1][:31]]) is None
    assert Frontier.resume(-1, []) is None
