"""Group commit with the fsync in a child process (`LogConfig(fsync_process=True)`).

The child is real (a `python -I -S` process); only the clock the writer reads is fake, so no
test depends on how fast the machine is. Waits on the child are liveness bounds, not speed
claims.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest
from crustcore_nano.daemon.run import DAEMON_LOG
from crustcore_nano.errors import LogError
from crustcore_nano.eventlog import EventLog, LogConfig, iter_records
from crustcore_nano.eventlog.syncer import Syncer
from eventlog_testkit import Clock, fake_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fake_clock(monkeypatch)


SYNCED = LogConfig(fsync_interval_ms=10, flush_thread=False, fsync_process=True)


def _append(log: EventLog, i: int) -> int:
    return log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i}).seq


def _syncer(log: EventLog) -> Syncer:
    syncer = log._syncer  # pyright: ignore[reportPrivateUsage]
    assert syncer is not None
    return syncer


def _open_files(pid: int) -> dict[str, int]:
    """The regular files process `pid` holds open, with the access mode of each descriptor."""
    found: dict[str, int] = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{name}")
        if target.startswith("/"):
            with open(f"/proc/{pid}/fdinfo/{name}", encoding="ascii") as info:
                flags = next(int(line.split()[1], 8) for line in info if line.startswith("flags:"))
            found[target] = flags & os.O_ACCMODE
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_daemon_hands_its_fsyncs_to_a_child() -> None:
    assert DAEMON_LOG.fsync_process and not DAEMON_LOG.flush_thread


def test_the_due_append_hands_off_and_the_childs_answer_makes_it_durable(
    tmp_path: Path, clock: Clock
) -> None:
    with EventLog.open(tmp_path / "h", config=SYNCED) as log:
        log.flush()
        first = _append(log, 1)
        clock.now += 0.011
        third = _append(log, 2)  # due: written and handed to the child
        assert _syncer(log).pending == third
        assert log.wait_durable(third, timeout=30)
        assert log.durable_seq >= first
        assert _syncer(log).pending is None
        pid = _syncer(log).pid
    assert not _alive(pid)  # closing the log stops the child
    assert [r.payload for r in iter_records(tmp_path / "h") if r.kind == "note.x"] == [
        {"i": 1},
        {"i": 2},
    ]


def test_the_child_holds_the_current_segment_read_only(tmp_path: Path, clock: Clock) -> None:
    config = LogConfig(
        fsync_interval_ms=10, flush_thread=False, fsync_process=True, segment_max_bytes=4096
    )
    with EventLog.open(tmp_path / "h", config=config) as log:
        for i in range(60):  # several segments
            _append(log, i)
            clock.now += 0.011
        seq = _append(log, 60)
        clock.now += 0.011
        assert log.flush_due() is None  # due: handed off
        assert log.wait_durable(seq, timeout=30)
        segments = sorted((tmp_path / "h" / "log").glob("*.jsonl"))
        assert len(segments) > 2
        held = _open_files(_syncer(log).pid)
        in_home = {path: mode for path, mode in held.items() if path.startswith(str(tmp_path))}
        assert in_home == {str(segments[-1]): os.O_RDONLY}


def test_a_killed_child_means_inline_fsyncs_and_nothing_lost(tmp_path: Path, clock: Clock) -> None:
    with EventLog.open(tmp_path / "h", config=SYNCED) as log:
        log.flush()
        _append(log, 1)
        clock.now += 0.011
        handed = _append(log, 2)
        pid = _syncer(log).pid
        os.kill(pid, signal.SIGKILL)
        # The answer never comes: the waiter finds the child gone and fsyncs itself.
        assert log.wait_durable(handed, timeout=30)
        assert log._syncer is None  # pyright: ignore[reportPrivateUsage]
        _append(log, 3)
        clock.now += 0.011
        last = _append(log, 4)
        assert log.durable_seq == last  # fsynced inline by the due append
    assert [r.payload["i"] for r in iter_records(tmp_path / "h") if r.kind == "note.x"] == [
        1,
        2,
        3,
        4,
    ]


def test_a_failed_fsync_in_the_child_stops_the_log(tmp_path: Path, clock: Clock) -> None:
    log = EventLog.open(tmp_path / "h", config=SYNCED)
    try:
        log.flush()
        _syncer(log).follow(os.devnull)  # fsync of /dev/null fails with EINVAL
        _append(log, 1)
        clock.now += 0.011
        seq = _append(log, 2)
        with pytest.raises(LogError, match="writing the event log failed"):
            log.wait_durable(seq, timeout=30)
        with pytest.raises(LogError):
            _append(log, 3)
    finally:
        log._release_files()  # pyright: ignore[reportPrivateUsage]


def test_the_syncer_reports_the_errno_of_a_failed_fsync() -> None:
    syncer = Syncer()
    try:
        syncer.follow(os.devnull)
        assert syncer.submit(7) is None
        assert syncer.answer(30) == (7, errno.EINVAL)
        assert syncer.answer(0) is None  # nothing outstanding
    finally:
        syncer.close()
