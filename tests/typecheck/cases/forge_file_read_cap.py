"""Misuse: constructing a file-read capability token outside the kernel (every field given)."""

from __future__ import annotations

from crustcore_nano import FileReadCap

cap = FileReadCap(task_id="task-1", expires_at_ms=2**62, mac="", root="/")  # expect-error
