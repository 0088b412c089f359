"""Receipts: minted only for a matching tool completion, and every forgery is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crustcore_nano.errors import UsageError
from crustcore_nano.eventlog import EventLog, LogConfig, Reason, result_digest
from crustcore_nano.eventlog.receipts import args_digest, mac_matches, receipt_hash
from eventlog_testkit import SEGMENT, home_keys, parse_lines, rechain, verify_home

FAST = LogConfig(fsync_interval_ms=None, checkpoint_every=10_000)


def _completed(log: EventLog, call: str, result: str, *, task: str = "t1") -> int:
    return log.append(
        "tool.completed",
        actor="kernel",
        ts_ms=10,
        task_id=task,
        job_id="j1",
        payload={"tool_call_id": call, "result": result},
    ).seq


def _receipt(log: EventLog, seq: int, call: str, shown: str, *, task: str = "t1") -> int:
    return log.append_receipt(
        ts_ms=11,
        task_id=task,
        job_id="j1",
        tool_call_id=call,
        tool_name="read_file",
        args={"path": "a.txt", "n": 1},
        shown_result=shown,
        artifact_hashes=[result_digest("artifact")],
        completion_seq=seq,
    ).seq


def test_receipt_binds_everything(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with EventLog.open(home, config=FAST) as log:
        done = _completed(log, "c1", "hello")
        seq = _receipt(log, done, "c1", "hello")
    records = parse_lines((home / "log" / SEGMENT).read_bytes())
    receipt = records[seq]["payload"]
    assert isinstance(receipt, dict)
    assert receipt["completion_seq"] == done and receipt["seq"] == seq
    assert receipt["result_sha256"] == result_digest("hello")
    assert receipt["args_sha256"] == args_digest({"n": 1, "path": "a.txt"})
    assert receipt["prev_receipt"] == "0" * 64
    keys = home_keys(home)
    assert mac_matches(keys.receipt_key, receipt)  # pyright: ignore[reportUnknownArgumentType]
    assert not mac_matches(b"k" * 32, receipt)  # pyright: ignore[reportUnknownArgumentType]
    assert verify_home(home, keys).ok


def test_append_refuses_receipts_that_do_not_match(tmp_path: Path) -> None:
    with EventLog.open(tmp_path / "h", config=FAST) as log:
        done = _completed(log, "c1", "the real result")
        note = log.append("note.x", actor="kernel", ts_ms=1, payload={"result": "x"}).seq
        with pytest.raises(UsageError, match=r"not a tool\.completed"):
            _receipt(log, note, "c1", "x")
        with pytest.raises(UsageError, match=r"not a tool\.completed"):
            _receipt(log, 999, "c1", "x")
        with pytest.raises(UsageError, match="shown result differs"):
            _receipt(log, done, "c1", "a doctored result")
        with pytest.raises(UsageError, match="another tool call"):
            _receipt(log, done, "c2", "the real result")
        with pytest.raises(UsageError, match="another task"):
            _receipt(log, done, "c1", "the real result", task="t2")
        _receipt(log, done, "c1", "the real result")
        with pytest.raises(UsageError, match=r"not a tool\.completed"):
            _receipt(log, done, "c1", "the real result")  # a second receipt for one result
        no_result = log.append(
            "tool.completed",
            actor="kernel",
            ts_ms=1,
            task_id="t1",
            job_id="j1",
            payload={"tool_call_id": "c9"},
        ).seq
        with pytest.raises(UsageError, match="logged no result"):
            _receipt(log, no_result, "c9", "")


def _two_receipt_log(home: Path) -> list[dict[str, object]]:
    with EventLog.open(home, config=FAST) as log:
        first = _completed(log, "c1", "one")
        _receipt(log, first, "c1", "one")
        second = _completed(log, "c2", "two")
        _receipt(log, second, "c2", "two")
    return parse_lines((home / "log" / SEGMENT).read_bytes())


def _write(home: Path, records: list[dict[str, object]]) -> None:
    (home / "log" / SEGMENT).write_bytes(rechain(records, seal_key=None))


def test_verify_refuses_a_receipt_under_a_wrong_key(tmp_path: Path) -> None:
    home = tmp_path / "h"
    _two_receipt_log(home)
    keys = home_keys(home)
    report = verify_home(home, keys)
    assert report.ok
    from dataclasses import replace

    report = verify_home(home, replace(keys, receipt_key=b"\x01" * 32))
    assert report.first_error is not None
    assert (report.first_error.reason, report.first_error.seq) == (Reason.BAD_RECEIPT_MAC, 1)


def test_verify_refuses_reordered_receipts(tmp_path: Path) -> None:
    home = tmp_path / "h"
    records = _two_receipt_log(home)
    # Swap the two (completion, receipt) pairs and renumber: MACs stay genuine, the chain is
    # re-hashed, but the receipt chain no longer links.
    moved = [records[2], records[3], records[0], records[1], *records[4:]]
    for seq, record in enumerate(moved):
        record["seq"] = seq
    _write(home, moved)
    report = verify_home(home, home_keys(home))
    assert report.first_error is not None
    assert report.first_error.seq == 1
    assert report.first_error.reason in (Reason.BAD_RECEIPT, Reason.RECEIPT_CHAIN)


def test_verify_refuses_a_dropped_receipt(tmp_path: Path) -> None:
    home = tmp_path / "h"
    records = _two_receipt_log(home)
    del records[1]
    for seq, record in enumerate(records):
        record["seq"] = seq
        payload = record["payload"]
        assert isinstance(payload, dict)
        if record["kind"] == "tool.receipt":
            payload["seq"] = seq
            payload["completion_seq"] = seq - 1
    _write(home, records)
    report = verify_home(home, home_keys(home))
    assert report.first_error is not None
    assert report.first_error.seq == 2
    assert report.first_error.reason in (Reason.BAD_RECEIPT_MAC, Reason.RECEIPT_CHAIN)


def test_verify_refuses_a_result_hash_that_does_not_match_the_log(tmp_path: Path) -> None:
    home = tmp_path / "h"
    records = _two_receipt_log(home)
    completion = records[2]["payload"]
    assert isinstance(completion, dict)
    completion["result"] = "a different result was logged"
    _write(home, records)
    report = verify_home(home, home_keys(home))
    assert report.first_error is not None
    assert (report.first_error.reason, report.first_error.seq) == (Reason.RECEIPT_JOIN, 3)
    assert "result hash" in report.first_error.message


def test_verify_refuses_a_receipt_pointing_at_a_non_completion(tmp_path: Path) -> None:
    home = tmp_path / "h"
    records = _two_receipt_log(home)
    records[2]["kind"] = "tool.started"  # the record the second receipt vouches for
    _write(home, records)
    report = verify_home(home, home_keys(home))
    assert report.first_error is not None
    assert (report.first_error.reason, report.first_error.seq) == (Reason.RECEIPT_JOIN, 3)
    assert "not an earlier tool.completed" in report.first_error.message


def test_receipt_hash_excludes_the_mac() -> None:
    body: dict[str, object] = {"a": 1, "mac": "00"}
    assert receipt_hash(body) == receipt_hash({"a": 1, "mac": "ff"})
    assert json.loads(json.dumps(body)) == body
