"""``crustcore doctor``: pure judgements of modes and versions, and real runs on real homes."""

from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path

import pytest
from crustcore_nano import Kernel
from crustcore_nano.daemon.admin_cli import HomeLayout
from crustcore_nano.daemon.doctor import (
    Level,
    check_home,
    check_landlock,
    doctor_main,
    landlock_abi,
    node_major,
    parent_problem,
    private_mode_problem,
)
from crustcore_nano.daemon.supervisor import ensure_home
from hypothesis import given, settings
from hypothesis import strategies as st

ME = os.getuid()
OTHER = ME + 1000


def run_doctor(*args: str) -> tuple[int, dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    code = doctor_main([*args, "--json"], stdin=io.StringIO(), stdout=out, stderr=err)
    assert err.getvalue() == ""
    doc: object = json.loads(out.getvalue())
    assert isinstance(doc, dict)
    return code, doc  # pyright: ignore[reportUnknownVariableType]


def levels(doc: dict[str, object]) -> dict[str, tuple[str, str]]:
    checks = doc["checks"]
    assert isinstance(checks, list)
    return {c["name"]: (c["level"], c["detail"]) for c in checks}  # pyright: ignore[reportUnknownVariableType]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    ensure_home(HomeLayout.resolve(root))
    with Kernel.open(root) as kernel:
        kernel.create_task("for the log")
    return root


# --------------------------------------------------------------------------- pure judgements


def test_private_mode_problem() -> None:
    assert private_mode_problem(0o40700, owner=ME, me=ME, allowed=0o700) is None
    assert private_mode_problem(0o100600, owner=ME, me=ME, allowed=0o600) is None
    assert private_mode_problem(0o100400, owner=ME, me=ME, allowed=0o600) is None
    problem = private_mode_problem(0o100644, owner=ME, me=ME, allowed=0o600)
    assert problem is not None and "0644" in problem
    problem = private_mode_problem(0o40700, owner=OTHER, me=ME, allowed=0o700)
    assert problem is not None and f"uid {OTHER}" in problem


def test_parent_problem() -> None:
    assert parent_problem(0o40755, owner=0, me=ME) is None
    assert parent_problem(0o41777, owner=0, me=ME) is None  # /tmp: sticky
    problem = parent_problem(0o40777, owner=0, me=ME)
    assert problem is not None and "sticky" in problem
    assert parent_problem(0o40775, owner=ME, me=ME) is not None
    problem = parent_problem(0o40755, owner=OTHER, me=ME)
    assert problem is not None and "could replace the home" in problem


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0o7777), st.sampled_from([0o600, 0o700]))
def test_private_mode_problem_is_exactly_the_extra_bits(mode: int, allowed: int) -> None:
    problem = private_mode_problem(mode, owner=ME, me=ME, allowed=allowed)
    assert (problem is None) == (mode & ~allowed == 0)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_node_version_parser_is_total(text: str) -> None:
    major = node_major(text)
    assert major is None or 0 <= major <= 9999


def test_node_version_parser_examples() -> None:
    assert node_major("v20.11.1\n") == 20
    assert node_major("18.0.0") == 18
    assert node_major("vX") is None
    assert node_major("") is None


def test_landlock_probe_answers_without_raising() -> None:
    abi, detail = landlock_abi()
    assert (abi is None) or abi >= 1
    assert detail
    check = check_landlock()
    assert check.level is (Level.OK if abi is not None else Level.WARN)


# --------------------------------------------------------------------------- real runs


def test_healthy_home_has_no_failures(home: Path) -> None:
    code, doc = run_doctor("--home", str(home))
    found = levels(doc)
    assert code == (1 if any(lvl == "fail" for lvl, _ in found.values()) else 0)
    for name in ("python", "home permissions", "home parents", "config", "event log", "kernel"):
        assert found[name][0] == "ok", found[name]
    assert "verifies" in found["event log"][1]
    assert found["kernel"][1] == "not running"
    for name in ("bubblewrap", "landlock", "user namespaces", "node", "crypto extra"):
        assert found[name][0] in ("ok", "warn")
    assert doc["ok"] is (code == 0)


def test_text_report_has_one_line_per_check(home: Path) -> None:
    out = io.StringIO()
    code = doctor_main(["--home", str(home)], stdin=io.StringIO(), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[-1].endswith("failure(s)")
    assert all(line.split()[0] in ("ok", "warn", "fail") for line in lines[:-1])
    assert code in (0, 1)


def test_group_readable_key_and_open_home_fail(home: Path) -> None:
    key = home / "keys" / "kernel.key"
    os.chmod(key, 0o644)
    os.chmod(home, 0o755)  # noqa: S103 - the misconfiguration under test
    code, doc = run_doctor("--home", str(home))
    level, detail = levels(doc)["home permissions"]
    assert code == 1 and level == "fail"
    assert "kernel.key: mode 0644" in detail
    assert f"{home}: mode 0755" in detail
    checks = check_home(HomeLayout.resolve(home))
    assert any(c.level is Level.FAIL for c in checks)


def test_invalid_config_fails_with_file_and_line(home: Path) -> None:
    (home / "crustcore.toml").write_text("[sidecars.net]\nenabled = true\nwhat = 1\n")
    code, doc = run_doctor("--home", str(home))
    level, detail = levels(doc)["config"]
    assert code == 1 and level == "fail"
    assert f"{home / 'crustcore.toml'}:3:" in detail


def test_busy_port_fails_and_missing_sidecar_fails(home: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (home / "crustcore.toml").write_text(
            f"[sidecars.net]\nenabled = true\nmodule = 'json'\nport = {port}\n"
        )
        code, doc = run_doctor("--home", str(home))
    found = levels(doc)
    assert code == 1
    assert found[f"port {port}"][0] == "fail"
    assert "taken by another program" in found[f"port {port}"][1]
    assert found["sidecar net"][0] == "fail"  # json is a module, but not a runnable package
    # The port is held by a bound socket that does not listen and allows address reuse: a
    # server could still listen there, and no other program can bind it while the test runs
    # (a port merely released could be handed to any other socket before the second check).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as reserved:
        reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        (home / "crustcore.toml").write_text(
            f"[sidecars.net]\nenabled = true\nmodule = 'json.tool'\nport = {port}\n"
        )
        code, doc = run_doctor("--home", str(home))
    found = levels(doc)
    assert found["sidecar net"][0] == "ok"
    assert found[f"port {port}"] == ("ok", "free for sidecar net")


def test_a_port_left_in_time_wait_by_a_stopped_server_is_free(home: Path) -> None:
    # A sidecar that served a connection and stopped leaves that connection in TIME_WAIT for a
    # minute; the restarted sidecar can listen again at once, so doctor must not call it taken.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()  # the server side closes first, so it is the side in TIME_WAIT
            assert client.recv(1) == b""
    (home / "crustcore.toml").write_text(
        f"[sidecars.net]\nenabled = true\nmodule = 'json.tool'\nport = {port}\n"
    )
    _code, doc = run_doctor("--home", str(home))
    assert levels(doc)[f"port {port}"] == ("ok", "free for sidecar net")


def test_tampered_log_fails(home: Path) -> None:
    segment = sorted((home / "log").glob("segment-*.jsonl"))[0]
    data = bytearray(segment.read_bytes())
    index = data.index(b"for the log")
    data[index] = ord("F")
    segment.write_bytes(bytes(data))
    code, doc = run_doctor("--home", str(home))
    level, detail = levels(doc)["event log"]
    assert code == 1 and level == "fail"
    assert "does NOT verify" in detail


def test_passphrase_in_environment_warns(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRUSTCORE_VAULT_PASSPHRASE", "x")
    _, doc = run_doctor("--home", str(home))
    level, detail = levels(doc)["environment"]
    assert level == "warn" and "never reads it" in detail


def test_missing_home_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    _, doc = run_doctor("--home", str(tmp_path / "nowhere"))
    assert levels(doc)["home"][0] == "warn"
    assert not (tmp_path / "nowhere").exists()
