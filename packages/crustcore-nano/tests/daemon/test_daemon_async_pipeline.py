"""AsyncKernelClient with many calls in flight on one connection: every caller gets the answer
to its own request, a waiting approval holds back nobody, and a connection that breaks under
load is covered in test_daemon_client_inflight.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

from crustcore_nano.daemon import AsyncKernelClient, KernelClient
from crustcore_nano.policy.types import Decision, ToolCall, Verdict


def _mixed_calls(ws: Path) -> list[ToolCall]:
    """Calls whose answers differ (verdict, rule or reason), so a reply handed to the wrong
    caller shows."""
    calls: list[ToolCall] = []
    for i in range(40):
        calls.append(ToolCall("Read", {"file_path": f"{ws}/src/m{i}.py"}))
        calls.append(ToolCall("Read", {"file_path": f"{ws}/.env.{i}"}))
        calls.append(ToolCall("Bash", {"command": f"git log -n {i}"}))
        calls.append(ToolCall("Bash", {"command": f"cat ~/.ssh/id_rsa_{i}"}))
    return calls


def _key(decision: Decision) -> tuple[Verdict, str, str]:
    return decision.verdict, decision.rule, decision.reason


def test_concurrent_calls_share_one_connection_and_each_gets_its_own_answer(
    daemon_home: Path, tmp_path: Path
) -> None:
    calls = _mixed_calls(tmp_path)
    with KernelClient(daemon_home) as one_at_a_time:
        expected = [_key(one_at_a_time.check(c, workspace=str(tmp_path))) for c in calls]
    assert len({verdict for verdict, _, _ in expected}) >= 2  # the mix holds allows and denies

    async def main() -> tuple[list[Decision], int]:
        async with await AsyncKernelClient.connect(daemon_home) as client:
            first = client._conn
            before = (await client.status())["decisions"]
            pending = [
                asyncio.ensure_future(client.check(c, workspace=str(tmp_path))) for c in calls
            ]
            await asyncio.sleep(0)  # every call has sent its request; no answer is read yet
            assert first is not None
            in_flight = len(first._waiting)
            answers = await asyncio.gather(*pending)
            assert in_flight == len(calls)  # all sent before the first answer, not one by one
            assert client._conn is first  # all of them went over the one connection
            after = (await client.status())["decisions"]
            assert isinstance(before, int) and isinstance(after, int)
            return list(answers), after - before

    answers, recorded = asyncio.run(main())
    assert [_key(a) for a in answers] == expected
    assert recorded == len(calls)  # one decision record per call, none lost or doubled


def test_a_pending_wait_holds_back_no_other_call(daemon_home: Path, tmp_path: Path) -> None:
    async def main() -> None:
        async with await AsyncKernelClient.connect(daemon_home) as edge:
            pending = await edge.request_approval("Bash", {"command": "make deploy"})
            waiting = asyncio.ensure_future(
                edge.wait_approval(str(pending["approval_id"]), timeout_s=60)
            )
            await asyncio.sleep(0.2)  # the wait has reached the kernel
            read = ToolCall("Read", {"file_path": f"{tmp_path}/README.md"})
            decision = await asyncio.wait_for(edge.check(read, workspace=str(tmp_path)), 10)
            assert decision.verdict is Verdict.ALLOW
            assert not waiting.done()  # still waiting, on a connection of its own
            waiting.cancel()

    asyncio.run(main())


def test_many_large_requests_in_flight_wait_for_the_kernel_and_all_arrive(
    daemon_home: Path,
) -> None:
    """Far more bytes in flight than the socket and the kernel's queue hold: writers wait for
    the kernel to catch up (all of them, sharing one wait) and every answer is the right one."""
    texts = [f"{i:04d}:" + "x" * 200_000 for i in range(40)]  # ~8 MB in all

    async def main() -> list[str]:
        async with await AsyncKernelClient.connect(daemon_home) as client:
            answers = await asyncio.wait_for(asyncio.gather(*(client.redact(t) for t in texts)), 60)
            return [a.text for a in answers]

    assert asyncio.run(main()) == texts
