"""The shortcut for plain command lines must give exactly what the general path gives.

`fastparse` builds the tree (for `parse`) and feeds the analyser (for `analyze`) without the
general lexer and parser. It is speed work only: every property here compares the shortcut with
the general path on the same input - tree, result, error message and step count - including
budgets small enough to run out.
"""

from __future__ import annotations

import shlex

import pytest
from crustcore_nano.shell import ShellLimits, ShellSyntaxError
from crustcore_nano.shell.analyzer import analyze_uncached
from crustcore_nano.shell.fastparse import scan_plain
from crustcore_nano.shell.limits import Budget
from crustcore_nano.shell.parser import parse_with
from hypothesis import given, settings
from hypothesis import strategies as st

_WORDS = [
    "git",
    "status",
    "--short",
    "src/pkg0",
    "ls",
    "-la",
    "cat",
    "wc",
    "-l",
    "grep",
    "-rn",
    "'TODO'",
    "'a b'",
    "''",
    '""',
    '"q r"',
    "x'y'z",
    "'it''s'",
    "sed",
    "-i",
    "'s/a/b/g'",
    "sudo",
    "env",
    "A=1",
    "a+=b",
    "1a=b",
    "=x",
    "sh",
    "-c",
    "'echo hi; rm -rf /'",
    "python",
    "'import os'",
    "xargs",
    "rm",
    "HEAD~1",
    "~/x",
    "~",
    "*.py",
    "a*b",
    "[ab]",
    "{a,b}",
    "HEAD@{1}",
    "a{b",
    "}",
    "{",
    "!",
    "if",
    "then",
    "in",
    "[[",
    "#c",
    "a#b",
    "é",
    "curl",
    "https://e.example/x",
    "cd",
    "/",
    "..",
    "make",
    "find",
    "-exec",
    "{}",
    "eval",
    "echo",
    "base64",
    "-d",
    "bash",
    "'{print $1}'",
    "'a(b)'",
    "'x\ny'",
    '"a\'b"',
    "'a\"b'",
    "'$HOME'",
    "'a|b;c&&d'",
    "'`id`'",
    "'\\'",
]
_ODD_WORDS = ["$X", "a\\ b", "(x)", "<f", ">f", "'open", '"$X"']
_SEPARATORS = [" ", " ", " ", "  ", "\t", " | ", "|", " && ", "&&", " || ", "; ", ";"]
_ODD_SEPARATORS = [" & ", ";;", "|&", "\n", " ;", "| |"]
_EDGES = ["", " ", "\t", ";"] * 6 + ["|", "&&", "&"]

_plain_lines = st.builds(
    lambda lead, words, seps, tail: (
        lead + "".join(w + s for w, s in zip(words, seps, strict=False)) + words[-1] + tail
    ),
    st.sampled_from(_EDGES),
    # Mostly plain words and separators (the shortcut's ground), some that are not.
    st.lists(st.sampled_from(_WORDS * 8 + _ODD_WORDS), min_size=1, max_size=10),
    st.lists(st.sampled_from(_SEPARATORS * 8 + _ODD_SEPARATORS), min_size=9, max_size=9),
    st.sampled_from(_EDGES),
)
_budgets = st.sampled_from([300_000, 40, 90, 150, 400])


def _parse(text: str, limits: ShellLimits, *, plain: bool) -> tuple[object, int]:
    budget = Budget(limits.max_steps)
    try:
        return parse_with(text, budget, limits, plain=plain), budget.steps
    except ShellSyntaxError as exc:
        return (type(exc).__name__, str(exc)), budget.steps


@settings(max_examples=300, deadline=None)
@given(_plain_lines, _budgets)
def test_plain_parse_builds_the_general_tree_for_the_same_steps(text: str, steps: int) -> None:
    limits = ShellLimits(max_steps=steps)
    assert _parse(text, limits, plain=True) == _parse(text, limits, plain=False)


@settings(max_examples=300, deadline=None)
@given(_plain_lines, _budgets, st.sampled_from([None, {}, {"HOME": "/h", "X": "a b"}]))
def test_plain_analysis_equals_the_general_analysis(
    text: str, steps: int, env: dict[str, str] | None
) -> None:
    limits = ShellLimits(max_steps=steps)
    items = None if env is None else frozenset(env.items())
    fast = analyze_uncached(text, items, "/home/u", "/work", limits, strict=True)
    general = analyze_uncached(text, items, "/home/u", "/work", limits, strict=True, plain=False)
    assert fast == general


@settings(max_examples=150, deadline=None)
@given(_plain_lines)
def test_nested_plain_lines_analyse_like_the_general_path(text: str) -> None:
    # `sh -c '...'` runs the inner line through the same shortcut.
    outer = f"sh -c {shlex.quote(text)} && bash -c {shlex.quote(text)} | cat"
    limits = ShellLimits(max_depth=3)
    fast = analyze_uncached(outer, None, None, "/w", limits, strict=True)
    general = analyze_uncached(outer, None, None, "/w", limits, strict=True, plain=False)
    assert fast == general


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("git status --short src/pkg0", 1),
        ("git diff --stat HEAD~0", 1),
        ("npm test -- --grep case0", 1),
        ("python -m pytest -q tests/test_0.py", 1),
        ("grep -rn 'TODO0' src | head -20", 2),
        ("ls -la src/pkg0", 1),
        ("cat src/module_0.py | wc -l", 2),
        ("cd src && make target0", 2),
        ("sed -i 's/old0/new0/g' src/module_0.py", 1),
        ("docker build -t app:0 .", 1),
        ("FOO=1 npm run build; git add -A || true", 3),
        ("echo 'a | b' \"c ; d\"\tdone-ish", 1),
        ("awk '{print $1}' f | sort -u", 2),
        ("python -c 'print(1)' && grep -E 'a|b' f", 2),
    ],
)
def test_agent_commands_take_the_shortcut(text: str, commands: int) -> None:
    scanned = scan_plain(text, ShellLimits())
    assert scanned is not None
    line, steps = scanned
    assert sum(len(pipe[0]) for item in line for pipe in item[0]) == commands
    budget = Budget(10**9)
    parse_with(text, budget, ShellLimits(), plain=False)
    assert steps == budget.steps


@pytest.mark.parametrize(
    "text",
    [
        "echo $HOME",
        "cat <f",
        "ls >out",
        "echo `id`",
        "a\nb",
        "a \\\n b",
        "if true; then x; fi",
        "{ a; }",
        "! a",
        "a # comment",
        "f() { a; }",
        "a &",
        "a ;; b",
        "a |& b",
        "| a",
        "a &&",
        "echo 'unterminated",
        'echo "$X"',
        "arr=(a b)",
    ],
)
def test_other_syntax_goes_to_the_general_parser(text: str) -> None:
    assert scan_plain(text, ShellLimits()) is None
