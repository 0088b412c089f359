"""The kernel reducer: event in, state updated, a bounded list of actions out.

Deterministic and sans-IO: no clock (time arrives in ``Event.ts_ms``), no randomness (approval
ids count up), no I/O. The same events in the same order always give the same state and actions.

Rules enforced here, whoever sends the event:
* sequence numbers are idempotent: an event whose ``seq`` is not above every seq applied so far is
  a duplicate or a replay and changes nothing;
* actor guards (``ACTOR_GUARDS``): only the user resolves approvals and steers; only the verifier
  marks a patch verified; only the kernel completes a task, and only with the verified patch;
* terminal tasks absorb every event; a task awaiting an approval past its expiry is blocked;
* budgets are folded on every charge, and exhaustion blocks the task until the user steers;
* job events from anyone but the current lease owner, or after the lease expired, are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from crustcore_nano.approvals import Reversibility
from crustcore_nano.budget import Budget, BudgetAxis
from crustcore_nano.ids import ApprovalId, JobId, PatchId, TaskId, ToolCallId
from crustcore_nano.kernel.events import (
    ACTOR_GUARDS,
    APPROVAL_TTL_MS,
    LEASE_TTL_MS,
    MAX_ACTIONS_PER_STEP,
    Action,
    ActionKind,
    BlockReason,
    Event,
    EventKind,
    JobStatus,
    TaskStatus,
)
from crustcore_nano.policy.types import Verdict


@dataclass(slots=True)
class TaskEntry:
    task_id: TaskId
    status: TaskStatus
    budget: Budget
    block_reason: BlockReason | None = None
    block_axis: BudgetAxis | None = None
    awaiting: ApprovalId | None = None
    verified_patch: PatchId | None = None
    claimed_done: bool = False
    jobs: int = 0  # jobs ever queued for the task (bounded by MAX_JOBS_PER_TASK)


@dataclass(slots=True)
class JobEntry:
    job_id: JobId
    task_id: TaskId
    status: JobStatus
    lease_owner: str | None = None
    lease_expires_ms: int = 0


@dataclass(slots=True)
class ApprovalEntry:
    approval_id: ApprovalId
    task_id: TaskId
    job_id: JobId | None
    tool_call_id: ToolCallId
    expires_at_ms: int
    state: str = "pending"  # pending | approved | denied | expired | orphaned


@dataclass(frozen=True, slots=True)
class StepResult:
    actions: tuple[Action, ...]
    accepted: bool  # False: duplicate, or refused by a guard (``note`` says why)
    note: str = ""


@dataclass(slots=True)
class KernelState:
    applied_through: int = 0
    next_approval: int = 1
    tasks: dict[TaskId, TaskEntry] = field(default_factory=dict[TaskId, TaskEntry])
    jobs: dict[JobId, JobEntry] = field(default_factory=dict[JobId, JobEntry])
    approvals: dict[ApprovalId, ApprovalEntry] = field(
        default_factory=dict[ApprovalId, ApprovalEntry]
    )


_ACTIVE_JOB = (JobStatus.LEASED, JobStatus.RUNNING)
# Every job stays in the state for the kernel's life (its events must still resolve), so one
# task may not queue jobs without end; a worker that needs more starts another task.
MAX_JOBS_PER_TASK = 1_024


class Reducer:
    """Owns a ``KernelState`` and applies events to it one at a time."""

    def __init__(self) -> None:
        self.state = KernelState()

    def step(self, ev: Event) -> StepResult:
        st = self.state
        if ev.seq <= st.applied_through:
            return StepResult((), False, f"duplicate or replayed event (seq {ev.seq})")
        st.applied_through = ev.seq
        out: list[Action] = [Action(ActionKind.APPEND, task_id=ev.task_id)]
        note = self._apply(ev, out)
        assert len(out) <= MAX_ACTIONS_PER_STEP
        return StepResult(tuple(out), not note, note)

    # ------------------------------------------------------------------------------------------
    def _apply(self, ev: Event, out: list[Action]) -> str:
        allowed = ACTOR_GUARDS.get(ev.kind)
        if allowed is not None and ev.actor not in allowed:
            return f"{ev.actor.value} may not cause {ev.kind.value}; recorded and ignored"
        st = self.state
        if ev.kind is EventKind.TASK_CREATED:
            if ev.task_id is None or ev.task_id in st.tasks:
                return "task.created needs a new task id"
            budget = Budget.unlimited()
            if ev.budget_limits:
                budget = budget.with_limits(dict(ev.budget_limits))
            st.tasks[ev.task_id] = TaskEntry(ev.task_id, TaskStatus.CREATED, budget)
            return ""
        task = st.tasks.get(ev.task_id) if ev.task_id is not None else None
        if task is None:
            return "event for an unknown task"
        if task.status.terminal:
            return f"task is {task.status.value}; event absorbed"
        if task.status is TaskStatus.AWAITING_APPROVAL and task.awaiting is not None:
            pending = st.approvals[task.awaiting]
            if ev.ts_ms > pending.expires_at_ms:
                pending.state = "expired"
                self._block(task, BlockReason.APPROVAL_EXPIRED, out)
                return f"approval {pending.approval_id} expired before this event"
        if ev.budget_delta:
            task.budget, axis = task.budget.charge(dict(ev.budget_delta))
            if axis is not None:
                task.block_axis = axis
                self._block(task, BlockReason.BUDGET_EXHAUSTED, out)
                return ""
        if ev.job_id is not None:
            note = self._job(task, ev)
            if note:
                return note
        return self._dispatch(task, ev, out)

    def _job(self, task: TaskEntry, ev: Event) -> str:
        st = self.state
        job = st.jobs.get(ev.job_id) if ev.job_id is not None else None
        if ev.kind is EventKind.JOB_QUEUED:
            if ev.job_id is None or job is not None:
                return "job.queued needs a new job id"
            if task.jobs >= MAX_JOBS_PER_TASK:
                return f"the task already has {MAX_JOBS_PER_TASK} jobs; start another task"
            task.jobs += 1
            st.jobs[ev.job_id] = JobEntry(ev.job_id, task.task_id, JobStatus.QUEUED)
            return ""
        if job is None or job.task_id != task.task_id:
            return "event for an unknown job of this task"
        if job.status.terminal:
            return f"job is {job.status.value}"
        if job.status in _ACTIVE_JOB:
            if job.lease_owner is not None and ev.lease_owner != job.lease_owner:
                return "event from a worker that does not hold the job's lease; ignored"
            if ev.ts_ms > job.lease_expires_ms:
                job.status = JobStatus.EXPIRED
                return "the job's lease expired; the job is expired"
        if ev.kind is EventKind.JOB_LEASED:
            if job.status is not JobStatus.QUEUED:
                return f"cannot lease a job that is {job.status.value}"
            if not ev.lease_owner:
                return "job.leased needs a lease owner"
            job.status = JobStatus.LEASED
            job.lease_owner = ev.lease_owner
            job.lease_expires_ms = ev.ts_ms + LEASE_TTL_MS
        elif ev.kind in (EventKind.JOB_HEARTBEAT, EventKind.TOOL_COMPLETED):
            if job.status in _ACTIVE_JOB:
                job.lease_expires_ms = ev.ts_ms + LEASE_TTL_MS
                job.status = JobStatus.RUNNING
        elif ev.kind is EventKind.JOB_COMPLETED:
            job.status = JobStatus.COMPLETED
        elif ev.kind is EventKind.JOB_FAILED:
            job.status = JobStatus.FAILED
        return ""

    def _dispatch(self, task: TaskEntry, ev: Event, out: list[Action]) -> str:
        k = ev.kind
        if k is EventKind.JOB_QUEUED and task.status is TaskStatus.CREATED:
            task.status = TaskStatus.QUEUED
        elif k is EventKind.JOB_LEASED and task.status in (TaskStatus.CREATED, TaskStatus.QUEUED):
            task.status = TaskStatus.RUNNING
        elif k is EventKind.TOOL_REQUESTED:
            return self._tool_request(task, ev, out)
        elif k is EventKind.APPROVAL_RESOLVED:
            return self._resolve(task, ev, out)
        elif k is EventKind.USER_STEER:
            if task.status is not TaskStatus.BLOCKED:
                return "" if task.status is TaskStatus.RUNNING else "nothing to steer"
            if ev.budget_limits:
                task.budget = task.budget.with_limits(dict(ev.budget_limits))
            axis = task.budget.exhausted()
            if axis is not None:
                task.block_axis = axis
                return f"budget axis {axis.value} is still exhausted; raise its limit to resume"
            task.status, task.block_reason, task.block_axis = TaskStatus.RUNNING, None, None
        elif k is EventKind.PATCH_VERIFIED:
            if task.status is not TaskStatus.RUNNING or ev.patch_id is None:
                return "patch.verified needs a running task and a patch id"
            task.status, task.verified_patch = TaskStatus.INTEGRATING, ev.patch_id
        elif k is EventKind.PATCH_REJECTED:
            if task.status is TaskStatus.INTEGRATING:
                task.status, task.verified_patch = TaskStatus.RUNNING, None
        elif k is EventKind.MODEL_CLAIMED_DONE:
            task.claimed_done = True  # advisory: recorded, never honoured
        elif k is EventKind.TASK_COMPLETED:
            if task.status is not TaskStatus.INTEGRATING or task.verified_patch is None:
                return "a task completes only from a verified patch"
            if ev.patch_id != task.verified_patch:
                return "task.completed names a patch other than the one verified"
            self._finish(task, TaskStatus.COMPLETED, out)
        elif k is EventKind.TASK_FAILED:
            self._finish(task, TaskStatus.FAILED, out)
        elif k is EventKind.TASK_KILLED:
            self._finish(task, TaskStatus.KILLED, out)
        elif k is EventKind.RISK_DETECTED:
            self._block(task, BlockReason.RISK_DETECTED, out)
        return ""

    def _tool_request(self, task: TaskEntry, ev: Event, out: list[Action]) -> str:
        if task.status is not TaskStatus.RUNNING:
            return f"task is {task.status.value}; tool requests run only while it is running"
        if ev.tool_call_id is None:
            return "tool.requested needs a tool call id"
        verdict = ev.verdict or Verdict.ASK
        if verdict is Verdict.DENY:
            return ""
        reversibility = Reversibility.of(ev.reversibility)
        if verdict is Verdict.ASK or reversibility.requires_approval:
            st = self.state
            approval_id = ApprovalId(f"apr-{st.next_approval}")
            st.next_approval += 1
            st.approvals[approval_id] = ApprovalEntry(
                approval_id, task.task_id, ev.job_id, ev.tool_call_id, ev.ts_ms + APPROVAL_TTL_MS
            )
            task.status, task.awaiting = TaskStatus.AWAITING_APPROVAL, approval_id
            out.append(
                Action(
                    ActionKind.REQUEST_APPROVAL,
                    task_id=task.task_id,
                    job_id=ev.job_id,
                    approval_id=approval_id,
                    tool_call_id=ev.tool_call_id,
                )
            )
            return ""
        self._run_tool(task, ev.job_id, ev.tool_call_id, out)
        return ""

    def _run_tool(
        self, task: TaskEntry, job_id: JobId | None, call: ToolCallId, out: list[Action]
    ) -> None:
        if job_id is not None:
            job = self.state.jobs.get(job_id)
            if job is None or job.task_id != task.task_id or job.status not in _ACTIVE_JOB:
                return
        out.append(
            Action(ActionKind.RUN_TOOL, task_id=task.task_id, job_id=job_id, tool_call_id=call)
        )

    def _resolve(self, task: TaskEntry, ev: Event, out: list[Action]) -> str:
        if task.status is not TaskStatus.AWAITING_APPROVAL or task.awaiting is None:
            return "no approval is pending for this task"
        if ev.approval_id != task.awaiting:
            return f"approval {ev.approval_id} is not the one this task awaits"
        pending = self.state.approvals[task.awaiting]
        if ev.tool_call_id is None or ev.tool_call_id != pending.tool_call_id:
            return "approval.resolved names a different tool call than the one approved"
        task.awaiting = None
        if ev.approve is True:
            pending.state = "approved"
            task.status = TaskStatus.RUNNING
            self._run_tool(task, pending.job_id, pending.tool_call_id, out)
        else:
            pending.state = "denied"
            self._block(task, BlockReason.APPROVAL_DENIED, out)
        return ""

    def _block(self, task: TaskEntry, reason: BlockReason, out: list[Action]) -> None:
        if task.awaiting is not None:
            entry = self.state.approvals[task.awaiting]
            if entry.state == "pending":
                entry.state = "orphaned"  # a late approval can no longer release anything
        task.status, task.block_reason, task.awaiting = TaskStatus.BLOCKED, reason, None
        out.append(Action(ActionKind.TASK_BLOCKED, task_id=task.task_id))

    def _finish(self, task: TaskEntry, status: TaskStatus, out: list[Action]) -> None:
        if task.awaiting is not None:
            self.state.approvals[task.awaiting].state = "orphaned"
        task.status, task.awaiting = status, None
        for job in self.state.jobs.values():
            if job.task_id == task.task_id and not job.status.terminal:
                job.status = JobStatus.KILLED if status is TaskStatus.KILLED else JobStatus.FAILED
                if status is TaskStatus.COMPLETED:
                    job.status = JobStatus.COMPLETED
        out.append(Action(ActionKind.TASK_FINISHED, task_id=task.task_id))

    # --- read-only views ----------------------------------------------------------------------
    def task(self, task_id: TaskId) -> TaskEntry | None:
        entry = self.state.tasks.get(task_id)
        return None if entry is None else replace(entry)
