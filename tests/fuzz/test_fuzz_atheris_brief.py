"""Every atheris fuzz target runs briefly under real, coverage-guided libFuzzer in CI.

For long runs on demand: ``./dev run python tests/fuzz/fuzz_NAME.py -max_total_time=600``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TARGETS = sorted(HERE.glob("fuzz_*.py"))
RUNS = 2000


def test_there_are_at_least_twenty_targets() -> None:
    assert len(TARGETS) >= 20


@pytest.mark.parametrize("target", TARGETS, ids=[t.stem for t in TARGETS])
def test_target_runs_briefly_without_a_finding(target: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(HERE / "run_brief.py"),
            str(target),
            f"-runs={RUNS}",
            "-max_total_time=30",
            "-seed=1",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    tail = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == 0, tail
    assert "Done" in tail
    assert not list(tmp_path.glob("crash-*")), tail
