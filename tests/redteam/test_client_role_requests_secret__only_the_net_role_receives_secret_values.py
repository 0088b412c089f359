"""Threat: an orchestrator, a hook, or an agent that found the kernel socket asks the kernel for a
secret's value (or claims a sidecar role it has no token for). Invariant: only the net sidecar,
proven by its per-launch token, can receive a secret value, and only for an allowlisted host and
header; every other role gets `forbidden` and nothing else."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from crustcore_nano.daemon.frames import FrameDecoder, encode_frame
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import Role, new_token
from crustcore_nano.daemon.server import socket_path

VALUE = "sk-live-" + secrets.token_hex(20)
NET, MCP, SANDBOX = new_token(), new_token(), new_token()
INJECT = {"handle": "secret://openai", "host": "api.openai.com", "header": "Authorization"}


class Peer:
    def __init__(self, home: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(str(socket_path(home)))
        self.decoder = FrameDecoder()
        self.received = b""
        self.frames: list[bytes] = []
        self.next_id = 0

    def call(self, op: str, args: Mapping[str, object]) -> dict[str, object] | None:
        self.next_id += 1
        doc = {"v": 1, "id": self.next_id, "op": op, "args": dict(args)}
        try:
            self.sock.sendall(encode_frame(json.dumps(doc).encode()))
        except (BrokenPipeError, ConnectionResetError):
            return None
        while not self.frames:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.received += data
            self.frames.extend(self.decoder.feed(data))
        reply: dict[str, object] = json.loads(self.frames.pop(0))
        return reply


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("inject")
    (root / "crustcore.toml").write_text(
        '[secrets.openai]\nhosts = ["api.openai.com"]\nheader = "Authorization"\n'
    )
    env = {**os.environ, "OPENAI_KEY_FOR_TEST": VALUE}
    proc: subprocess.Popen[bytes] = start_daemon(
        root,
        tokens=[(Role.NET, NET), (Role.MCP, MCP), (Role.SANDBOX, SANDBOX)],
        extra_args=["--import-env", "OPENAI_KEY_FOR_TEST=openai"],
        env=env,
    )
    yield root
    stop_daemon(proc)


@pytest.mark.parametrize(
    ("role", "token"), [("client", None), ("mcp", MCP), ("sandbox", SANDBOX), ("admin", None)]
)
def test_non_net_roles_are_forbidden_to_inject(home: Path, role: str, token: str | None) -> None:
    if role == "admin":
        token = (home / "run" / "admin.token").read_text().strip()
    peer = Peer(home)
    hello: dict[str, object] = {"role": role, "client": "attacker/1"}
    if token is not None:
        hello["token"] = token
    assert (peer.call("hello", hello) or {}).get("ok") is True
    reply = peer.call("secret.inject", INJECT)
    assert reply is not None
    assert reply["ok"] is False
    assert reply["error"] == {
        "code": "forbidden",
        "message": f"the {role} role may not call 'secret.inject'",
    }
    assert VALUE.encode() not in peer.received


@pytest.mark.parametrize("token", [None, "", MCP, "A" * 43])
def test_claiming_the_net_role_without_its_token_gets_nothing(
    home: Path, token: str | None
) -> None:
    peer = Peer(home)
    hello: dict[str, object] = {"role": "net", "client": "attacker/1"}
    if token is not None:
        hello["token"] = token
    reply = peer.call("hello", hello)
    assert reply is not None and reply["ok"] is False
    assert peer.call("secret.inject", INJECT) is None  # the connection was closed
    assert VALUE.encode() not in peer.received


def test_the_net_role_gets_the_value_only_for_the_allowlisted_host_and_header(home: Path) -> None:
    peer = Peer(home)
    assert (peer.call("hello", {"role": "net", "token": NET}) or {}).get("ok") is True
    for bad in (
        {**INJECT, "host": "evil.example.com"},
        {**INJECT, "host": "api.openai.com.evil.example.com"},
        {**INJECT, "header": "X-Forwarded"},
        {**INJECT, "handle": "secret://other"},
    ):
        reply = peer.call("secret.inject", bad)
        assert reply is not None and reply["ok"] is False
        assert VALUE.encode() not in peer.received
    reply = peer.call("secret.inject", INJECT)
    assert reply is not None and reply["ok"] is True
    assert reply["result"] == {"value": VALUE}
