"""Decode-and-bound: oversized, deep or wide arguments become signals, never exceptions."""

from __future__ import annotations

from crustcore_nano.policy.extract import ExtractLimits, Signal, extract
from crustcore_nano.policy.types import ToolCall
from hypothesis import given, settings
from hypothesis import strategies as st

FATAL = {Signal.ARGS_TOO_LARGE, Signal.TOO_DEEP, Signal.TOO_MANY_NODES}


def test_too_large() -> None:
    limits = ExtractLimits(max_chars=1000)
    ex = extract(ToolCall("Write", {"file_path": "/w/a", "content": "x" * 2000}), limits=limits)
    assert Signal.ARGS_TOO_LARGE in ex.signals
    assert ex.operations == ()
    fits = extract(ToolCall("Write", {"file_path": "/w/a", "content": "x" * 500}), limits=limits)
    assert not fits.signals & FATAL
    assert fits.operations


def test_too_deep() -> None:
    value: object = "/etc/shadow"
    for _ in range(40):
        value = {"a": value}
    ex = extract(ToolCall("mystery", {"v": value}))
    assert Signal.TOO_DEEP in ex.signals
    assert ex.operations == ()


def test_too_many_nodes() -> None:
    ex = extract(ToolCall("mystery", {"v": list(range(50))}), limits=ExtractLimits(max_nodes=20))
    assert Signal.TOO_MANY_NODES in ex.signals


def test_cyclic_python_value_terminates() -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    ex = extract(ToolCall("mystery", loop), limits=ExtractLimits(max_nodes=100))
    assert ex.signals & FATAL


def test_non_json_values_and_keys() -> None:
    ex = extract(ToolCall("mystery", {"a": b"bytes", 3: "x"}))  # type: ignore[dict-item]
    assert {Signal.NON_JSON_VALUE, Signal.NON_STRING_KEY} <= ex.signals


def test_non_mapping_args_and_non_string_tool() -> None:
    ex = extract(ToolCall("Bash", ["ls"]))  # type: ignore[arg-type]
    assert Signal.UNKNOWN_TOOL_SHAPE in ex.signals
    odd = extract(ToolCall(None, {}))  # type: ignore[arg-type]
    assert Signal.EMPTY_TOOL_NAME in odd.signals


def test_long_tool_name() -> None:
    ex = extract(ToolCall("x" * 1000, {}))
    assert Signal.TOOL_NAME_TOO_LONG in ex.signals
    assert len(ex.tool) == ExtractLimits().max_tool_name


def test_deep_json_string_is_bounded() -> None:
    deep = "[" * 5000 + "]" * 5000
    ex = extract(ToolCall("mystery", {"payload": deep}))
    assert ex.operations == ()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda kids: (
        st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=12), kids, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(
    tool=st.sampled_from(["Bash", "Write", "apply_patch", "mystery", "mcp__a__b", "use_mcp_tool"])
    | st.text(max_size=20),
    args=st.dictionaries(
        st.sampled_from(["command", "path", "url", "content", "input", "arguments", "x", "edits"])
        | st.text(max_size=10),
        json_values,
        max_size=6,
    ),
)
def test_extract_never_raises(tool: str, args: dict[str, object]) -> None:
    ex = extract(ToolCall(tool, args))
    assert isinstance(ex.signals, frozenset)
    for op in ex.operations:
        assert all(isinstance(p, str) for p in op.paths)
        assert all(isinstance(h, str) for h in op.hosts)


@settings(max_examples=200, deadline=None)
@given(
    args=st.dictionaries(
        st.one_of(st.text(max_size=12), st.integers()),
        st.one_of(st.text(max_size=40), st.integers(), st.none()),
        max_size=6,
    ),
    max_chars=st.integers(1, 300),
    max_nodes=st.integers(1, 8),
    max_depth=st.integers(1, 3),
)
def test_flat_mapping_shortcut_measures_like_the_walk(
    args: dict[object, object], max_chars: int, max_nodes: int, max_depth: int
) -> None:
    """The shortcut for a flat mapping of strings counts and bounds exactly as the general walk
    does (a read-only proxy of the same mapping takes the walk)."""
    from types import MappingProxyType

    from crustcore_nano.policy.extract import (
        _measure,  # pyright: ignore[reportPrivateUsage]
    )

    limits = ExtractLimits(max_chars=max_chars, max_nodes=max_nodes, max_depth=max_depth)
    fast: set[str] = set()
    walked: set[str] = set()
    assert _measure(args, limits, fast) == _measure(MappingProxyType(args), limits, walked)
    assert fast == walked
