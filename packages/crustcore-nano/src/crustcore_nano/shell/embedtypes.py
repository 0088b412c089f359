"""The result type of `crustcore_nano.shell.embedded` and `crustcore_nano.shell.dbscripts`:
a piece of text a program runs or a file it names, and its kind."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Embedded", "EmbeddedKind"]


class EmbeddedKind(enum.Enum):
    """The language an embedded piece of text is written in."""

    SHELL = "shell"
    PYTHON = "python"
    LUA = "lua"
    ELISP = "elisp"
    READ = "read"
    """Not code: the name of a file the program reads (`vim -c 'r FILE'`, `vim -S FILE`)."""
    WRITE = "write"
    """Not code: the name of a file the program writes (`vim -c 'w FILE'`, `vim -W FILE`)."""


@dataclass(frozen=True, slots=True)
class Embedded:
    """One piece of text a program runs: `decoded` says it was hidden behind an encoding."""

    kind: EmbeddedKind
    text: str
    decoded: bool = False
