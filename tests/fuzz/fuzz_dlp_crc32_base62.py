"""Fuzz target: the CRC32/base62 token checksum is total and agrees with its encoder.

Run for longer with ``./dev run python tests/fuzz/fuzz_dlp_crc32_base62.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.dlp.checksums import crc32_base62_tail, crc32_base62_valid


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    crc32_base62_valid(text)
    payload = "".join(c for c in text if c.isascii() and c.isalnum())
    if payload and not crc32_base62_valid(payload + crc32_base62_tail(payload)):
        raise AssertionError(f"own checksum rejected: {payload!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
