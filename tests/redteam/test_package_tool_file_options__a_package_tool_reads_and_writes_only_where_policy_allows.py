"""Threat: a package manager's own options name files it reads and directories it writes, and
the argument check skips package managers (their package names are not paths). `pip install -r
~/.aws/credentials` reads the credential file and prints each line it cannot parse as a
requirement, so the secret lands in the agent's context; `pip download -d ~/.ssh`, `pip install
--target ~/.config/autostart` and `npm --prefix ~ install` write outside the project. All of
them were allowed.

Invariant: pip's requirement and constraint files are reads; its `--target`, `--prefix`,
`--root`, `-d`, `-w`, `--src`, `--log` and `--report` are writes, as is `npm --prefix DIR`
for a command that installs; each is judged like any other read or write, so the same options
pointed into the project stay allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_OUTSIDE = "approval:write-outside-workspace"


@pytest.mark.parametrize(
    ("command", "verdict", "rule"),
    [
        ("pip install -r ~/.aws/credentials", Verdict.DENY, "builtin:cloud-credentials"),
        ("pip3 install -qr ~/.aws/credentials", Verdict.DENY, "builtin:cloud-credentials"),
        ("python -m pip install -c ~/.netrc x", Verdict.DENY, "builtin:vcs-credentials"),
        ("pip download -d ~/.ssh evil", Verdict.DENY, "builtin:ssh-keys"),
        ("pip install --target ~/.config/autostart evil", Verdict.DENY, "builtin:persistence"),
        ("pip install --root / evil", Verdict.DENY, "builtin:system-write"),
        ("pip install --prefix=$HOME/.local evil", Verdict.ASK, _OUTSIDE),
        ("npm install --prefix ~ evil", Verdict.ASK, _OUTSIDE),
        ("npm --prefix ~/.config/x install", Verdict.ASK, _OUTSIDE),
    ],
)
def test_a_package_tool_pointed_at_a_protected_place_is_judged(
    bash: BashVerdict, command: str, verdict: Verdict, rule: str
) -> None:
    assert bash(command) == (verdict, rule)


@pytest.mark.parametrize(
    "command",
    [
        "pip install -r requirements.txt",
        "pip install -qr requirements-dev.txt -c constraints.txt",
        "pip install -t src/vendor requests",
        "pip download -d dist requests",
        "pip wheel -w wheels .",
        "pip install -e .",
        "npm --prefix src/web install",
        "npm --prefix src/web run build",
    ],
)
def test_the_same_options_inside_the_project_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
