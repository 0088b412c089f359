"""Attacker-side checks of the second red-team round on the daemon (the holes themselves have
fixtures in tests/redteam/): surrogate-free decoding, process hardening, the connection cap,
approval paging and per-role approval limits."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import _ApprovalPages  # pyright: ignore[reportPrivateUsage]
from crustcore_nano.daemon.protocol import ErrorCode, ProtocolError, dumps, loads_bounded
from crustcore_nano.daemon.roles import Role
from crustcore_nano.daemon.server import FD_RESERVE, connection_cap
from crustcore_nano.daemon.service import (
    LIST_PAGE_BYTES,
    MAX_PENDING_PER_ROLE,
    KernelService,
    ServiceError,
)
from crustcore_nano.kernel.core import Kernel
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture
def service(tmp_path: Path) -> Iterator[KernelService]:
    kernel = Kernel.open(tmp_path / "home")
    try:
        yield KernelService(kernel)
    finally:
        kernel.close()


# --- decoding -------------------------------------------------------------------------------
_escapes = st.tuples(st.integers(min_value=0, max_value=0xFFFF), st.booleans()).map(
    lambda t: f"\\u{t[0]:04X}" if t[1] else f"\\u{t[0]:04x}"
)
_pieces = st.lists(st.one_of(_escapes, st.sampled_from(["a", " ", "\\\\", "\\n", "é"])), max_size=8)


@settings(max_examples=200, deadline=None)
@given(key=_pieces, value=_pieces)
def test_decoded_frames_always_encode_back_to_utf8(key: list[str], value: list[str]) -> None:
    text = f'{{"v":1,"k":{{"{"".join(key)}":["{"".join(value)}"]}}}}'
    try:
        doc = loads_bounded(text.encode("utf-8"))
    except ProtocolError as exc:
        code = exc.code
        assert code is ErrorCode.BAD_JSON
        return
    assert json.loads(dumps(doc).decode("utf-8")) == doc  # never an unencodable string


def test_paired_surrogates_are_accepted() -> None:
    doc = loads_bounded(b'{"t":"\\ud83d\\ude00"}')
    assert doc == {"t": "\U0001f600"}


def test_an_escaped_backslash_before_ud_is_not_a_surrogate() -> None:
    assert loads_bounded(b'{"t":"\\\\ud800"}') == {"t": "\\ud800"}


# --- hardening ------------------------------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_harden_process_makes_the_process_non_dumpable() -> None:
    code = (
        "from crustcore_nano.daemon.hardening import harden_process, is_dumpable\n"
        "before = is_dumpable(); harden_process(); print(before, is_dumpable())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["True", "False"]


# --- connection cap -------------------------------------------------------------------------
def test_connection_cap_stays_below_the_descriptor_limit() -> None:
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = connection_cap(10**9)
    if soft == resource.RLIM_INFINITY:
        assert cap == 10**9
    else:
        assert cap == max(1, soft - FD_RESERVE)
    assert connection_cap(3) == 3


# --- approvals ------------------------------------------------------------------------------
def test_pages_keep_each_approval_once_when_the_list_shifts() -> None:
    pages = _ApprovalPages()
    assert pages.next_offset() == 0
    pages.add([{"approval_id": "a"}, {"approval_id": "b"}])
    assert pages.next_offset() == 2
    pages.add([{"approval_id": "b"}, {"approval_id": "c"}])  # "a" was resolved meanwhile
    pages.add([])
    assert pages.next_offset() is None
    assert [item["approval_id"] for item in pages.items] == ["a", "b", "c"]


def test_each_role_has_its_own_pending_limit(service: KernelService) -> None:
    for n in range(MAX_PENDING_PER_ROLE):
        service.call(Role.CLIENT, "approval.request", {"tool": "t", "args": {"n": n}})
    with pytest.raises(ServiceError) as full:
        service.call(Role.CLIENT, "approval.request", {"tool": "t", "args": {}})
    assert full.value.code is ErrorCode.REFUSED
    made = service.call(Role.MCP, "approval.request", {"tool": "mcp.call", "args": {}})
    assert isinstance(made, dict)
    # Resolving one of the client's frees a slot for it.
    listed = service.call(Role.ADMIN, "approvals.list", {})
    assert isinstance(listed, list)
    first = listed[0]
    assert isinstance(first, dict)
    service.call(
        Role.ADMIN,
        "approval.resolve",
        {"id": first["approval_id"], "approve": False, "digest": first["digest"]},
    )
    service.call(Role.CLIENT, "approval.request", {"tool": "t", "args": {"again": True}})


def test_a_page_never_outgrows_its_budget(service: KernelService) -> None:
    big = "z" * 15_000
    for n in range(40):
        service.call(Role.SANDBOX, "approval.request", {"tool": "t", "args": {"n": n, "b": big}})
    seen: list[object] = []
    offset = 0
    while True:
        page = service.call(Role.ADMIN, "approvals.list", {"offset": offset})
        assert isinstance(page, list)
        assert len(dumps(page)) <= LIST_PAGE_BYTES
        if not page:
            break
        seen += page
        offset += len(page)
    assert len(seen) == 40
    with pytest.raises(ServiceError) as bad:
        service.call(Role.ADMIN, "approvals.list", {"offset": -1})
    assert bad.value.code is ErrorCode.BAD_REQUEST
