"""Bounds on the work the shell analyser does, and the step counter that enforces them.

Every loop in the lexer, parser and analyser pays into one `Budget`, so the total work for any
input is bounded by `ShellLimits.max_steps` no matter how the input nests or repeats itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from crustcore_nano.shell.errors import StepLimitError


@dataclass(frozen=True, slots=True)
class ShellLimits:
    """Bounds for one analysis. The defaults fit any command an agent plausibly sends."""

    max_input: int = 64 * 1024
    """Longest accepted command, in characters; longer input is flagged TOO_LARGE."""
    max_depth: int = 8
    """Deepest nesting of `sh -c`/`eval`/substitutions and of compound commands."""
    max_steps: int = 300_000
    """Work units (characters scanned, nodes visited, characters produced) for one analysis."""
    max_value: int = 8 * 1024
    """Longest value an expansion may produce before it is marked inexact and truncated."""
    max_fields: int = 64
    """Most words one brace expansion may produce."""


class Budget:
    """A shared, monotonically increasing step counter with a hard ceiling."""

    __slots__ = ("limit", "steps")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.steps = 0

    def tick(self, n: int = 1, offset: int = 0) -> None:
        """Pay `n` steps; raise `StepLimitError` once the ceiling is passed."""
        self.steps += n
        if self.steps > self.limit:
            self.steps = self.limit
            raise StepLimitError("step budget exhausted", offset)
