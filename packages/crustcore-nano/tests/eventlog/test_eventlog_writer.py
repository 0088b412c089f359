"""The writer: appends, reopen, lock, rotation, group commit, recovery, validation, encryption."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest
from crustcore_nano.errors import LogError, UsageError
from crustcore_nano.eventlog import EventLog, LogConfig, Reason, iter_records, verify_log
from eventlog_testkit import SEGMENT, home_keys, verify_home

FAST = LogConfig(fsync_interval_ms=None)


def test_first_open_creates_private_dirs_and_keys(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with EventLog.open(home, config=FAST) as log:
        result = log.append("note.hello", actor="kernel", ts_ms=5, payload={"a": [1, "b", None]})
        assert (result.seq, len(result.record_hash)) == (0, 64)
    for directory in (home / "log", home / "keys"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in ("log-receipt.key", "log-seal.key", "log-verify.key"):
        assert stat.S_IMODE((home / "keys" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "log" / SEGMENT).stat().st_mode) == 0o600
    line = (home / "log" / SEGMENT).read_bytes().splitlines()[0]
    decoded = json.loads(line)  # jq-readable: one plain JSON object per line
    assert decoded["payload"] == {"a": [1, "b", None]}
    assert decoded["hash"] == result.record_hash
    assert verify_home(home, home_keys(home)).ok


def test_reopen_continues_the_chain_and_the_seals(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for round_ in range(3):
        with EventLog.open(
            home, config=LogConfig(fsync_interval_ms=None, checkpoint_every=4)
        ) as log:
            assert log.recovered is None
            for i in range(10):
                log.append("note.x", actor="kernel", ts_ms=round_ * 100 + i, payload={"i": i})
    report = verify_home(home, home_keys(home))
    assert report.ok, report.first_error
    assert report.summary.by_kind["note.x"] == 30
    assert report.unsealed_records == 0
    assert [r.seq for r in iter_records(home)] == list(range(report.records))


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with (
        EventLog.open(home, config=FAST),
        pytest.raises(LogError, match=rf"already open for writing by pid {os.getpid()}"),
    ):
        EventLog.open(home, config=FAST)
    with EventLog.open(home, config=FAST) as again:  # released on close
        assert again.next_seq >= 0


def test_segments_rotate_and_the_chain_continues(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with EventLog.open(home, config=LogConfig(fsync_interval_ms=0, segment_max_bytes=4096)) as log:
        for i in range(120):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"pad": "z" * 50, "i": i})
    segments = sorted((home / "log").glob("segment-*.jsonl"))
    assert len(segments) > 3
    for segment in segments[:-1]:  # every full segment ends sealed
        assert json.loads(segment.read_bytes().splitlines()[-1])["kind"] == "log.checkpoint"
    report = verify_home(home, home_keys(home))
    assert report.ok and report.segments == len(segments)


@pytest.mark.parametrize("interval", [0, 5, None])
def test_durable_seq_only_covers_fsynced_records(tmp_path: Path, interval: int | None) -> None:
    with EventLog.open(tmp_path / "h", config=LogConfig(fsync_interval_ms=interval)) as log:
        assert log.durable_seq == -1
        result = log.append("note.x", actor="kernel", ts_ms=1, payload={})
        if interval == 0:
            assert log.durable_seq == result.seq
        elif interval is None:
            assert log.durable_seq == -1
        else:
            assert log.wait_durable(result.seq, timeout=10)
        assert log.flush() == result.seq
        assert log.durable_seq == result.seq


def test_threads_append_concurrently(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seqs: list[int] = []
    guard = threading.Lock()
    config = LogConfig(fsync_interval_ms=1, checkpoint_every=7, segment_max_bytes=4096)
    with EventLog.open(home, config=config) as log:

        def worker(name: str) -> None:
            for i in range(300):
                result = log.append("note.x", actor=name, ts_ms=i, payload={"i": i})
                with guard:
                    seqs.append(result.seq)

        threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert log.wait_durable(max(seqs), timeout=10)
    assert len(set(seqs)) == 1800
    report = verify_home(home, home_keys(home))
    assert report.ok and report.summary.by_kind["note.x"] == 1800


def test_bad_appends_are_refused(tmp_path: Path) -> None:
    with EventLog.open(tmp_path / "h", config=FAST) as log:
        ok = {"actor": "kernel", "ts_ms": 1}
        with pytest.raises(UsageError, match="plain JSON"):
            log.append("note.x", payload={"v": object()}, **ok)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="plain JSON"):
            log.append("note.x", payload={"v": float("nan")}, **ok)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="written by the log itself"):
            log.append("log.checkpoint", payload={}, **ok)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="written by the log itself"):
            log.append("tool.receipt", payload={}, **ok)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="kind"):
            log.append("Bad Kind", payload={}, **ok)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="task_id"):
            log.append("note.x", payload={}, task_id='x"y', **ok)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="timestamps"):
            log.append("note.x", actor="kernel", ts_ms=-1, payload={})
        with pytest.raises(UsageError, match="too large"):
            log.append("note.x", actor="kernel", ts_ms=1, payload={"big": "a" * (1 << 20)})
        deep: dict[str, object] = {}
        cursor = deep
        for _ in range(100_000):
            cursor["d"] = {}
            nxt = cursor["d"]
            assert isinstance(nxt, dict)
            cursor = nxt  # pyright: ignore[reportUnknownVariableType]
        with pytest.raises(UsageError):
            log.append("note.x", actor="kernel", ts_ms=1, payload=deep)
        assert log.next_seq == 0
        log.append("note.x", actor="kernel", ts_ms=1, payload={"still": "fine"})
    report = verify_log(tmp_path / "h")
    assert report.ok and report.records == 2


def test_torn_tail_is_cut_exactly_and_recorded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with EventLog.open(home, config=FAST) as log:
        for i in range(5):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i})
    segment = home / "log" / SEGMENT
    intact = segment.read_bytes()
    torn = b'{"v":1,"seq":6,"ts":9,"kind":"note.x","act'
    segment.write_bytes(intact + torn)
    report = verify_log(home)
    assert report.first_error is not None and report.first_error.reason is Reason.TORN_TAIL
    assert report.first_error.offset == len(intact)
    with EventLog.open(home, config=FAST) as log:
        recovered = log.recovered
        assert recovered is not None
        assert (recovered.offset, recovered.torn_bytes) == (len(intact), len(torn))
    data = segment.read_bytes()
    assert data.startswith(intact)
    record = json.loads(data[len(intact) :].splitlines()[0])
    assert record["kind"] == "log.recovered"
    assert record["payload"]["torn_bytes"] == len(torn)
    assert verify_home(home, home_keys(home)).ok


def test_open_refuses_a_broken_log(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with EventLog.open(home, config=FAST) as log:
        for i in range(5):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i})
    segment = home / "log" / SEGMENT
    data = bytearray(segment.read_bytes())
    data[30] ^= 1
    segment.write_bytes(bytes(data))
    with pytest.raises(LogError, match="broken at seq 0"):
        EventLog.open(home, config=FAST)


def test_open_refuses_a_log_shorter_than_its_seal_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with EventLog.open(home, config=LogConfig(fsync_interval_ms=None, checkpoint_every=3)) as log:
        for i in range(10):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"i": i})
    segment = home / "log" / SEGMENT
    lines = segment.read_bytes().splitlines(keepends=True)
    segment.write_bytes(b"".join(lines[:5]))
    with pytest.raises(LogError, match=r"sealing key .* epoch"):
        EventLog.open(home, config=FAST)


def test_encrypted_payloads_verify_without_the_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key = bytes(range(32))
    config = LogConfig(fsync_interval_ms=None, encrypt_key=key)
    with EventLog.open(home, config=config) as log:
        log.append("note.secretish", actor="kernel", ts_ms=1, payload={"text": "redacted body"})
        done = log.append(
            "tool.completed",
            actor="kernel",
            ts_ms=2,
            task_id="t",
            job_id="j",
            payload={"tool_call_id": "c", "result": "shown"},
        )
        log.append_receipt(
            ts_ms=3,
            task_id="t",
            job_id="j",
            tool_call_id="c",
            tool_name="x",
            args={},
            shown_result="shown",
            completion_seq=done.seq,
        )
    raw = (home / "log" / SEGMENT).read_text()
    assert "redacted body" not in raw and "aes-256-gcm" in raw
    keys = home_keys(home)
    assert verify_home(home, keys).ok
    report = verify_log(
        home, verify_key=keys.verify_key, receipt_key=keys.receipt_key, decrypt_key=key
    )
    assert report.ok
    plain = [r.payload for r in iter_records(home, decrypt_key=key)]
    assert plain[0] == {"text": "redacted body"}
    with pytest.raises(LogError):
        list(iter_records(home, decrypt_key=bytes(32)))
    # Reopening with the key keeps receipts checkable across restarts.
    with EventLog.open(home, config=config) as log:
        assert log.next_seq == 4


def test_missing_cryptography_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers.aead", None)
    with pytest.raises(LogError, match=r"crustcore-nano\[crypto\]"):
        EventLog.open(tmp_path / "h", config=LogConfig(encrypt_key=bytes(32)))
    assert not (tmp_path / "h" / "log" / SEGMENT).exists()


def test_config_validation() -> None:
    with pytest.raises(UsageError):
        LogConfig(segment_max_bytes=10)
    with pytest.raises(UsageError):
        LogConfig(checkpoint_every=0)
    with pytest.raises(UsageError):
        LogConfig(encrypt_key=b"short")
    assert "encrypt_key" not in repr(LogConfig(encrypt_key=bytes(32)))
