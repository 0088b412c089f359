"""Group commit: the append that finds the batch due fsyncs it, with or without the flusher thread.

Time is a fake clock (`writer._monotonic`), so nothing here depends on how fast the machine is
(steps avoid landing exactly on the 10 ms boundary, where float rounding decides).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from crustcore_nano.daemon.run import DAEMON_LOG, drive_group_commit
from crustcore_nano.eventlog import EventLog, LogConfig, iter_records
from eventlog_testkit import Clock, fake_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fake_clock(monkeypatch)


NO_THREAD = LogConfig(fsync_interval_ms=10, flush_thread=False)


def _flushers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "crustcore-log-flusher"]


def _append(log: EventLog, i: int) -> int:
    return log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i}).seq


def test_without_the_thread_no_thread_is_started(tmp_path: Path) -> None:
    before = len(_flushers())
    with EventLog.open(tmp_path / "h", config=NO_THREAD):
        assert len(_flushers()) == before
    with EventLog.open(tmp_path / "h2"):  # the default keeps its flusher
        assert len(_flushers()) == before + 1


@pytest.mark.parametrize("flush_thread", [False, True])
def test_the_append_that_finds_the_batch_due_makes_it_durable(
    tmp_path: Path, clock: Clock, flush_thread: bool
) -> None:
    """The bound holds even when no flusher runs at all: a thread that cannot get the GIL (or
    none) leaves the appends to keep it."""
    config = LogConfig(fsync_interval_ms=10, flush_thread=flush_thread)
    with EventLog.open(tmp_path / "h", config=config) as log:
        log.flush()  # the open's own records are out of the way
        if flush_thread:
            log._stop.set()  # pyright: ignore[reportPrivateUsage]  # the flusher never runs again
            assert log._flusher is not None  # pyright: ignore[reportPrivateUsage]
            log._flusher.join()  # pyright: ignore[reportPrivateUsage]
        first = _append(log, 1)
        clock.now += 0.009
        _append(log, 2)
        assert log.durable_seq < first  # not due yet: still in memory
        clock.now += 0.002
        third = _append(log, 3)  # the first record has waited 10 ms: this append fsyncs all
        assert log.durable_seq == third
        assert [r.payload for r in iter_records(tmp_path / "h") if r.kind == "note.x"] == [
            {"i": 1},
            {"i": 2},
            {"i": 3},
        ]


def test_flush_due_reports_the_wait_and_flushes_when_due(tmp_path: Path, clock: Clock) -> None:
    with EventLog.open(tmp_path / "h", config=NO_THREAD) as log:
        log.flush()
        assert log.flush_due() is None  # nothing pending
        seq = _append(log, 1)
        clock.now += 0.004
        wait = log.flush_due()
        assert wait == pytest.approx(0.006)
        assert log.durable_seq < seq
        clock.now += 0.007
        assert log.flush_due() is None  # written, fsynced, nothing left
        assert log.durable_seq == seq


def test_on_pending_is_called_once_per_batch(tmp_path: Path, clock: Clock) -> None:
    calls: list[int] = []
    with EventLog.open(tmp_path / "h", config=NO_THREAD) as log:
        log.flush()
        log.on_pending = lambda: calls.append(log.next_seq)
        _append(log, 1)
        _append(log, 2)
        assert len(calls) == 1
        clock.now += 0.011
        _append(log, 3)  # drains: the next record starts a new batch
        _append(log, 4)
        assert len(calls) == 2


def test_close_writes_what_no_timer_flushed(tmp_path: Path) -> None:
    with EventLog.open(tmp_path / "h", config=NO_THREAD) as log:
        seq = _append(log, 1)
    assert seq in [r.seq for r in iter_records(tmp_path / "h")]


def test_the_daemon_loop_makes_a_lone_record_durable(tmp_path: Path) -> None:
    """With the daemon's settings, a record that no later append follows is fsynced by the
    event loop's timer (real time here: the wait is a liveness bound, not a speed claim)."""
    assert DAEMON_LOG.flush_thread is False and DAEMON_LOG.fsync_interval_ms == 10
    with EventLog.open(tmp_path / "h", config=DAEMON_LOG) as log:
        log.flush()

        async def run() -> tuple[int, int]:
            drive_group_commit(log)
            seq = _append(log, 1)
            for _ in range(1000):  # at most 10 s
                if log.durable_seq >= seq:
                    break
                await asyncio.sleep(0.01)
            return seq, log.durable_seq

        seq, durable = asyncio.run(run())
        log.on_pending = None
        assert durable == seq


def _big(log: EventLog, i: int) -> int:
    return log.append("note.x", actor="kernel", ts_ms=i, payload={"pad": "p" * 20_000}).seq


def test_a_large_batch_is_written_ahead_and_fsynced_when_due(tmp_path: Path, clock: Clock) -> None:
    """Past `_WRITE_AHEAD_BYTES` the batch goes to the file at once (it survives the process
    dying), but the fsync still comes when the oldest record has waited the interval, even if
    no append follows: the owner's timer finds it."""
    calls: list[int] = []
    with EventLog.open(tmp_path / "h", config=NO_THREAD) as log:
        log.flush()
        log.on_pending = lambda: calls.append(log.next_seq)
        segment = sorted((tmp_path / "h" / "log").glob("*.jsonl"))[-1]
        size = segment.stat().st_size
        first = _big(log, 1)
        assert calls  # a timer is asked for
        clock.now += 0.004
        second = _big(log, 2)  # 40 KB queued: written now
        assert segment.stat().st_size > size
        assert log.durable_seq < first  # written, not fsynced
        assert log.flush_due() == pytest.approx(0.006)  # due from the first record's time
        clock.now += 0.007
        assert log.flush_due() is None  # fsynced, nothing left
        assert log.durable_seq >= second


def test_a_lone_large_record_still_asks_for_the_timer(tmp_path: Path, clock: Clock) -> None:
    calls: list[int] = []
    with EventLog.open(tmp_path / "h", config=NO_THREAD) as log:
        log.flush()
        log.on_pending = lambda: calls.append(log.next_seq)
        seq = log.append("note.x", actor="kernel", ts_ms=1, payload={"pad": "p" * 40_000}).seq
        assert calls  # written ahead at once, and the timer that will fsync it is asked for
        clock.now += 0.011
        assert log.flush_due() is None
        assert log.durable_seq >= seq
