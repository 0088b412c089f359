"""Misuse: minting Approved[T] through its parametrized form, naming every field."""

from __future__ import annotations

from crustcore_nano import ActionSpec, ApprovalId, Approved

act = ActionSpec(kind="tool", summary="rm -rf build", params={"path": "build"})
aid, dig = ApprovalId("apr-1"), act.approval_digest()
forged = Approved[ActionSpec](action=act, approval_id=aid, digest=dig, approved_by="alice", expires_at_ms=2**62, mac="")  # expect-error
