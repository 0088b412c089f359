"""The kernel's closed vocabulary: event kinds, statuses, block reasons and actions."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from crustcore_nano.approvals import Actor, Reversibility
from crustcore_nano.ids import ApprovalId, JobId, PatchId, TaskId, ToolCallId
from crustcore_nano.policy.types import Verdict

LEASE_TTL_MS = 60_000
APPROVAL_TTL_MS = 300_000
MAX_ACTIONS_PER_STEP = 4


class EventKind(enum.Enum):
    TASK_CREATED = "task.created"
    JOB_QUEUED = "job.queued"
    JOB_LEASED = "job.leased"
    JOB_HEARTBEAT = "job.heartbeat"
    JOB_COMPLETED = "job.completed"
    JOB_FAILED = "job.failed"
    TOOL_REQUESTED = "tool.requested"
    TOOL_COMPLETED = "tool.completed"
    APPROVAL_RESOLVED = "approval.resolved"
    BUDGET_CHARGED = "budget.charged"
    USER_STEER = "user.steer"
    PATCH_PROPOSED = "patch.proposed"
    PATCH_VERIFIED = "patch.verified"
    PATCH_REJECTED = "patch.rejected"
    MODEL_CLAIMED_DONE = "model.claimed_done"
    RISK_DETECTED = "risk.detected"
    TASK_COMPLETED = "task.completed"
    TASK_FAILED = "task.failed"
    TASK_KILLED = "task.killed"


# Who may cause each kind of event. Anything not listed here may come from any actor.
ACTOR_GUARDS: Mapping[EventKind, frozenset[Actor]] = {
    EventKind.TASK_CREATED: frozenset({Actor.KERNEL, Actor.USER, Actor.ADAPTER}),
    EventKind.APPROVAL_RESOLVED: frozenset({Actor.USER}),
    EventKind.USER_STEER: frozenset({Actor.USER}),
    EventKind.PATCH_VERIFIED: frozenset({Actor.VERIFIER}),
    EventKind.TASK_COMPLETED: frozenset({Actor.KERNEL}),
    EventKind.TASK_KILLED: frozenset({Actor.USER, Actor.KERNEL}),
}


class TaskStatus(enum.Enum):
    CREATED = "created"
    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_APPROVAL = "awaiting_approval"
    BLOCKED = "blocked"
    INTEGRATING = "integrating"
    COMPLETED = "completed"
    FAILED = "failed"
    KILLED = "killed"

    @property
    def terminal(self) -> bool:
        return self in (TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.KILLED)


class JobStatus(enum.Enum):
    QUEUED = "queued"
    LEASED = "leased"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    KILLED = "killed"
    EXPIRED = "expired"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.KILLED, JobStatus.EXPIRED)


class BlockReason(enum.Enum):
    BUDGET_EXHAUSTED = "budget_exhausted"
    POLICY_DENIED = "policy_denied"
    APPROVAL_DENIED = "approval_denied"
    APPROVAL_EXPIRED = "approval_expired"
    RISK_DETECTED = "risk_detected"


@dataclass(frozen=True, slots=True)
class Event:
    """One input to the reducer. ``ts_ms`` is the only clock the reducer ever sees."""

    kind: EventKind
    seq: int
    ts_ms: int
    actor: Actor
    task_id: TaskId | None = None
    job_id: JobId | None = None
    approval_id: ApprovalId | None = None
    tool_call_id: ToolCallId | None = None
    patch_id: PatchId | None = None
    reversibility: Reversibility | None = None
    verdict: Verdict | None = None
    approve: bool | None = None
    lease_owner: str | None = None
    budget_delta: Mapping[str, int] | None = None
    budget_limits: Mapping[str, int] | None = None
    note: str = field(default="", compare=False)


class ActionKind(enum.Enum):
    APPEND = "append"
    RUN_TOOL = "run_tool"
    REQUEST_APPROVAL = "request_approval"
    TASK_BLOCKED = "task_blocked"
    TASK_FINISHED = "task_finished"


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    task_id: TaskId | None = None
    job_id: JobId | None = None
    approval_id: ApprovalId | None = None
    tool_call_id: ToolCallId | None = None
