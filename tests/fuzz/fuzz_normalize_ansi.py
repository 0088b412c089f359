"""Fuzz target: strip_ansi removes every control character, never grows, and is idempotent.

Run for longer with ``./dev run python tests/fuzz/fuzz_normalize_ansi.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.normalize import strip_ansi


def _is_control(c: str) -> bool:
    o = ord(c)
    return (o < 0x20 and c not in "\t\n") or 0x7F <= o <= 0x9F


def TestOneInput(data: bytes) -> None:
    s = data.decode("latin-1")  # every byte is a code point: ESC, C1 introducers, ST, BEL ...
    out = strip_ansi(s)
    if len(out) > len(s):
        raise AssertionError(f"grew: {s!r}")
    if any(_is_control(c) for c in out):
        raise AssertionError(f"control survived: {s!r}")
    if strip_ansi(out) != out:
        raise AssertionError(f"not idempotent: {s!r}")
    plain = "\x1b" not in s and "\r" not in s and not any("\x80" <= c <= "\x9f" for c in s)
    if plain and out != "".join(c for c in s if not _is_control(c)):
        raise AssertionError(f"plain text changed: {s!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
