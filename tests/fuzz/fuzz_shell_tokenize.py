"""Fuzz the shell tokenizer: any text either tokenizes or raises ShellSyntaxError."""

from __future__ import annotations

import sys

from crustcore_nano.shell import ShellLimits, ShellSyntaxError, tokenize
from crustcore_nano.shell.syntax import TokenKind

_LIMITS = ShellLimits(max_steps=50_000)


def TestOneInput(data: bytes) -> None:
    """Only `ShellSyntaxError` (and its subclasses) may escape; tokens end with EOF."""
    text = data.decode("utf-8", errors="replace")
    try:
        lexed = tokenize(text, _LIMITS)
    except ShellSyntaxError:
        return
    if not lexed.tokens or lexed.tokens[-1].kind is not TokenKind.EOF:
        raise AssertionError("token stream must end with EOF")
    for tok in lexed.tokens:
        if not 0 <= tok.start <= tok.end <= len(text):
            raise AssertionError("token span outside the input")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_tokenize.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
