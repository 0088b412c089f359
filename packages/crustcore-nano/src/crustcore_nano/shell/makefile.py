"""The shell commands a makefile text runs, for a makefile the command line itself supplies.

`make` runs every recipe line with the shell, and `$(shell ...)` runs a command while the makefile
is read. A makefile a project keeps on disk is the project's own business (`make test`), but one
written on the command line (`make -f - <<< ...`, `make -f /dev/stdin`, `make -f <(printf ...)`,
`make --eval='$(shell ...)'`) is a way to hand the shell a command the analyser would otherwise
never see. This module pulls those commands out of the text so they can be analysed like `sh -c`.

The scan is one pass over the lines and one left-to-right pass over each line's `$(shell ...)`
bodies, with a bounded number of commands kept, so its work is linear in the text.
"""

from __future__ import annotations

from dataclasses import dataclass

_MAX_COMMANDS = 64
"""Commands kept per makefile; past this the scan stops and reports `truncated`."""
_SHELL_CALL = "$(shell"
_RECIPE_PREFIXES = "@-+"


@dataclass(frozen=True, slots=True)
class MakeCommands:
    """The shell commands found in a makefile text, in order."""

    commands: tuple[str, ...]
    truncated: bool


def _shell_calls(line: str, out: list[str], limit: int = _MAX_COMMANDS) -> bool:
    """Append the body of every `$(shell ...)` in `line` (parentheses balanced); False once
    `out` is full. Each character is visited once: after a call, the scan resumes past it."""
    start = line.find(_SHELL_CALL)
    while start >= 0:
        i = start + len(_SHELL_CALL)
        if i < len(line) and line[i] not in " \t":
            start = line.find(_SHELL_CALL, i)
            continue
        depth = 1
        j = i
        while j < len(line) and depth:
            ch = line[j]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            j += 1
        body = line[i : j - 1 if depth == 0 else j].strip()
        if body:
            if len(out) >= limit:
                return False
            out.append(_unescape(body))
        start = line.find(_SHELL_CALL, j)
    return True


def _unescape(command: str) -> str:
    """Make's own quoting: `$$` stands for one `$` handed to the shell."""
    return command.replace("$$", "$")


def _recipe(text: str) -> str:
    """A recipe line without make's prefixes (`@` silent, `-` ignore errors, `+` always run)."""
    return text.lstrip(_RECIPE_PREFIXES + " \t")


def make_commands(text: str, *, limit: int = _MAX_COMMANDS) -> MakeCommands:
    """The shell commands `text`, read as a makefile, would run: recipe lines (a line that
    starts with a tab, or the part after `;` on a rule line) and `$(shell ...)` bodies.

    Continuation lines (a trailing backslash) are joined first, as make does. Variables
    other than `$$` are left as written; the caller treats the result as shell code. At most
    `limit` commands are kept (`truncated` says when there were more).
    """
    out: list[str] = []
    logical: list[str] = []
    pending = ""
    for raw in text.split("\n"):
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        logical.append(pending + raw)
        pending = ""
    if pending:
        logical.append(pending)
    for line in logical:
        if not _shell_calls(line, out, limit):
            return MakeCommands(tuple(out), True)
        if line.startswith("\t"):
            command = _recipe(line[1:])
        else:
            rule, semi, after = line.partition(";")
            if not semi or ":" not in rule or "=" in rule.partition(":")[0]:
                continue
            command = _recipe(after)
        if not command or command.startswith("#"):
            continue
        if len(out) >= limit:
            return MakeCommands(tuple(out), True)
        out.append(_unescape(command))
    return MakeCommands(tuple(out), False)
