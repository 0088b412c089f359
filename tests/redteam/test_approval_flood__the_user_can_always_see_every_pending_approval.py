"""Threat: an injected agent with the plain client role floods ``approval.request`` so that the
user cannot find (or even list) the real request: thousands of approvals made the list reply
larger than one frame, and the user's ``crustcore approvals`` got ``too_large`` and a closed
connection. Invariant: one role holds a bounded number of pending approvals, each small enough
to read; the list is answered in pages that always fit a frame and says which role asked, so
a sidecar's real request stays visible next to the flood."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient, RemoteError
from crustcore_nano.daemon.frames import DEFAULT_MAX_FRAME
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import Role
from crustcore_nano.daemon.service import MAX_APPROVAL_ARGS_BYTES, MAX_PENDING_PER_ROLE

NET_TOKEN = secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("flood")
    proc = start_daemon(path, tokens=[(Role.NET, NET_TOKEN)])
    try:
        yield path
    finally:
        stop_daemon(proc)


def test_a_flood_is_capped_and_the_real_request_stays_listed(home: Path) -> None:
    filler = "x" * (MAX_APPROVAL_ARGS_BYTES - 200)  # near the largest reviewable action
    accepted = refused = 0
    with KernelClient(home) as agent:
        for n in range(MAX_PENDING_PER_ROLE + 40):
            try:
                agent.request_approval("Bash", {"command": f"{n} {filler}"})
                accepted += 1
            except RemoteError as exc:
                code = exc.code
                assert code == "refused"
                refused += 1
        with pytest.raises(RemoteError) as too_big:
            agent.request_approval("Bash", {"command": "y" * (MAX_APPROVAL_ARGS_BYTES + 1)})
        assert too_big.value.code == "refused"
    assert accepted == MAX_PENDING_PER_ROLE
    assert refused == 40
    with KernelClient(home, role="net", token=NET_TOKEN) as net:
        real = net.request_approval("http.post", {"url": "https://api.example.com/deploy"})
    with KernelClient(home, role="admin") as admin:
        first_page = admin.call("approvals.list", {})
        listed = admin.approvals()
    assert isinstance(first_page, list)
    assert 0 < len(json.dumps(first_page).encode()) < DEFAULT_MAX_FRAME // 2
    assert len(first_page) < len(listed)  # the flood needed several pages
    ids = [item["approval_id"] for item in listed]
    assert len(ids) == len(set(ids)) == MAX_PENDING_PER_ROLE + 1
    mine = [item for item in listed if item["approval_id"] == real["approval_id"]]
    assert len(mine) == 1 and mine[0]["role"] == "net"
    assert sum(1 for item in listed if item.get("role") == "client") == MAX_PENDING_PER_ROLE
