"""Misuse: minting Approved[T] directly, without the user resolving an approval.

Every field is supplied, so only the seal rejects it.
"""

from __future__ import annotations

from crustcore_nano import ActionSpec, ApprovalId, Approved

action = ActionSpec(kind="tool", summary="git push --force", params={"force": True})
apr = ApprovalId("apr-1")
digest = action.approval_digest()
forged: Approved[ActionSpec] = Approved(action, apr, digest, "alice", 2**62, "")  # expect-error
