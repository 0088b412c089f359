"""Misuse: the model steering a blocked task (e.g. raising its own budget)."""

from __future__ import annotations

from crustcore_nano import Actor, Kernel, TaskId


def unblock(kernel: Kernel, task_id: TaskId) -> None:
    kernel.steer(task_id, by=Actor.MODEL, budget={"tokens": 10**9})  # expect-error
