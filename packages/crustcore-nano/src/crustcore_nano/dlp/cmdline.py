"""Passwords written into command lines: `curl -u user:pass`, `mysql -pPASS`, `sshpass -p PASS`.

An option such as `-p` means a password for one program and a port or a directory flag for the
next (`ssh -p 22`, `docker run -p 8080:80`, `mkdir -p build`), and `mysql -p db` asks for the
password at a prompt while `mysql -pdb` gives it. So an option hit counts only when the program
it belongs to is known and takes a password through that option, in that spelling (attached,
separate word, or `=`). The program is the last known program name written before the option
in the same simple command (back to `;`, `|`, `&&`, `$(`, a backquote or a newline that does
not continue a line) and at most `_MAX_WORDS` words back. That also finds the inner program of
`docker exec db mysql -p...` and `sudo curl -u ...`, and lets a later known program take over
(`sshpass -p PASS ssh -p 22 host`: the second `-p` is ssh's port).

Commands also arrive as JSON: an argv array (`["mysql","-uroot","-pPASS"]`, as Codex and MCP
servers send them) or a command line inside a JSON string, where quotes are escaped
(`"mysql -p\\"PASS\\""`); and in code, as a list or an argument list (`subprocess.run(['mysql',
'-pPASS'])`, `exec.Command("sshpass", "-p", "PASS")`). An option written as an element is found
by its opening quote (`"` or `'`); its program is an earlier element of the same array, or the
string argument right before the array (`spawn('mysql', ['-pPASS'])`), or, for an MCP server
entry, the `command` of the entry whose `args` the array is (written before or after them);
its value runs to the element's closing quote. An MCP entry written in YAML holds its options
as items of an `args:` block list (`  - -pPASS`), read with the sibling `command:`/`cmd:` key
(an option and its value as two separate items are not paired).

Everything here is bounded: the look-back is at most `_REACH` characters and `_MAX_WORDS`
words (or array elements), done with `str.rfind`/`str.rsplit` and anchored regexes, and the
option regexes have bounded repetitions only. These detectors read the command text; a
program name hidden by shell quoting (`c''url`) is seen only if the caller also scans the
words as the shell would pass them.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from crustcore_nano.dlp.checks import judge_password
from crustcore_nano.dlp.model import Check, Detector, Verdict

__all__ = [
    "BASIC_AUTH_TOOLS",
    "PASSWORD_TOOLS",
    "Credential",
    "Form",
    "OptionRule",
    "Tool",
    "ValueKind",
    "anchors_for",
    "credential_at",
    "option_check",
    "option_pattern",
    "program_before",
    "program_in_array",
    "program_of_yaml_args",
]

_REACH = 1024
# How many words back from an option its program may be named (`curl` + a dozen `-H` headers
# fit); bounds the work per option hit whatever the text holds.
_MAX_WORDS = 48
# What ends a simple command. A lone `&` is not here: it is far more often part of a URL's
# query string than a background operator in the commands this reads.
_BREAKS = (";", "|", "&&", "$(", "`")


class Form(enum.Enum):
    """How an option's value is written."""

    ATTACHED = "attached"  # -pS3cret
    SEPARATE = "separate"  # -p S3cret
    EQUALS = "equals"  # --password=S3cret


class ValueKind(enum.Enum):
    """What the option's value holds."""

    PASSWORD = "password"  # noqa: S105 (a label, not a password)
    USER_COLON_PASSWORD = "user:password"  # noqa: S105
    USER_PERCENT_PASSWORD = "user%password"  # noqa: S105


@dataclass(frozen=True, slots=True)
class OptionRule:
    """One option of one program that carries a password."""

    option: str
    forms: frozenset[Form]
    kind: ValueKind = ValueKind.PASSWORD


@dataclass(frozen=True, slots=True)
class Tool:
    """Programs sharing one option table; `subcommand`, when set, must be written between the
    program and the option (`docker login -p`, never `docker run -p`)."""

    names: tuple[str, ...]
    rules: tuple[OptionRule, ...]
    subcommand: str = ""


_ATT = frozenset({Form.ATTACHED})
_SEP = frozenset({Form.SEPARATE})
_EQ = frozenset({Form.EQUALS})
_ATT_SEP = frozenset({Form.ATTACHED, Form.SEPARATE})
_SEP_EQ = frozenset({Form.SEPARATE, Form.EQUALS})
_COLON = ValueKind.USER_COLON_PASSWORD
_PERCENT = ValueKind.USER_PERCENT_PASSWORD

# HTTP clients that take basic-auth credentials on their command line.
BASIC_AUTH_TOOLS: tuple[Tool, ...] = (
    Tool(
        ("curl",),
        (
            OptionRule("-u", _ATT_SEP, _COLON),
            OptionRule("--user", _SEP_EQ, _COLON),
            OptionRule("-U", _ATT_SEP, _COLON),
            OptionRule("--proxy-user", _SEP_EQ, _COLON),
            OptionRule("--oauth2-bearer", _SEP_EQ),
        ),
    ),
    Tool(
        ("wget",),
        tuple(
            OptionRule(option, _SEP_EQ)
            for option in (
                "--password",
                "--http-password",
                "--http-passwd",
                "--ftp-password",
                "--ftp-passwd",
                "--proxy-password",
                "--proxy-passwd",
            )
        ),
    ),
    Tool(
        ("http", "https", "xh", "xhs"),
        (OptionRule("-a", _ATT_SEP, _COLON), OptionRule("--auth", _SEP_EQ, _COLON)),
    ),
    Tool(("ab",), (OptionRule("-A", _ATT_SEP, _COLON), OptionRule("-P", _ATT_SEP, _COLON))),
)

# Database, directory and remote-login clients that take a password as an option value.
_MYSQL = (
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlcheck",
    "mysqlpump",
    "mysqlshow",
    "mysqlslap",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
    "mariadb-import",
    "mariadb-check",
)
_MONGO = ("mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport")
_LDAP = (
    "ldapsearch",
    "ldapadd",
    "ldapmodify",
    "ldapdelete",
    "ldapwhoami",
    "ldappasswd",
    "ldapcompare",
    "ldapmodrdn",
    "ldapexop",
)
PASSWORD_TOOLS: tuple[Tool, ...] = (
    Tool(_MYSQL, (OptionRule("-p", _ATT), OptionRule("--password", _EQ))),
    Tool(("sshpass",), (OptionRule("-p", _ATT_SEP),)),
    Tool(
        ("redis-cli", "valkey-cli", "keydb-cli"),
        (OptionRule("-a", _SEP), OptionRule("--pass", _SEP)),
    ),
    Tool(_MONGO, (OptionRule("-p", _SEP), OptionRule("--password", _SEP_EQ))),
    Tool(("sqlcmd", "bcp", "osql"), (OptionRule("-P", _ATT_SEP),)),
    Tool(_LDAP, (OptionRule("-w", _ATT_SEP),)),
    Tool(
        ("smbclient", "rpcclient", "smbcacls", "smbget"),
        (OptionRule("-U", _ATT_SEP, _PERCENT), OptionRule("--user", _SEP_EQ, _PERCENT)),
    ),
    Tool(
        ("docker", "podman", "nerdctl", "buildah", "skopeo", "helm", "oras", "crane"),
        (OptionRule("-p", _SEP), OptionRule("--password", _SEP_EQ)),
        subcommand="login",
    ),
)

# Programs whose options must not be read as another program's: after `ssh` on a line, `-p`
# is ssh's port even if `sshpass` came first.
_OTHER_PROGRAMS = frozenset(
    {
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "psql",
        "pg_dump",
        "pg_restore",
        "pg_isready",
        "kubectl",
        "mkdir",
        "cp",
        "nc",
        "ncat",
        "socat",
        "git",
        "npm",
        "pip",
        "python",
        "python3",
        "node",
        "sudo",
        "su",
        "ps",
        "top",
        "sort",
        "uniq",
        "tar",
        "grep",
        "sed",
        "awk",
        "openssl",
        "gpg",
    }
)
_TOOLS = BASIC_AUTH_TOOLS + PASSWORD_TOOLS
_KNOWN = frozenset(name for tool in _TOOLS for name in tool.names) | _OTHER_PROGRAMS


# What may come right before an option: a space or a tab in a command line, or the opening
# quote of a quoted word or of an array element (JSON arrays use `"`, Python lists often `'`).
_LEADS = (" ", "\t", '"', "'")
# The longest option value read. Access tokens handed to `docker login -p` run to a few KiB (a
# Google access token is often past 256 characters); a value cut short would be only partly
# redacted, so the bound is well above any real credential.
_VALUE_MAX = 8192


def anchors_for(tools: Iterable[Tool]) -> tuple[str, ...]:
    """The prefilter anchors of a tool table: each option with each character that may precede
    it (all share the option's pivot, so the extra leads cost one look-behind per pivot)."""
    return tuple(
        sorted({lead + rule.option for tool in tools for rule in tool.rules for lead in _LEADS})
    )


def _quoted_run(group: str) -> str:
    """A string body up to (not including) the quote held by `group`: any character but that
    quote, a backslash or a newline, or a backslash escape. The two branches start with
    different characters, so a run never backtracks into itself."""
    return rf"(?:(?!(?P={group}))[^\\\n]|\\[^\n]){{1,{_VALUE_MAX}}}(?=(?P={group}))"


def option_pattern(tools: Iterable[Tool]) -> str:
    """A regex for `<lead><option><separator><value>` over every option of `tools`.

    After a space or a tab (a command line) the value is one shell word: a single- or
    double-quoted string on one line, a double-quoted string whose quotes are JSON-escaped (a
    command line inside a JSON string), or a bare run up to whitespace or a shell
    metacharacter. After a quote (a quoted word, or an element of a JSON array or a Python
    list) the value runs to the closing quote of its element, escapes included, and the
    separate form is `","` / `', '` (the next element, in either quote) or `" "`.
    Longer options are tried first, so `--password` never stops at `--pass`.
    """
    options = sorted({rule.option for tool in tools for rule in tool.rules}, key=lambda o: -len(o))
    alternation = "|".join(re.escape(o) for o in options)
    n = _VALUE_MAX
    # Each `(?(jq)A|B)` picks the element form (A) or the command-line form (B) by the lead;
    # every branch is a bounded run over classes that do not overlap inside it.
    word = (
        rf"(?:\\\"[^\"\\\n]{{0,{n}}}\\\"|\"[^\"\n]{{0,{n}}}\"|'[^'\n]{{0,{n}}}'"
        rf"|[^\s\"'`;|&<>()]{{1,{n}}})"
    )
    element_gap = r"(?P=jq)(?:[ \t\r\n]{0,64},[ \t\r\n]{0,64}|[ \t]{1,16})(?P<vq>[\"'])"
    return (
        rf"(?:(?P<jq>[\"'])|[ \t])(?P<opt>{alternation})"
        rf"(?:(?P<eq>=)|(?P<gap>(?(jq){element_gap}|[ \t]{{1,32}})))?"
        rf"(?P<val>(?(jq)(?(vq){_quoted_run('vq')}|{_quoted_run('jq')})|{word}))"
    )


def _segment_start(text: str, at: int) -> int:
    """Where the simple command holding position `at` starts (bounded look-back)."""
    lo = max(0, at - _REACH)
    start = lo
    for ch in _BREAKS:
        i = text.rfind(ch, lo, at)
        if i != -1 and i + len(ch) > start:
            start = i + len(ch)
    end = at
    while True:
        i = text.rfind("\n", lo, end)
        if i < start:
            break
        before = text[max(lo, i - 2) : i]
        if before.endswith("\\") or before.endswith("\\\r"):
            end = i  # a continued line: the command goes on above
            continue
        start = i + 1
        break
    return start


def _segment_end(text: str, at: int) -> int:
    """Where the simple command holding position `at` ends (bounded look-ahead)."""
    hi = min(len(text), at + _REACH)
    end = hi
    for ch in _BREAKS:
        i = text.find(ch, at, hi)
        if i != -1 and i < end:
            end = i
    i = text.find("\n", at, end)
    while i != -1:
        if not (text.endswith("\\", at, i) or text.endswith("\\\r", at, i)):
            return i
        i = text.find("\n", i + 1, end)  # a continued line: the command goes on below
    return end


def _decorated(segment: str) -> bool:
    """True when a word of `segment` may name a program only once normalised (a path, quotes,
    capitals, `.exe`); plain `str` tests, cheaper than a regex over the segment."""
    return (
        "/" in segment
        or "\\" in segment
        or '"' in segment
        or "'" in segment
        or ".exe" in segment
        or not segment.islower()
    )


def _program_name(word: str) -> str:
    """The program a word names (`/usr/bin/curl`, `"C:\\Tools\\curl.exe"` -> `curl`); '' for a
    URL or an assignment, whose last path part (`https://h/http`) names nothing. A word that
    opens a quoted string after other text (`["bash","-lc","mysql`, `{"cmd":"curl`) names
    what follows its last quote; in a command inside a JSON string, a line starts after an
    escaped newline (`cd /srv\\nmysql`)."""
    if word in _KNOWN:
        return word
    if word.startswith("-") or "://" in word or "=" in word:
        return ""
    word = word.strip("\"'")
    cut = max(word.rfind('"'), word.rfind("'"))
    if cut != -1:
        word = word[cut + 1 :]
    name = _basename(word)
    if name not in _KNOWN and "\\n" in word:
        name = _basename(word.rsplit("\\n", 1)[-1])
    return name


def _basename(word: str) -> str:
    name = word.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name[:-4] if name.endswith(".exe") else name


def program_before(text: str, at: int) -> tuple[str, tuple[str, ...]] | None:
    """The last known program named before `at` in its simple command (within `_MAX_WORDS`
    words), and the words written between that program and `at`; None when there is none."""
    segment = text[_segment_start(text, at) : at]
    words = segment.rsplit(None, _MAX_WORDS)
    if len(words) > _MAX_WORDS:
        # The unsplit rest is too far back to be this option's program.
        segment = segment[len(words[0]) :]
        words = words[1:]
    if _KNOWN.isdisjoint(words) and not _decorated(segment):
        return None  # no bare program name, and no word a path, quote or case could hide one in
    for i in range(len(words) - 1, -1, -1):
        name = _program_name(words[i])
        if name in _KNOWN:
            return name, tuple(words[i + 1 :])
    return None


# One element of an argv array: a JSON or Python string (`"…"`, `'…'`, with an optional Python
# prefix such as `f`), or a bare name (`url`, `self.host`, `22`) in a Python or JavaScript list.
# Strings hold no unescaped quote of their own kind, so their boundaries are fixed.
_DQ_BODY = r"(?:[^\"\\\n]|\\[^\n]){0,512}"
_SQ_BODY = r"(?:[^'\\\n]|\\[^\n]){0,512}"
_ITEM = rf"(?:[rRbBuUfF]{{0,2}}(?:\"{_DQ_BODY}\"|'{_SQ_BODY}')|[A-Za-z0-9_.]{{1,128}})"
_WS = r"[ \t\r\n]{0,64}"
# An argv array (or a call's argument list, `exec.Command("mysql", …)`) up to one of its
# elements: `[` or `(`, then complete elements each followed by a comma. Linear: the element
# forms start with different characters or fail within two characters.
_ARRAY_HEAD = re.compile(rf"[\[(]{_WS}(?:{_ITEM}{_WS},{_WS}){{0,{_MAX_WORDS}}}")
_ELEMENT = re.compile(
    rf"[rRbBuUfF]{{0,2}}(?:\"(?P<d>{_DQ_BODY})\"|'(?P<s>{_SQ_BODY})')|(?P<a>[A-Za-z0-9_.]{{1,128}})"
)
# An MCP server entry (JSON, Python, JavaScript, TOML) names its program apart from its
# arguments: `"command": "mysql"` (or `command = 'mysql'`) next to `"args": [...]`.
_KEY_SEP = r"[\"']?[ \t]{0,16}[:=][ \t\r\n]{0,16}"
_KEY_REACH = 64  # `"args": ` with its quotes and blanks fits well within this
_ARGS_KEY = re.compile(rf"(?<![A-Za-z0-9_])[\"']?args{_KEY_SEP}$")
_COMMAND_VALUE = re.compile(
    rf"(?<![A-Za-z0-9_])[\"']?command{_KEY_SEP}"
    rf"(?:\"(?P<d>(?:[^\"\\\n]|\\[^\n]){{1,512}})\"|'(?P<s>(?:[^'\\\n]|\\[^\n]){{1,512}})')"
)
# How many `[`/`(` back from an element to try as the array's opening bracket (one inside an
# earlier element is not one; the bound keeps the work per option hit fixed).
_ARRAY_TRIES = 8


def _json_string(body: str) -> str:
    """The text a JSON string body stands for (the body itself when it is not valid JSON)."""
    if "\\" not in body:
        return body
    try:
        value: object = json.loads(f'"{body}"')
    except ValueError:
        return body
    return value if isinstance(value, str) else body


def _element_text(m: re.Match[str]) -> str:
    """The text an element match stands for: a string unescaped, a bare name as written."""
    double, single = m.group("d"), m.group("s")
    if double is not None:
        return _json_string(double)
    if single is not None:
        return single.replace("\\'", "'")
    return m.group("a") or ""


def _array_open(text: str, at: int) -> int:
    """The `[` or `(` of the argv array whose element opens at `at`, or -1 when `at` is not
    inside one."""
    lo = max(0, at - _REACH)
    end = at
    for _ in range(_ARRAY_TRIES):
        i = max(text.rfind("[", lo, end), text.rfind("(", lo, end))
        if i == -1:
            return -1
        m = _ARRAY_HEAD.match(text, i, at)
        if m is not None and m.end() == at:
            return i
        end = i
    return -1


def _array_close(text: str, at: int) -> int:
    """The position just past the `]`/`)` that closes the array whose element opens at `at`
    (the element and those after it are read with `_ELEMENT`), or -1."""
    hi = min(len(text), at + _REACH)
    pos = at
    for _ in range(_MAX_WORDS * 2):
        m = _ELEMENT.match(text, pos, hi)
        if m is None:
            return -1
        pos = m.end()
        while pos < hi and text[pos] in " \t\r\n":
            pos += 1
        if pos < hi and text[pos] in "])":
            return pos + 1
        if pos >= hi or text[pos] != ",":
            return -1
        pos += 1
        while pos < hi and text[pos] in " \t\r\n":
            pos += 1
        if pos < hi and text[pos] in "])":
            return pos + 1  # a trailing comma
    return -1


def _same_object(text: str, start: int, end: int) -> bool:
    """True when `text[start:end]` stays at one nesting level: every `{`/`[` it opens it closes,
    and it closes nothing opened before it (brackets inside double-quoted strings aside)."""
    depth = 0
    in_string = False
    i = start
    while i < end:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0 and not in_string


_BUILDER_JOINTS = (").args(&", ").args(")


def _argument_before(text: str, open_at: int) -> str:
    """The string argument written right before the array opening at `open_at`
    (`spawn("mysql", [` or Rust's `Command::new("mysql").args([` -> `mysql`); '' when there
    is none. Walks back a bounded distance."""
    lo = max(0, open_at - 64)
    i = open_at
    while i > lo and text[i - 1] in " \t\r\n":
        i -= 1
    joint = next((j for j in _BUILDER_JOINTS if text.endswith(j, lo, i)), "")
    if joint:
        i -= len(joint)
    elif i > lo and text[i - 1] == ",":
        i -= 1
    else:
        return ""
    while i > lo and text[i - 1] in " \t\r\n":
        i -= 1
    if i <= lo or text[i - 1] not in "\"'":
        return ""
    close = i - 1
    opening = text.rfind(text[close], max(0, close - 512), close)
    if opening == -1:
        return ""
    m = _ELEMENT.fullmatch(text, opening, close + 1)
    return _element_text(m) if m is not None else ""


def _command_of_entry(text: str, open_at: int, at: int) -> str:
    """For an array that is the `args` of an MCP-style server entry, the `command` of the same
    entry, written before the `args` or after them; '' when there is none."""
    if _ARGS_KEY.search(text, max(0, open_at - _KEY_REACH), open_at) is None:
        return ""
    lo = max(0, open_at - _REACH)
    before = list(_COMMAND_VALUE.finditer(text, lo, open_at))
    if before and _same_object(text, before[-1].end(), open_at):
        return _element_text(before[-1])
    close = _array_close(text, at)
    if close == -1:
        return ""
    after = _COMMAND_VALUE.search(text, close, min(len(text), close + _REACH))
    if after is not None and _same_object(text, close, after.start()):
        return _element_text(after)
    return ""


def program_in_array(text: str, at: int) -> tuple[str, tuple[str, ...], int] | None:
    """For an option written as an array element whose opening quote is at `at`: the last
    known program among the elements before it, the elements between that program and the
    option, and where the array opens. When no element is a program, the program may be named
    apart: as the argument right before the array (`spawn("mysql", ["-pPASS"])`), or, for an
    MCP server entry (`{"command": "mysql", "args": ["-pPASS"]}`, in either order), by the
    `command` of the entry whose `args` the array is; it then counts as the first element.
    None when `at` is not inside an argv array or no known program is found.
    """
    open_at = _array_open(text, at)
    if open_at == -1:
        return None
    elements = [_element_text(m) for m in _ELEMENT.finditer(text, open_at + 1, at)]
    for i in range(len(elements) - 1, -1, -1):
        name = _program_name(elements[i])
        if name in _KNOWN:
            return name, tuple(elements[i + 1 :]), open_at
    command = _argument_before(text, open_at)
    if _program_name(command) not in _KNOWN:
        command = _command_of_entry(text, open_at, at)
    name = _program_name(command)
    if name not in _KNOWN:
        return None
    return name, tuple(elements), open_at


_YAML_ITEM = re.compile(r"[ \t]{0,64}- ")
_YAML_ITEMS = re.compile(r"(?:[ \t]{0,64}(?:(?:- |#)[^\n]{0,1024})?\r?\n){0,24}")
_YAML_ITEM_LINE = re.compile(r"(?m)^(?P<indent>[ \t]{0,64})- (?P<item>[^\n]{0,1024})$")
_YAML_COMMAND = re.compile(
    r"[ \t]{0,64}(?:command|cmd):[ \t]{1,16}[\"']?(?P<name>[^\s\"'#]{1,256})"
)
# Lines read up and down from an item for its `args:` and `command:` (an MCP entry is a few
# keys, an `args:` list a few items); with the window below, this bounds the work per hit.
_YAML_LINES = 24
_YAML_WINDOW = 2048


def _lines_up(text: str, end: int) -> Iterable[tuple[int, str]]:
    """(start, line) for the lines above the one ending at `end`, nearest first (bounded)."""
    lo = max(0, end - _YAML_WINDOW)
    for _ in range(_YAML_LINES):
        if end <= lo:
            return
        start = text.rfind("\n", lo, end - 1) + 1
        yield start, text[start : end - 1].rstrip("\r")
        end = start


def _lines_down(text: str, start: int) -> Iterable[str]:
    """The lines from the one starting at `start` down (bounded)."""
    hi = min(len(text), start + _YAML_WINDOW)
    for _ in range(_YAML_LINES):
        if start >= hi:
            return
        end = text.find("\n", start, hi)
        end = hi if end == -1 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


def program_of_yaml_args(text: str, at: int) -> tuple[str, tuple[str, ...]] | None:
    """For an option written as an item of a YAML `args:` list (`  - -pPASS`, as MCP server
    entries in YAML configs hold them), the program its entry names in a sibling `command:` or
    `cmd:` key, and the items before the option; None otherwise."""
    line_start = text.rfind("\n", max(0, at - 128), at) + 1
    item = _YAML_ITEM.fullmatch(text, line_start, at + 1 if text[at : at + 1] == " " else at)
    if item is None:
        return None
    key_at = text.rfind("args:", max(0, line_start - _YAML_WINDOW), line_start)
    if key_at == -1:
        return None
    parent_start = text.rfind("\n", max(0, key_at - 128), key_at) + 1
    key_line_end = text.find("\n", key_at, line_start)
    if key_line_end == -1 or text[parent_start:key_at].strip(" \t") not in ("", '"'):
        return None
    if text[key_at + 5 : key_line_end].strip(" \t\r"):
        return None  # `args: [...]` on one line is a flow list, read as an array instead
    # Only earlier items of the same list (or blank and comment lines) between the key and the
    # option's line: one bounded regex in C rather than a walk in Python.
    between = _YAML_ITEMS.fullmatch(text, key_line_end + 1, line_start)
    if between is None:
        return None
    indent = len(text[line_start:at]) - len(text[line_start:at].lstrip(" \t"))
    items: list[str] = []
    for m in _YAML_ITEM_LINE.finditer(text, key_line_end + 1, line_start):
        if len(m.group("indent")) != indent:
            return None  # an item of a nested list: not this list's
        items.append(m.group("item").strip().strip("\"'"))
    key_indent = key_at - parent_start - (text[key_at - 1 : key_at] == '"')
    siblings: list[str] = []
    for _, line in _lines_up(text, parent_start):
        own = len(line) - len(line.lstrip(" \t"))
        if line.strip() and own < key_indent:
            break
        siblings.append(line)
    for line in _lines_down(text, parent_start):
        own = len(line) - len(line.lstrip(" \t"))
        if line.strip() and own < key_indent:
            break
        siblings.append(line)
    for line in siblings:
        command = _YAML_COMMAND.match(line)
        if command is not None and len(line) - len(line.lstrip(" \t")) == key_indent:
            name = _program_name(command.group("name"))
            if name in _KNOWN:
                return name, tuple(items)
    return None


def _rule_for(
    tools: tuple[Tool, ...], program: str, between: tuple[str, ...], option: str
) -> OptionRule | None:
    for tool in tools:
        if program not in tool.names:
            continue
        if tool.subcommand and tool.subcommand not in between:
            continue
        for rule in tool.rules:
            if rule.option == option:
                return rule
    return None


def _unquote(value: str, start: int) -> tuple[str, int]:
    if len(value) >= 4 and value.startswith('\\"') and value.endswith('\\"'):
        return value[2:-2], start + 2  # quotes escaped for a JSON string
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[1:-1], start + 1
    return value, start


def _in_array(text: str, quote: int) -> bool:
    """True when the quote at `quote` opens an element of an array or argument list (after
    `[`, `(` or `,`)."""
    i = quote
    lo = max(0, quote - 64)
    while i > lo and text[i - 1] in " \t\r\n":
        i -= 1
    return i > 0 and text[i - 1] in "[(,"


@dataclass(frozen=True, slots=True)
class Credential:
    """A password found in a command line: its span in the text, its user (may be empty), and
    the text of the command around it (for test-host markers)."""

    start: int
    end: int
    user: str
    context: str


def credential_at(tools: tuple[Tool, ...], match: re.Match[str]) -> Credential | None:
    """The password an option match gives, if its program takes one through that option."""
    text = match.string
    option = match.group("opt")
    gap = match.group("gap")
    if match.group("eq") is not None:
        form = Form.EQUALS
    elif gap is not None:
        form = Form.SEPARATE
    else:
        form = Form.ATTACHED
    quoted = match.group("jq") is not None
    array_open = -1
    if quoted and _in_array(text, match.start()):
        in_array = program_in_array(text, match.start())
        if in_array is None:
            return None
        found: tuple[str, tuple[str, ...]] | None = (in_array[0], in_array[1])
        array_open = in_array[2]
    elif quoted and gap is not None and "," in gap:
        return None  # `"-p","x"` outside an array: not an argv
    else:
        found = program_before(text, match.start())
        if found is None:
            found = program_of_yaml_args(text, match.start())
    if found is None:
        return None
    rule = _rule_for(tools, found[0], found[1], option)
    if rule is None or form not in rule.forms:
        return None
    if quoted:
        value, start = match.group("val"), match.start("val")  # one whole word: no shell quotes
    else:
        value, start = _unquote(match.group("val"), match.start("val"))
    user = ""
    if rule.kind is not ValueKind.PASSWORD:
        sep = ":" if rule.kind is ValueKind.USER_COLON_PASSWORD else "%"
        cut = value.find(sep)
        if cut == -1:
            return None  # a user name alone: the program will ask for the password
        user, value, start = value[:cut], value[cut + 1 :], start + cut + 1
    if not value:
        return None
    if array_open != -1:
        close = text.find("]", match.end(), match.end() + _REACH)
        context = text[array_open : close if close != -1 else match.end() + _REACH]
    else:
        context = text[_segment_start(text, match.start()) : _segment_end(text, match.end())]
    return Credential(start, start + len(value), user, context)


def option_check(tools: tuple[Tool, ...]) -> Check:
    """A detector check for an option table: find the password, then judge it as a password."""

    def check(detector: Detector, match: re.Match[str]) -> Verdict | None:
        cred = credential_at(tools, match)
        if cred is None:
            return None
        password = match.string[cred.start : cred.end]
        verdict = judge_password(password, cred.user, cred.context, detector.confidence)
        if verdict is None:
            return None
        return Verdict(
            verdict.confidence, test_key=verdict.test_key, start=cred.start, end=cred.end
        )

    return check
