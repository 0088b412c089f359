"""Misuse: passing SecretMaterial where bytes are required."""

from __future__ import annotations

from crustcore_nano import SecretMaterial


def write_blob(data: bytes) -> None: ...


write_blob(SecretMaterial(b"\x01\x02\x03\x04\x05\x06\x07\x08", label="signing"))  # expect-error
