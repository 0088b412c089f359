"""Misuse: asking the broker to make untrusted bytes model-visible (only Untrusted[str] is)."""

from __future__ import annotations

from crustcore_nano import ModelVisibleText, SecretBroker, Untrusted


def show(broker: SecretBroker, blob: Untrusted[bytes]) -> ModelVisibleText:
    return broker.redact(blob)  # expect-error
