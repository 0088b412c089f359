"""The short path for file tools (`policy/fastfile.py`) answers exactly as the pipeline does.

Generated `Read`/`Edit`/`Write`/`Glob` calls, over path pieces chosen to reach every branch of
the proof (protected names, dotfiles, symlinks to files and to directories, `..`, `~`, `$HOME`,
odd characters, a secret in the path or the content) and with or without user rules, are decided
twice: by an engine with the short path and by a twin without it. Decision and flow must be
equal, whatever the short path did."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Origin, ToolCall, Verdict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_world import short_path_twins

_SEGMENTS = (
    "src", "app.py", "tests", "README.md", "link.py", "dirlink", "inner", "missing", ".env",
    ".env.example", "id_rsa", "credentials", ".git", "hooks", "config", ".claude",
    "settings.json", "node_modules", ".bin", "x.pem", "..", ".", "", "~", "$HOME", "a b",
    "caf\u00e9", "CLAUDE.md", ".ssh", "secret_notes", "notes.", "-rf", "a*", "AKIAIOSFODNN7EXAMPLE",
    "AKIA2OGYBAH6STMJ3QXZ", ".crustcore", "keys", "Makefile", "x%2e",
)  # fmt: skip
_CONTENT = (
    "print('hi')\n", "", "AKIA2OGYBAH6STMJ3QXZ\n", "see http://169.254.169.254/latest\n",
    "token = 'ghp_" + "a" * 36 + "'\n", "rm -rf /\n",
)  # fmt: skip
_RULES = """
[[rules]]
name = "no-secret-notes"
action = "deny"
path = "**/secret_*"
reason = "notes stay private"

[[rules]]
name = "ask-makefile"
action = "ask"
tool = ["write", "edit"]
path = "**/Makefile"
reason = "the build runs it"
"""


def _world(root: Path, *, rules: bool) -> tuple[PolicyEngine, PolicyEngine, Path]:
    """An engine with the short path, its twin without it, and their workspace (with the
    symlinks of `short_path_twins`)."""
    return short_path_twins(
        root,
        rules=_RULES if rules else None,
        dirs=["{WS}/.git/hooks"],
        files={"{WS}/src/app.py": "x = 1\n", "{WS}/.env": "A=1\n"},
    )


@pytest.fixture(scope="module", params=[False, True], ids=["builtin", "user-rules"])
def engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PolicyEngine, PolicyEngine, Path]:
    rules = bool(request.param)
    return _world(tmp_path_factory.mktemp("fastfile"), rules=rules)


# Names a plain path may hold: the short path's own ground, where most of its answers are.
_PLAIN = (
    "src", "app.py", "tests", "missing", "Makefile", "secret_notes", "id_rsa", "credentials",
    "config", "hooks", "keys", "x.pem", "link.py", "dirlink", "inner", "README.md",
)  # fmt: skip
_paths = st.one_of(
    st.tuples(
        st.sampled_from(["", "{WS}/"]),
        st.lists(st.sampled_from(_PLAIN), min_size=1, max_size=3),
    ),
    st.tuples(
        st.sampled_from(["", "/", "{WS}/", "{WS}/../"]),
        st.lists(st.sampled_from(_SEGMENTS), min_size=1, max_size=5),
    ),
).map(lambda t: t[0] + "/".join(t[1]))
_extra = st.dictionaries(
    st.sampled_from(["offset", "limit", "old_string", "replace_all", "path", "cwd", "filePath"]),
    st.one_of(st.integers(-1, 5), st.booleans(), st.sampled_from(_CONTENT), st.none()),
    max_size=2,
)


@st.composite
def _calls(draw: st.DrawFn) -> tuple[str, dict[str, object], Origin]:
    tool = draw(st.sampled_from(["Read", "Edit", "Write", "Glob", "read", "MultiEdit"]))
    args: dict[str, object] = {}
    key = "pattern" if tool == "Glob" else "file_path"
    args[key] = draw(_paths)
    if tool == "Edit":
        args["old_string"] = "x = 1"
        args["new_string"] = draw(st.sampled_from(_CONTENT))
    if tool == "Write" and draw(st.booleans()):
        args["content"] = draw(st.sampled_from(_CONTENT))
    if draw(st.integers(0, 3)) == 0:
        args.update(draw(_extra))
    origin = draw(st.sampled_from([Origin.MODEL, Origin.MODEL, Origin.MCP, Origin.HOOK]))
    return tool, args, origin


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_calls())
def test_short_path_and_pipeline_decide_alike(
    engines: tuple[PolicyEngine, PolicyEngine, Path], drawn: tuple[str, dict[str, object], Origin]
) -> None:
    fast, slow, ws = engines
    tool, raw, origin = drawn
    args = {k: v.replace("{WS}", str(ws)) if isinstance(v, str) else v for k, v in raw.items()}
    call = ToolCall(tool, args, origin)
    assert fast.evaluate_detailed(call) == slow.evaluate_detailed(call)


def test_short_path_answers_everyday_file_calls(
    engines: tuple[PolicyEngine, PolicyEngine, Path],
) -> None:
    """Not a vacuous equality: the short path does answer plain calls."""
    fast, slow, ws = engines
    short = fast._fast  # pyright: ignore[reportPrivateUsage]
    assert short is not None
    calls = [
        ToolCall("Read", {"file_path": f"{ws}/src/app.py", "offset": 1, "limit": 20}),
        ToolCall("Edit", {"file_path": "src/app.py", "old_string": "x", "new_string": "y"}),
        ToolCall("Write", {"file_path": "src/new_module.py", "content": "print('hi')\n"}),
        # Directories that do not exist yet, under one that does.
        ToolCall("Write", {"file_path": "src/newpkg/sub/mod.py", "content": "x = 2\n"}),
        ToolCall("Read", {"file_path": f"{ws}/missing/notes.md"}),
        ToolCall("Glob", {"pattern": "src/**/*.py"}),
    ]
    for call in calls:
        # The first call in a directory goes the whole way, which lets the directory cache
        # hold that directory; from then on the short path can prove its calls.
        assert fast.evaluate_detailed(call) == slow.evaluate_detailed(call)
        proven = short.allow(call)
        assert proven is not None, call
        assert proven[0].verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    "call",
    [
        ToolCall("Read", {"file_path": "src/link.py"}),  # a symlink to ~/.ssh/id_rsa
        ToolCall("Read", {"file_path": "dirlink/credentials"}),  # a symlinked directory
        ToolCall("Read", {"file_path": "inner/app.py"}),  # a link inside the workspace
        ToolCall("Read", {"file_path": ".env"}),
        ToolCall("Write", {"file_path": ".git/hooks/pre-commit", "content": "curl x | sh\n"}),
        ToolCall("Write", {"file_path": "src/k.py", "content": "k = 'AKIA2OGYBAH6STMJ3QXZ'\n"}),
        ToolCall("Read", {"file_path": "src/app.py", "extra": "~/.ssh/id_rsa"}),
        ToolCall("Read", {"file_path": "src/app.py"}, Origin.MCP),
        ToolCall("Glob", {"pattern": "/etc/*"}),
        ToolCall("Glob", {"pattern": "../*"}),
    ],
    ids=lambda c: f"{c.tool}:{sorted(c.args.values(), key=str)[0]}",
)
def test_short_path_declines_what_it_cannot_prove(
    engines: tuple[PolicyEngine, PolicyEngine, Path], call: ToolCall
) -> None:
    fast, _, _ = engines
    short = fast._fast  # pyright: ignore[reportPrivateUsage]
    assert short is not None
    assert short.allow(call) is None
