"""Merkle proof generation and verification time on a large log.

Builds a log (default 1,000,000 records, checkpoints every 1000), loads its verified leaves once,
then times inclusion proofs for random records against the latest checkpoint and consistency
proofs between random checkpoint pairs, and their verification. The same-run baseline is the time
to recompute the latest root from all leaves (what a verifier without proofs must do).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

from crustcore_nano.eventlog import EventLog, LogConfig
from crustcore_nano.eventlog.merkle import subtree_root
from crustcore_nano.eventlog.proofs import (
    check_proof,
    consistency_proof,
    inclusion_proof,
    load_proof_source,
)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
SAMPLES = 20


def build(home: Path, n: int) -> None:
    config = LogConfig(fsync_interval_ms=None, checkpoint_every=1000, segment_max_bytes=256 << 20)
    payload = {"tool": "read_file", "args": {"path": "src/app.py"}}
    with EventLog.open(home, config=config) as log:
        for i in range(n):
            log.append("decision.allow", actor="kernel", ts_ms=i, payload=payload)


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        build(home, N)
        start = time.perf_counter()
        source = load_proof_source(home)
        load_seconds = time.perf_counter() - start
    assert source.error is None, source.error
    checkpoints = sorted(source.checkpoints)
    latest = checkpoints[-1]

    start = time.perf_counter()
    root = subtree_root(source.leaves, 0, latest)
    baseline_seconds = time.perf_counter() - start

    proof_nodes: list[object] = []
    inclusion_times: list[float] = []
    verify_times: list[float] = []
    for _ in range(SAMPLES):
        seq = rng.randrange(latest)
        start = time.perf_counter()
        proof = inclusion_proof(source, seq)
        inclusion_times.append(time.perf_counter() - start)
        data = json.dumps(proof).encode()
        start = time.perf_counter()
        check = check_proof(data)
        verify_times.append(time.perf_counter() - start)
        assert check.ok, check.message
        nodes = proof["path"]
        assert isinstance(nodes, list)
        proof_nodes = list(nodes)  # pyright: ignore[reportUnknownArgumentType]
    assert proof["checkpoint"]["root"] == root.hex()  # type: ignore[index]

    consistency_times: list[float] = []
    for _ in range(SAMPLES):
        first, second = sorted(rng.sample(checkpoints, 2))
        start = time.perf_counter()
        proof = consistency_proof(source, first, second)
        consistency_times.append(time.perf_counter() - start)
        assert check_proof(json.dumps(proof).encode()).ok

    def ms(values: list[float]) -> float:
        return round(sum(values) / len(values) * 1000, 2)

    print(
        json.dumps(
            {
                "benchmark": "eventlog_proofs",
                "records": len(source.leaves),
                "tree_size": latest,
                "load_and_verify_leaves_seconds": round(load_seconds, 2),
                "baseline_full_root_recompute_ms": round(baseline_seconds * 1000, 1),
                "inclusion_proof_ms": ms(inclusion_times),
                "inclusion_verify_ms": ms(verify_times),
                "consistency_proof_ms": ms(consistency_times),
                "inclusion_proof_vs_root_recompute": round(
                    (sum(inclusion_times) / SAMPLES) / baseline_seconds, 6
                ),
                "inclusion_proof_nodes": len(proof_nodes),
            }
        )
    )


if __name__ == "__main__":
    main()
