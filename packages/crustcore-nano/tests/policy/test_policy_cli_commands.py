"""`crustcore check`, `crustcore hook claude-code` (and install/uninstall), `crustcore replay`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from crustcore_nano.policy.cli import (
    HOOK_COMMAND,
    HOOK_EVENTS,
    check_main,
    hook_main,
    install_claude_hook,
    replay_main,
    uninstall_claude_hook,
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (tmp_path / "ws").mkdir()
    return {"HOME": str(home), "CRUSTCORE_HOME": str(home / ".crustcore"), "PATH": "/usr/bin"}


def _run(
    main: object, argv: list[str], stdin: str, environ: dict[str, str]
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    assert callable(main)
    code = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err, environ=environ)
    assert isinstance(code, int)
    return code, out.getvalue(), err.getvalue()


def test_check_prints_the_decision(env: dict[str, str], tmp_path: Path) -> None:
    call = json.dumps({"tool": "bash", "args": {"command": "cat ~/.ssh/id_rsa"}})
    code, out, err = _run(check_main, ["--root", str(tmp_path / "ws")], call, env)
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert body["decision"] == "deny"
    assert body["rule"] == "builtin:ssh-keys"
    assert body["reason"]


def test_check_allows_and_uses_text_mode(env: dict[str, str], tmp_path: Path) -> None:
    call = json.dumps({"tool": "Read", "args": {"file_path": "README.md"}})
    code, out, _ = _run(check_main, ["--root", str(tmp_path / "ws"), "--text"], call, env)
    assert code == 0
    assert out.startswith("allow\tallow\t")


def test_check_batch_keeps_order(env: dict[str, str], tmp_path: Path) -> None:
    lines = [
        {"tool": "Bash", "args": {"command": "git status"}},
        {"tool": "Bash", "args": {"command": "cat .env"}},
        {"tool": "Bash", "args": {"command": "git push --force"}},
    ]
    data = "\n".join(json.dumps(x) for x in lines) + "\n\n"
    code, out, _ = _run(check_main, ["--batch", "--root", str(tmp_path / "ws")], data, env)
    assert code == 0
    decisions = [json.loads(line)["decision"] for line in out.splitlines()]
    assert decisions == ["allow", "deny", "ask"]


@pytest.mark.parametrize(
    ("stdin", "needle"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"args": {}}', '"tool"'),
        ('{"tool": "x", "args": []}', '"args"'),
        ('{"tool": "x", "args": {}, "origin": "space"}', '"origin"'),
        ('{"tool": "x", "args": {}, "bogus": 1}', "unknown key"),
        ("[" * 100000 + "]" * 100000, "JSON"),
    ],
)
def test_check_rejects_bad_input(env: dict[str, str], stdin: str, needle: str) -> None:
    code, out, err = _run(check_main, [], stdin, env)
    assert code == 2
    assert out == ""
    assert needle in err
    assert "Traceback" not in err


def test_check_batch_reports_bad_lines_in_place(env: dict[str, str]) -> None:
    data = '{"tool": "Bash", "args": {"command": "ls"}}\nnope\n'
    code, out, err = _run(check_main, ["--batch"], data, env)
    assert code == 2
    first, second = out.splitlines()
    assert json.loads(first)["decision"] == "allow"
    assert json.loads(second)["line"] == 2
    assert "line 2" in err


def test_check_with_a_policy_file(env: dict[str, str], tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(
        '[[rules]]\nname = "no-docker"\naction = "deny"\ncommand = "^docker "\n', encoding="utf-8"
    )
    call = json.dumps({"tool": "Bash", "args": {"command": "docker build ."}})
    code, out, _ = _run(check_main, ["--policy", str(policy)], call, env)
    assert code == 0
    assert json.loads(out)["rule"] == "user:no-docker"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rules]]\nname = "x"\naction = "maybe"\ntool = "*"\n', encoding="utf-8")
    code, out, err = _run(check_main, ["--policy", str(bad)], call, env)
    assert code == 2
    assert "bad.toml:4" in err or "bad.toml:3" in err


def test_check_default_policy_ignores_other_sections(env: dict[str, str]) -> None:
    home = Path(env["CRUSTCORE_HOME"])
    home.mkdir(parents=True)
    (home / "crustcore.toml").write_text(
        '[kernel]\nx = 1\n\n[[rules]]\nname = "no-make"\naction = "ask"\ncommand = "^make"\n',
        encoding="utf-8",
    )
    call = json.dumps({"tool": "Bash", "args": {"command": "make"}})
    code, out, _ = _run(check_main, [], call, env)
    assert code == 0
    assert json.loads(out)["rule"] == "user:no-make"


def test_check_bad_option_exits_2(env: dict[str, str]) -> None:
    code, _, err = _run(check_main, ["--nope"], "{}", env)
    assert code == 2
    assert "unrecognized" in err


def _hook_input(tool: str, tool_input: dict[str, object], cwd: str) -> str:
    return json.dumps(
        {
            "session_id": "abc",
            "transcript_path": "/tmp/t.jsonl",
            "cwd": cwd,
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
    )


def test_hook_replies_in_claude_code_format(env: dict[str, str], tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    data = _hook_input("Bash", {"command": "cat ~/.ssh/id_rsa"}, ws)
    code, out, _ = _run(hook_main, ["claude-code"], data, env)
    assert code == 0
    reply = json.loads(out)["hookSpecificOutput"]
    assert reply["hookEventName"] == "PreToolUse"
    assert reply["permissionDecision"] == "deny"
    assert "builtin:ssh-keys" in reply["permissionDecisionReason"]
    allow = _hook_input("Read", {"file_path": f"{ws}/README.md"}, ws)
    _, out, _ = _run(hook_main, ["claude-code"], allow, env)
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "allow"
    _, out, _ = _run(hook_main, ["claude-code", "--no-allow"], allow, env)
    assert "permissionDecision" not in out
    ask = _hook_input("Bash", {"command": "git push --force"}, ws)
    _, out, _ = _run(hook_main, ["claude-code"], ask, env)
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "ask"


@pytest.mark.parametrize(
    "stdin",
    [
        "garbage",
        '{"tool_input": {}}',
        '{"tool_name": "Bash", "tool_input": "ls"}',
        '{"tool_name": "Bash", "tool_input": {}, "hook_event_name": "Stop"}',
    ],
)
def test_hook_fails_closed(env: dict[str, str], stdin: str) -> None:
    code, out, _ = _run(hook_main, ["claude-code"], stdin, env)
    assert code == 0
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_hook_with_a_broken_policy_denies(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nname = 1\n", encoding="utf-8")
    data = _hook_input("Bash", {"command": "ls"}, str(tmp_path / "ws"))
    code, out, _ = _run(hook_main, ["claude-code", "--policy", str(bad)], data, env)
    assert code == 0
    reply = json.loads(out)["hookSpecificOutput"]
    assert reply["permissionDecision"] == "deny"
    assert "policy" in reply["permissionDecisionReason"]


def test_install_merges_is_idempotent_and_uninstall_removes_only_ours(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    other_hook = {"matcher": "Bash", "hooks": [{"type": "command", "command": "lint.sh"}]}
    original = {"model": "x", "hooks": {"PreToolUse": [other_hook]}}
    settings.write_text(json.dumps(original), encoding="utf-8")
    assert install_claude_hook(settings)
    assert not install_claude_hook(settings)
    data = json.loads(settings.read_text(encoding="utf-8"))
    assert data["model"] == "x"
    ours = {"matcher": "*", "hooks": [{"type": "command", "command": HOOK_COMMAND}]}
    assert data["hooks"]["PreToolUse"] == [other_hook, ours]
    assert data["hooks"]["PostToolUse"] == [ours]
    backup = settings.with_name("settings.json.crustcore-backup")
    assert json.loads(backup.read_text(encoding="utf-8")) == original
    assert uninstall_claude_hook(settings)
    assert not uninstall_claude_hook(settings)
    assert json.loads(settings.read_text(encoding="utf-8")) == original


def test_install_into_a_fresh_project_via_the_command(tmp_path: Path, env: dict[str, str]) -> None:
    code, out, _ = _run(hook_main, ["install", "claude-code", "--project", str(tmp_path)], "", env)
    assert code == 0
    assert "installed" in out
    settings = tmp_path / ".claude" / "settings.json"
    data = json.loads(settings.read_text(encoding="utf-8"))
    for event in HOOK_EVENTS:
        assert data["hooks"][event][0]["hooks"][0]["command"] == HOOK_COMMAND
    code, out, _ = _run(
        hook_main, ["uninstall", "claude-code", "--project", str(tmp_path)], "", env
    )
    assert code == 0
    assert json.loads(settings.read_text(encoding="utf-8")) == {}


def test_reinstall_adds_the_post_tool_use_hook_an_older_install_lacks(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    ours = {"matcher": "*", "hooks": [{"type": "command", "command": HOOK_COMMAND}]}
    settings.write_text(json.dumps({"hooks": {"PreToolUse": [ours]}}), encoding="utf-8")
    assert install_claude_hook(settings)
    data = json.loads(settings.read_text(encoding="utf-8"))
    assert data["hooks"] == {"PreToolUse": [ours], "PostToolUse": [ours]}


def test_post_tool_use_without_a_kernel_answers_quietly(
    env: dict[str, str], tmp_path: Path
) -> None:
    payload = json.loads(_hook_input("Bash", {"command": "ls"}, str(tmp_path)))
    payload["hook_event_name"] = "PostToolUse"
    payload["tool_response"] = {"stdout": "a.py\n", "stderr": ""}
    code, out, err = _run(hook_main, ["claude-code"], json.dumps(payload), env)
    assert (code, json.loads(out), err) == (0, {"suppressOutput": True}, "")


def test_install_refuses_a_broken_settings_file(tmp_path: Path, env: dict[str, str]) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"hooks": []}', encoding="utf-8")
    code, _, err = _run(hook_main, ["install", "claude-code", "--project", str(tmp_path)], "", env)
    assert code == 2
    assert "hooks" in err


def test_replay_reports_changes(env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    records = [
        {"kind": "tool.requested", "payload": {"tool": "Bash", "args": {"command": "docker ps"}}},
        {"kind": "tool.decided", "payload": {"decision": "allow"}},
        {"kind": "tool.requested", "payload": {"tool": "Bash", "args": {"command": "make"}}},
        {"kind": "tool.requested", "payload": {"tool": "Bash", "args": {"command": "npm publish"}}},
        {"kind": "tool.requested", "payload": {"tool": "Bash"}},
    ]
    log.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n", encoding="utf-8")
    policy = tmp_path / "new.toml"
    policy.write_text(
        '[[rules]]\nname = "no-docker"\naction = "deny"\ncommand = "^docker "\n\n'
        '[[rules]]\nname = "publish-ok"\naction = "allow"\ncommand = "^npm publish$"\n',
        encoding="utf-8",
    )
    argv = [str(log), "--policy", str(policy), "--root", str(tmp_path / "ws"), "--json"]
    code, out, _ = _run(replay_main, argv, "", env)
    assert code == 0
    report = json.loads(out)
    assert report["calls"] == 3
    assert [e["line"] for e in report["newly_blocked"]] == [1]
    assert [e["line"] for e in report["newly_allowed"]] == [4]
    assert len(report["unreadable"]) == 2
    code, text, _ = _run(replay_main, argv[:-1], "", env)
    assert code == 0
    assert "1 newly blocked, 1 newly allowed" in text


def test_replay_missing_log_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text("", encoding="utf-8")
    code, _, err = _run(replay_main, [str(tmp_path / "none"), "--policy", str(policy)], "", env)
    assert code == 2
    assert "crustcore replay" in err


def test_hook_records_every_decision_in_the_event_log(env: dict[str, str], tmp_path: Path) -> None:
    from crustcore_nano.eventlog import iter_records, verify_log

    ws = str(tmp_path / "ws")
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    calls = [
        _hook_input("Bash", {"command": "cat ~/.ssh/id_rsa"}, ws),
        _hook_input("Bash", {"command": f"echo {secret}"}, ws),
        _hook_input("Read", {"file_path": f"{ws}/README.md"}, ws),
    ]
    for data in calls:
        assert _run(hook_main, ["claude-code"], data, env)[0] == 0
    log_dir = Path(env["CRUSTCORE_HOME"]) / "log"
    assert verify_log(log_dir).ok
    decisions = [r for r in iter_records(log_dir) if r.kind.startswith("decision.")]
    assert decisions[0].kind == "decision.deny"
    assert len(decisions) == 3
    assert decisions[0].payload["rule"] == "builtin:ssh-keys"
    raw = b"".join(p.read_bytes() for p in log_dir.iterdir() if p.is_file())
    assert secret.encode() not in raw
    _run(hook_main, ["claude-code", "--no-log"], calls[2], env)
    assert len([r for r in iter_records(log_dir) if r.kind.startswith("decision.")]) == 3


def test_replay_reads_the_real_event_log(env: dict[str, str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    for data in (
        _hook_input("Bash", {"command": "npm install left-pad"}, str(ws)),
        _hook_input("Read", {"file_path": f"{ws}/README.md"}, str(ws)),
    ):
        _run(hook_main, ["claude-code"], data, env)
    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[[rules]]\nname = "no-npm"\naction = "deny"\nreason = "no installs"\n'
        'command = "npm install"\n'
    )
    home = env["CRUSTCORE_HOME"]
    code, out, err = _run(
        replay_main, [home, "--policy", str(strict), "--root", str(ws), "--json"], "", env
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["calls"] == 2
    assert [e["tool"] for e in report["newly_blocked"]] == ["Bash"]
    assert report["newly_blocked"][0]["after"]["rule"] == "user:no-npm"


def test_hook_asks_the_running_kernel_when_there_is_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    from crustcore_nano.daemon.client import KernelClient
    from crustcore_nano.daemon.launch import start_daemon, stop_daemon
    from crustcore_nano.eventlog import iter_records

    home = Path(env["CRUSTCORE_HOME"])
    proc = start_daemon(home, env={**env, "PATH": "/usr/bin:/bin"})
    try:
        ws = str(tmp_path / "ws")
        code, out, err = _run(
            hook_main,
            ["claude-code"],
            _hook_input("Bash", {"command": "cat ~/.ssh/id_rsa"}, ws),
            env,
        )
        assert code == 0, err
        assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"
        assert "not recorded" not in err  # the kernel holds the log and recorded it
        with KernelClient(home) as client:
            assert client.status()["decisions"] == 1
    finally:
        stop_daemon(proc)
    kinds = [r.kind for r in iter_records(home / "log")]
    assert kinds.count("decision.deny") == 1
