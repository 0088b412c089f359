"""Capability tokens: minted by the kernel, checked at use, bound to scope, task and time."""

from __future__ import annotations

from typing import Any, cast

import pytest
from crustcore_nano import (
    CapabilityError,
    CapabilityMint,
    FileReadCap,
    FileWriteCap,
    NetworkCap,
    SandboxExecCap,
    SecretHandle,
    SecretUseCap,
)
from crustcore_nano._seal import MacKey
from crustcore_nano.capabilities import within


@pytest.fixture
def mint() -> CapabilityMint:
    return CapabilityMint(MacKey.generate("kernel"), ttl_ms=1_000)


def test_each_kind_checks_its_scope(mint: CapabilityMint) -> None:
    w = mint.file_write("/work/repo", task_id="t1", now_ms=0)
    mint.require_file_write(w, "/work/repo/src/a.py", now_ms=1)
    for bad in ("/work/repo2/a.py", "/work/repo/../etc/passwd", "/etc/passwd"):
        with pytest.raises(CapabilityError):
            mint.require_file_write(w, bad, now_ms=1)
    r = mint.file_read("/work/repo", task_id="t1", now_ms=0)
    mint.require_file_read(r, "/work/repo", now_ms=1)
    n = mint.network(("API.example.com.",), task_id="t1", now_ms=0)
    mint.require_network(n, "api.example.com", now_ms=1)
    with pytest.raises(CapabilityError):
        mint.require_network(n, "evil.example.com", now_ms=1)
    x = mint.sandbox_exec("default", task_id="t1", now_ms=0)
    mint.require_exec(x, "default", now_ms=1)
    with pytest.raises(CapabilityError):
        mint.require_exec(x, "network", now_ms=1)
    s = mint.secret_use(SecretHandle("openai"), task_id="t1", now_ms=0)
    mint.require_secret(s, SecretHandle("openai"), now_ms=1)
    with pytest.raises(CapabilityError):
        mint.require_secret(s, SecretHandle("github"), now_ms=1)


def test_wrong_kind_forged_edited_foreign_and_expired_tokens_are_refused(
    mint: CapabilityMint,
) -> None:
    w = mint.file_write("/work/repo", task_id="t1", now_ms=0)
    with pytest.raises(CapabilityError, match="SandboxExecCap required"):
        mint.require_exec(cast(Any, w), "default", now_ms=1)
    for cls in (FileReadCap, FileWriteCap, NetworkCap, SandboxExecCap, SecretUseCap):
        with pytest.raises(CapabilityError):
            mint.check(object.__new__(cls), cls, now_ms=1)
    object.__setattr__(w, "root", "/")
    with pytest.raises(CapabilityError, match="forged or was edited"):
        mint.require_file_write(w, "/etc/passwd", now_ms=1)
    foreign = CapabilityMint(MacKey.generate("k2")).file_read("/", task_id="t1", now_ms=0)
    with pytest.raises(CapabilityError):
        mint.require_file_read(foreign, "/etc/passwd", now_ms=1)
    late = mint.sandbox_exec("default", task_id="t1", now_ms=0)
    with pytest.raises(CapabilityError, match="expired"):
        mint.require_exec(late, "default", now_ms=5_000)


def test_within_respects_segment_boundaries() -> None:
    assert within("/a/b", "/a/b") and within("/a/b/c", "/a/b") and within("/a/b/c", "/a/b/")
    assert not within("/a/bc", "/a/b") and not within("/a", "/a/b")
    assert not within("/a/b/../../etc", "/a/b")
