"""The values that flow through the evaluation pipeline: a tool call in, operations out, a decision.

These are shared by extraction, the rule engine, the kernel and every edge (proxy, MCP gateway,
hooks); they carry no behaviour beyond validation and JSON conversion.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields


class Origin(enum.Enum):
    """Where a tool call came from (the edge that translated it)."""

    MODEL = "model"  # a tool call in an LLM response (crustcore-net)
    MCP = "mcp"  # an MCP tools/call or resources/read (crustcore-mcp)
    ACP = "acp"  # an ACP fs/* or terminal request
    HOOK = "hook"  # a coding agent's hook (Claude Code PreToolUse, ...)
    API = "api"  # the Python API or `crustcore check`


@dataclass(frozen=True, slots=True, init=False)
class ToolCall:
    """One tool call an agent wants to make, as the edge received it (not yet normalized)."""

    tool: str
    args: Mapping[str, object]
    origin: Origin = Origin.API
    session: str | None = None
    task: str | None = None
    mcp_server: str | None = None  # set for Origin.MCP

    def __init__(  # noqa: PLR0917 - the signature the dataclass would generate
        self,
        tool: str,
        args: Mapping[str, object],
        origin: Origin = Origin.API,
        session: str | None = None,
        task: str | None = None,
        mcp_server: str | None = None,
    ) -> None:
        # One per request the kernel daemon serves: set through the slots, as `Operation` is.
        s_tool, s_args, s_origin, s_session, s_task, s_mcp_server = TOOL_CALL_SETTERS
        s_tool(self, tool)
        s_args(self, args)
        s_origin(self, origin)
        s_session(self, session)
        s_task(self, task)
        s_mcp_server(self, mcp_server)


class OpKind(enum.Enum):
    """What an operation does to the world."""

    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    MOVE = "move"  # move or copy: `paths` holds the source, `dest` the destination
    EXECUTE = "execute"
    NETWORK = "network"
    SECRET = "secret"  # noqa: S105 - an operation kind, not a credential
    MCP = "mcp"  # an MCP tool whose effect is not otherwise known
    # Text typed into whatever window has focus (computer use): if that is a terminal it runs,
    # so `command` is judged as a shell line, but what would be denied is asked instead.
    TYPE = "type"
    OTHER = "other"


@dataclass(frozen=True, slots=True, init=False)
class Operation:
    """One effect extracted from a tool call. Paths and hosts are as written (normalized text);
    resolution against the workspace happens later in the pipeline."""

    kind: OpKind
    paths: tuple[str, ...] = ()
    dest: str | None = None
    hosts: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    command: str | None = None
    content: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    source: str = ""  # which argument (or shell construct) this came from, for the reason text
    cwd: str | None = None  # the working directory a command runs in, when the call names one

    def __init__(  # noqa: PLR0917 - the signature the dataclass would generate
        self,
        kind: OpKind,
        paths: tuple[str, ...] = (),
        dest: str | None = None,
        hosts: tuple[str, ...] = (),
        urls: tuple[str, ...] = (),
        command: str | None = None,
        content: str | None = None,
        env: tuple[tuple[str, str], ...] = (),
        source: str = "",
        cwd: str | None = None,
    ) -> None:
        # The dataclass's own `__init__` sets each field of a frozen class through
        # `object.__setattr__`; the slots' setters do the same in about 60 % of the time, and
        # one shell line or MCP call builds several operations.
        s_kind, s_paths, s_dest, s_hosts, s_urls, s_command, s_content, s_env, s_source, s_cwd = (
            OPERATION_SETTERS
        )
        s_kind(self, kind)
        s_paths(self, paths)
        s_dest(self, dest)
        s_hosts(self, hosts)
        s_urls(self, urls)
        s_command(self, command)
        s_content(self, content)
        s_env(self, env)
        s_source(self, source)
        s_cwd(self, cwd)


def _slot_setters(
    cls: type, init: Callable[..., None]
) -> tuple[Callable[[object, object], None], ...]:
    """The slot setters of `cls`'s fields, in order; refuses a class whose hand-written
    `init` no longer takes exactly its fields in that order (a field added to one only)."""
    names = tuple(f.name for f in fields(cls))
    if init.__code__.co_varnames[1 : len(names) + 1] != names or init.__code__.co_argcount != (
        len(names) + 1
    ):
        raise RuntimeError(f"{cls.__name__}.__init__ no longer takes exactly its fields")
    return tuple(getattr(cls, name).__set__ for name in names)


OPERATION_SETTERS = _slot_setters(Operation, Operation.__init__)
TOOL_CALL_SETTERS = _slot_setters(ToolCall, ToolCall.__init__)


class Verdict(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"
    ASK = "ask"


@dataclass(frozen=True, slots=True, init=False)
class Decision:
    """The pipeline's answer: what to do, which rule decided, and a reason a person can act on."""

    verdict: Verdict
    rule: str
    reason: str
    approval_id: str | None = None
    operations: tuple[Operation, ...] = field(default=(), compare=False)

    def __init__(
        self,
        verdict: Verdict,
        rule: str,
        reason: str,
        approval_id: str | None = None,
        operations: tuple[Operation, ...] = (),
    ) -> None:
        # One per call decided: set through the slots, as `Operation` is.
        s_verdict, s_rule, s_reason, s_approval_id, s_operations = DECISION_SETTERS
        s_verdict(self, verdict)
        s_rule(self, rule)
        s_reason(self, reason)
        s_approval_id(self, approval_id)
        s_operations(self, operations)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "decision": self.verdict._value_,  # `.value` is a Python-level property
            "rule": self.rule,
            "reason": self.reason,
        }
        if self.approval_id is not None:
            out["approval_id"] = self.approval_id
        return out


DECISION_SETTERS = _slot_setters(Decision, Decision.__init__)


def allow_reason(ops: tuple[Operation, ...]) -> str:
    """The reason an allowed call is given: the kinds of operation no rule matched."""
    kinds = sorted({op.kind.value for op in ops})
    if not kinds:
        return "no rule matched; the call has no effect CrustCore restricts"
    return "no rule matched (" + ", ".join(kinds) + ")"
