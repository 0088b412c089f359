"""Misuse: a plain str where a TaskId is required."""

from __future__ import annotations

from crustcore_nano import Kernel, VerifiedPatch


def finish(kernel: Kernel, patch: VerifiedPatch) -> None:
    kernel.complete_task("task-123", patch)  # expect-error
