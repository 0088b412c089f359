"""Errors of the shell analyser.

`parse` raises `ShellSyntaxError` (or its subclass `ShellLimitError`) for input it cannot turn
into a tree; `analyze` never lets either escape and reports them as signals instead, because the
rule engine must see "could not understand" as a fact rather than as a crash. Only a wrong argument
type raises out of `analyze`, as `ShellArgumentError`.
"""

from __future__ import annotations

from crustcore_nano.errors import CrustCoreError, UsageError


class ShellError(CrustCoreError):
    """Root of every error the shell package raises on purpose."""


class ShellSyntaxError(ShellError):
    """The text is not shell we can parse; `offset` is the character where parsing stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset {offset})")
        self.offset = offset


class ShellLimitError(ShellSyntaxError):
    """A size, nesting or step bound was reached; the input is refused rather than half-read."""


class StepLimitError(ShellLimitError):
    """The step budget ran out; the analysis stops where it is and reports STEP_LIMIT."""


class ShellArgumentError(ShellError, UsageError, TypeError):
    """A caller passed a value of the wrong type to the public API."""
