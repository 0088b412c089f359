"""Benchmark: in-process decision latency of `PolicyEngine.evaluate`, per call category.

Prints one JSON object. For each category (file tool calls, shell commands, MCP calls with
large arguments) it reports p50 and p99 in microseconds for

* `cold`: an engine without cross-call caches (every call resolves its paths on disk again;
  shell analyses are still memoized per engine because they are pure), over many distinct calls;
* `warm`: an engine with `cache_paths=True` (path resolutions and whole decisions of identical
  read-only calls are kept; they are cleared after any allowed call that changes the filesystem),
  over the same calls repeated;

and, measured in the same run on the same calls, two baselines: `json.loads` of the call's JSON
text (the least any edge must do to receive a call) and a trivial allow-all function. Ratios are
engine time / baseline time. Targets from the issue: p50 <= 25 us for file calls, <= 80 us for
shell commands, p99 <= 300 us.

    ./dev run python benchmarks/decision_latency.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence

from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50 * 1e6, p99 * 1e6


def _time_each(
    fn: Callable[[ToolCall], object], calls: Sequence[ToolCall], rounds: int
) -> list[float]:
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(rounds):
        for call in calls:
            start = clock()
            fn(call)
            samples.append(clock() - start)
    return samples


def _file_calls(ws: str) -> list[ToolCall]:
    calls: list[ToolCall] = []
    for i in range(60):
        calls.append(ToolCall("Read", {"file_path": f"{ws}/src/module_{i}.py"}))
        edit = {"file_path": f"src/module_{i}.py", "old_string": "a = 1", "new_string": f"a={i}"}
        calls.append(ToolCall("Edit", edit))
        body = f"def test_{i}():\n    assert True\n" * 4
        calls.append(ToolCall("Write", {"file_path": f"tests/test_{i}.py", "content": body}))
        calls.append(ToolCall("Glob", {"pattern": f"src/**/*_{i}.py"}))
    return calls


def _shell_calls() -> list[ToolCall]:
    templates = [
        "git status", "git diff --stat HEAD~{i}", "npm test -- --grep case{i}",
        "python -m pytest -q tests/test_{i}.py", "grep -rn 'TODO{i}' src | head -20",
        "ls -la src/pkg{i}", "cat src/module_{i}.py | wc -l", "cd src && make target{i}",
        "sed -i 's/old{i}/new{i}/g' src/module_{i}.py", "docker build -t app:{i} .",
    ]  # fmt: skip
    return [
        ToolCall("Bash", {"command": t.format(i=i), "description": "run"})
        for i in range(30)
        for t in templates
    ]


def _mcp_calls() -> list[ToolCall]:
    body = ("def handler(event):\n    return {'status': 200, 'body': event}\n" * 60)[:4000]
    return [
        ToolCall(
            "mcp__docs__index_document",
            {"title": f"doc {i}", "text": body + str(i), "tags": ["a", "b"], "meta": {"n": i}},
            Origin.MCP,
            mcp_server="docs",
        )
        for i in range(80)
    ]


def _world() -> tuple[str, str, str]:
    root = tempfile.mkdtemp(prefix="crustcore-bench-")
    home = os.path.join(root, "home")
    ws = os.path.join(root, "ws")
    os.makedirs(os.path.join(home, ".ssh"))
    os.makedirs(os.path.join(ws, "src"))
    os.makedirs(os.path.join(ws, "tests"))
    for i in range(60):
        with open(os.path.join(ws, "src", f"module_{i}.py"), "w", encoding="utf-8") as fh:
            fh.write("a = 1\n")
    return root, home, ws


def _loader(texts: dict[int, str]) -> Callable[[ToolCall], object]:
    """The baseline: decode the call's JSON text, as any edge must before deciding."""

    def load(call: ToolCall) -> object:
        return json.loads(texts[id(call)])

    return load


def _allow_all(call: ToolCall) -> Decision:
    return Decision(Verdict.ALLOW, "allow", "", operations=())


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args(argv)
    root, home, ws = _world()
    try:
        from crustcore_nano.policy.config import parse_policy

        policy = parse_policy(
            '[policy.mcp.docs]\nallow_tools = ["index_*"]\n', source="bench", home=home
        )
        categories = {
            "file_tools": _file_calls(ws),
            "shell_commands": _shell_calls(),
            "mcp_large_args": _mcp_calls(),
        }
        results: dict[str, object] = {}
        gc.collect()
        for name, calls in categories.items():
            texts = {id(c): json.dumps({"tool": c.tool, "args": c.args}) for c in calls}
            cold_engine = PolicyEngine(
                policy, crustcore_home=os.path.join(home, ".crustcore"), workspace=ws, home=home
            )
            warm_engine = PolicyEngine(
                policy,
                crustcore_home=os.path.join(home, ".crustcore"),
                workspace=ws,
                home=home,
                cache_paths=True,
            )
            for call in calls:  # warm-up (imports, first-time compiles)
                cold_engine.evaluate(call)
                warm_engine.evaluate(call)
            verdicts = {cold_engine.evaluate(c).verdict.value for c in calls}
            cold = _percentiles(_time_each(cold_engine.evaluate, calls, opts.rounds))
            warm = _percentiles(_time_each(warm_engine.evaluate, calls, opts.rounds))
            base_json = _percentiles(_time_each(_loader(texts), calls, opts.rounds))
            base_allow = _percentiles(_time_each(_allow_all, calls, opts.rounds))
            results[name] = {
                "calls": len(calls),
                "verdicts": sorted(verdicts),
                "cold_p50_us": round(cold[0], 1),
                "cold_p99_us": round(cold[1], 1),
                "warm_p50_us": round(warm[0], 1),
                "warm_p99_us": round(warm[1], 1),
                "json_loads_p50_us": round(base_json[0], 2),
                "allow_all_p50_us": round(base_allow[0], 2),
                "cold_p50_ratio_vs_json_loads": round(cold[0] / base_json[0], 1),
                "warm_p50_ratio_vs_json_loads": round(warm[0] / base_json[0], 1),
            }
        report: dict[str, object] = {
            "benchmark": "decision_latency",
            "rounds": opts.rounds,
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "targets_us": {"file_tools_p50": 25, "shell_commands_p50": 80, "p99": 300},
            "results": results,
        }
        print(json.dumps(report, indent=2))
        return report
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
