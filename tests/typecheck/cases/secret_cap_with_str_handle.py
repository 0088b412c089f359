"""Misuse: naming a secret by a plain string where a SecretHandle is required."""

from __future__ import annotations

from crustcore_nano import CapabilityMint, SecretUseCap


def use_secret(mint: CapabilityMint, cap: SecretUseCap) -> None:
    mint.require_secret(cap, "secret://github", now_ms=0)  # expect-error
