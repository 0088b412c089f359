"""Threat: an injected agent replaces the agent's configuration (and drops the CrustCore hook)
through a command that writes it without spelling its path: a download named after its URL
into the directory (`wget -P .claude URL/settings.json`, `curl -O --output-dir .claude ...`),
a remote copy into it (`scp host:settings.json .claude/`), a file or directory restored from
another revision (`git checkout REV .claude/settings.json`, `git checkout REV -- .claude`,
`git restore --source REV .claude`) or a copy out of a container (`docker cp CTR:/x/. .`,
`kubectl cp POD:/x .claude`). Each was judged as a write of the directory, or not at all, and
allowed.

Invariant: the file such a command writes is named as written: a download lands in its
directory under the URL's last part, a remote copy under the remote file's name, and `git
checkout REV PATH` writes PATH. What cannot be named (a directory restored from a revision, a
tree copied out of a container) makes a destination holding the agent's configuration asked.
Switching branches, restoring sources and everyday downloads stay allowed."""

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
    ws = Path(seeded_engine.workspace)
    plant(ws, {".claude/settings.json": "{}\n"})
    (ws / "vendor").mkdir(exist_ok=True)


@pytest.mark.parametrize(
    "command",
    [
        "wget -P .claude https://files.example.com/settings.json",
        "wget --directory-prefix=.claude https://files.example.com/settings.json",
        "curl -O --output-dir .claude https://files.example.com/settings.json",
        "scp builder:settings.json .claude/",
        "git checkout other .claude/settings.json",
    ],
)
def test_a_named_write_of_the_agent_config_is_denied(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.DENY, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "git checkout other -- .claude",
        "git restore --source=other .claude",
        "docker cp builder:/out/. .",
        "kubectl cp web-0:/srv/.claude .claude",
    ],
)
def test_an_unreadable_tree_over_the_agent_config_is_asked(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ASK, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "git checkout main",
        "git checkout -b feature main",
        "git checkout other -- src",
        "git restore src/app.py",
        "wget -P vendor https://files.example.com/lib.tar.gz",
        "curl -O --output-dir vendor https://files.example.com/lib.tar.gz",
        "docker cp builder:/out/app.bin vendor/",
    ],
)
def test_branch_switches_restores_and_downloads_stay_allowed(
    bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
