"""ApprovalEngine and Approved[T]: bound to one action, single use, expiring, user only."""

from __future__ import annotations

import copy
import pickle
from typing import Any, cast

import pytest
from crustcore_nano import (
    ActionSpec,
    Actor,
    ApprovalEngine,
    ApprovalError,
    ApprovalState,
    Approved,
    AuthorizedUser,
    Reversibility,
    SealError,
)
from crustcore_nano._seal import MacKey

PUSH = ActionSpec("tool", "git push origin main", {"argv": ["git", "push", "origin", "main"]})
FORCE = ActionSpec(
    "tool", "git push origin main", {"argv": ["git", "push", "-f", "origin", "main"]}
)


@pytest.fixture
def engine() -> ApprovalEngine:
    return ApprovalEngine(MacKey.generate("kernel"), ttl_ms=1_000)


def approve(engine: ApprovalEngine, action: ActionSpec, now: int = 0) -> Approved[ActionSpec]:
    pending = engine.request(action, requested_by=Actor.MODEL, now_ms=now)
    user = engine.authorize_user("alice")
    return engine.approve(pending, by=user, digest=pending.digest, now_ms=now)


def test_digest_covers_every_parameter() -> None:
    assert PUSH.approval_digest() != FORCE.approval_digest()
    same = ActionSpec("tool", "other summary", {"argv": ["git", "push", "origin", "main"]})
    assert same.approval_digest() == PUSH.approval_digest()
    rev = ActionSpec("tool", "x", dict(PUSH.params), Reversibility.REVERSIBLE)
    assert rev.approval_digest() != PUSH.approval_digest()


def test_missing_reversibility_counts_as_irreversible() -> None:
    assert Reversibility.of(None) is Reversibility.IRREVERSIBLE
    assert Reversibility.of("nonsense") is Reversibility.IRREVERSIBLE
    assert Reversibility.of("reversible") is Reversibility.REVERSIBLE
    assert Reversibility.DESTRUCTIVE.requires_approval
    assert not Reversibility.REVERSIBLE_WITH_CLEANUP.requires_approval


def test_approve_then_consume_once(engine: ApprovalEngine) -> None:
    ok = approve(engine, PUSH)
    assert engine.consume(ok, PUSH, now_ms=10) is PUSH
    assert engine.state(ok.approval_id) is ApprovalState.USED
    with pytest.raises(ApprovalError, match="already used"):
        engine.consume(ok, PUSH, now_ms=11)


def test_approval_for_one_action_does_not_cover_another(engine: ApprovalEngine) -> None:
    ok = approve(engine, PUSH)
    with pytest.raises(ApprovalError, match="another action"):
        engine.consume(ok, FORCE, now_ms=10)
    assert engine.state(ok.approval_id) is ApprovalState.APPROVED  # not spent by the refusal


def test_user_must_name_the_digest_they_were_shown(engine: ApprovalEngine) -> None:
    pending = engine.request(PUSH, requested_by=Actor.MODEL, now_ms=0)
    user = engine.authorize_user("alice")
    with pytest.raises(ApprovalError, match="not the action"):
        engine.approve(pending, by=user, digest=FORCE.approval_digest(), now_ms=1)
    assert engine.state(pending.approval_id) is ApprovalState.PENDING


def test_expiry_at_resolution_and_at_use(engine: ApprovalEngine) -> None:
    pending = engine.request(PUSH, requested_by=Actor.MODEL, now_ms=0)
    user = engine.authorize_user("alice")
    with pytest.raises(ApprovalError, match="expired"):
        engine.approve(pending, by=user, digest=pending.digest, now_ms=5_000)
    ok = approve(engine, FORCE, now=10_000)
    with pytest.raises(ApprovalError, match="expired"):
        engine.consume(ok, FORCE, now_ms=20_000)


@pytest.mark.parametrize("actor", [a for a in Actor if a is not Actor.USER] + [Actor.USER])
def test_no_actor_value_can_resolve(engine: ApprovalEngine, actor: Actor) -> None:
    pending = engine.request(PUSH, requested_by=Actor.MODEL, now_ms=0)
    with pytest.raises(ApprovalError, match="only by the authorized user"):
        engine.approve(pending, by=cast(Any, actor), digest=pending.digest, now_ms=1)
    with pytest.raises(ApprovalError):
        engine.deny(pending.approval_id, by=cast(Any, actor), digest=pending.digest, now_ms=1)


def test_forged_or_foreign_user_is_refused(engine: ApprovalEngine) -> None:
    pending = engine.request(PUSH, requested_by=Actor.MODEL, now_ms=0)
    forged = object.__new__(AuthorizedUser)
    foreign = ApprovalEngine(MacKey.generate("other")).authorize_user("alice")
    for who in (forged, foreign):
        with pytest.raises(ApprovalError):
            engine.approve(pending, by=who, digest=pending.digest, now_ms=1)


def test_forged_and_edited_tokens_are_refused(engine: ApprovalEngine) -> None:
    forged = object.__new__(Approved)
    with pytest.raises(SealError):
        engine.consume(forged, PUSH, now_ms=1)
    ok = approve(engine, PUSH)
    object.__setattr__(ok, "expires_at_ms", 10**15)
    with pytest.raises(SealError):
        engine.consume(ok, PUSH, now_ms=1)
    other = approve(engine, FORCE)
    object.__setattr__(other, "action", PUSH)
    with pytest.raises((SealError, ApprovalError)):
        engine.consume(other, PUSH, now_ms=1)


def test_tokens_from_another_kernel_are_refused(engine: ApprovalEngine) -> None:
    theirs = ApprovalEngine(MacKey.generate("other"))
    token = approve(theirs, PUSH)
    with pytest.raises(SealError):
        engine.consume(token, PUSH, now_ms=1)


def test_tokens_cannot_be_copied_or_pickled(engine: ApprovalEngine) -> None:
    ok = approve(engine, PUSH)
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError):
            attempt(ok)


def test_pending_lists_only_live_requests(engine: ApprovalEngine) -> None:
    a = engine.request(PUSH, requested_by=Actor.MODEL, now_ms=0)
    b = engine.request(FORCE, requested_by=Actor.SUBAGENT, now_ms=900)
    assert [p.approval_id for p in engine.pending(now_ms=500)] == [a.approval_id, b.approval_id]
    assert [p.approval_id for p in engine.pending(now_ms=1_500)] == [b.approval_id]
    assert engine.state(a.approval_id) is ApprovalState.EXPIRED
    assert b.to_json()["requested_by"] == "subagent"


def test_finished_approvals_are_forgotten_and_stay_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import crustcore_nano.approvals as approvals_module

    monkeypatch.setattr(approvals_module, "MAX_TRACKED", 50)
    engine = ApprovalEngine(MacKey.generate("kernel"), ttl_ms=1_000)
    user = engine.authorize_user("alice")
    spent = approve(engine, PUSH)
    engine.consume(spent, PUSH, now_ms=1)
    live = engine.request(FORCE, requested_by=Actor.MODEL, now_ms=0)
    for n in range(200):
        action = ActionSpec("tool", f"call {n}", {"n": n})
        pending = engine.request(action, requested_by=Actor.MODEL, now_ms=10)
        engine.deny(pending.approval_id, by=user, digest=pending.digest, now_ms=10)
    assert engine.tracked() <= 51 + 1  # bounded: finished ones are dropped, live ones kept
    assert engine.state(live.approval_id) is ApprovalState.PENDING
    with pytest.raises(ApprovalError):  # a forgotten, used approval is still refused
        engine.consume(spent, PUSH, now_ms=2)
