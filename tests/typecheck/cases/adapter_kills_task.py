"""Misuse: an adapter killing a task; only the user may."""

from __future__ import annotations

from crustcore_nano import Actor, Kernel, TaskId


def stop(kernel: Kernel, task_id: TaskId) -> None:
    kernel.kill(task_id, by=Actor.ADAPTER)  # expect-error
