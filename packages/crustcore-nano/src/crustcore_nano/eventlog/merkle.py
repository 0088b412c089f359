"""RFC 6962-style Merkle tree over the log's records.

Leaf ``i`` is ``SHA-256(0x00 || record_hash_i)`` where ``record_hash_i`` is the 32 raw bytes of
record ``i``'s ``hash`` field (which itself covers every other byte of the line); an interior node
is ``SHA-256(0x01 || left || right)``. The two prefixes keep a leaf from ever being confused with an
interior node (second-preimage tricks). Proof generation follows RFC 6962 §2.1.1-2.1.2 and
verification RFC 9162 §2.1.3.2 / §2.1.4.2; both are written from the RFC text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_sha256 = hashlib.sha256
EMPTY_ROOT = _sha256(b"").digest()
_LEAF_BASE = _sha256(b"\x00")
_NODE_BASE = _sha256(b"\x01")


def leaf_hash(record_hash: bytes) -> bytes:
    return _sha256(b"\x00" + record_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


class Frontier:
    """The O(log n) running state of a growing tree: the roots of its perfect subtrees.

    Appending is amortized one node hash; `root()` folds the subtrees right to left.
    """

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def append_leaf(self, leaf: bytes) -> None:
        stack = self._stack
        node = leaf
        size = self._size
        while size & 1:
            node = _sha256(b"\x01" + stack.pop() + node).digest()
            size >>= 1
        stack.append(node)
        self._size += 1

    def append_record(self, record_hash: bytes) -> None:
        """Append the leaf of one record (its raw 32-byte hash); the writer's hot path."""
        stack = self._stack
        hasher = _LEAF_BASE.copy()
        hasher.update(record_hash)
        node = hasher.digest()
        size = self._size
        while size & 1:
            hasher = _NODE_BASE.copy()
            hasher.update(stack.pop())
            hasher.update(node)
            node = hasher.digest()
            size >>= 1
        stack.append(node)
        self._size += 1

    def extend_records(self, record_hashes: list[bytes], leaves: list[bytes] | None) -> None:
        """Append many records' leaves at once (the verifier's hot path), level by level with
        list comprehensions instead of one Python loop per leaf; the same hashes are computed.
        Also collects the leaf hashes when `leaves` is given."""
        if not record_hashes:
            return
        sha = _sha256
        nodes = [sha(b"\x00" + record_hash).digest() for record_hash in record_hashes]
        if leaves is not None:
            leaves.extend(nodes)
        stack = self._stack
        position = self._size  # index of nodes[0] within its level
        self._size += len(nodes)
        leftovers: list[bytes] = []  # one complete subtree per level, lowest level first
        while nodes:
            merged: list[bytes] = []
            if position & 1:  # nodes[0] is a right child; its left sibling tops the stack
                merged.append(sha(b"\x01" + stack.pop() + nodes[0]).digest())
                nodes = nodes[1:]
            pairs = len(nodes) - (len(nodes) & 1)
            merged.extend(
                [sha(b"\x01" + nodes[i] + nodes[i + 1]).digest() for i in range(0, pairs, 2)]
            )
            if len(nodes) & 1:
                leftovers.append(nodes[-1])
            elif not merged:
                break
            position >>= 1
            nodes = merged
        stack.extend(reversed(leftovers))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH over leaves[lo:hi] (already leaf-hashed), iteratively to keep the stack shallow."""
    if hi <= lo:
        return EMPTY_ROOT
    frontier = Frontier()
    for index in range(lo, hi):
        frontier.append_leaf(leaves[index])
    return frontier.root()


class MerkleLevels:
    """Every level of the tree over a fixed list of leaves, built once in O(n) hashes, so that
    any subtree root the RFC proofs need costs O(log n) instead of a pass over its leaves."""

    __slots__ = ("_levels",)

    def __init__(self, leaves: Sequence[bytes]) -> None:
        levels: list[list[bytes]] = [list(leaves)]
        sha = _sha256
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [
                    sha(b"\x01" + below[i] + below[i + 1]).digest()
                    for i in range(0, len(below) - 1, 2)
                ]
            )
        self._levels = levels

    def __len__(self) -> int:
        return len(self._levels[0])

    def root(self, lo: int, hi: int) -> bytes:
        """MTH of leaves[lo:hi] for the ranges RFC 6962 proofs use (``lo`` aligned)."""
        width = hi - lo
        if width <= 0:
            return EMPTY_ROOT
        if width & (width - 1) == 0 and lo % width == 0:
            level = width.bit_length() - 1
            return self._levels[level][lo >> level]
        k = _split(width)
        return node_hash(self.root(lo, lo + k), self.root(lo + k, hi))


def _as_tree(leaves: Sequence[bytes] | MerkleLevels) -> MerkleLevels:
    return leaves if isinstance(leaves, MerkleLevels) else MerkleLevels(leaves)


def inclusion_path(leaves: Sequence[bytes] | MerkleLevels, index: int, size: int) -> list[bytes]:
    """Audit path for leaf ``index`` in the tree of the first ``size`` leaves (RFC 6962 PATH)."""
    tree = _as_tree(leaves)
    if not 0 <= index < size <= len(tree):
        raise ValueError("leaf index outside the tree")
    path: list[bytes] = []
    lo, hi, m = 0, size, index
    # Walk down from the root; siblings are collected top-down and returned bottom-up.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(tree.root(lo + k, hi))
            hi = lo + k
        else:
            path.append(tree.root(lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def consistency_path(
    leaves: Sequence[bytes] | MerkleLevels, first: int, second: int
) -> list[bytes]:
    """Proof that the first ``first`` leaves are a prefix of the first ``second`` (RFC 6962
    SUBPROOF)."""
    tree = _as_tree(leaves)
    if not 0 <= first <= second <= len(tree):
        raise ValueError("tree sizes out of order or beyond the log")
    if first in (0, second):
        return []
    path: list[bytes] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            path.append(tree.root(lo + k, hi))
            hi = lo + k
        else:
            path.append(tree.root(lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        path.append(tree.root(lo, hi))
    path.reverse()
    return path


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """Recompute the root an inclusion proof leads to, or None if the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return node if sn == 0 else None


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    return root_from_inclusion(index, size, leaf, path) == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    if not 0 <= first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    if not path:
        return False
    nodes = list(path)
    if first & (first - 1) == 0:
        nodes.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for node in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
