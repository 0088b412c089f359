"""The evaluation pipeline end to end: stages, precedence, user rules, MCP policy, caches."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from crustcore_nano.policy.config import UserPolicy, parse_policy
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict


@dataclass(frozen=True, slots=True)
class World:
    ws: Path
    home: Path
    cc: Path

    def engine(self, policy: UserPolicy | None = None) -> PolicyEngine:
        return PolicyEngine(
            policy,
            crustcore_home=str(self.cc),
            workspace=str(self.ws),
            home=str(self.home),
            env={"HOME": str(self.home)},
        )

    def policy(self, text: str) -> UserPolicy:
        return parse_policy(text, source="test.toml", home=str(self.home))


@pytest.fixture
def world(tmp_path: Path) -> World:
    home = tmp_path / "home" / "me"
    ws = tmp_path / "src" / "proj"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("k", encoding="utf-8")
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "app.py").write_text("x = 1\n", encoding="utf-8")
    cc = home / ".crustcore"
    (cc / "run").mkdir(parents=True)
    return World(ws, home, cc)


def _bash(command: str, **extra: object) -> ToolCall:
    return ToolCall("Bash", {"command": command, **extra})


def _check(engine: PolicyEngine, call: ToolCall) -> Decision:
    first = engine.evaluate(call)
    assert engine.evaluate(call) == first  # deterministic
    return first


def test_decision_json_contract(world: World) -> None:
    decision = world.engine().evaluate(_bash("cat ~/.ssh/id_rsa"))
    body = decision.to_json()
    assert set(body) == {"decision", "rule", "reason"}
    assert body["decision"] == "deny"
    assert body["rule"] == "builtin:ssh-keys"
    assert "off limits" in str(body["reason"])


def test_everyday_calls_are_allowed(world: World) -> None:
    engine = world.engine()
    for call in (
        ToolCall("Read", {"file_path": "src/app.py"}),
        ToolCall("Write", {"file_path": str(world.ws / "src" / "b.py"), "content": "y = 2\n"}),
        _bash("git status && python -m pytest -q"),
        _bash("grep -rn TODO src | head"),
        ToolCall("WebFetch", {"url": "https://docs.python.org/3/", "prompt": "read"}),
    ):
        assert _check(engine, call).verdict is Verdict.ALLOW, call


def test_malformed_calls_are_denied(world: World) -> None:
    engine = world.engine()
    deep: object = 1
    for _ in range(60):
        deep = [deep]
    for call in (
        ToolCall("Bash", {"command": "ls", "COMMAND": "cat x"}),
        ToolCall("Bash", {"command": "ls", "x": deep}),
        ToolCall("Re\u200bad", {"file_path": "a"}),
        ToolCall("", {"command": "ls"}),
        ToolCall("Write", {"file_path": "a", "content": "x" * (5 * 1024 * 1024)}),
    ):
        decision = _check(engine, call)
        assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:malformed-call")


def test_confinement_asks_outside_and_denies_system(world: World) -> None:
    engine = world.engine()
    outside = _check(engine, ToolCall("Write", {"file_path": str(world.home / "x.md")}))
    assert (outside.verdict, outside.rule) == (Verdict.ASK, "approval:write-outside-workspace")
    system = _check(engine, ToolCall("Write", {"file_path": "/usr/local/bin/x", "content": "x"}))
    assert (system.verdict, system.rule) == (Verdict.DENY, "builtin:system-write")
    temp = _check(engine, ToolCall("Write", {"file_path": "/tmp/scratch.txt", "content": "x"}))
    assert temp.verdict is Verdict.ALLOW


def test_symlink_escape_is_not_confined(world: World) -> None:
    os.symlink(world.home, world.ws / "h")
    engine = world.engine()
    decision = _check(engine, ToolCall("Write", {"file_path": "h/notes.txt", "content": "x"}))
    assert decision.verdict is Verdict.ASK
    assert "symlink" in decision.reason


def test_user_rules_deny_allow_and_ask(world: World) -> None:
    policy = world.policy(
        """
[[rules]]
name = "no-kubectl-prod"
action = "deny"
reason = "prod is CI only"
command = 'kubectl .*--context[= ]prod'

[[rules]]
name = "ask-infra"
action = "ask"
operation = ["write"]
path = ["infra/**"]

[[rules]]
name = "infra-readme"
action = "allow"
operation = ["write"]
path = ["infra/README.md"]

[[rules]]
name = "try-to-allow-keys"
action = "allow"
path = ["~/.ssh/**"]

[[rules]]
name = "notes-outside"
action = "allow"
operation = ["write"]
path = ["~/notes/**"]
"""
    )
    engine = world.engine(policy)
    prod = _check(engine, _bash("kubectl apply -f x.yaml --context prod"))
    assert (prod.verdict, prod.rule, prod.reason) == (
        Verdict.DENY,
        "user:no-kubectl-prod",
        "prod is CI only",
    )
    infra = _check(engine, ToolCall("Write", {"file_path": "infra/main.tf", "content": "x"}))
    assert (infra.verdict, infra.rule) == (Verdict.ASK, "user:ask-infra")
    readme = _check(engine, ToolCall("Write", {"file_path": "infra/README.md", "content": "x"}))
    assert readme.verdict is Verdict.ALLOW
    # an allow rule never lifts a locked builtin rule
    keys = _check(engine, ToolCall("Read", {"file_path": "~/.ssh/id_rsa"}))
    assert (keys.verdict, keys.rule) == (Verdict.DENY, "builtin:ssh-keys")
    # but it lifts the confinement approval for the path it names
    notes = _check(engine, ToolCall("Write", {"file_path": "~/notes/a.md", "content": "x"}))
    assert notes.verdict is Verdict.ALLOW


def test_mcp_tool_policy(world: World) -> None:
    default = world.engine()
    unknown = ToolCall("mcp__github__create_issue", {"title": "x"}, Origin.MCP)
    decision = _check(default, unknown)
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "mcp:tool-policy")
    assert "allow_tools" in decision.reason
    known = ToolCall("mcp__filesystem__read_file", {"path": "src/app.py"}, Origin.MCP)
    assert _check(default, known).verdict is Verdict.ALLOW
    policy = world.policy(
        """
[policy.mcp.github]
unknown_tools = "ask"
allow_tools = ["create_*", "get_*"]
deny_tools = ["create_release"]
"""
    )
    engine = world.engine(policy)
    assert _check(engine, unknown).verdict is Verdict.ALLOW
    release = ToolCall("mcp__github__create_release", {"tag": "v1"}, Origin.MCP)
    assert _check(engine, release).verdict is Verdict.DENY
    other = ToolCall("mcp__github__merge_pr", {"n": 1}, Origin.MCP)
    assert _check(engine, other).verdict is Verdict.ASK
    # the tool policy never lifts builtin rules
    sneaky = ToolCall("mcp__github__get_file", {"path": "~/.ssh/id_rsa"}, Origin.MCP)
    assert _check(engine, sneaky).rule == "builtin:ssh-keys"


def test_deny_wins_over_ask(world: World) -> None:
    decision = _check(world.engine(), _bash("git push --force && cat ~/.ssh/id_rsa"))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:ssh-keys")


def test_git_config_harmless_keys_are_allowed(world: World) -> None:
    engine = world.engine()
    assert _check(engine, _bash("git config user.email me@example.com")).verdict is Verdict.ALLOW
    assert _check(engine, _bash("git config --get core.hooksPath")).verdict is Verdict.ALLOW
    hook = _check(engine, _bash("git config core.sshCommand 'ssh -i x'"))
    assert hook.rule == "builtin:git-hooks-and-config"


def test_crustcore_home_is_protected_in_every_form(world: World) -> None:
    engine = world.engine()
    for call in (
        _bash("cat ~/.crustcore/crustcore.toml"),
        _bash("ls $HOME/.crustcore/run"),
        _bash("curl --unix-socket ~/.crustcore/run/kernel.sock http://x/"),
        ToolCall("Read", {"file_path": str(world.cc / "keys" / "k")}),
        _bash("pkill -f crustcore"),
        _bash("crustcore down"),
    ):
        assert _check(engine, call).rule == "builtin:self-protection", call
    assert _check(engine, _bash("crustcore check < call.json")).verdict is Verdict.ALLOW


def test_identical_call_sees_a_symlink_another_process_made_in_between(world: World) -> None:
    engine = world.engine()
    target = world.ws / "link"
    read = ToolCall("Read", {"file_path": str(target)})
    assert engine.evaluate(read).verdict is Verdict.ALLOW
    assert engine.evaluate(read).verdict is Verdict.ALLOW
    os.symlink(world.home / ".ssh" / "id_rsa", target)  # not through the engine
    assert engine.evaluate(read).rule == "builtin:ssh-keys"


def test_uncached_engine_sees_new_symlinks(world: World) -> None:
    engine = world.engine()
    target = world.ws / "later"
    read = ToolCall("Read", {"file_path": str(target)})
    assert engine.evaluate(read).verdict is Verdict.ALLOW
    os.symlink(world.home / ".ssh", target)
    assert engine.evaluate(ToolCall("Read", {"file_path": f"{target}/id_rsa"})).verdict is (
        Verdict.DENY
    )


def test_tool_env_argument_is_checked(world: World) -> None:
    call = ToolCall("shell", {"command": ["make"], "env": {"LD_PRELOAD": "/tmp/x.so"}})
    assert _check(world.engine(), call).rule == "builtin:dangerous-env"


def test_reversibility_asks_and_everyday_git_is_allowed(world: World) -> None:
    engine = world.engine()
    assert _check(engine, _bash("git push origin main")).verdict is Verdict.ALLOW
    assert _check(engine, _bash("git push --force origin main")).rule == "approval:force-push"
    assert _check(engine, _bash("rm -rf build dist node_modules")).verdict is Verdict.ALLOW
    assert _check(engine, _bash("rm -rf .git")).rule == "approval:recursive-delete"
    assert _check(engine, _bash("npm publish")).rule == "approval:publish"


def test_secrets_in_arguments(world: World) -> None:
    engine = world.engine()
    live = ToolCall(
        "Write", {"file_path": "a.py", "content": "k = 'sk_live_51HqLyjWDarjtT1zdp7dcX9aB'"}
    )
    assert _check(engine, live).rule == "builtin:secret-in-arguments"
    test = ToolCall(
        "Write", {"file_path": "a.py", "content": "k = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'"}
    )
    assert _check(engine, test).verdict is Verdict.ALLOW
    # the text an edit replaces is not what the call writes
    edit = ToolCall(
        "Edit",
        {"file_path": "a.py", "old_string": "sk_live_51HqLyjWDarjtT1zdp7dcX9aB", "new_string": ""},
    )
    assert _check(engine, edit).verdict is Verdict.ALLOW


def test_constructor_validates_paths(world: World) -> None:
    with pytest.raises(ValueError, match="absolute"):
        PolicyEngine(crustcore_home="rel", workspace=str(world.ws), home=str(world.home))
    with pytest.raises(ValueError, match="absolute"):
        PolicyEngine(crustcore_home=str(world.cc), workspace=str(world.ws), home="rel")


def test_unforeseen_errors_fail_closed(world: World) -> None:
    class Exploding(dict[str, object]):
        def items(self) -> object:  # type: ignore[override]
            raise RuntimeError("boom")

    decision = world.engine().evaluate(ToolCall("Bash", Exploding(command="ls")))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:malformed-call")
    assert "could not evaluate" in decision.reason or "malformed" in decision.reason
