"""Threat: ``run/supervisor.pid`` outlives a supervisor that was killed, and its number is later
reused by an unrelated process of the same user. ``crustcore down`` trusted the file whenever
the home's lock looked held (a concurrent ``crustcore status`` probes that same lock), and sent
SIGTERM to whatever had the pid. Invariant: ``down`` signals a pid only when ``supervisor.json``
names the same pid and that process still runs the supervisor's exact command line."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.admin_cli import HomeLayout
from crustcore_nano.daemon.supervisor import SupervisorError, ensure_home, stop_home


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("state", ["missing", "other_argv", "other_pid", "no_argv"])
def test_down_refuses_a_pid_that_is_not_the_supervisor(
    tmp_path: Path, bystander: subprocess.Popen[bytes], state: str
) -> None:
    layout = HomeLayout.resolve(tmp_path / "home")
    ensure_home(layout)
    layout.supervisor_pid.write_text(f"{bystander.pid}\n", encoding="ascii")
    doc: dict[str, object] = {"v": 1, "pid": bystander.pid, "argv": ["python", "crustcore", "up"]}
    if state == "other_pid":
        doc = {"v": 1, "pid": os.getpid(), "argv": ["python", "crustcore", "up"]}
    elif state == "no_argv":
        doc = {"v": 1, "pid": bystander.pid}
    if state != "missing":
        layout.supervisor_json.write_text(json.dumps(doc), encoding="utf-8")
    # Someone holds the home's lock (a status probe, or a supervisor mid-start).
    fd = os.open(layout.supervisor_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(SupervisorError, match="stale pid file"):
            stop_home(layout, timeout=1.0)
    finally:
        os.close(fd)
    assert bystander.poll() is None, "down signalled a process that is not the supervisor"
