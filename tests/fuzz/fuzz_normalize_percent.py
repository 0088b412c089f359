"""Fuzz target: decode_percent is bounded, shrinking, and inverts quoting.

Run for longer with ``./dev run python tests/fuzz/fuzz_normalize_percent.py -max_total_time=300``.
"""

from __future__ import annotations

import sys
import urllib.parse

from crustcore_nano.normalize import decode_percent


def TestOneInput(data: bytes) -> None:
    rounds = data[0] % 6 if data else 0
    s = data[1:].decode("utf-8", "replace")
    out = decode_percent(s, max_rounds=rounds)
    if len(out) > len(s):
        raise AssertionError(f"grew: {s!r}")
    if decode_percent(out, max_rounds=1) == out and decode_percent(out, rounds) != out:
        raise AssertionError(f"unstable: {s!r}")
    if "%" not in s:
        quoted = urllib.parse.quote(s, safe="")
        if decode_percent(quoted, max_rounds=1) != s:
            raise AssertionError(f"round trip failed: {s!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
