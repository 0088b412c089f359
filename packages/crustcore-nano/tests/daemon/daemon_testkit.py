"""Helpers for the daemon tests: a raw socket peer that speaks (or breaks) the frame protocol."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from crustcore_nano.daemon.frames import FrameDecoder, encode_frame
from crustcore_nano.daemon.protocol import as_object
from crustcore_nano.daemon.server import socket_path


class RawPeer:
    """A blocking socket to the kernel with no client library in between."""

    def __init__(self, home: Path, *, timeout: float = 10.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(socket_path(home)))
        self.decoder = FrameDecoder()
        self.pending: list[bytes] = []

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, doc: object) -> None:
        self.sock.sendall(encode_frame(json.dumps(doc).encode()))

    def request(self, req_id: int, op: str, args: dict[str, object] | None = None) -> None:
        self.send({"v": 1, "id": req_id, "op": op, "args": args or {}})

    def recv(self) -> dict[str, object] | None:
        """The next reply, or None when the kernel closed the connection."""
        while not self.pending:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.pending.extend(self.decoder.feed(data))
        doc = as_object(json.loads(self.pending.pop(0)))
        assert doc is not None
        return doc

    def call(
        self, req_id: int, op: str, args: dict[str, object] | None = None
    ) -> dict[str, object]:
        self.request(req_id, op, args)
        reply = self.recv()
        assert reply is not None, f"connection closed instead of answering {op}"
        assert reply["id"] == req_id
        return reply

    def hello(self, role: str = "client", token: str | None = None) -> dict[str, object]:
        args: dict[str, object] = {"role": role, "client": "test/1"}
        if token is not None:
            args["token"] = token
        return self.call(0, "hello", args)

    def closed(self) -> bool:
        """True when the kernel has closed this connection (reads EOF after any replies)."""
        while True:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return True
            if not data:
                return True
            self.pending.extend(self.decoder.feed(data))


def error_code(reply: dict[str, object] | None) -> str | None:
    if reply is None or reply.get("ok") is not False:
        return None
    err = as_object(reply.get("error"))
    assert err is not None
    code = err.get("code")
    return code if isinstance(code, str) else None
