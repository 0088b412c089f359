"""Misuse: one kind of typed id where another is required (NewTypes do not mix)."""

from __future__ import annotations

from crustcore_nano import ApprovalId, Kernel


def look(kernel: Kernel, approval_id: ApprovalId) -> None:
    kernel.task(approval_id)  # expect-error
