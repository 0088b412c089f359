"""The short path for the shell commands agents run most: an allow proven without the pipeline.

`git status`, `grep -rn TODO src | head`, `sed -i 's/a/b/' src/x.py`, `npm test`: most of what a
coding agent runs is a short line of plain words given to a handful of programs. The pipeline
spends far more on such a line (extraction, the whole shell analyser, some thirty rule families)
than its decision needs. `FastShell.allow` answers only when it can *prove* the pipeline would
allow the call, and then returns the same `Evaluation` the pipeline would (verdict, rule,
reason, operations and flow). In every other case it returns None and the pipeline decides: it
never denies or asks on its own, so it cannot be a way around a rule, only a way to skip work
whose outcome is already known. It stands on `FastFile`'s proof for each path.

What makes a call provable here:

* the tool is `Bash` with a `command` and at most Claude Code's `description`, `timeout` and
  `run_in_background`, with values of those types;
* the line is ASCII words separated by single spaces and joined by `|`, `&&`, `||` or `;`. A
  word is either bare (letters, digits and `_ . / , : = + @ ^ ~ -`, with no `~` that bash would
  expand) or one single-quoted string of those characters, spaces, `*` and `?`. So nothing on
  the line is expanded, globbed, redirected, substituted, decoded or run in the background;
* each command's program is one of `_PROGRAMS`: programs the analyser describes through its
  command table alone (no shell, interpreter, wrapper, builtin or mailer) and that no engine
  check singles out by name. A few (`git`, `npm`, `docker`, ...) are taken only with the
  subcommands listed there, and `git` without `-c`/`--config`. The one interpreter form taken is
  `python -m MODULE` for the test and lint modules of `_PYTHON_MODULES`, where the analyser
  stops at the module's name. `make` is taken with no option and no variable, and not after a
  write on the same line: the analyser runs only recipes the line itself supplies;
* `cd DIR` is taken when joined to its neighbours by `&&` or `;` and `$CDPATH` cannot be set:
  `DIR` is proven like a path read and must be a directory the resolver holds as real. The
  commands after it are proven in the directory it went to and, when a `;` or `||` after it
  lets a command run after a failed `cd`, in the one before as well; a bare word after a `cd` is
  then proven as a name in that directory, as the engine's `_mentions` takes it;
* the command table, run on the words exactly as the analyser runs it, reports nothing but
  reads, listings and writes (`_Recorder`); anything else (a signal, a nested command, a
  network address, a change of directory, a variable) ends the proof;
* every path it reports, and every argument the engine would take for a path (`_mentions`),
  passes `FastFile.proven`: plain, in the workspace, covered by no builtin or sensitive rule,
  not in CrustCore's home, reached through no symlink. A mention that names nothing on disk
  needs only the first four, as the engine resolves only mentions that exist;
* the line names no metadata address, is no URL, mentions neither `crustcore` nor CrustCore's
  home, the DLP scanner finds nothing in the text the engine scans, and no user rule matches
  any of the operations.

Differential tests hold the answers equal to the pipeline's: over both red-team corpora and
over generated lines in a world with symlinks, dotfiles and user rules
(`packages/crustcore-nano/tests/policy/test_fastshell.py`). `test_fastshell.py` also checks that
no program here is in any set an engine or analyser check keys on by name.
"""

from __future__ import annotations

import re
from typing import Final, NoReturn, cast

from crustcore_nano.dlp.scanner import scan
from crustcore_nano.paths import lexical_clean
from crustcore_nano.policy.config import UserRule
from crustcore_nano.policy.extract import clean_tool_name, split_url
from crustcore_nano.policy.fastfile import FastFile
from crustcore_nano.policy.hosts import find_metadata_hosts
from crustcore_nano.policy.session import CallFlow
from crustcore_nano.policy.types import (
    Decision,
    Operation,
    OpKind,
    Origin,
    ToolCall,
    Verdict,
    allow_reason,
)
from crustcore_nano.shell import commands as cmdtable
from crustcore_nano.shell import facts
from crustcore_nano.shell.expand import Field
from crustcore_nano.shell.state import Input

_ANY: Final = frozenset[str]()
# Program -> the subcommands taken (its first argument), or `_ANY` for every use.
_PROGRAMS: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(
        (
            "cat", "head", "tail", "wc", "grep", "egrep", "fgrep", "rg", "ls", "tree", "find",
            "sort", "uniq", "cut", "diff", "cmp", "file", "stat", "du", "nl", "comm", "md5sum",
            "sha1sum", "sha256sum", "mkdir", "touch", "sed", "pytest", "make",
        ),
        _ANY,
    ),
    "git": frozenset(
        {
            "status", "diff", "log", "show", "blame", "add", "commit", "branch", "rev-parse",
            "ls-files", "grep", "describe", "shortlog",
        }
    ),
    "npm": frozenset({"test", "t", "run", "run-script"}),
    "pnpm": frozenset({"test", "t", "run"}),
    "yarn": frozenset({"test", "run"}),
    "cargo": frozenset({"build", "test", "check", "clippy", "fmt", "doc"}),
    "go": frozenset({"build", "test", "vet", "fmt"}),
    "docker": frozenset({"build"}),
}  # fmt: skip
# `python -m MODULE` runs the module's program: the analyser reads nothing more of the line
# (unless the module is a server or a program of its own, none of which is here).
_PYTHONS: Final = frozenset({"python", "python3"})
_PYTHON_MODULES: Final = frozenset(
    {"pytest", "unittest", "mypy", "ruff", "black", "isort", "flake8", "pylint", "doctest"}
)
# `docker build` options that change nothing the engine judges (`_host_access` and
# `_daemon_option` read others: `--privileged`, `--security-opt`, `-H`, ...).
_DOCKER_BUILD_OPTIONS: Final = frozenset(
    {"-t", "--tag", "-q", "--quiet", "--no-cache", "--pull", "--target", "--platform"}
)
_BARE = r"[A-Za-z0-9_./,:=+@^~-]+"
_TOKEN: Final = re.compile(rf"{_BARE}|'[A-Za-z0-9_./,:=+@^~*? -]*'|\|\||\||&&|;")
_OPERATORS: Final = frozenset({"|", "||", "&&", ";"})
_ARG_TYPES: Final[dict[object, type]] = {
    "description": str,
    "timeout": int,
    "run_in_background": bool,
}
_MAX_COMMAND: Final = 2048
# Directories a command may run in after `cd`s (each `cd` may fail and leave the one before).
_MAX_CWDS: Final = 4
# What may join a `cd` to its neighbours: the commands after it run where it went (or, if it
# failed, where it was); in a pipeline it would change nothing for the others.
_CD_JOINS: Final = frozenset({"&&", ";"})
_MAX_FIELDS: Final = 4096  # words kept as fields (at most a few hundred KiB)
_TOOL: Final = "Bash"
_TOOL_CLEAN: Final = clean_tool_name(_TOOL)[0]
_NO_FLOW: Final = CallFlow()
_READ = facts.OpKind.READ
_WRITE = facts.OpKind.WRITE
_LIST = facts.OpKind.LIST
_KINDS: Final = {_READ: OpKind.READ, _LIST: OpKind.READ, _WRITE: OpKind.WRITE}
# The reason the pipeline gives (`allow_reason` of its operations) for each set of path
# operation kinds a line can have besides running its commands.
_REASONS: Final = {
    frozenset(kinds): allow_reason(tuple(Operation(k) for k in (OpKind.EXECUTE, *kinds)))
    for kinds in ((), (OpKind.READ,), (OpKind.WRITE,), (OpKind.READ, OpKind.WRITE))
}


class _Unproven(Exception):
    """The line leaves what the proof covers: the pipeline decides."""


def _unproven(*_args: object, **_kwargs: object) -> NoReturn:
    raise _Unproven


class _Recorder:
    """A `Sink` for the command table that keeps reads, listings and writes, as the analyser's
    `_Invocation.op` would receive them, and ends the proof on any other effect."""

    __slots__ = ("ops", "stdin")

    def __init__(self, stdin: Input | None) -> None:
        self.stdin = stdin
        self.ops: list[tuple[facts.OpKind, str]] = []

    def op(self, kind: facts.OpKind, target: Field, detail: str = "") -> None:
        del detail
        if kind not in _KINDS or not target.exact:
            raise _Unproven
        if target.text and target.text != "-":
            self.ops.append((kind, target.text))

    connect = address = chmod = env = unset_env = chdir = _unproven
    shell_code = run_argv = code = signal = home = mark_privileged = _unproven


def _words(command: str) -> tuple[list[list[tuple[str, bool]]], list[str]] | None:
    """The line's commands, each a list of (word, quoted), and the operators between them; None
    if the line is not plain."""
    out: list[list[tuple[str, bool]]] = [[]]
    joins: list[str] = []
    pos = 0
    end = len(command)
    match = _TOKEN.match
    while True:
        found = match(command, pos)
        if found is None:
            return None
        token = found.group()
        if token in _OPERATORS:
            if not out[-1]:
                return None
            out.append([])
            joins.append(token)
        elif token[0] == "'":
            out[-1].append((token[1:-1], True))
        else:
            if "~" in token and (token[0] == "~" or "=~" in token or ":~" in token):
                return None  # a tilde bash would expand
            out[-1].append((token, False))
        pos = found.end()
        if pos == end:
            return (out, joins) if out[-1] else None
        if command[pos] == " ":
            pos += 1
        elif command[pos] != ";" or token in _OPERATORS:  # `a; b` as well as `a ; b`
            return None


class FastShell:
    """The proof described in the module docstring, for one engine's configuration."""

    __slots__ = ("_cdpath", "_cwd", "_env_secrets", "_fast", "_fields", "_markers", "_rules")

    def __init__(
        self,
        *,
        fast: FastFile,
        cwd: str,
        markers: tuple[str, ...],
        rules: tuple[UserRule, ...],
        env_secrets: tuple[str, ...],
        cdpath: bool,
    ) -> None:
        """`fast` proves single paths; `markers` are the spellings of CrustCore's home the
        engine looks for in any text (`PolicyEngine._check_markers`); `env_secrets` the values
        of the secret variables in the environment commands run with; `cdpath` whether that
        environment may set `$CDPATH` (then `cd NAME` may go elsewhere: no `cd` is taken)."""
        self._fast = fast
        self._cwd = cwd
        self._cdpath = cdpath
        # the line is refused whole when it holds `crustcore`: only the other spellings of the
        # home (a CRUSTCORE_HOME named otherwise) are left to look for
        self._markers = tuple(m for m in markers if "crustcore" not in m)
        self._rules = rules
        self._env_secrets = env_secrets
        self._fields: dict[str, Field] = {}

    def allow(self, call: ToolCall) -> tuple[Decision, CallFlow] | None:
        """The pipeline's answer when it is provably an allow with no flow, else None."""
        if call.tool != _TOOL or type(call.args) is not dict or call.mcp_server is not None:
            return None
        if call.origin is Origin.MCP:
            return None
        args = cast("dict[object, object]", call.args)  # pyright: ignore[reportUnknownMemberType]
        command = args.get("command")
        if type(command) is not str or len(command) > _MAX_COMMAND or not command.isascii():
            return None
        pieces: list[str] = []  # the strings the engine's DLP scans, in the same order
        for key, value in args.items():
            if key != "command" and type(value) is not _ARG_TYPES.get(key):
                return None
            if type(value) is str:
                pieces.append(value)
        if any(secret in command for secret in self._env_secrets):
            return None  # the engine would scan these words with the value put back as `$NAME`
        try:
            return self._line(call, command, pieces)
        except _Unproven:
            return None

    def _line(
        self, call: ToolCall, command: str, pieces: list[str]
    ) -> tuple[Decision, CallFlow] | None:
        parsed = _words(command)
        if parsed is None:
            return None
        lines, joins = parsed
        lowered = command.lower()
        if "crustcore" in lowered or (self._markers and any(m in lowered for m in self._markers)):
            return None
        if find_metadata_hosts(command) or split_url(command) is not None:
            return None
        ops: list[tuple[OpKind, str, int]] = []  # (kind, path as the analyser writes it, command)
        cwds = [self._cwd]  # where the command at hand may run (see `_cd`)
        previous = ""
        for index, words in enumerate(lines):
            argv = [w for w, _ in words]
            name = argv[0]
            if words[0][1]:
                return None
            if name == "cd":
                # `_cd` proves the directory; the engine checks no other argument of `cd`
                # (one of its inert programs)
                cwds = self._cd(argv, joins, index, cwds)
            elif self._program(name, argv):
                if name == "make" and any(kind is OpKind.WRITE for kind, _, _ in ops):
                    return None  # it may run the recipes of a makefile the line wrote (`_make`)
                self._command(name, argv, index, cwds, previous=previous, ops=ops)
            else:
                return None
            joined = " ".join(argv)
            if joined not in command:
                pieces.append(joined)  # the words as the program receives them (`_shell`)
            previous = name
        if scan("\n".join(pieces)):
            return None
        execute = Operation(OpKind.EXECUTE, command=command, source="args.command")
        if self._rules and self._ruled(call, execute, ops, lines):
            return None
        reason = _REASONS[frozenset(kind for kind, _, _ in ops)]
        decision = Decision(Verdict.ALLOW, "allow", reason, operations=(execute,))
        return decision, _NO_FLOW

    def _field(self, word: str) -> Field:
        """The analyser's `Field` for a plain word (immutable, so one serves every line)."""
        found = self._fields.get(word)
        if found is None:
            if len(self._fields) >= _MAX_FIELDS:
                self._fields.clear()
            found = self._fields[word] = Field(word)
        return found

    def _command(
        self,
        name: str,
        argv: list[str],
        index: int,
        cwds: list[str],
        *,
        previous: str,
        ops: list[tuple[OpKind, str, int]],
    ) -> None:
        """Prove one command of the line in each directory it may run in, adding its path
        operations to `ops`."""
        recorder = _Recorder(Input(None, False, previous) if previous else None)
        if name not in _PYTHONS and cmdtable.known(name):
            cmdtable.describe(name, [self._field(a) for a in argv[1:]], recorder)
        targets: set[str] = set()
        for kind, target in recorder.ops:
            for cwd in cwds:
                path = target if target[0] == "/" else cwd + "/" + target
                if target not in targets and not self._fast.proven(path):
                    raise _Unproven
                ops.append((_KINDS[kind], path, index))
            targets.add(target)
        moved = cwds != [self._cwd]
        for arg in argv[1:]:
            if arg not in targets:
                for cwd in cwds:
                    self._mention(arg, cwd, moved)

    def _cd(self, argv: list[str], joins: list[str], index: int, cwds: list[str]) -> list[str]:
        """The directories the commands after `cd DIR` may run in: where it went, and where it
        was if a `;` or `||` after it lets a command run after a failed `cd`. `DIR` must pass
        the same proof as a path read and be a directory the resolver holds as real, and the
        `cd` may only be joined to its neighbours by `&&` or `;`."""
        if self._cdpath or len(argv) != 2 or argv[1].startswith("-"):
            raise _Unproven  # `cd`, `cd -`, `cd -P x`: home, `$OLDPWD`, options
        if index > 0 and joins[index - 1] not in _CD_JOINS:
            raise _Unproven
        if index < len(joins) and joins[index] not in _CD_JOINS:
            raise _Unproven
        target = argv[1]
        went: list[str] = []
        for cwd in cwds:
            path = lexical_clean(target if target[0] == "/" else cwd + "/" + target)
            if not self._fast.proven(path, directory=True):
                raise _Unproven
            went.append(path)
        fallible = any(join in (";", "||") for join in joins[index:])
        out = list(dict.fromkeys((*cwds, *went) if fallible else went))
        if len(out) > _MAX_CWDS:
            raise _Unproven
        return out

    @staticmethod
    def _program(name: str, argv: list[str]) -> bool:
        if name == "make":
            # no option (`-f`, `-C`, `--eval`, ...) and no variable set: the project's own
            # makefile with its own recipes, which the analyser does not read
            return all(a[0] != "-" and "=" not in a for a in argv[1:])
        if name in _PYTHONS:
            return len(argv) > 2 and argv[1] == "-m" and argv[2] in _PYTHON_MODULES
        subcommands = _PROGRAMS.get(name)
        if subcommands is None:
            return False
        if not subcommands:
            return True
        if len(argv) < 2 or argv[1] not in subcommands:
            return False
        if name == "git":
            return not any(a.startswith(("-c", "--config")) for a in argv)
        if name == "docker":
            return all(
                a.partition("=")[0] in _DOCKER_BUILD_OPTIONS for a in argv[2:] if a[0] == "-"
            )
        return True

    def _mention(self, arg: str, cwd: str, moved: bool) -> None:
        """The engine checks path-like arguments no description claimed (`_mentions`): each
        must be proven harmless too, or name nothing on disk. After a `cd` (`moved`), a bare
        word counts as a name in the new directory (`cd ~/.aws && tool credentials`)."""
        value = arg
        if arg.startswith("-"):
            _, eq, value = arg.partition("=")
            if not eq:
                return
        if "://" in value or value[:5].lower() == "file:":
            raise _Unproven
        words = [value[1:], value] if value.startswith("@") else [value]
        if ":" in value:
            words.extend(part for part in value.split(":") if part)
        for word in words:
            if not moved and "/" not in word and not word.startswith((".", "~")):
                continue  # a bare word is a word
            path = word if word[0] == "/" else cwd + "/" + word
            if not self._fast.proven(path, mention=True):
                raise _Unproven

    def _ruled(
        self,
        call: ToolCall,
        execute: Operation,
        ops: list[tuple[OpKind, str, int]],
        lines: list[list[tuple[str, bool]]],
    ) -> bool:
        """Whether any user rule matches an operation the pipeline would hand the rules (a
        path operation carries the text of its own command, as the analyser cut it)."""
        origin = call.origin
        for rule in self._rules:
            if rule.matches(_TOOL_CLEAN, OpKind.EXECUTE, [], [], execute.command, None, origin):
                return True
            for kind, path, index in ops:
                text = " ".join(f"'{w}'" if quoted else w for w, quoted in lines[index])
                forms = [path, lexical_clean(path)]  # as written, and as `_PathOp.forms` has it
                if rule.matches(_TOOL_CLEAN, kind, forms, [], text, None, origin):
                    return True
        return False
