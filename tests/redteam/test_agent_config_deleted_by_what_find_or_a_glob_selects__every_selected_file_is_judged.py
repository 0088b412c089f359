"""Threat: an injected agent deletes the agent's configuration (and with it the CrustCore hook)
without naming it: `find . -name settings.json -delete`, `find . -name '*.json' | xargs rm`,
`find . -type f -name 'settings*' -exec rm {} +`, `find .claude ! -name '*.py' -delete`,
`find . -path '*/.claude/*' -delete` or `rm -rf .claude/*`. A `find` with tests had its
deletes skipped by the walk that judges a removed directory, a negated or alternative `-name`
was read as if it bounded what is found (`! -name '*.py'` as "only the `.py` files"), and a
glob in the last part of a deleted path was never walked: all of these were allowed.

Invariant: a delete of what `find` or a glob selects in the workspace is judged by the agent
configuration it would take, found by the same bounded walk: one `-name` (or `-iname`) selects
the entries it matches and everything below them, at any depth; a shell glob selects entries
of its directory (not dotfiles unless it starts with `.`); `find` tests that cannot be read
(`-path`, `-empty`, `-mtime`, negations, alternatives) make the delete asked when the root
holds configuration. Everyday cleanups (`*.pyc`, `__pycache__`, logs, a build directory) stay
allowed, and so does a `*.json` cleanup in a project that holds no agent configuration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
Plant = Callable[[Path, dict[str, str]], None]  # the `plant` fixture of conftest.py


@pytest.fixture
def workspace(seeded_engine: PolicyEngine, plant: Plant) -> Path:
    ws = Path(seeded_engine.workspace)
    plant(
        ws,
        {
            ".claude/settings.json": '{"hooks": {}}\n',
            "build/out.log": "x\n",
            "src/pkg/__pycache__/m.cpython-311.pyc": "x",
            "config/app.json": "{}\n",
        },
    )
    return ws


@pytest.mark.parametrize(
    "command",
    [
        "find . -name settings.json -delete",
        "find . -iname SETTINGS.JSON -delete",
        "find . -name '*.json' -delete",
        "find .claude -name '*.json' -delete",
        "find . -name 'settings.*' -delete",
        "find . -name settings.json | xargs rm",
        "find . -name '*.json' -print0 | xargs -0 rm -f",
        "find . -type f -name 'settings*' -exec rm {} +",
        "find . ! -name '*.py' -exec rm {} +",
        "find . -name '*.py' -o -name '*.json' | xargs rm -f",
        "find . -name '.cl*' -exec rm -rf {} +",
        "rm -rf .claude/*",
        "rm -rf ./**/settings.json",
    ],
)
def test_deleting_what_find_or_a_glob_selects_cannot_take_the_agent_config(
    workspace: Path, bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.DENY, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "find .claude ! -name '*.py' -delete",
        "find . -path '*/.claude/*' -delete",
        "find . -type d -empty -delete",
        "find . -mtime +30 -delete",
    ],
)
def test_find_tests_that_cannot_be_read_make_the_delete_asked(
    workspace: Path, bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.ASK, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "find . -name '*.pyc' -delete",
        "find . -type d -name __pycache__ -exec rm -rf {} +",
        "find . -name '*.log' | xargs rm -f",
        "find build -type f -delete",
        "find src -mtime +3 -delete",
        "rm -rf build/*",
        "rm -f config/*.json",
        "find . -name node_modules -prune -o -name '*.log' -print | xargs rm",
    ],
)
def test_everyday_cleanups_stay_allowed(workspace: Path, bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")


@pytest.mark.parametrize(
    "command",
    [
        "find . -name '*.json' -delete",
        "find . -name '*.json' | xargs rm",
        "find . ! -name '*.py' -exec rm {} +",
        "find . -type f -delete",
    ],
)
def test_json_cleanups_in_a_project_without_agent_config_stay_allowed(
    seeded_engine: PolicyEngine, plant: Plant, bash: BashVerdict, command: str
) -> None:
    """Protected names are not guessed into a deleted `ROOT/**/NAME` in the workspace: the walk
    judges the files that are there."""
    plant(Path(seeded_engine.workspace), {"config/app.json": "{}\n", "package.json": "{}\n"})
    assert bash(command) == (Verdict.ALLOW, "allow")
