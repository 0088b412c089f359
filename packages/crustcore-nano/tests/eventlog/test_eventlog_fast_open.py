"""Opening a big log resumes from its last checkpoint instead of re-reading every record, and a
changed checkpoint or a damaged tail is still refused."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from crustcore_nano.errors import LogError
from crustcore_nano.eventlog import EventLog, LogConfig, Reason, read_seal_state
from crustcore_nano.eventlog.keys import write_seal_state
from eventlog_testkit import (
    SEGMENT,
    build_home,
    home_keys,
    parse_lines,
    rechain,
    segment_bytes,
    verify_home,
    with_segment,
)

RECORDS = 200_000
CHECKPOINT_EVERY = 1000
TAIL = 500  # records appended after the last checkpoint in the "open tail" home
FAST = LogConfig(fsync_interval_ms=None, checkpoint_every=CHECKPOINT_EVERY)


def _append_many(log: EventLog, count: int, start: int) -> None:
    append = log.append
    for i in range(start, start + count):
        append(
            "decision.allow",
            actor="kernel",
            ts_ms=1_700_000_000_000 + i,
            task_id=f"task-{i % 20}",
            payload={"tool": "read_file", "args": {"path": f"src/m{i % 97}.py"}},
        )


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(closed, open_tail): a closed log of about 200k records ending in its close checkpoint,
    and a copy taken while the writer was still running, with records after the last
    checkpoint (what a crash leaves)."""
    root = tmp_path_factory.mktemp("fast-open")
    closed, open_tail = root / "closed", root / "open-tail"
    with EventLog.open(closed, config=FAST) as log:
        _append_many(log, RECORDS, 0)
        done = log.append(
            "tool.completed",
            actor="kernel",
            ts_ms=1_800_000_000_000,
            task_id="task-r",
            job_id="job-1",
            payload={"tool_call_id": "call-r", "result": "shown"},
        )
        _append_many(log, TAIL, RECORDS)
        log.flush()
        shutil.copytree(closed, open_tail)
        log.append_receipt(
            ts_ms=1_800_000_000_001,
            task_id="task-r",
            job_id="job-1",
            tool_call_id="call-r",
            tool_name="read_file",
            args={"path": "x"},
            shown_result="shown",
            completion_seq=done.seq,
        )
    return closed, open_tail


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("writer.lock"))
    return target


def _segment_lines(home: Path) -> list[bytes]:
    return (home / "log" / SEGMENT).read_bytes().splitlines(keepends=True)


def test_open_reads_only_the_records_after_the_last_checkpoint(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    closed, _ = homes
    home = _copy(closed, tmp_path / "h")
    with EventLog.open(home, config=FAST) as log:
        total = log.next_seq
        assert total > RECORDS
        # close() ended the log with a checkpoint: open reads just that one line, not 200k.
        assert log.resumed_from == total - 1
        assert log.open_records_scanned == 1
        more = log.append("decision.deny", actor="kernel", ts_ms=1_900_000_000_000, payload={})
        assert more.seq == total
    # The chain, the tree and the seals continue exactly: the whole log still verifies.
    report = verify_home(home, home_keys(home))
    assert report.ok, report.first_error
    assert report.records == total + 2  # the new record and the close checkpoint


def test_open_after_a_crash_verifies_only_the_unsealed_tail(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    _, open_tail = homes
    home = _copy(open_tail, tmp_path / "h")
    with EventLog.open(home, config=FAST) as log:
        assert log.resumed_from is not None
        # At most one checkpoint interval (plus the checkpoint line itself) is read.
        assert 0 < log.open_records_scanned <= CHECKPOINT_EVERY + 1
        assert log.resumed_from + log.open_records_scanned == log.next_seq
        log.append("decision.deny", actor="kernel", ts_ms=1_900_000_000_000, payload={})
    assert verify_home(home, home_keys(home)).ok


def test_a_damaged_record_after_the_last_checkpoint_is_refused(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    _, open_tail = homes
    home = _copy(open_tail, tmp_path / "h")
    lines = _segment_lines(home)
    victim = lines[-3]
    lines[-3] = victim.replace(b'"decision.allow"', b'"decision.alloW"')
    assert lines[-3] != victim
    (home / "log" / SEGMENT).write_bytes(b"".join(lines))
    with pytest.raises(LogError, match="broken at seq"):
        EventLog.open(home, config=FAST)


def _rehash(line: bytes) -> bytes:
    """Give an edited line a correct record hash (what an editor without the keys can do)."""
    body = line[: line.index(b',"hash":"')]
    return body + b',"hash":"' + hashlib.sha256(body).hexdigest().encode() + b'"}\n'


def test_an_edited_last_checkpoint_is_not_trusted(homes: tuple[Path, Path], tmp_path: Path) -> None:
    closed, _ = homes
    home = _copy(closed, tmp_path / "h")
    lines = _segment_lines(home)
    record = json.loads(lines[-1])
    assert record["kind"] == "log.checkpoint"
    # Swap two saved tree nodes: the line is re-hashed so its own hash is consistent.
    record["payload"]["frontier"][0], record["payload"]["frontier"][1] = (
        record["payload"]["frontier"][1],
        record["payload"]["frontier"][0],
    )
    edited = json.dumps(record, separators=(",", ":")).encode() + b"\n"
    lines[-1] = _rehash(edited)
    (home / "log" / SEGMENT).write_bytes(b"".join(lines))
    with pytest.raises(LogError, match="broken at seq"):
        EventLog.open(home, config=FAST)


def test_a_pointer_to_another_line_falls_back_to_full_verification(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    closed, _ = homes
    home = _copy(closed, tmp_path / "h")
    seal_path = home / "keys" / "log-seal.key"
    state = read_seal_state(seal_path)
    assert state.checkpoint is not None
    lines = _segment_lines(home)
    other = lines[-2]
    fake = type(state.checkpoint)(
        seq=state.checkpoint.seq - 1,
        segment=0,
        offset=state.checkpoint.offset - len(other),
        record_hash=json.loads(other)["hash"],
    )
    write_seal_state(seal_path, type(state)(state.epoch, state.key, fake))
    with EventLog.open(home, config=FAST) as log:
        assert log.resumed_from is None
        assert log.open_records_scanned == log.next_seq


@pytest.mark.parametrize("field", ["frontier", "last_receipt"])
def test_inspect_checks_the_resume_state_a_checkpoint_carries(tmp_path: Path, field: str) -> None:
    source = tmp_path / "source"
    build_home(source)
    records = parse_lines(segment_bytes(source))
    last = records[-1]
    assert last["kind"] == "log.checkpoint"
    payload = last["payload"]
    assert isinstance(payload, dict)
    if field == "frontier":
        nodes = payload["frontier"]
        assert isinstance(nodes, list) and nodes
        payload["frontier"] = ["0" * 64, *nodes[1:]]
    else:
        payload["last_receipt"] = "0" * 64
    # Root, tree size and seal stay as they were (the seal still checks out); only the saved
    # state is wrong, and the chain is rebuilt around the edit.
    tampered = with_segment(source, tmp_path / "h", rechain(records, seal_key=None))
    report = verify_home(tampered, home_keys(source))
    assert report.first_error is not None
    assert report.first_error.reason is Reason.CHECKPOINT_MISMATCH
    assert report.first_error.seq == len(records) - 1


def test_a_torn_tail_is_cut_and_recorded_on_a_resumed_open(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    _, open_tail = homes
    home = _copy(open_tail, tmp_path / "h")
    segment = home / "log" / SEGMENT
    intact = segment.stat().st_size
    with segment.open("ab") as handle:
        handle.write(b'{"v":1,"seq":')  # a record cut short by a crash
    with EventLog.open(home, config=FAST) as log:
        assert log.resumed_from is not None
        assert log.open_records_scanned <= CHECKPOINT_EVERY + 1
        assert log.recovered is not None
        assert (log.recovered.offset, log.recovered.torn_bytes) == (intact, 13)
    assert verify_home(home, home_keys(home)).ok
