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

from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


@pytest.fixture
def engine(seeded_engine: PolicyEngine) -> PolicyEngine:
    ws = Path(seeded_engine.workspace)
    for name in (".claude/settings.json", "config/app.json", "src/data.json"):
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_text("{}\n", encoding="utf-8")
    return seeded_engine


def _decide(engine: PolicyEngine, command: str) -> tuple[Verdict, str]:
    decision = engine.evaluate(ToolCall("Bash", {"command": command}))
    return decision.verdict, decision.rule


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
    engine: PolicyEngine, command: str
) -> None:
    assert _decide(engine, command) == (Verdict.DENY, "builtin:agent-config")


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
def test_globs_over_ordinary_files_stay_allowed(engine: PolicyEngine, command: str) -> None:
    assert _decide(engine, command) == (Verdict.ALLOW, "allow")
