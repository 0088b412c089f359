"""Fuzz target: `dlp.scan` never crashes and its findings are in bounds, sorted and disjoint.

Run for longer with ``./dev run python tests/fuzz/fuzz_dlp_scan.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.dlp import scan


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    findings = scan(text, max_findings=50)
    if len(findings) > 50:
        raise AssertionError("max_findings exceeded")
    previous_end = 0
    for f in findings:
        if not 0 <= f.start < f.end <= len(text):
            raise AssertionError(f"out of bounds: {f}")
        if f.start < previous_end:
            raise AssertionError(f"unsorted or overlapping: {f}")
        if f.line != text.count("\n", 0, f.start) + 1:
            raise AssertionError(f"wrong line: {f}")
        previous_end = f.end


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
