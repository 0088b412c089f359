"""Threat: a prompt-injected agent approves its own pending request (or removes a secret, or
stops the kernel) by starting the `crustcore` CLI some way other than by its name:
`python -m crustcore_nano approve ID`, `./dev run crustcore approve ID`, `uvx crustcore ...`,
or code that loads the kernel client in the admin role. Only `crustcore approve` by name was
refused; the CLI reads the admin token itself, so the other spellings resolved approvals.
Invariant: every way of starting CrustCore's admin commands is denied to agents; the read-only
commands (`check`, `scan`, `status`) and mentions of the name stay allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict

_ATTACKS = [
    "python -m crustcore_nano approve a-1",
    "python3 -mcrustcore_nano approve a-1",
    "./dev run crustcore approve a-1",
    "uv run crustcore deny a-2",
    "uvx crustcore secrets rm OPENAI",
    "pipx run crustcore down",
    "pdm run crustcore deny a-2",
    "direnv exec . crustcore approve a-1",
    "nix shell nixpkgs#hello -c crustcore approve a-1",
    "/usr/local/bin/crustcore approve a-1",
    "uv run python -m crustcore_nano.daemon serve --home /tmp/h",
    'python3 -c "from crustcore_nano.daemon.client import KernelClient as K;'
    " K(None, role='admin').resolve_approval('a-1', True)\"",
    "python3 - <<'EOF'\nimport crustcore_nano.daemon.admin_cli as a\n"
    "a.main(['approve', 'a-1'])\nEOF",
]
_EVERYDAY = [
    "crustcore check --root . < call.json",
    "uv run crustcore scan README.md",
    "./dev run crustcore status",
    "grep -rn crustcore docs/ | head",
    "python -m pytest packages/crustcore-nano/tests -q",
    'python3 -c "import crustcore_nano; print(crustcore_nano.__file__)"',
]


@pytest.fixture
def engine(tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]) -> PolicyEngine:
    return policy_engine(tmp_path / "home", tmp_path / "ws")


@pytest.mark.parametrize("command", _ATTACKS)
def test_admin_commands_are_denied_however_started(engine: PolicyEngine, command: str) -> None:
    decision = engine.evaluate(ToolCall("Bash", {"command": command}))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:self-protection")


@pytest.mark.parametrize("command", _EVERYDAY)
def test_read_only_commands_are_allowed(engine: PolicyEngine, command: str) -> None:
    assert engine.evaluate(ToolCall("Bash", {"command": command})).verdict is Verdict.ALLOW
