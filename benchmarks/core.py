"""Core speed: redaction throughput and reducer step latency, each beside a direct baseline.

Prints one JSON object. Baselines run in the same process, on the same input:
- redaction: ``str.replace`` of the raw values only (what a naive redactor does), against the
  full redactor (every encoded form, overlap merging, markers) and the stream redactor;
- reducer: the same tool-request event applied by ``Reducer.step`` against a plain dict update.

Run: ./dev bench core
"""

from __future__ import annotations

import json
import os
import random
import statistics
import string
import time
from collections.abc import Callable

from crustcore_nano import Actor, Event, EventKind, Reducer, Reversibility, StreamRedactor, Verdict
from crustcore_nano.ids import JobId, TaskId, ToolCallId
from crustcore_nano.secrets.redactor import Redactor


def _text(size: int, secrets: list[str], rng: random.Random) -> str:
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(500)]
    parts: list[str] = []
    total = 0
    while total < size:
        w = rng.choice(words) if rng.random() > 0.001 else rng.choice(secrets)
        parts.append(w)
        total += len(w) + 1
    return " ".join(parts)


def _mib_s(fn: Callable[[], object], nbytes: int, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return nbytes / best / 2**20


def bench_redaction() -> dict[str, object]:
    rng = random.Random(7)
    secrets = ["".join(rng.choices(string.ascii_letters + string.digits, k=40)) for _ in range(10)]
    red = Redactor()
    for i, s in enumerate(secrets):
        red.register(f"s{i}", s.encode())
    text = _text(2 * 2**20, secrets, rng)
    nbytes = len(text.encode())

    def naive() -> str:
        out = text
        for s in secrets:
            out = out.replace(s, "[REDACTED]")
        return out

    def stream() -> str:
        sr = StreamRedactor(red)
        out = [sr.feed(text[i : i + 256]) for i in range(0, len(text), 256)]
        out.append(sr.flush())
        return "".join(out)

    full = _mib_s(lambda: red.scrub(text), nbytes)
    base = _mib_s(naive, nbytes)
    streamed = _mib_s(stream, nbytes, repeat=2)
    return {
        "input_mib": round(nbytes / 2**20, 2),
        "secrets": len(secrets),
        "forms_per_secret": round(len(red._needles) / len(secrets), 1),  # pyright: ignore[reportPrivateUsage]
        "redactor_mib_s": round(full, 1),
        "naive_replace_mib_s": round(base, 1),
        "ratio_redactor_vs_naive": round(full / base, 3),
        "stream_redactor_256b_chunks_mib_s": round(streamed, 1),
    }


def bench_reducer(n: int = 200_000) -> dict[str, object]:
    task, job = TaskId("t"), JobId("j")
    r = Reducer()
    r.step(Event(EventKind.TASK_CREATED, 1, 0, Actor.ADAPTER, task_id=task))
    r.step(Event(EventKind.JOB_QUEUED, 2, 0, Actor.KERNEL, task_id=task, job_id=job))
    r.step(
        Event(EventKind.JOB_LEASED, 3, 0, Actor.KERNEL, task_id=task, job_id=job, lease_owner="w")
    )
    events = [
        Event(
            EventKind.TOOL_REQUESTED,
            4 + i,
            1,
            Actor.MODEL,
            task_id=task,
            job_id=job,
            lease_owner="w",
            tool_call_id=ToolCallId("c"),
            reversibility=Reversibility.REVERSIBLE,
            verdict=Verdict.ALLOW,
        )
        for i in range(n)
    ]
    samples: list[int] = []
    clock = time.perf_counter_ns
    for ev in events:
        t = clock()
        r.step(ev)
        samples.append(clock() - t)
    state: dict[str, int] = {}
    base: list[int] = []
    for ev in events:
        t = clock()
        state[ev.task_id or ""] = ev.seq
        base.append(clock() - t)
    samples.sort()
    base.sort()
    p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99)]
    b50 = base[len(base) // 2]
    return {
        "events": n,
        "step_p50_ns": p50,
        "step_p99_ns": p99,
        "step_mean_ns": round(statistics.fmean(samples)),
        "dict_update_p50_ns": b50,
        "ratio_step_vs_dict_update_p50": round(p50 / max(b50, 1), 1),
    }


def main() -> None:
    print(
        json.dumps(
            {
                "benchmark": "core",
                "cpus": os.cpu_count(),
                "redaction": bench_redaction(),
                "reducer": bench_reducer(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
