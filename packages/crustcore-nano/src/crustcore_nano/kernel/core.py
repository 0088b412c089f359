"""The embedded kernel: the reducer plus the key holder, broker, approvals, capabilities,
verifier and event journal, behind one object.

``Kernel.open(home)`` is what an orchestrator, a test or a notebook uses in-process; the kernel
daemon (``crustcore up``) runs the same object behind its socket. The facade reads the clock (an
injectable ``clock``) and turns calls into events; the reducer itself never does.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from crustcore_nano._seal import KEY_BYTES, MacKey, sha256_hex
from crustcore_nano.approvals import (
    MAX_TRACKED,
    ActionSpec,
    Actor,
    ApprovalEngine,
    Approved,
    AuthorizedUser,
    PendingApproval,
    Reversibility,
    canonical_json,
)
from crustcore_nano.budget import Budget, BudgetAxis
from crustcore_nano.capabilities import CapabilityMint
from crustcore_nano.errors import ApprovalError, KernelError, PatchError, UsageError
from crustcore_nano.eventlog import EventLog, LogConfig
from crustcore_nano.eventlog.record import (
    EncodedPayload,
    check_id,
    complete_head,
    dumps_compact,
    encode_after,
    payload_head,
)
from crustcore_nano.eventlog.writer import MAX_RECEIPT_TOOL_NAME
from crustcore_nano.ids import (
    ApprovalId,
    JobId,
    PatchId,
    TaskId,
    ToolCallId,
    new_job_id,
    new_task_id,
    new_tool_call_id,
    now_ms,
)
from crustcore_nano.kernel.events import (
    ActionKind,
    BlockReason,
    Event,
    EventKind,
    TaskStatus,
)
from crustcore_nano.kernel.reducer import Reducer, StepResult
from crustcore_nano.patches import Runner, UnverifiedPatch, VerifiedPatch, Verifier
from crustcore_nano.policy.config import UserPolicy, load_home_policy
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.session import CallFlow, SessionTable
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict
from crustcore_nano.secrets.broker import SecretBroker
from crustcore_nano.secrets.redactor import ModelVisibleText
from crustcore_nano.untrusted import Source, Untrusted

DEFAULT_HOME = "~/.crustcore"
MAX_LOGGED_ARGS = 16 * 1024
_MAX_HEADS = 256  # encoded record heads a kernel keeps (cleared when full)

_ACTOR_BY_ORIGIN = {
    Origin.MODEL: Actor.MODEL,
    Origin.MCP: Actor.MODEL,
    Origin.ACP: Actor.MODEL,
    Origin.HOOK: Actor.MODEL,
    Origin.API: Actor.ADAPTER,
}


# The record's actor and kind, keyed by the enum members' values: hashing a member runs Python
# code (`Enum.__hash__`), and `.value` is a Python-level property; `_value_` is the plain slot.
_ACTOR_NAME_BY_ORIGIN = {origin.value: actor.value for origin, actor in _ACTOR_BY_ORIGIN.items()}
_ADAPTER_NAME = Actor.ADAPTER.value
_DECISION_KIND = {verdict.value: f"decision.{verdict.value}" for verdict in Verdict}
_ASK = Verdict.ASK


def _short_json(value: object, limit: int = 200) -> str:
    text = canonical_json(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _session_id(session_id: str) -> str:
    """A session id as the log will take it, checked before the kernel keeps any state for it."""
    check_id("session_id", session_id)
    return session_id


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    if home is None:
        home = os.environ.get("CRUSTCORE_HOME") or DEFAULT_HOME
    return Path(home).expanduser().absolute()


def _load_or_create_key(path: Path, purpose: str) -> MacKey:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raw = path.read_bytes()
        if len(raw) != KEY_BYTES:
            raise KernelError(
                f"{path} is not a {KEY_BYTES}-byte key; it is damaged. Move it away to start "
                "with a new key (tokens minted with the old key will no longer verify)"
            ) from None
        return MacKey.from_bytes(raw, purpose)
    key = MacKey.generate(purpose)
    with os.fdopen(fd, "wb") as f:
        f.write(key.export_bytes())
        f.flush()
        os.fsync(f.fileno())
    return key


@dataclass(frozen=True, slots=True)
class TaskView:
    task_id: TaskId
    title: str
    status: TaskStatus
    block_reason: BlockReason | None
    block_axis: BudgetAxis | None
    awaiting: ApprovalId | None
    budget: Budget
    claimed_done: bool


@dataclass(frozen=True, slots=True)
class ToolRequest:
    """What happened to a tool request: run now, wait for approval, or denied."""

    tool_call_id: ToolCallId
    verdict: Verdict
    approval: PendingApproval[ActionSpec] | None
    note: str


class Kernel:
    """The embedded kernel. Open with :meth:`open`; close (or use as a context manager)."""

    def __init__(
        self, home: Path, *, key: MacKey, log: EventLog, clock: Callable[[], int] = now_ms
    ) -> None:
        self.home = home
        self._clock = clock
        self._lock = threading.RLock()
        self._reducer = Reducer()
        self._seq = 0
        self._log = log
        self.approvals = ApprovalEngine(key)
        self.broker = SecretBroker(self.approvals)
        self.capabilities = CapabilityMint(key)
        self.verifier = Verifier(key)
        self._titles: dict[TaskId, str] = {}
        self._pending: dict[ApprovalId, PendingApproval[ActionSpec]] = {}
        self._used_patches: set[PatchId] = set()
        self._last_seq = -1
        self._user_home = os.path.expanduser("~")
        self._env = dict(os.environ)
        self._policy: UserPolicy | None = None
        self._engines: dict[str, PolicyEngine] = {}
        self._sessions = SessionTable()
        self._asked_flows: dict[ApprovalId, tuple[str, CallFlow]] = {}
        # The encoded start of a decision record, up to its arguments, by what it holds: most
        # calls repeat the tool, rule, reason and workspace of an earlier one.
        self._heads: dict[tuple[str, str, str, str, str, str | None], str] = {}
        self._heads_generation = -1  # the broker's secrets the heads were scrubbed with
        self.decisions = 0

    @classmethod
    def open(
        cls,
        home: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], int] = now_ms,
        log_config: LogConfig | None = None,
    ) -> Kernel:
        root = resolve_home(home)
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = _load_or_create_key(root / "keys" / "kernel.key", "kernel")
        log = EventLog.open(root, config=log_config)
        return cls(root, key=key, log=log, clock=clock)

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and seal the log, wipe the secrets. Idempotent."""
        with self._lock:
            self.broker.close()
            self._log.close()

    @property
    def log_dir(self) -> Path:
        """Where the event log lives (``crustcore inspect`` takes this or the home)."""
        return self.home / "log"

    @property
    def log(self) -> EventLog:
        return self._log

    # --- the event path -------------------------------------------------------------------------
    def submit(
        self,
        kind: EventKind,
        *,
        actor: Actor,
        payload: Mapping[str, object] | None = None,
        **fields: Any,
    ) -> StepResult:
        """Turn a call into an event, apply it, and record it (redacted) in the log."""
        with self._lock:
            self._seq += 1
            ts = self._clock()
            event = Event(kind, self._seq, ts, actor, **fields)
            result = self._reducer.step(event)
            record: dict[str, object] = {
                k: (v.value if isinstance(v, enum.Enum) else v)
                for k, v in fields.items()
                if v is not None and k not in ("task_id", "job_id")
            }
            if payload:
                record.update(payload)
            name = kind.value
            if not result.accepted:
                # Refused attempts are on record under their own kind, so that a count of
                # (say) task.completed never includes a completion the kernel refused.
                record["refused"] = result.note
                name += ".refused"
            clean = cast("dict[str, object]", self.broker.redactor.scrub_json(record))
            self._last_seq = self._log.append(
                name,
                actor=actor.value,
                ts_ms=ts,
                payload=clean,
                task_id=event.task_id,
                job_id=event.job_id,
            ).seq
            return result

    # --- tasks -----------------------------------------------------------------------------------
    def create_task(
        self, title: str, *, budget: Mapping[str, int] | None = None, actor: Actor = Actor.ADAPTER
    ) -> TaskId:
        task_id = new_task_id()
        result = self.submit(
            EventKind.TASK_CREATED,
            actor=actor,
            task_id=task_id,
            budget_limits=budget,
            payload={"title": title},
        )
        if not result.accepted:
            raise KernelError(f"task not created: {result.note}")
        self._titles[task_id] = title
        return task_id

    def task(self, task_id: TaskId) -> TaskView:
        entry = self._reducer.task(task_id)
        if entry is None:
            raise KernelError(f"no task {task_id}")
        return TaskView(
            task_id,
            self._titles.get(task_id, ""),
            entry.status,
            entry.block_reason,
            entry.block_axis,
            entry.awaiting,
            entry.budget,
            entry.claimed_done,
        )

    def start_job(self, task_id: TaskId, *, owner: str) -> JobId:
        """Queue a job for the task and lease it to ``owner`` (the worker that will run it)."""
        job_id = new_job_id()
        for kind in (EventKind.JOB_QUEUED, EventKind.JOB_LEASED):
            result = self.submit(
                kind, actor=Actor.KERNEL, task_id=task_id, job_id=job_id, lease_owner=owner
            )
            if not result.accepted:
                raise KernelError(f"job not started: {result.note}")
        return job_id

    def charge(
        self,
        task_id: TaskId,
        delta: Mapping[str, int],
        *,
        actor: Actor = Actor.KERNEL,
        job_id: JobId | None = None,
        owner: str | None = None,
    ) -> TaskView:
        self.submit(
            EventKind.BUDGET_CHARGED,
            actor=actor,
            task_id=task_id,
            job_id=job_id,
            lease_owner=owner,
            budget_delta=delta,
        )
        return self.task(task_id)

    def steer(
        self,
        task_id: TaskId,
        *,
        by: AuthorizedUser,
        message: str = "",
        budget: Mapping[str, int] | None = None,
    ) -> TaskView:
        self.approvals._check_user(by)  # pyright: ignore[reportPrivateUsage]
        result = self.submit(
            EventKind.USER_STEER,
            actor=Actor.USER,
            task_id=task_id,
            budget_limits=budget,
            payload={"message": message},
        )
        if not result.accepted:
            raise KernelError(f"steer refused: {result.note}")
        return self.task(task_id)

    def claim_done(self, task_id: TaskId, *, actor: Actor = Actor.MODEL, claim: str = "") -> None:
        """Record a model's or worker's "done". Advisory only: it never completes a task."""
        self.submit(
            EventKind.MODEL_CLAIMED_DONE,
            actor=actor,
            task_id=task_id,
            payload={"claim": claim, "advisory": True},
        )

    def kill(self, task_id: TaskId, *, by: AuthorizedUser) -> None:
        self.approvals._check_user(by)  # pyright: ignore[reportPrivateUsage]
        self.submit(EventKind.TASK_KILLED, actor=Actor.USER, task_id=task_id)

    # --- tool calls and approvals ---------------------------------------------------------------
    def request_tool(
        self,
        task_id: TaskId,
        tool: str,
        args: Mapping[str, object],
        *,
        reversibility: Reversibility | str | None,
        verdict: Verdict = Verdict.ALLOW,
        actor: Actor = Actor.MODEL,
        job_id: JobId | None = None,
        owner: str | None = None,
    ) -> ToolRequest:
        call_id = new_tool_call_id()
        rev = Reversibility.of(reversibility)
        action = ActionSpec(
            kind="tool",
            summary=self.broker.scrub(f"{tool} {dict(args)}"),
            params={"tool": tool, "args": dict(args), "task": task_id},
            reversibility=rev,
        )
        result = self.submit(
            EventKind.TOOL_REQUESTED,
            actor=actor,
            task_id=task_id,
            job_id=job_id,
            lease_owner=owner,
            tool_call_id=call_id,
            reversibility=rev,
            verdict=verdict,
            payload={"tool": tool, "args": dict(args), "digest": action.approval_digest()},
        )
        for act in result.actions:
            if act.kind is ActionKind.REQUEST_APPROVAL and act.approval_id is not None:
                pending = self.approvals.request(
                    action,
                    requested_by=actor,
                    now_ms=self._clock(),
                    reversibility=rev,
                    approval_id=act.approval_id,
                )
                self._remember(pending)
                return ToolRequest(call_id, Verdict.ASK, pending, result.note)
            if act.kind is ActionKind.RUN_TOOL:
                return ToolRequest(call_id, Verdict.ALLOW, None, result.note)
        return ToolRequest(call_id, Verdict.DENY, None, result.note or "denied by policy")

    def complete_tool(
        self,
        task_id: TaskId,
        tool_call_id: ToolCallId,
        tool: str,
        args: Mapping[str, object],
        result: str | Untrusted[str],
        *,
        job_id: JobId,
        owner: str,
        session_id: str | None = None,
    ) -> ModelVisibleText:
        """Record a tool's result and return what the model may see, with its receipt logged.

        The result is redacted (and framed as untrusted data by ``ModelVisibleText.framed``);
        the ``tool.completed`` record holds exactly the text shown, and a receipt MAC'd with the
        log's receipt key binds task, job, call, tool, the arguments' digest and that text.
        With `session_id`, the text shown is also scanned for the session flow rule: a
        credential in it makes the session sensitive, as `observe` does.
        """
        # Checked before anything is recorded: the receipt written after the completion would
        # refuse these, leaving a completion in the log without its receipt.
        for field, value in (
            ("task_id", task_id),
            ("job_id", job_id),
            ("tool_call_id", tool_call_id),
        ):
            check_id(field, value)
        session = None if session_id is None else self._sessions.get(_session_id(session_id))
        if not 0 < len(tool) <= MAX_RECEIPT_TOOL_NAME:
            raise UsageError(f"tool name must be 1-{MAX_RECEIPT_TOOL_NAME} characters")
        if not isinstance(result, Untrusted):
            result = Untrusted(result, Source.TOOL, tool)
        with self._lock:
            shown = self.broker.redact(result)
            clean_args = self.broker.redactor.scrub_json(dict(args))
            step = self.submit(
                EventKind.TOOL_COMPLETED,
                actor=Actor.WORKER,
                task_id=task_id,
                job_id=job_id,
                lease_owner=owner,
                tool_call_id=tool_call_id,
                payload={"tool": tool, "result": shown.text, "origin": shown.origin},
            )
            if not step.accepted:
                raise KernelError(f"tool result not accepted: {step.note}")
            self._log.append_receipt(
                ts_ms=self._clock(),
                task_id=task_id,
                job_id=job_id,
                tool_call_id=tool_call_id,
                tool_name=tool,
                args=clean_args,
                shown_result=shown.text,
                completion_seq=self._last_seq,
            )
        if session is not None:
            # What the model sees is what enters its context: a broker secret it never sees
            # does not count, a credential the broker does not know does.
            session.observe(CallFlow(), result=shown.text)
        return shown

    def _remember(self, pending: PendingApproval[ActionSpec]) -> None:
        if len(self._pending) >= 2 * MAX_TRACKED:  # forget what the engine has forgotten
            known = self.approvals.known
            self._pending = {i: p for i, p in self._pending.items() if known(i)}
        self._pending[pending.approval_id] = pending
        if len(self._asked_flows) >= 2 * MAX_TRACKED:
            self._asked_flows = {i: f for i, f in self._asked_flows.items() if i in self._pending}

    def approve(
        self, approval_id: ApprovalId, *, by: AuthorizedUser, digest: str
    ) -> Approved[ActionSpec]:
        """The user approves the action whose digest they were shown."""
        pending = self._pending.get(approval_id)
        if pending is None:
            raise ApprovalError(f"no tool approval with id {approval_id}")
        try:
            approved = self.approvals.approve(pending, by=by, digest=digest, now_ms=self._clock())
        except ApprovalError as exc:
            self._record_refusal(approval_id, by, exc)
            raise
        self._record_resolution(approval_id, True)
        asked = self._asked_flows.pop(approval_id, None)
        if asked is not None:  # the approved call runs: the session now holds what it reads
            self._sessions.get(asked[0]).observe(asked[1])
        return approved

    def deny(self, approval_id: ApprovalId, *, by: AuthorizedUser, digest: str) -> None:
        try:
            self.approvals.deny(approval_id, by=by, digest=digest, now_ms=self._clock())
        except ApprovalError as exc:
            self._record_refusal(approval_id, by, exc)
            raise
        self._record_resolution(approval_id, False)

    def _record_refusal(self, approval_id: ApprovalId, by: object, exc: Exception) -> None:
        """Log a refused resolution with the actor that tried it (the reducer refuses it too)."""
        entry = self._reducer.state.approvals.get(approval_id)
        actor = by if isinstance(by, Actor) else Actor.USER
        if type(by) is not AuthorizedUser and not isinstance(by, Actor):
            actor = Actor.ADAPTER
        self.submit(
            EventKind.APPROVAL_RESOLVED,
            actor=actor,
            task_id=entry.task_id if entry else None,
            approval_id=approval_id,
            payload={"refused_by_engine": str(exc)},
        )

    def _record_resolution(self, approval_id: ApprovalId, approve: bool) -> None:
        entry = self._reducer.state.approvals.get(approval_id)
        if entry is None:  # an approval opened by check(): not bound to a task's state machine
            with self._lock:
                self._log.append(
                    EventKind.APPROVAL_RESOLVED.value,
                    actor=Actor.USER.value,
                    ts_ms=self._clock(),
                    payload={"approval_id": approval_id, "approve": approve},
                )
            return
        self.submit(
            EventKind.APPROVAL_RESOLVED,
            actor=Actor.USER,
            task_id=entry.task_id,
            approval_id=approval_id,
            tool_call_id=entry.tool_call_id,
            approve=approve,
        )

    def local_user(self) -> AuthorizedUser:
        """The local user, for the trusted CLI. (In-process callers can reach this too; the hard
        boundary is the kernel daemon, where only the CLI's approval channel can.)"""
        import getpass

        return self.approvals.authorize_user(getpass.getuser())

    # --- the evaluation pipeline -----------------------------------------------------------------
    def _engine(self, workspace: str) -> PolicyEngine:
        engine = self._engines.get(workspace)
        if engine is None:
            if self._policy is None:
                self._policy = load_home_policy(self.home, home=self._user_home)
            engine = PolicyEngine(
                self._policy,
                crustcore_home=str(self.home),
                workspace=workspace,
                home=self._user_home,
                env=self._env,
            )
            if len(self._engines) >= 64:
                self._engines.pop(next(iter(self._engines)))
            self._engines[workspace] = engine
        return engine

    def check(
        self,
        call: ToolCall,
        *,
        session_id: str | None = None,
        workspace: str | None = None,
        task_id: TaskId | None = None,
    ) -> Decision:
        """Decide one tool call with the policy engine and record the decision.

        ``ask`` decisions open an approval bound to the exact call (``decision.approval_id``);
        the edge waits for the user's answer. The record holds the redacted call, the rule and
        the reason; a call whose arguments are over 16 KiB is recorded by digest.
        """
        # A workspace the kernel has an engine for is already absolute and normal.
        # (One look-up: the engine found here is the one `_engine` would return.)
        engine = None if workspace is None else self._engines.get(workspace)
        if engine is not None and workspace is not None:
            ws = workspace
        else:
            ws = os.path.abspath(workspace or os.getcwd())
        session = None
        if session_id is not None:
            session = self._sessions.get(_session_id(session_id))
        if engine is None:
            engine = self._engine(ws)
        flow: CallFlow | None = None
        if session is None:
            decision = engine.evaluate(call)
        else:
            evaluation = engine.evaluate_detailed(call, session=session)
            decision, flow = evaluation.decision, evaluation.flow
            if decision.verdict is Verdict.ALLOW:
                # Recorded now: the kernel cannot see whether the edge ran the call, and an
                # edge that never reports back must not leave the flow rule without memory.
                session.observe(flow, decision=decision)
        with self._lock:
            now = self._clock()
            redactor = self.broker.redactor
            # The arguments are encoded once, for the record. When no secret form occurs in
            # that text, none occurs in any of their strings (`absent_from_json`), and the
            # walk that copies them with every secret replaced is not needed.
            encoded: str | None = None
            plain = type(call.args) is dict  # (any other mapping is copied first)
            if decision.verdict is not _ASK and plain:
                encoded = dumps_compact(call.args)
                if not redactor.absent_from_json(encoded):
                    encoded = None
            args: dict[str, object] = {}
            if encoded is None:
                args = cast("dict[str, object]", redactor.scrub_json(call.args))
            if decision.verdict is _ASK:
                action = ActionSpec(
                    kind="tool",
                    summary=self.broker.scrub(f"{call.tool} {_short_json(args)}"),
                    params={"tool": call.tool, "args": args, "workspace": ws},
                )
                pending = self.approvals.request(
                    action,
                    requested_by=_ACTOR_BY_ORIGIN.get(call.origin, Actor.ADAPTER),
                    now_ms=now,
                )
                self._remember(pending)
                if session_id is not None and flow is not None:  # observed if approved
                    self._asked_flows[pending.approval_id] = (session_id, flow)
                decision = replace(decision, approval_id=pending.approval_id)
            origin = call.origin._value_
            # The record's fields before the arguments are encoded once per distinct set, with
            # the reason scrubbed, for as long as the broker's secrets stay the same (an
            # approval id is unique, so a call that asked is encoded whole).
            if self._heads_generation != redactor.generation:
                self._heads.clear()
                self._heads_generation = redactor.generation
            key = (call.tool, origin, decision.rule, decision.reason, ws, call.mcp_server)
            head = None if decision.approval_id is not None else self._heads.get(key)
            if head is None:
                reason = self.broker.scrub(decision.reason)
                head = payload_head(self._payload(call, decision, reason, ws), "args")
                if decision.approval_id is None:
                    if len(self._heads) >= _MAX_HEADS:
                        self._heads.clear()
                    self._heads[key] = head
            # Their escaped (ASCII) form is never shorter than the canonical one the limit is
            # about, so only a long one needs that form to decide (and then it is hashed or
            # logged as before).
            record: dict[str, object] | EncodedPayload
            if encoded is not None:
                record, escaped_len = complete_head(head, encoded)
            else:
                record, escaped_len = encode_after(head, args)
            if escaped_len > MAX_LOGGED_ARGS:
                if encoded is not None:  # no secret in them: the arguments as given
                    args = cast("dict[str, object]", call.args)
                encoded = canonical_json(args)
                if len(encoded) > MAX_LOGGED_ARGS:
                    reason = self.broker.scrub(decision.reason)
                    payload = self._payload(call, decision, reason, ws)
                    payload["args_sha256"] = sha256_hex(encoded)
                    payload["args_bytes"] = len(encoded)
                    record = payload
            self._log.append(
                _DECISION_KIND[decision.verdict._value_],
                actor=_ACTOR_NAME_BY_ORIGIN.get(origin, _ADAPTER_NAME),
                ts_ms=now,
                payload=record,
                task_id=task_id or call.task,
                session_id=session_id,
            )
            self.decisions += 1
        return decision

    @staticmethod
    def _payload(call: ToolCall, decision: Decision, reason: str, ws: str) -> dict[str, object]:
        """A decision record's fields before the arguments (``reason`` already scrubbed)."""
        payload: dict[str, object] = {
            "tool": call.tool,
            "origin": call.origin._value_,
            "rule": decision.rule,
            "reason": reason,
            "workspace": ws,
        }
        if call.mcp_server is not None:
            payload["mcp_server"] = call.mcp_server
        if decision.approval_id is not None:
            payload["approval_id"] = decision.approval_id
        return payload

    def observe(
        self,
        session_id: str,
        call: ToolCall,
        decision: Decision | None,
        result: str | None = None,
        *,
        workspace: str | None = None,
    ) -> None:
        """Tell the session flow rule what a call that ran returned: a credential in `result`
        makes the session sensitive. (What the call itself reads and sends was recorded by
        `check`; recording it again changes nothing.) `workspace` is the one given to `check`:
        whether a read is outside the workspace depends on it."""
        session = self._sessions.get(_session_id(session_id))
        engine = self._engine(os.path.abspath(workspace or os.getcwd()))
        session.observe(engine.flow(call), decision=decision, result=result)

    # --- redaction --------------------------------------------------------------------------------
    def redact(self, text: str | Untrusted[str]) -> ModelVisibleText:
        return self.broker.redact(text)

    # --- patches ----------------------------------------------------------------------------------
    def verify_patch(
        self, patch: UnverifiedPatch, *, command: list[str], runner: Runner | None = None
    ) -> VerifiedPatch:
        if runner is None:
            runner = find_runner()
        if patch.claimed_done:
            self.claim_done(patch.task_id, actor=Actor.WORKER, claim=patch.claim)
        try:
            vp = self.verifier.verify(patch, command=command, runner=runner, now_ms=self._clock())
        except PatchError as exc:
            self.submit(
                EventKind.PATCH_REJECTED,
                actor=Actor.VERIFIER,
                task_id=patch.task_id,
                payload={"reason": str(exc)},
            )
            raise
        result = self.submit(
            EventKind.PATCH_VERIFIED,
            actor=Actor.VERIFIER,
            task_id=patch.task_id,
            patch_id=vp.patch_id,
            payload=vp.evidence(),
        )
        if not result.accepted:
            raise KernelError(f"verified patch not recorded: {result.note}")
        return vp

    def complete_task(self, task_id: TaskId, patch: VerifiedPatch) -> None:
        """Complete a task: only a genuine, unedited, unused ``VerifiedPatch`` for it does."""
        with self._lock:
            try:
                vp = self.verifier.check(patch)
                if vp.task_id != task_id:
                    raise PatchError(
                        f"refused: the patch was verified for task {vp.task_id}, not {task_id}"
                    )
                if vp.patch_id in self._used_patches:
                    raise PatchError(f"refused: patch {vp.patch_id} was already used")
            except PatchError as exc:
                # Record the attempt; the reducer refuses a completion that is not the kernel's.
                self.submit(
                    EventKind.TASK_COMPLETED,
                    actor=Actor.ADAPTER,
                    task_id=task_id,
                    payload={"refused_patch": type(patch).__name__, "reason": str(exc)},
                )
                raise
            result = self.submit(
                EventKind.TASK_COMPLETED,
                actor=Actor.KERNEL,
                task_id=task_id,
                patch_id=vp.patch_id,
                payload={"diff_sha256": vp.diff_sha256},
            )
            if not result.accepted:
                raise PatchError(f"refused: {result.note}")
            self._used_patches.add(vp.patch_id)


def find_runner() -> Runner | None:
    """The sandbox runner registered under the ``crustcore.runners`` entry point, if any."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="crustcore.runners"):
        try:
            factory = ep.load()
            runner: Runner = factory()
        except Exception as exc:  # a broken plug-in must not look like "no sandbox needed"
            raise PatchError(f"sandbox runner '{ep.name}' failed to load: {exc}") from None
        return runner
    return None
