"""The reducer: determinism, idempotence, actor guards, approvals, leases, budgets, bounds."""

from __future__ import annotations

import random
from typing import Any

import pytest
from crustcore_nano import Actor, Event, EventKind, JobStatus, Reducer, TaskStatus, Verdict
from crustcore_nano.ids import ApprovalId, JobId, PatchId, TaskId, ToolCallId
from crustcore_nano.kernel.events import ACTOR_GUARDS, MAX_ACTIONS_PER_STEP, ActionKind, BlockReason

T = TaskId("task-1")
J = JobId("job-1")


class Feed:
    def __init__(self) -> None:
        self.r = Reducer()
        self.seq = 0

    def __call__(self, kind: EventKind, actor: Actor = Actor.KERNEL, ts: int = 1000, **kw: object):  # type: ignore[no-untyped-def]
        self.seq += 1
        fields: dict[str, object] = {"task_id": T, **kw}
        return self.r.step(Event(kind, self.seq, ts, actor, **fields))  # type: ignore[arg-type]

    def status(self) -> TaskStatus:
        entry = self.r.task(T)
        assert entry is not None
        return entry.status


def running(**budget: int) -> Feed:
    f = Feed()
    f(EventKind.TASK_CREATED, Actor.ADAPTER, budget_limits=budget or None)
    f(EventKind.JOB_QUEUED, job_id=J)
    f(EventKind.JOB_LEASED, job_id=J, lease_owner="w1")
    assert f.status() is TaskStatus.RUNNING
    return f


def kinds(result: object) -> list[ActionKind]:
    return [a.kind for a in result.actions]  # type: ignore[attr-defined]


def test_reversible_tool_runs_irreversible_waits_for_approval() -> None:
    f = running()
    r = f(
        EventKind.TOOL_REQUESTED,
        Actor.MODEL,
        job_id=J,
        lease_owner="w1",
        tool_call_id=ToolCallId("c1"),
        reversibility=None,
        verdict=Verdict.ALLOW,
    )
    assert kinds(r) == [ActionKind.APPEND, ActionKind.REQUEST_APPROVAL]
    assert f.status() is TaskStatus.AWAITING_APPROVAL
    f2 = running()
    from crustcore_nano import Reversibility

    r2 = f2(
        EventKind.TOOL_REQUESTED,
        Actor.MODEL,
        job_id=J,
        lease_owner="w1",
        tool_call_id=ToolCallId("c1"),
        reversibility=Reversibility.REVERSIBLE,
        verdict=Verdict.ALLOW,
    )
    assert kinds(r2) == [ActionKind.APPEND, ActionKind.RUN_TOOL]


@pytest.mark.parametrize("actor", [a for a in Actor if a is not Actor.USER])
def test_only_the_user_resolves_an_approval(actor: Actor) -> None:
    f = running()
    f(EventKind.TOOL_REQUESTED, Actor.MODEL, tool_call_id=ToolCallId("c1"), verdict=Verdict.ASK)
    r = f(
        EventKind.APPROVAL_RESOLVED,
        actor,
        approval_id=ApprovalId("apr-1"),
        tool_call_id=ToolCallId("c1"),
        approve=True,
    )
    assert not r.accepted and "may not cause" in r.note
    assert kinds(r) == [ActionKind.APPEND]  # recorded, nothing released
    assert f.status() is TaskStatus.AWAITING_APPROVAL
    ok = f(
        EventKind.APPROVAL_RESOLVED,
        Actor.USER,
        approval_id=ApprovalId("apr-1"),
        tool_call_id=ToolCallId("c1"),
        approve=True,
    )
    assert ok.accepted and ActionKind.RUN_TOOL in kinds(ok)


def test_resolution_must_name_the_awaited_approval_and_tool_call() -> None:
    f = running()
    f(EventKind.TOOL_REQUESTED, Actor.MODEL, tool_call_id=ToolCallId("c1"), verdict=Verdict.ASK)
    cases: list[dict[str, Any]] = [
        {"approval_id": ApprovalId("apr-9"), "tool_call_id": ToolCallId("c1")},
        {"approval_id": ApprovalId("apr-1"), "tool_call_id": ToolCallId("c2")},
        {"approval_id": ApprovalId("apr-1")},
    ]
    for kw in cases:
        r = f(EventKind.APPROVAL_RESOLVED, Actor.USER, approve=True, **kw)
        assert not r.accepted and ActionKind.RUN_TOOL not in kinds(r)
    assert f.status() is TaskStatus.AWAITING_APPROVAL


def test_expired_approval_blocks_and_late_approval_releases_nothing() -> None:
    f = running()
    f(
        EventKind.TOOL_REQUESTED,
        Actor.MODEL,
        ts=0,
        tool_call_id=ToolCallId("c1"),
        verdict=Verdict.ASK,
    )
    r = f(
        EventKind.APPROVAL_RESOLVED,
        Actor.USER,
        ts=400_000,
        approval_id=ApprovalId("apr-1"),
        tool_call_id=ToolCallId("c1"),
        approve=True,
    )
    assert ActionKind.RUN_TOOL not in kinds(r)
    entry = f.r.task(T)
    assert entry is not None and entry.block_reason is BlockReason.APPROVAL_EXPIRED


def test_denied_approval_blocks_until_the_user_steers() -> None:
    f = running()
    f(EventKind.TOOL_REQUESTED, Actor.MODEL, tool_call_id=ToolCallId("c1"), verdict=Verdict.ASK)
    f(
        EventKind.APPROVAL_RESOLVED,
        Actor.USER,
        approval_id=ApprovalId("apr-1"),
        tool_call_id=ToolCallId("c1"),
        approve=False,
    )
    assert f.status() is TaskStatus.BLOCKED
    assert not f(EventKind.USER_STEER, Actor.MODEL).accepted
    assert f.status() is TaskStatus.BLOCKED
    assert f(EventKind.USER_STEER, Actor.USER).accepted
    assert f.status() is TaskStatus.RUNNING


def test_budget_exhaustion_blocks_then_resumes_only_with_more_budget() -> None:
    f = running(tokens=10)
    r = f(EventKind.BUDGET_CHARGED, budget_delta={"tokens": 11})
    assert ActionKind.TASK_BLOCKED in kinds(r) and f.status() is TaskStatus.BLOCKED
    assert not f(EventKind.USER_STEER, Actor.USER).accepted  # still exhausted
    assert f(EventKind.USER_STEER, Actor.USER, budget_limits={"tokens": 100}).accepted
    assert f.status() is TaskStatus.RUNNING
    r = f(
        EventKind.TOOL_REQUESTED,
        Actor.MODEL,
        tool_call_id=ToolCallId("c"),
        verdict=Verdict.ALLOW,
        reversibility=None,
        budget_delta={"tokens": 1000},
    )
    assert f.status() is TaskStatus.BLOCKED and ActionKind.REQUEST_APPROVAL not in kinds(r)


def test_completion_needs_the_verifier_then_the_kernel_with_that_patch() -> None:
    f = running()
    for actor in (Actor.MODEL, Actor.WORKER, Actor.KERNEL, Actor.USER):
        assert not f(EventKind.PATCH_VERIFIED, actor, patch_id=PatchId("p1")).accepted
    for actor in (Actor.MODEL, Actor.USER, Actor.VERIFIER, Actor.ADAPTER):
        assert not f(EventKind.TASK_COMPLETED, actor, patch_id=PatchId("p1")).accepted
    assert not f(EventKind.TASK_COMPLETED, Actor.KERNEL, patch_id=PatchId("p1")).accepted
    f(EventKind.MODEL_CLAIMED_DONE, Actor.MODEL)
    assert f.status() is TaskStatus.RUNNING
    assert f(EventKind.PATCH_VERIFIED, Actor.VERIFIER, patch_id=PatchId("p1")).accepted
    assert not f(EventKind.TASK_COMPLETED, Actor.KERNEL, patch_id=PatchId("p2")).accepted
    r = f(EventKind.TASK_COMPLETED, Actor.KERNEL, patch_id=PatchId("p1"))
    assert r.accepted and ActionKind.TASK_FINISHED in kinds(r)
    assert f.status() is TaskStatus.COMPLETED
    # terminal absorbs
    assert not f(EventKind.TASK_KILLED, Actor.USER).accepted
    assert f.status() is TaskStatus.COMPLETED


def test_duplicate_and_replayed_sequence_numbers_change_nothing() -> None:
    r = Reducer()
    ev = Event(EventKind.TASK_CREATED, 5, 0, Actor.ADAPTER, task_id=T)
    assert r.step(ev).accepted
    again = r.step(ev)
    assert not again.accepted and again.actions == ()
    older = r.step(Event(EventKind.TASK_KILLED, 3, 0, Actor.USER, task_id=T))
    assert older.actions == ()
    entry = r.task(T)
    assert entry is not None and entry.status is TaskStatus.CREATED


def test_lease_owner_and_expiry_guard_job_events() -> None:
    f = running()
    r = f(
        EventKind.TOOL_REQUESTED,
        Actor.WORKER,
        job_id=J,
        lease_owner="intruder",
        tool_call_id=ToolCallId("c1"),
        verdict=Verdict.ALLOW,
    )
    assert not r.accepted and "lease" in r.note
    r = f(EventKind.JOB_HEARTBEAT, Actor.WORKER, ts=1000 + 61_000, job_id=J, lease_owner="w1")
    assert not r.accepted
    assert f.r.state.jobs[J].status is JobStatus.EXPIRED


def test_kill_cascades_to_jobs() -> None:
    f = running()
    f(EventKind.TASK_KILLED, Actor.USER)
    assert f.status() is TaskStatus.KILLED
    assert f.r.state.jobs[J].status is JobStatus.KILLED


def test_guard_table_names_the_sensitive_transitions() -> None:
    assert ACTOR_GUARDS[EventKind.APPROVAL_RESOLVED] == {Actor.USER}
    assert ACTOR_GUARDS[EventKind.USER_STEER] == {Actor.USER}
    assert ACTOR_GUARDS[EventKind.PATCH_VERIFIED] == {Actor.VERIFIER}
    assert ACTOR_GUARDS[EventKind.TASK_COMPLETED] == {Actor.KERNEL}


def _random_events(seed: int, n: int) -> list[Event]:
    rng = random.Random(seed)
    tasks = [TaskId(f"t{i}") for i in range(3)]
    jobs = [JobId(f"j{i}") for i in range(3)]
    out: list[Event] = []
    seq = 0
    for _ in range(n):
        seq += rng.choice([1, 1, 1, 0, -1])
        out.append(
            Event(
                rng.choice(list(EventKind)),
                seq,
                rng.choice([0, 1000, 10**6, 2**62]),
                rng.choice(list(Actor)),
                task_id=rng.choice([*tasks, None]),
                job_id=rng.choice([*jobs, None]),
                approval_id=rng.choice([ApprovalId("apr-1"), ApprovalId("apr-2"), None]),
                tool_call_id=rng.choice([ToolCallId("c1"), None]),
                patch_id=rng.choice([PatchId("p"), None]),
                verdict=rng.choice([*Verdict, None]),
                approve=rng.choice([True, False, None]),
                lease_owner=rng.choice(["w1", "w2", None]),
                budget_delta=rng.choice([None, {"tokens": rng.randint(0, 50)}]),
                budget_limits=rng.choice([None, {"tokens": 100}]),
            )
        )
    return out


@pytest.mark.parametrize("seed", range(20))
def test_hostile_event_streams_are_deterministic_bounded_and_never_crash(seed: int) -> None:
    events = _random_events(seed, 2_000)
    a, b = Reducer(), Reducer()
    for ev in events:
        ra, rb = a.step(ev), b.step(ev)
        assert ra == rb
        assert len(ra.actions) <= MAX_ACTIONS_PER_STEP
        if ra.actions:
            assert ra.actions[0].kind is ActionKind.APPEND
    assert a.state == b.state
    for task in a.state.tasks.values():
        if task.status is TaskStatus.COMPLETED:
            assert task.verified_patch is not None
