"""The interface command descriptions report their effects through.

`commands.py` and `wrappers.py` know what programs do; the analyser knows where the facts go and
how to recurse. This protocol is the seam between them, so each side can be read on its own.
"""

from __future__ import annotations

from typing import Protocol

from crustcore_nano.shell.expand import Field, Val
from crustcore_nano.shell.facts import NetworkTarget, OpKind, ShellSignal
from crustcore_nano.shell.state import Input


class Sink(Protocol):
    """Receives the effects of one command invocation."""

    @property
    def stdin(self) -> Input | None:
        """What arrives on standard input, if known."""
        ...

    def op(self, kind: OpKind, target: Field, detail: str = "") -> None:
        """Record an operation on a path (or `NAME=value` for ENV)."""
        ...

    def connect(self, target: NetworkTarget) -> None:
        """Record a network destination."""
        ...

    def address(self, text: Field, via: str, default_port: int | None = None) -> None:
        """Record a URL, `host`, `host:port` or `user@host` argument as a destination."""
        ...

    def chmod(self, mode: Field, path: Field, recursive: bool, via: str) -> None:
        """Record a permission change."""
        ...

    def env(self, name: str, value: Val) -> None:
        """Record an environment assignment for the child process."""
        ...

    def unset_env(self, clear: bool, names: tuple[str, ...]) -> None:
        """`env -i` (clear) or `env -u NAME`."""
        ...

    def chdir(self, path: Field) -> None:
        """The child runs in another directory (`env -C`, `git -C`, `tar -C`)."""
        ...

    def shell_code(self, code: Val, context: str, positional: list[Field] | None = None) -> None:
        """Analyse `code` as a shell command line one level deeper."""
        ...

    def run_argv(self, argv: list[Field], context: str) -> None:
        """Analyse `argv` as a command run by this one (`find -exec`, `xargs`)."""
        ...

    def code(self, language: str, code: Val, context: str) -> None:
        """Scan interpreter code."""
        ...

    def signal(self, signal: ShellSignal, reason: str) -> None:
        """Raise an evasion or risk signal."""
        ...

    def home(self, rel: str) -> Field:
        """`~/rel` for the caller's home (inexact when the home is unknown)."""
        ...

    def mark_privileged(self) -> None:
        """The command runs with raised privileges."""
        ...
