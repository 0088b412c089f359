"""Typed identifiers, bounded text and timestamps.

IDs are ``NewType``s over ``str`` so the checkers keep a task id from being passed as an approval
id, at no runtime cost. Timestamps are integer milliseconds since the Unix epoch and are always
passed in: the kernel reducer never reads a clock.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import NewType

TaskId = NewType("TaskId", str)
JobId = NewType("JobId", str)
ApprovalId = NewType("ApprovalId", str)
ToolCallId = NewType("ToolCallId", str)
PatchId = NewType("PatchId", str)
SessionId = NewType("SessionId", str)
Timestamp = NewType("Timestamp", int)

_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def random_suffix(n: int = 12) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(n))


def new_task_id() -> TaskId:
    return TaskId("task-" + random_suffix())


def new_job_id() -> JobId:
    return JobId("job-" + random_suffix())


def new_tool_call_id() -> ToolCallId:
    return ToolCallId("call-" + random_suffix())


def now_ms() -> Timestamp:
    """Wall-clock time for the edges. The reducer never calls this; it gets time in events."""
    return Timestamp(time.time_ns() // 1_000_000)


DEFAULT_TEXT_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class BoundedText:
    """UTF-8 text of at most ``limit`` bytes; longer input is cut on a character boundary."""

    text: str
    truncated: bool
    limit: int

    @classmethod
    def of(cls, text: str, limit: int = DEFAULT_TEXT_LIMIT) -> BoundedText:
        if limit < 0:
            raise ValueError("limit must be >= 0")
        raw = text.encode("utf-8", "surrogatepass")
        if len(raw) <= limit:
            return cls(text, False, limit)
        cut = raw[:limit].decode("utf-8", "ignore")
        return cls(cut, True, limit)

    def __str__(self) -> str:
        return self.text
