"""Fuzz target: compile_glob either compiles or raises GlobError; match is total and agrees with
fnmatch on single-segment patterns.

Run for longer with ``./dev run python tests/fuzz/fuzz_glob_match.py -max_total_time=300``.
"""

from __future__ import annotations

import fnmatch
import sys

from crustcore_nano.globmatch import GlobError, compile_glob


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    pattern, _, path = text.partition("\n")
    try:
        glob = compile_glob(pattern, home="/home/u")
    except GlobError as exc:
        if exc.column is not None and not 1 <= exc.column <= len(pattern):
            raise AssertionError(f"column out of range: {pattern!r}") from exc
        return
    glob.match(path)
    glob.match(path, case_insensitive=True)
    simple = set(pattern) <= set("ab.*?")
    name_ok = path and "/" not in path and "[" not in path
    if simple and pattern and name_ok and "**" not in pattern:
        expected = fnmatch.fnmatchcase(path, pattern)
        if compile_glob("/" + pattern).match("/" + path) is not expected:
            raise AssertionError(f"disagrees with fnmatch: {pattern!r} {path!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
