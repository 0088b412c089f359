"""Red team: a tool result logged without its receipt.

Threat: a worker reports a completion whose tool name or ids the receipt cannot hold; the
completion was logged first and the receipt then refused, leaving a model-visible result with no
receipt. Invariant (law 15): every logged result has its receipt, so a completion that could not
get one is refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.errors import UsageError
from crustcore_nano.eventlog import iter_records
from crustcore_nano.ids import ToolCallId
from crustcore_nano.kernel.core import Kernel


def _kinds(home: Path) -> list[str]:
    return [r.kind for r in iter_records(home / "log")]


@pytest.mark.parametrize(
    ("tool", "call_id"),
    [("t" * 257, "call-1"), ("", "call-1"), ("bash", "bad id with spaces"), ("bash", "x" * 200)],
)
def test_bad_completion_is_refused_before_anything_is_logged(
    tmp_path: Path, tool: str, call_id: str
) -> None:
    home = tmp_path / "home"
    with Kernel.open(home) as kernel:
        task = kernel.create_task("t")
        job = kernel.start_job(task, owner="w1")
        with pytest.raises(UsageError):
            kernel.complete_tool(task, ToolCallId(call_id), tool, {}, "out", job_id=job, owner="w1")
        kernel.log.flush()
        assert "tool.completed" not in _kinds(home)
        # the same completion with good inputs goes through, with its receipt
        kernel.complete_tool(task, ToolCallId("call-2"), "bash", {}, "out", job_id=job, owner="w1")
        kernel.log.flush()
        kinds = _kinds(home)
        assert kinds.count("tool.completed") == 1
        assert "receipt" in " ".join(kinds)
