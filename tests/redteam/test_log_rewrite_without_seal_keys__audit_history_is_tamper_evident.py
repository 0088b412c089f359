"""Threat: an attacker who owns the machine today (write access to the log, the static receipt
key and the *current* sealing key) rewrites what CrustCore recorded earlier.

Invariant: audit history sealed before the compromise is tamper-evident. Earlier epochs' keys were
erased, so any rewrite of sealed records, any re-sealing, and any removal of sealed records from
the end is reported by `verify_log` (and so by `crustcore inspect`) given the offline
verification key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crustcore_nano.eventlog import EventLog, LogConfig, Reason, read_seal_state, verify_log
from crustcore_nano.eventlog.keys import compute_seal, evolve, load_key_file
from crustcore_nano.eventlog.merkle import Frontier, leaf_hash
from crustcore_nano.eventlog.record import GENESIS_HASH, encode_record

SEGMENT = "segment-00000000.jsonl"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    with EventLog.open(path, config=LogConfig(fsync_interval_ms=None, checkpoint_every=5)) as log:
        for i in range(30):
            verdict = "deny" if i == 7 else "allow"
            log.append(f"decision.{verdict}", actor="kernel", ts_ms=i, payload={"call": i})
    return path


def _verify(home: Path, verify_key: bytes) -> tuple[Reason | None, int | None]:
    report = verify_log(
        home,
        verify_key=verify_key,
        receipt_key=load_key_file(home / "keys" / "log-receipt.key"),
        seal_state=read_seal_state(home / "keys" / "log-seal.key"),
    )
    error = report.first_error
    return (None, None) if error is None else (error.reason, error.seq)


def _rewrite(lines: list[dict[str, object]], reseal_key: bytes, first_epoch_to_forge: int) -> bytes:
    """Re-chain and re-root everything; re-seal the checkpoints the attacker must change using
    the only key it has (the current one, evolved forward as CrustCore would)."""
    out: list[bytes] = []
    prev = GENESIS_HASH
    frontier = Frontier()
    key = reseal_key
    for record in lines:
        payload = record["payload"]
        assert isinstance(payload, dict)
        seq, ts = record["seq"], record["ts"]
        assert isinstance(seq, int) and isinstance(ts, int)
        if record["kind"] == "log.checkpoint":
            root = frontier.root().hex()
            if payload["root"] != root:
                epoch = payload["epoch"]
                assert isinstance(epoch, int)
                payload["root"] = root
                payload["seal"] = compute_seal(
                    key,
                    epoch=max(epoch, first_epoch_to_forge),
                    tree_size=seq,
                    root_hex=root,
                    ts_ms=ts,
                )
                payload["epoch"] = max(epoch, first_epoch_to_forge)
                key = evolve(key)
        line, digest = encode_record(
            seq=seq,
            ts_ms=ts,
            kind=str(record["kind"]),
            actor=str(record["actor"]),
            task_id=None,
            job_id=None,
            session_id=None,
            payload_json=json.dumps(payload, separators=(",", ":")),
            prev_hash=prev,
        )
        frontier.append_leaf(leaf_hash(digest))
        prev = digest.hex()
        out.append(line)
    return b"".join(out)


def test_rewriting_a_sealed_decision_with_the_stolen_current_key_is_detected(home: Path) -> None:
    verify_key = load_key_file(home / "keys" / "log-verify.key")
    # The attacker moves the only copy of the verification key off the box first... it is gone
    # from the host, as the docs tell the user to do.
    (home / "keys" / "log-verify.key").unlink()
    assert _verify(home, verify_key) == (None, None)
    stolen = read_seal_state(home / "keys" / "log-seal.key")
    lines = [json.loads(line) for line in (home / "log" / SEGMENT).read_bytes().splitlines()]
    denied = next(r for r in lines if r["kind"] == "decision.deny")
    denied["kind"] = "decision.allow"  # hide the refusal
    for first_epoch in (0, stolen.epoch):  # claim old epochs, or honestly use current ones
        tampered = _rewrite(json.loads(json.dumps(lines)), stolen.key, first_epoch)
        (home / "log" / SEGMENT).write_bytes(tampered)
        reason, seq = _verify(home, verify_key)
        assert reason is Reason.SEAL_MISMATCH
        assert seq is not None and seq <= denied["seq"]


def test_dropping_sealed_records_from_the_end_is_detected(home: Path) -> None:
    verify_key = load_key_file(home / "keys" / "log-verify.key")
    segment = home / "log" / SEGMENT
    lines = segment.read_bytes().splitlines(keepends=True)
    last_checkpoint = max(
        i
        for i, line in enumerate(lines)
        if b'"kind":"log.checkpoint"' in line and i < len(lines) - 1
    )
    segment.write_bytes(b"".join(lines[: last_checkpoint + 1]))
    assert _verify(home, verify_key) == (Reason.MISSING_CHECKPOINTS, last_checkpoint + 1)


def test_a_planted_seal_key_file_is_detected(home: Path) -> None:
    # Hiding a removed tail by writing a seal-key file with a matching epoch number fails: the
    # verifier re-derives that epoch's key from the offline verification key.
    verify_key = load_key_file(home / "keys" / "log-verify.key")
    segment = home / "log" / SEGMENT
    lines = segment.read_bytes().splitlines(keepends=True)
    segment.write_bytes(b"".join(lines[:12]))
    kept_epochs = sum(b'"kind":"log.checkpoint"' in line for line in lines[:12])
    planted = {"v": 1, "epoch": kept_epochs, "key": "ab" * 32}
    (home / "keys" / "log-seal.key").write_text(json.dumps(planted))
    assert _verify(home, verify_key) == (Reason.SEAL_MISMATCH, 12)
