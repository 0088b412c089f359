"""Fuzz target: base58 decoding and base58check validation are total and consistent.

Run for longer with ``./dev run python tests/fuzz/fuzz_dlp_base58check.py -max_total_time=300``.
"""

from __future__ import annotations

import hashlib
import sys

from crustcore_nano.dlp.checksums import base58_decode, base58check_payload

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _encode(raw: bytes) -> str:
    value = int.from_bytes(raw, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = _B58[rem] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def TestOneInput(data: bytes) -> None:
    text = data.decode("latin-1")
    base58_decode(text)
    base58check_payload(text)
    payload = data[:80] or b"\x00"
    encoded = _encode(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])
    if base58check_payload(encoded) != payload:
        raise AssertionError(f"round trip failed: {payload!r}")
    if base58_decode(_encode(payload)) != payload:
        raise AssertionError(f"base58 round trip failed: {payload!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
