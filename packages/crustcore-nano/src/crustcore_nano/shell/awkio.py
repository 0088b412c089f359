"""What an awk program runs and which files its redirections name.

awk starts a shell (`sh -c`) in three places: `system(CMD)`, `CMD | getline` (gawk also has
`CMD |& getline`) and `print ... | CMD` (also `printf`, and gawk's `|&`). The last one writes the
printed text to the command's standard input, so `print "cat ~/.aws/credentials" | "sh"` is
`echo 'cat ~/.aws/credentials' | sh`. `print > FILE` and `>> FILE` write a file and
`getline < FILE` reads one.

`awk_io` reads those places. Each operand is evaluated when it is a concatenation of string
literals, numbers, `ENVIRON["NAME"]` (the shell's `$NAME`) and variables that only ever hold such
values; anything else is built at run time. Then:

* a command is the command line it spells, one for each value its variables may hold;
* what a `print` sends is that line fed by `printf` when the printed text is one literal, and
  otherwise the same command fed by `awk-output`, a stand-in program the analyser does not know:
  so `print $0 | "sh"` is judged as a shell running code that is not known, and `print | "sort"`
  as the harmless sort it is;
* a command built at run time (`system("rm " $1)`, `$0 | getline`, a variable that is read
  into or is a function parameter) is returned as written, and the analyser treats it as code
  it cannot see; a file written under a name built at run time is `$(awk: EXPR)`, a path no
  one can pin down, as the shell's `> "$(cmd)"` is.

The scan is linear in the code: literals and comments are masked once, the assignments are read
in one pass, and each command or redirection is read within a bounded window. A program with more
than `_MAX_PLACES` of them is reported as building commands that cannot be seen.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["OUTPUT_STANDIN", "AwkIO", "Spans", "awk_io", "awk_lex"]

OUTPUT_STANDIN: Final = "awk-output"
"""The stand-in program that feeds a command text the analyser cannot know."""

_MAX_PLACES: Final = 64
_MAX_VALUES: Final = 16  # values one operand may take through its variables
_MAX_ASSIGNMENTS: Final = 256  # past this, no variable's value is known
_WINDOW: Final = 512  # how far an operand may reach from its keyword or pipe
_MASK: Final = "\x01"
_IDENT: Final = re.compile(r"[A-Za-z_]\w*+")
# `name = value` and `name op= value`, not `==`; the lookbehind keeps `$name` and `a.name` out.
_ASSIGN: Final = re.compile(r"(?<![\w$.])([A-Za-z_]\w*+)\s*+([-+*/%^]?=)(?!=)")
_GETLINE_INTO: Final = re.compile(r"\bgetline\s*+([A-Za-z_]\w*+)")
_FOR_IN: Final = re.compile(r"\bfor\s*+\(\s*+([A-Za-z_]\w*+)\s++in\b")
_FUNCTION: Final = re.compile(r"\bfunc(?:tion)?\s++[A-Za-z_]\w*+\s*+\(([^)]{0,512})\)")
# Built-ins that store into an argument: `split(s, parts)`, `sub(re, repl, target)`, ...
_STORING: Final = re.compile(r"\b(?:g?sub|gensub|split|patsplit|match)\s*+\(")
_SYSTEM: Final = re.compile(r"\bsystem\s*+\(")
_PRINT: Final = re.compile(r"\bprintf?\b")
_GETLINE: Final = re.compile(r"\bgetline\b")
_ENVIRON: Final = re.compile(r"ENVIRON\s*+\[\s*+")
_NUMBER: Final = re.compile(r"[0-9]++")
_NEXT: Final = re.compile(r"\s*+(\S)")
_ENV_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+")
_GETLINE_SOURCE: Final = re.compile(r"\s*+(?:[A-Za-z_]\w*+\s*+)?<(?!=)")
_STATEMENT_END: Final = frozenset(";{}\n")
_OPERAND_KEYWORDS: Final = frozenset({"print", "printf", "return", "case", "in"})
_NO_STOPS: Final = frozenset[str]()

Spans = list[tuple[int, int]]
"""`(start, end)` spans of the code."""
_Literals = dict[int, tuple[str, int]]
"""Each literal's (value, end) by its start."""


@dataclass(frozen=True, slots=True)
class AwkIO:
    """What an awk program runs and which files it names for its redirections."""

    commands: tuple[str, ...]
    """Shell command lines it runs (fed by `printf` or `awk-output` for a print pipe)."""
    built: tuple[str, ...]
    """Commands it builds at run time, as written: they cannot be pinned down."""
    reads: tuple[str, ...]
    """Files `getline < FILE` reads, where the name is known (`ENVIRON["HOME"] "/x"` is `~/x`)."""
    writes: tuple[str, ...]
    """Files `print > FILE` and `>>` write; a name built at run time is `$(awk: EXPR)`."""


def awk_io(code: str, literals: Sequence[tuple[str, int, int]], skipped: Spans) -> AwkIO:
    """Read `code`, whose string literals are `(value, start, end)` with `start` at the opening
    quote and `end` past the closing one, in order; the `skipped` spans (patterns and comments,
    from `awk_lex`) are not code."""
    masked, by_start = _mask(code, literals, skipped)
    scope = _Scope(masked, by_start, None)
    scope = _Scope(masked, by_start, _literal_variables(scope))
    commands: list[str] = []
    built: list[str] = []
    reads: list[str] = []
    writes: list[str] = []
    places = 0

    def command_of(span: tuple[int, int]) -> list[str]:
        found = scope.value(span)
        if found is None:
            built.append(code[span[0] : span[1]].strip()[:200] or "(empty)")
            return []
        return found

    sites = sorted(
        [(m.start(), "print", m) for m in _PRINT.finditer(masked)]
        + [(m.start(), "getline", m) for m in _GETLINE.finditer(masked)]
        + [(m.start(), "system", m) for m in _SYSTEM.finditer(masked)],
        key=lambda site: site[0],
    )
    for _, kind, m in sites:
        places += 1
        if places > _MAX_PLACES:
            built.append(f"more than {_MAX_PLACES} commands and redirections")
            break
        if kind == "system":
            commands.extend(command_of((m.end(), _closing(masked, m.end()))))
        elif kind == "getline":
            pipe = _pipe_before(masked, m.start())
            if pipe is not None:
                commands.extend(command_of((_operand_start(masked, pipe), pipe)))
            source = _redirect_after_getline(masked, m.end())
            if source is not None:
                named = scope.value((source, _operand_end(masked, source)))
                reads.extend(_as_path(v) for v in named or ())
        else:
            keyword = m.group()
            stmt_end = _operand_end(masked, m.end())
            found = _print_redirect(masked, m.end(), stmt_end)
            if found is None:
                continue
            op, at = found
            target = (at + len(op), stmt_end)
            if op.startswith(">"):
                named = scope.value(target)
                if named is None:
                    writes.append(f"$(awk: {code[target[0] : target[1]].strip()[:200]})")
                else:
                    writes.extend(_as_path(v) for v in named)
                continue
            data = _printed_text(scope, keyword, (m.end(), at))
            for line in command_of(target):
                if data is None:
                    commands.append(f"{OUTPUT_STANDIN} | {line}")
                else:
                    fmt = "%s\\n" if keyword == "print" else "%s"
                    commands.append(f"printf '{fmt}' {shlex.quote(data)} | {line}")
    return AwkIO(tuple(commands), tuple(built), tuple(reads), tuple(writes))


def awk_lex(code: str) -> tuple[Spans, Spans]:
    """(string spans, regular-expression and comment spans), in one pass. A string span runs
    from the opening quote to past the closing one; a quote or `#` inside a pattern (`/"/`,
    `/#/`) or a comment starts nothing, so it does not hide the code after it. A `/` starts a
    regular expression where an operand is expected (after `(`, `,`, `~`, `!`, `{`, `;`, an
    operator or a line break); anywhere else it divides."""
    strings: Spans = []
    other: Spans = []
    n = len(code)
    i = 0
    operand_expected = True
    while i < n:
        ch = code[i]
        if ch == '"':
            j = i + 1
            while j < n and code[j] != '"' and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            end = min(j + 1, n) if j < n and code[j] == '"' else min(j, n)
            strings.append((i, end))
            i = end
            operand_expected = False
        elif ch == "#":
            j = code.find("\n", i)
            end = n if j == -1 else j
            other.append((i, end))
            i = end
        elif ch == "/" and operand_expected:
            j = i + 1
            in_class = False
            while j < n and code[j] != "\n" and (in_class or code[j] != "/"):
                if code[j] == "\\":
                    j += 1
                elif code[j] == "[":
                    in_class = True
                elif code[j] == "]":
                    in_class = False
                j += 1
            end = min(j + 1, n) if j < n and code[j] == "/" else min(j, n)
            other.append((i, end))
            i = end
            operand_expected = False
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (code[j].isalnum() or code[j] == "_"):
                j += 1
            operand_expected = code[i:j] in _OPERAND_KEYWORDS  # `print /x/` matches
            i = j
        elif ch in "+-" and code.startswith(ch * 2, i):
            i += 2  # `x++ / 2` still divides and `++x` still awaits its operand
        else:
            if not ch.isspace() or ch == "\n":
                operand_expected = not (ch.isdigit() or ch in ")].")
            i += 1
    return strings, other


def _as_path(value: str) -> str:
    """A file name as the path analysis spells it: `${HOME}/x` is `~/x`."""
    return "~" + value[7:] if value.startswith("${HOME}") else value


def _mask(
    code: str, literals: Sequence[tuple[str, int, int]], skipped: Spans
) -> tuple[str, _Literals]:
    """`code` with every literal, regular expression and comment overwritten (same length),
    and the literals."""
    chars = list(code)
    by_start: _Literals = {}
    for value, start, end in literals:
        by_start[start] = (value, end)
        chars[start:end] = _MASK * (end - start)
    for start, end in skipped:
        chars[start:end] = " " * (end - start)
    return "".join(chars), by_start


class _Scope:
    """Evaluates operands: concatenations of literals, numbers, `ENVIRON[...]` and variables
    whose values are known (`variables` None: no variable is known)."""

    __slots__ = ("by_start", "masked", "variables")

    def __init__(
        self, masked: str, by_start: _Literals, variables: dict[str, list[str]] | None
    ) -> None:
        self.masked = masked
        self.by_start = by_start
        self.variables = variables

    def value(self, span: tuple[int, int]) -> list[str] | None:
        """Every value the operand at `span` may have, or None when it is built at run time."""
        pieces = self.pieces(span)
        if pieces is None:
            return None
        values = ["".join(combo) for combo in itertools.islice(itertools.product(*pieces), 64)]
        return values if 0 < len(values) <= _MAX_VALUES else None

    def pieces(self, span: tuple[int, int]) -> list[list[str]] | None:
        masked = self.masked
        pos, end = span
        pieces: list[list[str]] = []
        while pos < end:
            ch = masked[pos]
            if ch.isspace() or ch in "()":
                pos += 1  # concatenation, grouping
                continue
            literal = self.by_start.get(pos)
            if literal is not None:
                pieces.append([literal[0]])
                pos = literal[1]
                continue
            env = _ENVIRON.match(masked, pos, end)
            if env is not None:
                name = self.by_start.get(env.end())
                if name is None or _ENV_NAME.fullmatch(name[0]) is None:
                    return None
                close = masked.find("]", name[1], end)
                if close == -1 or masked[name[1] : close].strip():
                    return None
                pieces.append(["${" + name[0] + "}"])  # the shell's spelling of the variable
                pos = close + 1
                continue
            number = _NUMBER.match(masked, pos, end)
            if number is not None:
                pieces.append([number.group()])
                pos = number.end()
                continue
            ident = _IDENT.match(masked, pos, end)
            if ident is None or self.variables is None:
                return None  # a field (`$1`), an operator, ...
            values = self.variables.get(ident.group())
            after = _NEXT.match(masked, ident.end(), end)
            if values is None or (after is not None and after.group(1) in "(["):
                return None  # not known, a call, an array element
            pieces.append(values)
            pos = ident.end()
        return pieces if pieces else None


def _literal_variables(scope: _Scope) -> dict[str, list[str]]:
    """The variables whose every assignment is a known value, with those values. A variable
    that is also assigned anything else, read into (`getline v`), stored into by a built-in,
    looped over or a function's parameter is left out: its value is not known."""
    masked = scope.masked
    values: dict[str, list[str]] = {}
    unknown: set[str] = set()
    assignments = list(itertools.islice(_ASSIGN.finditer(masked), _MAX_ASSIGNMENTS + 1))
    stores = list(itertools.islice(_STORING.finditer(masked), _MAX_ASSIGNMENTS + 1))
    if len(assignments) > _MAX_ASSIGNMENTS or len(stores) > _MAX_ASSIGNMENTS:
        return {}
    for m in assignments:
        name = m.group(1)
        found = scope.value((m.end(), _operand_end(masked, m.end()))) if m.group(2) == "=" else None
        if found is None:
            unknown.add(name)
        else:
            values.setdefault(name, []).extend(found)
    for pattern in (_GETLINE_INTO, _FOR_IN):
        unknown.update(m.group(1) for m in pattern.finditer(masked))
    for m in _FUNCTION.finditer(masked):
        unknown.update(_IDENT.findall(m.group(1)))
    for m in stores:
        start = m.end()
        unknown.update(_IDENT.findall(masked, start, _closing(masked, start)))
    return {
        name: found[:_MAX_VALUES]
        for name, found in values.items()
        if name not in unknown and len(found) <= _MAX_VALUES
    }


def _operand_start(masked: str, pipe: int) -> int:
    """Where the expression before `| getline` starts: after the nearest statement end,
    unmatched `(`, `,` or assignment (awk reads `"cmd " x | getline` as one command)."""
    depth = 0
    i = pipe - 1
    low = max(0, pipe - _WINDOW)
    while i >= low:
        ch = masked[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                return i + 1
            depth -= 1
        elif depth == 0 and (ch in _STATEMENT_END or ch == "," or _assigns(masked, i)):
            return i + 1
        i -= 1
    return low


def _assigns(masked: str, i: int) -> bool:
    """Whether the `=` at `i` is an assignment (not `==`, `!=`, `<=`, `>=`)."""
    if masked[i] != "=" or masked[i + 1 : i + 2] == "=":
        return False
    return i == 0 or masked[i - 1] not in "=!<>"


def _operand_end(masked: str, start: int, stops: frozenset[str] = _STATEMENT_END) -> int:
    """Where an operand that starts at `start` ends: at an unmatched `)`, at one of `stops`
    outside parentheses (the statement's end by default), or at the window's end."""
    depth = 0
    high = min(len(masked), start + _WINDOW)
    for i in range(start, high):
        ch = masked[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and ch in stops:
            return i
    return high


def _closing(masked: str, start: int) -> int:
    """The `)` that closes a call whose arguments start at `start` (or the window's end)."""
    return _operand_end(masked, start, _NO_STOPS)


def _pipe_before(masked: str, getline: int) -> int | None:
    """The `|` (or `|&`) just before a `getline`, if there is one (not `||`)."""
    i = getline - 1
    while i >= 0 and masked[i] in " \t":
        i -= 1
    if i >= 0 and masked[i] == "&":
        i -= 1
    if i < 0 or masked[i] != "|" or (i > 0 and masked[i - 1] == "|"):
        return None
    return i


def _redirect_after_getline(masked: str, after: int) -> int | None:
    """Where the file of `getline [var] < FILE` starts, if the `getline` at `after` has one."""
    m = _GETLINE_SOURCE.match(masked, after)
    return None if m is None else m.end()


def _print_redirect(masked: str, start: int, end: int) -> tuple[str, int] | None:
    """The first `>`, `>>`, `|` or `|&` of a print statement outside parentheses, and where it
    is (`print (a > b)` compares; `print a > b` writes)."""
    depth = 0
    i = start
    while i < end:
        ch = masked[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch == ">":
            return (">>" if masked.startswith(">>", i) else ">"), i
        elif depth == 0 and ch == "|":
            if masked.startswith("||", i):
                i += 2
                continue
            return ("|&" if masked.startswith("|&", i) else "|"), i
        i += 1
    return None


def _printed_text(scope: _Scope, keyword: str, span: tuple[int, int]) -> str | None:
    """The text a print statement sends, when it is known (`printf` with no conversion)."""
    found = scope.value(span)
    if found is None or len(found) != 1:
        return None
    text = found[0]
    if keyword == "printf":
        return None if "%" in text else text
    return text
