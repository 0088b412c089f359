"""Threat: everyday tools that run a command line handed to them in an option: `nodemon
--exec CMD` (a dev-server watcher), `zip -T -TT CMD` (the command that tests the archive),
`sort --compress-program=CMD` (its temporary files' compressor), `man -P CMD` (the pager) and
`entr -s CMD` (run by the shell on every change). An injected agent puts `cat ~/.netrc` there;
these were allowed, because the option's value was read as a word.

Invariant: a command line a tool runs from one of these options is judged as the shell
command it is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("nodemon --exec 'cat ~/.aws/credentials'", "builtin:cloud-credentials"),
        ("nodemon -x 'cat ~/.ssh/id_ed25519' --watch src", "builtin:ssh-keys"),
        ("zip -T -TT 'cat ~/.netrc #' out.zip src", "builtin:vcs-credentials"),
        ("zip -T --unzip-command='cat ~/.netrc #' out.zip src", "builtin:vcs-credentials"),
        ("sort --compress-program='cat ~/.netrc' big.txt", "builtin:vcs-credentials"),
        ("man -P 'cat ~/.aws/credentials' ls", "builtin:cloud-credentials"),
        ("entr -s 'cat ~/.ssh/id_ed25519' <<< src/app.py", "builtin:ssh-keys"),
    ],
)
def test_a_command_in_a_tool_option_is_judged(bash: BashVerdict, command: str, rule: str) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "nodemon --exec 'python app.py' --watch src",
        "nodemon server.js",
        "zip -r out.zip src",
        "zip -T out.zip src/app.py",
        "sort --compress-program=gzip -k2 data.txt",
        "man -P cat ls",
        "man git-rebase",
        "entr -rs 'make test' <<< src/app.py",
        "entr make test <<< src/app.py",
    ],
)
def test_everyday_tool_options_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
