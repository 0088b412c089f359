"""Threat: a tool adapter presents a capability it was never given: a token built with
object.__new__, a genuine token with its scope widened after minting, a token from another
kernel, an expired one, or one of another kind (a file-write token where exec is required).
Invariant: a capability is honoured only if this kernel minted it, unchanged, in time, for this
use."""

from __future__ import annotations

from typing import Any, cast

import pytest
from crustcore_nano import (
    CapabilityError,
    FileWriteCap,
    Kernel,
    NetworkCap,
    SandboxExecCap,
    SecretHandle,
)

NOW = 1_000


def test_hand_built_tokens_are_refused(kernel: Kernel) -> None:
    mint = kernel.capabilities
    fake = object.__new__(FileWriteCap)
    for name, value in (
        ("root", "/"),
        ("task_id", "t"),
        ("expires_at_ms", 10**15),
        ("mac", "0" * 64),
    ):
        object.__setattr__(fake, name, value)
    with pytest.raises(CapabilityError):
        mint.require_file_write(fake, "/etc/cron.d/x", now_ms=NOW)
    with pytest.raises(CapabilityError):
        mint.require_network(object.__new__(NetworkCap), "evil.example", now_ms=NOW)


def test_widened_scope_is_refused(kernel: Kernel) -> None:
    mint = kernel.capabilities
    net = mint.network(("api.example.com",), task_id="t", now_ms=NOW)
    object.__setattr__(net, "allowlist", ("api.example.com", "evil.example"))
    with pytest.raises(CapabilityError):
        mint.require_network(net, "evil.example", now_ms=NOW)
    exe = mint.sandbox_exec("readonly", task_id="t", now_ms=NOW)
    object.__setattr__(exe, "profile", "full")
    with pytest.raises(CapabilityError):
        mint.require_exec(exe, "full", now_ms=NOW)
    sec = mint.secret_use(SecretHandle("gh"), task_id="t", now_ms=NOW)
    object.__setattr__(sec, "handle", SecretHandle("aws"))
    with pytest.raises(CapabilityError):
        mint.require_secret(sec, SecretHandle("aws"), now_ms=NOW)


def test_wrong_kind_foreign_and_expired_tokens_are_refused(kernel: Kernel, tmp_path: Any) -> None:
    mint = kernel.capabilities
    write = mint.file_write(str(tmp_path), task_id="t", now_ms=NOW)
    with pytest.raises(CapabilityError):
        mint.require_exec(cast(Any, write), "default", now_ms=NOW)
    with Kernel.open(tmp_path / "attacker-home") as other:
        theirs = other.capabilities.sandbox_exec("default", task_id="t", now_ms=NOW)
    with pytest.raises(CapabilityError):
        mint.require_exec(theirs, "default", now_ms=NOW)
    exe = mint.sandbox_exec("default", task_id="t", now_ms=NOW)
    with pytest.raises(CapabilityError, match="expired"):
        mint.require_exec(exe, "default", now_ms=NOW + 10**9)
    assert isinstance(exe, SandboxExecCap)
