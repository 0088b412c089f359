"""Fuzz target: normalize_text / normalize_field are total, idempotent and remove what they must.

Run for longer with ``./dev run python tests/fuzz/fuzz_normalize_text.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.normalize import (
    CONFUSABLES,
    IGNORABLE_CODEPOINTS,
    normalize_field,
    normalize_text,
)

_FORBIDDEN = frozenset(CONFUSABLES) | frozenset(chr(cp) for cp in IGNORABLE_CODEPOINTS)


def _text(data: bytes) -> str:
    # Latin-1 reaches every C1 control; UTF-8 reaches the rest of Unicode.
    if data[:1] == b"\x01":
        return data[1:].decode("latin-1")
    return data.decode("utf-8", "replace")


def TestOneInput(data: bytes) -> None:
    s = _text(data)
    once = normalize_text(s)
    if normalize_text(once) != once:
        raise AssertionError(f"not idempotent: {s!r}")
    if set(once) & _FORBIDDEN:
        raise AssertionError(f"table character survived: {s!r}")
    if len(once) > 18 * len(s):
        raise AssertionError(f"unbounded growth: {s!r}")
    field = normalize_field(s)
    if normalize_text(field.normalized) != field.normalized or field.original != s:
        raise AssertionError(f"normalize_field output not normalized: {s!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
