"""Threat: an injected agent with the plain client role floods ``check`` with calls the policy
asks about (``sudo echo N``). Each ``ask`` opened an approval, with no limit per role, so the
user's list filled with hundreds of entries and a sidecar's real request was buried; the
kernel kept every one. Invariant: approvals opened by ``check`` count against the same
per-role cap as ``approval.request`` and must be small enough to read; past either bound the
answer is ``deny`` with a reason and no approval (never ``allow``), allowed calls stay allowed,
and another role's request still reaches the user."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient, RemoteError
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import Role
from crustcore_nano.daemon.service import (
    MAX_APPROVAL_ARGS_BYTES,
    MAX_PENDING_PER_ROLE,
    RULE_APPROVAL_LIMIT,
    RULE_APPROVAL_TOO_LARGE,
)

NET_TOKEN = secrets.token_urlsafe(32)
EXTRA = 40


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("checkflood")
    proc = start_daemon(path, tokens=[(Role.NET, NET_TOKEN)])
    try:
        yield path
    finally:
        stop_daemon(proc)


def check(client: KernelClient, command: str, ws: Path) -> dict[str, object]:
    result = client.call(
        "check", {"tool": "Bash", "args": {"command": command}, "workspace": str(ws)}
    )
    assert isinstance(result, dict)
    return result  # pyright: ignore[reportUnknownVariableType]


def test_a_check_flood_is_capped_and_never_allowed(home: Path, tmp_path: Path) -> None:
    answers: list[dict[str, object]] = []
    with KernelClient(home) as agent:
        for n in range(MAX_PENDING_PER_ROLE + EXTRA):
            answers.append(check(agent, f"sudo echo {n}", tmp_path))
        too_big = check(agent, "sudo echo " + "y" * MAX_APPROVAL_ARGS_BYTES, tmp_path)
        still_allowed = check(agent, "ls", tmp_path)
        with pytest.raises(RemoteError) as direct:  # the same cap covers approval.request
            agent.request_approval("Bash", {"command": "sudo true"})
    verdicts = [a["decision"] for a in answers]
    assert "allow" not in verdicts
    assert verdicts == ["ask"] * MAX_PENDING_PER_ROLE + ["deny"] * EXTRA
    for capped in answers[MAX_PENDING_PER_ROLE:]:
        assert capped["rule"] == RULE_APPROVAL_LIMIT
        assert "approval_id" not in capped
        assert "approvals pending" in str(capped["reason"])
    assert too_big["decision"] == "deny" and too_big["rule"] == RULE_APPROVAL_TOO_LARGE
    assert "approval_id" not in too_big
    assert still_allowed["decision"] == "allow"
    assert direct.value.code == "refused"

    with KernelClient(home, role="net", token=NET_TOKEN) as net:
        real = check(net, "sudo systemctl restart proxy", tmp_path)
    assert real["decision"] == "ask" and isinstance(real["approval_id"], str)

    with KernelClient(home, role="admin") as admin:
        listed = admin.approvals()
        status = admin.status()
    ids = [item["approval_id"] for item in listed]
    assert len(ids) == len(set(ids)) == MAX_PENDING_PER_ROLE + 1
    assert status["pending_approvals"] == MAX_PENDING_PER_ROLE + 1
    assert sum(1 for item in listed if item.get("role") == "client") == MAX_PENDING_PER_ROLE
    mine = [item for item in listed if item["approval_id"] == real["approval_id"]]
    assert len(mine) == 1 and mine[0]["role"] == "net"
    opened = {a["approval_id"] for a in answers[:MAX_PENDING_PER_ROLE]}
    assert opened <= set(ids)
