"""KernelClient and AsyncKernelClient: the embedded kernel's API over the socket."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from crustcore_nano.daemon import AsyncKernelClient, KernelAPI, KernelClient, NoKernelError
from crustcore_nano.daemon.api import VisibleText
from crustcore_nano.daemon.client import RemoteError
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.daemon.roles import Role, new_token
from crustcore_nano.kernel.core import Kernel
from crustcore_nano.kernel.events import TaskStatus
from crustcore_nano.policy.types import Origin, ToolCall, Verdict

CALLS = [
    ToolCall("Read", {"file_path": "/tmp/notes.txt"}),
    ToolCall("Bash", {"command": "rm -rf /"}),
    ToolCall("Bash", {"command": "git status"}),
    ToolCall("Write", {"file_path": "/etc/passwd", "content": "x"}),
    ToolCall("fetch", {"url": "https://example.com"}, Origin.MCP, mcp_server="web"),
]


def _use(api: KernelAPI, workspace: str) -> list[object]:
    """The same orchestrator code, whichever kernel it is given."""
    out: list[object] = [api.check(call, workspace=workspace).verdict for call in CALLS]
    task = api.create_task("refactor", budget={"tokens": 100})
    out.append(api.task(task).status)
    view = api.charge(task, {"tokens": 150})
    out.append((view.status, view.block_axis, dict(view.budget.used)))
    api.claim_done(task, claim="all done")
    out.append(api.task(task).claimed_done)
    shown = api.redact("plain text")
    assert isinstance(shown, VisibleText)
    out.append((shown.text, shown.origin, shown.redactions))
    return out


def test_embedded_and_remote_kernels_satisfy_the_protocol_and_agree(
    daemon_home: Path, tmp_path: Path
) -> None:
    workspace = str(tmp_path)
    with Kernel.open(tmp_path / "embedded") as kernel:
        embedded: KernelAPI = kernel  # the static check (mypy) that Kernel implements KernelAPI
        assert isinstance(kernel, KernelAPI)
        local = _use(embedded, workspace)
    with KernelClient(daemon_home) as client:
        remote_api: KernelAPI = client
        assert isinstance(client, KernelAPI)
        remote = _use(remote_api, workspace)
    assert remote == local
    assert local[1] is Verdict.DENY
    assert local[5] is TaskStatus.CREATED


def test_no_kernel_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoKernelError) as info:
        KernelClient(tmp_path)
    assert str(info.value) == (
        f"no CrustCore kernel is running for {tmp_path}; start it with `crustcore up`"
    )

    async def connect() -> None:
        await AsyncKernelClient.connect(tmp_path)

    with pytest.raises(NoKernelError):
        asyncio.run(connect())


def test_the_client_reconnects_once_after_a_restart(tmp_path: Path) -> None:
    proc = start_daemon(tmp_path)
    client = KernelClient(tmp_path, timeout=10)
    try:
        first = client.status()["pid"]
        assert stop_daemon(proc) == 0
        proc = start_daemon(tmp_path)
        second = client.status()["pid"]  # the broken connection is re-opened transparently
        assert second == proc.pid
        assert first != second
        assert stop_daemon(proc) == 0
        with pytest.raises(NoKernelError):
            client.status()
    finally:
        client.close()
        stop_daemon(proc)


def test_error_replies_raise_remote_error_with_the_code(daemon_home: Path) -> None:
    with KernelClient(daemon_home) as client:
        with pytest.raises(RemoteError) as info:
            client.call("secret.inject", {"handle": "secret://x", "host": "h"})
        assert info.value.code == "forbidden"
        with pytest.raises(RemoteError) as info:
            client.call("nope")
        assert info.value.code == "unknown_op"
        assert client.status()["server"] == "crustcore/0.1.0"


def test_async_clients_run_concurrently(daemon_home: Path, tmp_path: Path) -> None:
    async def one(n: int) -> list[Verdict]:
        async with await AsyncKernelClient.connect(daemon_home) as client:
            verdicts = []
            for call in CALLS * n:
                verdicts.append((await client.check(call, workspace=str(tmp_path))).verdict)
            task = await client.create_task("async")
            assert (await client.task(task)).status is TaskStatus.CREATED
            assert (await client.redact("hi")).text == "hi"
            assert await client.record("orchestrator.note", {"n": n}) >= 0
            return verdicts

    async def main() -> list[list[Verdict]]:
        return await asyncio.gather(*(one(3) for _ in range(8)))

    results = asyncio.run(main())
    with Kernel.open(tmp_path / "embedded") as kernel:
        expected = [kernel.check(c, workspace=str(tmp_path)).verdict for c in CALLS * 3]
    assert results == [expected] * 8


def test_a_sidecar_reads_its_token_from_the_inherited_pipe(tmp_path: Path) -> None:
    token = new_token()
    proc = start_daemon(tmp_path, tokens=[(Role.NET, token)])
    try:
        read_end, write_end = os.pipe()
        os.write(write_end, f"net:{token}\n".encode())
        os.close(write_end)
        code = (
            "from crustcore_nano.daemon import KernelClient\n"
            f"c = KernelClient({str(tmp_path)!r}, role='net')\n"
            "print(c.server_info['role'], 'secret.inject' in c.server_info['ops'])\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "CRUSTCORE_TOKEN_FD": str(read_end)},
            pass_fds=(read_end,),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        os.close(read_end)
        assert out.stdout.split() == ["net", "True"]
    finally:
        assert stop_daemon(proc) == 0


def test_admin_client_manages_secrets_and_sees_handles_only(daemon_home: Path) -> None:
    value = "ghp_" + "a1B2" * 9
    with KernelClient(daemon_home, role="admin") as admin, KernelClient(daemon_home) as client:
        assert admin.secrets_add("gh", value, hosts=["api.github.com"]) == "secret://gh"
        listed = admin.secrets_list()
        assert listed == [
            {
                "handle": "secret://gh",
                "name": "gh",
                "availability": "available",
                "grant": {"hosts": ["api.github.com"], "header": "Authorization"},
            }
        ]
        assert value not in str(listed)
        assert client.redact(f"token={value}").redactions == 1
        admin.secrets_rm("gh")
        assert admin.secrets_list() == []
        with pytest.raises(RemoteError) as info:
            admin.secrets_rm("gh")
        assert info.value.code == "not_found"
        assert admin.secrets_add("gh", value + "X") == "secret://gh"
        with pytest.raises(RemoteError) as refused:
            admin.secrets_add("gh", value + "Y")  # an existing name is not overwritten silently
        assert refused.value.code == "refused"
        rotated = "ghp_" + "z9Y8" * 9
        admin.secrets_add("gh", value + "Z", hosts=["api.github.com"], replace=True)
        assert admin.secrets_add("gh", rotated, replace=True) == "secret://gh"
        [entry] = admin.secrets_list()
        assert entry["availability"] == "available"
        # A rotation without hosts changes the value, not where it may be sent.
        assert entry["grant"] == {"hosts": ["api.github.com"], "header": "Authorization"}
        seen = client.redact(f"old={value}X new={rotated}")
        assert seen.redactions == 2  # the old value stays redacted after the rotation
        admin.secrets_rm("gh")


def test_an_ask_decision_is_resolved_by_the_user_and_the_waiting_edge_learns_it(
    daemon_home: Path, tmp_path: Path
) -> None:
    async def main() -> tuple[str, str]:
        edge = await AsyncKernelClient.connect(daemon_home)
        admin = await AsyncKernelClient.connect(daemon_home, role="admin")
        try:
            push = ToolCall("Bash", {"command": "git push --force origin main"}, Origin.HOOK)
            decision = await edge.check(push, workspace=str(tmp_path))
            assert decision.verdict is Verdict.ASK
            assert decision.approval_id is not None
            waiting = asyncio.ensure_future(edge.wait_approval(decision.approval_id, timeout_s=60))
            listed: list[dict[str, object]] = []
            while not listed:  # the approval is listed for the user with what it would release
                listed = [
                    a for a in await admin.approvals() if a["approval_id"] == decision.approval_id
                ]
            assert "git push --force" in str(listed[0]["summary"])
            resolved = await admin.resolve_approval(
                decision.approval_id, approve=False, digest=str(listed[0]["digest"])
            )
            return resolved, await asyncio.wait_for(waiting, 30)
        finally:
            await edge.close()
            await admin.close()

    assert asyncio.run(main()) == ("denied", "denied")


def test_a_tool_result_is_redacted_and_receipted(daemon_home: Path) -> None:
    value = "xoxb-" + "1234567890-" * 2 + "abcdefghijklmnopqrstuvwx"
    with KernelClient(daemon_home, role="admin") as admin, KernelClient(daemon_home) as worker:
        admin.secrets_add("slack", value)
        try:
            task = worker.create_task("read the channel")
            job = worker.start_job(task, owner="w1")
            shown = worker.complete_tool(
                task, None, "bash", {"command": "cat t"}, f"token: {value}", job_id=job, owner="w1"
            )
            assert value not in shown.text
            assert shown.redactions == 1
            assert shown.origin == "tool:bash"
            assert shown.framed().startswith('<untrusted-data origin="tool:bash">')
            assert worker.task(task).status is TaskStatus.RUNNING
        finally:
            admin.secrets_rm("slack")
