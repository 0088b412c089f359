"""Misuse: using a sandbox-exec token to authorize network access."""

from __future__ import annotations

from crustcore_nano import CapabilityMint, SandboxExecCap


def fetch(mint: CapabilityMint, exec_cap: SandboxExecCap) -> None:
    mint.require_network(exec_cap, "example.com", now_ms=0)  # expect-error
