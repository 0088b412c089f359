"""Threat: a repository plants a symlink (`docs/notes.txt -> ~/.aws/credentials`), and an
injected instruction asks the agent for something as plain as `cat docs/*.txt` or `head -n 40
docs/*`. `cat docs/notes.txt` was denied (the link is resolved), but the glob was only compared
with protected *names*, so the same read through a glob was allowed. Invariant: a glob in the
last part of a path is also expanded the way the shell will expand it, for symlinks, and so
is what `find ROOT -name P` hands to a reader (a bounded walk of ROOT); each link is judged by
where it leads. Ordinary globs and links that stay harmless are allowed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


@pytest.fixture
def engine(tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]) -> PolicyEngine:
    home, ws = tmp_path / "home", tmp_path / "ws"
    made = policy_engine(home, ws)
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[default]\n", encoding="utf-8")
    (home / "notes").mkdir()
    (home / "notes" / "todo.txt").write_text("buy milk\n", encoding="utf-8")
    docs = ws / "docs"
    docs.mkdir()
    (docs / "guide.txt").write_text("hello\n", encoding="utf-8")
    os.symlink(home / ".aws" / "credentials", docs / "notes.txt")
    os.symlink(home / "notes" / "todo.txt", ws / "todo.txt")
    os.symlink(home / ".aws" / "credentials", ws / ".hidden-link")
    return made


@pytest.mark.parametrize(
    "command",
    ["cat docs/*.txt", "head -n 40 docs/*", "cat docs/n*", "cd docs && cat *", "tail docs/*.t?t"],
)
def test_a_glob_over_a_planted_link_is_denied(engine: PolicyEngine, command: str) -> None:
    decision = engine.evaluate(ToolCall("Bash", {"command": command}))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:cloud-credentials")


@pytest.mark.parametrize(
    "command",
    [
        "find . -name '*.txt' | xargs cat",
        "cat $(find docs -name 'n*')",
        "find . -type f -name 'notes*' -print0 | xargs -0 head",
    ],
)
def test_files_found_by_name_are_read_through_the_link(engine: PolicyEngine, command: str) -> None:
    decision = engine.evaluate(ToolCall("Bash", {"command": command}))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:cloud-credentials")


@pytest.mark.parametrize(
    "command",
    [
        "find docs -name 'guide*' | xargs cat",  # matches no link
        "find . -name '*.py' | xargs wc -l",
        "cat docs/guide*",  # matches no link
        "cat *.txt",  # the only link leads to a harmless file outside the workspace
        "cat *",  # `*` skips the dotfile link, as the shell does
        "ls -la docs/",
        "wc -l src/*.py",  # no such directory: nothing to expand
    ],
)
def test_ordinary_globs_are_allowed(engine: PolicyEngine, command: str) -> None:
    assert engine.evaluate(ToolCall("Bash", {"command": command})).verdict is Verdict.ALLOW
