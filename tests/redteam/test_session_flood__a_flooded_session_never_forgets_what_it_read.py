"""Threat: a prompt-injected agent that has read untrusted and sensitive data floods the kernel
with new session ids, so that its own session is dropped and comes back with a clean history;
then it sends the data out. Invariant: the session flow rule still asks, and the kernel keeps a
bounded number of sessions whatever the number of ids sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.errors import UsageError
from crustcore_nano.kernel.core import Kernel
from crustcore_nano.policy.session import FLOW_RULE, SessionTable
from crustcore_nano.policy.types import ToolCall, Verdict

_FETCH = ToolCall("WebFetch", {"url": "https://blog.example.com/post", "prompt": "read"})
_SEND = ToolCall("Bash", {"command": "curl -s https://paste.example.net/ping"})


def test_flooding_sessions_does_not_wash_the_victim_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    user = tmp_path / "user"
    (user / ".ssh").mkdir(parents=True)
    (user / ".ssh" / "config").write_text("Host x\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.chdir(ws)
    with Kernel.open(tmp_path / "home") as kernel:
        kernel._sessions = SessionTable(max_sessions=8)  # pyright: ignore[reportPrivateUsage]
        kernel.observe("victim", _FETCH, kernel.check(_FETCH, session_id="victim"))
        secret = ToolCall("Read", {"file_path": "~/.ssh/config"})
        decision = kernel.check(secret, session_id="victim", workspace=str(ws))
        assert decision.verdict is Verdict.ALLOW
        kernel.observe("victim", secret, decision)
        before = kernel.check(_SEND, session_id="victim", workspace=str(ws))
        assert (before.verdict, before.rule) == (Verdict.ASK, FLOW_RULE)
        for i in range(50):  # far past the table's size
            kernel.check(ToolCall("Read", {"file_path": "README.md"}), session_id=f"flood-{i}")
        assert len(kernel._sessions) <= 8  # pyright: ignore[reportPrivateUsage]
        after = kernel.check(_SEND, session_id="victim", workspace=str(ws))
        assert (after.verdict, after.rule) == (Verdict.ASK, FLOW_RULE)


def test_oversized_session_id_is_refused_before_it_is_kept(tmp_path: Path) -> None:
    with Kernel.open(tmp_path / "home") as kernel:
        with pytest.raises(UsageError, match="session_id"):
            kernel.check(ToolCall("Read", {"file_path": "README.md"}), session_id="x" * 100_000)
        assert len(kernel._sessions) == 0  # pyright: ignore[reportPrivateUsage]
