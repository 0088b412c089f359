"""What the shells of database programs do from their scripts: SQLite's `sqlite3`, PostgreSQL's
`psql` and MySQL's `mysql`.

Each has commands of its own besides SQL that run a shell command or name a file (`.shell`,
`.output FILE`, `\\!`, `\\copy ... to FILE`, `system`, `tee FILE`), and SQL functions that read or
write a file (`readfile`, `writefile`, `pg_read_file`, `LOAD_FILE`, `INTO OUTFILE`). This module
finds them in the arguments and in a script on standard input; a file the SQL asks a server for
is reported like any other (the caller judges it as if the server ran on this machine). Every
function is linear in its input and takes at most `_MAX_ITEMS` items from a script.
"""

from __future__ import annotations

from crustcore_nano.shell.embedtypes import Embedded, EmbeddedKind

__all__ = ["database_args", "database_script"]

_SQLITE = frozenset({"sqlite3", "sqlite"})


_SQLITE_VALUE_OPTS = frozenset(
    {"cmd", "init", "separator", "newline", "nullvalue", "vfs", "maxsize", "mmap", "heap",
     "escape", "nonce", "lookaside", "pagecache"}
)  # fmt: skip


_MAX_ITEMS = 256
"""At most this many commands and file names are taken from one database script."""


# Dot-commands that name a file, and what they do with it; a name starting with `|` is a
# command whose input or output the file is.
_SQLITE_DOT_FILES = {
    "output": EmbeddedKind.WRITE,
    "once": EmbeddedKind.WRITE,
    "log": EmbeddedKind.WRITE,
    "save": EmbeddedKind.WRITE,
    "backup": EmbeddedKind.WRITE,
    "open": EmbeddedKind.WRITE,
    "read": EmbeddedKind.READ,
    "import": EmbeddedKind.READ,
    "restore": EmbeddedKind.READ,
    "load": EmbeddedKind.READ,
}


# SQL that names a file in a string literal: what it does with it.
_SQL_FILE_CALLS = (
    ("readfile(", EmbeddedKind.READ),
    ("load_extension(", EmbeddedKind.READ),
    ("writefile(", EmbeddedKind.WRITE),
    ("attach ", EmbeddedKind.WRITE),  # `ATTACH [DATABASE] 'FILE' AS x` opens or creates it
    ("vacuum into ", EmbeddedKind.WRITE),
)


_PSQL = frozenset({"psql"})


_MYSQL = frozenset({"mysql", "mariadb"})


# psql's meta-commands that name a file or a `|command`: what they do with the file.
_PSQL_FILE_COMMANDS = {
    "o": EmbeddedKind.WRITE,
    "out": EmbeddedKind.WRITE,
    "w": EmbeddedKind.WRITE,
    "write": EmbeddedKind.WRITE,
    "g": EmbeddedKind.WRITE,
    "gx": EmbeddedKind.WRITE,
    "i": EmbeddedKind.READ,
    "include": EmbeddedKind.READ,
    "ir": EmbeddedKind.READ,
    "include_relative": EmbeddedKind.READ,
    "lo_import": EmbeddedKind.READ,
}


# The mysql client's commands, long and short: what they do with the rest of the line.
_MYSQL_COMMANDS = {
    "system": EmbeddedKind.SHELL,
    "\\!": EmbeddedKind.SHELL,
    "pager": EmbeddedKind.SHELL,
    "\\P": EmbeddedKind.SHELL,
    "source": EmbeddedKind.READ,
    "\\.": EmbeddedKind.READ,
    "tee": EmbeddedKind.WRITE,
    "\\T": EmbeddedKind.WRITE,
}


_SQL_SERVER_FILES = (
    ("pg_read_file(", EmbeddedKind.READ),
    ("pg_read_binary_file(", EmbeddedKind.READ),
    ("lo_import(", EmbeddedKind.READ),
    ("load_file(", EmbeddedKind.READ),
    ("infile ", EmbeddedKind.READ),  # `LOAD DATA [LOCAL] INFILE 'F'`
    ("into outfile ", EmbeddedKind.WRITE),
    ("into dumpfile ", EmbeddedKind.WRITE),
)


_COPY_ENDPOINTS = frozenset({"stdin", "stdout", "pstdin", "pstdout"})


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _sql_literal(text: str, at: int) -> str | None:
    """The SQL string literal starting at or after blanks from `at`, or None: `'...'` or
    `"..."` (MySQL's strings, and SQLite's when no column has the name), the quote doubled
    inside, and MySQL's backslash escapes of a quote or a backslash."""
    n = len(text)
    while at < n and text[at] in " \t\r\n":
        at += 1
    if at >= n or text[at] not in "'\"":
        return None
    quote = text[at]
    out: list[str] = []
    j = at + 1
    while j < n:
        c = text[j]
        if c == "\\" and j + 1 < n and text[j + 1] in "'\"\\":
            out.append(text[j + 1])
            j += 2
            continue
        if c == quote:
            if text.startswith(quote * 2, j):
                out.append(quote)
                j += 2
                continue
            return "".join(out)
        out.append(c)
        j += 1
    return None


def _dot_words(line: str) -> list[str]:
    """A dot-command's words; a word may be quoted with `"` or `'`."""
    words: list[str] = []
    i = 0
    n = len(line)
    while i < n:
        if line[i] in " \t":
            i += 1
            continue
        quote = line[i] if line[i] in "\"'" else ""
        j = i + 1 if quote else i
        while j < n and (line[j] != quote if quote else line[j] not in " \t"):
            j += 1
        words.append(line[i + 1 if quote else i : j])
        i = j + 1 if quote else j
    return words


def _sqlite_script(text: str) -> list[Embedded]:
    """What SQLite's shell does from a script: dot-commands that run a shell command
    (`.shell`, `.system`, `.output |cmd`) or name a file (`.output FILE`, `.read FILE`,
    `.import FILE`, `.open`, `.save`, `.backup`, `.restore`, `.load`, `.log`), and SQL that
    reads or writes one (`readfile('F')`, `writefile('F', ...)`, `ATTACH 'F'`, `VACUUM INTO
    'F'`, `load_extension('F')`)."""
    out: list[Embedded] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped.startswith("."):
            continue
        head, _, rest = stripped[1:].partition(" ")
        if head in ("shell", "system"):
            out.append(Embedded(EmbeddedKind.SHELL, rest.strip()))
        elif head in _SQLITE_DOT_FILES:
            # The file is the first word that is not an option (`.output -x`, `.import --csv`)
            # and, for `.import`, not the table after it; `.backup DB FILE` names it last.
            words: list[str] = []
            skip = False
            for word in _dot_words(rest):
                if skip or word.startswith("-"):
                    skip = not skip and word in ("--skip", "--schema")  # options with a value
                    continue
                words.append(word)
            if head in ("backup", "save", "restore") and len(words) > 1:
                words = words[1:]
            name = words[0] if words else ""
            if name.startswith("|"):
                # The command is the rest of the line after `|`, or the quoted word's text.
                bar = rest.find("|")
                quoted = bar > 0 and rest[bar - 1] in "\"'"
                out.append(Embedded(EmbeddedKind.SHELL, name[1:] if quoted else rest[bar + 1 :]))
            elif name and not (head == "log" and name in ("stdout", "stderr", "off")):
                out.append(Embedded(_SQLITE_DOT_FILES[head], name))
        if len(out) >= _MAX_ITEMS:
            return out
    _sql_calls(text, _SQL_FILE_CALLS, out)
    return out


def _sql_calls(text: str, calls: tuple[tuple[str, EmbeddedKind], ...], out: list[Embedded]) -> None:
    """Each `CALL 'FILE'` of `calls` in SQL `text` (case-insensitive), as what it does."""
    lowered = text.translate(_ASCII_LOWER)  # keeps every offset, unlike `str.lower`
    for call, kind in calls:
        at = lowered.find(call)
        while at >= 0 and len(out) < _MAX_ITEMS:
            after = at + len(call)
            if call == "attach " and lowered.startswith("database", after):
                after += len("database")
            literal = _sql_literal(text, after)
            if literal:
                out.append(Embedded(kind, literal))
            at = lowered.find(call, after)


def _copy_target(words: list[str]) -> Embedded | None:
    """What `COPY`/`\\copy ... FROM|TO TARGET` does with TARGET: a file, or `PROGRAM 'cmd'`."""
    depth = 0
    last = -1
    for k, word in enumerate(words):
        depth += word.count("(") - word.count(")")
        if depth <= 0 and word.lower() in ("to", "from"):
            last = k
    if last < 0 or last + 1 >= len(words):
        return None
    kind = EmbeddedKind.WRITE if words[last].lower() == "to" else EmbeddedKind.READ
    target = words[last + 1]
    if target.lower() == "program" and last + 2 < len(words):
        return Embedded(EmbeddedKind.SHELL, words[last + 2])
    if target.lower() in _COPY_ENDPOINTS:
        return None
    return Embedded(kind, target)


def _psql_script(text: str) -> list[Embedded]:
    """What psql does from a script: `\\!` runs a command; `\\o`, `\\w`, `\\g` write a file
    or feed a `|command`; `\\i`, `\\ir` and `\\lo_import` read; `\\lo_export` writes;
    `\\copy` and SQL `COPY` read or write a file or run `PROGRAM 'cmd'`; `pg_read_file` and
    `lo_import` read a file of the server."""
    out: list[Embedded] = []
    for line in text.split("\n"):
        at = line.find("\\")
        while at >= 0 and len(out) < _MAX_ITEMS:
            end = at + 1
            while end < len(line) and (line[end].isalnum() or line[end] == "_"):
                end += 1
            head = line[at + 1 : end] or line[at + 1 : at + 2]
            rest = line[end if end > at + 1 else at + 2 :]
            stop = rest.find("\\")
            arg = (rest if stop < 0 else rest[:stop]).strip()
            if head == "!":
                out.append(Embedded(EmbeddedKind.SHELL, arg))
                break  # the command takes the rest of the line
            words = _dot_words(arg)
            if head in _PSQL_FILE_COMMANDS and arg:
                if arg.startswith("|"):
                    out.append(Embedded(EmbeddedKind.SHELL, arg[1:].strip()))
                    break
                out.append(Embedded(_PSQL_FILE_COMMANDS[head], words[0]))
            elif head == "lo_export" and len(words) > 1:
                out.append(Embedded(EmbeddedKind.WRITE, words[1]))
            elif head == "copy":
                found = _copy_target(words)
                if found is not None:
                    out.append(found)
            at = line.find("\\", end)
    lowered = text.translate(_ASCII_LOWER)
    at = lowered.find("copy ")
    while at >= 0 and len(out) < _MAX_ITEMS:
        if at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] in "_\\"):
            end = lowered.find(";", at)
            found = _copy_target(_dot_words(text[at + 5 : len(text) if end < 0 else end]))
            if found is not None:
                out.append(found)
        at = lowered.find("copy ", at + 5)
    _sql_calls(text, _SQL_SERVER_FILES, out)
    return out


def _mysql_script(text: str) -> list[Embedded]:
    """What the mysql client does from a script: `system`/`\\!` and `pager`/`\\P` run a
    command, `source`/`\\.` read a file, `tee`/`\\T` write one; in SQL, `LOAD_FILE`,
    `LOAD DATA [LOCAL] INFILE` read and `INTO OUTFILE`/`INTO DUMPFILE` write."""
    out: list[Embedded] = []
    for statement in text.replace(";", "\n").split("\n"):
        stripped = statement.strip()
        head, _, rest = stripped.partition(" ")
        if len(head) > 2 and head[:2] in _MYSQL_COMMANDS and head[0] == "\\":
            head, rest = head[:2], head[2:] + " " + rest  # `\\.file.sql`, `\\!id`
        kind = _MYSQL_COMMANDS.get(head) or _MYSQL_COMMANDS.get(head.lower())
        if kind is not None and rest.strip():
            out.append(Embedded(kind, rest.strip()))
        if len(out) >= _MAX_ITEMS:
            return out
    _sql_calls(text, _SQL_SERVER_FILES, out)
    return out


def _client_args(name: str, args: list[str]) -> list[Embedded]:
    """psql's and mysql's scripts and files given as arguments: `-c`/`-e` SQL, `-f` script
    files (read), `-o`, `-L`, `--tee` output files (written), mysql's `--pager` command."""
    psql = name in _PSQL
    script = _psql_script if psql else _mysql_script
    code = ("-c", "--command") if psql else ("-e", "--execute", "--init-command")
    reads = ("-f", "--file") if psql else ()  # mysql's `-f` is `--force`
    writes = ("-o", "--output", "-L", "--log-file") if psql else ("--tee",)
    out: list[Embedded] = []
    i = 0
    while i < len(args):
        arg = args[i]
        option, eq, value = arg.partition("=")
        if not eq:
            if arg in (*code, *reads, *writes, "--pager") and i + 1 < len(args):
                value = args[i + 1]
                i += 1
            elif len(arg) > 2 and arg[:2] in (*code, *reads, *writes) and arg[1] != "-":
                option, value = arg[:2], arg[2:]  # `-csql`, `-ffile`
            else:
                option = ""
        if option in code:
            out.extend(script(value))
        elif option in reads and value != "-":
            out.append(Embedded(EmbeddedKind.READ, value))
        elif option in writes:
            out.append(Embedded(EmbeddedKind.WRITE, value))
        elif option == "--pager" and name in _MYSQL:
            out.append(Embedded(EmbeddedKind.SHELL, value))
        i += 1
    return out


def _sqlite_args(args: list[str]) -> list[Embedded]:
    """`sqlite3 [OPTIONS] DB [SQL...]`: the SQL and dot-commands given as arguments and with
    `-cmd`, and the `-init` file, which it reads as a script."""
    out: list[Embedded] = []
    i = 0
    n = len(args)
    seen_db = False
    while i < n:
        arg = args[i]
        name = arg.lstrip("-")
        if arg.startswith("-") and not seen_db and name in _SQLITE_VALUE_OPTS:
            if i + 1 < n:
                if name == "cmd":
                    out.extend(_sqlite_script(args[i + 1]))
                elif name == "init":
                    out.append(Embedded(EmbeddedKind.READ, args[i + 1]))
            i += 2 if name not in ("lookaside", "pagecache") else 3
            continue
        if arg.startswith("-") and not seen_db:
            i += 1
            continue
        if seen_db:
            out.extend(_sqlite_script(arg))
        seen_db = True
        i += 1
    return out


def database_args(name: str, args: list[str]) -> list[Embedded] | None:
    """What database program `name` runs or touches from its arguments, or None when `name`
    is not one."""
    if name in _SQLITE:
        return _sqlite_args(args)
    if name in _PSQL or name in _MYSQL:
        return _client_args(name, args)
    return None


def database_script(name: str, text: str) -> list[Embedded] | None:
    """What database program `name` does from a script on its standard input, or None when
    `name` is not one."""
    if name in _SQLITE:
        return _sqlite_script(text)
    if name in _PSQL:
        return _psql_script(text)
    if name in _MYSQL:
        return _mysql_script(text)
    return None
