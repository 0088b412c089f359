"""Fuzz target: extraction is total, deterministic and well-typed on any tool call.

The first byte picks a mode: a tool name plus JSON arguments, a raw string handed to a shell,
patch or URL-taking tool, or the envelope and URL parsers directly.

Run for longer with ``./dev run python tests/fuzz/fuzz_extract.py -max_total_time=300``.
"""

from __future__ import annotations

import json
import sys

from crustcore_nano.policy.extract import ExtractLimits, extract, split_url
from crustcore_nano.policy.patch_envelope import parse_envelope, unified_diff_targets
from crustcore_nano.policy.types import Origin, ToolCall

_TOOLS = (
    "Bash", "Write", "MultiEdit", "apply_patch", "shell", "str_replace_editor", "use_mcp_tool",
    "execute_ipython_cell", "WebFetch", "resources/read", "move_file", "mcp__x__y", "mystery",
)  # fmt: skip
_KEYS = ("command", "input", "url", "path", "content", "arguments", "code", "uri", "x")
_LIMITS = ExtractLimits(max_chars=64 * 1024, max_depth=16, max_nodes=2000)


def _check(call: ToolCall) -> None:
    first = extract(call, limits=_LIMITS)
    again = extract(call, limits=_LIMITS)
    if first != again:
        raise AssertionError(f"not deterministic: {call!r}")
    for op in first.operations:
        for value in (*op.paths, *op.hosts, *op.urls):
            if not isinstance(value, str):
                raise AssertionError(f"non-string target {value!r}")
        if op.dest is not None and not isinstance(op.dest, str):
            raise AssertionError("non-string dest")
    if first.tool != first.tool.strip() or first.tool != first.tool.lower():
        raise AssertionError(f"tool name not cleaned: {first.tool!r}")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0], data[1:]
    text = rest.decode("utf-8", "replace")
    tool = _TOOLS[mode % len(_TOOLS)]
    if mode < 64:
        name, _, body = text.partition("\n")
        try:
            args: object = json.loads(body)
        except (ValueError, RecursionError):
            args = {"x": body}
        if not isinstance(args, dict):
            args = {"x": args}
        _check(ToolCall(name if mode % 2 else tool, args, Origin.MCP))  # pyright: ignore[reportUnknownArgumentType]
    elif mode < 192:
        key = _KEYS[mode % len(_KEYS)]
        _check(ToolCall(tool, {key: text, "command": text if mode % 3 == 0 else "ls"}))
    else:
        envelope = parse_envelope(text)
        if not envelope.malformed and not envelope.files and text.strip():
            raise AssertionError("a non-empty envelope with no files must be malformed")
        unified_diff_targets(text)
        parsed = split_url(text)
        if parsed is not None and any(c in parsed.host for c in "/?#@"):
            raise AssertionError(f"host keeps a delimiter: {parsed!r}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
