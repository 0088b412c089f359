"""Misuse: passing SecretMaterial where a str is required."""

from __future__ import annotations

from crustcore_nano import SecretMaterial


def set_header(value: str) -> None: ...


set_header(SecretMaterial("sk-live-0123456789", label="stripe"))  # expect-error
