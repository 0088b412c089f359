"""Misuse: a worker resolving (denying) an approval; only the user may resolve either way."""

from __future__ import annotations

from crustcore_nano import Actor, ApprovalEngine, ApprovalId


def veto(engine: ApprovalEngine, approval_id: ApprovalId, digest: str) -> None:
    engine.deny(approval_id, by=Actor.WORKER, digest=digest, now_ms=0)  # expect-error
