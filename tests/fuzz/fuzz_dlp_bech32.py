"""Fuzz target: bech32 validation is total and accepts what the checksum generator produces.

Run for longer with ``./dev run python tests/fuzz/fuzz_dlp_bech32.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.dlp.checksums import bech32_checksum_chars, bech32_valid

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def TestOneInput(data: bytes) -> None:
    bech32_valid(data.decode("utf-8", "replace"))
    hrp = "".join(chr(33 + b % 94) for b in data[:8]).lower().replace("1", "x") or "a"
    values = [b & 31 for b in data[8:120]]
    text = hrp + "1" + "".join(_CHARSET[v] for v in values) + bech32_checksum_chars(hrp, values)
    if not bech32_valid(text) or not bech32_valid(text.upper()):
        raise AssertionError(f"own checksum rejected: {text!r}")
    if values:
        flipped = _CHARSET[(values[0] + 1) % 32]
        broken = hrp + "1" + flipped + text[len(hrp) + 2 :]
        if bech32_valid(broken):
            raise AssertionError(f"single substitution accepted: {broken!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
