"""Misuse: using a network token to authorize use of a secret."""

from __future__ import annotations

from crustcore_nano import CapabilityMint, NetworkCap, SecretHandle


def use_secret(mint: CapabilityMint, net_cap: NetworkCap) -> None:
    mint.require_secret(net_cap, SecretHandle("github"), now_ms=0)  # expect-error
