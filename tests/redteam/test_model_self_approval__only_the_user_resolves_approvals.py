"""Threat: a model (or a subagent, worker or adapter acting for it) approves its own irreversible
action. Invariant: only the authorized user can resolve an approval; every other attempt is
refused, recorded, and releases nothing."""

from __future__ import annotations

from typing import Any, cast

import pytest
from crustcore_nano import Actor, ApprovalError, AuthorizedUser, Kernel, TaskStatus
from crustcore_nano._seal import MacKey
from crustcore_nano.approvals import ApprovalEngine

NON_USERS = [a for a in Actor if a is not Actor.USER]


@pytest.mark.parametrize("actor", [*NON_USERS, Actor.USER])
def test_no_actor_can_approve_or_deny_through_the_kernel(kernel: Kernel, actor: Actor) -> None:
    task = kernel.create_task("t")
    kernel.start_job(task, owner="w")
    req = kernel.request_tool(task, "bash", {"command": "git push --force"}, reversibility=None)
    assert req.approval is not None
    for resolve in (kernel.approve, kernel.deny):
        with pytest.raises(ApprovalError):
            resolve(req.approval.approval_id, by=cast(Any, actor), digest=req.approval.digest)
    assert kernel.task(task).status is TaskStatus.AWAITING_APPROVAL


def test_forged_or_foreign_authorized_user_cannot_approve(kernel: Kernel) -> None:
    task = kernel.create_task("t")
    kernel.start_job(task, owner="w")
    req = kernel.request_tool(task, "deploy", {"env": "prod"}, reversibility="destructive")
    assert req.approval is not None
    forged = object.__new__(AuthorizedUser)
    object.__setattr__(forged, "name", "root")
    object.__setattr__(forged, "mac", "0" * 64)
    foreign = ApprovalEngine(MacKey.generate("attacker")).authorize_user("root")
    for who in (forged, foreign):
        with pytest.raises(ApprovalError):
            kernel.approve(req.approval.approval_id, by=who, digest=req.approval.digest)
    assert kernel.task(task).status is TaskStatus.AWAITING_APPROVAL


def test_model_cannot_steer_or_kill_a_blocked_task(kernel: Kernel) -> None:
    task = kernel.create_task("t", budget={"tokens": 1})
    kernel.start_job(task, owner="w")
    kernel.charge(task, {"tokens": 5})
    assert kernel.task(task).status is TaskStatus.BLOCKED
    with pytest.raises(ApprovalError):
        kernel.steer(task, by=cast(Any, Actor.MODEL), budget={"tokens": 100})
    assert kernel.task(task).status is TaskStatus.BLOCKED
    kernel.steer(task, by=kernel.local_user(), budget={"tokens": 100})
    assert kernel.task(task).status is TaskStatus.RUNNING
