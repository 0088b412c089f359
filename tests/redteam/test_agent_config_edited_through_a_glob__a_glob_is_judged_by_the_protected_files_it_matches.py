"""Threat: an injected agent edits, empties or locks the agent's configuration (and with it the
CrustCore hook) through a glob instead of its name: `sed -i ... .claude/*`, `perl -pi -e ...
.claude/*.json`, `chmod 000 .claude/*`. A bare `*` was never matched against protected names
(it "stands for whatever is there"), and for `*.json`, which could match more protected
names than are tried, the names tried first were those protected for reading, so the
write-protected `settings.json` was never tried: both were allowed.

Invariant: a glob in the last part of a path is judged by the protected files it matches in
that directory (a bare `*` by the protected names among the entries there, not dotfiles
unless it starts with `.`), and when a glob could match more protected names than are tried,
those the rules protect for the operation at hand (a write, a read) come first. Edits of
ordinary files through globs stay allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
Plant = Callable[[Path, dict[str, str]], None]  # the `plant` fixture of conftest.py


@pytest.fixture(autouse=True)
def _project(seeded_engine: PolicyEngine, plant: Plant) -> None:
    names = (".claude/settings.json", "config/app.json", "src/data.json")
    plant(Path(seeded_engine.workspace), dict.fromkeys(names, "{}\n"))


@pytest.mark.parametrize(
    "command",
    [
        "sed -i 's/x/y/' .claude/*",
        "sed -i 's/x/y/' .claude/*.json",
        "perl -pi -e 's/a/b/' .claude/*.json",
        "chmod 000 .claude/*",
        "truncate -s 0 .claude/*",
    ],
)
def test_a_glob_over_the_agent_config_is_judged_as_its_files(
    bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.DENY, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "sed -i 's/x/y/' config/*",
        "sed -i 's/x/y/' config/*.json",
        "perl -pi -e 's/a/b/' src/*.json",
        "cat .claude/*",
        "chmod 644 src/*",
    ],
)
def test_globs_over_ordinary_files_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
