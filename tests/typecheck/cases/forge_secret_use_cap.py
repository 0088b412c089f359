"""Misuse: constructing a secret-use capability token outside the kernel (every field given)."""

from __future__ import annotations

from crustcore_nano import SecretHandle, SecretUseCap

handle = SecretHandle("github")
cap = SecretUseCap(task_id="task-1", expires_at_ms=2**62, mac="", handle=handle)  # expect-error
