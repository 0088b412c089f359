"""Session flow state: the one piece of memory the evaluation pipeline has across calls.

A single call can look harmless while completing a dangerous chain: the agent read a web page
(untrusted instructions), later read something sensitive, and now wants to send data out. The
engine tracks, per session, whether untrusted content and sensitive data have entered the
agent's context, and asks for approval when a call would add the third leg (sending data out).

The state changes only through `SessionState.observe`, which the caller invokes *after* a call
ran, with the call's `CallFlow` (from `PolicyEngine.evaluate_detailed`) and, when it has it, the
call's result text (scanned for credentials). Evaluation itself never mutates the state, so
evaluating the same call twice, or evaluating a call that is then refused, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from crustcore_nano.dlp import scan
from crustcore_nano.policy.types import Decision, Verdict

__all__ = ["FLOW_RULE", "CallFlow", "SessionState"]

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
        """Record a call that ran. A call that was not allowed did not run and changes
        nothing. `result` (the tool's output, when the caller has it) is scanned: a real
        credential in it makes the session sensitive, and an MCP or web result is untrusted."""
        if decision is not None and decision.verdict is not Verdict.ALLOW:
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
