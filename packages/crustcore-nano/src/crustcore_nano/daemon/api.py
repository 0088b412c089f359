"""The API shared by the embedded ``Kernel`` and the socket clients, and its JSON forms.

An orchestrator written against :class:`KernelAPI` runs unchanged in-process
(``Kernel.open(home)``) or against a kernel daemon (``KernelClient(home)``). The JSON helpers here
are the one definition of how decisions, tool calls and task views cross the socket, used by both
the server and the clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from crustcore_nano.budget import Budget, BudgetAxis
from crustcore_nano.errors import UsageError
from crustcore_nano.ids import ApprovalId, TaskId
from crustcore_nano.kernel.core import TaskView
from crustcore_nano.kernel.events import BlockReason, TaskStatus
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict

from .protocol import as_object


@runtime_checkable
class VisibleText(Protocol):
    """Redacted text a model may see: ``ModelVisibleText`` in-process, ``RemoteText`` remotely."""

    @property
    def text(self) -> str: ...
    @property
    def origin(self) -> str | None: ...
    @property
    def redactions(self) -> int: ...
    def framed(self) -> str: ...


@runtime_checkable
class KernelAPI(Protocol):
    """What an orchestrator, a hook or a sidecar may ask of the kernel, wherever it runs."""

    def check(
        self,
        call: ToolCall,
        *,
        session_id: str | None = None,
        workspace: str | None = None,
        task_id: TaskId | None = None,
    ) -> Decision: ...

    def redact(self, text: str) -> VisibleText: ...

    def create_task(self, title: str, *, budget: Mapping[str, int] | None = None) -> TaskId: ...

    def task(self, task_id: TaskId) -> TaskView: ...

    def charge(self, task_id: TaskId, delta: Mapping[str, int]) -> TaskView: ...

    def claim_done(self, task_id: TaskId, *, claim: str = "") -> None: ...


# --- JSON forms -------------------------------------------------------------------------------


def _str(doc: Mapping[str, object], key: str, *, optional: bool = False) -> str | None:
    value = doc.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise UsageError(f"'{key}' must be a string")
    return value


def need_str(doc: Mapping[str, object], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise UsageError(f"'{key}' must be a non-empty string")
    return value


def opt_str(doc: Mapping[str, object], key: str) -> str | None:
    # ``_str(doc, key, optional=True)`` without the second call: five of these run per `check`.
    value = doc.get(key)
    if value is None or isinstance(value, str):
        return value
    raise UsageError(f"'{key}' must be a string")


def need_obj(
    doc: Mapping[str, object], key: str, *, default_empty: bool = False
) -> dict[str, object]:
    value = doc.get(key)
    if value is None and default_empty:
        return {}
    obj = as_object(value)
    if obj is None:
        raise UsageError(f"'{key}' must be a JSON object")
    return obj


def int_map(doc: Mapping[str, object], key: str) -> dict[str, int] | None:
    value = doc.get(key)
    if value is None:
        return None
    obj = as_object(value)
    if obj is None:
        raise UsageError(f"'{key}' must be an object of integers")
    out: dict[str, int] = {}
    for k, v in obj.items():
        if type(v) is not int:
            raise UsageError(f"'{key}' must be an object of integers")
        out[k] = v
    return out


def tool_call_from_json(doc: Mapping[str, object]) -> ToolCall:
    origin_text = opt_str(doc, "origin") or Origin.API.value
    try:
        origin = Origin(origin_text)
    except ValueError:
        raise UsageError(f"unknown origin {origin_text!r:.40}") from None
    return ToolCall(
        need_str(doc, "tool"),
        need_obj(doc, "args", default_empty=True),
        origin,
        opt_str(doc, "session"),
        opt_str(doc, "task"),
        opt_str(doc, "mcp_server"),
    )


def decision_from_json(doc: object) -> Decision:
    fields = as_object(doc)
    if fields is None:
        raise UsageError("a decision must be a JSON object")
    try:
        verdict = Verdict(fields.get("decision"))
    except ValueError:
        raise UsageError("a decision needs a known verdict") from None
    return Decision(
        verdict,
        need_str(fields, "rule"),
        _str(fields, "reason") or "",
        opt_str(fields, "approval_id"),
    )


def task_view_to_json(view: TaskView) -> dict[str, object]:
    return {
        "task_id": view.task_id,
        "title": view.title,
        "status": view.status.value,
        "block_reason": view.block_reason.value if view.block_reason else None,
        "block_axis": view.block_axis.value if view.block_axis else None,
        "awaiting": view.awaiting,
        "budget": {
            "limits": {a.value: n for a, n in view.budget.limits.items()},
            "used": {a.value: n for a, n in view.budget.used.items()},
        },
        "claimed_done": view.claimed_done,
    }


def task_view_from_json(doc: object) -> TaskView:
    fields = as_object(doc)
    if fields is None:
        raise UsageError("a task view must be a JSON object")
    budget = need_obj(fields, "budget", default_empty=True)
    limits = int_map(budget, "limits") or {}
    used = int_map(budget, "used") or {}
    reason = opt_str(fields, "block_reason")
    axis = opt_str(fields, "block_axis")
    awaiting = opt_str(fields, "awaiting")
    return TaskView(
        TaskId(need_str(fields, "task_id")),
        _str(fields, "title") or "",
        TaskStatus(need_str(fields, "status")),
        BlockReason(reason) if reason else None,
        BudgetAxis(axis) if axis else None,
        ApprovalId(awaiting) if awaiting else None,
        Budget(
            limits={BudgetAxis(k): v for k, v in limits.items()},
            used={BudgetAxis(k): v for k, v in used.items()},
        ),
        fields.get("claimed_done") is True,
    )
