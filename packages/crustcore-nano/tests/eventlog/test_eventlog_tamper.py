"""Tamper properties: every edit of a closed log is detected at the first affected record."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from crustcore_nano.eventlog import EventLog, LogConfig, Reason
from eventlog_testkit import (
    SEGMENT,
    Keys,
    build_home,
    home_keys,
    line_starts,
    parse_lines,
    rechain,
    segment_bytes,
    verify_home,
    with_segment,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, list[int], Keys]:
    home = tmp_path_factory.mktemp("victim") / "home"
    build_home(home)
    data = segment_bytes(home)
    return home, data, line_starts(data), home_keys(home)


def _check(
    victim: tuple[Path, bytes, list[int], Keys], tampered: bytes, seq: int, offset: int
) -> Reason:
    home, _, _, keys = victim
    with tempfile.TemporaryDirectory() as scratch:
        copy = with_segment(home, Path(scratch) / "home", tampered)
        report = verify_home(copy, keys)
    assert not report.ok
    error = report.first_error
    assert error is not None
    assert (error.seq, error.file, error.offset) == (seq, SEGMENT, offset), error
    assert report.records == seq
    return error.reason


def _record_of(starts: list[int], position: int) -> int:
    index = 0
    for i, start in enumerate(starts):
        if start <= position:
            index = i
    return index


def test_untouched_log_verifies(victim: tuple[Path, bytes, list[int], Keys]) -> None:
    home, _, starts, keys = victim
    report = verify_home(home, keys)
    assert report.ok, report.first_error
    assert report.records == len(starts)
    assert report.seals_checked and report.receipt_macs_checked and report.seal_state_checked
    assert report.summary.receipts == 8
    assert report.checkpoints >= 5


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_flipping_any_byte_is_located(
    victim: tuple[Path, bytes, list[int], Keys], data: st.DataObject
) -> None:
    _, original, starts, _ = victim
    position = data.draw(st.integers(0, len(original) - 1))
    mask = data.draw(st.integers(1, 255))
    tampered = bytearray(original)
    tampered[position] ^= mask
    index = _record_of(starts, position)
    reason = _check(victim, bytes(tampered), index, starts[index])
    if position == len(original) - 1:
        assert reason is Reason.TORN_TAIL


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_deleting_any_record_is_located(
    victim: tuple[Path, bytes, list[int], Keys], data: st.DataObject
) -> None:
    _, original, starts, _ = victim
    index = data.draw(st.integers(0, len(starts) - 1))
    end = starts[index + 1] if index + 1 < len(starts) else len(original)
    tampered = original[: starts[index]] + original[end:]
    _check(victim, tampered, index, starts[index])


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_duplicating_any_record_is_located(
    victim: tuple[Path, bytes, list[int], Keys], data: st.DataObject
) -> None:
    _, original, starts, _ = victim
    index = data.draw(st.integers(0, len(starts) - 1))
    end = starts[index + 1] if index + 1 < len(starts) else len(original)
    line = original[starts[index] : end]
    tampered = original[:end] + line + original[end:]
    _check(victim, tampered, index + 1, end)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_reordering_any_records_is_located(
    victim: tuple[Path, bytes, list[int], Keys], data: st.DataObject
) -> None:
    _, original, starts, _ = victim
    lines = original.splitlines(keepends=True)
    first = data.draw(st.integers(0, len(lines) - 2))
    second = data.draw(st.integers(first + 1, len(lines) - 1))
    lines[first], lines[second] = lines[second], lines[first]
    _check(victim, b"".join(lines), first, starts[first])


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_truncating_at_any_offset_is_located(
    victim: tuple[Path, bytes, list[int], Keys], data: st.DataObject
) -> None:
    _, original, starts, _ = victim
    cut = data.draw(st.integers(0, len(original) - 1))
    if cut in starts:
        # Whole records removed from the end: the final seal went with them.
        reason = _check(victim, original[:cut], starts.index(cut), cut)
        assert reason is Reason.MISSING_CHECKPOINTS
    else:
        index = _record_of(starts, cut)
        reason = _check(victim, original[:cut], index, starts[index])
        assert reason is Reason.TORN_TAIL


def test_rewriting_the_whole_log_without_the_seal_keys_is_detected(
    victim: tuple[Path, bytes, list[int], Keys], tmp_path: Path
) -> None:
    # The forger owns the machine today: it has the static receipt key and runs CrustCore
    # itself, producing a perfectly valid log sealed under a fresh epoch-0 key of its own.
    home, _, _, _ = victim
    forged_home = tmp_path / "forger"
    (forged_home / "keys").mkdir(parents=True)
    shutil.copy(home / "keys" / "log-receipt.key", forged_home / "keys" / "log-receipt.key")
    build_home(forged_home)
    reason = _check(victim, segment_bytes(forged_home), 0, 0)
    assert reason is Reason.SEAL_MISMATCH


def test_rewriting_without_any_key_fails_at_the_first_receipt_or_seal(
    victim: tuple[Path, bytes, list[int], Keys], tmp_path: Path
) -> None:
    home, _, _, keys = victim
    forged_home = tmp_path / "forger"
    build_home(forged_home)
    report = verify_home(with_segment(home, tmp_path / "copy", segment_bytes(forged_home)), keys)
    error = report.first_error
    assert error is not None
    assert error.reason in (Reason.SEAL_MISMATCH, Reason.BAD_RECEIPT_MAC)
    assert report.records <= 5


@settings(max_examples=40, deadline=None)
@given(data=st.data(), guess=st.binary(min_size=32, max_size=32))
def test_rechaining_after_an_edit_is_caught_by_the_seals(
    victim: tuple[Path, bytes, list[int], Keys], data: st.DataObject, guess: bytes
) -> None:
    _, original, starts, _ = victim
    records = parse_lines(original)
    index = data.draw(st.integers(0, len(records) - 2))
    target = records[index]
    if target["kind"] == "log.checkpoint":
        target["ts"] = int(str(target["ts"])) + 1
    else:
        payload = target["payload"]
        assert isinstance(payload, dict)
        payload["edited"] = True
    keep_old_seals = data.draw(st.booleans())
    tampered = rechain(records, seal_key=None if keep_old_seals else guess)
    home, _, _, keys = victim
    with tempfile.TemporaryDirectory() as scratch:
        report = verify_home(with_segment(home, Path(scratch) / "h", tampered), keys)
    error = report.first_error
    assert error is not None
    if target["kind"] == "tool.receipt":
        assert error.reason in (Reason.BAD_RECEIPT, Reason.BAD_RECEIPT_MAC)
        assert error.seq == index
        return
    assert error.reason is Reason.SEAL_MISMATCH
    # Located at the start of the unsealed span that holds the edit: no later than the edit,
    # no earlier than the last checkpoint before it.
    checkpoints_before = [i for i in range(index) if records[i]["kind"] == "log.checkpoint"]
    lower = checkpoints_before[-1] if checkpoints_before else 0
    assert lower <= error.seq <= index
    assert error.offset == starts[error.seq]


def test_removing_a_middle_segment_is_located(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = LogConfig(fsync_interval_ms=None, segment_max_bytes=4096, checkpoint_every=1000)
    with EventLog.open(home, config=config) as log:
        for i in range(200):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"pad": "p" * 60})
    segments = sorted((home / "log").glob("segment-*.jsonl"))
    assert len(segments) >= 4
    keys = home_keys(home)
    assert verify_home(home, keys).ok
    segments[1].unlink()
    report = verify_home(home, keys)
    error = report.first_error
    assert error is not None
    assert error.reason is Reason.SEGMENT_GAP
    assert error.file == segments[2].name
    assert error.offset == 0
    assert error.seq == sum(len(s.read_bytes().splitlines()) for s in segments[:1])
