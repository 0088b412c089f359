"""Red-team round 3 (persistence and tool configuration) through the whole engine.

Holes closed in the builtin path rules and the shell analyser:

* interpreter start-up hooks: `*.pth`, `sitecustomize.py`, `usercustomize.py` in any
  `site-packages`/`dist-packages`, a workspace virtualenv included (`builtin:persistence`);
* schedulers the analyser did not see: `batch` with no arguments, `git maintenance start`,
  `systemd-run --on-*`, `loginctl enable-linger` (`builtin:persistence`);
* hooks planted without writing `.git/hooks`: `git init|clone --template=DIR`, a copy into
  `.git/`, a hand-written `.git` `gitdir:` file (`builtin:git-hooks-and-config`);
* `npm|pnpm|yarn|pip config set` rewriting the config file the path rules protect;
* agent configuration not covered yet (VS Code MCP, OpenCode, Kiro, Aider: denied) and project
  files that run commands when opened (dev containers, `.yarnrc.yml`, Claude Code commands,
  skills and subagents: asked, `builtin:ide-tasks`).

Everyday look-alikes keep their verdict.
"""

from __future__ import annotations

import pytest
from crustcore_nano.policy.types import ToolCall, Verdict
from policy_world import World, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(
        tmp_path_factory.mktemp("persist_r3"),
        dirs=("{HOME}/.ssh", "{WS}/src", "{WS}/.git/hooks", "{WS}/docs"),
        files={"{WS}/.git/config": "[core]\n", "{WS}/src/app.py": "x = 1\n"},
    )


def _bash(world: World, command: str) -> tuple[Verdict, str]:
    decision = world.engine.evaluate(ToolCall("Bash", {"command": command}))
    return decision.verdict, decision.rule


def _write(world: World, path: str) -> tuple[Verdict, str]:
    full = world.subst(path)
    decision = world.engine.evaluate(
        ToolCall("Write", {"file_path": full, "content": "import os\n"})
    )
    return decision.verdict, decision.rule


_PERSIST = "builtin:persistence"
_GIT = "builtin:git-hooks-and-config"
_PKG = "builtin:package-manager-credentials"
_AGENT = "builtin:agent-config"
_IDE = "builtin:ide-tasks"


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("echo 'sh x' | batch", _PERSIST),
        ("git maintenance start", _PERSIST),
        ("git maintenance start --scheduler=crontab", _PERSIST),
        ("systemd-run --user --on-calendar=hourly sh /tmp/x", _PERSIST),
        ("systemd-run --user --on-calendar hourly sh /tmp/x", _PERSIST),
        ("systemd-run --on-active=30 /tmp/x", _PERSIST),
        ("loginctl enable-linger dev", _PERSIST),
        ("cp /tmp/x.pth .venv/lib/python3.11/site-packages/", _PERSIST),
        ("echo 'import os' > .venv/lib/python3.11/site-packages/x.pth", _PERSIST),
        ("ln -s /tmp/x.pth .venv/lib/python3.11/site-packages/", _PERSIST),
        ("git init --template=/tmp/t .", _GIT),
        ("git init --template /tmp/t", _GIT),
        ("git clone --template=/tmp/t https://github.com/a/b", _GIT),
        ("cp -r /tmp/t/hooks .git/", _GIT),
        ("mv /tmp/hooks .git", _GIT),
        ("echo 'gitdir: /tmp/evil' > src/.git", _GIT),
        ("npm config set script-shell /tmp/evil.sh", _PKG),
        ("npm set node-options '--require /tmp/x.js'", _PKG),
        ("npm config set --location=project script-shell /tmp/evil.sh", _PKG),
        ("pnpm config set script-shell /tmp/x", _PKG),
        ("yarn config set yarnPath /tmp/x.js", _PKG),
        ("pip config set global.index-url https://evil.example/simple", _PKG),
        ("cp /tmp/dot/.bashrc ~", "builtin:shell-startup-files"),
        ("git config --global --edit", _GIT),
        ("git config set --global core.pager 'sh /tmp/x'", _GIT),
    ],
)
def test_persistence_commands_are_denied(world: World, command: str, rule: str) -> None:
    assert _bash(world, command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "X='sh x' git --config-env core.fsmonitor=X status",
        "git --config-env=core.pager=X log",
    ],
)
def test_git_config_env_program_is_asked(world: World, command: str) -> None:
    verdict, rule = _bash(world, command)
    assert verdict is not Verdict.ALLOW, rule


@pytest.mark.parametrize(
    ("path", "verdict", "rule"),
    [
        ("{WS}/.venv/lib/python3.11/site-packages/evil.pth", Verdict.DENY, _PERSIST),
        ("{WS}/.venv/lib/python3.11/site-packages/sitecustomize.py", Verdict.DENY, _PERSIST),
        ("{HOME}/.local/lib/python3.11/site-packages/usercustomize.py", Verdict.DENY, _PERSIST),
        ("/usr/lib/python3/dist-packages/zz.pth", Verdict.DENY, _PERSIST),
        ("{WS}/src/.git", Verdict.DENY, _GIT),
        ("{WS}/.vscode/mcp.json", Verdict.DENY, _AGENT),
        ("{WS}/opencode.json", Verdict.DENY, _AGENT),
        ("{WS}/.opencode/plugin/x.ts", Verdict.DENY, _AGENT),
        ("{WS}/.kiro/settings/mcp.json", Verdict.DENY, _AGENT),
        ("{WS}/.aider.conf.yml", Verdict.DENY, _AGENT),
        ("{WS}/.devcontainer/devcontainer.json", Verdict.ASK, _IDE),
        ("{WS}/.devcontainer.json", Verdict.ASK, _IDE),
        ("{WS}/.yarnrc.yml", Verdict.ASK, _IDE),
        ("{WS}/.claude/commands/deploy.md", Verdict.ASK, _IDE),
        ("{WS}/.claude/skills/x/SKILL.md", Verdict.ASK, _IDE),
        ("{WS}/.claude/agents/reviewer.md", Verdict.ASK, _IDE),
        ("{HOME}/.yarnrc.yml", Verdict.DENY, _PKG),
    ],
)
def test_config_files_that_run_code(world: World, path: str, verdict: Verdict, rule: str) -> None:
    assert _write(world, path) == (verdict, rule)


@pytest.mark.parametrize(
    "command",
    [
        "git config user.name 'A B'",
        "git config --get remote.origin.url",
        "git -c color.ui=always diff",
        "export NODE_ENV=production",
        "PYTHONPATH=src pytest",
        "crontab -l",
        "at -l",
        "atq",
        "systemctl --user status x",
        "systemd-run --user --scope make",
        "loginctl list-sessions",
        "git init",
        "git init --template= .",
        "git clone https://github.com/a/b.git vendor/b",
        "git maintenance run",
        "git --config-env=user.name=GIT_NAME log",
        "git config set user.name x",
        "git config get user.name",
        "git config --list",
        "npm config get registry",
        "npm config list",
        "pip config list",
        "npm install",
        "cp src/app.py src/app_old.py",
        "cp -r src/ backup/",
        "cp README.md docs/",
        "mv src/app.py src/main.py",
        "ln -s ../README.md docs/",
        "python -m venv .venv && .venv/bin/pip install -e .",
    ],
)
def test_everyday_commands_stay_allowed(world: World, command: str) -> None:
    assert _bash(world, command) == (Verdict.ALLOW, "allow")


@pytest.mark.parametrize(
    "path",
    [
        "{WS}/docs/cron.md",
        "{WS}/CLAUDE.md",
        "{WS}/AGENTS.md",
        "{WS}/.cursor/rules/style.mdc",
        "{WS}/.github/copilot-instructions.md",
        "{WS}/src/site_packages_notes.md",
        "{WS}/src/pkg/__init__.py",
        "{WS}/pyproject.toml",
        "{WS}/package.json",
    ],
)
def test_everyday_writes_stay_allowed(world: World, path: str) -> None:
    assert _write(world, path) == (Verdict.ALLOW, "allow")
