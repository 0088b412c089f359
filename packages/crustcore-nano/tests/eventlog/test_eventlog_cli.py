"""`crustcore inspect` / `crustcore export`: summaries, exit codes, proofs, and hostile input."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from crustcore_nano.eventlog.cli import export_main, inspect_main
from eventlog_testkit import SEGMENT, build_home
from hypothesis import given, settings
from hypothesis import strategies as st


def run_inspect(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = inspect_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_export(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = export_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "home"
    build_home(path, records=60, checkpoint_every=9)
    return path


def test_inspect_an_intact_home(home: Path) -> None:
    code, out, err = run_inspect(str(home))
    assert code == 0, err
    assert "chain INTACT" in out
    assert "task task-0:" in out and "decisions: allow=" in out
    assert "seals verified" in out
    code, out, _ = run_inspect(str(home), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True and report["first_error"] is None
    assert report["checks"] == {"seals": True, "receipt_macs": True, "seal_key_state": True}
    assert report["summary"]["receipts"] == 12
    assert set(report["summary"]["tasks"]) == {"task-0", "task-1", "task-2"}


def test_inspect_a_segment_file_and_a_log_dir_with_full_decoding(home: Path) -> None:
    code, out, _ = run_inspect(str(home / "log" / SEGMENT), "--full", "--json")
    assert code == 0
    assert json.loads(out)["checks"]["seals"] is False
    code, out, _ = run_inspect(str(home / "log"), "--key", str(home / "keys" / "log-verify.key"))
    assert code == 0 and "seals verified" in out


def test_inspect_reports_the_first_bad_record(home: Path, tmp_path: Path) -> None:
    data = bytearray((home / "log" / SEGMENT).read_bytes())
    starts = [0, *[i + 1 for i, b in enumerate(data) if b == ord("\n")][:-1]]
    data[starts[17] + 40] ^= 0x20
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(bytes(data))
    code, out, _ = run_inspect(str(bad))
    assert code == 1
    assert f"seq 17, file bad.jsonl, byte offset {starts[17]}: hash_mismatch" in out
    code, out, _ = run_inspect(str(bad), "--json")
    error = json.loads(out)["first_error"]
    assert (code, error["seq"], error["offset"], error["reason"]) == (
        1,
        17,
        starts[17],
        "hash_mismatch",
    )


def test_prove_and_verify_proofs(home: Path, tmp_path: Path) -> None:
    key = str(home / "keys" / "log-verify.key")
    code, out, err = run_inspect(str(home), "--prove", "11")
    assert code == 0, err
    proof = tmp_path / "inclusion.json"
    proof.write_text(out)
    code, out, _ = run_inspect("--verify-proof", str(proof), "--key", key)
    assert code == 0 and "VALID" in out
    tampered = json.loads(proof.read_text())
    tampered["leaf_index"] = 12
    proof.write_text(json.dumps(tampered))
    code, out, _ = run_inspect("--verify-proof", str(proof), "--json")
    assert code == 1 and json.loads(out)["ok"] is False

    checkpoints = [
        json.loads(line)["seq"]
        for line in (home / "log" / SEGMENT).read_bytes().splitlines()
        if b'"kind":"log.checkpoint"' in line
    ]
    code, out, _ = run_inspect(
        str(home), "--consistency", str(checkpoints[0]), str(checkpoints[-1]), "--json"
    )
    assert code == 0
    consistency = tmp_path / "consistency.json"
    consistency.write_text(out)
    assert run_inspect("--verify-proof", str(consistency), "--key", key)[0] == 0
    forged = json.loads(out)
    forged["second"]["root"] = "ab" * 32
    consistency.write_text(json.dumps(forged))
    code, out, _ = run_inspect("--verify-proof", str(consistency), "--key", key)
    assert code == 1 and "not genuine" in out
    code, _, err = run_inspect(str(home), "--consistency", "1", str(checkpoints[-1]))
    assert code == 2 and "not a verified checkpoint" in err
    code, _, err = run_inspect(str(home), "--prove", "100000")
    assert code == 2 and "not a verified record" in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x00\xff\xfe binary junk \x89PNG\r\n\x1a\n" * 50, "not a CrustCore event log"),
        (b"\xc3\x28\xa0\xa1 invalid utf-8 \xf0\x28\x8c\x28\n", "not a CrustCore event log"),
        (b'{"v":2,"seq":0,"format":"from the future"}\n', "format version 2 is not supported"),
        (b"", ""),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "input.jsonl"
    path.write_bytes(content)
    code, out, err = run_inspect(str(path))
    if not content:
        assert code == 0 and "0 verified record(s)" in out
        return
    assert code == 2
    assert needle in out
    assert "Traceback" not in out + err
    code, out, err = run_inspect(str(path), "--json")
    assert code == 2 and json.loads(out)["ok"] is False


def test_a_two_gigabyte_line_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: no disk, no memory
    code, out, err = run_inspect(str(path), "--json")
    assert code == 2, err
    error = json.loads(out)["first_error"]
    assert error["reason"] == "not_a_log" and "maximum record size" in error["message"]


def test_usage_errors(tmp_path: Path) -> None:
    assert run_inspect()[0] == 2
    code, _, err = run_inspect(str(tmp_path / "missing"))
    assert code == 2 and "no such file" in err
    code, _, err = run_inspect(str(tmp_path))
    assert code == 2 and "no event-log segments" in err
    code, _, err = run_inspect("--nope")
    assert code == 2 and "unrecognized arguments" in err
    code, out, _ = run_inspect("--help")
    assert code == 0 and "usage: crustcore inspect" in out
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\x00\x01")
    assert run_inspect("--verify-proof", str(junk))[0] == 2
    code, _, err = run_inspect(str(tmp_path), "--key", str(junk))
    assert code == 2 and "not a CrustCore key" in err
    assert run_export()[0] == 2


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=600))
def test_inspect_never_crashes_on_arbitrary_bytes(content: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "x.jsonl"
        path.write_bytes(content)
        code, out, err = run_inspect(str(path), "--json")
    assert code in (0, 1, 2)
    assert json.loads(out)["ok"] is (code == 0)
    assert "Traceback" not in err


def test_export_writes_the_verified_prefix(home: Path, tmp_path: Path) -> None:
    code, out, err = run_export(str(home), "--jsonl")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [record["seq"] for record in lines] == list(range(len(lines)))
    code, out, _ = run_export(str(home))
    assert code == 0 and json.loads(out)["exported"] == len(lines)

    data = (home / "log" / SEGMENT).read_bytes()
    cut = data.find(b'"seq":30,') - 1
    broken = tmp_path / "broken"
    (broken / "log").mkdir(parents=True)
    (broken / "log" / SEGMENT).write_bytes(data[:cut] + b"garbage\n" + data[cut:])
    code, out, err = run_export(str(broken / "log"), "--jsonl")
    assert code == 1
    assert len(out.splitlines()) == 30
    assert "verification stopped" in err and "seq 30" in err
    code, out, err = run_export(str(broken / "log"))
    assert code == 1 and json.loads(out) == {
        "records": json.loads(out)["records"],
        "complete": False,
        "exported": 30,
    }


def test_export_decrypts_only_with_the_key(tmp_path: Path) -> None:
    from crustcore_nano.eventlog import EventLog, LogConfig

    home = tmp_path / "h"
    key = os.urandom(32)
    with EventLog.open(home, config=LogConfig(fsync_interval_ms=None, encrypt_key=key)) as log:
        log.append("note.x", actor="kernel", ts_ms=1, payload={"msg": "hello"})
    key_file = tmp_path / "data.key"
    key_file.write_text(key.hex())
    code, out, _ = run_export(str(home), "--jsonl")
    assert (
        code == 0 and "hello" not in out and '"$encrypted": true' in out.replace(":true", ": true")
    )
    code, out, _ = run_export(str(home), "--jsonl", "--decrypt-key", str(key_file))
    assert code == 0 and json.loads(out.splitlines()[0])["payload"] == {"msg": "hello"}


def test_the_documented_by_hand_procedure_checks_a_real_proof(home: Path) -> None:
    doc = Path(__file__).resolve().parents[4] / "docs" / "event-log.md"
    snippet = doc.read_text().split("```python\nimport hashlib", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec("import hashlib" + snippet, namespace)  # noqa: S102 - our own documentation
    inclusion_ok, seal_ok = namespace["inclusion_ok"], namespace["seal_ok"]
    assert callable(inclusion_ok) and callable(seal_ok)
    code, out, _ = run_inspect(str(home), "--prove", "20")
    assert code == 0
    proof = json.loads(out)
    verify_key = bytes.fromhex((home / "keys" / "log-verify.key").read_text().strip())
    assert inclusion_ok(proof) is True
    assert seal_ok(proof["checkpoint"], verify_key) is True
    assert seal_ok(proof["checkpoint"], bytes(32)) is False
    proof["leaf_index"] = 21
    assert inclusion_ok(proof) is False


def test_a_later_segment_alone_is_a_usage_error(tmp_path: Path) -> None:
    from crustcore_nano.eventlog import EventLog, LogConfig

    home = tmp_path / "h"
    config = LogConfig(fsync_interval_ms=None, segment_max_bytes=4096)
    with EventLog.open(home, config=config) as log:
        for i in range(80):
            log.append("note.x", actor="kernel", ts_ms=i, payload={"pad": "q" * 80})
    code, _, err = run_inspect(str(home / "log" / "segment-00000001.jsonl"))
    assert code == 2 and "inspect the directory" in err
    assert run_inspect(str(home / "log"))[0] == 0
