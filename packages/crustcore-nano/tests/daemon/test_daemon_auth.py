"""Roles and tokens: each role reaches only its ops; tokens are per launch and never logged."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient, RemoteError
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import (
    ADMIN_ONLY_OPS,
    CLIENT_OPS,
    ROLE_OPS,
    Role,
    TokenStore,
    new_token,
    parse_token_lines,
)
from crustcore_nano.errors import UsageError
from crustcore_nano.eventlog import iter_records
from daemon_testkit import RawPeer, error_code

NET, MCP, SANDBOX = new_token(), new_token(), new_token()


@pytest.fixture(scope="module")
def tokened(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    home = tmp_path_factory.mktemp("auth")
    proc = start_daemon(home, tokens=[(Role.NET, NET), (Role.MCP, MCP), (Role.SANDBOX, SANDBOX)])
    yield home, proc
    stop_daemon(proc)


def test_token_store_checks_role_and_value() -> None:
    store = TokenStore()
    token = new_token()
    store.add(Role.NET, token)
    assert store.check(Role.NET, token)
    assert not store.check(Role.MCP, token)
    assert not store.check(Role.NET, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not store.check(Role.NET, None)
    assert not store.check(Role.NET, "é" * 43)
    assert store.check(Role.CLIENT, None)
    with pytest.raises(UsageError):
        store.add(Role.CLIENT, token)
    with pytest.raises(UsageError):
        store.add(Role.NET, "short")


def test_token_lines_parse_and_reject_nonsense() -> None:
    pairs = parse_token_lines(f"net:{NET}\n\n mcp : {MCP} \n")
    assert pairs == [(Role.NET, NET), (Role.MCP, MCP)]
    for bad in ("net", "client:abcdefabcdefabcdef", "root:abcdefabcdefabcdef", "net:"):
        with pytest.raises(UsageError):
            parse_token_lines(bad)


def test_role_matrix() -> None:
    assert "secret.inject" in ROLE_OPS[Role.NET]
    for role in (Role.CLIENT, Role.MCP, Role.SANDBOX, Role.ADMIN):
        assert "secret.inject" not in ROLE_OPS[role]
    for role in (Role.CLIENT, Role.NET, Role.MCP, Role.SANDBOX):
        assert not ADMIN_ONLY_OPS & ROLE_OPS[role]
    assert all(ops >= CLIENT_OPS for ops in ROLE_OPS.values())


@pytest.mark.parametrize(("role", "token"), [("net", NET), ("mcp", MCP), ("sandbox", SANDBOX)])
def test_each_sidecar_role_gets_exactly_its_ops(
    tokened: tuple[Path, subprocess.Popen[bytes]], role: str, token: str
) -> None:
    home = tokened[0]
    with RawPeer(home) as peer:
        reply = peer.hello(role, token)
        assert reply["ok"] is True
        result = reply["result"]
        assert isinstance(result, dict)
        assert set(result["ops"]) == ROLE_OPS[Role(role)]
        for i, op in enumerate(sorted(ADMIN_ONLY_OPS), 1):
            assert error_code(peer.call(i, op, {})) == "forbidden"


@pytest.mark.parametrize(
    ("role", "token"),
    [
        ("net", None),
        ("net", MCP),
        ("mcp", NET),
        ("admin", NET),
        ("admin", "x" * 43),
        ("root", None),
    ],
)
def test_a_wrong_or_missing_token_is_refused_and_closed(
    tokened: tuple[Path, subprocess.Popen[bytes]], role: str, token: str | None
) -> None:
    home = tokened[0]
    with RawPeer(home) as peer:
        reply = peer.hello(role, token)
        assert error_code(reply) in ("forbidden", "bad_request")
        if error_code(reply) == "forbidden":
            assert peer.closed()
        else:
            assert error_code(peer.call(1, "status")) == "bad_request"  # still no role


def test_the_admin_token_file_admits_the_cli(tokened: tuple[Path, subprocess.Popen[bytes]]) -> None:
    home = tokened[0]
    with KernelClient(home, role="admin") as admin:
        assert admin.server_info["role"] == "admin"
        assert admin.approvals() == []
    with KernelClient(home) as client, pytest.raises(RemoteError) as info:
        client.call("approvals.list")
    assert info.value.code == "forbidden"


def test_refused_hellos_are_logged_without_the_token(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path, tokens=[(Role.NET, NET)])
    wrong = new_token()
    try:
        with RawPeer(tmp_path) as peer:
            assert error_code(peer.hello("net", wrong)) == "forbidden"
    finally:
        assert stop_daemon(proc) == 0
    refusals = [r for r in iter_records(tmp_path / "log") if r.kind == "daemon.hello_refused"]
    assert len(refusals) == 1
    raw = b"".join(p.read_bytes() for p in (tmp_path / "log").rglob("*") if p.is_file())
    assert wrong.encode() not in raw
    assert NET.encode() not in raw
