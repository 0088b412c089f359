"""Threat: `fd` runs a command on every file it finds with `-x`/`--exec` (one call per file) or
`-X`/`--exec-batch` (one call for all): `fd -H id_rsa ~ -x cat` prints every SSH key in the
home directory, as `find ~ -name id_rsa -exec cat {} +` would. The analyser read fd as a
lister only, so the command it runs was never judged and the line was allowed.

Invariant: the command after `-x`/`--exec`/`-X`/`--exec-batch` (up to `;`) is judged as a
command run on the tree fd searches, with `{}` (or the end of the command, when no placeholder
is written) standing for each file found there (bounded by name when `-e EXT` is given, as
`find -name '*.EXT'` is). Running a tool on project files stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    "command",
    [
        "fd -H id_ed25519 ~ -x cat",
        "fd id_ed25519 ~ --exec cat {}",
        "fd -H . ~/.ssh -X cat",
        "fd -H credentials ~/.aws --exec-batch cat {} ;",
        "fdfind -H id_ed25519 ~ -x base64",
    ],
)
def test_a_command_run_on_what_fd_finds_is_judged(bash: BashVerdict, command: str) -> None:
    assert bash(command)[0] is Verdict.DENY, command


@pytest.mark.parametrize(
    "command",
    [
        "fd -e py -x wc -l",
        "fd -e py . src -X ruff check",
        "fd test_ tests -x pytest {}",
        "fd -e md",
        "fd -H id_ed25519 ~",
    ],
)
def test_running_a_tool_on_project_files_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command)[0] is Verdict.ALLOW, command
