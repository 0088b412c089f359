"""Properties: the policy loader and its helpers never raise anything but ConfigError."""

from __future__ import annotations

import fnmatch

from crustcore_nano.errors import ConfigError
from crustcore_nano.policy.config import parse_policy
from crustcore_nano.policy.regex_check import regex_problem
from crustcore_nano.policy.toml_lines import scan_lines
from crustcore_nano.policy.wildcard import compile_wildcard
from hypothesis import given, settings
from hypothesis import strategies as st

FRAGMENTS = [
    "[[rules]]\n",
    "[policy]\n",
    "[policy.mcp.x]\n",
    'name = "a"\n',
    'name = "b"\n',
    'action = "deny"\n',
    'action = "allow"\n',
    'tool = "*"\n',
    'path = ["~/x/**", "[a-"]\n',
    "command = '(a+)+'\n",
    "command = 'ls'\n",
    'host = "*.x"\n',
    'operation = "read"\n',
    "origin = 7\n",
    'default_mcp = "ask"\n',
    "allow_tools = []\n",
    '"""\n',
    "'''\n",
    "x = [\n",
    "]\n",
    "# comment\n",
    "version = 1\n",
    "\n",
]


def try_parse(text: str) -> None:
    message = None
    try:
        parse_policy(text, source="p.toml", home="/h")
    except ConfigError as exc:
        message = str(exc)
    assert message is None or message.startswith("p.toml")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_only_raises_config_error(text: str) -> None:
    try_parse(text)
    scan_lines(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_tomlish_text_only_raises_config_error(parts: list[str]) -> None:
    text = "".join(parts)
    try_parse(text)
    lines = scan_lines(text)
    for header in lines.headers:
        assert 1 <= header.line <= text.count("\n") + 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab()|*+?{},.\\[]^$:d1", max_size=30))
def test_regex_problem_never_raises_and_only_passes_compilable_patterns(pattern: str) -> None:
    problem = regex_problem(pattern)
    if problem is None:
        import re

        re.compile(pattern)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab*?", min_size=1, max_size=8), st.text(alphabet="ab", max_size=10))
def test_tool_wildcard_agrees_with_fnmatch(pattern: str, text: str) -> None:
    assert compile_wildcard(pattern).match(text) == fnmatch.fnmatchcase(text, pattern)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab*.", min_size=1, max_size=8), st.text(alphabet="ab.", max_size=10))
def test_host_star_never_crosses_a_dot(pattern: str, text: str) -> None:
    wildcard = compile_wildcard(pattern, separator=".")
    if "**" not in pattern and wildcard.match(text):
        assert text.count(".") == pattern.count(".")
