"""Misuse: constructing a MAC key directly (keys come only from generate/from_bytes)."""

from __future__ import annotations

from crustcore_nano._seal import MacKey

key = MacKey(bytes(32), "kernel")  # expect-error
