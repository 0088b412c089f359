"""Verification throughput of `crustcore inspect` over a 1,000,000-record log.

Builds a log (decisions, tool completions with receipts, checkpoints every 1000 records), then
times `verify_log` with every key (hashes, chain, seals, receipt MACs and joins, the seal-key state)
and, as the same-run baseline, a plain reader that only `json.loads` every line; then times
`EventLog.open` on the same log, which resumes from the last checkpoint instead of re-reading it.
Prints one JSON object with the rates, their ratio and the open time.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

from crustcore_nano.eventlog import EventLog, LogConfig, read_seal_state, verify_log
from crustcore_nano.eventlog.cli import inspect_main
from crustcore_nano.eventlog.keys import load_key_file

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
#: Best of this many runs: the 2-core machine is shared, so single runs are noisy.
REPEAT = 3


def build(home: Path, n: int) -> None:
    config = LogConfig(fsync_interval_ms=None, checkpoint_every=1000, segment_max_bytes=256 << 20)
    with EventLog.open(home, config=config) as log:
        written = 0
        i = 0
        while written < n:
            task = f"task-{i % 200}"
            if i % 50 == 0:
                done = log.append(
                    "tool.completed",
                    actor="kernel",
                    ts_ms=1_700_000_000_000 + i,
                    task_id=task,
                    job_id="job-1",
                    payload={"tool_call_id": f"call-{i}", "result": f"result {i}"},
                )
                log.append_receipt(
                    ts_ms=1_700_000_000_000 + i,
                    task_id=task,
                    job_id="job-1",
                    tool_call_id=f"call-{i}",
                    tool_name="read_file",
                    args={"path": f"f{i}"},
                    shown_result=f"result {i}",
                    completion_seq=done.seq,
                )
            else:
                log.append(
                    "decision.allow" if i % 7 else "decision.deny",
                    actor="kernel",
                    ts_ms=1_700_000_000_000 + i,
                    task_id=task,
                    payload={"tool": "read_file", "args": {"path": f"src/m{i % 97}.py"}},
                )
            written = log.next_seq
            i += 1


def baseline(home: Path) -> tuple[int, float]:
    count = 0
    start = time.perf_counter()
    for segment in sorted((home / "log").glob("segment-*.jsonl")):
        with segment.open("rb") as handle:
            for line in handle:
                json.loads(line)
                count += 1
    return count, time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        start = time.perf_counter()
        build(home, N)
        build_seconds = time.perf_counter() - start
        keys = home / "keys"
        verify_key = load_key_file(keys / "log-verify.key")
        receipt_key = load_key_file(keys / "log-receipt.key")
        seal_state = read_seal_state(keys / "log-seal.key")
        base_seconds = verify_seconds = inspect_seconds = cpu_seconds = float("inf")
        base_count, code = 0, -1
        report = verify_log(home)
        for _ in range(REPEAT):
            base_count, seconds = baseline(home)
            base_seconds = min(base_seconds, seconds)
            start, cpu_start = time.perf_counter(), time.process_time()
            report = verify_log(
                home, verify_key=verify_key, receipt_key=receipt_key, seal_state=seal_state
            )
            verify_seconds = min(verify_seconds, time.perf_counter() - start)
            cpu_seconds = min(cpu_seconds, time.process_time() - cpu_start)
            start = time.perf_counter()
            code = inspect_main([str(home), "--json"], stdout=io.StringIO(), stderr=io.StringIO())
            inspect_seconds = min(inspect_seconds, time.perf_counter() - start)
        # Opening for writing resumes from the last checkpoint (close() wrote one), so it costs
        # about the same at any log size; the full verification above is the same-run baseline.
        open_seconds = float("inf")
        scanned = -1
        for _ in range(REPEAT):
            start = time.perf_counter()
            log = EventLog.open(home, config=LogConfig(fsync_interval_ms=None))
            open_seconds = min(open_seconds, time.perf_counter() - start)
            scanned = log.open_records_scanned
            log.close()
    assert report.ok and code == 0, report.first_error
    print(
        json.dumps(
            {
                "benchmark": "eventlog_verify",
                "records": report.records,
                "checkpoints": report.checkpoints,
                "receipts": report.summary.receipts,
                "build_seconds": round(build_seconds, 2),
                "best_of_runs": REPEAT,
                "verify_records_per_s": round(report.records / verify_seconds),
                "verify_records_per_cpu_s": round(report.records / cpu_seconds),
                "inspect_cli_records_per_s": round(report.records / inspect_seconds),
                "baseline_json_loads_records_per_s": round(base_count / base_seconds),
                "speed_ratio_vs_json_loads": round(base_seconds / verify_seconds, 2),
                "target_records_per_s": 250_000,
                "open_seconds": round(open_seconds, 4),
                "open_records_scanned": scanned,
                "open_speedup_vs_full_verify": round(verify_seconds / open_seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
