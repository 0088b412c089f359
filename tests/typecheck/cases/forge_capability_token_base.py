"""Misuse: constructing the abstract capability token base class (every field given)."""

from __future__ import annotations

from crustcore_nano import CapabilityToken

cap = CapabilityToken(task_id="task-1", expires_at_ms=2**62, mac="")  # expect-error
