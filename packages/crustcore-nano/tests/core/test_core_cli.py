"""The crustcore CLI and demo, run as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def crustcore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crustcore_nano", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_runs_end_to_end_and_leaves_its_log(tmp_path: Path) -> None:
    done = crustcore("demo", "--home", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "All checks held." in done.stdout
    assert "sk-demo-" not in done.stdout.replace("The key is sk-de", "")
    inspected = crustcore("inspect", str(tmp_path), "--json")
    assert inspected.returncode == 0, inspected.stderr
    assert json.loads(inspected.stdout)["ok"] is True


def test_demo_json_reports_every_step(tmp_path: Path) -> None:
    done = crustcore("demo", "--home", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    steps = {s["step"] for s in report["steps"]}
    assert {
        "up",
        "secret",
        "redact",
        "redact-base64",
        "redact-stream",
        "inject",
        "check",
        "ask",
        "model-approve",
        "user-approve",
        "reuse",
        "forged",
        "down",
        "log",
        "no-leak",
    } <= steps


def test_usage_errors_exit_2_without_traceback() -> None:
    for args in (("no-such-command",), ("demo", "--bogus"), ()):
        done = crustcore(*args)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
    assert crustcore("--version").stdout.startswith("crustcore ")


def test_scan_is_wired_into_the_cli(tmp_path: Path) -> None:
    f = tmp_path / "config.py"
    f.write_text('DB = "postgres://admin:Xy7pQ2mLr9vTz@db.prod.internal:5432/app"\n')
    done = crustcore("scan", str(f), "--json")
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)
    assert findings
    assert findings[0]["line"] == 1
    assert crustcore("scan", str(tmp_path / "missing")).returncode == 2


def test_sidecar_commands_say_what_to_install() -> None:
    done = crustcore("mcp")
    assert done.returncode == 2
    assert "install crustcore-mcp" in done.stderr
