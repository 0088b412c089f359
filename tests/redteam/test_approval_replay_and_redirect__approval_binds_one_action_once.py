"""Threat: an approval given for one action is reused, kept past its expiry, or pointed at a
different (worse) action, e.g. approving `git push` and running `git push --force`.
Invariant: an approval releases exactly the action whose digest the user saw, once, in time."""

from __future__ import annotations

import pytest
from crustcore_nano import ActionSpec, Actor, ApprovalError, Kernel, SealError
from crustcore_nano._seal import MacKey
from crustcore_nano.approvals import ApprovalEngine

SAFE = ActionSpec("tool", "git push origin feature", {"argv": ["git", "push", "origin", "feature"]})
WORSE = ActionSpec(
    "tool", "git push origin feature", {"argv": ["git", "push", "-f", "origin", "main"]}
)


def test_approval_for_one_action_does_not_authorize_another(kernel: Kernel) -> None:
    engine = kernel.approvals
    pending = engine.request(SAFE, requested_by=Actor.MODEL, now_ms=0)
    ok = engine.approve(pending, by=kernel.local_user(), digest=pending.digest, now_ms=1)
    with pytest.raises(ApprovalError):
        engine.consume(ok, WORSE, now_ms=2)
    object.__setattr__(ok, "digest", WORSE.approval_digest())
    with pytest.raises(SealError):
        engine.consume(ok, WORSE, now_ms=2)


def test_misleading_summary_cannot_hide_a_different_action(kernel: Kernel) -> None:
    engine = kernel.approvals
    pending = engine.request(WORSE, requested_by=Actor.MODEL, now_ms=0)
    assert pending.summary == SAFE.approval_summary()  # same words ...
    with pytest.raises(ApprovalError):  # ... but the user approves the digest of what they saw
        engine.approve(pending, by=kernel.local_user(), digest=SAFE.approval_digest(), now_ms=1)


def test_reused_and_expired_approvals_are_refused() -> None:
    engine = ApprovalEngine(MacKey.generate("k"), ttl_ms=100)
    user = engine.authorize_user("alice")
    pending = engine.request(SAFE, requested_by=Actor.MODEL, now_ms=0)
    ok = engine.approve(pending, by=user, digest=pending.digest, now_ms=1)
    engine.consume(ok, SAFE, now_ms=2)
    with pytest.raises(ApprovalError, match="already used"):
        engine.consume(ok, SAFE, now_ms=3)
    late = engine.request(SAFE, requested_by=Actor.MODEL, now_ms=0)
    token = engine.approve(late, by=user, digest=late.digest, now_ms=50)
    with pytest.raises(ApprovalError, match="expired"):
        engine.consume(token, SAFE, now_ms=101)
    stale = engine.request(SAFE, requested_by=Actor.MODEL, now_ms=0)
    with pytest.raises(ApprovalError, match="expired"):
        engine.approve(stale, by=user, digest=stale.digest, now_ms=500)
