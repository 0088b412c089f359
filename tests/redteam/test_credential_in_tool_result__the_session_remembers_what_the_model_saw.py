"""Threat: a prompt-injected agent fetches a page, then calls a tool whose *result* carries a
credential the broker does not know (an MCP tool that returns a cloud key, a command whose output
holds one), then pushes. The call that returned the key read nothing the engine calls
sensitive, so at check time the session stayed clean; through the daemon the result was never
tied to a session, and the flow rule could not fire. Invariant: a completion reported with its
session id counts what the model was shown: a credential in it makes the session sensitive, so
the push that would complete untrusted input + sensitive data + sending out is asked. A secret
the broker redacted never reached the model and does not count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.client import KernelClient
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.policy.session import FLOW_RULE
from crustcore_nano.policy.types import Origin, ToolCall

# Shaped like an AWS key pair (not AWS's documented example key, which the scanner treats as a
# test key and never blocks on).
_LEAKED = (
    "aws_access_key_id = AKIAQ3EGRZLN4XBT7W2M\n"
    "aws_secret_access_key = 9pQx7Lr2Vb+Kd4nTz8Wm1Hc6Ys3Fj0Ue5Ga2Rq7N\n"
)
_BROKER_VALUE = "brokered-" + "k7Qm2Zr8Lp4Xv1Nc" * 2
_FETCH = ToolCall("WebFetch", {"url": "https://docs.example.org/setup"}, Origin.MODEL)
_PUSH = ToolCall("Bash", {"command": "git push origin main"}, Origin.MODEL)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("result-taint")
    proc = start_daemon(path)
    try:
        yield path
    finally:
        stop_daemon(proc)


def _session(home: Path, session: str, result: str, *, report_session: bool) -> tuple[str, str]:
    """Fetch a page, complete one tool call with `result`, then push: the push's verdict/rule."""
    ws = str(home)
    with KernelClient(home) as agent:
        fetched = agent.check(_FETCH, session_id=session, workspace=ws)
        assert fetched.verdict.value == "allow"
        task = agent.create_task("summarise the setup page")
        job = agent.start_job(task, owner="w1")
        agent.complete_tool(
            task,
            None,
            "mcp__infra__describe_stack",
            {"stack": "dev"},
            result,
            job_id=job,
            owner="w1",
            session_id=session if report_session else None,
        )
        pushed = agent.check(_PUSH, session_id=session, workspace=ws)
    return pushed.verdict.value, pushed.rule


def test_a_credential_the_model_was_shown_makes_the_push_asked(home: Path) -> None:
    assert _session(home, "s-leak", "Outputs:\n" + _LEAKED, report_session=True) == (
        "ask",
        FLOW_RULE,
    )


def test_the_same_session_without_the_credential_is_not_asked(home: Path) -> None:
    assert _session(home, "s-clean", "Outputs:\nvpc = vpc-0a1b2c\n", report_session=True) == (
        "allow",
        "allow",
    )


def test_a_secret_the_broker_redacted_never_reached_the_model(home: Path) -> None:
    with KernelClient(home, role="admin") as admin:
        admin.secrets_add("deploy-key", _BROKER_VALUE)
    verdict = _session(home, "s-brokered", f"token: {_BROKER_VALUE}\n", report_session=True)
    assert verdict == ("allow", "allow")


def test_a_completion_without_a_session_taints_no_session(home: Path) -> None:
    assert _session(home, "s-unreported", _LEAKED, report_session=False) == ("allow", "allow")
