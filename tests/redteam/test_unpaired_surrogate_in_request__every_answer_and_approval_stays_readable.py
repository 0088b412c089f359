"""Threat: an injected agent with the plain client role sends a JSON string holding an unpaired
UTF-16 surrogate escape (``\\ud800``). Python's JSON decoder accepts it, but no UTF-8 encoder
can write it back: the kernel opened the approval, then failed to encode every later answer
that carried it, so ``approvals.list`` broke the user's connection for as long as the approval
stayed pending. Invariant: such a frame is refused as ``bad_json`` before any op runs, the
connection survives, and the user can always list the pending approvals."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient
from crustcore_nano.daemon.frames import FrameDecoder, encode_frame
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.server import socket_path

LONE = ["\\ud800", "\\uDFFF", "\\udbff x", "\\ud83d\\u0041"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("surrogate")
    proc = start_daemon(path)
    try:
        yield path
    finally:
        stop_daemon(proc)


def _exchange(home: Path, frames: list[bytes]) -> list[dict[str, object]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(str(socket_path(home)))
    decoder = FrameDecoder()
    replies: list[dict[str, object]] = []
    try:
        for frame in frames:
            sock.sendall(encode_frame(frame))
            got: list[bytes] = []
            while not got:
                data = sock.recv(65536)
                assert data, "the kernel closed the connection instead of answering"
                got = decoder.feed(data)
            replies.extend(json.loads(f) for f in got)
    finally:
        sock.close()
    return replies


def _req(req_id: int, op: str, args_json: str) -> bytes:
    return f'{{"v":1,"id":{req_id},"op":"{op}","args":{args_json}}}'.encode()


@pytest.mark.parametrize("escape", LONE)
def test_surrogate_requests_are_refused_and_the_connection_survives(
    home: Path, escape: str
) -> None:
    frames = [
        _req(0, "hello", '{"role":"client"}'),
        _req(1, "approval.request", f'{{"tool":"Bash{escape}","args":{{}}}}'),
        _req(2, "approval.request", f'{{"tool":"Bash","args":{{"{escape}":1}}}}'),
        _req(3, "record", f'{{"kind":"net.x","payload":{{"a":"{escape}"}}}}'),
        _req(4, "task.create", f'{{"title":"{escape}"}}'),
        _req(5, "redact", f'{{"text":"{escape}"}}'),
        _req(6, "status", "{}"),
    ]
    replies = _exchange(home, frames)
    assert [r["ok"] for r in replies] == [True, False, False, False, False, False, True]
    for reply in replies[1:6]:
        error = reply["error"]
        assert isinstance(error, dict) and error["code"] == "bad_json"


def test_the_user_can_list_approvals_after_a_surrogate_attack(home: Path) -> None:
    _exchange(
        home,
        [
            _req(0, "hello", '{"role":"client"}'),
            _req(1, "approval.request", '{"tool":"x\\ud800","args":{}}'),
        ],
    )
    with KernelClient(home) as client:
        real = client.request_approval("deploy", {"env": "prod"})
    with KernelClient(home, role="admin") as admin:
        listed = admin.approvals()
    assert [item["approval_id"] for item in listed] == [real["approval_id"]]
    text = json.dumps(listed, ensure_ascii=False)
    text.encode("utf-8")  # every answer is valid UTF-8
