"""The server under stress: stuck and slow peers, blocking waits, clean shutdown, one per home."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient, RemoteError
from crustcore_nano.daemon.frames import encode_frame
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.server import KernelServer, ServerConfig, socket_path
from crustcore_nano.daemon.service import KernelService
from crustcore_nano.eventlog import iter_records, verify_log
from crustcore_nano.kernel.core import Kernel
from daemon_testkit import RawPeer, error_code


class ThreadServer:
    """A real server on a real socket, in a thread of this process, with short timeouts."""

    def __init__(self, home: Path, config: ServerConfig) -> None:
        self.kernel = Kernel.open(home)
        self.server = KernelServer(KernelService(self.kernel), config=config)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        async def main() -> None:
            await self.server.start()
            self._ready.set()
            await self.server.serve_until_stopped()

        asyncio.run(main())

    def stop(self) -> None:
        self.server.request_stop()
        self._thread.join(10)
        self.kernel.close()


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Path]:
    cfg = ServerConfig(write_high_water=64 * 1024, write_timeout_s=0.5, read_timeout_s=0.5)
    srv = ThreadServer(tmp_path, cfg)
    yield tmp_path
    srv.stop()


def _work(home: Path, n: int = 20) -> int:
    done = 0
    with KernelClient(home, timeout=10) as client:
        for _ in range(n):
            assert client.status()["server"] == "crustcore/0.1.0"
            done += 1
    return done


def test_a_client_that_never_reads_is_closed_and_others_are_served(quick: Path) -> None:
    stuck = RawPeer(quick)
    stuck.hello()
    big = "x" * 200_000
    frame = encode_frame(
        json.dumps({"v": 1, "id": 1, "op": "redact", "args": {"text": big}}).encode()
    )
    # Requests whose answers pile up unread; the kernel must not wait on this peer.
    stuck.sock.settimeout(0.05)
    sent = 0
    try:
        for _ in range(200):
            stuck.sock.sendall(frame)
            sent += 1
    except (TimeoutError, BrokenPipeError, ConnectionResetError):
        pass
    assert sent > 0
    assert _work(quick) == 20  # meanwhile, another client is served
    # The kernel drops the stuck peer after its write timeout; poll (bounded) until it has.
    with KernelClient(quick, timeout=10) as watcher:
        deadline = time.monotonic() + 20
        while watcher.status()["connections"] != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.status()["connections"] == 1
    stuck.sock.settimeout(10)
    assert stuck.closed()
    stuck.close()
    assert _work(quick) == 20


def test_half_a_frame_does_not_stall_others_and_is_closed_after_the_timeout(quick: Path) -> None:
    half = RawPeer(quick)
    half.hello()
    frame = encode_frame(b'{"v":1,"id":1,"op":"status","args":{}}')
    half.send_raw(frame[:7])
    assert _work(quick) == 20
    reply = half.recv()
    assert error_code(reply) == "bad_frame"
    assert half.closed()
    half.close()


def test_approval_wait_blocks_only_its_own_connection(quick: Path) -> None:
    with KernelClient(quick) as edge, KernelClient(quick, role="admin") as admin:
        pending = edge.request_approval("Bash", {"command": "git push"})
        approval_id = str(pending["approval_id"])
        result: dict[str, str] = {}

        def wait() -> None:
            result["state"] = edge.wait_approval(approval_id, timeout_s=30)
            result["after"] = str(edge.status()["server"])  # answered in order after the wait

        waiter = threading.Thread(target=wait)
        waiter.start()
        assert _work(quick, 50) == 50  # others are served while the edge waits
        listed = admin.approvals()
        assert [a["approval_id"] for a in listed] == [approval_id]
        assert admin.resolve_approval(
            approval_id, approve=True, digest=str(listed[0]["digest"])
        ) == ("approved")
        waiter.join(10)
        assert result == {"state": "approved", "after": "crustcore/0.1.0"}


def test_approval_wait_times_out_as_pending(quick: Path) -> None:
    with KernelClient(quick) as edge:
        pending = edge.request_approval("Bash", {"command": "make deploy"})
        assert edge.wait_approval(str(pending["approval_id"]), timeout_s=0.2) == "pending"


def test_a_resolution_with_the_wrong_digest_is_refused(quick: Path) -> None:
    with KernelClient(quick) as edge, KernelClient(quick, role="admin") as admin:
        pending = edge.request_approval("Bash", {"command": "rm -r build"})
        with pytest.raises(RemoteError, match="refused"):
            admin.resolve_approval(str(pending["approval_id"]), approve=True, digest="0" * 64)
        assert edge.wait_approval(str(pending["approval_id"]), timeout_s=0) == "pending"


def test_sigterm_stops_cleanly_with_a_sealed_log(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path)
    run = tmp_path / "run"
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert stat.S_IMODE(socket_path(tmp_path).stat().st_mode) == 0o600
    assert stat.S_IMODE((run / "admin.token").stat().st_mode) == 0o600
    assert (run / "kernel.pid").read_text().strip() == str(proc.pid)
    with KernelClient(tmp_path) as client:
        client.record("hook.pre_tool", {"tool": "Read"})
    assert stop_daemon(proc) == 0
    assert not socket_path(tmp_path).exists()
    assert not (run / "kernel.pid").exists()
    assert not (run / "admin.token").exists()
    report = verify_log(tmp_path / "log")
    assert report.ok
    assert report.unsealed_records == 0
    kinds = [r.kind for r in iter_records(tmp_path / "log")]
    assert "hook.pre_tool" in kinds


def test_sigint_and_admin_shutdown_also_stop_cleanly(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    stop_daemon(proc)
    proc = start_daemon(tmp_path)
    with KernelClient(tmp_path, role="admin") as admin:
        admin.shutdown()
    assert proc.wait(30) == 0
    stop_daemon(proc)
    assert verify_log(tmp_path / "log").ok


def test_a_second_kernel_on_one_home_is_refused(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "crustcore_nano.daemon", "serve", "--home", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1
        assert "already running" in second.stderr
        assert _work(tmp_path, 3) == 3  # the first one is untouched
    finally:
        assert stop_daemon(proc) == 0


def test_a_stale_socket_and_pid_file_are_replaced(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    stop_daemon(proc)
    assert socket_path(tmp_path).exists()  # left behind by the killed kernel
    proc = start_daemon(tmp_path)
    try:
        assert _work(tmp_path, 3) == 3
    finally:
        assert stop_daemon(proc) == 0
    assert verify_log(tmp_path / "log").ok


def test_stopping_answers_a_pending_wait_and_closes(tmp_path: Path) -> None:
    srv = ThreadServer(tmp_path, ServerConfig())
    stopped = False
    try:
        with RawPeer(tmp_path) as edge:
            edge.hello()
            pending = edge.call(1, "approval.request", {"tool": "deploy", "args": {}})
            result = pending["result"]
            assert isinstance(result, dict)
            edge.request(2, "approval.wait", {"approval_id": result["approval_id"]})
            edge.request(3, "status")  # queued behind the wait; dropped at shutdown
            with KernelClient(tmp_path) as other:  # the wait holds back only the edge
                assert other.status()["server"] == "crustcore/0.1.0"
            srv.stop()
            stopped = True
            reply = edge.recv()
            assert reply is not None
            assert reply["id"] == 2
            assert error_code(reply) == "refused"
            assert edge.closed()
    finally:
        if not stopped:
            srv.stop()
    assert verify_log(tmp_path / "log").ok
