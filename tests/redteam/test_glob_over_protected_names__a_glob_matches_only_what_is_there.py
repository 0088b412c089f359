"""Threat and false positive together. A shell glob may match a protected name that is not
written out (`cat .en?` reads `.env`), so each glob is also tried with every protected name it
could match. That made `sed -i ... .github/workflows/*.yml` an ask on every run (`*` could be
`lefthook`), although bash only expands to names that exist. Invariant: in a directory that is
there to read, a protected name the directory does not hold is not matched by a single command's
glob, nor by the glob of a line's first command when it ends before the next one starts
(`sed ... && git diff`); a name that exists is (`.en?` with a `.env`), and so is any name when an
earlier command on the same line, or one running beside it in a pipeline or in the background,
could create it, or when the directory cannot be read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


@pytest.fixture
def world(tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]) -> PolicyEngine:
    ws = tmp_path / "ws"
    engine = policy_engine(tmp_path / "home", ws)
    (ws / ".github" / "workflows").mkdir(parents=True)
    (ws / ".github" / "workflows" / "ci.yml").write_text("on: push\n", encoding="utf-8")
    (ws / "config").mkdir()
    (ws / "config" / "app.yml").write_text("a: 1\n", encoding="utf-8")
    (ws / ".env").write_text("SECRET=1\n", encoding="utf-8")
    return engine


@pytest.mark.parametrize(
    "command",
    [
        "sed -i 's/ubuntu-20.04/ubuntu-latest/' .github/workflows/*.yml",
        "sed -i 's/a: 1/a: 2/' config/*.yml",
        "yq -i '.a = 3' config/*.yml",
        "sed -i 's/a: 1/a: 2/' config/*.yml && git diff",  # the first command, done first
        "sed -i 's/a: 1/a: 2/' config/*.yml; git diff --stat",
        "sed -i 's/a: 1/a: 2/' config/*.yml || echo failed",
    ],
)
def test_a_glob_edits_only_the_files_that_exist(world: PolicyEngine, command: str) -> None:
    assert world.evaluate(ToolCall("Bash", {"command": command})).verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    "command",
    [
        "cat .en?",  # `.env` is there
        "touch config/lefthook.yml; sed -i 's/a/b/' config/*.yml",  # created first
        "cp /tmp/x.yml config/lefthook.yml && sed -i 's/a/b/' config/*.yml",
        "tar xf /tmp/hooks.tar -C config && sed -i 's/a/b/' config/*.yml",  # names unknown
        # side by side: the glob may be expanded after the other command made the name
        "sed -i 's/a/b/' config/*.yml | touch config/lefthook.yml",
        "sed -i 's/a/b/' config/*.yml & cp /tmp/x.yml config/lefthook.yml",
        "bash -c 'touch config/lefthook.yml' && sed -i 's/a/b/' config/*.yml",
    ],
)
def test_a_protected_name_that_is_or_may_be_there_counts(world: PolicyEngine, command: str) -> None:
    assert world.evaluate(ToolCall("Bash", {"command": command})).verdict is not Verdict.ALLOW
