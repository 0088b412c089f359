"""Misuse: constructing a network capability token outside the kernel (every field given)."""

from __future__ import annotations

from crustcore_nano import NetworkCap

hosts = ("evil.example",)
cap = NetworkCap(task_id="task-1", expires_at_ms=2**62, mac="", allowlist=hosts)  # expect-error
