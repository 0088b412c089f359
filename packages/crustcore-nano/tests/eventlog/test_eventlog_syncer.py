"""Group commit with the fsync in a child process (`LogConfig(fsync_process=True)`).

The child is real (a `python -I -S` process); only the clock the writer reads is fake, so no
test depends on how fast the machine is. Waits on the child are liveness bounds, not speed
claims.
"""

from __future__ import annotations

import errno
import os
import select
import signal
import socket
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


def _pending(syncer: Syncer) -> int | None:
    """The request waiting for its answer (read through a call: appends change it)."""
    return syncer.pending


def _hand_off_second(log: EventLog, clock: Clock) -> int:
    """Append records 1 and 2, the second one due: it is written and handed to the child."""
    log.flush()
    _append(log, 1)
    clock.now += 0.011
    return _append(log, 2)


def _logged(home: Path) -> list[object]:
    return [r.payload["i"] for r in iter_records(home) if r.kind == "note.x"]


def _answer_arrives(syncer: Syncer) -> None:
    """Wait (a liveness bound) until the child's answer is there to read, without reading it."""
    readable, _, _ = select.select([syncer._sock], [], [], 30)  # pyright: ignore[reportPrivateUsage]
    assert readable, "the child did not answer within 30 s"


def test_a_later_append_collects_the_answer_and_the_next_hand_off_does_not_wait(
    tmp_path: Path, clock: Clock
) -> None:
    with EventLog.open(tmp_path / "h", config=SYNCED) as log:
        handed = _hand_off_second(log, clock)  # due: handed to the child
        syncer = _syncer(log)
        _answer_arrives(syncer)
        _append(log, 3)  # starts a batch (and announces it): nothing else
        _append(log, 4)  # too soon after the hand-off to look for the answer
        assert _pending(syncer) == handed
        clock.now += 0.003
        _append(log, 5)  # writes nothing: takes the answer, without waiting
        assert _pending(syncer) is None
        assert log.durable_seq >= handed
        clock.now += 0.011
        last = _append(log, 6)  # due: hands off at once, no answer left to wait for
        assert _pending(syncer) == last
        assert log.wait_durable(last, timeout=30)
    assert _logged(tmp_path / "h") == [1, 2, 3, 4, 5, 6]


def test_an_answer_not_there_yet_is_looked_for_again_later(tmp_path: Path, clock: Clock) -> None:
    with EventLog.open(tmp_path / "h", config=SYNCED) as log:
        handed = _hand_off_second(log, clock)
        syncer = _syncer(log)
        real = syncer._sock  # pyright: ignore[reportPrivateUsage]
        quiet, other = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        syncer._sock = quiet  # pyright: ignore[reportPrivateUsage]  # an answer that never comes
        try:
            _append(log, 3)
            clock.now += 0.003
            _append(log, 4)  # looks, finds nothing, and does not wait
            assert _pending(syncer) == handed
        finally:
            syncer._sock = real  # pyright: ignore[reportPrivateUsage]
            quiet.close()
            other.close()
        _answer_arrives(syncer)
        _append(log, 5)  # the next look is not due yet
        assert _pending(syncer) == handed
        clock.now += 0.003
        _append(log, 6)
        assert _pending(syncer) is None
        assert log.durable_seq >= handed


def test_a_child_found_dead_by_a_later_append_means_nothing_lost(
    tmp_path: Path, clock: Clock
) -> None:
    with EventLog.open(tmp_path / "h", config=SYNCED) as log:
        handed = _hand_off_second(log, clock)
        pid = _syncer(log).pid
        os.kill(pid, signal.SIGKILL)  # before or after it answered: either must be safe
        while _alive(pid):
            os.sched_yield()
        _append(log, 3)
        clock.now += 0.003
        _append(log, 4)  # finds the answer, or the closed socket and then fsyncs itself
        assert log.durable_seq >= handed
        clock.now += 0.011
        last = _append(log, 6)  # due: no child to hand it to, so fsynced inline
        assert log._syncer is None  # pyright: ignore[reportPrivateUsage]
        assert log.durable_seq == last
    assert _logged(tmp_path / "h") == [1, 2, 3, 4, 6]


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
        handed = _hand_off_second(log, clock)
        pid = _syncer(log).pid
        os.kill(pid, signal.SIGKILL)
        # The answer never comes: the waiter finds the child gone and fsyncs itself.
        assert log.wait_durable(handed, timeout=30)
        assert log._syncer is None  # pyright: ignore[reportPrivateUsage]
        _append(log, 3)
        clock.now += 0.011
        last = _append(log, 4)
        assert log.durable_seq == last  # fsynced inline by the due append
    assert _logged(tmp_path / "h") == [1, 2, 3, 4]


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
        assert syncer.submit(8) is None
        _answer_arrives(syncer)
        assert syncer.answer(0) == (8, errno.EINVAL)
        assert syncer.answer(0) is None  # nothing outstanding
    finally:
        syncer.close()
