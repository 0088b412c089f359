"""Fuzz target: decode_unicode_escapes never grows, never crashes, inverts \\u escaping.

Run for longer with ``./dev run python tests/fuzz/fuzz_normalize_escapes.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.normalize import decode_unicode_escapes


def TestOneInput(data: bytes) -> None:
    s = data.decode("utf-8", "replace")
    out = decode_unicode_escapes(s)
    if len(out) > len(s):
        raise AssertionError(f"grew: {s!r}")
    if "\\" not in s and out != s:
        raise AssertionError(f"changed text without escapes: {s!r}")
    if "\\" not in s:
        escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in s)
        if decode_unicode_escapes(escaped) != s:
            raise AssertionError(f"round trip failed: {s!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
