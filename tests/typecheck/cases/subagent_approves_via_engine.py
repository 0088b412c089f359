"""Misuse: a subagent resolving a pending approval through the approval engine."""

from __future__ import annotations

from crustcore_nano import ActionSpec, Actor, ApprovalEngine, PendingApproval


def self_approve(engine: ApprovalEngine, pending: PendingApproval[ActionSpec]) -> None:
    engine.approve(pending, by=Actor.SUBAGENT, digest=pending.digest, now_ms=0)  # expect-error
