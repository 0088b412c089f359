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


def leaf_hashes(record_hashes: list[bytes]) -> list[bytes]:
    """The leaves of many records at once: ``SHA-256(0x00 || H)`` for each raw record hash.
    Copying a context that already holds the prefix is cheaper than building a new one (which
    looks the algorithm up again) and saves concatenating the input."""
    out: list[bytes] = []
    add_leaf = out.append
    start = _LEAF_BASE.copy
    for record_hash in record_hashes:
        hasher = start()
        hasher.update(record_hash)
        add_leaf(hasher.digest())
    return out


def parent_hashes(left: list[bytes], right: list[bytes]) -> list[bytes]:
    """``SHA-256(0x01 || l || r)`` for each pair, the same way as `leaf_hashes`."""
    out: list[bytes] = []
    add_node = out.append
    start = _NODE_BASE.copy
    for left_node, right_node in zip(left, right, strict=True):
        hasher = start()
        hasher.update(left_node)
        hasher.update(right_node)
        add_node(hasher.digest())
    return out


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

    @classmethod
    def resume(cls, size: int, nodes: Sequence[bytes]) -> Frontier | None:
        """A frontier continued from its saved state, or None if `nodes` cannot be the
        frontier of a tree of `size` leaves (one node per set bit of `size`, largest first)."""
        if size < 0 or len(nodes) != size.bit_count() or any(len(n) != 32 for n in nodes):
            return None
        frontier = cls()
        frontier._stack = list(nodes)
        frontier._size = size
        return frontier

    @property
    def size(self) -> int:
        return self._size

    def nodes(self) -> list[bytes]:
        """The roots of the perfect subtrees, largest (leftmost) first: with `size`, all that is
        needed to continue the tree (see `resume`)."""
        return list(self._stack)

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
        """Append many records' leaves at once; also collects the leaf hashes when `leaves` is
        given. The same hashes as `append_record` on each in turn."""
        if not record_hashes:
            return
        nodes = leaf_hashes(record_hashes)
        if leaves is not None:
            leaves.extend(nodes)
        self.extend_leaves(nodes)

    def extend_leaves(self, leaves: list[bytes]) -> None:
        """Append many (already leaf-hashed) leaves, one level of the tree at a time, so the
        node hashes of a whole chunk are computed by a few C-level passes instead of a Python
        loop per leaf. The result is the same as `append_leaf` on each in turn."""
        if not leaves:
            return
        stack = self._stack
        position = self._size  # index of nodes[0] within its level
        self._size += len(leaves)
        nodes = leaves
        leftovers: list[bytes] = []  # one complete subtree per level, lowest level first
        while nodes:
            carry: bytes | None = None
            if position & 1:  # nodes[0] is a right child; its left sibling tops the stack
                carry = node_hash(stack.pop(), nodes[0])
                nodes = nodes[1:]
            odd = len(nodes) & 1
            pairs = len(nodes) - odd
            merged = parent_hashes(nodes[0:pairs:2], nodes[1:pairs:2]) if pairs else []
            if carry is not None:
                merged.insert(0, carry)
            if odd:
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
        while len(levels[-1]) > 1:
            below = levels[-1]
            pairs = len(below) & ~1
            levels.append(parent_hashes(below[0:pairs:2], below[1:pairs:2]))
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
