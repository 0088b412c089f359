"""Misuse: completing a task with a worker's unverified patch."""

from __future__ import annotations

from crustcore_nano import Kernel, UnverifiedPatch


def finish(kernel: Kernel, patch: UnverifiedPatch) -> None:
    kernel.complete_task(patch.task_id, patch)  # expect-error
