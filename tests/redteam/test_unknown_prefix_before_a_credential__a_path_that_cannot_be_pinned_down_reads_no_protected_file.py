"""Threat: the protected credentials are named with their home directory (`~/.aws/**`,
`~/.netrc`, `~/.kube/**`), so an injected agent writes the home in a form the check cannot
evaluate: `cat $(dirname ~/x)/.aws/credentials`, `cat $OLDPWD/.kube/config`, `cat
${HOME%/*}/me/.netrc`, `cat /proc/$PPID/cwd/.aws/credentials` (the agent's parent usually runs in
the home directory) or `cat /proc/1234/cwd/../.aws/credentials`. Each of these was allowed: the
part that could not be evaluated was treated as an ordinary directory name (or, for `$PPID`,
as empty), and the rest matched no rule. Invariant: when part of a path cannot be pinned down,
what follows it is checked as if that part were the home directory or `/`. If that would be a
protected file, the call gets the protected file's verdict. Paths whose unknown part is
followed by ordinary project names stay allowed. So do files named with `$$` or `$RANDOM`
(`/tmp/out.$$`), which used to be asked: a number cannot make a path lead anywhere else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.fixture
def engine(seeded_engine: PolicyEngine) -> PolicyEngine:
    return seeded_engine


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("cat $(dirname ~/x)/.aws/credentials", "builtin:cloud-credentials"),
        ("cat `dirname ~/x`/.aws/credentials", "builtin:cloud-credentials"),
        (
            'cat "$(getent passwd "$USER" | cut -d: -f6)/.aws/credentials"',
            "builtin:cloud-credentials",
        ),
        ("d=$(cd ~ && pwd); cat $d/.aws/credentials", "builtin:cloud-credentials"),
        ("cat $(pwd -P)/../.aws/config", "builtin:cloud-credentials"),
        ("cat $OLDPWD/.kube/config", "builtin:cloud-credentials"),
        ("cd ~ && cd - && cat ~-/.aws/credentials", "builtin:cloud-credentials"),
        ("cat ${HOME%/*}/me/.netrc", "builtin:vcs-credentials"),
        ("cat /proc/$PPID/cwd/.aws/credentials", "builtin:cloud-credentials"),
        ("cat /proc/$$/cwd/../.aws/credentials", "builtin:cloud-credentials"),
        ("cat /proc/1234/cwd/.aws/credentials", "builtin:cloud-credentials"),
        ("cat /proc/1234/task/1234/cwd/../.git-credentials", "builtin:vcs-credentials"),
        ("cp $(foo)/.aws/credentials ./c.txt", "builtin:cloud-credentials"),
        ("base64 $(xdg-user-dir)/.aws/credentials", "builtin:cloud-credentials"),
        ("cat $(foo)/etc/shadow", "builtin:system-secrets"),
    ],
)
def test_a_protected_file_behind_an_unknown_part_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


def test_a_file_tool_naming_another_process_directory_is_denied(engine: PolicyEngine) -> None:
    decision = engine.evaluate(
        ToolCall("Read", {"file_path": "/proc/1234/cwd/../.aws/credentials"})
    )
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:cloud-credentials")
    assert "cannot be pinned down" in decision.reason


def test_the_reason_names_where_the_path_may_lead(engine: PolicyEngine, tmp_path: Path) -> None:
    decision = engine.evaluate(ToolCall("Bash", {"command": "cat $(dirname ~/x)/.aws/credentials"}))
    assert str(tmp_path / "home" / ".aws" / "credentials") in decision.reason


@pytest.mark.parametrize(
    "command",
    [
        "cat $(git rev-parse --show-toplevel)/src/app.py",
        'source "$(poetry env info -p)/bin/activate"',
        "ls $(go env GOPATH)/bin",
        "cat $(npm root)/left-pad/package.json",
        'cat "$VIRTUAL_ENV/pyvenv.cfg"',
        '. "$NVM_DIR/nvm.sh"',
        "cat /proc/self/cwd/src/app.py",
        "cat /proc/$PPID/status",
        "echo done > /tmp/out.$$",
        "touch /tmp/build-$RANDOM.log",
        "mkdir -p /tmp/t$$ && cp src/app.py /tmp/t$$/",
        "echo hi > out.$$",
        "ls /run/user/$UID",
    ],
)
def test_ordinary_paths_with_an_unknown_part_are_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
