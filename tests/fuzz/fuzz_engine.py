"""Fuzz target: the policy engine decides every call, deterministically, and never lets a key
file through whatever wrapping the fuzzer puts around it.

The first byte picks a mode: a tool name plus JSON arguments; a raw shell command; or a shell
command built around a read of `~/.ssh/id_rsa` (which must never be allowed); or a host string
(its metadata verdict must not depend on case or a trailing dot). Every call is also decided by
an engine without the short path for file tools, and both answers must be equal.

Run for longer with ``./dev run python tests/fuzz/fuzz_engine.py -max_total_time=300``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.hosts import metadata_endpoint
from crustcore_nano.policy.types import Origin, ToolCall, Verdict

_TOOLS = (
    "Bash", "Read", "Write", "Edit", "shell", "apply_patch", "WebFetch", "run_terminal_cmd",
    "mcp__fs__read_file", "resources/read", "use_mcp_tool", "mystery",
)  # fmt: skip
_WRAPPERS = (
    "{}", "sh -c '{}'", "bash -c \"{}\"", "eval '{}'", "timeout 5 {}", "sudo {}", "env A=1 {}",
    "nice -n 5 {}", "true && {}", "false || {}", "({})", "echo x | {}", "$({})", "`{}`",
    "xargs -0 {} <<< x", "nohup {} &", "command {}", "exec {}",
)  # fmt: skip
_READERS = ("cat", "head", "tail -n 5", "less", "base64", "xxd", "awk 1", "sed -n p", "grep -r x")

_ROOT = tempfile.mkdtemp(prefix="crustcore-fuzz-engine-")
_HOME = os.path.join(_ROOT, "home")
_WS = os.path.join(_ROOT, "ws")
os.makedirs(os.path.join(_HOME, ".ssh"), exist_ok=True)
os.makedirs(_WS, exist_ok=True)
_ENGINE = PolicyEngine(crustcore_home=os.path.join(_HOME, ".crustcore"), workspace=_WS, home=_HOME)
# The same engine without the short path for file tools: both must decide every call alike.
_WHOLE_WAY = PolicyEngine(
    crustcore_home=os.path.join(_HOME, ".crustcore"), workspace=_WS, home=_HOME
)
_WHOLE_WAY._fast = None  # pyright: ignore[reportPrivateUsage]


def _check(call: ToolCall) -> Verdict:
    first = _ENGINE.evaluate(call)
    again = _ENGINE.evaluate(call)
    if first != again:
        raise AssertionError(f"not deterministic: {call!r}")
    if not first.rule or not first.reason:
        raise AssertionError(f"decision without rule or reason: {first!r}")
    if _ENGINE.evaluate_detailed(call) != _WHOLE_WAY.evaluate_detailed(call):
        raise AssertionError(f"the short path decides otherwise: {call!r}")
    return first.verdict


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0], data[1:]
    text = rest.decode("utf-8", "replace")
    if mode < 96:
        name, _, body = text.partition("\n")
        try:
            args: object = json.loads(body)
        except (ValueError, RecursionError):
            args = {"command": body}
        if not isinstance(args, dict):
            args = {"x": args}
        tool = name if mode % 2 else _TOOLS[mode % len(_TOOLS)]
        _check(ToolCall(tool, args, Origin.MCP if mode % 3 == 0 else Origin.MODEL))  # pyright: ignore[reportUnknownArgumentType]
    elif mode < 160:
        _check(ToolCall("Bash", {"command": text}))
    elif mode < 224:
        wrapper = _WRAPPERS[mode % len(_WRAPPERS)]
        reader = _READERS[len(rest) % len(_READERS)]
        noise = "".join(c for c in text if c.isalnum())[:16]
        command = wrapper.format(f"{reader} ~/.ssh/id_rsa") + (f" # {noise}" if noise else "")
        if _check(ToolCall("Bash", {"command": command})) is Verdict.ALLOW:
            raise AssertionError(f"key read allowed: {command!r}")
    else:
        host = text.strip()[:200]
        comparable = host and not host.endswith(".") and "%" not in host and host.isascii()
        if comparable and metadata_endpoint(host) != metadata_endpoint(host.upper() + "."):
            raise AssertionError(f"case or trailing dot changes the verdict: {host!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
