"""Misuse: constructing a file-write capability token outside the kernel (every field given)."""

from __future__ import annotations

from crustcore_nano import FileWriteCap

cap = FileWriteCap(task_id="task-1", expires_at_ms=2**62, mac="", root="/etc")  # expect-error
