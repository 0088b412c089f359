"""Commands and code that programs which are not interpreters run from their arguments.

A debugger, an editor or a Tcl shell each has a way to run a shell command or a piece of
Python that the rest of the analyser never sees as one: `gdb -batch -ex 'shell cat x'`,
`lldb -o 'platform shell id'`, `vim -c ':!curl ...'`, `emacs --batch --eval '(...)'` (Lisp,
read by `crustcore_nano.shell.elisp`), `tclsh <<< 'exec cat x'`, `m4`'s `syscmd(...)`, or
PowerShell's `-EncodedCommand`, whose base64 hides the whole command. This module only finds
the embedded text and says what language it is in; the analyser runs it as it runs any other
code (database shells' scripts are read by `crustcore_nano.shell.dbscripts`). Vim's and `ed`'s
commands that name a file (`:r FILE`, `:w! FILE`, `:sav FILE`, `:redir > FILE`) are reported
as reads and writes, also when `:execute` spells them with literal strings (`exe "w " . $HOME .
"/.bashrc"`) or `:normal` types them (`normal :w FILE^M`); an `:execute` of anything else (a
variable, a function call) is not read. Every function is linear in its input (`:execute` and
`:normal` are followed at most three deep) and has no side effects.
"""

from __future__ import annotations

import base64
import binascii

from crustcore_nano.shell.dbscripts import database_args, database_script
from crustcore_nano.shell.embedtypes import Embedded, EmbeddedKind

__all__ = [
    "Embedded",
    "EmbeddedKind",
    "embedded_in_args",
    "embedded_in_stdin",
    "jq_reads_environment",
    "tcl_commands",
]

_MAX_TCL_COMMANDS = 64
"""At most this many `exec`/`spawn` commands are taken from one Tcl script."""


_GDB = frozenset({"gdb", "gdb-multiarch", "cgdb", "gdbtui"})
_GDB_OPTS = frozenset({"-ex", "--ex", "-iex", "--iex", "-eval-command", "--eval-command"})
_GDB_OPTS_EQ = ("--eval-command=", "-eval-command=", "--init-eval-command=", "-init-eval-command=")
_LLDB = frozenset({"lldb"})
_LLDB_OPTS = frozenset(
    {"-o", "--one-line", "-O", "--one-line-before-file", "-k", "--one-line-on-crash"}
)
_VIM = frozenset({"vi", "vim", "nvim", "view", "ex", "gvim", "vimdiff", "rvim"})
_VIM_OPTS = frozenset({"-c", "--cmd"})
_VIM_FILE_OPTS = {
    "-S": EmbeddedKind.READ,  # a script of Ex commands, sourced
    "-u": EmbeddedKind.READ,  # the vimrc to use
    "-U": EmbeddedKind.READ,  # the gvimrc to use
    "-s": EmbeddedKind.READ,  # keystrokes to replay
    "-w": EmbeddedKind.WRITE,  # every typed key is appended to this file
    "-W": EmbeddedKind.WRITE,
}
_VIM_MAX_COMMANDS = 64
"""At most this many `|`-separated Ex commands are read from one argument."""
_VIM_MAX_NESTING = 3
"""How deep `:execute` and `:normal` inside each other are followed."""
_VIM_KEYS = {"CR": "\r", "Enter": "\r", "Return": "\r", "NL": "\n", "Esc": "\x1b", "lt": "<"}
"""The `\\<Key>` escapes of a Vim string that matter here (`"\\<CR>"` ends a typed command)."""
_HEX_DIGITS = "0123456789abcdefABCDEF"
_VIM_HOME = ("$HOME", 'expand("~")', "expand('~')", 'expand("$HOME")', "expand('$HOME')")
# Ex commands that name a file, by their shortest abbreviation and full name (`:h :w`).
_EX_FILE_COMMANDS = (
    ("r", "read", EmbeddedKind.READ),
    ("so", "source", EmbeddedKind.READ),
    ("w", "write", EmbeddedKind.WRITE),
    ("wq", "wq", EmbeddedKind.WRITE),
    ("x", "xit", EmbeddedKind.WRITE),
    ("exi", "exit", EmbeddedKind.WRITE),
    ("up", "update", EmbeddedKind.WRITE),
    ("sav", "saveas", EmbeddedKind.WRITE),
    ("e", "edit", EmbeddedKind.WRITE),  # opened to be changed and written back
    ("ex", "ex", EmbeddedKind.WRITE),
    ("vi", "visual", EmbeddedKind.WRITE),
    ("vie", "view", EmbeddedKind.WRITE),
    ("sv", "sview", EmbeddedKind.WRITE),
    ("fin", "find", EmbeddedKind.WRITE),
    ("sf", "sfind", EmbeddedKind.WRITE),
    ("new", "new", EmbeddedKind.WRITE),
    ("vne", "vnew", EmbeddedKind.WRITE),
    ("sp", "split", EmbeddedKind.WRITE),
    ("vs", "vsplit", EmbeddedKind.WRITE),
    ("tabe", "tabedit", EmbeddedKind.WRITE),
    ("tabnew", "tabnew", EmbeddedKind.WRITE),
    ("bad", "badd", EmbeddedKind.WRITE),
    ("mks", "mksession", EmbeddedKind.WRITE),
    ("mkvie", "mkview", EmbeddedKind.WRITE),
    ("mkv", "mkvimrc", EmbeddedKind.WRITE),
    ("mk", "mkexrc", EmbeddedKind.WRITE),
    ("redi", "redir", EmbeddedKind.WRITE),  # `:redir > FILE`: messages go to the file
)
_EX_RANGE = "%$.,;0123456789+-"
# Command modifiers, which run the command after them (`:silent! w FILE`, `:vert sp FILE`).
_EX_MODIFIERS = (
    ("sil", "silent"), ("uns", "unsilent"), ("vert", "vertical"), ("tab", "tab"),
    ("keepa", "keepalt"), ("keepj", "keepjumps"), ("kee", "keepmarks"),
    ("keepp", "keeppatterns"), ("loc", "lockmarks"), ("noa", "noautocmd"),
    ("nos", "noswapfile"), ("conf", "confirm"), ("bro", "browse"), ("hid", "hide"),
    ("abo", "aboveleft"), ("bel", "belowright"), ("to", "topleft"), ("bo", "botright"),
    ("lefta", "leftabove"), ("rightb", "rightbelow"), ("san", "sandbox"), ("leg", "legacy"),
)  # fmt: skip
_EMACS = frozenset({"emacs", "emacs-nox", "emacs-gtk", "emacs-lucid", "xemacs", "remacs"})
_EMACS_EVAL = frozenset({"--eval", "-eval", "--execute", "-execute"})
_EMACSCLIENT = frozenset({"emacsclient"})
_STDIN_FILES = frozenset({"/dev/stdin", "/proc/self/fd/0", "/dev/fd/0"})
_ED = frozenset({"ed", "red"})
_M4 = frozenset({"m4", "gm4"})
_M4_MACROS = (
    ("esyscmd", EmbeddedKind.SHELL),
    ("syscmd", EmbeddedKind.SHELL),
    ("sinclude", EmbeddedKind.READ),
    ("include", EmbeddedKind.READ),
)
_PWSH = frozenset({"pwsh", "powershell", "powershell.exe", "pwsh.exe"})
_PWSH_ENCODED = "-encodedcommand"
_TCL = frozenset({"tclsh", "wish", "expect", "jimsh"})
_TCL_OPTS = frozenset({"-c"})
_JQ = frozenset({"jq", "gojq", "jaq", "yq"})
_JQ_TWO_VALUES = frozenset({"--arg", "--argjson", "--slurpfile", "--rawfile"})
_JQ_ONE_VALUE = frozenset({"--indent", "--tab-width", "-I", "--output-format", "-o", "-p"})
_YQ_SUBCOMMANDS = frozenset({"e", "eval", "ea", "eval-all"})


def _gdb_command(text: str) -> Embedded | None:
    """A gdb command line that runs a shell command (`shell`, `!`, `pipe`) or Python, or names
    a file it writes (`dump ... FILE`, `append ... FILE`, `set logging file FILE`) or reads
    (`restore FILE`, `source FILE`)."""
    cmd = text.strip()
    head, _, rest = cmd.partition(" ")
    if cmd.startswith("!"):
        return Embedded(EmbeddedKind.SHELL, cmd[1:])
    if head == "shell":
        return Embedded(EmbeddedKind.SHELL, rest)
    if head in ("pipe", "|") and "|" in rest:
        return Embedded(EmbeddedKind.SHELL, rest.split("|", 1)[1])
    if head in ("python", "py", "python-interactive", "pi"):
        return Embedded(EmbeddedKind.PYTHON, rest)
    words = rest.split()
    if head in ("dump", "append") and words:
        # `dump [FORMAT] memory|value FILE ...`: the file follows the first `memory`/`value`
        at = next((k for k, w in enumerate(words) if w in ("memory", "value")), -1)
        if 0 <= at < len(words) - 1:
            return Embedded(EmbeddedKind.WRITE, words[at + 1])
    if head in ("restore", "source") and words:
        return Embedded(EmbeddedKind.READ, words[-1] if head == "source" else words[0])
    if head == "set" and words[:2] == ["logging", "file"] and len(words) > 2:
        return Embedded(EmbeddedKind.WRITE, words[2])
    return None


def _lldb_command(text: str) -> Embedded | None:
    """An lldb command line that runs a shell command or Python."""
    words = text.strip().split(None, 2)
    if len(words) >= 3 and words[0] == "platform" and words[1] in ("shell", "sh"):
        return Embedded(EmbeddedKind.SHELL, words[2])
    if words and words[0] == "script":
        return Embedded(EmbeddedKind.PYTHON, text.strip()[len("script") :])
    if text.strip().startswith("!"):
        return Embedded(EmbeddedKind.SHELL, text.strip()[1:])
    return None


def _abbreviates(head: str, short: str, full: str) -> bool:
    """Whether `head` spells the Ex command `full`, which Vim accepts down to `short`."""
    return full.startswith(head) and head.startswith(short)


def _ex_file_kind(head: str) -> EmbeddedKind | None:
    """Whether Ex command `head` (any abbreviation Vim accepts) names a file it reads or
    writes."""
    for short, full, kind in _EX_FILE_COMMANDS:
        if _abbreviates(head, short, full):
            return kind
    return None


def _ex_file(head: str, rest: str) -> Embedded | None:
    """The file an Ex command such as `w! ~/.bashrc`, `w >> log`, `r FILE` or `redir! > FILE`
    names, or None when it names none (`:w` writes the buffer's own file)."""
    kind = _ex_file_kind(head)
    if kind is None:
        return None
    rest = rest.strip().lstrip(">").strip()  # `w >> FILE`, `redir > FILE`, `redir! >> FILE`
    while rest.startswith("++"):  # `w ++enc=utf-8 FILE`
        space = next((i for i, c in enumerate(rest) if c.isspace()), len(rest))
        rest = rest[space:].strip()
    if not rest:
        return None
    if head.startswith("redi") and (rest.upper() == "END" or rest.startswith("@")):
        return None  # `redir END`; `redir @a` collects into a register
    return Embedded(kind, rest)


def _vim_string(expr: str) -> str | None:
    """The value of a Vim expression made only of string literals, `$HOME` and
    `expand("~")`, joined with `.`/`..` (or, as `:execute` takes several, with a space), or
    None when it holds anything else (a variable, another function call)."""
    out: list[str] = []
    i = 0
    n = len(expr)
    want_value = True
    while i < n:
        c = expr[i]
        if c in " \t":
            i += 1
            if not want_value and i < n and expr[i] not in " \t.":
                out.append(" ")  # the next argument of `:execute`
                want_value = True
            continue
        if not want_value:
            if c != ".":
                return None
            i += 2 if expr.startswith("..", i) else 1
            want_value = True
            continue
        if c == "'":
            j = i + 1
            while j < n and (expr[j] != "'" or expr.startswith("''", j)):
                if expr.startswith("''", j):
                    out.append("'")
                    j += 2
                    continue
                out.append(expr[j])
                j += 1
            i = j + 1
        elif c == '"':
            j = i + 1
            while j < n and expr[j] != '"':
                if expr[j] == "\\" and j + 1 < n:
                    nxt = expr[j + 1]
                    close = expr.find(">", j + 2, j + 12) if nxt == "<" else -1
                    if close > 0 and expr[j + 2 : close] in _VIM_KEYS:
                        out.append(_VIM_KEYS[expr[j + 2 : close]])
                        j = close + 1
                        continue
                    width = {"x": 2, "X": 2, "u": 4, "U": 8}.get(nxt, 0)
                    digits = _HEX_DIGITS if width else "01234567"
                    if width or nxt in digits:  # `\x72`, `\u0072`, `\162`: a character code
                        k = j + (2 if width else 1)
                        while k < n and k < j + 2 + (width or 2) and expr[k] in digits:
                            k += 1
                        code = expr[j + (2 if width else 1) : k]
                        out.append(
                            chr(min(int(code, 16 if width else 8), 0x10FFFF)) if code else nxt
                        )
                        j = max(k, j + 2)
                        continue
                    out.append({"n": "\n", "r": "\r", "t": "\t", "e": "\x1b"}.get(nxt, nxt))
                    j += 2
                    continue
                out.append(expr[j])
                j += 1
            i = j + 1
        else:
            home = next((h for h in _VIM_HOME if expr.startswith(h, i)), None)
            if home is None:
                return None
            out.append("~")
            i += len(home)
        want_value = False
    return None if want_value and out else "".join(out)


def _vim_keys(keys: str, depth: int) -> list[Embedded]:
    """The Ex commands typed by `:normal` keystrokes: a `:` up to a carriage return (keys
    without one leave the command unfinished, and Vim drops it)."""
    out: list[Embedded] = []
    lines = keys.replace("\n", "\r").split("\r")
    for line in lines[:-1][:_VIM_MAX_COMMANDS]:
        colon = line.find(":")
        if colon >= 0:
            out.extend(_vim_command(line[colon + 1 :], depth))
    return out


def _vim_command(text: str, depth: int = 0) -> list[Embedded]:
    """What an Ex command line runs or touches: a shell command (`:!cmd`, `:r !cmd`, `:w
    !cmd`), Python or Lua code, or a file it reads or writes (`:r FILE`, `:w! FILE`,
    `:sav FILE`, `:redir > FILE`, ...). Commands joined with `|` are each looked at; a shell
    command, code, `:normal` or `:execute` takes the rest of the line, as in Vim. An
    `:execute` of literal strings runs what they spell, and `:normal` keys that type a `:`
    command and a carriage return run that command."""
    out: list[Embedded] = []
    rest_of_line = text
    for _ in range(_VIM_MAX_COMMANDS):
        cmd = rest_of_line.lstrip().lstrip(":").lstrip()  # a trailing CR may end `:normal` keys
        cmd = cmd.lstrip(_EX_RANGE).lstrip()  # `%w FILE`, `1,5w >> FILE`
        if not cmd:
            break
        if cmd.startswith("!"):
            out.append(Embedded(EmbeddedKind.SHELL, cmd[1:]))
            break
        end = 0
        while end < len(cmd) and cmd[end].isalpha():
            end += 1
        head = cmd[:end]
        rest = cmd[end:]
        rest = rest[1:] if rest.startswith("!") else rest  # `w! FILE`, `e! FILE`
        if head in ("r", "read", "w", "write") and rest.strip().startswith("!"):
            out.append(Embedded(EmbeddedKind.SHELL, rest.strip()[1:]))
            break
        if head in ("py", "py3", "python", "python3", "pyx", "pythonx"):
            out.append(Embedded(EmbeddedKind.PYTHON, rest.strip()))
            break
        if head == "lua":
            out.append(Embedded(EmbeddedKind.LUA, rest.strip()))
            break
        if head in ("g", "global", "v", "vglobal") and rest[:1] and not rest[0].isalnum():
            # `:g/PATTERN/CMD` runs CMD on every matching line: look at CMD
            delim = rest[0]
            at = 1
            while at < len(rest) and rest[at] != delim:
                at += 2 if rest[at] == "\\" else 1
            rest_of_line = rest[at + 1 :]
            continue
        if head in ("norm", "normal", "exe", "execute"):
            if depth < _VIM_MAX_NESTING:
                if head.startswith("n"):
                    out.extend(_vim_keys(rest, depth + 1))
                else:
                    built = _vim_string(rest.strip())
                    if built is not None:
                        out.extend(_vim_command(built, depth + 1))
            break
        if any(_abbreviates(head, short, full) for short, full in _EX_MODIFIERS):
            rest_of_line = rest  # the command the modifier applies to
            continue
        here, bar, rest_of_line = rest.partition("|")
        found = _ex_file(head, here)
        if found is not None:
            out.append(found)
        if not bar:
            break
    return out


def _ed_script(text: str) -> list[Embedded]:
    """What an `ed` script does: its commands are Ex-like (`r FILE`, `w FILE`, `e FILE`,
    `!cmd`, `w !cmd`); the text an `a`, `i` or `c` command adds, up to a line `.`, is not a
    command."""
    out: list[Embedded] = []
    adding = False
    for line in text.split("\n")[: _VIM_MAX_COMMANDS * 16]:
        if adding:
            adding = line != "."
            continue
        if line.lstrip(_EX_RANGE) in ("a", "i", "c"):
            adding = True
            continue
        out.extend(_vim_command(line))
    return out


def _m4_argument(text: str, start: int) -> str:
    """The first argument of an m4 macro call whose `(` is at `start - 1`: up to the `,` or
    `)` that closes it, with one level of m4 quotes (`` `...' ``) removed."""
    depth = quotes = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == "`":
            quotes += 1
        elif c == "'" and quotes:
            quotes -= 1
        elif not quotes and c == "(":
            depth += 1
        elif not quotes and c in "),":
            if depth == 0:
                break
            if c == ")":
                depth -= 1
        i += 1
    arg = text[start:i].strip()
    if arg.startswith("`") and arg.endswith("'"):
        arg = arg[1:-1]
    return arg


def _m4_script(text: str) -> list[Embedded]:
    """The commands m4 runs (`syscmd(...)`, `esyscmd(...)`) and the files it includes."""
    out: list[Embedded] = []
    for macro, kind in _M4_MACROS:
        at = text.find(macro + "(")
        while at >= 0 and len(out) < _VIM_MAX_COMMANDS:
            start = at + len(macro) + 1
            before = text[at - 1] if at else " "
            if not (before.isalnum() or before == "_"):  # `syscmd(` inside `esyscmd(`
                out.append(Embedded(kind, _m4_argument(text, start)))
            at = text.find(macro + "(", start)
    return out


def _pwsh_decoded(value: str) -> str | None:
    """The text of a PowerShell `-EncodedCommand` value (base64 of UTF-16LE), or None."""
    data = "".join(value.split())
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-16-le")
    except UnicodeDecodeError:
        return None


_FROM_BASE64 = "frombase64string("


def _pwsh_invoked_base64(command: str) -> Embedded | None:
    """`iex ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String("...")))`: the
    decoded text of the first base64 literal of a command that also invokes an expression."""
    lowered = command.lower()
    at = lowered.find(_FROM_BASE64)
    if at < 0 or not ("iex" in lowered or "invoke-expression" in lowered):
        return None
    start = at + len(_FROM_BASE64)
    while start < len(command) and command[start] in " \t'\"":
        start += 1
    end = start
    while end < len(command) and (command[end].isalnum() or command[end] in "+/="):
        end += 1
    data = command[start:end]
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    wide = "unicode" in lowered[:at]
    try:
        text = raw.decode("utf-16-le" if wide else "utf-8")
    except UnicodeDecodeError:
        return None
    return Embedded(EmbeddedKind.SHELL, text, decoded=True)


def _is_pwsh_encoded(option: str) -> bool:
    """PowerShell takes any prefix of `-EncodedCommand` (`-e`, `-enc`, ...) and `-ec`."""
    lowered = option.lower().lstrip("-")
    return lowered == "ec" or (
        bool(lowered) and ("-" + lowered) == _PWSH_ENCODED[: len(lowered) + 1]
    )


def embedded_in_args(name: str, args: list[str]) -> list[Embedded]:
    """The commands and code program `name` runs from its arguments `args`."""
    database = database_args(name, args)
    if database is not None:
        return database
    out: list[Embedded] = []
    i = 0
    n = len(args)
    while i < n:
        arg = args[i]
        value: str | None = None
        take = i + 1 < n
        if name in _GDB:
            if arg in _GDB_OPTS and take:
                value = args[i + 1]
                i += 1
            else:
                value = next((arg[len(p) :] for p in _GDB_OPTS_EQ if arg.startswith(p)), None)
            found = _gdb_command(value) if value is not None else None
        elif name in _LLDB:
            if arg in _LLDB_OPTS and take:
                value = args[i + 1]
                i += 1
            found = _lldb_command(value) if value is not None else None
        elif name in _VIM:
            found = None
            if arg in _VIM_OPTS and take:
                value = args[i + 1]
                i += 1
            elif arg.startswith("+") and len(arg) > 1 and not arg[1:].isdigit():
                value = arg[1:]  # `+cmd`; `+42` only moves the cursor
            elif arg in _VIM_FILE_OPTS and take:
                found = Embedded(_VIM_FILE_OPTS[arg], args[i + 1])
                i += 1
            if value is not None:
                out.extend(_vim_command(value))
        elif name in _EMACS:
            found = None
            if arg in _EMACS_EVAL and take:
                found = Embedded(EmbeddedKind.ELISP, args[i + 1])
                i += 1
            elif arg.startswith(("--eval=", "--execute=")):
                found = Embedded(EmbeddedKind.ELISP, arg.partition("=")[2])
        elif name in _EMACSCLIENT:
            # `emacsclient -e EXPR...`: with `-e`/`--eval` every argument is an expression that
            # the running Emacs evaluates.
            if any(a in ("-e", "--eval") for a in args):
                out.extend(
                    Embedded(EmbeddedKind.ELISP, a) for a in args if a and not a.startswith("-")
                )
            return out
        elif name in _M4:
            found = None
            if arg in ("-D", "--define") and take:  # a macro's body runs where it is used
                out.extend(_m4_script(args[i + 1]))
                i += 1
            elif arg.startswith(("-D", "--define=")):
                out.extend(_m4_script(arg))
        elif name in _PWSH:
            found = None
            if arg.startswith("-") and _is_pwsh_encoded(arg) and take:
                decoded = _pwsh_decoded(args[i + 1])
                i += 1
                if decoded is not None:
                    found = Embedded(EmbeddedKind.SHELL, decoded, decoded=True)
            elif arg.lower() in ("-c", "-command") and take:
                found = _pwsh_invoked_base64(args[i + 1])
                i += 1
        elif name in _TCL:
            found = None
            if arg in _TCL_OPTS and take:
                out.extend(Embedded(EmbeddedKind.SHELL, c) for c in tcl_commands(args[i + 1]))
                i += 1
        else:
            return out
        if found is not None:
            out.append(found)
        i += 1
    return out


def embedded_in_stdin(name: str, text: str, args: list[str] | None = None) -> list[Embedded]:
    """What program `name` does from a script on its standard input: the commands of a Tcl
    shell (`tclsh`, `wish`, `expect`), an `ed` or m4 script, or a database shell's script
    (`crustcore_nano.shell.dbscripts`); the Lisp Emacs loads from it (`emacs --batch --script
    /dev/stdin <<< '(...)'`)."""
    database = database_script(name, text)
    if database is not None:
        return database
    if name in _EMACS:
        loads = args or []
        if any(a in _STDIN_FILES for a in loads) or any(
            a.partition("=")[2] in _STDIN_FILES for a in loads if a.startswith("--")
        ):
            return [Embedded(EmbeddedKind.ELISP, text)]
        return []
    if name in _ED:
        return _ed_script(text)
    if name in _M4:
        return _m4_script(text)
    if name not in _TCL:
        return []
    return [Embedded(EmbeddedKind.SHELL, c) for c in tcl_commands(text)]


def tcl_commands(script: str) -> list[str]:
    """The shell commands of Tcl `exec ...` / expect `spawn ...` calls in `script`: the words
    after the keyword up to the end of the bracket, statement or line. Tcl braces and quotes
    around words are dropped (`exec cat {a b}` runs `cat` on `a b`, close enough here)."""
    out: list[str] = []
    n = len(script)
    for keyword in ("exec ", "spawn ", 'open "|', "open {|", "open |"):
        at = script.find(keyword)
        while at >= 0 and len(out) < _MAX_TCL_COMMANDS:
            before = script[at - 1] if at > 0 else ""
            start = at + len(keyword)
            if before.isalnum() or before == "_":
                at = script.find(keyword, start)
                continue
            end = start
            while end < n and script[end] not in "]\n;":
                end += 1
            words = script[start:end].strip().strip('"{}').split()
            while words and words[0].startswith("-"):
                words = words[1:]  # `exec -ignorestderr cmd`, `spawn -noecho cmd`
            if words:
                out.append(" ".join(w.strip("{}") for w in words))
            at = script.find(keyword, end)
    return out


def _is_word_env(text: str, at: int, length: int) -> bool:
    before = text[at - 1] if at > 0 else ""
    after = text[at + length] if at + length < len(text) else ""
    glued = bool(before) and (before.isalnum() or before in "_.$\"'")  # `.env`, `$env`
    return not glued and not (after.isalnum() or after == "_")


def jq_reads_environment(name: str, args: list[str]) -> bool:
    """Whether a jq-like filter prints the environment (`env`, `$ENV`, `env.X`): its output
    then carries every secret the agent's environment holds."""
    if name not in _JQ:
        return False
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in _JQ_TWO_VALUES:
            i += 2
            continue
        if arg in _JQ_ONE_VALUE:
            i += 1
            continue
        if arg in ("-f", "--from-file"):
            return False  # the filter is in a file
        if arg.startswith("-") or (name == "yq" and arg in _YQ_SUBCOMMANDS):
            continue
        for word in ("$ENV", "env"):
            at = arg.find(word)
            while at >= 0:
                if word == "$ENV" or _is_word_env(arg, at, len(word)):
                    return True
                at = arg.find(word, at + len(word))
        return False  # only the filter (the first operand) is code; the rest are files
    return False
