"""Append throughput of the event log against plain `json.dumps` lines, in the same run.

Prints one JSON object: records/s for the baseline (the same records as plain JSON Lines through
a buffered file), the log without fsync, the log with group commit (fsync every 10 ms, appends not
waiting), and group commit where every append waits until it is durable (8 threads), plus the
overhead ratios against the baseline.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

from crustcore_nano.eventlog import EventLog, LogConfig

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
#: Best of this many runs per variant: the 2-core machine is shared, so single runs are noisy.
REPEAT = 3
WAITING_THREADS = 8
WAITING_PER_THREAD = 2_000


def make_records(n: int) -> list[dict[str, object]]:
    return [
        {
            "kind": "decision.allow" if i % 3 else "decision.deny",
            "actor": "kernel",
            "ts_ms": 1_700_000_000_000 + i,
            "task_id": f"task-{i % 50}",
            "payload": {
                "tool": "read_file",
                "args": {"path": f"src/module_{i % 97}.py"},
                "rule": "builtin.workspace-read",
                "reason": "inside the workspace",
            },
        }
        for i in range(n)
    ]


def baseline(path: Path, records: list[dict[str, object]]) -> float:
    start = time.perf_counter()
    with path.open("w", encoding="ascii") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return len(records) / (time.perf_counter() - start)


def eventlog(home: Path, records: list[dict[str, object]], interval: int | None) -> float:
    config = LogConfig(fsync_interval_ms=interval, checkpoint_every=10_000)
    with EventLog.open(home, config=config) as log:
        append = log.append
        start = time.perf_counter()
        for r in records:
            append(
                str(r["kind"]),
                actor="kernel",
                ts_ms=int(str(r["ts_ms"])),
                task_id=str(r["task_id"]),
                payload=r["payload"],  # type: ignore[arg-type]
            )
        log.flush()
        elapsed = time.perf_counter() - start
    return len(records) / elapsed


def waiting_group_commit(home: Path, records: list[dict[str, object]]) -> float:
    """Each append returns only once it is fsynced: what a kernel acknowledging durably sees."""
    config = LogConfig(fsync_interval_ms=10, checkpoint_every=10_000)
    with EventLog.open(home, config=config) as log:

        def worker(offset: int) -> None:
            for i in range(WAITING_PER_THREAD):
                r = records[(offset * WAITING_PER_THREAD + i) % len(records)]
                result = log.append(
                    str(r["kind"]),
                    actor="kernel",
                    ts_ms=int(str(r["ts_ms"])),
                    payload=r["payload"],  # type: ignore[arg-type]
                )
                log.wait_durable(result.seq)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WAITING_THREADS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    return WAITING_THREADS * WAITING_PER_THREAD / elapsed


def main() -> None:
    records = make_records(N)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        base = no_fsync = group = 0.0
        for run in range(REPEAT):
            base = max(base, baseline(root / f"baseline{run}.jsonl", records))
            no_fsync = max(no_fsync, eventlog(root / f"nofsync{run}", records, None))
            group = max(group, eventlog(root / f"group{run}", records, 10))
        waiting = waiting_group_commit(root / "waiting", records)
    print(
        json.dumps(
            {
                "benchmark": "eventlog_append",
                "records": N,
                "best_of_runs": REPEAT,
                "baseline_json_dumps_records_per_s": round(base),
                "no_fsync_records_per_s": round(no_fsync),
                "group_commit_10ms_records_per_s": round(group),
                "group_commit_waiting_durable_records_per_s": round(waiting),
                "waiting_threads": WAITING_THREADS,
                "overhead_ratio_no_fsync": round(base / no_fsync, 2),
                "overhead_ratio_group_commit": round(base / group, 2),
                "targets": {"no_fsync": 150_000, "group_commit": 20_000},
            }
        )
    )


if __name__ == "__main__":
    main()
