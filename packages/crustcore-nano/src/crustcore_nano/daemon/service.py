"""The kernel's operations as the socket offers them: JSON arguments in, JSON results out.

Transport-free: the server (or a test) calls :meth:`KernelService.call` with an authenticated role,
an op name and its arguments, and gets a JSON value back or a :class:`ServiceError` with the wire
error code. Role checks happen here, once, so no transport can forget them. Every kernel call is
synchronous; the kernel serializes its own state behind its lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import cast

from crustcore_nano.approvals import (
    ActionSpec,
    Actor,
    Approvable,
    ApprovalState,
    AuthorizedUser,
    PendingApproval,
    Reversibility,
)
from crustcore_nano.errors import CrustCoreError, KernelError, UsageError
from crustcore_nano.ids import ApprovalId, JobId, TaskId, ToolCallId, new_tool_call_id, now_ms
from crustcore_nano.kernel.core import Kernel
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict
from crustcore_nano.secrets.broker import SecretUse
from crustcore_nano.secrets.material import SecretAvailability, SecretHandle
from crustcore_nano.untrusted import Source, Untrusted

from .api import int_map, need_obj, need_str, opt_str, task_view_to_json
from .grants import SecretGrant, make_grant
from .protocol import PROTOCOL_VERSION, SERVER_NAME, ErrorCode
from .roles import ALL_OPS, ROLE_OPS, Role

# Kinds an edge may not write with ``record``: the kernel's own vocabulary.
RESERVED_KIND_ROOTS = frozenset(
    {
        "approval", "budget", "daemon", "decision", "job", "log", "model", "patch",
        "receipt", "risk", "secret", "task", "tool", "user", "verify",
    }
)  # fmt: skip
MAX_WAIT_S = 3600.0
DEFAULT_WAIT_S = 300.0
# Pending approvals one role may hold open, through ``approval.request`` and ``check`` together:
# a flood from one program must not bury another's request, nor grow the kernel without bound.
MAX_PENDING_PER_ROLE = 64
# An approval is shown to the user in full; an action larger than this cannot be reviewed.
MAX_APPROVAL_ARGS_BYTES = 16 * 1024
# ``approvals.list`` answers in pages that fit well inside one frame.
LIST_PAGE_BYTES = 256 * 1024
# Bounds on what one request can make the kernel keep or write. A frame may hold 1 MiB, and
# without these a same-user client could make the kernel keep most of it per request (a session
# id, an engine per workspace, a task title, a job owner) or append it to the log.
MAX_ID_CHARS = 128  # session and task ids, as the event log accepts them
MAX_WORKSPACE_BYTES = 4096  # PATH_MAX on Linux
MAX_TITLE_CHARS = 4096
MAX_OWNER_CHARS = 256
MAX_RECORD_PAYLOAD_BYTES = 64 * 1024
# Tasks one role may hold open (not completed, failed or killed) in one launch of the kernel.
MAX_OPEN_TASKS_PER_ROLE = 10_000
_PRUNE_EVERY_MS = 1000
# Rules named in a ``check`` answer when the daemon opened no approval for an ``ask``.
RULE_APPROVAL_LIMIT = "daemon:approval-limit"
RULE_APPROVAL_TOO_LARGE = "daemon:approval-too-large"
_ID_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ID_CHARS = _ID_FIRST | frozenset("._:@/+=-")
_ORIGINS: dict[str, Origin] = {origin.value: origin for origin in Origin}


class ServiceError(CrustCoreError):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _bool(args: Mapping[str, object], key: str) -> bool:
    value = args.get(key)
    if not isinstance(value, bool):
        raise UsageError(f"'{key}' must be true or false")
    return value


def _json_text(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _action_bytes(tool: str, tool_args: Mapping[str, object]) -> int:
    """The size of an action as the user would read it: its tool name and JSON arguments."""
    return len(_json_text(tool_args).encode("utf-8")) + len(tool.encode("utf-8"))


def is_event_id(text: str) -> bool:
    """True when ``text`` is an id the event log accepts (1-128 characters of letters, digits
    and ``._:@/+=-``, starting with a letter or digit). Checked before the kernel keeps one."""
    return 0 < len(text) <= MAX_ID_CHARS and text[0] in _ID_FIRST and _ID_CHARS.issuperset(text)


def _opt_id(args: Mapping[str, object], key: str) -> str | None:
    value = opt_str(args, key)
    if value is not None and not is_event_id(value):
        raise UsageError(
            f"'{key}' must be 1-{MAX_ID_CHARS} characters of letters, digits and ._:@/+=- "
            "starting with a letter or digit"
        )
    return value


def _need_id(args: Mapping[str, object], key: str) -> str:
    value = _opt_id(args, key)
    if value is None:
        raise UsageError(f"'{key}' must be a non-empty string")
    return value


def _bounded_str(args: Mapping[str, object], key: str, limit: int) -> str:
    value = need_str(args, key)
    if len(value) > limit:
        raise UsageError(f"'{key}' is {len(value)} characters; at most {limit} are kept")
    return value


class KernelService:
    """One kernel behind the socket: per-op argument checks, role checks, error mapping."""

    def __init__(
        self,
        kernel: Kernel,
        *,
        grants: Mapping[str, SecretGrant] | None = None,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.kernel = kernel
        self.grants: dict[str, SecretGrant] = dict(grants or {})
        self._clock = clock
        self._user: AuthorizedUser | None = None
        self._edge_pending: dict[ApprovalId, PendingApproval[ActionSpec]] = {}
        # Which role asked for each approval still open through ``approval.request``.
        self._requested_role: dict[ApprovalId, Role] = {}
        # Tasks each role created in this launch, pruned of finished ones when the cap is near.
        self._tasks_by: dict[Role, list[TaskId]] = {}
        self._tasks_pruned_at: dict[Role, int] = {}
        self._started = time.monotonic()
        self.requests = 0
        self.connections = 0
        # Once any secret was known, every answer to a role other than net is scrubbed too (the
        # redactor keeps removed values): a reason or an echo must not carry a secret back.
        self._scrub = bool(kernel.broker.handles())
        self.stop_requested = False
        self.on_resolved: Callable[[ApprovalId], None] | None = None
        self._ops: dict[str, Callable[[Role, dict[str, object]], object]] = {
            "status": self._status,
            "check": self._check,
            "record": self._record,
            "redact": self._redact,
            "secret.inject": self._secret_inject,
            "approval.request": self._approval_request,
            "task.create": self._task_create,
            "task.get": self._task_get,
            "task.charge": self._task_charge,
            "task.claim_done": self._task_claim_done,
            "task.start_job": self._task_start_job,
            "session.observe": self._session_observe,
            "tool.complete": self._tool_complete,
            "receipt.mint": self._tool_complete,
            "approvals.list": self._approvals_list,
            "approval.resolve": self._approval_resolve,
            "secrets.list": self._secrets_list,
            "secrets.add": self._secrets_add,
            "secrets.rm": self._secrets_rm,
            "shutdown": self._shutdown,
        }

    # --- dispatch -------------------------------------------------------------------------------
    def authorize(self, role: Role, op: str) -> None:
        if op not in ALL_OPS:
            raise ServiceError(ErrorCode.UNKNOWN_OP, f"unknown op {op!r}")
        if op not in ROLE_OPS[role]:
            raise ServiceError(ErrorCode.FORBIDDEN, f"the {role.value} role may not call {op!r}")

    def call(self, role: Role, op: str, args: dict[str, object]) -> object:
        """Run one op for ``role``. Raises ServiceError with the wire code on any failure."""
        if op not in ROLE_OPS[role]:  # every role's ops are known ops: authorize says which
            self.authorize(role, op)
        handler = self._ops.get(op)
        if handler is None:  # hello and approval.wait are handled by the connection
            raise ServiceError(ErrorCode.BAD_REQUEST, f"{op!r} is not valid here")
        self.requests += 1
        try:
            result = handler(role, args)
            if self._scrub and op != "secret.inject":
                result = self.kernel.broker.redactor.scrub_json(result)
            return result
        except ServiceError as exc:
            if self._scrub:
                exc.message = self.kernel.broker.scrub(exc.message)
            raise
        except UsageError as exc:
            raise ServiceError(ErrorCode.BAD_REQUEST, self.scrub(str(exc))) from None
        except KernelError as exc:
            text = self.scrub(str(exc))
            code = ErrorCode.NOT_FOUND if text.startswith("no ") else ErrorCode.REFUSED
            raise ServiceError(code, text) from None
        except CrustCoreError as exc:
            raise ServiceError(ErrorCode.REFUSED, self.scrub(str(exc))) from None
        except (ValueError, TypeError) as exc:
            raise ServiceError(ErrorCode.BAD_REQUEST, self.scrub(str(exc)[:300])) from None

    def scrub(self, text: str) -> str:
        """``text`` without any secret value the kernel knows (cheap when it knows none)."""
        return self.kernel.broker.scrub(text) if self._scrub else text

    def hello_result(self, role: Role) -> dict[str, object]:
        return {
            "server": SERVER_NAME,
            "v": PROTOCOL_VERSION,
            "role": role.value,
            "ops": sorted(ROLE_OPS[role]),
        }

    def user(self) -> AuthorizedUser:
        """The local user; the admin token proved the caller is the user's own CLI."""
        if self._user is None:
            self._user = self.kernel.local_user()
        return self._user

    def refusal(self, kind: str, payload: dict[str, object]) -> None:
        """Log a refused peer or request (never a token or a secret)."""
        clean = cast("dict[str, object]", self.kernel.broker.redactor.scrub_json(payload))
        # A log that cannot take the record must not keep the refusal from happening.
        with contextlib.suppress(CrustCoreError):
            self.kernel.log.append(kind, actor="kernel", ts_ms=self._clock(), payload=clean)

    # --- ops --------------------------------------------------------------------------------------
    def _status(self, role: Role, args: dict[str, object]) -> object:
        log = self.kernel.log
        return {
            "server": SERVER_NAME,
            "pid": os.getpid(),
            "home": str(self.kernel.home),
            "uptime_s": round(time.monotonic() - self._started, 3),
            "connections": self.connections,
            "requests": self.requests,
            "decisions": self.kernel.decisions,
            "pending_approvals": len(self.kernel.approvals.pending(now_ms=self._clock())),
            "secrets": len(self.kernel.broker.handles()),
            "log": {"next_seq": log.next_seq, "durable_seq": log.durable_seq},
        }

    def _call_args(self, args: dict[str, object]) -> tuple[ToolCall, str | None]:
        """The tool call of a `check` or `session.observe` request, and its workspace."""
        origin_text = opt_str(args, "origin") or Origin.API.value
        origin = _ORIGINS.get(origin_text)  # ``Origin(text)`` without the enum machinery
        if origin is None:
            raise UsageError(f"unknown origin {origin_text!r:.40}")
        workspace = opt_str(args, "workspace")
        if workspace is not None:
            # ``os.path.isabs`` on POSIX, the only platform the daemon runs on.
            if not workspace.startswith("/"):
                raise UsageError("'workspace' must be an absolute path")
            # No character takes more than 4 bytes, so only a long path needs encoding.
            if (
                len(workspace) > MAX_WORKSPACE_BYTES // 4
                and len(workspace.encode("utf-8", errors="surrogatepass")) > MAX_WORKSPACE_BYTES
            ):
                raise UsageError(f"'workspace' is longer than {MAX_WORKSPACE_BYTES} bytes")
        # Checked here because the kernel keeps a session before its log can refuse the id.
        session_id = _opt_id(args, "session_id")
        task_id = _opt_id(args, "task_id")
        tool = need_str(args, "tool")
        tool_args = need_obj(args, "args", default_empty=True)
        call = ToolCall(tool, tool_args, origin, session_id, task_id, opt_str(args, "mcp_server"))
        return call, workspace

    def _check(self, role: Role, args: dict[str, object]) -> object:
        call, workspace = self._call_args(args)
        task_id = call.task
        decision = self.kernel.check(
            call,
            session_id=call.session,
            workspace=workspace,
            task_id=TaskId(task_id) if task_id else None,
        )
        if decision.approval_id is not None:
            # ``call.args`` is a read-only Mapping to the kernel: copied only when it is kept.
            decision = self._bound_check_approval(role, decision, call.tool, dict(call.args))
        return decision.to_json()

    def _bound_check_approval(
        self, role: Role, decision: Decision, tool: str, tool_args: dict[str, object]
    ) -> Decision:
        """Keep an ``ask`` from ``check`` within the limits ``approval.request`` has: at most
        ``MAX_PENDING_PER_ROLE`` pending per role (the two ops share the count) and actions
        small enough to read. Past either, the approval the kernel opened is withdrawn before
        anyone sees it and the answer becomes ``deny``: never ``allow``, and never an ``ask``
        without an approval that an edge could not wait on."""
        aid = ApprovalId(cast("str", decision.approval_id))
        size = _action_bytes(tool, tool_args)
        over = self._over_approval_limit(role, size)
        if over is None:
            self._requested_role[aid] = role
            return decision
        rule, why = over
        self.kernel.approvals.withdraw(aid)
        self.refusal(
            "daemon.approval_withheld",
            {
                "approval_id": aid,
                "role": role.value,
                "tool": tool,
                "rule": rule,
                "asked_by": decision.rule,
                "bytes": size,
            },
        )
        reason = (
            f"denied without asking the user, because {why}. Rule {decision.rule} wanted the "
            f"user's approval: {decision.reason}"
        )
        return Decision(Verdict.DENY, rule, reason)

    def _record(self, role: Role, args: dict[str, object]) -> object:
        kind = need_str(args, "kind")
        if kind.split(".", 1)[0] in RESERVED_KIND_ROOTS:
            raise ServiceError(
                ErrorCode.FORBIDDEN,
                f"event kind {kind!r:.60} is the kernel's own; edges record under their own name "
                "(for example 'net.request' or 'hook.pre_tool')",
            )
        payload = need_obj(args, "payload", default_empty=True)
        size = len(_json_text(payload).encode("utf-8"))
        if size > MAX_RECORD_PAYLOAD_BYTES:
            raise ServiceError(
                ErrorCode.REFUSED,
                f"the payload is {size} bytes; a record holds at most {MAX_RECORD_PAYLOAD_BYTES} "
                "(record a digest or a summary of larger data)",
            )
        clean = cast("dict[str, object]", self.kernel.broker.redactor.scrub_json(payload))
        result = self.kernel.log.append(
            kind,
            actor=role.value,
            ts_ms=self._clock(),
            payload=clean,
            task_id=_opt_id(args, "task_id"),
            session_id=_opt_id(args, "session_id"),
        )
        return {"seq": result.seq}

    def _redact(self, role: Role, args: dict[str, object]) -> object:
        text = args.get("text")
        if not isinstance(text, str):
            raise UsageError("'text' must be a string")
        origin = opt_str(args, "origin")
        shown = self.kernel.redact(Untrusted(text, Source.TOOL, origin) if origin else text)
        return {"text": shown.text, "origin": shown.origin, "redactions": shown.redactions}

    def _secret_inject(self, role: Role, args: dict[str, object]) -> object:
        handle = SecretHandle.parse(need_str(args, "handle"))
        host = need_str(args, "host").lower().rstrip(".")
        header = opt_str(args, "header") or "Authorization"
        grant = self.grants.get(handle.label)
        facts: dict[str, object] = {"handle": handle.uri, "host": host, "header": header}
        if grant is None or not grant.allows(host, header):
            self.refusal("secret.inject_refused", facts)
            raise ServiceError(
                ErrorCode.FORBIDDEN,
                f"{handle.uri} may not be sent to {host} in header {header}; allow it with "
                f"[secrets.{handle.label}] hosts/header in crustcore.toml",
            )
        broker = self.kernel.broker
        if broker.availability(handle) is not SecretAvailability.AVAILABLE:
            self.refusal("secret.inject_refused", {**facts, "why": "not available"})
            raise ServiceError(ErrorCode.NOT_FOUND, f"secret {handle.uri} is not available")
        use = SecretUse(handle, host, header)
        approvals = self.kernel.approvals
        now = self._clock()
        # The configured allowlist is the user's standing consent for exactly this use.
        pending = approvals.request(use, requested_by=Actor.ADAPTER, now_ms=now)
        approved = approvals.approve(pending, by=self.user(), digest=pending.digest, now_ms=now)
        view = broker.view(approved, use, now_ms=now)
        value = view.expose(now_ms=now).decode("utf-8", errors="strict")
        self.kernel.log.append("secret.injected", actor=role.value, ts_ms=now, payload=facts)
        return {"value": value}

    def _open_by(self, role: Role) -> int:
        """How many approvals ``role`` asked for that are still pending (forgetting the rest)."""
        approvals = self.kernel.approvals
        now = self._clock()
        count = 0
        for aid, who in list(self._requested_role.items()):
            # An approval the engine has forgotten is finished; asking for its state would fail.
            if (
                not approvals.known(aid)
                or approvals.state(aid) is not ApprovalState.PENDING
                or now > approvals.get(aid).expires_at_ms
            ):
                del self._requested_role[aid]
                self._edge_pending.pop(aid, None)
            elif who is role:
                count += 1
        return count

    def _over_approval_limit(self, role: Role, size: int) -> tuple[str, str] | None:
        """The rule and the reason when a new approval of `size` bytes from `role` would pass
        a bound (the same for ``approval.request`` and ``check``), else None."""
        if size > MAX_APPROVAL_ARGS_BYTES:
            return RULE_APPROVAL_TOO_LARGE, (
                f"the action is {size} bytes, too large for the user to read in full (at most "
                f"{MAX_APPROVAL_ARGS_BYTES})"
            )
        if self._open_by(role) >= MAX_PENDING_PER_ROLE:
            return RULE_APPROVAL_LIMIT, (
                f"the {role.value} role already has {MAX_PENDING_PER_ROLE} approvals pending; "
                "the user must resolve some (crustcore approvals) or let them expire before it "
                "can ask again"
            )
        return None

    def _approval_request(self, role: Role, args: dict[str, object]) -> object:
        tool = need_str(args, "tool")
        tool_args = need_obj(args, "args", default_empty=True)
        over = self._over_approval_limit(role, _action_bytes(tool, tool_args))
        if over is not None:
            raise ServiceError(ErrorCode.REFUSED, over[1])
        rev_text = opt_str(args, "reversibility")
        reversibility = Reversibility.of(rev_text)
        task_id = _opt_id(args, "task_id")
        result = self._open_approval(role, tool, tool_args, reversibility, task_id)
        aid = result.get("approval_id")
        if isinstance(aid, str):
            self._requested_role[ApprovalId(aid)] = role
        return result

    def _open_approval(
        self,
        role: Role,
        tool: str,
        tool_args: dict[str, object],
        reversibility: Reversibility,
        task_id: str | None,
    ) -> dict[str, object]:
        if task_id is not None:
            req = self.kernel.request_tool(
                TaskId(task_id),
                tool,
                tool_args,
                reversibility=reversibility,
                verdict=Verdict.ASK,
                actor=Actor.ADAPTER,
            )
            if req.approval is None:
                raise ServiceError(ErrorCode.REFUSED, req.note or "no approval was opened")
            return {**req.approval.to_json(), "tool_call_id": req.tool_call_id}
        redactor = self.kernel.broker.redactor
        clean = cast("dict[str, object]", redactor.scrub_json(tool_args))
        text = _json_text(clean)
        action = ActionSpec(
            kind="tool",
            summary=self.kernel.broker.scrub(f"{tool} {text[:200]}"),
            params={"tool": tool, "args": clean},
            reversibility=reversibility,
        )
        now = self._clock()
        pending = self.kernel.approvals.request(
            action, requested_by=Actor.ADAPTER, now_ms=now, reversibility=reversibility
        )
        self._edge_pending[pending.approval_id] = pending
        self.kernel.log.append(
            "daemon.approval_requested",
            actor=role.value,
            ts_ms=now,
            payload={"approval_id": pending.approval_id, "digest": pending.digest, "tool": tool},
        )
        return pending.to_json()

    def approval_state(self, approval_id: str) -> str:
        """pending, approved, denied, expired or used (expiry judged against the clock)."""
        aid = ApprovalId(approval_id)
        approvals = self.kernel.approvals
        try:
            state = approvals.state(aid)
            pending = approvals.get(aid)
        except CrustCoreError:
            raise ServiceError(ErrorCode.NOT_FOUND, f"no approval with id {approval_id}") from None
        if state is ApprovalState.PENDING and self._clock() > pending.expires_at_ms:
            return ApprovalState.EXPIRED.value
        return state.value

    def wait_args(self, args: dict[str, object]) -> tuple[str, float]:
        approval_id = need_str(args, "approval_id")
        timeout = args.get("timeout_s", DEFAULT_WAIT_S)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ServiceError(ErrorCode.BAD_REQUEST, "'timeout_s' must be a non-negative number")
        self.approval_state(approval_id)  # not_found now rather than after the wait
        return approval_id, min(float(timeout), MAX_WAIT_S)

    def _approval_resolve(self, role: Role, args: dict[str, object]) -> object:
        raw_id = args.get("id", args.get("approval_id"))
        if not isinstance(raw_id, str) or not raw_id:
            raise UsageError("'id' must be an approval id")
        approve = _bool(args, "approve")
        digest = need_str(args, "digest")
        aid = ApprovalId(raw_id)
        self.approval_state(raw_id)  # not_found for an unknown id
        user = self.user()
        edge = self._edge_pending.get(aid)
        if edge is not None:
            now = self._clock()
            if approve:
                self.kernel.approvals.approve(edge, by=user, digest=digest, now_ms=now)
            else:
                self.kernel.approvals.deny(aid, by=user, digest=digest, now_ms=now)
            self.kernel.log.append(
                "approval.resolved",
                actor=Actor.USER.value,
                ts_ms=now,
                payload={"approval_id": aid, "approve": approve},
            )
        elif approve:
            self.kernel.approve(aid, by=user, digest=digest)
        else:
            self.kernel.deny(aid, by=user, digest=digest)
        if self.on_resolved is not None:
            self.on_resolved(aid)
        return {"approval_id": aid, "state": self.approval_state(raw_id)}

    def _approvals_list(self, role: Role, args: dict[str, object]) -> object:
        """The pending approvals from ``offset`` on (default 0), as many as fit in one page of
        about ``LIST_PAGE_BYTES``; the caller asks again from ``offset + len(page)`` until a page
        comes back empty. Pages keep the reply far below the frame limit however many
        approvals are open, so a flood cannot stop the user from seeing them."""
        offset = args.get("offset", 0)
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise UsageError("'offset' must be a non-negative integer")
        out: list[object] = []
        used = 2
        pending_all = self.kernel.approvals.pending(now_ms=self._clock())
        for pending in pending_all[offset:]:
            item = self._approval_item(pending)
            size = len(_json_text(item).encode("utf-8")) + 1
            if out and used + size > LIST_PAGE_BYTES:
                break
            if size > LIST_PAGE_BYTES:  # one action too large to show within a page
                item["action"] = {"kind": "too_large", "bytes": size}
                size = len(_json_text(item).encode("utf-8")) + 1
            used += size
            out.append(item)
        return out

    def _approval_item(self, pending: PendingApproval[Approvable]) -> dict[str, object]:
        """One pending approval as the user sees it: redacted summary and action, and the role
        that asked for it (when it came through ``approval.request``)."""
        item = pending.to_json()
        role = self._requested_role.get(pending.approval_id)
        if role is not None:
            item["role"] = role.value
        item["summary"] = self.kernel.broker.scrub(pending.summary)
        action = pending.action
        if isinstance(action, ActionSpec):
            item["action"] = self.kernel.broker.redactor.scrub_json(
                {"kind": action.kind, "params": dict(action.params)}
            )
        elif isinstance(action, SecretUse):
            item["action"] = {
                "kind": "secret.use",
                "handle": action.handle.uri,
                "host": action.host,
                "header": action.header,
            }
        return item

    def _task_create(self, role: Role, args: dict[str, object]) -> object:
        title = _bounded_str(args, "title", MAX_TITLE_CHARS)
        budget = int_map(args, "budget")
        mine = self._tasks_by.setdefault(role, [])
        if len(mine) >= MAX_OPEN_TASKS_PER_ROLE:
            # Forgetting finished tasks walks the whole list, so at most once a second per
            # role: a caller at the cap cannot make every refused request cost that walk.
            now = self._clock()
            if now - self._tasks_pruned_at.get(role, -_PRUNE_EVERY_MS) >= _PRUNE_EVERY_MS:
                self._tasks_pruned_at[role] = now
                mine[:] = [t for t in mine if not self.kernel.task(t).status.terminal]
            if len(mine) >= MAX_OPEN_TASKS_PER_ROLE:
                raise ServiceError(
                    ErrorCode.REFUSED,
                    f"the {role.value} role already has {MAX_OPEN_TASKS_PER_ROLE} open tasks in "
                    "this kernel; finish or kill some (or restart the kernel) first",
                )
        task_id = self.kernel.create_task(title, budget=budget, actor=Actor.ADAPTER)
        mine.append(task_id)
        return {"task_id": task_id}

    def _task_get(self, role: Role, args: dict[str, object]) -> object:
        return task_view_to_json(self.kernel.task(TaskId(_need_id(args, "task_id"))))

    def _task_charge(self, role: Role, args: dict[str, object]) -> object:
        delta = int_map(args, "delta")
        if delta is None:
            raise UsageError("'delta' must be an object of integers")
        view = self.kernel.charge(TaskId(_need_id(args, "task_id")), delta, actor=Actor.ADAPTER)
        return task_view_to_json(view)

    def _task_claim_done(self, role: Role, args: dict[str, object]) -> object:
        self.kernel.claim_done(
            TaskId(_need_id(args, "task_id")), claim=opt_str(args, "claim") or ""
        )
        return {}

    def _task_start_job(self, role: Role, args: dict[str, object]) -> object:
        job_id = self.kernel.start_job(
            TaskId(_need_id(args, "task_id")), owner=_bounded_str(args, "owner", MAX_OWNER_CHARS)
        )
        return {"job_id": job_id}

    def _session_observe(self, role: Role, args: dict[str, object]) -> object:
        """What a call that ran returned (a coding agent's post-tool hook), for the session
        flow rule. It can only make a session more cautious, so any client may report."""
        call, workspace = self._call_args(args)
        if call.session is None:
            raise UsageError("'session_id' is required")
        result = args.get("result", "")
        if not isinstance(result, str):
            raise UsageError("'result' must be a string")
        self.kernel.observe(call.session, call, None, result, workspace=workspace)
        return {}

    def _tool_complete(self, role: Role, args: dict[str, object]) -> object:
        result = args.get("result")
        if not isinstance(result, str):
            raise UsageError("'result' must be a string")
        # `Kernel.complete_tool` refuses a tool name a receipt cannot hold before logging.
        call_id = _opt_id(args, "tool_call_id") or new_tool_call_id()
        tool = need_str(args, "tool")
        shown = self.kernel.complete_tool(
            TaskId(_need_id(args, "task_id")),
            ToolCallId(call_id),
            tool,
            need_obj(args, "args", default_empty=True),
            Untrusted(result, Source.TOOL, tool),
            job_id=JobId(_need_id(args, "job_id")),
            owner=_bounded_str(args, "owner", MAX_OWNER_CHARS),
            session_id=_opt_id(args, "session_id"),
        )
        return {
            "text": shown.text,
            "origin": shown.origin,
            "redactions": shown.redactions,
            "tool_call_id": call_id,
        }

    def _secrets_list(self, role: Role, args: dict[str, object]) -> object:
        broker = self.kernel.broker
        out: list[object] = []
        for handle in broker.handles():
            grant = self.grants.get(handle.label)
            out.append(
                {
                    "handle": handle.uri,
                    "name": handle.label,
                    "availability": broker.availability(handle).value,
                    "grant": grant.to_json() if grant else None,
                }
            )
        return out

    def _secrets_add(self, role: Role, args: dict[str, object]) -> object:
        name = need_str(args, "name")
        value = args.get("value")
        if not isinstance(value, str) or not value:
            raise UsageError("'value' must be a non-empty string")
        grant = (
            make_grant(args.get("hosts"), args.get("header"), where="secrets.add")
            if "hosts" in args
            else None
        )
        broker = self.kernel.broker
        exists = broker.availability(SecretHandle(name)) is not SecretAvailability.MISSING
        if exists and not ("replace" in args and _bool(args, "replace")):
            raise ServiceError(
                ErrorCode.REFUSED,
                f"a secret named {name!r} exists already; pass replace to rotate it",
            )
        handle = broker.replace(name, value) if exists else broker.add(name, value)
        self._scrub = True
        if grant is not None:
            self.grants[name] = grant  # otherwise a rotated secret keeps the grant it has
        self.kernel.log.append(
            "secret.replaced" if exists else "secret.added",
            actor=role.value,
            ts_ms=self._clock(),
            payload={"handle": handle.uri},
        )
        return {"handle": handle.uri, "replaced": exists}

    def _secrets_rm(self, role: Role, args: dict[str, object]) -> object:
        handle = SecretHandle(need_str(args, "name"))
        if self.kernel.broker.availability(handle) is SecretAvailability.MISSING:
            raise ServiceError(ErrorCode.NOT_FOUND, f"no secret named {handle.label!r}")
        self.kernel.broker.remove(handle)
        self.grants.pop(handle.label, None)
        self.kernel.log.append(
            "secret.removed", actor=role.value, ts_ms=self._clock(), payload={"handle": handle.uri}
        )
        return {}

    def _shutdown(self, role: Role, args: dict[str, object]) -> object:
        self.stop_requested = True
        return {"stopping": True}
