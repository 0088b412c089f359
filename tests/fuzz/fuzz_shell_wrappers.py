"""Fuzz wrapper unwrapping and the command tables: wrapper + program + random arguments."""

from __future__ import annotations

import shlex
import sys

from crustcore_nano.shell import ShellLimits
from crustcore_nano.shell.analyzer import analyze_uncached

_LIMITS = ShellLimits(max_steps=50_000)
_WRAPPERS = ("sudo", "env", "timeout", "nice", "xargs", "strace", "flock", "watch", "su", "")
_PROGRAMS = (
    "cat", "curl", "wget", "nc", "socat", "ssh", "scp", "rsync", "git", "tar", "sed", "find",
    "chmod", "ln", "cp", "dd", "python3", "node", "perl", "sh", "docker", "aws", "openssl",
)  # fmt: skip


def TestOneInput(data: bytes) -> None:
    """Any argument list after any wrapper and program is analysed without an internal error."""
    if len(data) < 2:
        return
    wrapper = _WRAPPERS[data[0] % len(_WRAPPERS)]
    program = _PROGRAMS[data[1] % len(_PROGRAMS)]
    args = data[2:].decode("utf-8", errors="replace").replace("\x00", "").split("\x01")[:12]
    words = [w for w in (wrapper, program) if w] + args
    result = analyze_uncached(shlex.join(words), None, "/h", "/w", _LIMITS, strict=True)
    if result.steps > _LIMITS.max_steps:
        raise AssertionError("step budget exceeded")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_wrappers.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
