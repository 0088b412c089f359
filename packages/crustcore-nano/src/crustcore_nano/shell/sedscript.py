"""What a `sed` script does besides editing text: files it reads and writes, commands it runs.

GNU sed can read a file into the output (`r`, `R`), write the pattern space to a file (`w`, `W`,
the `w` flag of `s`), and run shell commands (`e command`, and the `e` flag of `s`, which runs the
pattern space after the substitution). A script such as `1r ~/.ssh/id_rsa` or `s/x/curl ...|sh/e`
is as much a file read or a command as `cat` or `sh -c`, so the analyser needs these effects.

The scan is one left-to-right pass: every step consumes at least one character, and the number of
effects kept is bounded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

_MAX_EFFECTS = 64
"""Effects kept per script; past this the scan stops and reports `truncated`."""
_STD_FILES = frozenset({"/dev/stdout", "/dev/stderr", "/dev/stdin", "-"})
"""Names GNU sed treats as its own standard streams rather than files."""
_SPACES = " \t"


class SedEffectKind(enum.Enum):
    """What one sed command does outside the text it edits."""

    READ = "read"
    WRITE = "write"
    EXEC = "exec"
    """Runs a command written in the script (`e command`, or the replacement of `s///e`)."""
    EXEC_PATTERN = "exec-pattern"
    """Runs the pattern space (`e` alone, or `s///e`): the command depends on the input."""


@dataclass(frozen=True, slots=True)
class SedEffect:
    """One effect and its operand (a file name or command text; empty for EXEC_PATTERN)."""

    kind: SedEffectKind
    text: str


@dataclass(frozen=True, slots=True)
class SedScan:
    """Every effect found, in script order; `truncated` when the bound cut the scan short."""

    effects: tuple[SedEffect, ...]
    truncated: bool


def _rest_of_line(script: str, i: int) -> tuple[str, int]:
    """The text from `i` (after blanks) to the end of the line, and the index after it."""
    n = len(script)
    while i < n and script[i] in _SPACES:
        i += 1
    end = script.find("\n", i)
    if end < 0:
        end = n
    return script[i:end], end


def _delimited(script: str, i: int, delim: str) -> tuple[str | None, int]:
    """One part of an `s` or `y` command (or an address regex), from `i` to the next unescaped
    `delim`, as sed reads it: an escaped `delim` is that character and an escaped newline is a
    newline of the text (so `s/x/a\\<newline>b/e` runs two lines). An unescaped newline or the
    end of the script first leaves the command unterminated, which sed refuses outright: None
    then, and the index where the part stopped (the scan goes on from there)."""
    out: list[str] = []
    n = len(script)
    while i < n:
        ch = script[i]
        if ch == "\\" and i + 1 < n:
            nxt = script[i + 1]
            out.append(nxt if nxt in (delim, "\n") else ch + nxt)
            i += 2
            continue
        if ch == delim:
            return "".join(out), i + 1
        if ch == "\n":
            return None, i
        out.append(ch)
        i += 1
    return None, n


def _skip_address(script: str, i: int) -> int:
    """Skip the addresses before a command: `1`, `$`, `/re/`, `\\%re%`, `a,b`, `first~step`, `!`."""
    n = len(script)
    while i < n:
        ch = script[i]
        if ch.isdigit() or ch in "$,~+!" or ch in _SPACES:
            i += 1
        elif ch == "/":
            _, i = _delimited(script, i + 1, "/")
            while i < n and script[i] in "IM":
                i += 1
        elif ch == "\\" and i + 1 < n:
            _, i = _delimited(script, i + 2, script[i + 1])
            while i < n and script[i] in "IM":
                i += 1
        else:
            break
    return i


def scan_sed(script: str) -> SedScan:
    """The reads, writes and commands of a sed script (GNU syntax; BSD's is a subset)."""
    effects: list[SedEffect] = []
    n = len(script)
    i = 0
    while i < n:
        if len(effects) >= _MAX_EFFECTS:
            return SedScan(tuple(effects), True)
        ch = script[i]
        if ch in _SPACES or ch in ";\n{}":
            i += 1
            continue
        if ch == "#":
            _, i = _rest_of_line(script, i)
            continue
        i = _skip_address(script, i)
        if i >= n:
            break
        cmd = script[i]
        i += 1
        if cmd in "rRwW":
            name, i = _rest_of_line(script, i)
            if name and name not in _STD_FILES:
                kind = SedEffectKind.READ if cmd in "rR" else SedEffectKind.WRITE
                effects.append(SedEffect(kind, name))
        elif cmd == "e":
            command, i = _rest_of_line(script, i)
            if command:
                effects.append(SedEffect(SedEffectKind.EXEC, command))
            else:
                effects.append(SedEffect(SedEffectKind.EXEC_PATTERN, ""))
        elif cmd in "aic":
            # Text to add: to the end of the line, and on over lines that end in a backslash.
            text, i = _rest_of_line(script, i)
            while text.endswith("\\") and i < n:
                text, i = _rest_of_line(script, i + 1)
        elif cmd in ":btT":
            _, i = _label(script, i)
        elif cmd in "sy" and i < n and script[i] not in "\n\\":
            delim = script[i]
            pattern, i = _delimited(script, i + 1, delim)
            if pattern is not None:
                replacement, i = _delimited(script, i, delim)
                if cmd == "s" and replacement is not None:
                    i = _s_flags(script, i, replacement, effects)
        # Any other command (`p`, `d`, `q5`, ...) has no effect outside the text: its letter is
        # consumed and the scan goes on, so every round moves forward.
    return SedScan(tuple(effects), False)


def _label(script: str, i: int) -> tuple[str, int]:
    """A branch label: up to `;` or the end of the line (GNU)."""
    n = len(script)
    j = i
    while j < n and script[j] not in ";\n":
        j += 1
    return script[i:j].strip(), j


def _s_flags(script: str, i: int, replacement: str, effects: list[SedEffect]) -> int:
    """Read the flags of an `s` command, noting `w FILE` and `e`."""
    n = len(script)
    while i < n:
        ch = script[i]
        if ch == "w":
            name, i = _rest_of_line(script, i + 1)
            if name and name not in _STD_FILES:
                effects.append(SedEffect(SedEffectKind.WRITE, name))
            return i
        if ch == "e":
            effects.append(SedEffect(SedEffectKind.EXEC_PATTERN, ""))
            if replacement.strip():
                effects.append(SedEffect(SedEffectKind.EXEC, replacement))
        elif ch in ";\n}" or ch in _SPACES:
            return i
        i += 1
    return i
