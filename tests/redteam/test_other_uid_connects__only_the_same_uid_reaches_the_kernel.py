"""Threat: another local user (a service account, a compromised daemon running as `nobody`)
connects to the kernel socket to ask for decisions, approvals or secrets. Invariant: only peers of
the kernel's own uid reach it: the socket's directory and mode keep others out, and even when the
file permissions are opened up, the kernel checks SO_PEERCRED and closes the connection unread."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.frames import encode_frame
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.server import socket_path
from crustcore_nano.eventlog import iter_records

NOBODY = 65534
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to switch a child process to uid 65534 (nobody)"
)


@pytest.fixture
def open_home() -> Iterator[Path]:
    """A home under /tmp whose ancestors other users can traverse (pytest's tmp dirs are 0700)."""
    home = Path(tempfile.mkdtemp(prefix="cc-uid-", dir="/tmp"))
    os.chmod(home, 0o755)  # noqa: S103 - other users must be able to traverse it
    yield home
    shutil.rmtree(home, ignore_errors=True)


def _as_nobody(sock_path: Path) -> str:
    """Fork, become nobody, try to talk to the kernel; the child's verdict as text."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        verdict = "error"
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(10)
            try:
                conn.connect(str(sock_path))
            except PermissionError:
                verdict = "connect-denied"
            else:
                hello = {"v": 1, "id": 1, "op": "hello", "args": {"role": "client"}}
                try:
                    conn.sendall(encode_frame(json.dumps(hello).encode()))
                    data = conn.recv(65536)
                    verdict = "answered" if data else "closed-unanswered"
                except (ConnectionResetError, BrokenPipeError):
                    verdict = "closed-unanswered"
        except BaseException:
            verdict = "error"
        finally:
            os.write(write_end, verdict.encode())
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 100):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def test_another_uid_cannot_even_reach_the_socket(open_home: Path) -> None:
    proc = start_daemon(open_home)
    try:
        assert stat.S_IMODE((open_home / "run").stat().st_mode) == 0o700
        assert _as_nobody(socket_path(open_home)) == "connect-denied"
    finally:
        assert stop_daemon(proc) == 0


def test_another_uid_is_refused_by_peer_credentials_even_with_open_permissions(
    open_home: Path,
) -> None:
    proc = start_daemon(open_home)
    try:
        # Simulate a user who loosened the permissions by mistake.
        os.chmod(open_home, 0o755)  # noqa: S103 - the mistake under test
        os.chmod(open_home / "run", 0o755)  # noqa: S103
        os.chmod(socket_path(open_home), 0o777)  # noqa: S103
        assert _as_nobody(socket_path(open_home)) == "closed-unanswered"
    finally:
        assert stop_daemon(proc) == 0
    refusals = [r for r in iter_records(open_home / "log") if r.kind == "daemon.peer_refused"]
    assert len(refusals) == 1
    assert refusals[0].payload["peer_uid"] == NOBODY
