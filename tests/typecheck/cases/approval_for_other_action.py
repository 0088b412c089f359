"""Misuse: spending an approval for a tool action to open a view of a secret."""

from __future__ import annotations

from crustcore_nano import ActionSpec, Approved, SecretBroker, SecretUse


def peek(broker: SecretBroker, approved: Approved[ActionSpec], use: SecretUse) -> bytes:
    view = broker.view(approved, use, now_ms=0)  # expect-error
    return view.expose(now_ms=0)
