"""The analyser's model of shell state while it walks a command line, and what each pipeline
stage tells the next one."""

from __future__ import annotations

from dataclasses import dataclass, field

from crustcore_nano.shell.expand import Val
from crustcore_nano.shell.syntax import FunctionDef


@dataclass(slots=True)
class State:
    """Variables, positional parameters, directory and functions known at a point in the walk.

    `env_complete` says the variables table is the whole environment: an unset name then expands
    to the empty string. Without it, unknown names stay unknown.
    """

    vars: dict[str, Val]
    positional: list[Val] | None
    arg0: Val
    cwd: str | None
    home: str | None
    env_complete: bool
    functions: dict[str, FunctionDef] = field(default_factory=dict[str, FunctionDef])
    tcp_fds: set[int] = field(default_factory=set[int])
    files: dict[str, Val] = field(default_factory=dict[str, Val])
    """Files this command line writes, by resolved path, with what is written (inexact when the
    writer's output is not known). Shared by every copy: the file system is one for all of them,
    so a file a subshell writes is there for the next command that runs it."""

    pipe_input: Input | None = None
    """What a `while read ...` loop's condition reads: the loop's own standard input."""

    def copy(self) -> State:
        """A copy for a subshell or a pipeline stage: its own variables and directory, the same
        file table."""
        return State(
            dict(self.vars),
            None if self.positional is None else list(self.positional),
            self.arg0,
            self.cwd,
            self.home,
            self.env_complete,
            dict(self.functions),
            set(self.tcp_fds),
            self.files,
            self.pipe_input,
        )


@dataclass(frozen=True, slots=True)
class Ctx:
    """Where we are: nesting depth, how we got here, and the text being walked."""

    depth: int
    context: str
    source: str


@dataclass(frozen=True, slots=True)
class Input:
    """What arrives on a command's standard input, when known."""

    val: Val | None
    heredoc: bool = False
    producer: str = ""
    tainted: bool = False
    """The producer emitted a secret environment variable's value (its text may be unknown)."""
    file: Val | None = None
    """The file redirected into the command (`< FILE`), when that is where the input is from."""

    @property
    def secret(self) -> bool:
        """Whether what arrives carries a secret value."""
        return self.tainted or (self.val is not None and self.val.secret)


@dataclass(slots=True)
class Stage:
    """What one pipeline stage is, as far as the next stage and the pipeline checks care."""

    name: str = ""
    output: Val | None = None
    decoder: bool = False
    fetcher: bool = False
    socket_tool: bool = False
    reads_code: bool = False
    """A shell or interpreter that takes its program from standard input."""
    shell: bool = False
    escapes: bool = False
    secret: bool = False
    """The stage's output may carry a secret value (a secret argument, or secret input)."""
