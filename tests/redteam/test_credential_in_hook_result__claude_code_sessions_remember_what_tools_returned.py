"""Threat: in a Claude Code session guarded by `crustcore hook claude-code`, a prompt-injected
agent fetches a page, runs a command whose *output* holds a credential (`kubectl get secret -o
yaml`, a config dump), then pushes. The hook only saw calls before they ran, so the output
never reached the session flow rule and the push was allowed. Invariant: with the PostToolUse
hook installed (`crustcore hook install claude-code` adds it), each result is reported to the
running kernel under the agent's session, and a credential in it makes that session sensitive:
the push is asked. Another session, and a result without a credential, stay as they were."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.policy.cli import hook_main
from crustcore_nano.policy.session import FLOW_RULE

_SETTINGS_DUMP = (
    "settings (staging):\n"
    "  aws_access_key_id: AKIAQ3EGRZLN4XBT7W2M\n"
    "  aws_secret_access_key: 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\n"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    root = tmp_path_factory.mktemp("hook-results")
    home, ws = root / "home", root / "ws"
    ws.mkdir()
    crust = home / ".crustcore"
    crust.mkdir(parents=True)
    proc = start_daemon(crust)
    try:
        yield {"HOME": str(home), "CRUSTCORE_HOME": str(crust), "PATH": "/usr/bin:/bin"}, ws
    finally:
        stop_daemon(proc)


def _hook(
    world: tuple[dict[str, str], Path],
    event: str,
    session: str,
    tool: str,
    tool_input: object,
    *,
    response: object = None,
) -> dict[str, object]:
    env, ws = world
    payload: dict[str, object] = {
        "session_id": session,
        "cwd": str(ws),
        "hook_event_name": event,
        "tool_name": tool,
        "tool_input": tool_input,
    }
    if response is not None:
        payload["tool_response"] = response
    out, err = io.StringIO(), io.StringIO()
    code = hook_main(
        ["claude-code"], stdin=io.StringIO(json.dumps(payload)), stdout=out, stderr=err,
        environ=env,
    )  # fmt: skip
    assert (code, err.getvalue()) == (0, "")
    reply = json.loads(out.getvalue())
    assert isinstance(reply, dict)
    return reply


def _push_after(world: tuple[dict[str, str], Path], session: str, output: str) -> str:
    fetch = {"url": "https://docs.example.org/deploy", "prompt": "how to deploy"}
    assert _decision(_hook(world, "PreToolUse", session, "WebFetch", fetch)) == "allow"
    command = {"command": "python scripts/show_settings.py --env staging"}
    assert _decision(_hook(world, "PreToolUse", session, "Bash", command)) == "allow"
    response = {"stdout": output, "stderr": "", "interrupted": False}
    reply = _hook(world, "PostToolUse", session, "Bash", command, response=response)
    assert reply == {"suppressOutput": True}
    push = _hook(world, "PreToolUse", session, "Bash", {"command": "git push origin main"})
    return _decision(push)


def _decision(reply: dict[str, object]) -> str:
    inner = reply["hookSpecificOutput"]
    assert isinstance(inner, dict)
    verdict = inner["permissionDecision"]
    reason = inner["permissionDecisionReason"]
    assert isinstance(verdict, str) and isinstance(reason, str)
    return f"{verdict} {FLOW_RULE}" if FLOW_RULE in reason else verdict


def test_a_credential_in_a_command_output_makes_the_push_asked(
    world: tuple[dict[str, str], Path],
) -> None:
    assert _push_after(world, "sess-leak", _SETTINGS_DUMP) == f"ask {FLOW_RULE}"


def test_an_output_without_a_credential_leaves_the_push_allowed(
    world: tuple[dict[str, str], Path],
) -> None:
    clean = "apiVersion: v1\nkind: ConfigMap\ndata:\n  region: eu-west-1\n"
    assert _push_after(world, "sess-clean", clean) == "allow"
