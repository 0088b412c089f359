"""Power loss: what the disk holds is each file up to its last fsync, nothing later.

A SIGKILL keeps everything written (the page cache survives the process; see
`test_eventlog_crash.py`). A power cut keeps only what was fsynced. This models the disk as the
prefix of each file covered by its last fsync: an inline one (seen through `os.fsync`) or the
syncer child's (counted when its answer for the followed segment arrives). Two promises are
checked against that model while a group-commit log runs with write-ahead batches, rotations
and frequent checkpoints:

* the sealing key advanced at a checkpoint reaches its file only once that checkpoint is on the
  disk, so after a power cut the key is never ahead of the log (the next open would take that
  for a truncated log and refuse to append);
* `durable_seq` never counts a record the disk does not hold, including records in a segment
  the log has since rotated away from (the child only fsyncs the current segment).

A key file left behind by a cut, by any number of epochs, is brought forward on open.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crustcore_nano.eventlog import EventLog, LogConfig, Reason, iter_records, verify_log
from crustcore_nano.eventlog import writer as writer_module
from crustcore_nano.eventlog.keys import (
    SealState,
    evolve,
    load_key_file,
    read_seal_state,
    write_seal_state,
)
from crustcore_nano.eventlog.segments import segment_name
from crustcore_nano.eventlog.syncer import Syncer
from eventlog_testkit import Clock, fake_clock

_SEAL_FILE = "log-seal.key"


class _Disk:
    """The bytes of each file a power cut would leave (by path)."""

    def __init__(self) -> None:
        self.durable: dict[str, int] = {}
        self.followed = ""
        self.submitted = 0
        self.key_writes = 0

    def synced(self, path: str, size: int) -> None:
        self.durable[path] = max(self.durable.get(path, 0), size)

    def holds(self, path: str, end: int) -> bool:
        return self.durable.get(path, 0) >= end


def _line_end(path: str, offset: int) -> int:
    with open(path, "rb") as fh:
        fh.seek(offset)
        line = fh.readline()
    assert line.endswith(b"\n"), f"no whole line at {path}:{offset}"
    return offset + len(line)


def _record_ends(log_dir: Path) -> Iterator[tuple[int, str, int]]:
    """(seq, segment path, end offset) of every record on disk now."""
    for segment in sorted(log_dir.glob("*.jsonl")):
        end = 0
        with open(segment, "rb") as fh:
            for line in fh:
                end += len(line)
                if line.endswith(b"\n"):
                    yield int(json.loads(line)["seq"]), str(segment), end


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> _Disk:
    model = _Disk()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        model.synced(os.readlink(f"/proc/self/fd/{fd}"), os.fstat(fd).st_size)

    monkeypatch.setattr(os, "fsync", fsync)

    real_follow = Syncer.follow
    real_submit = Syncer.submit
    real_answer = Syncer.answer

    def follow(self: Syncer, path: str) -> None:
        model.followed = path
        real_follow(self, path)

    def submit(self: Syncer, seq: int) -> tuple[int, int] | None:
        previous = real_submit(self, seq)
        model.submitted = os.stat(model.followed).st_size  # the child fsyncs at least this
        return previous

    def answer(self: Syncer, timeout: float | None) -> tuple[int, int] | None:
        got = real_answer(self, timeout)
        if got is not None and got[1] == 0:
            model.synced(model.followed, model.submitted)
        return got

    monkeypatch.setattr(Syncer, "follow", follow)
    monkeypatch.setattr(Syncer, "submit", submit)
    monkeypatch.setattr(Syncer, "answer", answer)

    def write_key(path: Path, state: SealState) -> None:
        ref = state.checkpoint
        assert ref is not None
        segment = str(tmp_path / "h" / "log" / segment_name(ref.segment))
        assert os.path.exists(segment), f"checkpoint segment {segment} missing"
        end = _line_end(segment, ref.offset)
        assert model.holds(segment, end), (
            f"the key of epoch {state.epoch} is written while its checkpoint (seq {ref.seq}) "
            "is not on the disk yet"
        )
        model.key_writes += 1
        write_seal_state(path, state)

    monkeypatch.setattr(writer_module, "write_seal_state", write_key)
    return model


def _check_durable(log: EventLog, disk: _Disk, log_dir: Path) -> None:
    durable = log.durable_seq
    for seq, path, end in _record_ends(log_dir):
        if seq <= durable:
            assert disk.holds(path, end), f"seq {seq} counted durable but not fsynced in {path}"


def _run(log: EventLog, clock: Clock, disk: _Disk, log_dir: Path, appends: int) -> None:
    body = "x" * 1500  # about 20 records fill a write-ahead batch
    for i in range(appends):
        log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i, "body": body})
        if i % 40 == 39:
            clock.now += 0.011  # the next append finds the batch due
        if i % 25 == 0:
            _check_durable(log, disk, log_dir)
    _check_durable(log, disk, log_dir)


_CONFIGS: dict[str, Callable[[], LogConfig]] = {
    "inline": lambda: LogConfig(
        fsync_interval_ms=10,
        flush_thread=False,
        checkpoint_every=9,
        segment_max_bytes=64 * 1024,
    ),
    "syncer": lambda: LogConfig(
        fsync_interval_ms=10,
        flush_thread=False,
        fsync_process=True,
        checkpoint_every=9,
        segment_max_bytes=64 * 1024,
    ),
}


@pytest.mark.parametrize("mode", sorted(_CONFIGS))
def test_the_key_never_reaches_the_disk_before_its_checkpoint(
    mode: str, tmp_path: Path, disk: _Disk, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = fake_clock(monkeypatch)
    home = tmp_path / "h"
    with EventLog.open(home, config=_CONFIGS[mode]()) as log:
        _run(log, clock, disk, home / "log", 400)
        segments = len(list((home / "log").glob("*.jsonl")))
    assert segments >= 3  # rotations happened
    assert disk.key_writes >= 10  # and many checkpoints reached the key file
    # Closing made everything durable and the key current: it opens without repair.
    state = read_seal_state(home / "keys" / _SEAL_FILE)
    with EventLog.open(home, config=_CONFIGS[mode]()) as log:
        assert log.recovered is None
        assert read_seal_state(home / "keys" / _SEAL_FILE) == state


def test_a_key_left_epochs_behind_by_a_power_cut_is_brought_forward(tmp_path: Path) -> None:
    home = tmp_path / "h"
    config = LogConfig(fsync_interval_ms=0, checkpoint_every=3)
    with EventLog.open(home, config=config) as log:
        log.append("note.x", actor="kernel", ts_ms=0, payload={})
        stale = read_seal_state(home / "keys" / _SEAL_FILE)
        for i in range(1, 20):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i})
    current = read_seal_state(home / "keys" / _SEAL_FILE)
    assert current.epoch - stale.epoch >= 3
    # The cut kept an old key file (the later ones never reached the disk).
    write_seal_state(home / "keys" / _SEAL_FILE, stale)
    verify_key = load_key_file(home / "keys" / "log-verify.key")
    report = verify_log(home, verify_key=verify_key, seal_state=stale)
    assert report.ok, report.first_error
    assert any("behind the log" in note for note in report.notes)
    # Ahead of the log is still what a cut of sealed records looks like.
    ahead = SealState(current.epoch + 1, evolve(current.key), current.checkpoint)
    report = verify_log(home, verify_key=verify_key, seal_state=ahead)
    assert report.first_error is not None
    assert report.first_error.reason is Reason.MISSING_CHECKPOINTS
    with EventLog.open(home, config=config) as log:
        log.append("note.x", actor="kernel", ts_ms=99, payload={"after": True})
    assert read_seal_state(home / "keys" / _SEAL_FILE).epoch >= current.epoch
    kinds = [r.kind for r in iter_records(home)]
    assert kinds.count("note.x") == 21
