"""Fuzz the full analysis: it never raises and never exceeds its step budget."""

from __future__ import annotations

import sys

from crustcore_nano.shell import ShellAnalysis, ShellLimits
from crustcore_nano.shell.analyzer import analyze_uncached

_LIMITS = ShellLimits(max_steps=50_000, max_input=4096)


def TestOneInput(data: bytes) -> None:
    """The analysis must return for every string; the first byte picks env/home/cwd options."""
    if not data:
        return
    flags = data[0]
    text = data[1:].decode("utf-8", errors="replace")
    env = frozenset({("HOME", "/home/f"), ("X", "/etc/passwd")}) if flags & 1 else None
    home = "/home/f" if flags & 2 else None
    cwd = "/work" if flags & 4 else None
    # strict: an internal error propagates (and is a finding) instead of becoming a signal.
    result = analyze_uncached(text, env, home, cwd, _LIMITS, strict=True)
    if not isinstance(result, ShellAnalysis):
        raise AssertionError("analyze must return a ShellAnalysis")
    if result.steps > _LIMITS.max_steps:
        raise AssertionError("step budget exceeded")
    if not result.parsed_ok and not result.signals:
        raise AssertionError("a failed parse must carry a signal")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_analyze.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
