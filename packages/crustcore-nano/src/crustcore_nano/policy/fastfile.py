"""The short path for the file tool calls agents make most: an allow proven without the pipeline.

`Read`, `Edit` and `Write` of Claude Code with exactly their documented arguments, on a plain
path inside the workspace, are most of what a coding agent does. For such a call the general
pipeline (extraction over both layers, normalization, path variants, every rule family) spends
far more time than the decision needs. `FastFile.allow` answers only when it can *prove* the
pipeline would allow the call, and then returns the same `Evaluation` the pipeline would
(verdict, rule, reason, operations and flow). In every other case it returns None and the
pipeline decides: it never denies or asks on its own, so it cannot be a way around a rule, only
a way to skip work whose outcome is already known.

What makes a call provable here:

* the tool and argument names are exactly one of the shapes in `_KEYS`, with values of the
  expected types (no other key: the shape layer would walk it);
* the path is plain: ASCII letters, digits, `_`, `-` and `.`, no segment that starts with `.`
  or `-` or ends with `.`, no `//`. So nothing is decoded, normalized, expanded or globbed, no
  dotfile is named, and the lexical form is the path joined to the working directory;
* that form lies inside the workspace, whose directory the directory cache holds as plain, and
  whose last component is not a symlink (`PathResolver.plain`): the real form is the same;
* no builtin path rule covers it, no sensitive-class rule does (a read would mark the session),
  it is not in CrustCore's home, no user rule matches the operation, and the DLP scanner finds
  nothing at all in the strings the pipeline would scan;
* what is written is not a runnable file whose commands the pipeline would judge
  (`crustcore_nano.policy.scripts`).

Differential tests hold the answers equal to the pipeline's: over both red-team corpora
(`tests/redteam/test_attack_tool_calls__...`) and over generated calls in a world with symlinks,
dotfiles and user rules (`packages/crustcore-nano/tests/policy/test_fastfile.py`). The first
call in a directory always takes the whole pipeline, whose walk is what lets the directory
cache hold that directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Final, cast

from crustcore_nano.dlp.scanner import scan
from crustcore_nano.paths import PathResolver
from crustcore_nano.policy.builtin import PathRuleIndex
from crustcore_nano.policy.config import UserRule
from crustcore_nano.policy.extract import clean_tool_name
from crustcore_nano.policy.scripts import runnable
from crustcore_nano.policy.session import CallFlow
from crustcore_nano.policy.types import (
    OPERATION_SETTERS,
    Decision,
    Operation,
    OpKind,
    Origin,
    ToolCall,
    Verdict,
    allow_reason,
)

# Tool name -> (operation, content key, the other keys with the one type each may have).
_KEYS: Final[dict[str, tuple[OpKind, str | None, dict[object, type]]]] = {
    "Read": (OpKind.READ, None, {"offset": int, "limit": int}),
    "Edit": (
        OpKind.WRITE,
        "new_string",
        {"old_string": str, "new_string": str, "replace_all": bool},
    ),
    "Write": (OpKind.WRITE, "content", {"content": str}),
}
# ... with the tool's name as extraction cleans it (what user rules match) and the reason of
# the allow (looked up here once: hashing an enum member runs Python code).
_SHAPES: Final = {
    name: (clean_tool_name(name)[0], kind, allow_reason((Operation(kind),)), content, others)
    for name, (kind, content, others) in _KEYS.items()
}
_PATH_KEY: Final = "file_path"
_SOURCE: Final = "args." + _PATH_KEY
_SKIPPED_BY_DLP: Final = "old_string"  # the text an edit replaces is not written (see `_dlp`)
# A segment: a letter, digit or `_`, then those, `.` and `-`, not ending with `.`. The
# quantifiers are possessive because a segment holds no `/`, so no match ever needs to give
# characters back; that halves the time of a match.
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.-]*+(?<!\.)"
_PLAIN_PATH: Final = re.compile(rf"/?(?:{_SEGMENT}/)*+{_SEGMENT}")
_MAX_PATH: Final = 4096
_MAX_TEXT: Final = 1024 * 1024  # far below the extraction and DLP bounds
_NO_FLOW: Final = CallFlow()
# A relative glob of plain names: no `.` or `/` first (no dotfile, no anchor, no `..`).
_RELATIVE_GLOB: Final = re.compile(r"[A-Za-z0-9_*?{\[][A-Za-z0-9_.*?/{}\[\],-]*")
_NO_EFFECT: Final = Decision(Verdict.ALLOW, "allow", allow_reason(()))
# Enum members read once: `Origin.MCP` on the class costs a metaclass look-up each time.
_ALLOW: Final = Verdict.ALLOW
_MCP: Final = Origin.MCP


# A frozen dataclass's `__init__` sets each field through `object.__setattr__`: for the
# allow's Decision that is a measurable share of a short-path answer. Its slots' own setters
# make the same object in half the time. The class is checked here, so a field added to it
# later cannot be left unset, nor a `__post_init__` skipped. (`Operation` is built the same
# way by its own `__init__`; its setters, checked in `types`, are used here without the call.)
_DECISION_FIELDS: Final = ("verdict", "rule", "reason", "approval_id", "operations")


def _setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[object, object], None], ...]:
    if getattr(cls, "__slots__", None) != names or hasattr(cls, "__post_init__"):
        raise RuntimeError(f"{cls.__name__} is no longer a plain dataclass of {names}")
    return tuple(getattr(cls, name).__set__ for name in names)


_OP_SETTERS: Final = OPERATION_SETTERS
_DECISION_SETTERS: Final = _setters(Decision, _DECISION_FIELDS)
_NEW: Final = object.__new__


def _allowed(kind: OpKind, path: str, content: str | None, reason: str) -> Decision:
    """`Decision(ALLOW, "allow", reason, None, (Operation(kind, (path,), content=content,
    source=_SOURCE),))`, built by setting the slots (see above)."""
    s_kind, s_paths, s_dest, s_hosts, s_urls, s_command, s_content, s_env, s_source, s_cwd = (
        _OP_SETTERS
    )
    op = _NEW(Operation)
    s_kind(op, kind)
    s_paths(op, (path,))
    s_dest(op, None)
    s_hosts(op, ())
    s_urls(op, ())
    s_command(op, None)
    s_content(op, content)
    s_env(op, ())
    s_source(op, _SOURCE)
    s_cwd(op, None)
    s_verdict, s_rule, s_reason, s_approval, s_operations = _DECISION_SETTERS
    decision = _NEW(Decision)
    s_verdict(decision, _ALLOW)
    s_rule(decision, "allow")
    s_reason(decision, reason)
    s_approval(decision, None)
    s_operations(decision, (op,))
    return decision


class FastFile:
    """The proof described in the module docstring, for one engine's configuration."""

    __slots__ = ("_cwd", "_in_home", "_index", "_resolver", "_rules", "_workspace")

    def __init__(
        self,
        *,
        workspace: str,
        cwd: str,
        resolver: PathResolver,
        index: PathRuleIndex,
        in_crustcore_home: Callable[[str], bool],
        crustcore_home_inside: bool,
        rules: tuple[UserRule, ...],
    ) -> None:
        """`index` holds the builtin rules and the sensitive-class reads together: a path
        neither covers is all the proof needs from them. `in_crustcore_home` is consulted
        only when CrustCore's home lies inside the workspace."""
        self._workspace = workspace + "/"
        self._cwd = cwd + "/"
        self._resolver = resolver
        self._index = index
        self._in_home = in_crustcore_home if crustcore_home_inside else None
        self._rules = rules

    @staticmethod
    def usable(workspace: str, workspace_real: str, cwd: str) -> bool:
        """Whether the proof holds at all for this engine: a real, ordinary workspace."""
        return (
            workspace == workspace_real
            and workspace != "/"
            and workspace.isascii()
            and not workspace.startswith(("/proc/", "/dev/"))
            and cwd.startswith(workspace)
        )

    def allow(self, call: ToolCall) -> tuple[Decision, CallFlow] | None:
        """The pipeline's answer when it is provably an allow with no flow, else None."""
        if type(call.args) is not dict or call.mcp_server is not None or call.origin is _MCP:
            return None
        args = cast("dict[object, object]", call.args)  # pyright: ignore[reportUnknownMemberType]
        if call.tool == "Glob":
            return _glob(args)
        shape = _SHAPES.get(call.tool)
        if shape is None:
            return None
        tool, kind, reason, content_key, others = shape
        path = args.get(_PATH_KEY)
        if type(path) is not str or len(path) > _MAX_PATH or not path.isascii():
            return None
        pieces: list[str] = []
        content: str | None = None
        size = 0
        for key, value in args.items():
            if key == _PATH_KEY:
                pieces.append(path)
                continue
            wanted = others.get(key)
            if wanted is None or type(value) is not wanted:
                return None
            if type(value) is str:
                size += len(value)
                if key != _SKIPPED_BY_DLP:
                    pieces.append(value)
                if key == content_key:
                    content = value
        if size > _MAX_TEXT or (content_key is not None and content is None):
            return None
        if _PLAIN_PATH.fullmatch(path) is None:
            return None
        lexical = path if path[0] == "/" else self._cwd + path
        if not lexical.startswith(self._workspace):
            return None
        if self._in_home is not None and self._in_home(lexical):
            return None
        if self._index.match(lexical, kind) is not None or not self._resolver.plain(lexical):
            return None
        if content is not None and runnable(path, content):
            return None  # a runnable file is judged by the commands it holds
        if self._rules:
            forms = [path, lexical]
            origin = call.origin
            for rule in self._rules:
                if rule.matches(tool, kind, forms, [], None, content, origin):
                    return None
        if scan("\n".join(pieces)):
            return None
        return _allowed(kind, path, content, reason), _NO_FLOW

    def proven(self, path: str, *, mention: bool = False, directory: bool = False) -> bool:
        """Whether the pipeline's checks of `path` (absolute, as the shell analyser writes a
        command's target: the working directory joined to the word) provably find nothing:
        plain once a `./` is dropped, in the workspace, not in CrustCore's home, covered by no
        builtin or sensitive rule for a read or a write, and reached through no symlink. For a
        `mention` (an argument the engine only looks up on disk), a name that is not there is
        enough, as the engine resolves only mentions that exist. A `directory` must also be one
        the directory cache holds as a real directory (`PathResolver.plain_directory`)."""
        lexical = path.replace("/./", "/")
        if lexical.endswith("/."):
            lexical = lexical[:-2]
        if len(lexical) > _MAX_PATH or _PLAIN_PATH.fullmatch(lexical) is None:
            return False
        top = lexical + "/" == self._workspace
        if not top and not lexical.startswith(self._workspace):
            return False
        if self._in_home is not None and self._in_home(lexical):
            return False
        if self._index.covers_either(lexical, OpKind.READ, OpKind.WRITE):
            return False
        if mention:
            try:
                if not os.path.lexists(lexical):
                    return True
            except (OSError, ValueError):
                return False
        if top or directory:
            return self._resolver.plain_directory(lexical)
        return self._resolver.plain(lexical)


def _glob(args: dict[object, object]) -> tuple[Decision, CallFlow] | None:
    """`Glob` with only a pattern relative to the project: it lists names, reads nothing, so
    the pipeline finds no operation; what is left is the DLP scan of the pattern."""
    pattern = args.get("pattern")
    if len(args) != 1 or type(pattern) is not str or len(pattern) > _MAX_PATH:
        return None
    if _RELATIVE_GLOB.fullmatch(pattern) is None or "/." in pattern or scan(pattern):
        return None
    return _NO_EFFECT, _NO_FLOW
