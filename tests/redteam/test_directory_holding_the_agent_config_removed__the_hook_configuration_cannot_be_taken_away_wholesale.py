"""Threat: an injected agent removes the directory that holds the agent's configuration, and
with it the CrustCore hook installed there: `rm -rf .claude`, `mv .claude /tmp/x`, `mv .claude
.claude-off`, `find .claude -delete`, `git rm -r .claude`, `git mv`, `rename` or
`os.rename(".claude", ...)` in code (a move's source was taken as read, not gone), or
`chmod -R 000 .claude`, which leaves settings no one can read. A delete
of `.claude/settings.json` itself was denied, but a delete or move of the directory holding it
was judged as a path that no rule names, and allowed; the next session then starts with no
hook.

Invariant: a delete or move away of a directory in the workspace is judged by the agent
configuration (and CrustCore home) it holds, found by a bounded walk from the top, as a delete
of that file would be; everyday cleanups (`rm -rf build`, a virtualenv, `find -name -delete`)
stay allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


@pytest.fixture
def workspace(seeded_engine: PolicyEngine) -> Path:
    ws = Path(seeded_engine.workspace)
    for name, body in {
        ".claude/settings.json": '{"hooks": {}}\n',
        ".cursor/mcp.json": "{}\n",
        "build/out.txt": "x\n",
        ".venv/lib/python3.11/site-packages/pkg.pth": "import os\n",
        "node_modules/left-pad/index.js": "module.exports = 1\n",
    }.items():
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_text(body, encoding="utf-8")
    return ws


def _decide(engine: PolicyEngine, command: str) -> tuple[Verdict, str]:
    decision = engine.evaluate(ToolCall("Bash", {"command": command}))
    return decision.verdict, decision.rule


@pytest.mark.parametrize(
    "command",
    [
        "rm -rf .claude",
        "rm -r ./.claude/",
        "mv .claude /tmp/claude-backup",
        "mv .claude .claude-off",
        "find .claude -delete",
        "rm -rf .cursor",
        "cd .. && rm -rf proj/.claude",
        "git rm -r .claude",
        "git mv .claude claude-off",
        "rename s/claude/off/ .claude",
        """python3 -c 'import os; os.rename(".claude", "off")'""",
        """python3 -c 'import shutil; shutil.rmtree(".claude")'""",
        "chmod -R 000 .claude",
        "chmod a-r .claude",
        "chown -R nobody .claude",
    ],
)
def test_removing_the_directory_that_holds_the_agent_config_is_denied(
    seeded_engine: PolicyEngine, workspace: Path, command: str
) -> None:
    assert _decide(seeded_engine, command) == (Verdict.DENY, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "rm -rf build",
        "rm -rf .venv node_modules",
        "mv build /tmp/old-build",
        "find . -name '*.pyc' -delete",
        "find build -type f -delete",
        "git mv src/app.py src/main.py",
        "git rm --cached -r .claude",
        "rename .txt .md build/*.txt",
        """python3 -c 'import os; os.rename("build/out.txt", "build/old.txt")'""",
        "chmod -R u+w build",
    ],
)
def test_everyday_cleanups_stay_allowed(
    seeded_engine: PolicyEngine, workspace: Path, command: str
) -> None:
    assert _decide(seeded_engine, command) == (Verdict.ALLOW, "allow")
