"""Fuzz the shell parser: any text either parses or raises ShellSyntaxError."""

from __future__ import annotations

import sys

from crustcore_nano.shell import ShellLimits, ShellSyntaxError, parse

_LIMITS = ShellLimits(max_steps=50_000)


def TestOneInput(data: bytes) -> None:
    """Only `ShellSyntaxError` (and its subclasses) may escape."""
    text = data.decode("utf-8", errors="replace")
    try:
        script = parse(text, _LIMITS)
    except ShellSyntaxError:
        return
    if script.source != text:
        raise AssertionError("the script must keep its source")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_parse.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
