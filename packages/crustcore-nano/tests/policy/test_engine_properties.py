"""Properties of the engine: total, deterministic, and no spelling of a key file gets through."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Origin, ToolCall, Verdict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
_TOOLS = st.sampled_from(
    ["Bash", "Read", "Write", "Edit", "shell", "apply_patch", "WebFetch", "mcp__x__y", "zzz"]
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> PolicyEngine:
    root = tmp_path_factory.mktemp("prop")
    home = root / "home"
    ws = root / "ws"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("k", encoding="utf-8")
    ws.mkdir()
    return PolicyEngine(crustcore_home=str(home / ".crustcore"), workspace=str(ws), home=str(home))


_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(_TOOLS, st.dictionaries(st.text(max_size=12), _JSON, max_size=5), st.sampled_from(Origin))
def test_total_and_deterministic(
    engine: PolicyEngine, tool: str, args: dict[str, object], origin: Origin
) -> None:
    call = ToolCall(tool, args, origin)
    first = engine.evaluate(call)
    assert engine.evaluate(call) == first
    assert first.rule
    assert first.reason


@_SETTINGS
@given(st.text(max_size=200))
def test_any_command_is_decided(engine: PolicyEngine, command: str) -> None:
    decision = engine.evaluate(ToolCall("Bash", {"command": command}))
    assert decision.verdict in (Verdict.ALLOW, Verdict.ASK, Verdict.DENY)


_DISGUISES = st.lists(
    st.sampled_from(["dup-slash", "dot", "updown", "zw", "percent", "case", "tilde", "var"]),
    max_size=4,
)


def _disguise(home: str, tricks: list[str]) -> str:
    segments = [".ssh", "id_rsa"]
    prefix = home
    for trick in tricks:
        if trick == "dup-slash":
            segments.insert(0, "")
        elif trick == "dot":
            segments.insert(1, ".")
        elif trick == "updown":
            segments.insert(0, "x/..")
        elif trick == "zw":
            segments[-1] = "id_\u200brsa"
        elif trick == "percent":
            segments[-1] = segments[-1].replace("r", "%72")
        elif trick == "case":
            segments[0] = ".SSH"
        elif trick == "tilde":
            prefix = "~"
        else:
            prefix = "$HOME"
    return prefix + "/" + "/".join(segments)


@_SETTINGS
@given(_DISGUISES, st.sampled_from(["Read", "Bash", "read_file", "mystery_tool"]))
def test_no_disguise_of_a_key_path_is_allowed(
    engine: PolicyEngine, tricks: list[str], tool: str
) -> None:
    home = str(Path(engine.workspace).parent / "home")
    path = _disguise(home, tricks)
    if tool == "Bash":
        call = ToolCall(tool, {"command": f"cat {path}"})
    elif tool == "read_file":
        call = ToolCall(tool, {"target_file": path})
    elif tool == "mystery_tool":
        call = ToolCall(tool, {"file_path": path})
    else:
        call = ToolCall(tool, {"file_path": path})
    assert engine.evaluate(call).verdict is not Verdict.ALLOW, path
