"""Misuse: using a file-read token to authorize a write."""

from __future__ import annotations

from crustcore_nano import CapabilityMint, FileReadCap


def save(mint: CapabilityMint, read_cap: FileReadCap) -> None:
    mint.require_file_write(read_cap, "/repo/src/main.py", now_ms=0)  # expect-error
