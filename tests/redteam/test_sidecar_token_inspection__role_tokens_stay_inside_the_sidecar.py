"""Threat: a sidecar (the net proxy, the MCP gateway) holds a role token read from the pipe named
by ``CRUSTCORE_TOKEN_FD``. It stayed dumpable, so any other process of the user could read the
token out of ``/proc/PID/mem`` (where ptrace is allowed) or a core file; and the variable stayed
in its environment, so every program it started inherited a descriptor number that was closed
or already reused for another file. Invariant: once a sidecar has read its token it is
non-dumpable (Linux), the variable is gone from its environment, and its children neither see
the variable nor inherit the non-dumpable flag they do not need."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import TOKEN_FD_ENV
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import Role

NET_TOKEN = secrets.token_urlsafe(32)

SIDECAR = """
import json, os, subprocess, sys
from crustcore_nano.daemon.client import KernelClient, TOKEN_FD_ENV
from crustcore_nano.daemon.hardening import is_dumpable

handed = TOKEN_FD_ENV in os.environ
with KernelClient(sys.argv[1], role="net") as client:
    role = client.server_info["role"]
child = subprocess.run(
    [sys.executable, "-c", sys.argv[2]], capture_output=True, text=True, check=True, timeout=60
)
print(json.dumps({
    "handed": handed,
    "role": role,
    "dumpable": is_dumpable(),
    "env_after": TOKEN_FD_ENV in os.environ,
    "child": json.loads(child.stdout),
}))
"""

CHILD = """
import json, os
from crustcore_nano.daemon.hardening import is_dumpable
print(json.dumps({"env": os.environ.get("CRUSTCORE_TOKEN_FD"), "dumpable": is_dumpable()}))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("sidecar")
    proc = start_daemon(path, tokens=[(Role.NET, NET_TOKEN)])
    try:
        yield path
    finally:
        stop_daemon(proc)


def run_sidecar(home: Path) -> dict[str, object]:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, f"net:{NET_TOKEN}\n".encode())
        os.close(write_end)
        out = subprocess.run(
            [sys.executable, "-c", SIDECAR, str(home), CHILD],
            env={**os.environ, TOKEN_FD_ENV: str(read_end)},
            pass_fds=(read_end,),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        os.close(read_end)
    doc: object = json.loads(out.stdout)
    assert isinstance(doc, dict)
    return doc  # pyright: ignore[reportUnknownVariableType]


def test_the_token_variable_is_gone_once_read(home: Path) -> None:
    report = run_sidecar(home)
    assert report["handed"] is True  # the supervisor's hand-over really was there
    assert report["role"] == "net"  # and the token in it worked
    assert report["env_after"] is False
    child = report["child"]
    assert isinstance(child, dict)
    assert child["env"] is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_a_sidecar_holding_a_token_is_not_dumpable(home: Path) -> None:
    report = run_sidecar(home)
    assert report["dumpable"] is False
    child = report["child"]
    assert isinstance(child, dict)
    assert child["dumpable"] is True  # execve resets the flag: commands it runs are unaffected
