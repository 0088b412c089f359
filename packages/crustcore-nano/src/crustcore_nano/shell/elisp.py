"""What a piece of Emacs Lisp (`emacs --batch --eval '(...)'`) reads, writes, deletes and runs.

Emacs in batch mode is an interpreter an agent reaches for less often than Python, but it is on
many machines and its file functions take plain names: `(find-file "~/.aws/credentials")` reads
a credential, `(with-temp-file "~/.bashrc" ...)` writes a startup file, `(shell-command "...")`
runs a command. This module reads the code's forms, not just its strings: a string is judged by
the function it is an argument of and by its position there (`write-region`'s third argument is
the file it writes; `copy-file` reads its first and writes its second). What is not found:
file names built at run time (from variables, `format`, or anything but literal strings,
`(getenv "HOME")` and `~`), and names relative to a directory that the code changes to first.

One linear pass: a stack of open forms (at most `_MAX_DEPTH` deep), strings, character
literals (`?"` is a character, not the start of a string) and comments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from crustcore_nano.shell.limits import Budget

_HEX = frozenset("0123456789abcdefABCDEF")

__all__ = ["ElispLiteral", "ElispScan", "scan_elisp"]

_MAX_DEPTH = 256
"""Forms nested deeper than this are not told apart (their strings count as top-level ones)."""

# Functions whose argument at the given positions is a file they write (position 0 is the
# first argument). `write-file` and `set-visited-file-name` name the file the buffer is saved to.
_WRITES: dict[str, tuple[int, ...]] = {
    "write-region": (2,),
    "append-to-file": (2,),
    "with-temp-file": (0,),
    "write-file": (0,),
    "write-named-file": (0,),
    "copy-file": (1,),
    "rename-file": (1,),
    "copy-directory": (1,),
    "make-symbolic-link": (1,),
    "add-name-to-file": (1,),
    "url-copy-file": (1,),
    "set-file-modes": (0,),
    "set-file-times": (0,),
    "make-directory": (0,),
    "make-empty-file": (0,),
    "set-visited-file-name": (0,),
}
_DELETES: dict[str, tuple[int, ...]] = {
    "delete-file": (0,),
    "delete-directory": (0,),
    "move-file-to-trash": (0,),
    "rename-file": (0,),
}
# Functions that visit a file in a buffer: a file the code visits and then saves is written.
_VISITS = frozenset(
    {
        "find-file",
        "find-file-noselect",
        "find-file-literally",
        "find-file-other-window",
        "find-file-other-frame",
        "find-alternate-file",
    }
)
_SAVES = ("save-buffer", "save-some-buffers", "save-buffers-kill", "basic-save-buffer")
# Functions that hand a string to a shell: the position of the command.
_SHELL: dict[str, int] = {
    "shell-command": 0,
    "shell-command-to-string": 0,
    "async-shell-command": 0,
    "call-process-shell-command": 0,
    "process-file-shell-command": 0,
    "start-process-shell-command": 2,
    "start-file-process-shell-command": 2,
    "compile": 0,
    "eshell-command": 0,
    "eshell-command-result": 0,
}
# Functions that run a program: the position of the program and of its first argument.
_PROGRAMS: dict[str, tuple[int, int]] = {
    "call-process": (0, 4),
    "process-file": (0, 4),
    "process-lines": (0, 1),
    "process-lines-ignore-status": (0, 1),
    "start-process": (2, 3),
    "start-file-process": (2, 3),
    "call-process-region": (2, 6),
}
# `(make-process :command (list "sh" "-c" "..."))`: the argv is a list inside these calls.
_ARGV_LIST_CALLERS = frozenset({"make-process", "make-pipe-process"})
# Functions that join a directory and a name into a path.
# Any mention of one of these (a call, or `#'shell-command` handed to `funcall`) runs programs.
_RUNNERS = (*_SHELL, *_PROGRAMS, *_ARGV_LIST_CALLERS)
_JOINERS = frozenset({"expand-file-name", "file-name-concat", "concat", "locate-user-emacs-file"})
_DELIMS = frozenset("()[]\"';` \t\n\r\f,")


@dataclass(frozen=True, slots=True)
class ElispLiteral:
    """A string in the code, with the form it is an argument of."""

    value: str
    start: int
    end: int
    escaped: bool
    head: str
    """The name of the function called by the enclosing form ('' if none)."""
    index: int
    """The position of this string among that form's arguments (0 = first argument)."""
    form: int
    """Which form (numbered in the order they open) the string is an argument of."""
    parent_head: str
    """The function called by the form around the enclosing one."""


@dataclass(slots=True)
class ElispScan:
    literals: list[ElispLiteral] = field(default_factory=list[ElispLiteral])
    writes: list[str] = field(default_factory=list[str])
    deletes: list[str] = field(default_factory=list[str])
    commands: list[str] = field(default_factory=list[str])
    argvs: list[tuple[str, ...]] = field(default_factory=list[tuple[str, ...]])
    runs_programs: bool = False
    """The code calls a function that runs a program or a shell command."""


@dataclass(slots=True)
class _Form:
    head: str
    count: int  # elements seen so far, the head included
    number: int
    start: int
    parent: _Form | None
    parts: list[str | None] | None = None
    """For a call that joins a path (`expand-file-name`, `concat`, ...): each argument's text,
    None where it is not known."""
    home: bool = False
    """This is `(getenv "HOME")`."""


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "a": "\a", "f": "\f", "v": "\v"}


def _string(code: str, i: int) -> tuple[str, int, bool]:
    """The string starting at the quote `code[i]`: its value, the index after it, and whether
    it used an escape that hides a character (`\\x41`, octal)."""
    out: list[str] = []
    n = len(code)
    j = i + 1
    hidden = False
    while j < n:
        ch = code[j]
        if ch == '"':
            return "".join(out), j + 1, hidden
        if ch != "\\" or j + 1 >= n:
            out.append(ch)
            j += 1
            continue
        nxt = code[j + 1]
        if nxt in "\n ":
            j += 2  # an escaped newline (or space) is dropped
        elif nxt in "xuU":
            # `\x41` (any number of digits), `\u00e9` (four), `\U0001F600` (eight)
            width = {"x": 8, "u": 4, "U": 8}[nxt]
            k = j + 2
            while k < n and k < j + 2 + width and code[k] in _HEX:
                k += 1
            if k > j + 2:
                out.append(chr(min(int(code[j + 2 : k], 16), 0x10FFFF)))
                hidden = True
            if k < n and code[k] == "\\" and k + 1 < n and code[k + 1] == " ":
                k += 2  # `\x41\ ` ends a hex escape
            j = k
        elif nxt == "N" and code.startswith("{", j + 2):
            close = code.find("}", j + 3, j + 100)
            name = code[j + 3 : close] if close > 0 else ""
            out.append(_named_char(name))
            hidden = True
            j = close + 1 if close > 0 else j + 2
        elif nxt in "01234567":
            k = j + 1
            while k < n and k < j + 4 and code[k] in "01234567":
                k += 1
            out.append(chr(int(code[j + 1 : k], 8)))
            hidden = True
            j = k
        else:
            out.append(_ESCAPES.get(nxt, nxt))
            j += 2
    return "".join(out), n, hidden


def _named_char(name: str) -> str:
    """The character of `\\N{NAME}` or `\\N{U+XXXX}` (U+FFFD if there is none)."""
    if name.upper().startswith("U+") and name[2:] and all(c in _HEX for c in name[2:]):
        return chr(min(int(name[2:], 16), 0x10FFFF))
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return "\ufffd"


def _char_end(code: str, i: int) -> int:
    """The index after the character literal starting at the `?` at `code[i]`: `?a`, `?\\"`,
    `?\\C-a`, `?\\M-\\C-x`, `?\\^I`, `?\\x41`, `?\\N{NAME}`."""
    n = len(code)
    j = i + 1
    for _ in range(8):  # modifiers before the character, a few at most
        if j >= n:
            return n
        if code[j] != "\\":
            return j + 1
        c = code[j + 1] if j + 1 < n else ""
        if c in "CMSHsA" and c and code.startswith("-", j + 2):
            j += 3
        elif c == "^":
            j += 2
        elif c in "xuU" and c:
            k = j + 2
            while k < n and k < j + 10 and code[k] in _HEX:
                k += 1
            return k
        elif c == "N" and code.startswith("{", j + 2):
            close = code.find("}", j + 3, j + 100)
            return close + 1 if close > 0 else j + 2
        else:
            return min(j + 2, n)
    return min(j, n)


def scan_elisp(code: str, budget: Budget) -> ElispScan:
    """Read `code` once and say what its literal file names and commands are used for."""
    budget.tick(len(code))
    scan = ElispScan()
    top = _Form("", 0, -1, 0, None)
    stack: list[_Form] = []
    overflow = 0
    forms = 0
    n = len(code)
    i = 0

    def element() -> _Form:
        form = stack[-1] if stack else top
        form.count += 1
        if form.parts is not None and form.count > 1:
            form.parts.append(None)
        return form

    def literal(form: _Form, value: str, start: int, end: int, escaped: bool) -> None:
        parent = form.parent
        scan.literals.append(
            ElispLiteral(
                value,
                start,
                end,
                escaped,
                form.head,
                form.count - 2,
                form.number,
                parent.head if parent is not None else "",
            )
        )
        if form.parts is not None and form.parts:
            form.parts[-1] = value
        if form.head == "getenv" and form.count == 2 and value == "HOME":
            form.home = True

    while i < n:
        ch = code[i]
        if ch in " \t\n\r\f":
            i += 1
        elif ch == ";":
            end = code.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch in "'`," or code.startswith("#'", i):
            i += 2 if code.startswith((",@", "#'"), i) else 1  # quote prefixes
        elif ch in "([":
            parent = element()
            if len(stack) >= _MAX_DEPTH:
                overflow += 1
            else:
                stack.append(_Form("", 0, forms, i, parent))
                forms += 1
            i += 1
        elif ch in ")]":
            if overflow:
                overflow -= 1
            elif stack:
                _close(stack.pop(), i + 1, literal)
            i += 1
        elif ch == '"':
            value, end, hidden = _string(code, i)
            literal(element(), value, i, end, hidden)
            i = end
        elif ch == "?":
            element()
            i = _char_end(code, i)
        else:
            j = i
            while j < n and code[j] not in _DELIMS:
                j += 2 if code[j] == "\\" else 1
            form = element()
            word = code[i:j]
            if form.count == 1:
                form.head = word
                if word in _JOINERS:
                    form.parts = []
            elif word == "user-emacs-directory" and form.parts:
                form.parts[-1] = "~/.emacs.d/"
            i = max(j, i + 1)
    _effects(code, scan)
    return scan


def _close(form: _Form, end: int, literal: Callable[[_Form, str, int, int, bool], None]) -> None:
    """A form ends: a path join whose parts are known becomes a string of its parent form, as
    if written out (`(with-temp-file (expand-file-name ".bashrc" "~") ...)` writes
    `~/.bashrc`); `(getenv "HOME")` is `~` there."""
    parent = form.parent
    if parent is None:
        return
    if form.home:
        if parent.parts:
            parent.parts[-1] = "~"
        return
    if form.parts is None:
        return
    joined = _join(form.head, form.parts)
    if joined is not None:
        literal(parent, joined, form.start, end, False)


def _join(head: str, parts: list[str | None]) -> str | None:
    if not parts or parts[0] is None:
        return None
    name = parts[0]
    if head == "locate-user-emacs-file":
        return "~/.emacs.d/" + name
    if head == "expand-file-name":
        if name.startswith(("/", "~")) or len(parts) < 2:
            return name if name.startswith(("/", "~")) else None
        base = parts[1]
        return None if base is None else base.rstrip("/") + "/" + name
    if any(p is None for p in parts):
        return None
    known = [p for p in parts if p is not None]
    if head == "concat":
        return "".join(known)
    return "/".join([known[0].rstrip("/"), *(p.strip("/") for p in known[1:])])


def _effects(code: str, scan: ElispScan) -> None:
    saves = any(name in code for name in _SAVES)
    by_form: dict[int, list[ElispLiteral]] = {}
    for lit in scan.literals:
        head, index, value = lit.head, lit.index, lit.value
        if head in _PROGRAMS or (head in ("list", "") and lit.parent_head in _ARGV_LIST_CALLERS):
            by_form.setdefault(lit.form, []).append(lit)
        if head in _WRITES and index in _WRITES[head]:
            scan.writes.append(value)
        if head in _DELETES and index in _DELETES[head]:
            scan.deletes.append(value)
        if head in _VISITS and index == 0 and saves:
            scan.writes.append(value)
        if head in _SHELL and index == _SHELL[head]:
            scan.commands.append(value)
    for group in by_form.values():
        group.sort(key=lambda lit: (lit.index, lit.start))
        head = group[0].head
        if head not in _PROGRAMS:  # `(list "sh" "-c" ...)` or `'("sh" ...)` in `make-process`
            scan.argvs.append(tuple(lit.value for lit in group))
            continue
        program, first = _PROGRAMS[head]
        argv = [lit.value for lit in group if lit.index == program]
        if argv:
            argv.extend(lit.value for lit in group if lit.index >= first)
            scan.argvs.append(tuple(argv))
    scan.runs_programs = any(name in code for name in _RUNNERS)
