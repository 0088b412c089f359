"""The kernel: the deterministic reducer and the embedded ``Kernel`` facade."""

from crustcore_nano.kernel.core import Kernel, TaskView, ToolRequest
from crustcore_nano.kernel.events import (
    Action,
    ActionKind,
    BlockReason,
    Event,
    EventKind,
    JobStatus,
    TaskStatus,
)
from crustcore_nano.kernel.reducer import KernelState, Reducer, StepResult

__all__ = [
    "Action",
    "ActionKind",
    "BlockReason",
    "Event",
    "EventKind",
    "JobStatus",
    "Kernel",
    "KernelState",
    "Reducer",
    "StepResult",
    "TaskStatus",
    "TaskView",
    "ToolRequest",
]
