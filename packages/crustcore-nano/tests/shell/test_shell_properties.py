"""Property tests: the analyser never crashes, stays within its budget, and round-trips argv."""

from __future__ import annotations

import contextlib
import shlex

from crustcore_nano.shell import (
    ShellAnalysis,
    ShellLimits,
    ShellSyntaxError,
    analyze,
    parse,
    tokenize,
)
from crustcore_nano.shell.analyzer import analyze_uncached
from crustcore_nano.shell.embedded import EmbeddedKind, embedded_in_args
from crustcore_nano.shell.embedded import _vim_string as vim_string  # pyright: ignore[reportPrivateUsage]
from crustcore_nano.shell.syntax import SimpleCommand
from hypothesis import given, settings
from hypothesis import strategies as st

_PIECES = [
    "echo",
    "cat",
    "sh -c ",
    "bash -c ",
    "eval ",
    "sudo ",
    "env X=1 ",
    "xargs ",
    "python -c ",
    "base64 -d",
    "$(",
    ")",
    "`",
    "'",
    '"',
    "|",
    "||",
    "&&",
    ";",
    "&",
    "\n",
    "<<EOF\n",
    "EOF\n",
    "${X:-",
    "}",
    "$X",
    "~/",
    "{a,b}",
    "*",
    "\\",
    "$'\\x41'",
    "f() { f | f & }; ",
    " ",
    " ",
    "/etc/passwd",
    "> out",
    "2>&1",
    "/dev/tcp/h/1",
    "if true; then ",
    "; fi",
    "for i in 1 2; do ",
    "; done",
    "(",
    "$((",
    "))",
]
shellish = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _strict(
    text: str, limits: ShellLimits, home: str | None = None, cwd: str | None = None
) -> ShellAnalysis:
    """The uncached analysis with internal errors propagating, so a bug fails the property."""
    return analyze_uncached(text, None, home, cwd, limits, strict=True)


def _check(a: ShellAnalysis, limits: ShellLimits) -> None:
    assert isinstance(a, ShellAnalysis)
    assert 0 <= a.steps <= limits.max_steps
    assert a.parsed_ok or a.signals


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_analyze_never_raises_on_any_text(text: str) -> None:
    limits = ShellLimits()
    _check(_strict(text, limits), limits)


@settings(max_examples=300, deadline=None)
@given(shellish)
def test_analyze_never_raises_on_shell_like_text(text: str) -> None:
    limits = ShellLimits()
    _check(_strict(text, limits, "/h", "/w"), limits)


@settings(max_examples=150, deadline=None)
@given(shellish, st.integers(min_value=50, max_value=3000))
def test_any_budget_is_respected(text: str, budget: int) -> None:
    limits = ShellLimits(max_steps=budget)
    _check(_strict(text * 3, limits), limits)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["ls -la", "git status", "echo hi", "cat f", "npm test"]),
        min_size=1,
        max_size=60,
    )
)
def test_steps_grow_linearly_with_plain_command_lists(cmds: list[str]) -> None:
    text = " && ".join(cmds)
    a = _strict(text, ShellLimits())
    assert a.steps <= 40 * len(text) + 100


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parse_raises_only_syntax_errors(text: str) -> None:
    with contextlib.suppress(ShellSyntaxError):
        parse(text)


@settings(max_examples=200, deadline=None)
@given(shellish)
def test_tokenize_raises_only_syntax_errors(text: str) -> None:
    try:
        lexed = tokenize(text)
    except ShellSyntaxError:
        return
    assert lexed.tokens[-1].kind.value == "eof"


_ARG = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ARG, max_size=8))
def test_shlex_join_round_trips_through_parse(argv: list[str]) -> None:
    text = shlex.join(["cmd", *argv])
    script = parse(text)
    cmd = script.body.items[0].and_or.pipelines[0].commands[0]
    assert isinstance(cmd, SimpleCommand)
    assert [w.literal() for w in cmd.words] == ["cmd", *argv]


@settings(max_examples=200, deadline=None)
@given(st.lists(_ARG, max_size=8))
def test_shlex_join_round_trips_through_analyze(argv: list[str]) -> None:
    a = analyze(shlex.join(["cmd", *argv]), env={})
    (fact,) = a.commands
    assert fact.argv == ("cmd", *argv)
    assert all(fact.argv_exact)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["-c", "+", "-S", "-W", "--cmd", "x"]) | _ARG, max_size=6))
def test_vim_arguments_name_only_files_written_in_them(args: list[str]) -> None:
    """Whatever the arguments, finding what Vim runs or touches never fails, and every file
    it reports is text taken from one of the arguments (unless `:execute` assembled it)."""
    for item in embedded_in_args("vim", args):
        if item.kind in (EmbeddedKind.READ, EmbeddedKind.WRITE) and "exe" not in " ".join(args):
            assert any(item.text in arg for arg in args)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=5), st.text(max_size=40))
def test_vim_string_expressions_join_their_literals(parts: list[str], noise: str) -> None:
    """`:execute 'a' . 'b'` runs `ab`: literal strings (quotes doubled inside) joined with `.`
    or `..` give their concatenation; any other text gives a string or None, never an error."""
    quoted = ["'" + p.replace("'", "''") + "'" for p in parts]
    assert vim_string(" . ".join(quoted)) == "".join(parts)
    assert vim_string("..".join(quoted)) == "".join(parts)
    assert vim_string(noise) is None or isinstance(vim_string(noise), str)
