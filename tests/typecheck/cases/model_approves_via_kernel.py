"""Misuse: the model resolving an approval through the kernel's typed API."""

from __future__ import annotations

from crustcore_nano import Actor, ApprovalId, Kernel


def self_approve(kernel: Kernel, approval_id: ApprovalId, digest: str) -> None:
    kernel.approve(approval_id, by=Actor.MODEL, digest=digest)  # expect-error
