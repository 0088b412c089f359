"""Fuzz quoting: argv joined with shlex quoting parses back to the same argv."""

from __future__ import annotations

import shlex
import sys

from crustcore_nano.shell import analyze

_MAX_ARGS = 8


def TestOneInput(data: bytes) -> None:
    """`shlex.join(argv)` analysed must give back `argv` exactly, with every word exact."""
    text = data.decode("utf-8", errors="replace").replace("\x00", "")
    argv = ["cmd", *text.split("\x01")[:_MAX_ARGS]]
    result = analyze(shlex.join(argv), env={})
    if len(result.commands) != 1:
        raise AssertionError(f"expected one command, got {len(result.commands)}")
    fact = result.commands[0]
    if list(fact.argv) != argv or not all(fact.argv_exact):
        raise AssertionError(f"round trip changed {argv!r} into {fact.argv!r}")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_roundtrip.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
