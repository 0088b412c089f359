"""Merkle inclusion and consistency proofs against sealed checkpoints, as self-contained JSON.

A proof file carries everything needed to check it offline: the leaf (or the two tree sizes),
the audit path, the checkpoint(s) with their roots, epochs, timestamps and seals. With the
verification key the seals prove that the writer, at that epoch, committed to that root.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.errors import UsageError

from .keys import compute_seal, key_for_epoch
from .merkle import (
    MerkleLevels,
    consistency_path,
    inclusion_path,
    verify_consistency,
    verify_inclusion,
)
from .record import as_list, as_object, is_hex64
from .verify import Scanner, VerifyError, resolve_log_path, run_scan

PROOF_VERSION = 1
MAX_PROOF_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ProofSource:
    """The verified leaves and checkpoints of a log, from which proofs are cut."""

    leaves: list[bytes]
    checkpoints: dict[int, tuple[int, dict[str, object]]]
    error: VerifyError | None
    tree: MerkleLevels


def load_proof_source(
    path: Path, *, verify_key: bytes | None = None, receipt_key: bytes | None = None
) -> ProofSource:
    segments, _ = resolve_log_path(path)
    leaves: list[bytes] = []
    scanner = Scanner(verify_key=verify_key, receipt_key=receipt_key, leaves=leaves)
    report = run_scan(scanner, segments)
    verified = report.records
    del leaves[verified:]
    checkpoints = {seq: value for seq, value in scanner.checkpoints.items() if seq < verified}
    return ProofSource(leaves, checkpoints, report.first_error, MerkleLevels(leaves))


def _checkpoint_json(seq: int, entry: tuple[int, dict[str, object]]) -> dict[str, object]:
    ts, payload = entry
    return {
        "seq": seq,
        "tree_size": payload["tree_size"],
        "root": payload["root"],
        "epoch": payload["epoch"],
        "ts": ts,
        "seal": payload["seal"],
    }


def inclusion_proof(source: ProofSource, seq: int) -> dict[str, object]:
    """Prove record `seq` is in the tree of the latest checkpoint that covers it."""
    covering = [c for c in source.checkpoints if c > seq]
    if not covering:
        raise UsageError(
            f"no verified checkpoint covers seq {seq} yet (checkpoints at: "
            f"{sorted(source.checkpoints)[-5:] or 'none'})"
        )
    latest = max(source.checkpoints)
    size = latest
    return {
        "crustcore_proof": "inclusion",
        "v": PROOF_VERSION,
        "leaf_index": seq,
        "leaf_hash": source.leaves[seq].hex(),
        "tree_size": size,
        "path": [node.hex() for node in inclusion_path(source.tree, seq, size)],
        "checkpoint": _checkpoint_json(latest, source.checkpoints[latest]),
    }


def consistency_proof(source: ProofSource, first: int, second: int) -> dict[str, object]:
    """Prove the checkpoint at seq `second` extends the one at seq `first`."""
    for seq in (first, second):
        if seq not in source.checkpoints:
            raise UsageError(
                f"seq {seq} is not a verified checkpoint (checkpoints at: "
                f"{sorted(source.checkpoints)[-5:] or 'none'})"
            )
    if first > second:
        raise UsageError("--consistency A B needs A <= B")
    return {
        "crustcore_proof": "consistency",
        "v": PROOF_VERSION,
        "first": _checkpoint_json(first, source.checkpoints[first]),
        "second": _checkpoint_json(second, source.checkpoints[second]),
        "path": [node.hex() for node in consistency_path(source.tree, first, second)],
    }


@dataclass(frozen=True, slots=True)
class ProofCheck:
    ok: bool
    kind: str
    message: str
    seals_checked: bool


def _hex_list(value: object) -> list[bytes] | None:
    items = as_list(value)
    if items is None:
        return None
    out: list[bytes] = []
    for item in items:
        if not is_hex64(item):
            return None
        out.append(bytes.fromhex(str(item)))
    return out


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _check_seal(checkpoint: object, verify_key: bytes | None) -> str | None:
    """None when the checkpoint is well-formed (and, given a key, genuinely sealed)."""
    if not isinstance(checkpoint, dict):
        return "checkpoint is missing"
    fields: dict[str, object] = checkpoint  # pyright: ignore[reportUnknownVariableType]
    size, epoch, ts = (
        _int(fields.get("tree_size")),
        _int(fields.get("epoch")),
        _int(fields.get("ts")),
    )
    root, seal = fields.get("root"), fields.get("seal")
    if size is None or epoch is None or ts is None or not is_hex64(root) or not is_hex64(seal):
        return "checkpoint fields are malformed"
    if verify_key is not None:
        expected = compute_seal(
            key_for_epoch(verify_key, epoch),
            epoch=epoch,
            tree_size=size,
            root_hex=str(root),
            ts_ms=ts,
        )
        if not hmac.compare_digest(expected, str(seal)):
            return f"the seal of the epoch-{epoch} checkpoint is not genuine for this key"
    return None


def check_proof(data: bytes, *, verify_key: bytes | None = None) -> ProofCheck:
    """Check a proof file's bytes; never raises on malformed input."""
    sealed = verify_key is not None
    try:
        obj: object = json.loads(data)
    except (ValueError, RecursionError):
        return ProofCheck(False, "unknown", "the proof file is not JSON", sealed)
    if not isinstance(obj, dict):
        return ProofCheck(False, "unknown", "the proof file is not a JSON object", sealed)
    proof: dict[str, object] = obj  # pyright: ignore[reportUnknownVariableType]
    kind = proof.get("crustcore_proof")
    if proof.get("v") != PROOF_VERSION or kind not in ("inclusion", "consistency"):
        return ProofCheck(False, "unknown", "not a CrustCore proof of a known version", sealed)
    path = _hex_list(proof.get("path"))
    if path is None:
        return ProofCheck(False, str(kind), "the audit path is malformed", sealed)
    if kind == "inclusion":
        checkpoint = as_object(proof.get("checkpoint"))
        problem = _check_seal(checkpoint, verify_key)
        if problem is not None or checkpoint is None:
            return ProofCheck(False, "inclusion", problem or "checkpoint is missing", sealed)
        index, size = _int(proof.get("leaf_index")), _int(proof.get("tree_size"))
        leaf = proof.get("leaf_hash")
        if index is None or size is None or not is_hex64(leaf):
            return ProofCheck(
                False, "inclusion", "leaf_index, tree_size or leaf_hash malformed", sealed
            )
        if size != checkpoint.get("tree_size"):
            return ProofCheck(False, "inclusion", "tree_size differs from the checkpoint's", sealed)
        root = bytes.fromhex(str(checkpoint.get("root")))
        if not verify_inclusion(index, size, bytes.fromhex(str(leaf)), path, root):
            return ProofCheck(
                False,
                "inclusion",
                f"record {index} is NOT proven in the tree of size {size}",
                sealed,
            )
        return ProofCheck(
            True, "inclusion", f"record {index} is included in the tree of size {size}", sealed
        )
    first, second = as_object(proof.get("first")), as_object(proof.get("second"))
    for checkpoint in (first, second):
        problem = _check_seal(checkpoint, verify_key)
        if problem is not None:
            return ProofCheck(False, "consistency", problem, sealed)
    m = _int(first.get("tree_size")) if first is not None else None
    n = _int(second.get("tree_size")) if second is not None else None
    if first is None or second is None or m is None or n is None:
        return ProofCheck(False, "consistency", "checkpoint is missing", sealed)
    ok = verify_consistency(
        m, n, bytes.fromhex(str(first.get("root"))), bytes.fromhex(str(second.get("root"))), path
    )
    if not ok:
        return ProofCheck(
            False, "consistency", f"the tree of size {n} is NOT proven to extend size {m}", sealed
        )
    return ProofCheck(
        True, "consistency", f"the tree of size {n} extends the tree of size {m}", sealed
    )


def read_proof_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PROOF_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read proof file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_PROOF_BYTES:
        raise UsageError(f"{path} is too large to be a CrustCore proof")
    return data
