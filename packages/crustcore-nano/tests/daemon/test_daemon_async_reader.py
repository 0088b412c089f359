"""AsyncKernelClient's own socket reader: big replies, restarts, a kernel that breaks framing."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path

import pytest
from crustcore_nano.daemon import AsyncKernelClient, NoKernelError
from crustcore_nano.daemon.frames import FrameDecoder, encode_frame
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.server import ensure_run_dir, socket_path
from crustcore_nano.errors import KernelError


def test_a_reply_spread_over_many_reads_arrives_whole(daemon_home: Path) -> None:
    text = "".join(f"{i:06d} " for i in range(60_000))  # ~420 KB: several reads of the buffer

    async def main() -> tuple[str, str]:
        async with await AsyncKernelClient.connect(daemon_home) as client:
            big = (await client.redact(text)).text
            small = (await client.redact("after")).text  # the stream is still in step
            return big, small

    big, small = asyncio.run(main())
    assert big == text
    assert small == "after"


def test_the_async_client_reconnects_once_after_a_restart(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path)

    async def main() -> tuple[object, object]:
        client = await AsyncKernelClient.connect(tmp_path)
        try:
            first = (await client.status())["pid"]
            assert stop_daemon(proc_box[0]) == 0
            proc_box[0] = start_daemon(tmp_path)
            second = (await client.status())["pid"]
            assert stop_daemon(proc_box[0]) == 0
            with pytest.raises(NoKernelError):
                await client.status()
            return first, second
        finally:
            await client.close()

    proc_box = [proc]
    try:
        first, second = asyncio.run(main())
        assert second == proc_box[0].pid
        assert first != second
    finally:
        stop_daemon(proc_box[0])


def _fake_kernel(home: Path, second_reply: bytes) -> tuple[socket.socket, threading.Thread]:
    """A socket that answers hello properly, then sends ``second_reply`` and closes."""
    ensure_run_dir(home)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(socket_path(home)))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            decoder = FrameDecoder()
            frames: list[bytes] = []
            while not frames:
                frames = decoder.feed(conn.recv(65536))
            hello = json.loads(frames[0])
            reply = {"v": 1, "id": hello["id"], "ok": True, "result": {"server": "fake"}}
            conn.sendall(encode_frame(json.dumps(reply).encode()))
            while not decoder.feed(conn.recv(65536)):
                pass
            conn.sendall(second_reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def test_a_kernel_that_breaks_framing_is_an_error_not_a_hang(tmp_path: Path) -> None:
    listener, thread = _fake_kernel(tmp_path, b"\x00\x00\x00\x00")  # a zero-length frame

    async def main() -> None:
        client = await AsyncKernelClient.connect(tmp_path)
        try:
            with pytest.raises(KernelError, match="bad frame"):
                await asyncio.wait_for(client.status(), 10)
        finally:
            await client.close()

    try:
        asyncio.run(main())
    finally:
        thread.join(10)
        listener.close()
    assert not thread.is_alive()
