"""Threat: an injected agent (same uid, no token) opens as many connections to the kernel
socket as it is allowed and keeps them idle. Nothing ever closed an idle connection, so once
the cap was reached every new peer, including the user's ``crustcore`` CLI and the sidecars,
was reset: approvals could no longer be resolved and no secret injected. Invariant: a peer
must finish ``hello`` within a short time, and at the cap the oldest peer without a token
makes room, so the admin CLI and the sidecars always get in."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient
from crustcore_nano.daemon.roles import Role, TokenStore
from crustcore_nano.daemon.server import KernelServer, ServerConfig, socket_path
from crustcore_nano.daemon.service import KernelService
from crustcore_nano.kernel.core import Kernel

CAP = 12
NET_TOKEN = secrets.token_urlsafe(32)


class _Served:
    def __init__(self, home: Path, config: ServerConfig) -> None:
        self.kernel = Kernel.open(home)
        tokens = TokenStore()
        tokens.add(Role.NET, NET_TOKEN)
        self.server = KernelServer(KernelService(self.kernel), tokens=tokens, config=config)
        ready = threading.Event()

        def run() -> None:
            async def main() -> None:
                await self.server.start()
                ready.set()
                await self.server.serve_until_stopped()

            asyncio.run(main())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10)

    def stop(self) -> None:
        self.server.request_stop()
        self.thread.join(10)
        self.kernel.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, _Served]]:
    srv = _Served(tmp_path, ServerConfig(max_connections=CAP, hello_timeout_s=1.0))
    try:
        yield tmp_path, srv
    finally:
        srv.stop()


def _open(home: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(str(socket_path(home)))
    return sock


def _closed_by_kernel(sock: socket.socket) -> bool:
    """True when the kernel ends the connection (after its one error answer) within 5 s."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def _wait_until(check: object, seconds: float = 10.0) -> bool:
    assert callable(check)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_idle_flood_does_not_lock_out_admin_or_sidecars(served: tuple[Path, _Served]) -> None:
    home, srv = served
    flood = [_open(home) for _ in range(CAP * 3)]
    try:
        assert _wait_until(lambda: len(srv.server.connections) == CAP)
        with KernelClient(home, role="admin", timeout=5) as admin:
            assert admin.status()["server"] == "crustcore/0.1.0"
            with KernelClient(home, role="net", token=NET_TOKEN, timeout=5) as net:
                assert net.status()["server"] == "crustcore/0.1.0"
                # The flood goes on while both are connected: they are never the ones evicted.
                more = [_open(home) for _ in range(CAP * 2)]
                flood += more
                assert _wait_until(lambda: len(srv.server.connections) == CAP)
                assert admin.status()["connections"] == CAP
                assert net.status()["server"] == "crustcore/0.1.0"
    finally:
        for sock in flood:
            sock.close()


def test_a_peer_that_never_says_hello_is_closed(served: tuple[Path, _Served]) -> None:
    home, srv = served
    sock = _open(home)
    try:
        assert _closed_by_kernel(sock)
        assert _wait_until(lambda: len(srv.server.connections) == 0)
    finally:
        sock.close()
