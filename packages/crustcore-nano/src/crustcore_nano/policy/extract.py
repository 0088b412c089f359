"""Extraction: one tool call in, the operations it would perform out (pipeline step 3).

Two layers run on every call and their results are merged:

1. **By tool name**: the tools of the common coding agents (Claude Code, Codex, Cursor, Cline,
   OpenHands, the MCP filesystem server, generic shell and fetch tools) have known argument
   shapes, so their effect is read exactly (an `Edit` writes `file_path`, a Codex patch envelope
   names each file it adds, updates, moves or deletes).
2. **By argument shape**: every argument the name layer did not consume is walked (nested dicts
   and lists included, bounded) and any key that looks like a path, URL, host or command counts.
   Keys are compared case- and separator-insensitively, so `file_path`, `filePath` and
   `FILE-PATH` are one key; when two keys of one object fold to the same name every value is
   kept (never last-wins) and `colliding-keys` is signalled. This layer is what stops an
   unknown tool - or an extra argument on a known one - from smuggling a path past the rules.

Extraction never raises on the call's content. Anything suspicious or out of bounds becomes a
*signal* in `Extraction.signals`; the rule engine denies on the signals it considers fatal
(`args-too-large`, `too-deep`, `too-many-nodes`, ...). Values are returned as written: resolving
paths, normalizing hosts and parsing shell commands are later pipeline steps.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import shlex
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from crustcore_nano.normalize import normalize_text
from crustcore_nano.policy.hosts import metadata_endpoint
from crustcore_nano.policy.patch_envelope import (
    PatchAction,
    looks_like_envelope,
    parse_envelope,
    unified_diff_targets,
)
from crustcore_nano.policy.types import Operation, OpKind, Origin, ToolCall

__all__ = [
    "ExtractLimits",
    "Extraction",
    "Signal",
    "SplitUrl",
    "changes_files",
    "clean_tool_name",
    "extract",
    "fold_key",
    "known_tool_names",
    "split_url",
]


class Signal(enum.StrEnum):
    """Why a call looks wrong or could not be fully understood (values are stable strings)."""

    ARGS_TOO_LARGE = "args-too-large"
    TOO_DEEP = "too-deep"
    TOO_MANY_NODES = "too-many-nodes"
    NON_JSON_VALUE = "non-json-value"  # an argument that is not str/int/float/bool/None/list/dict
    NON_STRING_KEY = "non-string-key"
    COLLIDING_KEYS = "colliding-keys"
    NON_STRING_PATH = "non-string-path"
    UNKNOWN_TOOL = "unknown-tool"  # the name is not one extraction knows
    UNKNOWN_TOOL_SHAPE = (
        "unknown-tool-shape"  # nothing recognizable, or a known tool's args are off
    )
    EMPTY_TOOL_NAME = "empty-tool-name"
    TOOL_NAME_TOO_LONG = "tool-name-too-long"
    TOOL_NAME_HIDDEN_CHARS = "tool-name-hidden-chars"  # invisible/control characters were removed
    MALFORMED_PATCH = "malformed-patch"
    ARGS_NOT_OBJECT = "args-not-object"  # the arguments are a list, a scalar or non-JSON text


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    """Bounds checked before any extraction work. `max_chars` counts the serialized size in
    characters (string lengths plus a fixed cost per key, number and bracket), cheaply."""

    max_chars: int = 4 * 1024 * 1024
    max_depth: int = 32
    max_nodes: int = 20_000
    max_tool_name: int = 256
    max_nested_calls: int = 2  # Cline `use_mcp_tool` wrapping another call, at most this deep


_DEFAULT_LIMITS = ExtractLimits()


@dataclass(frozen=True, slots=True)
class Extraction:
    """What a tool call would do.

    `tool` is the cleaned full name (`mcp__github__create_issue`); `base_tool` drops the
    `mcp__<server>__` prefix; `server` is the MCP server (from the prefix or the call).
    `known_tool` says whether the name layer recognized the tool."""

    tool: str
    base_tool: str
    server: str | None
    operations: tuple[Operation, ...]
    signals: frozenset[str]
    known_tool: bool

    @property
    def kinds(self) -> frozenset[OpKind]:
        return frozenset(op.kind for op in self.operations)


# --------------------------------------------------------------------------- names and keys


def _strip_hidden(text: str) -> str:
    """Drop control, format (zero-width, bidi, tag), variation-selector and filler characters
    (used only to tell whether a tool name hid characters; cleaning itself is `normalize_text`)."""
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue
        code = ord(ch)
        if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
            continue
        if code in (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180E, 0x17B4, 0x17B5):
            continue
        out.append(ch)
    return "".join(out)


def _clean_text(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text
    return normalize_text(text)


def clean_tool_name(raw: str) -> tuple[str, bool]:
    """The tool name as rules see it: invisibles and controls removed, whitespace stripped,
    lower-cased. The flag says whether hidden characters had to be removed."""
    if len(raw) <= 128:  # agents use a handful of names; the answer is a pure function of them
        return _clean_tool_name_cached(raw)
    return _clean_tool_name(raw)


@functools.lru_cache(maxsize=1024)
def _clean_tool_name_cached(raw: str) -> tuple[str, bool]:
    return _clean_tool_name(raw)


def _clean_tool_name(raw: str) -> tuple[str, bool]:
    cleaned = _clean_text(raw)
    hidden = not (raw.isascii() and raw.isprintable()) and _strip_hidden(raw) != raw
    return "".join(cleaned.split()).lower(), hidden


_SEPARATORS = str.maketrans("", "", "_-. ")


def _squash(name: str) -> str:
    quick = name.translate(_SEPARATORS)
    if quick.isalnum() or not quick:
        return quick
    return "".join(ch for ch in quick if ch.isalnum())


@functools.lru_cache(maxsize=4096)
def _fold_short(key: str) -> str:
    return _squash(_clean_text(key).lower())


def fold_key(key: str) -> str:
    """An argument key folded for comparison: cleaned, lower-case, letters and digits only
    (`file_path`, `filePath`, `FILE-PATH` and `file path` are all `filepath`)."""
    if len(key) <= 64:  # agents reuse a few short keys; long ones are not worth caching
        return _fold_short(key)
    return _squash(_clean_text(key).lower())


def _split_mcp(name: str, server: str | None) -> tuple[str, str | None]:
    if name.startswith("mcp__"):
        rest = name[5:]
        cut = rest.find("__")
        if cut > 0 and cut + 2 < len(rest):
            return rest[cut + 2 :], rest[:cut]
    return name, server


# Folded key names (see `fold_key`). Sets overlap on purpose only where noted.
_PATH_KEYS = frozenset(
    {
        "path", "paths", "file", "files", "filename", "filenames", "filepath", "filepaths",
        "target", "targets", "targetfile", "targetfiles", "targetpath", "targetdirectory",
        "targetdirectories", "source", "sources", "sourcepath", "sourcefile", "src", "dest",
        "destination", "destinationpath", "destinationfile", "dst", "dir", "dirs", "dirpath",
        "directory", "directories", "directorypath", "folder", "folderpath", "cwd", "workdir",
        "workingdir", "workingdirectory", "notebookpath", "absolutepath", "relativepath",
        "relativeworkspacepath", "projectpath", "searchpath", "searchdirectory", "rootpath",
        "root", "outputpath", "outputfile", "outfile", "inputpath", "inputfile", "oldpath",
        "newpath", "frompath", "topath", "keyfile", "keypath", "configfile", "configpath",
        "logfile", "savepath", "downloadpath", "uploadfile", "imagepath", "filepathname",
        "basedir", "basepath", "outputdir", "outdir", "outputdirectory",
    }
)  # fmt: skip
_SOURCE_KEYS = frozenset({"source", "sourcepath", "sourcefile", "src", "oldpath", "frompath"})
_DEST_KEYS = frozenset(
    {"dest", "destination", "destinationpath", "destinationfile", "dst", "newpath", "topath"}
)
_OUTPUT_KEYS = frozenset(
    {
        "outputpath", "outputfile", "outfile", "savepath", "downloadpath", "outputdir", "outdir",
        "outputdirectory",
    }
)  # fmt: skip
_CWD_KEYS = frozenset({"cwd", "workdir", "workingdir", "workingdirectory"})
# Keys naming a directory that a relative path given beside it may be relative to (a tool with a
# `cwd` or `dir` argument opens `dir/name`, not `name` in the agent's directory).
_DIR_KEYS = _CWD_KEYS | frozenset(
    {
        "dir", "dirpath", "directory", "directorypath", "folder", "folderpath", "root",
        "rootpath", "projectpath", "basedir", "basepath", "targetdirectory", "searchdirectory",
        "outputdir", "outdir", "outputdirectory",
    }
)  # fmt: skip
_MAX_JOINS = 16
# Keys that read as "where the content goes" when a writing mapping has no path key (folded;
# matched exactly, as a prefix or as a suffix). A key such as `template` or `image` beside
# content is more likely read, so it stays a read.
_DEST_WORDS = frozenset({"to", "into", "out", "output", "where", "location", "name", "fname"})
_DEST_PREFIXES = ("save", "write", "output", "dest", "target", "store")
_DEST_SUFFIXES = ("path", "file", "filename", "name", "location", "dest", "destination", "to")


def _names_destination(folded: str) -> bool:
    """Whether a key reads as a destination (an abbreviation such as `p` or `fp` counts)."""
    return (
        len(folded) <= 2
        or folded in _DEST_WORDS
        or folded.startswith(_DEST_PREFIXES)
        or folded.endswith(_DEST_SUFFIXES)
    )


_URL_KEYS = frozenset(
    {
        "url", "urls", "uri", "uris", "link", "links", "href", "endpoint", "endpoints",
        "baseurl", "apiurl", "serverurl", "webhook", "webhookurl", "callbackurl", "redirecturl",
        "redirecturi", "proxy", "proxyurl", "remoteurl", "repourl", "downloadurl", "uploadurl",
        "imageurl", "targeturl", "sourceurl", "feedurl", "website",
    }
)  # fmt: skip
_HOST_KEYS = frozenset(
    {"host", "hostname", "hosts", "hostnames", "ip", "ipaddress", "ipaddr", "remotehost"}
)
_COMMAND_KEYS = frozenset(
    {
        "command", "commands", "cmd", "cmds", "commandline", "cmdline", "script",
        "shellcommand", "shellcmd", "shell", "bash", "sh", "run", "exec", "execute",
        "terminalcommand", "argv",
    }
)  # fmt: skip
# Keys whose values are written content (they also make a sibling path a write target).
_WRITE_CONTENT_KEYS = frozenset(
    {
        "content", "contents", "filetext", "newstring", "newstr", "newtext", "codeedit",
        "newsource", "newcontent", "edits", "patch", "diff", "data", "text", "append",
    }
)  # fmt: skip
# Keys whose values are prose, patterns or content: never sniffed for paths or URLs.
_CONTENT_KEYS = _WRITE_CONTENT_KEYS | frozenset(
    {
        "body", "oldstring", "oldstr", "oldtext", "code", "instructions", "instruction",
        "message", "messages", "prompt", "description", "query", "queries", "searchterm",
        "pattern", "patterns", "regex", "explanation", "reason", "title", "summary", "comment",
        "comments", "note", "notes", "plan", "todos", "result", "question", "thought",
        "excludepatterns", "ignore", "headers", "activeform", "subject", "name",
    }
)  # fmt: skip
# Content keys that hold a short label, not prose: a value that is one anchored path and
# nothing else (`{"name": "~/.ssh/id_rsa"}`) is still taken as a path an unknown tool opens.
_LABEL_KEYS = frozenset({"name"})


# Words that say a tool (or an `op`/`action` value) changes files. Deleting, moving and
# fetching into a file count: each one changes what is on disk at the path it is given.
_CHANGE_VERBS = frozenset(
    {
        "write", "writes", "save", "edit", "edits", "update", "upsert", "create", "modify",
        "overwrite", "insert", "append", "patch", "replace", "touch", "mkdir", "makedirs",
        "rewrite", "store", "apply", "delete", "remove", "rm", "rmdir", "unlink", "erase",
        "trash", "truncate", "move", "rename", "copy", "mv", "cp", "download", "extract",
        "unzip", "untar", "clone", "export", "dump", "chmod", "chown", "symlink", "link", "editor",
    }
)  # fmt: skip
# Folded keys whose value names the action a mapping performs.
_ACTION_KEYS = frozenset({"op", "operation", "action", "mode", "type", "kind", "verb"})
_MAX_VERB_TEXT = 128


def _words(text: str) -> list[str]:
    """Lower-case words of an identifier: split at anything not a letter or digit and where
    a lower-case letter meets an upper-case one (`insertEditIntoFile`, `fs.write_file`)."""
    out: list[str] = []
    current: list[str] = []
    previous = ""
    for ch in text[:_MAX_VERB_TEXT]:
        if not ch.isalnum():
            if current:
                out.append("".join(current).lower())
                current = []
        elif ch.isupper() and previous.islower() and current:
            out.append("".join(current).lower())
            current = [ch]
        else:
            current.append(ch)
        previous = ch
    if current:
        out.append("".join(current).lower())
    return out


def changes_files(name: str) -> bool:
    """Whether a tool name or action word says it changes files (one word of it is a verb
    such as write, save, edit, update, replace, delete, move or download)."""
    return not _CHANGE_VERBS.isdisjoint(_words(name))


# --------------------------------------------------------------------------- URLs and paths

_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_NET_SCHEMES = frozenset(
    {
        "http", "https", "ws", "wss", "ftp", "ftps", "sftp", "scp", "ssh", "gopher", "dict",
        "ldap", "ldaps", "tftp", "telnet", "smb", "git", "rsync", "redis", "mongodb", "mysql",
        "postgres", "postgresql", "amqp", "mqtt", "irc", "sip", "rtsp",
    }
)  # fmt: skip


# Browser pseudo-schemes that wrap another URL and open it (`view-source:`, Firefox `jar:`).
_WRAPPER_SCHEMES = frozenset({"view-source", "jar"})
_MAX_WRAPPERS = 4


@dataclass(frozen=True, slots=True)
class SplitUrl:
    scheme: str
    host: str  # lower-cased, brackets and port removed, otherwise as written
    path: str  # for file URLs: the filesystem path


def _scheme_of(text: str) -> str | None:
    colon = text.find(":", 0, 33)
    if colon < 2:  # one letter before ':' is a Windows drive, not a scheme
        return None
    scheme = text[:colon].lower()
    if not scheme[0].isalpha() or not all(c.isalnum() or c in "+.-" for c in scheme):
        return None
    return scheme


def split_url(text: str) -> SplitUrl | None:
    """Split `scheme://[user@]host[:port]/path` the lenient way browsers do for special
    schemes (`https:evil.com`, `https:\\\\evil.com` and `https:///evil.com` all reach
    evil.com). Returns None for text without a known scheme. Linear, never raises."""
    stripped = text.strip()
    scheme = _scheme_of(stripped)
    for _ in range(_MAX_WRAPPERS):
        if scheme not in _WRAPPER_SCHEMES:
            break
        # `view-source:file:///x` shows the file, `jar:file:///x.jar!/e` reads it: the URL
        # inside the wrapper is what is opened.
        stripped = stripped[len(scheme) + 1 :].strip()
        if scheme == "jar":
            stripped = stripped.split("!", 1)[0]
        scheme = _scheme_of(stripped)
    if scheme is None or (scheme not in _NET_SCHEMES and scheme != "file"):
        return None
    rest = stripped[len(scheme) + 1 :]
    slashes = len(rest) - len(rest.lstrip("/\\"))
    if scheme == "file":
        return _split_file_url(rest, slashes)
    if scheme not in _SPECIAL_SCHEMES and slashes < 2:
        return None
    rest = rest[slashes:]
    end = len(rest)
    for delim in "/\\?#":
        pos = rest.find(delim)
        if 0 <= pos < end:
            end = pos
    return SplitUrl(scheme, _host_of_authority(rest[:end]), rest[end:])


def _split_file_url(rest: str, slashes: int) -> SplitUrl:
    """`file:/p`, `file:///p` and `file://localhost/p` are the local path `/p`; a named host
    (`file://server/share`) is kept as a UNC-style `//server/share` path."""
    if slashes < 2:  # file:/etc/passwd or file:relative - no authority at all
        return SplitUrl("file", "", _cut_query(rest))
    after = rest[2:].replace("\\", "/")
    cut = after.find("/")
    authority, tail = (after, "") if cut < 0 else (after[:cut], after[cut:])
    path = _cut_query(tail) or "/"
    host = authority.lower()
    if host in ("", "localhost"):
        return SplitUrl("file", "", path)
    return SplitUrl("file", host, "//" + authority + path)


def _cut_query(text: str) -> str:
    for delim in "?#":
        pos = text.find(delim)
        if pos >= 0:
            text = text[:pos]
    return text


def _host_of_authority(authority: str) -> str:
    at = authority.rfind("@")
    if at >= 0:
        authority = authority[at + 1 :]
    if authority.startswith("["):
        close = authority.find("]")
        return (authority[1:close] if close > 0 else authority[1:]).lower()
    colon = authority.find(":")
    return (authority[:colon] if colon >= 0 else authority).lower()


def _as_path(text: str) -> str:
    """A `file:` URL given where a path is expected becomes its path; anything else is kept."""
    if text[:5].lower() == "file:":
        parsed = split_url(text)
        if parsed is not None:
            return parsed.path
    return text


def _is_file_url(value: object) -> bool:
    return isinstance(value, str) and value.strip()[:5].lower() == "file:"


def _is_relative(path: str) -> bool:
    """Whether a path is relative to some directory (no root, home, variable, drive or URL)."""
    text = path.strip()
    if not text or text.startswith(("/", "\\", "~", "$", "%")):
        return False
    if len(text) >= 2 and text[1] == ":" and text[0].isalpha():
        return False
    return _scheme_of(text) is None


def _in_dirs(paths: Sequence[str], dirs: Sequence[str]) -> list[str]:
    """Each relative path joined to each directory given beside it (bounded): what a tool that
    takes a `cwd`/`dir` argument would open. The paths as written are checked as well."""
    out: list[str] = []
    for path in paths:
        if not _is_relative(path):
            continue
        for directory in dirs:
            base = _as_path(directory.strip())
            if not base:
                continue
            joined = base.rstrip("/\\") + "/" + path.strip()
            if joined not in out and joined not in paths:
                out.append(joined)
                if len(out) >= _MAX_JOINS:
                    return out
    return out


def _dir_values(index: Mapping[str, list[tuple[str, object]]]) -> list[str]:
    """The string values under directory keys of one mapping (see `_DIR_KEYS`)."""
    out: list[str] = []
    for folded in index.keys() & _DIR_KEYS:
        for _, value in index[folded]:
            if isinstance(value, str) and value.strip():
                out.append(value)
    return out[:_MAX_JOINS]


def _bare_host(text: str) -> str:
    """The host of a scheme-less URL-ish value (`evil.com:8080/x` -> `evil.com`)."""
    stripped = text.strip().lstrip("/\\")
    end = len(stripped)
    for delim in "/\\?#":
        pos = stripped.find(delim)
        if 0 <= pos < end:
            end = pos
    return _host_of_authority(stripped[:end])


_PATH_ANCHORS = ("/", "~", "./", "../", "$HOME", "${HOME}", "%USERPROFILE%", "%APPDATA%", "\\\\")
_SENSITIVE_PARTS = frozenset(
    {
        ".ssh", ".aws", ".gnupg", ".kube", ".docker", ".env", ".netrc", ".git-credentials",
        ".npmrc", ".pypirc", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa", "authorized_keys",
        ".bash_history", ".zsh_history", ".bashrc", ".zshrc", ".profile", ".git",
        ".claude", ".mcp.json", ".vscode", ".cursor", ".codex", ".gemini", ".crustcore",
        "crustcore.toml", ".config",
    }
)  # fmt: skip
_MAX_SNIFF = 4096


def _looks_like_path(value: str) -> bool:
    """Whether a value under an unknown key reads as a filesystem path rather than prose."""
    text = value.strip()
    if not text or len(text) > _MAX_SNIFF or "\n" in text or "\t" in text:
        return False
    anchored = text.startswith(_PATH_ANCHORS) or (
        len(text) >= 3 and text[0].isalpha() and text[1] == ":" and text[2] in "\\/"
    )
    if anchored:
        return text.count(" ") <= 3
    if " " in text:
        return False
    return _has_sensitive_part(text)


def _anchored_path(text: str) -> bool:
    """A value that names a file by an absolute, home or relative-dot path (`/etc/x`,
    `~/x`, `$HOME/x`, `./x`, `C:\\x`): no URL, host or prose starts that way."""
    stripped = text.strip()
    return _looks_like_path(stripped) and (
        stripped.startswith(_PATH_ANCHORS)
        or (len(stripped) >= 3 and stripped[1] == ":" and stripped[2] in "\\/")
    )


def _has_sensitive_part(text: str) -> bool:
    return any(part in _SENSITIVE_PARTS for part in text.replace("\\", "/").split("/"))


_TRIM_CHARS = "\"'`()[]{},;:<>|&"
_MAX_TOKENS = 16


def _sensitive_tokens(value: str) -> list[str]:
    """Path tokens naming well-known secret locations inside a multi-word value (an unknown
    key only: a tool we do not know may act on them). Ordinary prose yields nothing."""
    if len(value) > _MAX_SNIFF:
        return []
    out: list[str] = []
    for raw in value.split():
        token = raw.strip(_TRIM_CHARS)
        if token and _has_sensitive_part(token) and _looks_like_path(token):
            out.append(token)
            if len(out) >= _MAX_TOKENS:
                break
    return out


# --------------------------------------------------------------------------- bounds


def _mapping(value: object) -> Mapping[object, object] | None:
    """Narrow untyped JSON to a mapping (keys are checked where they are used)."""
    if type(value) is dict:  # the usual case, without the ABC instance check
        return cast("Mapping[object, object]", value)
    if isinstance(value, str):
        return None
    if isinstance(value, Mapping):
        return cast("Mapping[object, object]", value)
    return None


def _seq(value: object) -> Sequence[object] | None:
    """Narrow untyped JSON to a list (tuples from the Python API count too)."""
    if isinstance(value, list | tuple):
        return cast("Sequence[object]", value)
    return None


def _measure(value: object, limits: ExtractLimits, signals: set[str]) -> int | None:
    """Walk once (iteratively) and check size, depth and node count. Returns the node count,
    or None when a bound is exceeded (it stops there, so the cost is capped by the limits)."""
    if type(value) is dict and limits.max_depth >= 2:
        # The usual call: one flat mapping of strings. Same sizes as the walk below.
        flat_map = cast("dict[object, object]", value)
        if len(flat_map) < limits.max_nodes:
            flat = 2
            for key, child in flat_map.items():
                if type(key) is not str or type(child) is not str:
                    break
                flat += len(key) + len(child) + 6
            else:
                if flat <= limits.max_chars:
                    return len(flat_map) + 1
    stack: list[tuple[object, int]] = [(value, 1)]
    nodes = 0
    size = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            signals.add(Signal.TOO_MANY_NODES)
            return None
        if depth > limits.max_depth:
            signals.add(Signal.TOO_DEEP)
            return None
        if isinstance(item, str):
            size += len(item) + 2
        elif item is None or isinstance(item, bool):
            size += 5
        elif isinstance(item, int):
            size += item.bit_length() // 3 + 2
        elif isinstance(item, float):
            size += 24
        elif (as_map := _mapping(item)) is not None:
            size += 2
            for key, child in as_map.items():
                if isinstance(key, str):
                    size += len(key) + 4
                else:
                    signals.add(Signal.NON_STRING_KEY)
                    size += 8
                stack.append((child, depth + 1))
                if len(stack) > limits.max_nodes:
                    signals.add(Signal.TOO_MANY_NODES)
                    return None
        elif (as_seq := _seq(item)) is not None:
            size += 2
            for child in as_seq:
                size += 1
                stack.append((child, depth + 1))
                if len(stack) > limits.max_nodes:
                    signals.add(Signal.TOO_MANY_NODES)
                    return None
        else:
            signals.add(Signal.NON_JSON_VALUE)
            size += 8
        if size > limits.max_chars:
            signals.add(Signal.ARGS_TOO_LARGE)
            return None
    return nodes


# --------------------------------------------------------------------------- the walk


class _KeyClass(enum.Enum):
    PATH = "path"
    WRITE_PATH = "write-path"  # a path under a path key of a mapping that writes content
    URL = "url"
    HOST = "host"
    COMMAND = "command"
    CONTENT = "content"
    LABEL = "label"  # a content key holding a short name (see `_LABEL_KEYS`)
    UNKNOWN = "unknown"
    UNKNOWN_WRITE = "unknown-write"  # an unknown key of a mapping that writes content


def _classify(folded: str) -> _KeyClass:
    if folded in _PATH_KEYS:
        return _KeyClass.PATH
    if folded in _URL_KEYS:
        return _KeyClass.URL
    if folded in _HOST_KEYS:
        return _KeyClass.HOST
    if folded in _COMMAND_KEYS:
        return _KeyClass.COMMAND
    if folded in _CONTENT_KEYS:
        return _KeyClass.LABEL if folded in _LABEL_KEYS else _KeyClass.CONTENT
    return _KeyClass.UNKNOWN


class _Ctx:
    """Mutable state of one extraction (ops in order, signals, remaining budgets)."""

    __slots__ = ("limits", "nested", "nodes_left", "ops", "signals", "spawns")

    def __init__(self, limits: ExtractLimits) -> None:
        self.limits = limits
        self.ops: list[Operation] = []
        self.signals: set[str] = set()
        self.nodes_left = limits.max_nodes
        self.nested = 0
        self.spawns = 0  # program + argument-list joins made (see `_spawned_commands`)

    def add(self, op: Operation) -> None:
        self.ops.append(op)

    def url(self, text: str, source: str, *, lenient: bool, content: str | None = None) -> None:
        """Record a URL: a `file:` URL is a read of its path, anything else a network target.
        With `lenient`, a value without a scheme is still taken as a host (URL-named keys)."""
        parsed = split_url(text)
        if parsed is not None:
            if parsed.scheme == "file":
                self.add(Operation(OpKind.READ, paths=(parsed.path,), urls=(text,), source=source))
            else:
                hosts = (parsed.host,) if parsed.host else ()
                self.add(
                    Operation(
                        OpKind.NETWORK, hosts=hosts, urls=(text,), content=content, source=source
                    )
                )
            return
        if lenient and text.strip():
            host = _bare_host(text)
            hosts = (host,) if host else ()
            self.add(
                Operation(OpKind.NETWORK, hosts=hosts, urls=(text,), content=content, source=source)
            )
            if _anchored_path(text):
                # `{"uri": "~/.ssh/id_rsa"}`: a tool that takes a URI or a path opens this file.
                self.add(Operation(OpKind.READ, paths=(text.strip(),), source=f"{source} (path)"))


def _command_text(value: object) -> str | None:
    """A command given as a string, or as an argv list (Codex) joined with shell quoting."""
    if isinstance(value, str):
        return value
    seq = _seq(value)
    if seq:
        words: list[str] = []
        for word in seq:
            if not isinstance(word, str):
                return None
            words.append(word)
        return shlex.join(words)
    return None


class _Args:
    """A mapping's keys folded, with every value of colliding keys kept, and a record of the
    keys the name layer consumed (the shape layer walks the rest)."""

    __slots__ = ("ctx", "index", "nested", "prefix", "used")

    def __init__(self, ctx: _Ctx, mapping: Mapping[object, object], prefix: str) -> None:
        self.ctx = ctx
        self.prefix = prefix
        self.used: set[str] = set()
        # Objects and lists found where the name layer expected a path string: the shape layer
        # walks them (as paths) so a consumed key can never hide one.
        self.nested: list[tuple[str, object]] = []
        self.index: dict[str, list[tuple[str, object]]] = {}
        for key, value in mapping.items():
            if not isinstance(key, str):
                continue
            bucket = self.index.setdefault(fold_key(key), [])
            if bucket:
                ctx.signals.add(Signal.COLLIDING_KEYS)
            bucket.append((key, value))

    def has(self, *keys: str) -> bool:
        return any(k in self.index for k in keys)

    def take(self, *keys: str) -> list[tuple[str, object]]:
        """Every (source, value) under the given folded keys, in argument order; marks them
        used."""
        out: list[tuple[str, object]] = []
        if self.index.keys().isdisjoint(keys):
            return out  # the common case, decided in C
        for folded, bucket in self.index.items():
            if folded in keys:
                self.used.add(folded)
                out.extend((f"{self.prefix}.{orig}", value) for orig, value in bucket)
        return out

    def strings(self, *keys: str, paths: bool = False) -> list[tuple[str, str]]:
        """String values under the keys (lists of strings flattened one level). With `paths`,
        anything else is signalled, and objects and lists are kept for the shape layer."""
        out: list[tuple[str, str]] = []
        for source, value in self.take(*keys):
            seq = _seq(value)
            items: Sequence[object] = seq if seq is not None else (value,)
            for index, item in enumerate(items):
                if isinstance(item, str):
                    out.append((source, item))
                elif item is not None and paths:
                    self.ctx.signals.add(Signal.NON_STRING_PATH)
                    if _mapping(item) is not None or _seq(item) is not None:
                        where = f"{source}[{index}]" if seq is not None else source
                        if (where, item) not in self.nested:
                            self.nested.append((where, item))
        return out

    def dirs(self) -> list[str]:
        """Directories given beside the paths of this mapping (`cwd`, `dir`, ...)."""
        if self.index.keys().isdisjoint(_DIR_KEYS):
            return []
        return _dir_values(self.index)

    def writes(self) -> bool:
        """Whether this mapping carries written content (so a path beside it is written)."""
        return not self.index.keys().isdisjoint(_WRITE_CONTENT_KEYS)

    def acts_to_change(self) -> bool:
        """Whether an action-like key of this mapping names a change (`{"op": "write",
        "path": ...}`, `{"action": "delete", ...}`): its paths are then written."""
        if self.index.keys().isdisjoint(_ACTION_KEYS):
            return False
        for folded in self.index.keys() & _ACTION_KEYS:
            for _, value in self.index[folded]:
                if isinstance(value, str) and changes_files(value):
                    return True
        return False

    def text(self, *keys: str) -> str | None:
        found = [v for _, v in self.strings(*keys)]
        return "\n".join(found) if found else None


def _path_ops(
    ctx: _Ctx,
    kind: OpKind,
    found: list[tuple[str, str]],
    content: str | None = None,
    dirs: Sequence[str] = (),
) -> None:
    """One operation per source key, holding every path given under that key, and each
    relative one also joined to every directory in `dirs` (the tool's `cwd`/`dir` argument)."""
    grouped: dict[str, list[str]] = {}
    for source, path in found:
        grouped.setdefault(source, []).append(_as_path(path))
    for source, paths in grouped.items():
        if dirs:
            own = [p for p in paths if p not in dirs]  # a directory is not joined to itself
            paths.extend(_in_dirs(own, dirs))
        ctx.add(Operation(kind, paths=tuple(paths), content=content, source=source))


_Stack = list[tuple[object, str, int, "_KeyClass"]]


def _walk_shape(ctx: _Ctx, root: _Args, depth: int = 1, *, writing: bool = False) -> None:
    """The shape layer: walk a mapping (iteratively, bounded by the measured limits) and turn
    every path-, URL-, host- and command-like key into operations. Keys the name layer used
    on the root mapping (`root.used`) are skipped there. With `writing` the root mapping's
    paths are written (an unknown tool whose name says it changes files)."""
    # (value, source, depth, class of the key the value sits under)
    stack: _Stack = []
    _walk_mapping(ctx, root, depth, stack, root.used, writing=writing)
    nested_class = _KeyClass.WRITE_PATH if writing or root.writes() else _KeyClass.PATH
    for source, value in root.nested:
        stack.append((value, source, depth + 1, nested_class))
    while stack:
        value, source, depth, klass = stack.pop()
        as_map = _mapping(value)
        if as_map is not None:
            # An object given as the path of a write (`file_path: {"path": ...}`) is written.
            inherit = klass is _KeyClass.WRITE_PATH
            _walk_mapping(ctx, _Args(ctx, as_map, source), depth, stack, set(), writing=inherit)
            continue
        seq = _seq(value)
        if seq is not None:
            for index, item in enumerate(seq):
                stack.append((item, f"{source}[{index}]", depth + 1, klass))
            continue
        if isinstance(value, str):
            _scalar(ctx, value, source, depth=depth, klass=klass, stack=stack)
        elif (
            klass in (_KeyClass.PATH, _KeyClass.WRITE_PATH)
            and value is not None
            and not isinstance(value, bool)
        ):
            ctx.signals.add(Signal.NON_STRING_PATH)


def _walk_mapping(
    ctx: _Ctx, args: _Args, depth: int, stack: _Stack, skip: set[str], *, writing: bool = False
) -> None:
    index = args.index
    live = {k: v for k, v in index.items() if k not in skip}
    if not live:
        return  # everything below only acts on live keys
    writes = writing or args.writes() or args.acts_to_change()
    # Content with no key saying where it goes: a path-like value under a key that reads as a
    # destination (`to`, `out`, `save_location`, `name`) is the place it is written.
    untargeted = writes and index.keys().isdisjoint(_PATH_KEYS)
    content = None
    if writes:
        pieces = [v for k in sorted(index.keys() & _WRITE_CONTENT_KEYS) for _, v in index[k]]
        texts = [p for p in pieces if isinstance(p, str)]
        content = "\n".join(texts) if texts else None
    sources = [k for k in live if k in _SOURCE_KEYS]
    dests = [k for k in live if k in _DEST_KEYS]
    moved: set[str] = set()
    if sources and dests:
        src_paths = [p for _, p in args.strings(*sources, paths=True)]
        for dest_source, dest in args.strings(*dests, paths=True):
            ctx.add(Operation(OpKind.MOVE, paths=tuple(src_paths), dest=dest, source=dest_source))
        moved = set(sources) | set(dests)
    dirs = () if index.keys().isdisjoint(_DIR_KEYS) else args.dirs()
    remote = _names_remote_repo(index)
    for folded, entries in live.items():
        if folded in moved:
            continue
        klass = _classify(folded)
        kept = entries
        if remote and klass is _KeyClass.PATH:
            kept = [(o, v) for o, v in entries if not _inside_remote_repo(v)]
        if (
            untargeted
            and klass in (_KeyClass.UNKNOWN, _KeyClass.CONTENT, _KeyClass.LABEL)
            and folded not in _WRITE_CONTENT_KEYS
            and _names_destination(folded)
        ):
            klass = _KeyClass.UNKNOWN_WRITE
        for orig, value in kept:
            source = f"{args.prefix}.{orig}"
            if (
                klass is _KeyClass.PATH
                or (
                    # A `file:` URL beside written content names the file written.
                    (klass is _KeyClass.UNKNOWN_WRITE or (writes and klass is _KeyClass.URL))
                    and _is_file_url(value)
                )
                # So does a local path under a URL key (`{"uri": "~/.bashrc", "content": ...}`).
                or (writes and klass is _KeyClass.URL and _local_target(value))
            ) and (isinstance(value, str) or _seq(value) is not None):
                _path_value(
                    ctx,
                    folded=folded,
                    value=value,
                    source=source,
                    depth=depth,
                    writes=writes,
                    content=content,
                    stack=stack,
                    dirs=() if folded in _DIR_KEYS else dirs,
                )
                continue
            if klass is _KeyClass.COMMAND:
                command = _command_text(value)
                if command is not None:
                    ctx.add(Operation(OpKind.EXECUTE, command=command, source=source))
                    if ctx.spawns < _MAX_JOINS:  # each join reads the argument keys again
                        ctx.spawns += 1
                        for extra in _spawned_commands(command, args):
                            ctx.add(Operation(OpKind.EXECUTE, command=extra, source=source))
                    continue
            stack.append((value, source, depth + 1, klass))


def _local_target(value: object) -> bool:
    """Whether a value under a URL key names a local file rather than a remote one: a path
    (`~/.bashrc`, `/etc/x`, `$HOME/x`) or a server-defined scheme with no host
    (`repo:///home/me/.bashrc`)."""
    if not isinstance(value, str):
        return False
    if split_url(value) is not None:
        return False
    return _anchored_path(value) or _hostless_path(value) is not None


def _names_remote_repo(index: Mapping[str, list[tuple[str, object]]]) -> bool:
    """Whether a mapping addresses a hosted repository (`{"owner": "me", "repo": "x", ...}`,
    the GitHub and GitLab MCP servers): its paths are then paths inside that repository."""
    for key in ("owner", "repo"):
        values = index.get(key, ())
        if len(values) != 1:
            return False
        value = values[0][1]
        if not isinstance(value, str) or not value.strip() or not _is_relative(value):
            return False
        if "/" in value or "\\" in value:
            return False
    return True


def _inside_remote_repo(value: object) -> bool:
    """A path given beside repository coordinates that stays inside the repository (`src/x`,
    `/` for its root): relative, no `..`, no home or variable. An anchored path or a climb
    out is still taken as a local path (the shape layer checks it as usual)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text in ("", "/"):
        return True
    if not _is_relative(text) or "\\" in text or "$" in text:
        return False
    return ".." not in text.split("/")


def _path_value(
    ctx: _Ctx,
    *,
    folded: str,
    value: object,
    source: str,
    depth: int,
    writes: bool,
    content: str | None,
    stack: _Stack,
    dirs: Sequence[str] = (),
) -> None:
    if folded in _CWD_KEYS:
        kind, content = OpKind.READ, None
    elif folded in _DEST_KEYS or folded in _OUTPUT_KEYS or writes:
        kind = OpKind.WRITE
    else:
        kind = OpKind.READ
    seq = _seq(value)
    items: Sequence[object] = seq if seq is not None else (value,)
    paths: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            parsed = split_url(item)
            local = _hostless_path(item) if parsed is None else None
            if local is not None:  # `repo:///home/me/x` given where a path is expected
                paths.append(local)
            elif parsed is None:
                paths.append(item)
                _host_too(ctx, item, source)
            elif parsed.scheme == "file":  # keeps the write kind of a destination key
                paths.append(parsed.path)
            else:
                ctx.url(item, source, lenient=False)
        elif _mapping(item) is not None or _seq(item) is not None:
            nested = _KeyClass.WRITE_PATH if kind is OpKind.WRITE else _KeyClass.PATH
            stack.append((item, f"{source}[{index}]", depth + 1, nested))
        elif item is not None and not isinstance(item, bool):
            ctx.signals.add(Signal.NON_STRING_PATH)
    if paths:
        paths.extend(_in_dirs(paths, dirs))
        ctx.add(Operation(kind, paths=tuple(paths), content=content, source=source))


def _scalar(
    ctx: _Ctx, value: str, source: str, *, depth: int, klass: _KeyClass, stack: _Stack
) -> None:
    if klass is _KeyClass.PATH:  # a path nested in a list under a path key
        ctx.add(Operation(OpKind.READ, paths=(_as_path(value),), source=source))
    elif klass is _KeyClass.WRITE_PATH:
        ctx.add(Operation(OpKind.WRITE, paths=(_as_path(value),), source=source))
    elif klass is _KeyClass.URL:
        ctx.url(value, source, lenient=True)
    elif klass is _KeyClass.HOST:
        if value.strip():
            ctx.add(Operation(OpKind.NETWORK, hosts=(value.strip().lower(),), source=source))
    elif klass is _KeyClass.COMMAND:
        ctx.add(Operation(OpKind.EXECUTE, command=value, source=source))
    elif klass is _KeyClass.LABEL:
        stripped = value.strip()
        if any(ch.isspace() for ch in stripped):
            return  # a label with words in it is prose
        if _is_file_url(stripped):
            ctx.url(stripped, source, lenient=False)
        elif _anchored_path(stripped):
            ctx.add(Operation(OpKind.READ, paths=(stripped,), source=f"{source} (path-like)"))
    elif klass in (_KeyClass.UNKNOWN, _KeyClass.UNKNOWN_WRITE):
        stripped = value.strip()
        if stripped.isalpha():
            # A bare word (`a`, `markdown`): no scheme, path anchor, dot, digit or `_`, so none
            # of the sniffs below can find a URL, path, host or secret location in it.
            return
        if stripped[:1] in ("{", "[") and _push_json(ctx, stripped, source, depth, stack):
            return
        if split_url(stripped) is not None:
            ctx.url(stripped, source, lenient=False)
        elif _looks_like_path(value):
            kind = OpKind.WRITE if klass is _KeyClass.UNKNOWN_WRITE else OpKind.READ
            ctx.add(Operation(kind, paths=(stripped,), source=f"{source} (path-like)"))
        elif not _host_too(ctx, stripped, source):
            tokens = _sensitive_tokens(value)
            if tokens:
                ctx.add(Operation(OpKind.READ, paths=tuple(tokens), source=f"{source} (mentions)"))


def _names_metadata_host(text: str) -> bool:
    """A bare value that is a metadata endpoint in some spelling (`169.254.169.254`,
    `0xa9fea9fe`, `[fd00:ec2::254]:80`, `metadata.google.internal`) is a network target under
    any key (`{"target": ...}` of a tool nobody has described). Only values with a dot, a
    colon or a digit qualify: a plain word such as `metadata` is too common to mean the host
    outside a host-named key."""
    if not text or text[0] in "/.~" or len(text) > _MAX_HOST_CHARS:
        return False
    head = text.split("/", 1)[0]  # `169.254.169.254:80/latest`: the host comes first
    if not _HOSTISH.issuperset(head) or not any(c in ".:" or c.isdigit() for c in head):
        return False
    host = _bare_host(head)
    return bool(host) and metadata_endpoint(host) is not None


def _host_too(ctx: _Ctx, text: str, source: str) -> bool:
    """Record `text` as a network target as well when it names a metadata endpoint (a tool
    with a `target` or `source` key may read a path or fetch a host: both are checked)."""
    if not _names_metadata_host(text):
        return False
    host = _bare_host(text)
    ctx.add(Operation(OpKind.NETWORK, hosts=(host,), source=f"{source} (host-like)"))
    return True


_MAX_HOST_CHARS = 300
_HOSTISH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_[]%")


def _push_json(ctx: _Ctx, text: str, source: str, depth: int, stack: _Stack) -> bool:
    """Walk a string that holds a JSON document (arguments passed as a JSON string)."""
    try:
        decoded: object = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if _mapping(decoded) is None and _seq(decoded) is None:
        return False
    rest = ExtractLimits(
        max_chars=ctx.limits.max_chars,
        max_depth=max(1, ctx.limits.max_depth - depth),
        max_nodes=max(1, ctx.nodes_left),
    )
    counted = _measure(decoded, rest, ctx.signals)
    if counted is None:
        return True
    ctx.nodes_left -= counted
    stack.append((decoded, f"{source}(json)", depth + 1, _KeyClass.UNKNOWN))
    return True


# --------------------------------------------------------------------------- tools by name

_Extractor = Callable[[_Ctx, _Args], None]


def _missing(ctx: _Ctx) -> None:
    ctx.signals.add(Signal.UNKNOWN_TOOL_SHAPE)


def _shell(ctx: _Ctx, args: _Args) -> None:
    # Codex `local_shell` nests everything under `action`.
    for source, action in args.take("action"):
        action_map = _mapping(action)
        if action_map is not None:
            inner = _Args(ctx, action_map, source)
            _shell(ctx, inner)
            _walk_shape(ctx, inner, 2)
            return
    cwd = None
    for source, where in args.strings(*_CWD_KEYS, paths=True):
        # The working directory is checked as a read of its own, and travels with the command
        # so relative paths in it can be resolved.
        cwd = cwd if cwd is not None else where
        ctx.add(Operation(OpKind.READ, paths=(where,), source=source))
    env: list[tuple[str, str]] = []
    for _, env_value in args.take("env", "environment"):
        env_map = _mapping(env_value)
        if env_map is not None:
            for key, val in env_map.items():
                if isinstance(key, str) and isinstance(val, str):
                    env.append((key, val))
    found = False
    for source, value in args.take(
        "command", "cmd", "commandline", "script", "argv", "program", "executable"
    ):
        command = _command_text(value)
        if command is None:
            continue
        found = True
        ctx.add(Operation(OpKind.EXECUTE, command=command, env=tuple(env), source=source, cwd=cwd))
        if ctx.spawns < _MAX_JOINS:  # each join reads the argument keys again
            ctx.spawns += 1
            for extra in _spawned_commands(command, args):
                ctx.add(
                    Operation(OpKind.EXECUTE, command=extra, env=tuple(env), source=source, cwd=cwd)
                )
        argv = _seq(value)
        if argv is not None and len(argv) == 2:
            head, body = argv[0], argv[1]
            if head in ("apply_patch", "applypatch") and isinstance(body, str):
                _patch_text(ctx, body, source, cwd=cwd)  # Codex runs it in `workdir`
                continue
        # A patch handed to any program inside the command (Codex: `apply_patch <<'EOF'`,
        # `git apply` or `patch` fed by a heredoc or a quoted argument) writes its files,
        # relative to any directory the command changes into first (`cd .git/hooks && ...`).
        start = len(ctx.ops)
        _patch_text(ctx, command, f"{source} (patch)", cwd=cwd, sniff=True)
        if len(ctx.ops) > start:
            _rebase(ctx, start, _cd_targets(command))
    if not found:
        _missing(ctx)


# Keys under which exec-style tools (MCP command servers, `child_process.spawn` wrappers) take
# the program's arguments apart from the program itself (`{"command": "bash", "args": [...]}`).
_ARG_LIST_KEYS = ("args", "arguments", "params", "parameters", "commandargs", "cmdargs", "arglist")
# Keys holding what such a tool writes to the program's standard input.
_STDIN_KEYS = ("stdin", "input", "stdindata")
_STDIN_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "busybox"})
# Interpreters that run a program read from standard input, with the flag that runs the same
# text given on the command line (so the shell analyser sees an ordinary one-liner).
_STDIN_INTERPRETERS = {
    "python": "-c", "python2": "-c", "python3": "-c", "pypy": "-c", "pypy3": "-c",
    "node": "-e", "nodejs": "-e", "perl": "-e", "ruby": "-e", "php": "-r", "lua": "-e",
    "pwsh": "-Command", "powershell": "-Command", "osascript": "-e",
}  # fmt: skip


def _spawned_commands(command: str, args: _Args) -> list[str]:
    """The command lines an exec-style tool really runs when it takes the program, its
    arguments and its standard input under separate keys: the program joined with its
    argument list (`bash` + `["-c", "curl ..."]` is `bash -c 'curl ...'`), and a script fed
    to a shell or an interpreter on standard input, as the equivalent one-liner. The keys are
    read without being consumed, so the shape layer still walks them as well."""
    out: list[str] = []
    joined = command
    for folded in _ARG_LIST_KEYS:
        for _, value in args.index.get(folded, ()):
            seq = _seq(value)
            if isinstance(value, str) and value.strip():
                joined = f"{joined} {value}"
            elif seq:
                items = [
                    w for w in seq if isinstance(w, str | int | float) and not isinstance(w, bool)
                ]
                if len(items) == len(seq):
                    joined = f"{joined} {shlex.join(str(w) for w in items)}"
    if joined != command:
        out.append(joined)
    scripts = [
        value
        for folded in _STDIN_KEYS
        for _, value in args.index.get(folded, ())
        if isinstance(value, str) and value.strip()
    ]
    if not scripts:
        return out
    try:
        words = shlex.split(joined)
    except ValueError:
        words = joined.split()
    if not words or any(not w.startswith("-") or w in ("-c", "-e") for w in words[1:]):
        return out  # a script file or `-c` text is what runs; standard input is its data
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program.endswith(".exe"):
        program = program[:-4]
    for script in scripts:
        if program in _STDIN_SHELLS:
            out.append(script)
        elif program.startswith("python") or program in _STDIN_INTERPRETERS:
            flag = _STDIN_INTERPRETERS.get(program, "-c")
            out.append(shlex.join([program, flag, script]))
    return out


_CD_WORDS = frozenset({"cd", "pushd", "chdir"})
_CD_SEPARATORS = str.maketrans(";&|()\n\r\t", "        ")
_PATCH_MARKERS = ("*** Begin Patch", "*** Add File:", "*** Update File:", "*** Delete File:")


def _cd_targets(command: str) -> list[str]:
    """The directories a shell command changes into before its patch text starts: each `cd`
    target as written and, for a chain of relative ones, their concatenation (`cd a && cd b`
    is `a/b`). A bare `cd` is the home directory. Word-level and linear, bounded; the patch
    body itself is not scanned (its lines are data)."""
    end = len(command)
    for marker in (*_PATCH_MARKERS, "\n--- ", "\n+++ "):
        pos = command.find(marker, 0, end)
        if pos >= 0:
            end = pos
    text = command[: min(end, _MAX_SNIFF)].translate(_CD_SEPARATORS)
    # Quotes are dropped: `bash -lc 'cd x && ...'` reaches here as one shell-quoted word.
    words = [w.strip("'\"") for w in text.split()]
    out: list[str] = []
    current: str | None = None
    for index, word in enumerate(words):
        if word not in _CD_WORDS:
            continue
        rest = words[index + 1 : index + 4]
        target = next((w for w in rest if w and not w.startswith("-")), "")
        if not target or target in _CD_WORDS or "=" in target or target in _PATCH_PROGRAMS:
            target = "~"
        current = target if current is None or not _is_relative(target) else current + "/" + target
        for found in (target, current):
            if found not in out:
                out.append(found)
        if len(out) >= _MAX_JOINS:
            break
    return out


_PATCH_PROGRAMS = frozenset({"apply_patch", "applypatch", "git", "patch"})


def _read(ctx: _Ctx, args: _Args, *, required: bool) -> None:
    found = args.strings(*_PATH_KEYS, paths=True)
    is_url = [split_url(v) is not None for _, v in found]
    for (source, value), url in zip(found, is_url, strict=True):
        if url:
            ctx.url(value, source, lenient=False)
    plain = [sv for sv, url in zip(found, is_url, strict=True) if not url]
    _path_ops(ctx, OpKind.READ, plain, dirs=args.dirs())
    if not found and required:
        _missing(ctx)


def _read_required(ctx: _Ctx, args: _Args) -> None:
    _read(ctx, args, required=True)


def _search(ctx: _Ctx, args: _Args) -> None:
    """List and search tools: the search root is read, and a file filter (`glob`,
    `file_pattern`, `include_pattern`) names the files whose content is shown. A filter is
    relative to the search root (`path: ~`, `glob: .aws/*`), so it is joined to each root."""
    _search_roots(ctx, args)
    for source, pattern in args.strings("pattern"):
        # Claude Code `Glob`: an anchored pattern names a directory outside the search root.
        if pattern.startswith(("/", "~", "$", "..")) or "/../" in pattern:
            ctx.add(Operation(OpKind.READ, paths=(pattern,), source=source))


def _search_roots(ctx: _Ctx, args: _Args) -> None:
    _read(ctx, args, required=False)
    roots = [v for _, v in args.strings(*_PATH_KEYS) if split_url(v) is None]
    filters = args.strings("glob", "filepattern", "includepattern")
    _path_ops(ctx, OpKind.READ, filters, dirs=roots[:_MAX_JOINS])


def _content_search(ctx: _Ctx, args: _Args) -> None:
    """Content search tools (Claude Code `Grep`, Cline `search_files`): the pattern is text
    looked for inside the files under the root and filter, which are read; it names no file
    (`Grep {"pattern": "~/.ssh"}` searches the project for that text)."""
    args.take("pattern", "regex", "query")
    _search_roots(ctx, args)


def _written_content(args: _Args) -> str | None:
    pieces: list[str] = []
    for _, value in args.take(
        "content", "contents", "filetext", "codeedit", "newstring", "newstr", "newsource", "diff"
    ):
        if isinstance(value, str):
            pieces.append(value)
    for _, value in args.take("edits"):
        for edit in _seq(value) or ():
            edit_map = _mapping(edit)
            if edit_map is not None:
                sub = _Args(_Ctx(_DEFAULT_LIMITS), edit_map, "")
                text = sub.text("newstring", "newtext", "newstr")
                if text is not None:
                    pieces.append(text)
    return "\n".join(pieces) if pieces else None


def _write(ctx: _Ctx, args: _Args) -> None:
    content = _written_content(args)
    args.take("oldstring", "oldstr", "oldtext", "instructions", "instruction")
    found = args.strings(*_PATH_KEYS, paths=True)
    _path_ops(ctx, OpKind.WRITE, found, content, dirs=args.dirs())
    edited = False
    for source, value in args.take("edits"):
        # Each edit is walked as a write of its own: an edit that names its file
        # (`edits: [{"file_path": ...}]`, as multi-file edit tools do) writes that file.
        for index, edit in enumerate(_seq(value) or ()):
            edit_map = _mapping(edit)
            if edit_map is not None:
                sub = _Args(ctx, edit_map, f"{source}[{index}]")
                before = len(ctx.ops)
                _walk_shape(ctx, sub, 2, writing=True)
                edited = edited or len(ctx.ops) > before
    if not found and not edited:
        _missing(ctx)


def _delete(ctx: _Ctx, args: _Args) -> None:
    found = args.strings(*_PATH_KEYS, paths=True)
    _path_ops(ctx, OpKind.DELETE, found, dirs=args.dirs())
    if not found:
        _missing(ctx)


def _move(ctx: _Ctx, args: _Args) -> None:
    sources = [p for _, p in args.strings(*_SOURCE_KEYS, *_MOVE_FROM, paths=True)]
    dests = args.strings(*_DEST_KEYS, *_MOVE_TO, paths=True)
    for source, dest in dests:
        ctx.add(Operation(OpKind.MOVE, paths=tuple(sources), dest=dest, source=source))
    if not sources or not dests:
        _missing(ctx)


# Extra spellings of a move's two ends (`{"from": ..., "to": ...}`, `old_name`/`new_name`).
_MOVE_FROM = ("path", "from", "oldname", "oldfile", "sourceuri", "origin")
_MOVE_TO = ("target", "to", "newname", "newfile", "destinationuri", "destpath")


def _editor(ctx: _Ctx, args: _Args) -> None:
    """OpenHands `str_replace_editor` / Anthropic text editor: `command` is a sub-operation."""
    sub = (args.text("command") or "").strip().lower()
    content = args.text("filetext", "newstr", "newstring", "content")
    args.take("oldstr", "oldstring", "insertline", "viewrange")
    found = args.strings(*_PATH_KEYS, paths=True)
    dirs = args.dirs()
    if sub == "view":
        _path_ops(ctx, OpKind.READ, found, dirs=dirs)
    else:
        if sub not in ("create", "str_replace", "insert", "undo_edit"):
            _missing(ctx)
        _path_ops(ctx, OpKind.WRITE, found, content, dirs=dirs)
    if not found:
        _missing(ctx)


def _patch_text(
    ctx: _Ctx, text: str, source: str, *, cwd: str | None = None, sniff: bool = False
) -> None:
    """The files a patch (a Codex envelope or a unified diff) adds, updates, moves or deletes.
    With `sniff` the text is a shell command that may carry a patch: nothing found is fine,
    and a damaged envelope is not a malformed call (the command itself is analysed too)."""
    if looks_like_envelope(text):
        envelope = parse_envelope(text)
        if envelope.malformed and not sniff:
            ctx.signals.add(Signal.MALFORMED_PATCH)
        for item in envelope.files:
            paths = _unquoted_variants(item.path) if sniff else (item.path,)
            if item.action is PatchAction.DELETE:
                ctx.add(Operation(OpKind.DELETE, paths=paths, source=source, cwd=cwd))
                continue
            if item.move_to is not None:
                dests = _unquoted_variants(item.move_to) if sniff else (item.move_to,)
                for dest in dests:
                    ctx.add(Operation(OpKind.MOVE, paths=paths, dest=dest, source=source, cwd=cwd))
                ctx.add(
                    Operation(OpKind.WRITE, paths=dests, content=item.added, source=source, cwd=cwd)
                )
            ctx.add(
                Operation(OpKind.WRITE, paths=paths, content=item.added, source=source, cwd=cwd)
            )
        if not envelope.files and not sniff:
            ctx.signals.add(Signal.MALFORMED_PATCH)
        if not sniff:
            return
    if sniff and ("+++ " not in text or "\n@@" not in text):
        return
    targets = diff_targets(text)
    if targets:
        ctx.add(Operation(OpKind.WRITE, paths=targets, content=text, source=source, cwd=cwd))
    elif not sniff:
        ctx.signals.add(Signal.MALFORMED_PATCH)


def _rebase(ctx: _Ctx, start: int, dirs: Sequence[str]) -> None:
    """Repeat the operations added since `start` with each relative path joined to every
    directory in `dirs` (as `_in_dirs` does for file tools): a patch applied in `workdir`
    writes `workdir/name`. Joined paths keep `~` and `$HOME` visible to path resolution."""
    for op in ctx.ops[start:]:
        paths = tuple(_in_dirs(op.paths, dirs))
        if op.kind is OpKind.MOVE and op.dest is not None:
            for dest in (op.dest, *_in_dirs((op.dest,), dirs)):
                if paths or dest != op.dest:
                    ctx.add(dataclasses.replace(op, paths=op.paths + paths, dest=dest))
        elif paths:
            ctx.add(dataclasses.replace(op, paths=paths))


def _unquoted_variants(path: str) -> tuple[str, ...]:
    """A patch path cut out of a shell command may keep the quote that closed the argument
    (`*** Delete File: x'`); both spellings are checked."""
    bare = path.rstrip("'\"")
    return (path,) if bare == path or not bare else (path, bare)


_C_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}


def _unquote_c(name: str) -> str:
    """Undo git's C-style quoting of a path (`"b/pre\\055commit"` is `b/pre-commit`): octal
    escapes are bytes of UTF-8. Linear; an unterminated quote ends at the end of the text."""
    out = bytearray()
    i, n = 1, len(name)
    while i < n:
        ch = name[i]
        if ch == '"':
            break
        if ch == "\\" and i + 1 < n:
            nxt = name[i + 1]
            if nxt in "01234567":
                j = i + 1
                while j < n and j < i + 4 and name[j] in "01234567":
                    j += 1
                out.append(int(name[i + 1 : j], 8) & 0xFF)
                i = j
                continue
            out.append(_C_ESCAPES.get(nxt, ord(nxt) if ord(nxt) < 128 else 63))
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogatepass"))
        i += 1
    return out.decode("utf-8", "replace")


def diff_targets(text: str) -> tuple[str, ...]:
    """`unified_diff_targets`, with git's quoted names unquoted and their `a/`/`b/` dropped."""
    out: list[str] = []
    for written in unified_diff_targets(text):
        name = written
        if len(written) >= 2 and written[0] == '"':
            name = _unquote_c(written)
            if name.startswith(("a/", "b/")):
                name = name[2:]
        if name and name not in out:
            out.append(name)
    return tuple(out)


def _apply_patch(ctx: _Ctx, args: _Args) -> None:
    found = args.strings("input", "patch", "diff", "content", "text")
    # A patch tool given a working directory (`workdir`, `cwd`, `dir`, ...) applies relative
    # names there: each one is checked against every such directory (and as written).
    dirs = args.dirs()
    for source, text in found:
        start = len(ctx.ops)
        _patch_text(ctx, text, source)
        if dirs:
            _rebase(ctx, start, dirs)
    if not found:
        # Some callers send the patch through a shell-like `command` argv.
        if args.has("command", "cmd"):
            _shell(ctx, args)
        else:
            _missing(ctx)


def _web(ctx: _Ctx, args: _Args) -> None:
    body = args.text("body", "data", "json", "content")
    found = args.strings(*_URL_KEYS)
    for source, value in found:
        ctx.url(value, source, lenient=True, content=body)
    _fetch_destinations(ctx, args)
    # Gemini CLI `web_fetch` takes only a prompt and fetches every URL written in it.
    fetched = False
    for source, prompt in args.strings("prompt"):
        for url in _urls_in(prompt):
            fetched = True
            ctx.url(url, f"{source} (url)", lenient=False)
    if not found and not fetched:
        _missing(ctx)


_SAVE_PREFIXES = ("save", "download", "output", "dest", "store", "write")
_SAVE_NAMES = frozenset({"filename", "outfile", "to", "into", "out"})


def _fetch_destinations(ctx: _Ctx, args: _Args) -> None:
    """A fetch tool given a file beside its URL (`{"url": ..., "output": "~/.bashrc"}`, MCP
    download servers) saves the response there: destination-named keys are writes. A plain
    `path` may be the URL's path (`/v1/users`), so it counts as a write only where no URL path
    goes: a home or variable path, or one naming a sensitive dot-file or directory. The keys
    are not consumed (the shape layer still reads them as before)."""
    for folded, entries in args.index.items():
        if folded in _URL_KEYS or folded in _CONTENT_KEYS or folded in _CWD_KEYS:
            continue
        named = (
            folded in _SAVE_NAMES
            or folded in _DEST_KEYS
            or folded in _OUTPUT_KEYS
            or folded.startswith(_SAVE_PREFIXES)
        )
        if not named and folded not in _PATH_KEYS:
            continue
        for orig, value in entries:
            if not isinstance(value, str) or not value.strip() or split_url(value) is not None:
                continue
            text = value.strip()
            if named or text.startswith(("~", "$", "%")) or _has_sensitive_part(text):
                ctx.add(Operation(OpKind.WRITE, paths=(text,), source=f"{args.prefix}.{orig}"))


def _web_search(ctx: _Ctx, args: _Args) -> None:
    """A search goes to the agent's search provider (host unknown here); the query is what
    leaves the machine, so it is the operation's content."""
    query = args.text("query", "searchterm", "q")
    ctx.add(Operation(OpKind.NETWORK, content=query, source=f"{args.prefix}.query"))
    if query is None:
        _missing(ctx)


def _urls_in(text: str) -> list[str]:
    """URLs embedded in code or prose (OpenHands `browser` actions such as
    `goto("https://...")`, a Gemini `web_fetch` prompt). Schemes match in any case."""
    out: list[str] = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for scheme in ("http://", "https://", "file://", "ws://", "wss://", "ftp://"):
        start = lowered.find(scheme)
        while start >= 0 and len(out) < 64:
            end = start
            while end < len(text) and text[end] not in " \t\r\n\"'`)<>,":
                end += 1
            out.append(text[start:end])
            start = lowered.find(scheme, end)
    return out


def _browser(ctx: _Ctx, args: _Args) -> None:
    found = args.strings(*_URL_KEYS)
    for source, value in found:
        ctx.url(value, source, lenient=True)
    for source, code in args.strings("code"):
        for url in _urls_in(code):
            ctx.url(url, source, lenient=False)
    text = args.text("text")  # what a browser action types into the page
    args.take("action", "coordinate")
    ctx.add(Operation(OpKind.NETWORK, content=text, source=args.prefix))


def _computer(ctx: _Ctx, args: _Args) -> None:
    """A computer-use tool (Anthropic `computer`, OpenAI `computer_use`): the text of a `type`
    action goes to whatever window has focus, a terminal included."""
    actions = [value for _, value in args.take("action", "type") if isinstance(value, str)]
    text = args.text("text", "keys")
    kind = OpKind.TYPE if any(_squash(a) in ("type", "typetext") for a in actions) else OpKind.OTHER
    if kind is OpKind.TYPE and text:
        ctx.add(Operation(kind, command=text, source=f"{args.prefix}.text (typed)"))
    else:
        ctx.add(Operation(OpKind.OTHER, content=text, source=args.prefix))


_SHELL_MAGICS = ("%%bash", "%%sh", "%%script bash", "%%script sh", "%%system")
_LINE_MAGICS = ("%sx ", "%system ", "%%!")


def _ipython(ctx: _Ctx, args: _Args) -> None:
    """A Python cell is executed as `python3 -c CODE` so shell analysis scans it like any
    interpreter one-liner; `!cmd` lines and shell cell magics become shell commands."""
    found = args.strings("code", "source", "cell")
    for source, code in found:
        ctx.add(
            Operation(
                OpKind.EXECUTE,
                command="python3 -c " + shlex.quote(code),
                content=code,
                source=f"{source} (python)",
            )
        )
        lines = code.splitlines()
        first = lines[0].strip() if lines else ""
        if first.startswith(_SHELL_MAGICS):
            ctx.add(Operation(OpKind.EXECUTE, command="\n".join(lines[1:]), source=source))
            continue
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("!"):
                ctx.add(Operation(OpKind.EXECUTE, command=stripped[1:], source=source))
            else:
                for magic in _LINE_MAGICS:
                    if stripped.startswith(magic):
                        command = stripped[len(magic) :]
                        ctx.add(Operation(OpKind.EXECUTE, command=command, source=source))
                        break
    if not found:
        _missing(ctx)


def _mcp_resource(ctx: _Ctx, args: _Args) -> None:
    """MCP `resources/read` (and Cline `access_mcp_resource`): a `file:` URI is a read."""
    found = args.strings("uri", "url")
    for source, uri in found:
        parsed = split_url(uri)
        if parsed is not None:
            ctx.url(uri, source, lenient=False)
        else:
            ctx.add(Operation(OpKind.MCP, urls=(uri,), source=source))
            if _anchored_path(uri):  # a server that takes a bare path reads that file
                ctx.add(Operation(OpKind.READ, paths=(uri.strip(),), source=f"{source} (path)"))
        if parsed is None or parsed.scheme != "file":
            local = _hostless_path(uri)
            if local is not None:
                ctx.add(Operation(OpKind.READ, paths=(local,), source=f"{source} (local path)"))
    if not found:
        _missing(ctx)


def _hostless_path(uri: str) -> str | None:
    """The local path a resource URI of a server-defined scheme names when it has no host
    (`repo:///home/me/.ssh/id_rsa`, `git:/etc/shadow`, `notes:~/.aws/credentials`): a server
    that maps its scheme onto the disk opens that file. A URI with a host
    (`repo://owner/name/README.md`, `s3://bucket/key`) names something remote and yields None."""
    stripped = uri.strip()
    scheme = _scheme_of(stripped)
    if scheme is None or scheme in _SPECIAL_SCHEMES:  # `https:///evil.com` reaches evil.com
        return None
    rest = stripped[len(scheme) + 1 :].replace("\\", "/")
    if rest.startswith("//"):
        rest = rest[2:]
        if not rest.startswith("/"):
            return None  # an authority: remote
    rest = _cut_query(rest)
    if rest.startswith(("/", "~", "$HOME", "${HOME}")) and _looks_like_path(rest):
        return rest
    return None


def _use_mcp_tool(ctx: _Ctx, args: _Args) -> None:
    """Cline `use_mcp_tool`: the real call is inside (`tool_name`, `arguments` as JSON)."""
    tool = args.text("toolname") or ""
    server = args.text("servername") or ""
    inner: object = None
    for _, value in args.take("arguments"):
        inner = value
    if isinstance(inner, str):
        try:
            inner = json.loads(inner)
        except (ValueError, RecursionError):
            inner = {"arguments": inner}
    inner_map: Mapping[object, object] = _mapping(inner) or {}
    if ctx.nested >= ctx.limits.max_nested_calls:
        _missing(ctx)
        return
    ctx.nested += 1
    name = f"mcp__{server}__{tool}"
    ctx.add(Operation(OpKind.MCP, source=f"{args.prefix}.{name}"))
    counted = _measure(inner_map, ctx.limits, ctx.signals)
    if counted is not None and counted <= ctx.nodes_left:
        ctx.nodes_left -= counted
        _run(ctx, name, inner_map, f"{args.prefix}.arguments", written=tool)
    ctx.nested -= 1


def _inert(*keys: str) -> _Extractor:
    """Tools with no effect outside the agent (todo lists, sub-agents, plans): their prose
    arguments are consumed so the shape layer does not sniff them; anything else is walked."""

    def run(ctx: _Ctx, args: _Args) -> None:
        content = args.text(*keys)
        ctx.add(Operation(OpKind.OTHER, content=content, source=args.prefix))

    return run


_PROSE = ("description", "prompt", "todos", "plan", "question", "result", "thought", "message")

_BY_NAME: dict[str, _Extractor] = {}


def _register(extractor: _Extractor, *names: str) -> None:
    for name in names:
        _BY_NAME[_squash(name)] = extractor


_register(
    _shell,
    "bash", "shell", "local_shell", "exec", "exec_command", "run", "run_command",
    "run_shell_command", "terminal", "run_terminal_cmd", "run_terminal_command",
    "execute_command", "execute_bash", "execute_shell", "shell_exec",
)  # fmt: skip
_register(
    _read_required,
    "read", "read_file", "read_text_file", "read_media_file", "read_multiple_files",
    "notebook_read", "view_file", "open_file", "get_file_info",
)  # fmt: skip
_register(
    _search,
    "ls", "list_dir", "list_directory", "list_directory_with_sizes", "list_files",
    "directory_tree", "glob", "file_search", "list_code_definition_names", "find",
)  # fmt: skip
_register(_content_search, "grep", "grep_search", "search_files", "codebase_search")
_register(
    _write,
    "write", "write_file", "write_to_file", "create_file", "edit", "edit_file", "multi_edit",
    "notebook_edit", "replace_in_file", "search_replace", "reapply", "append_file",
    "append_to_file", "create_directory", "make_directory", "mkdir",
)  # fmt: skip
_register(_delete, "delete_file", "remove_file", "delete", "rm", "delete_directory")
_register(_move, "move_file", "rename_file", "move", "rename", "copy_file")
_register(_editor, "str_replace_editor", "str_replace_based_edit_tool", "text_editor")
_register(_apply_patch, "apply_patch", "applypatch", "patch", "apply_diff")
_register(
    _web,
    "web_fetch", "webfetch", "fetch", "http_request", "http", "curl", "request",
    "read_url_content", "fetch_url", "browse", "navigate", "open_url", "wget", "http_get",
    "http_post",
)  # fmt: skip
_register(_web_search, "web_search", "search_web")
_register(_browser, "browser", "browser_action")
_register(_computer, "computer", "computer_use", "computer_use_preview")
_register(_ipython, "execute_ipython_cell", "ipython", "run_python", "execute_python")
_register(_mcp_resource, "resources/read", "access_mcp_resource", "read_resource")
_register(_use_mcp_tool, "use_mcp_tool")
_register(_inert(*_PROSE), "todo_write", "todo_read", "task", "exit_plan_mode", "think")
_register(_inert(*_PROSE), "ask_followup_question", "attempt_completion", "plan_mode_respond")
_register(_inert(*_PROSE, "context"), "new_task", "finish", "bash_output", "kill_shell")
_register(_inert(*_PROSE, "command", "args"), "slash_command")


def known_tool_names() -> frozenset[str]:
    """The folded names the name layer recognizes (letters and digits only, lower-case)."""
    return frozenset(_BY_NAME)


def _run(
    ctx: _Ctx, name: str, args: Mapping[object, object], prefix: str, *, written: str = ""
) -> bool:
    """Both layers over one mapping of arguments; returns whether the name was known. A tool
    the name layer does not know but whose name says it changes files (`save_file`,
    `insert_edit_into_file`, `replace_file_content`, `fsWriteFile`) writes its paths; the
    words are read from `written` (the name before lower-casing) when given."""
    base, _ = _split_mcp(name, None)
    extractor = _BY_NAME.get(_squash(base))
    view = _Args(ctx, args, prefix)
    if extractor is not None:
        extractor(ctx, view)
    writing = extractor is None and changes_files(_mcp_base(written or name))
    _walk_shape(ctx, view, writing=writing)
    return extractor is not None


def _mcp_base(name: str) -> str:
    """The tool part of `mcp__<server>__<tool>` in any case (the server's name says nothing
    about what the tool does)."""
    if name[:5].lower() == "mcp__":
        cut = name.find("__", 5)
        if cut > 5:
            return name[cut + 2 :]
    return name


# --------------------------------------------------------------------------- entry point


def extract(call: ToolCall, *, limits: ExtractLimits | None = None) -> Extraction:
    """Turn a tool call into operations. Never raises on the call's content: bounds and
    oddities are reported in `signals` (the rule engine denies on the fatal ones)."""
    lim = limits if limits is not None else _DEFAULT_LIMITS
    ctx = _Ctx(lim)
    raw_tool = cast("object", call.tool)  # typed str, but callers pass what they get
    raw_name = raw_tool if isinstance(raw_tool, str) else ""
    if len(raw_name) > lim.max_tool_name:
        ctx.signals.add(Signal.TOOL_NAME_TOO_LONG)
        raw_name = raw_name[: lim.max_tool_name]
    tool, hidden = clean_tool_name(raw_name)
    if hidden:
        ctx.signals.add(Signal.TOOL_NAME_HIDDEN_CHARS)
    if not tool:
        ctx.signals.add(Signal.EMPTY_TOOL_NAME)
    base, server = _split_mcp(tool, call.mcp_server)
    args = _mapping(call.args)
    if args is None:
        is_shell = _BY_NAME.get(_squash(base)) is _shell
        args = _arguments(cast("object", call.args), ctx, shell=is_shell)
    counted = _measure(args, lim, ctx.signals)
    if counted is None:
        return Extraction(tool, base, server, (), frozenset(ctx.signals), False)
    ctx.nodes_left -= counted
    known = _run(ctx, tool, args, "args", written=_clean_text(raw_name))
    is_mcp = call.origin is Origin.MCP or tool.startswith("mcp__")
    if not known:
        ctx.signals.add(Signal.UNKNOWN_TOOL)
        if is_mcp:
            ctx.ops.insert(0, Operation(OpKind.MCP, source=f"mcp:{server or ''}:{base}"))
        if not ctx.ops:
            ctx.signals.add(Signal.UNKNOWN_TOOL_SHAPE)
    return Extraction(tool, base, server, _dedupe(ctx.ops), frozenset(ctx.signals), known)


def _arguments(raw: object, ctx: _Ctx, *, shell: bool) -> Mapping[object, object]:
    """Arguments that are not a mapping, made one. A JSON object sent as a string (the
    OpenAI wire form) is decoded. Anything else that is not an object (a list, a scalar,
    text that is not a JSON object) is signalled and kept under one key, so the shape layer
    still sees every path and command in it: an odd container never means "no effect". For a
    shell tool that key is `command` (`Bash("ls")` and `shell(["ls", "-l"])` run that)."""
    if raw is None:
        ctx.signals.add(Signal.UNKNOWN_TOOL_SHAPE)
        return {}
    if isinstance(raw, str) and raw.strip()[:1] == "{":
        try:
            decoded: object = json.loads(raw)
        except (ValueError, RecursionError):
            decoded = None
        found = _mapping(decoded)
        if found is not None:
            return found
    ctx.signals.add(Signal.ARGS_NOT_OBJECT)
    ctx.signals.add(Signal.UNKNOWN_TOOL_SHAPE)
    return {"command" if shell else "arguments": raw}


def _dedupe(ops: list[Operation]) -> tuple[Operation, ...]:
    if len(ops) < 2:
        return tuple(ops)
    seen: set[Operation] = set()
    out: list[Operation] = []
    for op in ops:
        if op not in seen:
            seen.add(op)
            out.append(op)
    return tuple(out)
