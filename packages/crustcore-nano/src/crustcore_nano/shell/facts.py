"""The analysis result: plain, frozen facts about what a command line would do.

These are facts, not verdicts. The rule engine decides what is allowed; the analyser only says
which programs run, what they read, write, delete and connect to, and which evasion signals it saw.
Anything the analyser could not determine is marked (`exact=False`, a signal), never dropped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OpKind(enum.Enum):
    """What a command does to a target."""

    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    EXECUTE = "execute"
    NETWORK = "network"
    LIST = "list"
    """Directory listing or metadata look-up (`ls`, `find`, `stat`, `test -f`)."""
    CHMOD = "chmod"
    CHOWN = "chown"
    LINK = "link"
    """A link is created; `target` is the new link, `detail` what it points to."""
    CHDIR = "chdir"
    ENV = "env"
    """An environment variable is set for a child process; `target` is `NAME=value`."""


class ShellSignal(enum.Enum):
    """Evasion and risk signals. Each one means "look closer", not "deny" by itself."""

    UNPARSEABLE = "unparseable"
    TOO_LARGE = "too_large"
    DEPTH_LIMIT = "depth_limit"
    STEP_LIMIT = "step_limit"
    GLOB_COMMAND_NAME = "glob_command_name"
    DYNAMIC_COMMAND_NAME = "dynamic_command_name"
    BRACE_COMMAND_NAME = "brace_command_name"
    ESCAPE_OBFUSCATION = "escape_obfuscation"
    DECODE_TO_INTERPRETER = "decode_to_interpreter"
    PIPE_TO_INTERPRETER = "pipe_to_interpreter"
    DOWNLOAD_TO_INTERPRETER = "download_to_interpreter"
    UNRESOLVED_CODE = "unresolved_code"
    HEREDOC_TO_INTERPRETER = "heredoc_to_interpreter"
    FORK_BOMB = "fork_bomb"
    REVERSE_SHELL = "reverse_shell"
    DEV_TCP = "dev_tcp"
    INTERPRETER_OBFUSCATION = "interpreter_obfuscation"
    UNSEEN_TRANSFER = "unseen_transfer"
    """A client that can upload files takes what to send from somewhere the analysis cannot
    read: an sftp/ftp/lftp batch file or input from another program, or `curl -K FILE`."""
    SECRET_EXFILTRATION = "secret_exfiltration"  # noqa: S105 - a signal name, not a secret
    """A network client sends a secret environment variable's value (body, URL, DNS name or
    standard input) rather than using it as a credential header."""
    REMOTE_PACKAGE = "remote_package"
    """A package install whose source is an address (a git repository, a tarball URL, npm's
    `owner/repo`), not a name in the tool's registry; see `crustcore_nano.shell.pkgsources`."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One signal with a human-readable reason and the text it was found in."""

    signal: ShellSignal
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class NetworkTarget:
    """A network destination. `host`/`port`/`url` are None when not determinable."""

    host: str | None
    port: int | None
    url: str | None
    via: str
    listen: bool = False


@dataclass(frozen=True, slots=True)
class Operation:
    """One effect of one command on one target (a path, `NAME=value`, or a host)."""

    kind: OpKind
    target: str
    exact: bool = True
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ChmodFact:
    """A permission change, with the risky bits spelled out."""

    path: str
    mode: str
    world_writable: bool
    setuid: bool
    setgid: bool
    recursive: bool
    exact: bool
    via: str


@dataclass(frozen=True, slots=True)
class RedirectFact:
    """A redirection after expansion: `kind` is READ, WRITE or None for fd duplication."""

    op: str
    fd: int | None
    target: str
    exact: bool
    kind: OpKind | None
    body: tuple[int, int] | None = None
    """For a here-document (`<<EOF`), where its body lies in the text the command was parsed
    from (see `CommandFact.span`)."""


@dataclass(frozen=True, slots=True)
class CodeFact:
    """What an interpreter one-liner (or here-doc script) touches, from a static scan."""

    language: str
    code: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    deletes: tuple[str, ...]
    network: tuple[NetworkTarget, ...]
    apis: tuple[str, ...]
    """File, network and process APIs the code names (`open`, `socket`, `subprocess`, ...)."""
    commands: tuple[str, ...]
    """Shell command strings the code runs (`os.system(...)`); they are analysed too."""


@dataclass(frozen=True, slots=True)
class CommandFact:
    """One simple command that the line would run (after unwrapping wrappers)."""

    program: str
    """The program as written after expansion (`/usr/bin/cat`, `cat`)."""
    name: str
    """Its basename (`cat`)."""
    argv: tuple[str, ...]
    """Arguments after expansion. An undeterminable part keeps its source text (`$X`,
    `$(cmd)`); what `xargs` would append from unknown input is `{xargs input}` and the `{}`
    of `find -exec` stays `{}` - all of these are marked False in `argv_exact`."""
    argv_exact: tuple[bool, ...]
    full_argv: tuple[str, ...]
    """The argv before wrappers were removed (`sudo -u x cat f`)."""
    wrappers: tuple[str, ...]
    redirects: tuple[RedirectFact, ...]
    operations: tuple[Operation, ...]
    env: tuple[tuple[str, str], ...]
    """Environment assignments made for this command (`VAR=x cmd`, `env VAR=x`, ...)."""
    network: tuple[NetworkTarget, ...]
    code: CodeFact | None
    privileged: bool
    """Run through `sudo`, `doas`, `pkexec`, `su` or `run0`."""
    depth: int
    """0 for the top-level line, +1 per `sh -c`/`eval`/substitution/here-doc level."""
    context: str
    """How the command was reached: `top`, `sh -c`, `eval`, `$()`, `heredoc`, `pipe`, ..."""
    text: str
    """The raw source text of the command in the string it was parsed from."""
    span: tuple[int, int]
    cwd: str | None = None
    """The directory the command runs in, after any `cd` before it and its own `-C DIR`
    (`git -C`): absolute, kept as written when part of it cannot be pinned down (`$(cmd)/sub`),
    or None when the analysis was given no directory."""

    @property
    def exact(self) -> bool:
        """Whether every argument was fully determined."""
        return all(self.argv_exact)


@dataclass(frozen=True, slots=True)
class ShellAnalysis:
    """Everything the analyser found in one command line."""

    command: str
    parsed_ok: bool
    commands: tuple[CommandFact, ...]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    deletes: tuple[str, ...]
    executes: tuple[str, ...]
    listings: tuple[str, ...]
    network: tuple[NetworkTarget, ...]
    env_assignments: tuple[tuple[str, str], ...]
    chmods: tuple[ChmodFact, ...]
    operations: tuple[Operation, ...]
    signals: frozenset[ShellSignal]
    findings: tuple[Finding, ...]
    steps: int
    error: str | None = None
    """Why parsing failed or stopped early, when it did."""
    feeding: frozenset[int] = frozenset()
    """Indexes into `commands` of pipeline stages whose output feeds a later stage that is not
    data-only (see `crustcore_nano.shell.datatext`): their words may end up as a target."""
    written: tuple[tuple[str, str], ...] = ()
    """(path, text) of each file the line writes with text it knows (`cat > f <<EOF`), the
    last text per path; paths are as the analyser resolved them (absolute after a known
    `cd` or with a cwd, else as written)."""
    piped: tuple[tuple[int, int, int], ...] = ()
    """One `(first, end, source)` per pipeline stage after the first: the stage's commands are
    `commands[first:end]` and what they read on standard input comes from the commands of the
    stages before it, `commands[source:first]` (`tar cz . | nc host 80`)."""

    @property
    def programs(self) -> tuple[str, ...]:
        """Basenames of every program run, in order, without duplicates."""
        seen: dict[str, None] = {}
        for fact in self.commands:
            seen.setdefault(fact.name, None)
        return tuple(seen)
