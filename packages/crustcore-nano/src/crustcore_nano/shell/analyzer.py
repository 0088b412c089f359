"""The walk from syntax tree to facts: expansion, unwrapping, recursion and signals.

The analyser never runs anything and never touches the filesystem. It expands what it can from
the environment it is given and from assignments earlier in the same line, follows `sh -c`,
`eval`, pipes into shells, `find -exec` and interpreter code one level at a time (bounded by
`ShellLimits.max_depth`), and pays for every step from one budget.
"""

from __future__ import annotations

import functools
import posixpath
import shlex
from collections.abc import Mapping
from typing import TypeVar

from crustcore_nano.paths import NUMBER_VARIABLES
from crustcore_nano.shell import commands as cmdtable
from crustcore_nano.shell.codesecrets import SecretUse, code_secret_use
from crustcore_nano.shell.datatext import DATA_PROGRAMS
from crustcore_nano.shell.embedded import (
    EmbeddedKind,
    embedded_in_args,
    embedded_in_stdin,
    jq_reads_environment,
)
from crustcore_nano.shell.errors import (
    ShellArgumentError,
    ShellLimitError,
    ShellSyntaxError,
    StepLimitError,
)
from crustcore_nano.shell.expand import (
    GLOB_CHARS,
    Field,
    Piece,
    Val,
    brace_expand,
    is_placeholder,
    join_fields,
    placeholder,
    placeholder_index,
    split_fields,
)
from crustcore_nano.shell.facts import (
    ChmodFact,
    CodeFact,
    CommandFact,
    Finding,
    NetworkTarget,
    Operation,
    OpKind,
    RedirectFact,
    ShellAnalysis,
    ShellSignal,
)
from crustcore_nano.shell.fastparse import (
    PlainCommand,
    PlainLine,
    may_assign,
    scan_plain,
    simple_command,
    word_of,
)
from crustcore_nano.shell.interp import (
    CodeScan,
    argument_effects,
    looks_like_path,
    runs_stdin,
    scan_code,
)
from crustcore_nano.shell.leaks import SECRET_SINKS, secret_sent
from crustcore_nano.shell.lexer import is_name
from crustcore_nano.shell.limits import Budget, ShellLimits
from crustcore_nano.shell.makefile import make_commands
from crustcore_nano.shell.netparse import (
    file_url_path,
    is_url,
    parse_dev_tcp,
    split_host_port,
    url_target,
)
from crustcore_nano.shell.options import basename, parse_opts, sub
from crustcore_nano.shell.parser import parse_with
from crustcore_nano.shell.pkgsources import remote_script
from crustcore_nano.shell.secretvars import (
    CREDENTIAL_FILE_VARIABLES,
    credential_files_read,
    is_secret_name,
    with_stand_ins,
)
from crustcore_nano.shell.state import Ctx, Input, Stage, State
from crustcore_nano.shell.static import (
    decode_base64,
    decode_hex,
    echo_output,
    printf_output,
    tr_output,
)
from crustcore_nano.shell.storage import sends_stdin
from crustcore_nano.shell.syntax import (
    AnsiC,
    Arith,
    ArithCommand,
    BraceGroup,
    CaseClause,
    CmdSubst,
    Command,
    CondCommand,
    DoubleQuoted,
    ForClause,
    FunctionDef,
    IfClause,
    Lit,
    LoopClause,
    Param,
    Pipeline,
    ProcSubst,
    Redirect,
    Script,
    Sequence,
    SimpleCommand,
    Subshell,
    TokenKind,
    Word,
    WordPart,
)
from crustcore_nano.shell.wrappers import WRAPPER_NAMES, unwrap

# Enum members, bound once: on Python 3.11 each `OpKind.X` look-up costs a descriptor call.
_WORD = TokenKind.WORD
_CHDIR = OpKind.CHDIR
_CHMOD = OpKind.CHMOD
_DELETE = OpKind.DELETE
_ENV = OpKind.ENV
_EXECUTE = OpKind.EXECUTE
_LIST = OpKind.LIST
_NETWORK = OpKind.NETWORK
_READ = OpKind.READ
_WRITE = OpKind.WRITE

_T = TypeVar("_T")
_DEFAULT_IFS = " \t\n"
_SLOW_CHARS = frozenset("{~*?[")
"""Characters that send an unquoted literal word down the full expansion path."""
# Python modules run with `python -m` that are a command of their own
_PYTHON_MODULE_COMMANDS = {
    "awscli": "aws",
    "pip": "pip",
    "twine": "twine",
    "httpie": "http",
    "venv": "venv",
    "virtualenv": "virtualenv",
}
_QUIET_DEVICES = frozenset(
    {
        "/dev/null",
        "/dev/stdin",
        "/dev/stdout",
        "/dev/stderr",
        "/dev/tty",
        "/dev/zero",
        "/dev/fd/0",
        "/dev/fd/1",
        "/dev/fd/2",
        "/dev/urandom",
        "/dev/random",
    }
)
_PRIV_WRAPPERS = frozenset({"sudo", "doas", "pkexec", "su", "run0", "runuser", "sudoedit"})
_CODE_ENV = frozenset(
    {
        "GIT_SSH_COMMAND",
        "GIT_PROXY_COMMAND",
        "PROMPT_COMMAND",
        "GIT_EDITOR",
        "GIT_SEQUENCE_EDITOR",
        "GIT_PAGER",
        "GIT_EXTERNAL_DIFF",
        # Programs other tools start through the shell: `man`, `git`, `crontab -e`, `sudoedit`,
        # `systemctl`, `less`, `fzf` and `webbrowser` hand these values to `sh -c`.
        "EDITOR",
        "VISUAL",
        "SUDO_EDITOR",
        "PAGER",
        "MANPAGER",
        "SYSTEMD_PAGER",
        "BROWSER",
        "FZF_DEFAULT_COMMAND",
        "LESSOPEN",
        "LESSCLOSE",
        # Programs a build runs in place of (or around) its compiler, and npm's script shell.
        "CC",
        "CXX",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
        "npm_config_script_shell",
        "NPM_CONFIG_SCRIPT_SHELL",
        # Prompt strings: bash expands `$(...)` in them (PS4 on every traced line).
        "PS0",
        "PS1",
        "PS2",
        "PS4",
    }
)
_MAKE_FLAG_ENV = frozenset({"MAKEFLAGS", "GNUMAKEFLAGS", "MFLAGS"})
"""Variables make reads its command-line options from (`--eval` text included)."""
_PATH_PRINTERS = frozenset({"dirname", "basename", "realpath", "readlink"})
_STATIC_PROGRAMS = frozenset(
    {"echo", "printf", "cat", "base64", "base32", "basenc", "openssl", "xxd", "rev", "tr"}
)
_DECODER_NAMES = frozenset(
    {
        "base64",
        "base32",
        "basenc",
        "xxd",
        "openssl",
        "gzip",
        "bzip2",
        "xz",
        "zstd",
        "rev",
        "uudecode",
        "gunzip",
        "zcat",
        "bunzip2",
        "unxz",
        "tr",
    }
)
_COMMAND_COST = 64
"""Steps charged per simple command analysed: building its facts is the costliest unit of work,
so the step budget bounds wall time as well as input size."""
_MAX_FILES = 32
_MAX_PROC_OUTPUTS = 32
_CASE_OPS = frozenset({",,", "^^", ",", "^"})
_MAKE_PROGRAMS = frozenset({"make", "gmake", "bmake", "remake"})
_DEFAULT_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
# Paths that name the reader's own standard input: a script read from one is the input.
_STDIN_FILES = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
"""Files whose written content one analysis remembers (`State.files`)."""
_OVERFLOW_FILE = "\0overflow"
"""The `State.files` key that stands for every file written past `_MAX_FILES`."""
_UNKNOWN_CONTENT = Val("", False)
"""What a file holds when the program that wrote it has output we cannot compute."""
_MAX_FUNCTION_WALKS = 4
"""A function body is re-walked with call arguments at most this often (keeps work linear)."""
_DECLARE = frozenset({"export", "declare", "typeset", "local", "readonly"})
_BUILTINS = _DECLARE | {
    "eval",
    "source",
    ".",
    "cd",
    "pushd",
    "unset",
    "read",
    "mapfile",
    "readarray",
    "getopts",
    "set",
    "alias",
    "trap",
}
"""Every name `Analyzer._program` handles itself before looking at functions and the tables."""
_CODE_OPTS: dict[str, frozenset[str]] = {
    "python": frozenset({"-c"}),
    "node": frozenset({"-e", "--eval", "-p", "--print"}),
    "perl": frozenset({"-e", "-E"}),
    "ruby": frozenset({"-e"}),
    "php": frozenset({"-r"}),
    "lua": frozenset({"-e"}),
    "applescript": frozenset({"-e"}),
    "r": frozenset({"-e"}),
    "julia": frozenset({"-e", "-E", "--eval", "--print"}),
    "groovy": frozenset({"-e"}),
}
_NO_OPTS: frozenset[str] = frozenset()
# deno's options that take the next word as their value (`--allow-read`, `--reload` and the
# others with an optional value need `=`: `deno run --allow-read URL` runs URL).
_DENO_OPTS = frozenset(
    {"--config", "-c", "--import-map", "--cert", "--location", "--seed", "--ext"}
)
# bun's commands that manage or fetch packages rather than run a file.
_BUN_PACKAGE_COMMANDS = frozenset(
    {"add", "a", "install", "i", "x", "create", "c", "remove", "rm", "update", "link", "pm"}
)
_VALUE_OPTS: dict[str, frozenset[str]] = {
    "python": frozenset({"-W", "-X", "-Q"}),
    "node": frozenset(
        {
            "-r",
            "--require",
            "--input-type",
            "--loader",
            "--import",
            "-C",
            "--conditions",
            "--experimental-loader",
            "--env-file",
        }
    ),
    "perl": frozenset({"-I", "-M", "-m", "-x", "-0"}),
    "ruby": frozenset({"-I", "-r", "-E", "-C", "-x", "-0"}),
    "php": frozenset({"-d", "-c", "-z", "-t", "-S"}),
    "lua": frozenset({"-l"}),
    "applescript": frozenset({"-l", "-s"}),
    "r": frozenset(),
    "groovy": frozenset({"-cp", "-classpath", "--classpath", "-D", "--define", "-c", "--encoding"}),
    "julia": frozenset({"-t", "--threads", "-p", "--procs", "-J", "--sysimage", "-C"}),
}


def _prints_secrets(name: str, args: list[Field]) -> bool:
    """`printenv NAME` of a secret, or a dump of the whole environment (`env`, `printenv`,
    `export -p`, `declare -x`): the output carries secret values."""
    if name == "printenv":
        names = [f for f in args if not f.text.startswith("-")]
        return not names or any(is_secret_name(f.text) for f in names)
    if name == "env":  # a program to run was unwrapped already: this only prints
        return all(f.text.startswith("-") or "=" in f.text for f in args)
    if name in ("export", "declare", "typeset"):
        return any(f.text in ("-p", "-x", "-px", "-xp") for f in args) and all(
            f.text.startswith("-") for f in args
        )
    return jq_reads_environment(name, [f.text for f in args])  # `jq -n env`, `jq -n '$ENV'`


class _Invocation:
    """Collects the effects of one simple command; implements `Sink` for the command tables."""

    __slots__ = (
        "_child",
        "_stdin",
        "an",
        "code_fact",
        "code_secret",
        "input_secret",
        "ctx",
        "cwd",
        "env_pairs",
        "network",
        "ops",
        "parent",
        "privileged",
        "text",
    )

    def __init__(self, an: Analyzer, st: State, ctx: Ctx, stdin: Input | None, text: str):
        self.an = an
        self.parent = st
        self._child: State | None = None
        self.ctx = ctx
        self._stdin = stdin
        self.text = text
        self.ops: list[Operation] = []
        self.network: list[NetworkTarget] = []
        self.env_pairs: list[tuple[str, str]] = []
        self.privileged = False
        self.code_fact: CodeFact | None = None
        self.code_secret = False
        """Interpreter code run here holds a secret value (its output may carry it)."""
        self.input_secret = False
        """The interpreter is handed a secret in its arguments or on standard input."""
        self.cwd = st.cwd

    @property
    def stdin(self) -> Input | None:
        return self._stdin

    def assigned(self, name: str) -> Val | None:
        """The value `name` has in the child's environment, when the command line gave the
        child one of its own (`NAME=value cmd`); None otherwise."""
        return None if self._child is None else self._child.vars.get(name)

    @property
    def child(self) -> State:
        """The child process's view of the state, copied on first change."""
        if self._child is None:
            self._child = self.parent.copy()
        return self._child

    def op(self, kind: OpKind, target: Field, detail: str = "") -> None:
        text = target.text
        if "$" in text:
            text = with_stand_ins(text, self.parent.home)
        # Identity tests: a tuple or set of enum members would call Python-level __eq__/__hash__.
        if kind is _READ or kind is _WRITE or kind is _DELETE or kind is _LIST:
            if not text or (text == "-" and target.exact):
                return
            url_path = file_url_path(text)
            if url_path is not None:
                text = url_path
            tcp = parse_dev_tcp(text)
            if tcp is not None:
                self.connect(tcp)
                self.an.signal(ShellSignal.DEV_TCP, f"{detail or 'command'} uses {text}", self.text)
                return
            if text in _QUIET_DEVICES:
                return
        if (target.escaped or target.decoded) and kind is not _ENV:
            how = "escape sequences" if target.escaped else "decoded data"
            self.an.signal(
                ShellSignal.ESCAPE_OBFUSCATION,
                f"{how} spell the {kind.value} target {text!r}",
                self.text,
            )
        if kind is not _NETWORK and kind is not _ENV and (kind is not _EXECUTE or "/" in text):
            text = self.an.path(text, target.exact, self.cwd)
        self.ops.append(Operation(kind, text, target.exact, detail))

    def connect(self, target: NetworkTarget) -> None:
        self.network.append(target)

    def address(self, text: Field, via: str, default_port: int | None = None) -> None:
        value = text.text
        if not value or value.startswith("-"):
            return
        if not text.exact:
            self.connect(NetworkTarget(None, None, value, via))
            return
        path = file_url_path(value)
        if path is not None:
            self.op(_READ, sub(text, path), via)
            return
        target = url_target(value, via)
        if target is not None:
            self.connect(target)
            return
        host, port = split_host_port(value.split("/", 1)[0])
        if host:
            self.connect(NetworkTarget(host, port if port is not None else default_port, None, via))

    def chmod(self, mode: Field, path: Field, recursive: bool, via: str) -> None:
        ww, suid, sgid = mode_bits(mode.text)
        target = self.an.path(path.text, path.exact, self.cwd)
        self.an.chmods.append(
            ChmodFact(target, mode.text, ww, suid, sgid, recursive, mode.exact and path.exact, via)
        )
        if via != "chmod":
            self.ops.append(Operation(_CHMOD, target, path.exact, mode.text))

    def env(self, name: str, value: Val) -> None:
        self.env_pairs.append((name, value.text))
        self.child.vars[name] = value
        self.ops.append(Operation(_ENV, f"{name}={value.text}", value.exact))
        self.an.env_code(name, value, self.child, self.ctx)

    def unset_env(self, clear: bool, names: tuple[str, ...]) -> None:
        if clear:
            self.child.vars = {}
            self.child.env_complete = True
        for name in names:
            self.child.vars.pop(name, None)

    def chdir(self, path: Field) -> None:
        # A directory that cannot be pinned down stays as written (`$(cmd)/sub`): the names
        # used there are judged like `$(cmd)/sub/NAME` written out, not as names in the workspace
        self.cwd = self.an.path(path.text, path.exact, self.cwd)
        self.ops.append(Operation(_CHDIR, path.text, path.exact))

    def shell_code(self, code: Val, context: str, positional: list[Field] | None = None) -> None:
        st = self.child.copy()
        st.cwd = self.cwd
        if positional is not None:
            st.arg0 = positional[0].val() if positional else Val(context)
            st.positional = [f.val() for f in positional[1:]]
        self.an.run_code(code, st, self.ctx, context, self.text)

    def run_argv(self, argv: list[Field], context: str) -> None:
        st = self.child.copy()
        st.cwd = self.cwd
        self.an.run_argv(argv, st, self.ctx, context)

    def code(self, language: str, code: Val, context: str) -> None:
        fact = self.an.scan(language, code, self, context)
        if self.code_fact is None:
            self.code_fact = fact

    def signal(self, signal: ShellSignal, reason: str) -> None:
        self.an.signal(signal, reason, self.text)

    def mark_privileged(self) -> None:
        self.privileged = True

    def home(self, rel: str) -> Field:
        if self.parent.home is None:
            return Field("~/" + rel, False)
        return Field(posixpath.join(self.parent.home, rel))


def mode_bits(mode: str) -> tuple[bool, bool, bool]:
    """(world_writable, setuid, setgid) for an octal or symbolic chmod mode."""
    if mode.isdigit() and all(c in "01234567" for c in mode):
        value = int(mode, 8)
        return bool(value & 0o002), bool(value & 0o4000), bool(value & 0o2000)
    ww = suid = sgid = False
    for clause in mode.split(","):
        who_end = 0
        while who_end < len(clause) and clause[who_end] in "ugoa":
            who_end += 1
        who = clause[:who_end] or "a"
        rest = clause[who_end:]
        i = 0
        while i < len(rest):
            op = rest[i]
            j = i + 1
            while j < len(rest) and rest[j] not in "+-=":
                j += 1
            perms = rest[i + 1 : j]
            if op in "+=":
                if "w" in perms and ("o" in who or "a" in who) and clause[:who_end]:
                    ww = True
                if "s" in perms:
                    if "u" in who or "a" in who:
                        suid = True
                    if "g" in who or "a" in who:
                        sgid = True
            i = j
    return ww, suid, sgid


class Analyzer:
    """One analysis run: accumulates facts and signals while walking."""

    def __init__(self, limits: ShellLimits, budget: Budget, *, plain: bool = True) -> None:
        self.limits = limits
        self.budget = budget
        self.plain = plain
        """Whether plain lines take the `fastparse` shortcut (the tests turn it off to compare)."""
        self.facts: list[CommandFact] = []
        self.ops: list[Operation] = []
        self.network: list[NetworkTarget] = []
        self.env_assignments: list[tuple[str, str]] = []
        self.chmods: list[ChmodFact] = []
        self.findings: list[Finding] = []
        self.signals: set[ShellSignal] = set()
        self.fn_stack: list[str] = []
        self.fn_calls: dict[str, int] = {}
        self.proc_outputs: dict[str, Val | None] = {}
        """What each `<(...)` printed (None: not known), by its source text, so a shell or
        interpreter handed the file it names (`source <(...)`) runs that text."""
        self.secret_hits = 0
        self.written: dict[str, str] = {}
        """The last known text the line writes to each file, by path (for the policy's look at
        runnable files: a makefile or script written with `cat > F <<EOF`)."""
        self.feeding: set[int] = set()
        self.piped: list[tuple[int, int, int]] = []
        """How many expansions of a secret variable the walk has made; a substitution whose
        run raised it produces a secret value even when its text is not known."""

    # ------------------------------------------------------------------ results

    def signal(self, signal: ShellSignal, reason: str, text: str) -> None:
        if len(self.findings) < 256:
            self.findings.append(Finding(signal, reason, text[:200]))
        self.signals.add(signal)

    def path(self, text: str, exact: bool, cwd: str | None) -> str:
        """`text` as a path from `cwd` (which may itself be a directory that cannot be pinned
        down, kept as written: `$(cmd)`); an inexact `text` is left as it is."""
        if exact and cwd and text and not text.startswith(("/", "~")) and text != "-":
            # `posixpath.join(cwd, text)` for a relative `text` and a non-empty `cwd`, inline.
            return cwd + text if cwd[-1] == "/" else cwd + "/" + text
        return text

    # ------------------------------------------------------------------ entry points

    def run_code(self, code: Val, st: State, ctx: Ctx, context: str, text: str) -> Val | None:
        """Analyse `code` as a shell command line one level below `ctx`."""
        if not code.exact:
            self.signal(ShellSignal.UNRESOLVED_CODE, f"{context} runs code that is not known", text)
        if code.decoded:
            self.signal(ShellSignal.DECODE_TO_INTERPRETER, f"{context} runs decoded data", text)
        if code.escaped:
            self.signal(ShellSignal.ESCAPE_OBFUSCATION, f"{context} runs escape-built code", text)
        if not code.exact and code.text.startswith("$") and " " not in code.text:
            return None
        return self.run_text(code.text, st, ctx.depth + 1, context)

    def run_text(self, text: str, st: State, depth: int, context: str) -> Val | None:
        if depth > self.limits.max_depth:
            self.signal(
                ShellSignal.DEPTH_LIMIT,
                f"{context} nested deeper than {self.limits.max_depth}",
                text,
            )
            return None
        plain = self.scan_plain(text)
        if plain is not None:
            return self.run_plain(plain, st, Ctx(depth, context, text))
        try:
            script = parse_with(text, self.budget, self.limits, plain=self.plain)
        except StepLimitError:
            raise
        except ShellLimitError as exc:
            sig = ShellSignal.TOO_LARGE if "too large" in str(exc) else ShellSignal.DEPTH_LIMIT
            self.signal(sig, f"{context}: {exc}", text)
            return None
        except ShellSyntaxError as exc:
            self.signal(ShellSignal.UNPARSEABLE, f"{context}: {exc}", text)
            return None
        except RecursionError:
            self.signal(ShellSignal.DEPTH_LIMIT, f"{context}: nested too deeply", text)
            return None
        return self.run_script(script, st, Ctx(depth, context, script.source))

    def run_script(self, script: Script, st: State, ctx: Ctx) -> Val | None:
        return self._seq(script.body, st, ctx)

    def scan_plain(self, text: str) -> PlainLine | None:
        """A plain line (see `fastparse`) with its parsing already paid for, or None."""
        if not self.plain or len(text) > self.limits.max_input:
            return None
        scanned = scan_plain(text, self.limits)
        if scanned is None or self.budget.steps + scanned[1] > self.budget.limit:
            return None
        self.budget.tick(scanned[1])
        return scanned[0]

    def run_plain(self, line: PlainLine, st: State, ctx: Ctx) -> Val | None:
        """`_seq` over a plain line: the same walk, with no syntax tree built for plain words."""
        outputs: list[Val] = []
        known = True
        for pipelines, _ops, _start, _end in line:
            self.budget.tick()
            out: Val | None = None
            last = len(pipelines) - 1
            for index, (commands, start, end) in enumerate(pipelines):
                multi = len(commands) > 1
                stages: list[Stage] = []
                stdin: Input | None = None
                final = len(commands) - 1
                marks: list[int] = []
                for position, cmd in enumerate(commands):
                    marks.append(len(self.facts))
                    stage = self._plain_command(cmd, st.copy() if multi else st, ctx, stdin)
                    stages.append(stage)
                    if position < final:
                        stdin = Input(stage.output, False, stage.name, stage.secret)
                if multi:
                    self._pipeline_signals(stages, ctx.source[start:end])
                    self._mark_feeding(stages, marks)
                    self._mark_piped(marks)
                if index == last:
                    out = stages[-1].output
            if out is None or last > 0:
                known = False
            else:
                outputs.append(out)
        return self._seq_output(outputs, known)

    def _plain_command(self, cmd: PlainCommand, st: State, ctx: Ctx, stdin: Input | None) -> Stage:
        """`_command` and `_simple` for one plain simple command."""
        self.budget.tick()
        words, start, end = cmd
        if may_assign(words[0]):
            return self._simple(simple_command(cmd), st, ctx, stdin)
        fields: list[Field] = []
        steps = 0
        for word in words:
            text = word[2]
            tree = word[3]
            if tree is None:
                if _SLOW_CHARS.isdisjoint(text):
                    # What `_expand` does for one unquoted literal without brace, tilde or glob.
                    steps += 1 + len(text) // 32
                    fields.append(Field(text))
                    continue
                if "{" not in text and text[0] != "~":
                    # ... and for one with glob characters or a `~` that is not a tilde prefix.
                    steps += 3 + 2 * (len(text) // 32)
                    fields.append(Field(text, True, not GLOB_CHARS.isdisjoint(text)))
                    continue
            elif len(tree.parts) == 1:
                only = tree.parts[0]
                if isinstance(only, Lit) and only.quoted:
                    # ... and for one quoted literal (`'TODO'`).
                    steps += 1 + len(only.text) // 32
                    fields.append(Field(only.text))
                    continue
            if steps:
                self.budget.tick(steps)
                steps = 0
            fields.extend(self._expand(word_of(word), st, ctx))
        if steps:
            self.budget.tick(steps)
        return self._invoke(
            fields,
            [],
            redirects=[],
            stdin=stdin,
            st=st,
            ctx=ctx,
            text=ctx.source[start:end],
            span=(start, end),
        )

    def run_argv(self, argv: list[Field], st: State, ctx: Ctx, context: str) -> None:
        if ctx.depth + 1 > self.limits.max_depth:
            self.signal(ShellSignal.DEPTH_LIMIT, f"{context} nested too deeply", context)
            return
        text = " ".join(f.text for f in argv)
        inner = Ctx(ctx.depth + 1, context, text)
        self._invoke(
            argv, [], redirects=[], stdin=None, st=st, ctx=inner, text=text, span=(0, len(text))
        )

    # ------------------------------------------------------------------ lists

    def _seq(self, seq: Sequence, st: State, ctx: Ctx) -> Val | None:
        outputs: list[Val] = []
        known = True
        for item in seq.items:
            self.budget.tick()
            pipelines = item.and_or.pipelines
            # `cd DIR && pwd` prints what `pwd` prints: in a list joined only by `&&`, a `cd`
            # prints nothing, so the list's output is known when every other part's is.
            joined = len(pipelines) == 1 or all(op == "&&" for op in item.and_or.ops)
            parts: list[Val] = []
            for pipeline in pipelines:
                result = self._pipeline(pipeline, st, ctx)
                if result is None and joined and _silent_cd(pipeline, st):
                    result = Val("")
                if result is None:
                    joined = False
                parts.append(result if result is not None else Val(""))
            if joined:
                outputs.extend(parts)
            else:
                known = False
        return self._seq_output(outputs, known)

    def _seq_output(self, outputs: list[Val], known: bool) -> Val | None:
        """What a list writes to standard output, when every item's output is known."""
        if not known or not outputs:
            return None
        return Val(
            "".join(o.text for o in outputs)[: self.limits.max_value],
            all(o.exact for o in outputs),
            any(o.escaped for o in outputs),
            any(o.decoded for o in outputs),
            any(o.secret for o in outputs),
        )

    def _pipeline(self, pipeline: Pipeline, st: State, ctx: Ctx) -> Val | None:
        multi = len(pipeline.commands) > 1
        stages: list[Stage] = []
        stdin: Input | None = None
        last = len(pipeline.commands) - 1
        marks: list[int] = []
        for index, cmd in enumerate(pipeline.commands):
            marks.append(len(self.facts))
            stage = self._command(cmd, st.copy() if multi else st, ctx, stdin)
            stages.append(stage)
            if index < last:
                stdin = Input(stage.output, False, stage.name, stage.secret)
        if multi:
            self._pipeline_signals(stages, ctx.source[pipeline.start : pipeline.end])
            self._mark_feeding(stages, marks)
            self._mark_piped(marks)
        return stages[-1].output

    def _mark_piped(self, marks: list[int]) -> None:
        """Record, for each stage after the first, its commands and the commands of the stages
        before it, whose output it reads (`ShellAnalysis.piped`)."""
        end = len(self.facts)
        for k in range(1, len(marks)):
            stop = marks[k + 1] if k + 1 < len(marks) else end
            if stop > marks[k] > marks[0]:
                self.piped.append((marks[k], stop, marks[0]))

    def _mark_feeding(self, stages: list[Stage], marks: list[int]) -> None:
        """Record the facts of every stage whose output reaches a later stage that is not a
        data-only program (one backward pass over the stages)."""
        later_active = False
        end = len(self.facts)
        for index in range(len(stages) - 1, -1, -1):
            start = marks[index]
            if later_active:
                self.feeding.update(range(start, end))
            name = stages[index].name
            if not name or name not in DATA_PROGRAMS or name == "git":
                later_active = True
            end = start

    def _pipeline_signals(self, stages: list[Stage], text: str) -> None:
        """Signals about what feeds a shell or interpreter in one pipeline (one linear pass)."""
        for stage in stages[1:]:
            if stage.reads_code:
                break
        else:
            return  # every signal below is about a later stage that reads code
        socket = any(s.socket_tool for s in stages)
        decoder = fetcher = escapes = False
        for i, stage in enumerate(stages):
            if i > 0 and stage.reads_code:
                name = stage.name
                self.signal(ShellSignal.PIPE_TO_INTERPRETER, f"output is piped into {name}", text)
                if decoder:
                    self.signal(
                        ShellSignal.DECODE_TO_INTERPRETER,
                        f"decoded data is piped into {name}",
                        text,
                    )
                if fetcher:
                    self.signal(
                        ShellSignal.DOWNLOAD_TO_INTERPRETER,
                        f"downloaded data is piped into {name}",
                        text,
                    )
                if escapes:
                    self.signal(
                        ShellSignal.ESCAPE_OBFUSCATION,
                        f"escape-built text is piped into {name}",
                        text,
                    )
                if stage.shell and socket:
                    self.signal(
                        ShellSignal.REVERSE_SHELL,
                        f"{name} is joined to a network socket by a pipe",
                        text,
                    )
            decoder = decoder or stage.decoder
            fetcher = fetcher or stage.fetcher
            escapes = escapes or stage.escapes

    # ------------------------------------------------------------------ commands

    def _command(self, cmd: Command, st: State, ctx: Ctx, stdin: Input | None) -> Stage:
        self.budget.tick()
        if isinstance(cmd, SimpleCommand):
            return self._simple(cmd, st, ctx, stdin)
        if isinstance(cmd, FunctionDef):
            self._function_def(cmd, st, ctx)
            return Stage()
        if isinstance(cmd, ArithCommand):
            for subst in cmd.substs:
                self._subst(subst, st, ctx)
            return Stage()
        # Redirections on a compound command take effect before its body runs: a here-string
        # or file on `while ...; done <<< x` or `{ ...; } < f` is what a `read` inside gets.
        facts, ops, redirected, _ = self._redirects(
            cmd.redirects, st, ctx, ctx.source[cmd.start : cmd.end]
        )
        if redirected is not None:
            stdin = redirected
        saved = st.pipe_input
        if stdin is not None:
            st.pipe_input = stdin
        try:
            out = self._compound(cmd, st, ctx, stdin)
        finally:
            st.pipe_input = saved
        if facts:
            self._remember_redirects(facts, out, st, remote=False)
        self.ops.extend(ops)
        return Stage(output=out)

    def _compound(
        self,
        cmd: CondCommand | Subshell | BraceGroup | IfClause | LoopClause | ForClause | CaseClause,
        st: State,
        ctx: Ctx,
        stdin: Input | None,
    ) -> Val | None:
        out: Val | None = None
        if isinstance(cmd, CondCommand):
            fields = [f for w in cmd.words for f in self._expand(w, st, ctx)]
            text = ctx.source[cmd.start : cmd.end]
            inv = _Invocation(self, st, ctx, stdin, text)
            cmdtable.describe("test", fields, inv)
            self.ops.extend(inv.ops)
        elif isinstance(cmd, Subshell):
            out = self._seq(cmd.body, st.copy(), ctx)
        elif isinstance(cmd, BraceGroup):
            out = self._seq(cmd.body, st, ctx)
        elif isinstance(cmd, IfClause):
            for cond, body in cmd.branches:
                self._seq(cond, st, ctx)
                self._seq(body, st, ctx)
            if cmd.else_body is not None:
                self._seq(cmd.else_body, st, ctx)
        elif isinstance(cmd, LoopClause):
            self._seq(cmd.condition, st, ctx)
            self._seq(cmd.body, st, ctx)
        elif isinstance(cmd, ForClause):
            self._for(cmd, st, ctx)
        else:
            self._expand(cmd.word, st, ctx)
            for item in cmd.items:
                for pattern in item.patterns:
                    self._expand(pattern, st, ctx)
                self._seq(item.body, st, ctx)
        return out

    def _for(self, cmd: ForClause, st: State, ctx: Ctx) -> None:
        if cmd.arith is not None or not cmd.var:
            self._seq(cmd.body, st, ctx)
            return
        values: list[Val] | None = None
        secret = False
        if cmd.items is not None:
            fields = [f for w in cmd.items for f in self._expand(w, st, ctx)]
            secret = any(f.secret for f in fields)
            if len(fields) <= 4 and all(f.exact and not f.glob for f in fields):
                values = [f.val() for f in fields]
            elif len(fields) == 1:
                values = [Val(fields[0].text, False, secret=secret)]
        elif st.positional is not None and len(st.positional) <= 4:
            values = list(st.positional)
        if not values:
            st.vars[cmd.var] = Val("$" + cmd.var, False, secret=secret)
            self._seq(cmd.body, st, ctx)
            return
        for value in values:
            st.vars[cmd.var] = value
            self._seq(cmd.body, st, ctx)

    def _function_def(self, fn: FunctionDef, st: State, ctx: Ctx) -> None:
        st.functions[fn.name] = fn
        text = ctx.source[fn.start : fn.end]
        calls, spawning = _self_calls(fn.body, fn.name, self.budget)
        if spawning or calls >= 2:
            self.signal(
                ShellSignal.FORK_BOMB,
                f"function {fn.name!r} calls itself "
                + ("in a pipe or the background" if spawning else f"{calls} times"),
                text,
            )
        saved = st.positional
        st.positional = None
        self.fn_stack.append(fn.name)
        try:
            self._command(fn.body, st, Ctx(ctx.depth, f"function {fn.name}", ctx.source), None)
        finally:
            self.fn_stack.pop()
            st.positional = saved

    def _simple(self, cmd: SimpleCommand, st: State, ctx: Ctx, stdin: Input | None) -> Stage:
        assigns = [(a.name, a.append, self._value(a.value, st, ctx)) for a in cmd.assignments]
        fields: list[Field] = []
        for word in cmd.words:
            fields.extend(self._expand(word, st, ctx))
        text = ctx.source[cmd.start : cmd.end]
        return self._invoke(
            fields,
            assigns,
            redirects=list(cmd.redirects),
            stdin=stdin,
            st=st,
            ctx=ctx,
            text=text,
            span=(cmd.start, cmd.end),
        )

    def _invoke(
        self,
        fields: list[Field],
        assigns: list[tuple[str, bool, Val]],
        *,
        redirects: list[Redirect],
        stdin: Input | None,
        st: State,
        ctx: Ctx,
        text: str,
        span: tuple[int, int],
    ) -> Stage:
        self.budget.tick(_COMMAND_COST + len(fields))
        rfacts: list[RedirectFact]
        rops: list[Operation]
        if redirects:
            rfacts, rops, rstdin, tcp = self._redirects(tuple(redirects), st, ctx, text)
            if rstdin is not None:
                stdin = rstdin
        else:
            rfacts, rops, tcp = [], [], False
        if not fields:
            for name, append, value in assigns:
                val = value
                if append and name in st.vars:
                    old = st.vars[name]
                    val = Val(
                        old.text + val.text,
                        old.exact and val.exact,
                        old.escaped or val.escaped,
                        old.decoded or val.decoded,
                        old.secret or val.secret,
                    )
                st.vars[name] = val
                self.env_assignments.append((name, val.text))
                self.ops.append(Operation(_ENV, f"{name}={val.text}", val.exact))
                self.env_code(name, val, st, ctx)
            self.ops.extend(rops)
            return Stage()
        inv = _Invocation(self, st, ctx, stdin, text)
        for name, _append, val in assigns:
            inv.env(name, val)
        self.env_assignments.extend(inv.env_pairs)
        head = fields[0]
        if not head.exact or head.glob or head.escaped or head.decoded or head.brace:
            self._check_name(head, text)
        name = basename(head.text)
        argv = fields
        wrappers: tuple[str, ...] = ()
        xargs = lookup_only = False
        if head.exact and name in WRAPPER_NAMES:
            un = unwrap(fields, inv)
            argv, wrappers, xargs, lookup_only = un.argv, un.wrappers, un.xargs, un.lookup_only
            if argv and argv[0] is not head:
                name = basename(argv[0].text)
        if len(inv.env_pairs) > len(assigns):
            self.env_assignments.extend(inv.env_pairs[len(assigns) :])
        if wrappers and not _PRIV_WRAPPERS.isdisjoint(wrappers):
            inv.privileged = True
        if argv and argv[0] is not head:
            self._check_name(argv[0], text)
        stage = Stage()
        unchanged = argv is fields
        if lookup_only:
            # `command -v NAME` only looks NAME up: the fact is about `command`, nothing runs.
            if argv and argv[-1].exact:
                stage.output = Val(argv[-1].text + "\n")
            argv = []
        if argv:
            stage.name = name
            args = argv[1:]
            if xargs:
                if stdin is not None and stdin.val is not None and stdin.val.exact:
                    args = args + [
                        Field(
                            t,
                            True,
                            not GLOB_CHARS.isdisjoint(t),
                            stdin.val.escaped,
                            stdin.val.decoded,
                            secret=stdin.secret,
                        )
                        for t in stdin.val.text.split()[:64]
                    ]
                else:
                    secret = stdin is not None and stdin.secret
                    args = [*args, Field("{xargs input}", False, secret=secret)]
                argv = [argv[0], *args]
            inv.op(_EXECUTE, argv[0], "program")
            self._program(
                name, argv[0], args, inv, st=st, stage=stage, stdin=stdin, tcp=tcp, rfacts=rfacts
            )
            if inv.code_secret:
                stage.secret = True  # `python -c "print(os.environ['KEY'])" | ...`
            self._secret_flow(name, args, stdin, stage, text)
            if name == "tee":
                content = stdin.val if stdin is not None else None
                for f in args:
                    if not f.text.startswith("-"):
                        self._remember(f.text, f.exact, content, False, st, remote=True)
        else:
            name = wrappers[-1] if wrappers else ""
            if name == "env":  # `env` with nothing to run prints the environment
                stage.secret = True
                self.secret_hits += 1
        if rfacts:
            remote = stage.fetcher or stage.decoder or stage.socket_tool
            self._remember_redirects(rfacts, stage.output, st, remote=remote)
        if stage.fetcher or stage.socket_tool:
            # `curl -o x.sh URL`, `wget -O x.sh URL`: whatever the program saves is downloaded.
            for op in inv.ops:
                if op.kind is _WRITE:
                    self._remember(op.target, op.exact, None, False, st, remote=True)
        if name == "exec" or (wrappers and wrappers[-1] == "exec" and not argv):
            for fact in rfacts:
                if fact.kind is not None and parse_dev_tcp(fact.target) is not None:
                    st.tcp_fds.add(fact.fd if fact.fd is not None else 0)
        ops = rops + inv.ops if rops else inv.ops
        network = inv.network
        self.ops.extend(ops)
        self.network.extend(network)
        argv_text = tuple([f.text for f in argv])
        # Positional arguments, in field order: keywords cost a third more on this hot path.
        self.facts.append(
            CommandFact(
                argv[0].text if argv else name,  # program
                name,
                argv_text,  # argv
                tuple([f.exact for f in argv]),  # argv_exact
                argv_text if unchanged else tuple([f.text for f in fields]),  # full_argv
                wrappers,
                tuple(rfacts),  # redirects
                tuple(ops),  # operations
                tuple(inv.env_pairs),  # env
                tuple(network),
                inv.code_fact,  # code
                inv.privileged,
                ctx.depth,
                ctx.context,
                text,
                span,
                inv.cwd,
            )
        )
        return stage

    def _secret_flow(
        self, name: str, args: list[Field], stdin: Input | None, stage: Stage, text: str
    ) -> None:
        """Follow secret values: report a network client that sends one, and mark what this
        command passes on (its output) when a secret went into it."""
        stdin_secret = stdin is not None and stdin.secret
        arg_secret = False
        for f in args:
            if f.secret:
                arg_secret = True
                break
        if not stdin_secret and not arg_secret:
            if not _prints_secrets(name, args):
                return
            arg_secret = True  # `printenv OPENAI_API_KEY` prints the value, `env` all of them
            self.secret_hits += 1
        if name in SECRET_SINKS:
            reason = secret_sent(name, args, stdin_secret)
            if reason is not None:
                self.signal(ShellSignal.SECRET_EXFILTRATION, reason, text)
            stage.secret = stdin_secret  # the reply is not the secret; what passes through is
        else:
            if stdin_secret and sends_stdin(name, args):  # `echo $KEY | aws s3 cp - s3://b/k`
                reason = f"{name} uploads standard input that carries a secret variable's value"
                self.signal(ShellSignal.SECRET_EXFILTRATION, reason, text)
            stage.secret = True
        out = stage.output
        if stage.secret and out is not None and not out.secret:
            stage.output = Val(out.text, out.exact, out.escaped, out.decoded, True)

    def _read_line(self, name: str, stdin: Input | None) -> Val | None:
        """What `read VAR` takes from known input: the one line of it (a `find` pattern, say)."""
        if name != "read" or stdin is None or stdin.val is None or not stdin.val.exact:
            return None
        lines = stdin.val.text.strip("\n").split("\n")
        if len(lines) != 1:
            return None
        return Val(lines[0].strip(), True, stdin.val.escaped, stdin.val.decoded, stdin.secret)

    def _remember_redirects(
        self, rfacts: list[RedirectFact], output: Val | None, st: State, *, remote: bool
    ) -> None:
        """Note what standard-output redirections write, for a later command that runs the file."""
        for fact in rfacts:
            if fact.kind is _WRITE and fact.op != "<>" and fact.fd in (None, 1):
                self._remember(fact.target, fact.exact, output, ">>" in fact.op, st, remote=remote)

    def _remember(
        self,
        target: str,
        exact: bool,
        content: Val | None,
        append: bool,
        st: State,
        *,
        remote: bool,
    ) -> None:
        """Record that `target` now holds `content`.

        None is output we cannot compute: from a downloader, decoder or socket (`remote`) it
        is unknown code if run later; from a local program (`python3 gen.py > gen.sh`) it is
        no more unknown than the program that made it, so the file is simply forgotten.
        """
        if not exact or target in _QUIET_DEVICES:
            return
        path = posixpath.normpath(self.path(target, True, st.cwd))
        if content is None and not remote:
            st.files.pop(path, None)
            return
        old = st.files.get(path)
        if old is None and len(st.files) >= _MAX_FILES:
            # Past the table's bound a file still counts as written, with unknown content.
            path = _OVERFLOW_FILE
        new = content if content is not None else _UNKNOWN_CONTENT
        self.budget.tick(1 + len(new.text) // 32)
        if append and old is not None:
            new = Val(
                (old.text + new.text)[: self.limits.max_value],
                old.exact and new.exact and len(old.text) + len(new.text) <= self.limits.max_value,
                old.escaped or new.escaped,
                old.decoded or new.decoded,
            )
        st.files[path] = new
        if new is not _UNKNOWN_CONTENT and path != _OVERFLOW_FILE:
            self.written[path] = new.text

    def _written(self, f: Field, st: State) -> Val | None:
        """What this line wrote to the file `f` names, when it wrote it (None otherwise)."""
        if not st.files:
            return None
        if not f.exact:
            # A file whose name we cannot resolve may be one we saw written: not known.
            return _UNKNOWN_CONTENT
        path = posixpath.normpath(self.path(f.text, True, st.cwd))
        found = st.files.get(path)
        if found is None and _OVERFLOW_FILE in st.files:
            return _UNKNOWN_CONTENT
        return found

    def _run_written(
        self, content: Val, inv: _Invocation, via: str, positional: list[Field] | None
    ) -> None:
        """Analyse a file written earlier on this line as the program it is run as."""
        lang: str | None = None
        if content.text.startswith("#!"):
            words = content.text[2:].split("\n", 1)[0].split()
            if words:
                prog = basename(words[0])
                if prog == "env" and len(words) > 1:
                    prog = basename(words[-1])
                lang = cmdtable.language_of(prog)
        if lang is None:
            inv.shell_code(content, f"{via} (written on this line)", positional)
        else:
            inv.code(lang, content, f"{via} (written on this line)")

    def _check_name(self, head: Field, text: str) -> None:
        if not head.exact and head.text != "{xargs input}":
            self.signal(
                ShellSignal.DYNAMIC_COMMAND_NAME,
                f"the command name {head.text!r} is not known",
                text,
            )
        if head.glob and head.text not in ("[", "[["):
            self.signal(
                ShellSignal.GLOB_COMMAND_NAME, f"the command name {head.text!r} is a glob", text
            )
        if head.escaped:
            self.signal(
                ShellSignal.ESCAPE_OBFUSCATION,
                f"the command name {head.text!r} is spelled with escapes",
                text,
            )
        if head.decoded:
            self.signal(
                ShellSignal.DECODE_TO_INTERPRETER, "the command name comes from decoded data", text
            )
        if head.brace:
            self.signal(
                ShellSignal.BRACE_COMMAND_NAME,
                f"the command name {head.text!r} comes from brace expansion",
                text,
            )

    def _program(
        self,
        name: str,
        head: Field,
        args: list[Field],
        inv: _Invocation,
        *,
        st: State,
        stage: Stage,
        stdin: Input | None,
        tcp: bool,
        rfacts: list[RedirectFact],
    ) -> None:
        text = inv.text
        if name in _ZSH_SOCKETS and not any(a.text in ("-c", "-L") for a in args):
            # zsh's `ztcp host port` / `zsocket path` opens a socket and leaves its number in
            # `$REPLY`; a later `zsh >&$REPLY` hands that socket to a shell.
            st.tcp_fds.add(_UNKNOWN_FD)
        lang = cmdtable.language_of(name)
        shell = cmdtable.is_shell(name)
        if (shell or lang is not None) and (
            tcp
            or any(_copies_descriptor(f) and _dup_source(f) in st.tcp_fds for f in rfacts)
            or _shared_descriptor(rfacts)
        ):
            self.signal(
                ShellSignal.REVERSE_SHELL, f"{name} has its input or output on a socket", text
            )
        if shell:
            self._shell(name, args, inv, stage, stdin)
        elif lang is not None:
            self._interpreter(lang, name, args, inv, stage=stage, stdin=stdin)
        elif name not in _BUILTINS and name not in st.functions:
            _describe(name, head, args, inv)
            self._embedded(name, args, inv, stdin)
            if name in _MAKE_PROGRAMS:
                self._make(name, args, inv, stage)
            if "/" in head.text or not head.exact:
                written = self._written(head, st)
                if written is not None:
                    self._run_written(written, inv, head.text, [head, *args])
        elif name == "eval":
            inv.shell_code(join_fields(args), "eval")
        elif name in ("source", "."):
            for f in args[:1]:
                inv.op(_READ, f, name)
                inv.op(_EXECUTE, f, name)
                if self._code_file(name, f, None, inv, stage, positional=[head, *args[1:]]):
                    continue
                written = self._written(f, st)
                if written is not None:
                    inv.shell_code(written, f"{name} (written on this line)", [head, *args[1:]])
        elif name in ("cd", "pushd"):
            target = self._cd_target(name, args, st, inv)
            if target is not None:
                old = st.cwd
                st.cwd = self.path(target.text, target.exact, st.cwd)  # as `_Invocation.chdir`
                if old is not None:
                    st.vars["OLDPWD"] = Val(old, _pinned_dir(old))
                inv.ops.append(Operation(_CHDIR, target.text, target.exact))
        elif name in _DECLARE:
            # `declare -n r=HOME`: `$r` is `$HOME` (a name reference), not the text "HOME".
            nameref = any(
                f.text.startswith("-") and "n" in f.text and not f.text.startswith("--")
                for f in args
            )
            for f in args:
                key, eq, value = f.text.partition("=")
                if eq and is_name(key.rstrip("+")):
                    val = sub(f, value).val()
                    if nameref:
                        found = self._lookup(value, st) if f.exact and is_name(value) else None
                        val = found if found is not None else Val("$" + key, False)
                    st.vars[key.rstrip("+")] = val
                    self.env_assignments.append((key.rstrip("+"), value))
                    inv.ops.append(Operation(_ENV, f"{key.rstrip('+')}={value}", f.exact))
                    self.env_code(key, val, st, inv.ctx)
        elif name == "unset":
            for f in args:
                st.vars.pop(f.text, None)
        elif name in ("read", "mapfile", "readarray", "getopts"):
            names = [f.text for f in args if is_name(f.text)]
            source = inv.stdin if inv.stdin is not None else st.pipe_input
            line = self._read_line(name, source)
            secret = source is not None and source.secret  # `echo $TOKEN | while read t`
            array = _read_array(name, args, source)
            if array is not None:  # `mapfile -t a <<< ...`, `read -a a <<< ...`
                names, line = names[-1:] or ["MAPFILE"], array
            for var in names:
                got = line if line is not None and len(names) == 1 else Val("$" + var, False)
                if secret and not got.secret:
                    got = Val(got.text, got.exact, got.escaped, got.decoded, True)
                st.vars[var] = got
        elif name == "set" and args and args[0].text == "--":
            st.positional = [f.val() for f in args[1:]]
        elif name == "alias":
            for f in args:
                _key, eq, value = f.text.partition("=")
                if eq:
                    inv.shell_code(sub(f, value).val(), "alias")
        elif name == "trap" and args:
            inv.shell_code(args[0].val(), "trap")
        elif name in st.functions and name not in self.fn_stack:
            calls = self.fn_calls.get(name, 0)
            if calls < _MAX_FUNCTION_WALKS:
                self.fn_calls[name] = calls + 1
                self._call_function(name, args, st, inv.ctx)
        else:
            _describe(name, head, args, inv)
        if name == "printf" and len(args) >= 2 and args[0].text == "-v":
            # `printf -v NAME FORMAT ...` assigns the formatted text instead of printing it.
            var = args[1].text.partition("[")[0]
            if is_name(var):
                out = printf_output(args[2:]) if args[2:] else None
                st.vars[var] = out if out is not None else Val("$" + var, False)
        elif name in _STATIC_PROGRAMS:
            stage.output = self._static_output(name, args, stdin)
        elif name == "which" and args and args[-1].exact:
            stage.output = Val(args[-1].text + "\n")
        elif name in _PATH_PRINTERS:
            stage.output = cmdtable.path_output(name, args)
        elif name == "pwd" and not args and st.cwd is not None:
            stage.output = Val(st.cwd + "\n", _pinned_dir(st.cwd))
        elif name == "mktemp":
            stage.output = self._mktemp_output(args, st)
        elif name in ("find", "fd", "fdfind"):
            stage.output = cmdtable.found_paths(name, args)
        elif name in ("ls", "dir"):
            stage.output = cmdtable.listed_paths(args)
        stage.decoder = name in _DECODER_NAMES and _is_decoder(name, args)
        stage.fetcher = name in cmdtable.FETCHERS
        stage.socket_tool = name in cmdtable.SOCKET_TOOLS and (
            name != "openssl" or bool(args and args[0].text == "s_client")
        )
        stage.shell = shell
        stage.escapes = stage.output is not None and stage.output.escaped

    def _call_function(self, name: str, args: list[Field], st: State, ctx: Ctx) -> None:
        if ctx.depth + 1 > self.limits.max_depth:
            self.signal(ShellSignal.DEPTH_LIMIT, f"function {name} nested too deeply", name)
            return
        fn = st.functions[name]
        saved = st.positional
        st.positional = [f.val() for f in args]
        self.fn_stack.append(name)
        try:
            self._command(fn.body, st, Ctx(ctx.depth + 1, f"function {name}", ctx.source), None)
        finally:
            self.fn_stack.pop()
            st.positional = saved

    def _shell(
        self, name: str, args: list[Field], inv: _Invocation, stage: Stage, stdin: Input | None
    ) -> None:
        i = 0
        has_c = from_stdin = False
        while i < len(args):
            t = args[i].text
            if not args[i].exact or t in ("-", "--") or not t.startswith(("-", "+")):
                if t in ("-", "--"):
                    i += 1
                break
            if t in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
                if t in ("--rcfile", "--init-file") and i + 1 < len(args):
                    inv.op(_READ, args[i + 1], f"{name} {t}")
                i += 2
                continue
            if not t.startswith("--") and "c" in t[1:]:
                has_c = True
            if not t.startswith("--") and t.startswith("-") and "s" in t[1:]:
                from_stdin = True
            i += 1
        rest = args[i:]
        if has_c:
            if rest:
                inv.shell_code(rest[0].val(), f"{name} -c", rest[1:] or [Field(name)])
            return
        if rest and not from_stdin:
            inv.op(_READ, rest[0], f"{name} script")
            inv.op(_EXECUTE, rest[0], f"{name} script")
            if self._code_file(name, rest[0], None, inv, stage, positional=rest):
                return
            written = self._written(rest[0], inv.parent)
            if written is not None:
                inv.shell_code(written, f"{name} script (written on this line)", rest)
            return
        stage.reads_code = True
        self._stdin_code(name, None, inv, stdin)

    def _code_file(
        self,
        via: str,
        f: Field,
        lang: str | None,
        inv: _Invocation,
        stage: Stage,
        *,
        positional: list[Field] | None,
    ) -> bool:
        """Run the program a script argument names when it is not a file on disk: the reader's
        own standard input (`source /dev/stdin <<< ...`, `python3 /dev/fd/0`) or a process
        substitution (`bash <(echo ... | base64 -d)`). True when `f` was one of those."""
        if f.exact and f.text in _STDIN_FILES:
            stage.reads_code = True
            self._stdin_code(via, lang, inv, inv.stdin)
            return True
        if f.exact or not (f.text.startswith("<(") and f.text.endswith(")")):
            return False
        code = self.proc_outputs.get(f.text)
        if code is None:
            self.signal(
                ShellSignal.UNRESOLVED_CODE,
                f"{via} runs code from a process substitution that is not known",
                inv.text,
            )
        elif lang is None:
            inv.shell_code(code, f"{via} <()", positional)
        else:
            inv.code(lang, code, f"{via} <()")
        return True

    def _make(self, name: str, args: list[Field], inv: _Invocation, stage: Stage) -> None:
        """Run the recipes of a makefile this line supplies (`make -f - <<< ...`, a file it
        wrote, a `<(...)`) and `--eval` text; a makefile on disk is the project's own."""
        texts: list[Val] = []
        files: list[Field] = []
        i = 0
        while i < len(args):
            a = args[i]
            t = a.text
            if t == "--":
                break
            nxt = args[i + 1] if i + 1 < len(args) else None
            if t in ("-E", "--eval"):
                if nxt is not None:
                    texts.append(nxt.val())
                i += 2
                continue
            if t in ("-f", "--file", "--makefile"):
                if nxt is not None:
                    files.append(nxt)
                i += 2
                continue
            key, eq, value = t.partition("=")
            if eq and key == "--eval":
                texts.append(sub(a, value).val())
            elif eq and key in ("--file", "--makefile"):
                files.append(sub(a, value))
            elif t.startswith("-f") and len(t) > 2 and a.exact:
                files.append(sub(a, t[2:]))
            elif t.startswith("-E") and len(t) > 2:
                texts.append(sub(a, t[2:]).val())
            i += 1
        if not files:
            files = [Field(n) for n in _DEFAULT_MAKEFILES]
        for f in files:
            if f.exact and f.text in (*_STDIN_FILES, "-"):
                stdin = inv.stdin
                stage.reads_code = True
                if stdin is not None and stdin.val is not None:
                    texts.append(stdin.val)
                continue
            if not f.exact and f.text.startswith("<(") and f.text.endswith(")"):
                known = self.proc_outputs.get(f.text)
                if known is not None:
                    texts.append(known)
                continue
            written = self._written(f, inv.parent)
            if written is not None and written is not _UNKNOWN_CONTENT:
                texts.append(written)
        for text in texts:
            self.budget.tick(1 + len(text.text) // 32)
            found = make_commands(text.text)
            if found.truncated:
                self.signal(ShellSignal.UNRESOLVED_CODE, f"{name} runs more recipes", inv.text)
            code = Val(
                "\n".join(found.commands), text.exact, text.escaped, text.decoded, text.secret
            )
            if found.commands:
                inv.shell_code(code, f"{name} recipe")

    def _stdin_code(
        self, name: str, lang: str | None, inv: _Invocation, stdin: Input | None
    ) -> None:
        if stdin is None:
            return
        if stdin.heredoc:
            self.signal(
                ShellSignal.HEREDOC_TO_INTERPRETER, f"a here-document is run by {name}", inv.text
            )
        if stdin.val is None:
            if stdin.producer:
                self.signal(
                    ShellSignal.UNRESOLVED_CODE,
                    f"{name} runs code from {stdin.producer} that is not known",
                    inv.text,
                )
            return
        context = "heredoc" if stdin.heredoc else "pipe"
        if lang is None:
            inv.shell_code(stdin.val, f"{name} {context}", [])
        else:
            inv.code(lang, stdin.val, f"{name} {context}")

    def _interpreter(
        self,
        lang: str,
        name: str,
        args: list[Field],
        inv: _Invocation,
        *,
        stage: Stage,
        stdin: Input | None,
    ) -> None:
        code_opts = _CODE_OPTS.get(lang, _NO_OPTS)
        value_opts = _VALUE_OPTS.get(lang, _NO_OPTS)
        codes: list[Field] = []
        in_place = False
        i = 0
        if name == "deno" and args and args[0].text in ("eval", "run", "x", "install", "compile"):
            if args[0].text == "eval" and len(args) >= 2:
                inv.code("node", args[-1].val(), "deno eval")
                return
            _, rest = parse_opts(args[1:], _DENO_OPTS)
            for f in rest[:1]:
                if args[0].text in ("run", "x") or is_url(f.text):
                    self._script_arg(f, inv, name)
            return
        if name == "bun" and args and args[0].text in _BUN_PACKAGE_COMMANDS:
            if args[0].text == "x":  # `bun x PKG` is `bunx PKG`
                cmdtable.describe("bunx", args[1:], inv)
            else:
                cmdtable.describe(name, args, inv)
            return
        if name == "bun" and args and args[0].text in ("run", "exec"):
            for f in args[1:2]:
                self._script_arg(f, inv, name)
            return
        while i < len(args):
            a = args[i]
            t = a.text
            if not a.exact or not t.startswith("-") or t == "-":
                break
            if t == "--":
                i += 1
                break
            if t.startswith("--"):
                key, eq, value = t.partition("=")
                if key in code_opts:
                    if eq:
                        codes.append(sub(a, value))
                    elif i + 1 < len(args):
                        codes.append(args[i + 1])
                        i += 1
                    i += 1
                    if lang == "python":
                        break
                    continue
                if key in value_opts and not eq:
                    i += 1
                i += 1
                continue
            if t in value_opts:
                i += 2
                continue
            if lang == "python" and t == "-m":
                mods = args[i + 1 : i + 2]
                if mods and mods[0].text in ("http.server", "SimpleHTTPServer"):
                    self._http_server(name, args[i + 2 :], inv)
                elif mods and mods[0].text in _PYTHON_MODULE_COMMANDS:
                    # `python -m awscli s3 cp ...` is the `aws` command
                    program = sub(mods[0], _PYTHON_MODULE_COMMANDS[mods[0].text])
                    inv.run_argv([program, *args[i + 2 :]], f"{name} -m {mods[0].text}")
                return
            took = False
            for k in range(1, len(t)):
                flag = "-" + t[k]
                if flag in code_opts:
                    tail = t[k + 1 :]
                    if tail:
                        codes.append(sub(a, tail))
                    elif i + 1 < len(args):
                        codes.append(args[i + 1])
                        i += 1
                    took = True
                    break
                if flag in value_opts:
                    if not t[k + 1 :] and i + 1 < len(args):
                        i += 1
                    break
                if flag == "-i" and lang in ("perl", "ruby"):
                    in_place = True
                    break
            i += 1
            if took and lang == "python":
                break
        rest = args[i:]
        if codes:
            code = join_fields(codes, "\n")
            inv.input_secret = (stdin is not None and stdin.secret) or any(
                f.secret for f in args[i:]
            )
            inv.code(lang, code, f"{name} code")
            if stdin is not None and runs_stdin(code.text):
                # `python -c "exec(sys.stdin.read())" <<< CODE`: the input is the program.
                stage.reads_code = True
                self._stdin_code(name, lang, inv, stdin)
            self._argument_files(lang, name, code.text, rest, inv, in_place=in_place)
            return
        script = bool(rest) and rest[0].text != "-"
        inv.input_secret = any(f.secret for f in rest) or (
            script and stdin is not None and stdin.secret
        )
        if script:
            self._script_arg(rest[0], inv, name, lang)
            self._code_file(name, rest[0], lang, inv, stage, positional=None)
            return
        stage.reads_code = True
        self._stdin_code(name, lang, inv, stdin)
        if stdin is not None and stdin.val is not None:
            # `python3 - FILE <<'EOF'`: the arguments after `-` are the program's argv.
            self._argument_files(lang, name, stdin.val.text, rest[1:], inv, in_place=False)

    @staticmethod
    def _argument_files(
        lang: str, name: str, code: str, args: list[Field], inv: _Invocation, *, in_place: bool
    ) -> None:
        """The files a program's arguments name. perl/ruby -n/-p read them (and write them
        with -i); other code that looks at its argv (`open(sys.argv[1])`) is taken to read
        the ones that look like paths, and to write or delete every one when it also writes
        or deletes files (`python -c 'open(sys.argv[1], "w")...' ~/.bashrc`)."""
        uses_argv = "argv" in code or "ARGV" in code
        writes, deletes = argument_effects(code) if uses_argv else (False, False)
        for f in args:
            if lang in ("perl", "ruby") or (uses_argv and looks_like_path(f.text)):
                inv.op(_READ, f, name)
                if in_place:
                    inv.op(_WRITE, f, f"{name} -i")
            if f.text.startswith("-"):
                continue
            if writes:
                inv.op(_WRITE, f, f"{name} code that writes the files its arguments name")
            if deletes:
                inv.op(_DELETE, f, f"{name} code that deletes the files its arguments name")

    def _http_server(self, name: str, args: list[Field], inv: _Invocation) -> None:
        """`python -m http.server [port] [-d DIR]` listens and serves a directory tree (the
        current one by default) to whoever connects: the tree is read."""
        port = "8000"
        served: Field | None = None
        k = 0
        while k < len(args):
            t = args[k].text
            if t in ("-d", "--directory") and k + 1 < len(args):
                served = args[k + 1]
                k += 1
            elif t.startswith("--directory="):
                served = sub(args[k], t.partition("=")[2])
            elif t in ("-b", "--bind", "-p", "--protocol") and k + 1 < len(args):
                k += 1
            elif t.isdigit():
                port = t
            k += 1
        if served is None and inv.cwd is not None:
            served = Field(inv.cwd)
        if served is not None:
            inv.op(_READ, served, f"{name} -m http.server")
        inv.connect(
            NetworkTarget(
                None, int(port) if port.isdigit() else None, None, f"{name} -m http.server", True
            )
        )

    def _embedded(
        self, name: str, args: list[Field], inv: _Invocation, stdin: Input | None
    ) -> None:
        """Shell commands and code a debugger, editor, Tcl shell or PowerShell runs from its
        arguments or standard input (`gdb -ex 'shell ...'`, `tclsh <<< 'exec ...'`); see
        `crustcore_nano.shell.embedded`."""
        texts = [f.text for f in args]
        found = embedded_in_args(name, texts)
        if stdin is not None and stdin.val is not None:
            found.extend(embedded_in_stdin(name, stdin.val.text, texts))
        exact = all(f.exact for f in args)
        for item in found:
            if item.kind is EmbeddedKind.READ or item.kind is EmbeddedKind.WRITE:
                kind = _READ if item.kind is EmbeddedKind.READ else _WRITE
                inv.op(kind, Field(item.text, exact), f"{name} file command")
                continue
            code = Val(item.text, exact, False, item.decoded)
            if item.kind is EmbeddedKind.SHELL:
                inv.shell_code(code, f"{name} shell command")
            else:
                inv.code(item.kind.value, code, f"{name} {item.kind.value} code")

    def _script_arg(self, f: Field, inv: _Invocation, via: str, lang: str = "") -> None:
        if is_url(f.text):
            inv.address(f, via)
            inv.op(_EXECUTE, f, f"{via} remote script")
            if f.exact and remote_script(f.text):
                self.signal(
                    ShellSignal.REMOTE_PACKAGE,
                    f"{via} runs the script at {f.text!r}, an address rather than a registry",
                    inv.text,
                )
            return
        inv.op(_READ, f, f"{via} script")
        inv.op(_EXECUTE, f, f"{via} script")
        written = self._written(f, inv.parent) if lang else None
        if written is not None:
            inv.code(lang, written, f"{via} script (written on this line)")

    def scan(self, language: str, code: Val, inv: _Invocation, context: str) -> CodeFact:
        if not code.exact:
            self.signal(ShellSignal.UNRESOLVED_CODE, f"{context} is not fully known", inv.text)
        if code.decoded:
            self.signal(ShellSignal.DECODE_TO_INTERPRETER, f"{context} runs decoded data", inv.text)
        result = scan_code(language, code.text, self.budget)
        for path in result.reads:
            inv.op(_READ, Field(path), f"{language} code")
        for path in result.writes:
            inv.op(_WRITE, Field(path), f"{language} code")
        if result.writes and any(
            t.host is not None and not t.listen and t.url is not None for t in result.network
        ):
            # Code that fetches a URL and writes files: what it saves is downloaded content,
            # unknown code if a later command runs it (`python -c "...urlretrieve..." && sh f`).
            for path in result.writes:
                self._remember(path, True, None, False, inv.parent, remote=True)
        for path in result.deletes:
            inv.op(_DELETE, Field(path), f"{language} code")
        for target in result.network:
            inv.connect(target)
        if result.reverse_shell:
            self.signal(
                ShellSignal.REVERSE_SHELL, f"{language} code joins a socket to a shell", inv.text
            )
        if result.obfuscated:
            self.signal(
                ShellSignal.INTERPRETER_OBFUSCATION,
                f"{language} code decodes or escapes what it runs or opens",
                inv.text,
            )
        if result.dev_tcp:
            self.signal(ShellSignal.DEV_TCP, f"{language} code uses /dev/tcp", inv.text)
        if result.remote_code:
            self.signal(
                ShellSignal.DOWNLOAD_TO_INTERPRETER,
                f"{language} code runs what it downloads",
                inv.text,
            )
        for command in result.commands:
            inv.shell_code(Val(command), f"{language} exec")
        for built in result.built_commands:
            self.signal(
                ShellSignal.UNRESOLVED_CODE,
                f"{language} code runs a command it builds at run time ({built})",
                inv.text,
            )
        for argv in result.argvs:
            inv.run_argv([Field(a) for a in argv], f"{language} exec")
        self._code_secrets(language, code, result, inv)
        reads = result.reads
        for name in credential_files_read(code.text):
            # `open(os.environ['KUBECONFIG'])`: the file the variable names is read.
            inv.op(_READ, Field("$" + name), f"{language} code")
            reads = (*reads, "$" + name)
        return CodeFact(
            language,
            code.text,
            reads,
            result.writes,
            result.deletes,
            result.network,
            result.apis,
            result.commands + tuple(" ".join(a) for a in result.argvs),
        )

    def _code_secrets(self, language: str, code: Val, result: CodeScan, inv: _Invocation) -> None:
        """Report interpreter code that sends a secret it reads from its environment (or was
        handed by the shell); see `crustcore_nano.shell.codesecrets`."""
        sinks = any(
            c.split(None, 1)[0].rsplit("/", 1)[-1] in SECRET_SINKS for c in result.commands if c
        ) or any(a[0].rsplit("/", 1)[-1] in SECRET_SINKS for a in result.argvs if a)
        handed = inv.input_secret
        if not handed and result.reads and inv.parent.files:
            # `echo $KEY > /tmp/k; python -c "...open('/tmp/k')..."`
            for path in result.reads:
                written = self._written(Field(path), inv.parent)
                if written is not None and written.secret:
                    handed = True
                    break
        use, why = code_secret_use(
            code.text,
            result.network,
            any(api != "exec" for api in result.apis),
            sinks,
            commands=result.commands + tuple(" ".join(a) for a in result.argvs),
            text_secret=code.secret,
            input_secret=handed,
        )
        if use is SecretUse.NONE:
            return
        inv.code_secret = True
        self.secret_hits += 1  # a substitution running this code yields the secret
        if use is SecretUse.SENT:
            self.signal(ShellSignal.SECRET_EXFILTRATION, f"{language} {why}", inv.text)
        elif use is SecretUse.CREDENTIAL:
            # Whether the request goes to the service the key belongs to is not static.
            self.signal(
                ShellSignal.UNRESOLVED_CODE,
                f"{language} {why}; where the request goes is not known",
                inv.text,
            )

    def env_code(self, name: str, val: Val, st: State, ctx: Ctx) -> None:
        """Environment variables whose value is a command get that command analysed; make's
        flag variables get the recipes of the `--eval` text they carry analysed."""
        if name in _CODE_ENV and val.text:
            if name.startswith("LESS"):
                val = Val(val.text.lstrip("|-"), val.exact, val.escaped, val.decoded)
            self.run_code(val, st.copy(), ctx, f"${name}", f"{name}={val.text}")
        elif name in _MAKE_FLAG_ENV and ("-E" in val.text or "--eval" in val.text):
            # `MAKEFLAGS='--eval=$(shell\ curl ...|sh)' make` is `make --eval=...`. make splits
            # the value at unescaped blanks; everything after the option is taken (blanks
            # unescaped), which can only show more than make would run.
            for flag in ("--eval=", "--eval ", "-E"):
                at = val.text.find(flag)
                if at < 0:
                    continue
                text = val.text[at + len(flag) :].replace("\\ ", " ")
                found = make_commands(text)
                if found.commands:
                    code = Val("\n".join(found.commands), val.exact, val.escaped, val.decoded)
                    self.run_code(code, st.copy(), ctx, f"${name}", f"{name}={val.text}")

    def _static_output(self, name: str, args: list[Field], stdin: Input | None) -> Val | None:
        src = stdin.val if stdin is not None else None
        out: Val | None = None
        if name == "echo":
            out = echo_output(args)
        elif name == "printf":
            out = printf_output(args)
        elif name == "cat" and not args:
            out = src
        elif src is not None and src.exact:
            flags = {a.text for a in args}
            if name in ("base64", "base32", "basenc") and flags & {"-d", "--decode", "-D"}:
                text = decode_base64(src.text, 32 if name == "base32" else 64)
                out = None if text is None else Val(text, True, src.escaped, True)
            elif name == "openssl" and "-d" in flags and flags & {"base64", "-base64", "-a"}:
                text = decode_base64(src.text)
                out = None if text is None else Val(text, True, src.escaped, True)
            elif name == "xxd" and "-r" in flags and flags & {"-p", "-ps", "-plain"}:
                text = decode_hex(src.text)
                out = None if text is None else Val(text, True, src.escaped, True)
            elif name == "rev":
                text = "\n".join(line[::-1] for line in src.text.split("\n"))
                out = Val(text, True, src.escaped, True)
            elif name == "tr":
                text = tr_output(args, src.text)
                out = None if text is None else Val(text, True, src.escaped, True)
        if out is not None and len(out.text) > self.limits.max_value:
            out = Val(out.text[: self.limits.max_value], False, out.escaped, out.decoded)
        if out is not None:
            self.budget.tick(1 + len(out.text) // 16)
        return out

    def _cd_target(self, name: str, args: list[Field], st: State, inv: _Invocation) -> Field | None:
        """Where `cd`/`pushd` goes: past its options (`-P`, `--`), home with no operand,
        `$OLDPWD` for `-`, and a directory that cannot be pinned down for a stack rotation
        (`pushd +1`) or a name that `$CDPATH` may find elsewhere (`CDPATH=~ cd .aws`). None when
        it does not move (`pushd -n`, an unknown option)."""
        i = 0
        while i < len(args) and args[i].exact and args[i].text.startswith("-"):
            t = args[i].text
            if t == "-" or (name == "pushd" and t[1:].isdigit()):
                break  # `cd -`, `pushd -N`: operands, below
            i += 1
            if t == "--":
                break
            if t == "-n" and name == "pushd":
                return None  # the stack changes, the directory does not
            if not t[1:] or not set(t[1:]) <= set("LPe@"):
                return None  # an invalid option: `cd` fails and stays
        rest = args[i:]
        if not rest:
            return Field(st.home, True) if st.home else Field("~", False)
        target = rest[0]
        text = target.text
        if name == "pushd" and text[:1] in ("+", "-") and text[1:].isdigit():
            return Field("$DIRSTACK", False)  # `pushd +N`/`-N`: a directory of the stack
        if text == "-" and target.exact:
            old = st.vars.get("OLDPWD")
            return Field(old.text, old.exact) if old is not None else Field("$OLDPWD", False)
        first = text.split("/", 1)[0]
        if text and not text.startswith("/") and first not in (".", ".."):
            # set on this line (`CDPATH=~ cd x`, `export CDPATH=~`) or in the environment; an
            # environment we were not given is taken not to set it
            cdpath = inv.assigned("CDPATH") or st.vars.get("CDPATH")
            if cdpath is not None and cdpath.text.strip(":"):
                # `cd NAME` tries each `$CDPATH` entry before the current directory
                return Field("$CDPATH/" + text, False)
        return target

    def _mktemp_output(self, args: list[Field], st: State) -> Val | None:
        """The path `mktemp` prints, with its random part left as the template's X's
        (`/tmp/tmp.XXXXXXXXXX`). The name is random, but the directory it is made in is known,
        so `cd "$(mktemp -d)" && touch a` writes in the temporary directory. None when an
        option or the directory is not known."""
        if not all(f.exact for f in args):
            return None  # an option, directory or template that is not known
        template: str | None = None
        where: str | None = None  # `-p DIR`, `--tmpdir=DIR`
        in_tmp = False  # `-t`, `--tmpdir`, or no template at all
        i = 0
        while i < len(args):
            t = args[i].text
            i += 1
            if t == "--":
                template = args[i].text if i < len(args) else None
                break
            if t.startswith("--"):
                key, eq, value = t.partition("=")
                if key == "--tmpdir":
                    in_tmp = True
                    where = value if eq and value else where
                elif key == "--suffix" and not eq:
                    i += 1
                elif key not in ("--directory", "--quiet", "--dry-run", "--suffix"):
                    return None
            elif t.startswith("-") and len(t) > 1:
                for k, c in enumerate(t[1:], 1):
                    if c == "p":
                        value = t[k + 1 :]
                        if not value and i < len(args):
                            value = args[i].text
                            i += 1
                        where = value or where
                        in_tmp = True
                        break
                    if c == "t":
                        in_tmp = True
                    elif c not in "dqu":
                        return None
            elif template is None:
                template = t
        if template is None:
            template, in_tmp = "tmp.XXXXXXXXXX", True
        if where is None and in_tmp and "/" not in template:
            tmpdir = self._lookup("TMPDIR", st)
            if tmpdir is None and not st.env_complete:
                return None
            if tmpdir is not None and not tmpdir.exact:
                return None
            default = "/tmp"  # noqa: S108 - mktemp's own default, modelled, not used
            where = tmpdir.text if tmpdir is not None and tmpdir.text else default
        path = template if where is None else where.rstrip("/") + "/" + template
        return Val(self.path(path, True, st.cwd) + "\n")

    # ------------------------------------------------------------------ redirections

    def _redirects(
        self, redirects: tuple[Redirect, ...], st: State, ctx: Ctx, text: str
    ) -> tuple[list[RedirectFact], list[Operation], Input | None, bool]:
        facts: list[RedirectFact] = []
        ops: list[Operation] = []
        stdin: Input | None = None
        tcp = False
        if not redirects:
            return facts, ops, stdin, tcp
        for r in redirects:
            self.budget.tick()
            if r.heredoc is not None:
                doc = r.heredoc
                if doc.quoted or not doc.parts:
                    val = Val(doc.body)
                else:
                    val = self._join_pieces(
                        [p for part in doc.parts for p in self._pieces(part, st, ctx, True)],
                        self.limits.max_input,
                    )
                stdin = Input(val, True, "here-document")
                facts.append(RedirectFact(r.op, r.fd, "<<" + doc.delimiter, True, None, doc.span))
                continue
            if r.target is None:
                continue
            target = self._value(r.target, st, ctx)
            op = r.op
            if op == "<<<":
                stdin = Input(
                    Val(
                        target.text + "\n",
                        target.exact,
                        target.escaped,
                        target.decoded,
                        target.secret,
                    ),
                    False,
                    "here-string",
                )
                facts.append(RedirectFact(op, r.fd, target.text, target.exact, None))
                continue
            if op in (">&", "<&") and (target.text.rstrip("-").isdigit() or target.text == "-"):
                facts.append(RedirectFact(op, r.fd, target.text, target.exact, None))
                continue
            kinds: tuple[OpKind, ...]
            if op == "<":
                kinds = (_READ,)
            elif op == "<>":
                kinds = (_READ, _WRITE)
            else:
                kinds = (_WRITE,)
            if op == "<" and (r.fd is None or r.fd == 0):
                # A file written earlier on this line holds what was written to it; a process
                # substitution, `< <(echo ...)`, what its commands printed.
                known = self._written(Field(target.text), st) if target.exact else None
                if known is None and target.text.startswith("<("):
                    known = self.proc_outputs.get(target.text)
                stdin = Input(known, False, f"file {target.text}", target.secret, target)
            facts.append(RedirectFact(op, r.fd, target.text, target.exact, kinds[-1]))
            net = parse_dev_tcp(target.text)
            if net is not None:
                tcp = True
                self.network.append(net)
                self.signal(ShellSignal.DEV_TCP, f"redirection to {target.text}", text)
                continue
            if target.text in _QUIET_DEVICES:
                continue
            if target.escaped:
                self.signal(
                    ShellSignal.ESCAPE_OBFUSCATION,
                    f"escape sequences spell the redirection target {target.text!r}",
                    text,
                )
            where = target.text
            if "$" in where:
                where = with_stand_ins(where, st.home)
            path = self.path(where, target.exact, st.cwd)
            for kind in kinds:
                ops.append(Operation(kind, path, target.exact, f"redirect {op}"))
        return facts, ops, stdin, tcp

    # ------------------------------------------------------------------ expansion

    def _expand(self, word: Word, st: State, ctx: Ctx) -> list[Field]:
        parts = word.parts
        if len(parts) == 1:
            only = parts[0]
            if isinstance(only, Lit):
                self.budget.tick(1 + len(only.text) // 32)
                if only.quoted:
                    return [Field(only.text)]
                text = only.text
                if _SLOW_CHARS.isdisjoint(text):
                    return [Field(text)]
                if "{" not in text and text[0] != "~":
                    # The general path below, worked out: no brace template, one unsplit
                    # piece, no tilde prefix; it pays for the parts and the piece.
                    self.budget.tick(2 + len(text) // 32)
                    return [Field(text, True, not GLOB_CHARS.isdisjoint(text))]
        templates: list[str] | None = None
        if any(isinstance(p, Lit) and not p.quoted and "{" in p.text for p in parts):
            template: list[str] = []
            ok = True
            for index, part in enumerate(parts):
                if isinstance(part, Lit) and not part.quoted:
                    if any(is_placeholder(c) for c in part.text):
                        ok = False
                        break
                    template.append(part.text)
                else:
                    template.append(placeholder(index))
            if ok:
                joined = "".join(template)
                self.budget.tick(len(joined) + 64 * joined.count("{"))
                expanded = brace_expand(joined, self.limits.max_fields)
                if len(expanded) > 1:
                    templates = expanded
        cache: dict[int, list[Piece]] = {}

        def pieces_of(index: int) -> list[Piece]:
            if index not in cache:
                cache[index] = self._pieces(parts[index], st, ctx, False)
            return cache[index]

        self.budget.tick(len(parts))
        ifs_val = st.vars.get("IFS")
        ifs = ifs_val.text if ifs_val is not None and ifs_val.exact else _DEFAULT_IFS
        if templates is None:
            whole = [p for index in range(len(parts)) for p in pieces_of(index)]
            return split_fields(self._tilde(whole, st), ifs, False)
        fields: list[Field] = []
        for tmpl in templates:
            self.budget.tick(1 + len(tmpl) // 16)
            pieces: list[Piece] = []
            run: list[str] = []
            for ch in tmpl:
                if is_placeholder(ch):
                    if run:
                        pieces.append(Piece("".join(run), True, False, False))
                        run = []
                    pieces.extend(pieces_of(placeholder_index(ch)))
                else:
                    run.append(ch)
            if run:
                pieces.append(Piece("".join(run), True, False, False))
            fields.extend(split_fields(self._tilde(pieces, st), ifs, True))
        return fields

    def _tilde(self, pieces: list[Piece], st: State) -> list[Piece]:
        if not pieces:
            return pieces
        first = pieces[0]
        if first.quoted or not first.exact or not first.text.startswith("~"):
            return pieces
        head, slash, tail = first.text.partition("/")
        if head == "~" and st.home is not None:
            base = st.home
        elif head == "~+" and st.cwd is not None and _pinned_dir(st.cwd):
            base = st.cwd
        else:
            return [Piece(first.text, False, False, False), *pieces[1:]]
        rest = [Piece(slash + tail, True, False, False)] if slash else []
        return [Piece(base, True, True, False), *rest, *pieces[1:]]

    def _value(self, word: Word, st: State, ctx: Ctx) -> Val:
        pieces = [p for part in word.parts for p in self._pieces(part, st, ctx, False)]
        return self._join_pieces(self._tilde(pieces, st))

    def _join_pieces(self, pieces: list[Piece], cap: int | None = None) -> Val:
        text = "".join(p.text for p in pieces)
        self.budget.tick(1 + len(text) // 32)
        exact = all(p.exact for p in pieces)
        limit = self.limits.max_value if cap is None else cap
        if len(text) > limit:
            text, exact = text[:limit], False
        secret = False
        for p in pieces:
            if p.secret:
                secret = True
                break
        return Val(
            text, exact, any(p.escaped for p in pieces), any(p.decoded for p in pieces), secret
        )

    def _pieces(self, part: WordPart, st: State, ctx: Ctx, in_dq: bool) -> list[Piece]:
        self.budget.tick()
        if isinstance(part, Lit):
            self.budget.tick(len(part.text) // 32)
            return [Piece(part.text, True, part.quoted or in_dq, False)]
        if isinstance(part, AnsiC):
            return [Piece(part.value, True, True, False, part.hidden)]
        if isinstance(part, DoubleQuoted):
            out: list[Piece] = []
            for inner in part.parts:
                out.extend(self._pieces(inner, st, ctx, True))
            if not out:
                out.append(Piece("", True, True, False))
            return out
        if isinstance(part, Param):
            val = self._param(part, st, ctx)
            self.budget.tick(len(val.text) // 32)
            known = st.vars.get(part.name)
            secret = val.secret or (
                known.secret if known is not None else is_secret_name(part.name)
            )
            if secret:
                self.secret_hits += 1
            # `"${a[@]}"`: every element is a field of its own, even inside double quotes
            # (`_element` gives them joined by spaces; a computed index stands for any).
            index = part.name.partition("[")[2].removesuffix("]")
            split = not in_dq or (bool(index) and not index.isdigit() and not part.length)
            return [Piece(val.text, val.exact, in_dq, split, val.escaped, val.decoded, secret)]
        if isinstance(part, CmdSubst):
            val = self._subst(part, st, ctx)
            self.budget.tick(len(val.text) // 32)
            return [
                Piece(val.text, val.exact, in_dq, not in_dq, val.escaped, val.decoded, val.secret)
            ]
        if isinstance(part, Arith):
            for subst in part.substs:
                self._subst(subst, st, ctx)
            return [Piece(part.raw, False, True, False)]
        if isinstance(part, ProcSubst):
            hits = self.secret_hits
            printed: Val | None = None
            if part.script is not None:
                printed = self.run_script(
                    part.script,
                    st.copy(),
                    Ctx(ctx.depth + 1, f"{part.direction}()", part.script.source),
                )
            if part.direction == "<" and (
                part.raw in self.proc_outputs or len(self.proc_outputs) < _MAX_PROC_OUTPUTS
            ):
                self.proc_outputs[part.raw] = printed
            # `<(echo $TOKEN)` names a file that holds what its commands printed
            return [Piece(part.raw, False, True, False, secret=self.secret_hits > hits)]
        for tok in part.body.tokens:
            if tok.kind is _WORD and tok.word is not None:
                self._expand(tok.word, st, ctx)
        return [Piece(part.raw, False, True, False)]

    def _subst(self, part: CmdSubst, st: State, ctx: Ctx) -> Val:
        if part.script is None:
            return Val(part.raw, False)
        if ctx.depth + 1 > self.limits.max_depth:
            self.signal(
                ShellSignal.DEPTH_LIMIT, "command substitutions nested too deeply", part.raw
            )
            return Val(part.raw, False)
        label = "``" if part.backtick else "$()"
        hits = self.secret_hits
        out = self.run_script(part.script, st.copy(), Ctx(ctx.depth + 1, label, part.script.source))
        secret = self.secret_hits > hits
        if out is None:
            return Val(part.raw, False, secret=secret)
        return Val(out.text.rstrip("\n"), out.exact, out.escaped, out.decoded, out.secret or secret)

    def _param(self, part: Param, st: State, ctx: Ctx) -> Val:
        name = part.name
        _, bracket, subscript = name.partition("[")
        if bracket and any(mark in subscript for mark in ("$(", "`", "<(", ">(")):
            # `${a[$(cmd)]}`: the subscript is expanded (its substitutions run) as a word.
            self.run_text(": " + subscript.removesuffix("]"), st.copy(), ctx.depth + 1, "subscript")
        # The operand is walked once, up front, even when the value below does not need it (an
        # unset or unknown variable): a `$(cmd)` hidden in `${x#$(cmd)}` or `${y:+$(cmd)}` is
        # still seen, and nested operands cost linear work, not one walk per use.
        arg_val = (
            self._value(part.arg, st, ctx)
            if part.arg is not None and part.op not in _CASE_OPS
            else None
        )
        base = self._element(name, st, ctx) if bracket else None
        if base is None:
            base = self._lookup(name, st)
        if part.indirect:
            if base is None or not base.exact:
                return Val(part.raw, False)
            base = self._lookup(base.text, st)
        if part.length:
            return (
                Val(str(len(base.text)))
                if base is not None and base.exact
                else Val(part.raw, False)
            )
        op = part.op
        if not op:
            return base if base is not None else Val("")
        unset_known = base is None and self._unset_known(name, st)
        if op in (":-", "-", ":=", "=", ":+", "+"):
            if base is None and not unset_known:
                return Val(part.raw, False)
            empty = base is None or (op.startswith(":") and base.text == "" and base.exact)
            use_arg = empty if op not in (":+", "+") else not empty
            if base is not None and not base.exact and op.startswith(":"):
                return Val(part.raw, False)
            if use_arg:
                arg = arg_val if arg_val is not None else Val("")
                if op in (":=", "="):
                    st.vars[name] = arg
                return arg
            return base if base is not None and op not in (":+", "+") else Val("")
        if op in (":?", "?"):
            return base if base is not None else Val(part.raw, False)
        if op in _CASE_OPS:
            # `${x,,}` lowers and `${x^^}` raises every letter; `,`/`^` only the first one.
            if base is None or not base.exact or (part.arg is not None and part.arg.parts):
                return Val(part.raw, False)
            text = base.text
            if op == ",,":
                return Val(text.lower(), True, base.escaped, base.decoded, base.secret)
            if op == "^^":
                return Val(text.upper(), True, base.escaped, base.decoded, base.secret)
            first = text[:1].lower() if op == "," else text[:1].upper()
            return Val(first + text[1:], True, base.escaped, base.decoded, base.secret)
        if op == "@" and arg_val is not None and arg_val.text != "Q":
            # `${x@P}` expands x as a prompt string, running any `$(...)` in it; the other
            # transformations only quote or describe. Analyse the value as code to be safe.
            if base is not None:
                self.run_code(base, st.copy(), ctx, f"{part.raw} expansion", part.raw)
            elif not unset_known:
                self.signal(
                    ShellSignal.UNRESOLVED_CODE, f"{part.raw} expands a value not known", part.raw
                )
            return Val(part.raw, False)
        if base is None or not base.exact or arg_val is None:
            return Val(part.raw, False)
        arg = arg_val
        if not arg.exact or any(c in arg.text for c in "*?["):
            return Val(part.raw, False)
        value = base.text
        if op in ("#", "##"):
            return Val(value[len(arg.text) :] if value.startswith(arg.text) else value)
        if op in ("%", "%%"):
            return Val(value[: -len(arg.text)] if arg.text and value.endswith(arg.text) else value)
        if op in ("/", "//"):
            pattern, _, repl = arg.text.partition("/")
            if not pattern:
                return Val(value)
            count = -1 if op == "//" else 1
            return Val(value.replace(pattern, repl, count)[: self.limits.max_value])
        return Val(part.raw, False)

    def _element(self, name: str, st: State, ctx: Ctx) -> Val | None:
        """`${a[N]}`, `${a[@]}`, `${m[key]}` of an array this line gave known words (`a=(x y)`,
        `declare -A m=([k]=v)`, `mapfile`, `read -a`), or None. The words are expanded as the
        shell would (`printf '%s\n' WORDS` run in the current state); an index that is not a
        number stands for every element, joined."""
        base, _, subscript = name.partition("[")
        held = st.vars.get(base)
        # An array assignment's value is kept as its text, `(WORDS)`, marked not exact.
        if held is None or not held.text.startswith("(") or held.text[-1:] != ")":
            return None
        inner = held.text[1:-1]
        if not inner.strip():
            return Val("")
        out = self.run_text("printf '%s\\n' " + inner, st.copy(), ctx.depth + 1, "array")
        if out is None or not out.exact:
            return None
        words: list[str] = []
        for line in out.text.rstrip("\n").split("\n"):
            _, sep, value = line.partition("]=")
            if line.startswith("[") and sep:  # `[key]=value` of an associative array
                line_value = st.home + value[1:] if value[:2] == "~/" and st.home else value
                words.append(line_value)
            else:
                words.append(line)
        index = subscript.removesuffix("]").strip()
        if index.isdigit():
            at = int(index)
            text = words[at] if at < len(words) else ""
        else:
            text = " ".join(words)  # `@`, `*`, a key or a computed index: any element
        return Val(text, True, out.escaped, out.decoded, out.secret or held.secret)

    def _lookup(self, name: str, st: State) -> Val | None:
        if name.isdigit():
            index = int(name)
            if index == 0:
                return st.arg0
            if st.positional is None:
                return Val("$" + name, False)
            return st.positional[index - 1] if index <= len(st.positional) else Val("")
        if name in ("@", "*"):
            if st.positional is None:
                return Val("$" + name, False)
            return Val(" ".join(v.text for v in st.positional), all(v.exact for v in st.positional))
        if name == "#":
            return Val(str(len(st.positional))) if st.positional is not None else Val("$#", False)
        base, bracket, _index = name.partition("[")
        if name in ("?", "$", "!", "-") or not is_name(base):
            return Val("$" + name, False)
        if bracket:
            # Arrays are not modelled: an element of a variable set on this line, or of any
            # variable when the environment is not complete, is not known.
            if base in st.vars or not st.env_complete:
                return Val("$" + name, False)
            return None
        if name == "PWD" and st.cwd is not None:
            # before the table: the environment's `PWD` is where the agent started, not where
            # a `cd` on this line went
            return Val(st.cwd, _pinned_dir(st.cwd))
        if name in st.vars:
            return st.vars[name]
        if name == "HOME" and st.home is not None:
            return Val(st.home)
        if name == "IFS":
            return Val(_DEFAULT_IFS)
        if name in _SHELL_SET:
            return Val("$" + name, False)  # bash sets it, whatever the environment holds
        if name in CREDENTIAL_FILE_VARIABLES or is_secret_name(name):
            # A secret or a credential-file path the agent's environment may hold although the
            # one we were given does not. It stays visible as `$NAME` (a word that is not
            # split or globbed), so where it goes can be followed: an operation on it is an
            # operation on the credential file (`_Invocation.op`), a send of it is reported.
            return Val("$" + name, st.env_complete, secret=is_secret_name(name))
        if st.env_complete:
            return None
        return Val("$" + name, False)

    def _unset_known(self, name: str, st: State) -> bool:
        return st.env_complete and is_name(name) and name not in st.vars


def _describe(name: str, head: Field, args: list[Field], inv: _Invocation) -> None:
    """A program that is neither a shell, an interpreter, a builtin nor a function."""
    if cmdtable.known(name):
        cmdtable.describe(name, args, inv)
    elif not head.exact or head.glob or head.escaped or head.decoded:
        for f in args:
            if f.text.startswith(("/", "~", ".")) or "/" in f.text:
                inv.op(_READ, f, "unknown program")


def _read_array(name: str, args: list[Field], stdin: Input | None) -> Val | None:
    """The array `mapfile`/`readarray` (one element per line) or `read -a` (one per word)
    fills from known input, in the `(...)` form an array assignment has; else None."""
    if stdin is None or stdin.val is None or not stdin.val.exact:
        return None
    text = stdin.val.text.rstrip("\n")
    flags = [f.text for f in args if f.text.startswith("-")]
    if name == "read":
        # `-r` and `-a` only: a delimiter, a count or a timeout changes what is read
        if not any("a" in t[1:] for t in flags) or any(set(t[1:]) - {"r", "a"} for t in flags):
            return None
        items = text.split("\n", 1)[0].split()
    else:
        # `-t` only: an origin (`-O`), a skip (`-s`) or a count (`-n`) moves the elements
        if any(set(t[1:]) - {"t"} for t in flags):
            return None
        items = text.split("\n")
    if len(items) > _MAX_ARRAY:
        return None  # not kept, so not known: each element stays a value that cannot be known
    quoted = " ".join(shlex.quote(item) for item in items)
    return Val("(" + quoted + ")", True, stdin.val.escaped, stdin.val.decoded, stdin.secret)


_MAX_ARRAY = 256  # elements kept from one `mapfile`
_SHELL_SET = NUMBER_VARIABLES | {"OLDPWD", "HOSTNAME", "EPOCHREALTIME"}
_ZSH_SOCKETS = frozenset({"ztcp", "zsocket"})
_UNKNOWN_FD = -1  # a descriptor whose number is only known at run time (`>&$REPLY`)


def _dup_source(fact: RedirectFact) -> int:
    text = fact.target.rstrip("-")
    return int(text) if text.isdigit() else _UNKNOWN_FD


def _copies_descriptor(fact: RedirectFact) -> bool:
    """A `<&N`/`>&N` copy, including one whose number comes from a variable (`>&$REPLY`,
    which the analyser otherwise takes as a write to a file named by the variable)."""
    return fact.kind is None or (fact.op in ("<&", ">&") and not fact.target.rstrip("-").isdigit())


def _shared_descriptor(rfacts: list[RedirectFact]) -> bool:
    """Whether standard input and output are both copied from one descriptor above 2
    (`sh <&3 >&3`): the line did not open it, and a descriptor read and written both ways is
    how a socket an interpreter opened (`fsockopen`, `TCPSocket`) is handed to a shell."""
    sources: dict[int, int] = {}
    for fact in rfacts:
        if fact.kind is not None or fact.op not in ("<&", ">&"):
            continue
        fd = fact.fd if fact.fd is not None else (0 if fact.op == "<&" else 1)
        sources[fd] = _dup_source(fact)
    src = sources.get(0, -1)
    return src > 2 and sources.get(1, -1) == src


def _is_decoder(name: str, args: list[Field]) -> bool:
    flags = {a.text for a in args}
    if name in ("base64", "base32", "basenc"):
        return bool(flags & {"-d", "--decode", "-D"})
    if name == "xxd":
        return "-r" in flags or any(f.startswith("-r") for f in flags)
    if name == "openssl":
        return "-d" in flags
    if name in ("gzip", "bzip2", "xz", "zstd"):
        return bool(flags & {"-d", "--decompress"})
    return name in ("rev", "uudecode", "gunzip", "zcat", "bunzip2", "unxz", "tr")


def _self_calls(node: Command, name: str, budget: Budget) -> tuple[int, bool]:
    """How often a function body calls `name`, and whether any call is piped or backgrounded.

    Plain recursion (`f() { ...; f $((n-1)); }`) is one call; a fork bomb calls itself in a pipe,
    in the background, or more than once per invocation.
    """
    calls = 0
    spawning = False
    stack: list[tuple[Command | Sequence, bool]] = [(node, False)]
    while stack:
        budget.tick()
        item, spawned = stack.pop()
        if isinstance(item, Sequence):
            for li in item.items:
                for pipeline in li.and_or.pipelines:
                    multi = len(pipeline.commands) > 1
                    for cmd in pipeline.commands:
                        stack.append((cmd, spawned or multi or li.background))
        elif isinstance(item, SimpleCommand):
            if item.words and item.words[0].literal() == name:
                calls += 1
                spawning = spawning or spawned
        elif isinstance(item, (Subshell, BraceGroup)):
            stack.append((item.body, spawned))
        elif isinstance(item, IfClause):
            for cond, body in item.branches:
                stack.extend(((cond, spawned), (body, spawned)))
            if item.else_body is not None:
                stack.append((item.else_body, spawned))
        elif isinstance(item, LoopClause):
            stack.extend(((item.condition, spawned), (item.body, True)))
        elif isinstance(item, ForClause):
            stack.append((item.body, True))
        elif isinstance(item, CaseClause):
            stack.extend((ci.body, spawned) for ci in item.items)
        elif isinstance(item, FunctionDef):
            stack.append((item.body, spawned))
    return calls, spawning


# ---------------------------------------------------------------------- public entry point


def _unique(items: list[_T]) -> tuple[_T, ...]:
    """`items` without repeats, in first-seen order (one or none needs no hashing)."""
    return tuple(dict.fromkeys(items)) if len(items) > 1 else tuple(items)


def _unique_ops(ops: list[Operation]) -> tuple[Operation, ...]:
    """`_unique` for operations, keyed on their fields without hashing the dataclass itself.

    Equal operations have equal fields; `OpKind` members are singletons, so comparing them by
    identity (their `id`) is comparing them by equality - and skips the Python-level
    `__hash__` that `Enum` and the dataclass would run for every operation.
    """
    if len(ops) <= 1:
        return tuple(ops)
    seen: dict[tuple[int, str, bool, str], Operation] = {}
    for op in ops:
        seen.setdefault((id(op.kind), op.target, op.exact, op.detail), op)
    return tuple(seen.values())


def _silent_cd(pipeline: Pipeline, st: State) -> bool:
    """Whether `pipeline` is a plain `cd DIR`, which prints nothing (`cd -` prints where it
    went, and so does a `cd` that finds its directory through `$CDPATH`)."""
    if len(pipeline.commands) != 1 or pipeline.negated:
        return False
    cmd = pipeline.commands[0]
    if not isinstance(cmd, SimpleCommand) or not cmd.words or cmd.redirects:
        return False
    if cmd.words[0].bare() != "cd" or "CDPATH" in st.vars:
        return False
    return all(w.literal() != "-" for w in cmd.words[1:])


def _pinned_dir(cwd: str) -> bool:
    """Whether a working directory is a known absolute path, not one kept as written after a
    `cd` to something the analyser could not work out (`cd "$(cmd)"`)."""
    return cwd.startswith("/") and "$" not in cwd and "`" not in cwd


def analyze(
    command: str,
    *,
    env: Mapping[str, str] | None = None,
    home: str | None = None,
    cwd: str | None = None,
    limits: ShellLimits | None = None,
) -> ShellAnalysis:
    """Analyse one shell command line. Never raises except `ShellArgumentError` on bad types."""
    _check_types(command, env, home, cwd, limits)
    lim = limits or _DEFAULT_LIMITS
    env_items: frozenset[tuple[str, str]] | None
    if env is None:
        env_items = None
    elif not env:
        env_items = _NO_ENV  # the common `env={}`: no new empty set to build and hash
    else:
        env_items = frozenset(_str_items(env))
    if len(command) <= _CACHE_MAX_COMMAND and (env_items is None or len(env_items) <= 512):
        # The default limits are keyed as None: hashing a dataclass is a Python-level call.
        return _analyze_cached(
            command, env_items, home, cwd, None if lim is _DEFAULT_LIMITS else lim
        )
    return analyze_uncached(command, env_items, home, cwd, lim)


_DEFAULT_LIMITS = ShellLimits()
_NO_ENV: frozenset[tuple[str, str]] = frozenset()
_ARG0 = Val("sh")
"""`$0` of the top-level line (values are immutable, so one instance serves every run)."""
_CACHE_MAX_COMMAND = 4096
"""Longer commands are analysed every time (they are rare and would make the cache heavy)."""


@functools.lru_cache(maxsize=1024)
def _analyze_cached(
    command: str,
    env_items: frozenset[tuple[str, str]] | None,
    home: str | None,
    cwd: str | None,
    lim: ShellLimits | None,
) -> ShellAnalysis:
    """`analyze` is a pure function of its arguments, so repeated commands are served from here."""
    return analyze_uncached(command, env_items, home, cwd, lim or _DEFAULT_LIMITS)


def clear_cache() -> None:
    """Drop every cached analysis (for tests and benchmarks)."""
    _analyze_cached.cache_clear()


def analyze_uncached(
    command: str,
    env_items: frozenset[tuple[str, str]] | None,
    home: str | None,
    cwd: str | None,
    lim: ShellLimits,
    *,
    strict: bool = False,
    plain: bool = True,
) -> ShellAnalysis:
    """The analysis itself, with the environment already reduced to its str items.

    An unexpected internal error is reported as UNPARSEABLE (the rule engine must not allow
    what we failed to read); `strict=True` lets it propagate instead, for fuzzing.
    `plain=False` turns off the shortcut for plain lines (`fastparse`), which must not change
    the result: the tests check that it does not.
    """
    try:
        return _analyze(command, env_items, home, cwd, lim, plain=plain)
    except Exception as exc:
        if strict:
            raise
        return ShellAnalysis(
            command=command,
            parsed_ok=False,
            commands=(),
            reads=(),
            writes=(),
            deletes=(),
            executes=(),
            listings=(),
            network=(),
            env_assignments=(),
            chmods=(),
            operations=(),
            signals=frozenset({ShellSignal.UNPARSEABLE}),
            findings=(
                Finding(ShellSignal.UNPARSEABLE, f"internal error: {type(exc).__name__}", ""),
            ),
            steps=0,
            error=f"internal error: {type(exc).__name__}",
        )


def _analyze(
    command: str,
    env_items: frozenset[tuple[str, str]] | None,
    home: str | None,
    cwd: str | None,
    lim: ShellLimits,
    *,
    plain: bool,
) -> ShellAnalysis:
    budget = Budget(lim.max_steps)
    an = Analyzer(lim, budget, plain=plain)
    variables: dict[str, Val] = {}
    if env_items is not None:
        for key, value in env_items:
            variables[key] = Val(value, secret=is_secret_name(key))
        if home is None:
            home = dict(env_items).get("HOME")
    st = State(variables, None, _ARG0, cwd, home, env_items is not None)
    parsed_ok = True
    error: str | None = None
    if len(command) > lim.max_input:
        an.signal(
            ShellSignal.TOO_LARGE,
            f"command is longer than {lim.max_input} characters",
            command[:200],
        )
        an.signal(ShellSignal.UNPARSEABLE, "command too large to analyse", command[:200])
        parsed_ok = False
        error = "input too large"
    else:
        tree: Script | PlainLine | None = an.scan_plain(command)
        try:
            if tree is None:
                tree = parse_with(command, budget, lim, plain=plain)
        except StepLimitError as exc:
            an.signal(ShellSignal.STEP_LIMIT, str(exc), command[:200])
            an.signal(ShellSignal.UNPARSEABLE, "parsing ran out of budget", command[:200])
            parsed_ok, error = False, str(exc)
        except ShellLimitError as exc:
            an.signal(ShellSignal.DEPTH_LIMIT, str(exc), command[:200])
            an.signal(ShellSignal.UNPARSEABLE, str(exc), command[:200])
            parsed_ok, error = False, str(exc)
        except ShellSyntaxError as exc:
            an.signal(ShellSignal.UNPARSEABLE, str(exc), command[:200])
            parsed_ok, error = False, str(exc)
        except RecursionError:
            an.signal(ShellSignal.DEPTH_LIMIT, "nested too deeply", command[:200])
            an.signal(ShellSignal.UNPARSEABLE, "nested too deeply", command[:200])
            parsed_ok, error = False, "nested too deeply"
        else:
            try:
                if isinstance(tree, Script):
                    an.run_script(tree, st, Ctx(0, "top", command))
                else:
                    an.run_plain(tree, st, Ctx(0, "top", command))
            except StepLimitError as exc:
                an.signal(ShellSignal.STEP_LIMIT, str(exc), command[:200])
                error = str(exc)
            except RecursionError:
                an.signal(ShellSignal.DEPTH_LIMIT, "nested too deeply", command[:200])
                error = "nested too deeply"
    return _result(an, command, parsed_ok, error, budget.steps)


def _check_types(command: object, env: object, home: object, cwd: object, limits: object) -> None:
    """The one place `analyze` may raise: a caller passed the wrong types."""
    if not isinstance(command, str):
        raise ShellArgumentError(f"command must be str, not {type(command).__name__}")
    if env is not None and type(env) is not dict and not isinstance(env, Mapping):
        raise ShellArgumentError("env must be a mapping of str to str")
    for value in (home, cwd):
        if value is not None and not isinstance(value, str):
            raise ShellArgumentError("home and cwd must be str or None")
    if limits is not None and not isinstance(limits, ShellLimits):
        raise ShellArgumentError("limits must be a ShellLimits")


def _str_items(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """The str-to-str entries of `env` (other entries are ignored, not trusted)."""
    items: list[tuple[object, object]] = list(env.items())
    return [(k, v) for k, v in items if isinstance(k, str) and isinstance(v, str)]


def _result(
    an: Analyzer, command: str, parsed_ok: bool, error: str | None, steps: int
) -> ShellAnalysis:
    ops = an.ops
    reads: list[str] = []
    writes: list[str] = []
    deletes: list[str] = []
    executes: list[str] = []
    listings: list[str] = []
    for op in ops:
        kind = op.kind
        if kind is _EXECUTE:
            executes.append(op.target)
        elif kind is _READ:
            reads.append(op.target)
        elif kind is _WRITE:
            writes.append(op.target)
        elif kind is _LIST:
            listings.append(op.target)
        elif kind is _DELETE:
            deletes.append(op.target)
    # Positional arguments, in field order (see `_invoke`).
    return ShellAnalysis(
        command,
        parsed_ok,
        tuple(an.facts),  # commands
        _unique(reads) if reads else (),
        _unique(writes) if writes else (),
        _unique(deletes) if deletes else (),
        _unique(executes) if executes else (),
        _unique(listings) if listings else (),
        _unique(an.network),  # network
        _unique(an.env_assignments),  # env_assignments
        tuple(an.chmods),
        _unique_ops(ops),  # operations
        frozenset(an.signals),
        tuple(an.findings),
        steps,
        error,
        frozenset(an.feeding),
        tuple(an.written.items()),
        tuple(an.piped),
    )
