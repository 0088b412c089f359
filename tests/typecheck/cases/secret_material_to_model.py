"""Misuse: sending secret material to a model."""

from __future__ import annotations

from crustcore_nano import ModelVisibleText, SecretMaterial


def send_to_model(text: ModelVisibleText) -> None: ...


secret = SecretMaterial("ghp_abcdefghijklmnop", label="github")
send_to_model(secret)  # expect-error
