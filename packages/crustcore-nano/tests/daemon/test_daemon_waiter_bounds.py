"""The server's approval-wait events stay bounded when approvals end without a resolution."""

from __future__ import annotations

import asyncio
from pathlib import Path

from crustcore_nano.daemon.server import KernelServer
from crustcore_nano.daemon.service import KernelService
from crustcore_nano.kernel.core import Kernel
from crustcore_nano.policy.types import ToolCall, Verdict


def test_events_of_ended_approvals_are_dropped(tmp_path: Path) -> None:
    with Kernel.open(tmp_path / "home") as kernel:
        server = KernelServer(KernelService(kernel))
        live = kernel.check(ToolCall("Bash", {"command": "git push --force origin main"}))
        assert live.verdict is Verdict.ASK and live.approval_id is not None

        async def flood() -> int:
            server.waiter(live.approval_id or "")
            for i in range(2000):  # ids of approvals that ended or never existed
                server.waiter(f"apr-gone-{i}")
            return len(server._waiters)  # pyright: ignore[reportPrivateUsage]

        kept = asyncio.run(flood())
        assert kept <= 257
        # the pending approval's event survives every prune, so its waiter is still woken
        assert live.approval_id in server._waiters  # pyright: ignore[reportPrivateUsage]
