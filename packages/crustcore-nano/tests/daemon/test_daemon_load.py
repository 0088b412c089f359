"""Load: 50 concurrent clients x 2,000 checks each against a daemon process; nothing lost."""

from __future__ import annotations

import threading
from pathlib import Path

from crustcore_nano.daemon.client import KernelClient
from crustcore_nano.daemon.launch import start_daemon, stop_daemon
from crustcore_nano.eventlog import iter_records, verify_log
from crustcore_nano.policy.types import ToolCall

CLIENTS = 50
PER_CLIENT = 2000


def test_fifty_clients_two_thousand_checks_each(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace = tmp_path / "ws"
    workspace.mkdir()
    proc = start_daemon(home)
    errors: list[BaseException] = []
    verdicts: list[dict[str, int]] = [{} for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def run(n: int) -> None:
        try:
            with KernelClient(home, timeout=120) as client:
                calls = [
                    ToolCall("Read", {"file_path": str(workspace / f"f{n}_{i % 7}.py")})
                    for i in range(7)
                ] + [ToolCall("Bash", {"command": "cat /etc/shadow"})]
                counts = verdicts[n]
                start.wait()
                for i in range(PER_CLIENT):
                    call = calls[i % len(calls)]
                    verdict = client.check(
                        call, workspace=str(workspace), session_id=f"s{n}"
                    ).verdict
                    counts[verdict.value] = counts.get(verdict.value, 0) + 1
        except BaseException as exc:
            errors.append(exc)

    try:
        with KernelClient(home) as probe:
            before = probe.status()["decisions"]
        threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with KernelClient(home) as probe:
            after = probe.status()["decisions"]
    finally:
        assert stop_daemon(proc, timeout=120) == 0
    assert errors == []
    total = CLIENTS * PER_CLIENT
    assert sum(sum(c.values()) for c in verdicts) == total
    assert before == 0
    assert after == total
    decisions = [r for r in iter_records(home / "log") if r.kind.startswith("decision.")]
    assert len(decisions) == total  # none lost, none duplicated
    by_session: dict[str | None, int] = {}
    for record in decisions:
        by_session[record.session_id] = by_session.get(record.session_id, 0) + 1
    assert by_session == {f"s{n}": PER_CLIENT for n in range(CLIENTS)}
    denied = sum(1 for r in decisions if r.kind == "decision.deny")
    assert denied == sum(c.get("deny", 0) for c in verdicts)
    report = verify_log(home / "log")
    assert report.ok
    assert report.unsealed_records == 0
