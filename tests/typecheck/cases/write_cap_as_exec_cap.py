"""Misuse: using a file-write token where a sandbox-exec token is required."""

from __future__ import annotations

from crustcore_nano import CapabilityMint, FileWriteCap


def run(mint: CapabilityMint, write_cap: FileWriteCap) -> None:
    mint.require_exec(write_cap, "default", now_ms=0)  # expect-error
