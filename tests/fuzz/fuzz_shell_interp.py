"""Fuzz the interpreter one-liner scanner for every language it knows."""

from __future__ import annotations

import sys

from crustcore_nano.shell.interp import scan_code
from crustcore_nano.shell.limits import Budget

_LANGUAGES = ("python", "node", "perl", "ruby", "php", "lua", "awk", "applescript", "r")


def TestOneInput(data: bytes) -> None:
    """`scan_code` must return for any code (its only exception is the step budget)."""
    if not data:
        return
    language = _LANGUAGES[data[0] % len(_LANGUAGES)]
    code = data[1:].decode("utf-8", errors="replace")
    budget = Budget(10 * len(code) + 1000)
    result = scan_code(language, code, budget)
    if budget.steps > budget.limit:
        raise AssertionError("step budget exceeded")
    for path in result.reads + result.writes + result.deletes:
        if not isinstance(path, str):
            raise AssertionError("paths must be strings")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_interp.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
