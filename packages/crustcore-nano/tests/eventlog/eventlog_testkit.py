"""Shared helpers for the event-log tests: build a small home, copy it, re-chain tampered lines."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from crustcore_nano.eventlog import EventLog, LogConfig, SealState, read_seal_state
from crustcore_nano.eventlog import writer as writer_module
from crustcore_nano.eventlog.keys import compute_seal, load_key_file
from crustcore_nano.eventlog.merkle import Frontier, leaf_hash
from crustcore_nano.eventlog.record import GENESIS_HASH, canonical_json, encode_record
from crustcore_nano.eventlog.verify import VerifyReport, verify_log

SEGMENT = "segment-00000000.jsonl"


class Clock:
    """A fake `writer._monotonic` (see `fake_clock`): tests move `now`."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Put a `Clock` in place of the writer's: group-commit timing without depending on how
    fast the machine is."""
    fake = Clock()
    monkeypatch.setattr(writer_module, "_monotonic", fake)
    return fake


@dataclass(frozen=True, slots=True)
class Keys:
    verify_key: bytes
    receipt_key: bytes
    seal_state: SealState


def home_keys(home: Path) -> Keys:
    return Keys(
        verify_key=load_key_file(home / "keys" / "log-verify.key"),
        receipt_key=load_key_file(home / "keys" / "log-receipt.key"),
        seal_state=read_seal_state(home / "keys" / "log-seal.key"),
    )


def build_home(home: Path, *, records: int = 40, checkpoint_every: int = 7) -> None:
    """A closed log with decisions, tool completions and receipts, several checkpoints, ending
    in the final checkpoint written by close()."""
    config = LogConfig(fsync_interval_ms=None, checkpoint_every=checkpoint_every)
    with EventLog.open(home, config=config) as log:
        for i in range(records):
            task = f"task-{i % 3}"
            if i % 5 == 4:
                result = f"output {i}"
                done = log.append(
                    "tool.completed",
                    actor="kernel",
                    ts_ms=1_000 + i,
                    payload={"tool_call_id": f"call-{i}", "result": result},
                    task_id=task,
                    job_id="job-1",
                )
                log.append_receipt(
                    ts_ms=1_000 + i,
                    task_id=task,
                    job_id="job-1",
                    tool_call_id=f"call-{i}",
                    tool_name="read_file",
                    args={"path": f"f{i}.txt"},
                    shown_result=result,
                    completion_seq=done.seq,
                )
            else:
                log.append(
                    "decision.allow" if i % 2 else "decision.deny",
                    actor="kernel",
                    ts_ms=1_000 + i,
                    payload={"i": i, "rule": "r", "text": "x" * (i % 11)},
                    task_id=task,
                )


def segment_bytes(home: Path) -> bytes:
    return (home / "log" / SEGMENT).read_bytes()


def line_starts(data: bytes) -> list[int]:
    """Byte offset of every complete line."""
    starts: list[int] = []
    position = 0
    while position < len(data):
        starts.append(position)
        end = data.find(b"\n", position)
        if end < 0:
            break
        position = end + 1
    return starts


def with_segment(source_home: Path, target_home: Path, data: bytes) -> Path:
    """A copy of `source_home` whose only segment holds `data`."""
    shutil.copytree(source_home, target_home)
    (target_home / "log" / SEGMENT).write_bytes(data)
    return target_home


def verify_home(home: Path, keys: Keys) -> VerifyReport:
    return verify_log(
        home,
        verify_key=keys.verify_key,
        receipt_key=keys.receipt_key,
        seal_state=keys.seal_state,
    )


def rechain(lines: list[dict[str, object]], *, seal_key: bytes | None) -> bytes:
    """What an attacker without the sealing keys can do: re-encode edited records with a fresh,
    internally valid hash chain and fresh Merkle roots, sealing checkpoints with `seal_key`
    (a guess) or leaving their old seals."""
    out: list[bytes] = []
    prev = GENESIS_HASH
    frontier = Frontier()
    for record in lines:
        payload = record["payload"]
        assert isinstance(payload, dict)
        seq = record["seq"]
        ts = record["ts"]
        assert isinstance(seq, int) and isinstance(ts, int)
        if record["kind"] == "log.checkpoint":
            payload = dict(payload)  # pyright: ignore[reportUnknownArgumentType]
            changed = payload["root"] != frontier.root().hex() or payload["tree_size"] != seq
            payload["tree_size"] = seq
            payload["root"] = frontier.root().hex()
            if seal_key is not None and changed:
                epoch = payload["epoch"]
                assert isinstance(epoch, int)
                payload["seal"] = compute_seal(
                    seal_key, epoch=epoch, tree_size=seq, root_hex=frontier.root().hex(), ts_ms=ts
                )
        line, digest = encode_record(
            seq=seq,
            ts_ms=ts,
            kind=str(record["kind"]),
            actor=str(record["actor"]),
            task_id=_opt(record["task"]),
            job_id=_opt(record["job"]),
            session_id=_opt(record["session"]),
            payload_json=json.dumps(payload, separators=(",", ":")),
            prev_hash=prev,
        )
        frontier.append_leaf(leaf_hash(digest))
        prev = digest.hex()
        out.append(line)
    return b"".join(out)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def parse_lines(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.splitlines()]


__all__ = ["canonical_json"]
