"""Fuzz target: `dlp.redact` leaves nothing a second scan finds and is idempotent.

Run for longer with ``./dev run python tests/fuzz/fuzz_dlp_redact.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.dlp import redact, scan


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    once = redact(text)
    if scan(once):
        raise AssertionError(f"redacted text still has findings: {text!r}")
    if redact(once) != once:
        raise AssertionError(f"redact is not idempotent: {text!r}")
    if not scan(text) and once != text:
        raise AssertionError(f"redact changed clean text: {text!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
