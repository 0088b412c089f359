"""Threat: a net-sidecar token leaks (a core dump, a debug print, a process listing of a crashed
launch) and is replayed after the kernel restarts. Invariant: tokens live only in the memory of
one kernel launch; a token from an earlier launch opens nothing, and the refusal is logged
without the token."""

from __future__ import annotations

import json
import os
import secrets
import socket
from pathlib import Path

from crustcore_nano.daemon.frames import FrameDecoder, encode_frame
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import Role, new_token
from crustcore_nano.daemon.server import socket_path
from crustcore_nano.eventlog import iter_records

VALUE = "sk-live-" + secrets.token_hex(20)
INJECT = {"handle": "secret://openai", "host": "api.openai.com", "header": "Authorization"}


def _session(home: Path, token: str) -> tuple[list[dict[str, object]], bytes]:
    """hello as net with ``token``, then one secret.inject; the replies and the raw bytes."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(str(socket_path(home)))
    decoder = FrameDecoder()
    replies: list[dict[str, object]] = []
    raw = b""
    requests = [("hello", {"role": "net", "token": token}), ("secret.inject", INJECT)]
    try:
        for i, (op, args) in enumerate(requests, 1):
            sock.sendall(
                encode_frame(json.dumps({"v": 1, "id": i, "op": op, "args": args}).encode())
            )
            frames: list[bytes] = []
            while not frames:
                data = sock.recv(65536)
                if not data:
                    return replies, raw
                raw += data
                frames = decoder.feed(data)
            replies.extend(json.loads(f) for f in frames)
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    return replies, raw


def test_a_net_token_from_the_previous_launch_is_refused(tmp_path: Path) -> None:
    (tmp_path / "crustcore.toml").write_text('[secrets.openai]\nhosts = ["api.openai.com"]\n')
    env = {**os.environ, "REPLAY_TEST_KEY": VALUE}
    args = ["--import-env", "REPLAY_TEST_KEY=openai"]
    first = new_token()
    proc = start_daemon(tmp_path, tokens=[(Role.NET, first)], extra_args=args, env=env)
    try:
        replies, _ = _session(tmp_path, first)
        assert [r["ok"] for r in replies] == [True, True]  # the token works in its own launch
    finally:
        assert stop_daemon(proc) == 0

    second = new_token()
    proc = start_daemon(tmp_path, tokens=[(Role.NET, second)], extra_args=args, env=env)
    try:
        replies, raw = _session(tmp_path, first)  # the replay
        assert len(replies) == 1
        assert replies[0]["ok"] is False
        assert replies[0]["error"] == {
            "code": "forbidden",
            "message": "the token for role net is not valid",
        }
        assert VALUE.encode() not in raw
        replies, _ = _session(tmp_path, second)
        assert [r["ok"] for r in replies] == [True, True]
    finally:
        assert stop_daemon(proc) == 0
    refused = [r for r in iter_records(tmp_path / "log") if r.kind == "daemon.hello_refused"]
    assert len(refused) == 1
    log_bytes = b"".join(p.read_bytes() for p in (tmp_path / "log").rglob("*") if p.is_file())
    assert first.encode() not in log_bytes
    assert second.encode() not in log_bytes
