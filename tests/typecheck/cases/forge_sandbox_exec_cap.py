"""Misuse: constructing a sandbox-exec capability token outside the kernel (every field given)."""

from __future__ import annotations

from crustcore_nano import SandboxExecCap

cap = SandboxExecCap(task_id="task-1", expires_at_ms=2**62, mac="", profile="none")  # expect-error
