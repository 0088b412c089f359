"""Crash safety: a writer SIGKILLed at random points never loses a record it acknowledged as
durable, and every crash leaves an intact prefix (plus at most a torn tail that the next open
cuts and records)."""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import signal
import time
from pathlib import Path

import pytest
from crustcore_nano.eventlog import EventLog, LogConfig, Reason, verify_log
from eventlog_testkit import home_keys

CYCLES = 100
CYCLES_PER_HOME = 10


def _child(home: Path, out_fd: int, seed: int) -> None:
    """Append forever, reporting what is durable; the parent kills us at a random moment."""
    rng = random.Random(seed)
    sync = seed % 3 == 0
    # Linux cuts a killed write() only at large-folio boundaries (MiBs), so some runs write big
    # records in big group-commit batches to make torn tails actually happen.
    big = seed % 4 == 1  # the parent waits longer before these kills
    config = LogConfig(
        fsync_interval_ms=0 if sync else (25 if big else rng.choice([1, 2, 5])),
        checkpoint_every=rng.choice([5, 17, 40]),
        segment_max_bytes=rng.choice([8192, 65536, 1 << 20]),
        fsync_process=not sync and seed % 2 == 0,  # durable only once the child answers
    )
    log = EventLog.open(home, config=config)
    os.write(out_fd, b"open %d\n" % log.durable_seq)
    i = 0
    while True:
        task = f"t{i % 4}"
        if i % 7 == 3:
            result = "r" * rng.randrange(0, 300)
            done = log.append(
                "tool.completed",
                actor="kernel",
                ts_ms=i,
                task_id=task,
                job_id="j",
                payload={"tool_call_id": f"c{i}", "result": result},
            )
            last = log.append_receipt(
                ts_ms=i,
                task_id=task,
                job_id="j",
                tool_call_id=f"c{i}",
                tool_name="t",
                args={"i": i},
                shown_result=result,
                completion_seq=done.seq,
            )
        else:
            last = log.append(
                "note.crash",
                actor="kernel",
                ts_ms=i,
                task_id=task,
                payload={"i": i, "pad": "p" * rng.randrange(0, 900_000 if big else 2000)},
            )
        durable = last.seq if sync else log.durable_seq
        if sync or i % 10 == 0:
            os.write(out_fd, b"d %d\n" % durable)
        i += 1


def _run_child(home: Path, seed: int, delay: float) -> tuple[int, bytes]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            os.close(read_fd)
            _child(home, write_fd, seed)
        finally:
            os._exit(0)
    os.close(write_fd)
    received = b""
    deadline = time.monotonic() + 30
    while b"open" not in received and time.monotonic() < deadline:
        ready, _, _ = select.select([read_fd], [], [], 1)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            received += chunk
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    while chunk := os.read(read_fd, 1 << 20):
        received += chunk
    os.close(read_fd)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, received[-200:]
    return pid, received


def _max_durable(received: bytes) -> int:
    best = -1
    for line in received.split(b"\n"):
        parts = line.split(b" ")
        if len(parts) == 2 and parts[0] in (b"d", b"open"):
            best = max(best, int(parts[1]))
    return best


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_record(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    torn_seen = torn_total = 0
    home = tmp_path
    for cycle in range(CYCLES):
        if cycle % CYCLES_PER_HOME == 0:
            if cycle:
                torn_total += torn_seen
                torn_seen = _finish_home(home, torn_seen)
                shutil.rmtree(home)
            home = tmp_path / f"home{cycle}"
        seed = rng.randrange(1 << 30)
        delay = rng.uniform(0.01, 0.12) if seed % 4 == 1 else rng.uniform(0.0, 0.03)
        _, received = _run_child(home, seed, delay)
        assert b"open" in received, "the writer did not reopen after the previous crash"
        if rng.random() < 0.3:
            _tear(home, rng)
        durable = _max_durable(received)
        keys = home_keys(home)
        report = verify_log(
            home,
            verify_key=keys.verify_key,
            receipt_key=keys.receipt_key,
            seal_state=keys.seal_state,
        )
        if not report.ok:
            assert report.first_error is not None
            assert report.first_error.reason is Reason.TORN_TAIL, report.first_error
            torn_seen += 1
        assert report.records >= durable + 1, (cycle, report.records, durable)
    torn_total += torn_seen
    _finish_home(home, torn_seen)
    print(f"crash test: {CYCLES} kills, {torn_total} torn tails recovered")


def _tear(home: Path, rng: random.Random) -> None:
    """Also leave what a write cut by a power loss leaves: part of a record, no newline."""
    segment = max((home / "log").glob("segment-*.jsonl"))
    lines = [
        line for s in (home / "log").glob("segment-*.jsonl") for line in s.read_bytes().splitlines()
    ]
    sample = lines[rng.randrange(len(lines))] if lines else b'{"v":1,"seq":0}'
    with segment.open("ab") as handle:
        handle.write(sample[: rng.randrange(1, len(sample))])


def _finish_home(home: Path, torn_seen: int) -> int:
    """A last clean open/close: the log is intact and every torn tail was recorded."""
    with EventLog.open(home, config=LogConfig(fsync_interval_ms=None)):
        pass
    keys = home_keys(home)
    report = verify_log(
        home, verify_key=keys.verify_key, receipt_key=keys.receipt_key, seal_state=keys.seal_state
    )
    assert report.ok, report.first_error
    assert report.summary.recoveries == torn_seen
    recovered = [
        json.loads(line)
        for segment in sorted((home / "log").glob("segment-*.jsonl"))
        for line in segment.read_bytes().splitlines()
        if b'"kind":"log.recovered"' in line
    ]
    assert all(r["payload"]["torn_bytes"] > 0 for r in recovered)
    assert not (home / "log" / "recovery.pending").exists()
    return 0
