"""How fast this machine runs plain Python right now: a reference taken beside a benchmark.

On the 2-vCPU VM these benchmarks run on, the same code runs up to 1.5-2 times slower for a
second up to many minutes at a time, with no change in the code or the load inside the VM (it
looks like the host sharing the physical core). A figure measured in such a spell says more
about the host's moment than about CrustCore. `reference_us` times a fixed piece of pure-Python
work that touches no CrustCore code (string formatting, dict inserts, a sort, a join: the kind
of interpreter work a check does), so a benchmark can report it next to each of its timed runs
and a reader can tell a slow run of the host from a slower CrustCore.

It is context, never a correction: every figure and every target check stays on the raw
timings.
"""

from __future__ import annotations

import time

_KEYS = 3000


def _work() -> int:
    table: dict[str, int] = {}
    total = 0
    for i in range(_KEYS):
        key = f"k{i % 257}-{i}"
        table[key] = len(key)
        total += ord(key[1]) + ord(key[-1])
    ordered = sorted(table, key=table.__getitem__)
    return total + len(" ".join(ordered))


def reference_us(repeat: int = 5) -> float:
    """The fastest of `repeat` runs of the reference work, in microseconds (about 1.5 ms each
    at this VM's usual speed). The fastest, so an interrupt in one run does not count; a slow
    spell lasts far longer than all the runs together, so it shows in every one."""
    best = float("inf")
    clock = time.perf_counter
    for _ in range(repeat):
        start = clock()
        _work()
        best = min(best, clock() - start)
    return round(best * 1e6, 1)


if __name__ == "__main__":
    print(reference_us())
