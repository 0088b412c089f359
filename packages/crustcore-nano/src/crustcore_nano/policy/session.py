"""Session flow state: the one piece of memory the evaluation pipeline has across calls.

A single call can look harmless while completing a dangerous chain: the agent read a web page
(untrusted instructions), later read something sensitive, and now wants to send data out. The
engine tracks, per session, whether untrusted content and sensitive data have entered the
agent's context, and asks for approval when a call would add the third leg (sending data out).

The state changes only through `SessionState.observe`, which the caller invokes *after* a call
ran, with the call's `CallFlow` (from `PolicyEngine.evaluate_detailed`) and, when it has it, the
call's result text (scanned for credentials). Evaluation itself never mutates the state, so
evaluating the same call twice, or evaluating a call that is then refused, changes nothing. A
caller observes only calls that ran: allowed ones, and asked ones the user approved.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from crustcore_nano.dlp import scan
from crustcore_nano.policy.types import Decision, Verdict

__all__ = ["FLOW_RULE", "CallFlow", "SessionState", "SessionTable"]

FLOW_RULE = "flow:untrusted-sensitive-egress"
_MAX_RESULT_SCAN = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CallFlow:
    """What one call contributes to the session's data flow.

    `untrusted_source`: its result is content the user did not write (a web page, an MCP tool
    result, a file outside the workspace). `sensitive_source`: it reads sensitive data (a
    sensitive-class path, or a path a user rule would deny but an exception allowed).
    `sends_out`: it sends data to another host (any network operation or MCP tool call)."""

    untrusted_source: bool = False
    sensitive_source: bool = False
    sends_out: bool = False
    untrusted_why: str = ""
    sensitive_why: str = ""
    sends_why: str = ""


class SessionState:
    """Flow flags of one agent session (one per `ToolCall.session`)."""

    __slots__ = ("session_id", "sensitive_why", "untrusted_why")

    def __init__(self, session_id: str | None = None) -> None:
        self.session_id = session_id
        self.untrusted_why: str = ""
        self.sensitive_why: str = ""

    @property
    def untrusted(self) -> bool:
        """Untrusted content has entered the agent's context in this session."""
        return bool(self.untrusted_why)

    @property
    def sensitive(self) -> bool:
        """Sensitive data has entered the agent's context in this session."""
        return bool(self.sensitive_why)

    def observe(
        self, flow: CallFlow, *, decision: Decision | None = None, result: str | None = None
    ) -> None:
        """Record a call that ran. A denied call never runs and changes nothing; an asked call
        that the caller observes ran because the user approved it, so it counts like an
        allowed one (an approved read of a secret still puts the secret in the agent's
        context). `result` (the tool's output, when the caller has it) is scanned: a real
        credential in it makes the session sensitive."""
        if decision is not None and decision.verdict is Verdict.DENY:
            return
        if flow.untrusted_source and not self.untrusted_why:
            self.untrusted_why = flow.untrusted_why or "untrusted content was read"
        if flow.sensitive_source and not self.sensitive_why:
            self.sensitive_why = flow.sensitive_why or "sensitive data was read"
        if result and not self.sensitive_why:
            for finding in scan(result[:_MAX_RESULT_SCAN]):
                if finding.blocking:
                    self.sensitive_why = f"a {finding.type} credential appeared in a tool result"
                    break

    def completes_flow(self, flow: CallFlow) -> str | None:
        """The reason to ask when `flow` would complete untrusted input + sensitive data +
        sending out (counting what this call itself reads), else None."""
        if not flow.sends_out:
            return None
        untrusted = self.untrusted_why or (flow.untrusted_why if flow.untrusted_source else "")
        sensitive = self.sensitive_why or (flow.sensitive_why if flow.sensitive_source else "")
        if not untrusted or not sensitive:
            return None
        return (
            f"this call sends data out ({flow.sends_why}) after untrusted content entered the "
            f"session ({untrusted}) and sensitive data was read ({sensitive}); approve it only "
            "if you expected this transfer"
        )


_FORGOTTEN_WHY = (
    "this session's earlier calls are no longer tracked (more sessions than the kernel keeps), "
    "so CrustCore assumes the worst"
)


class SessionTable:
    """The sessions of one kernel, bounded, and failing closed when one is dropped.

    Session ids come from the edges, so a program of the same user could send endless new ids:
    the table keeps at most `max_sessions` (least recently used dropped first). Dropping a
    session must not wash it clean: an agent whose session read untrusted input could otherwise
    flood the table and come back with a fresh history. A dropped id is remembered as an 8-byte
    digest (at most `max_forgotten` of them), and comes back marked as having read untrusted and
    sensitive data; past that bound every id not in the table comes back so marked."""

    def __init__(self, max_sessions: int = 4096, max_forgotten: int = 65536) -> None:
        self._live: OrderedDict[str, SessionState] = OrderedDict()
        self._forgotten: set[bytes] = set()
        self._max = max(1, max_sessions)
        self._max_forgotten = max(1, max_forgotten)
        self._overflowed = False

    def __len__(self) -> int:
        return len(self._live)

    def get(self, session_id: str) -> SessionState:
        """The session's state, created on first use (tainted if it was dropped before)."""
        found = self._live.get(session_id)
        if found is not None:
            self._live.move_to_end(session_id)
            return found
        state = SessionState(session_id)
        digest = _digest(session_id)
        if self._overflowed or digest in self._forgotten:
            state.untrusted_why = state.sensitive_why = _FORGOTTEN_WHY
        self._live[session_id] = state
        if len(self._live) > self._max:
            old_id, _ = self._live.popitem(last=False)
            if len(self._forgotten) >= self._max_forgotten:
                self._overflowed = True
                self._forgotten.clear()
            else:
                self._forgotten.add(_digest(old_id))
        return state


def _digest(session_id: str) -> bytes:
    return hashlib.blake2b(session_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
