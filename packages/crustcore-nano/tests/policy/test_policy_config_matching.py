"""What a compiled user rule and the MCP tool policy match."""

from __future__ import annotations

import pytest
from crustcore_nano.policy.config import UserPolicy, UserRule, parse_policy
from crustcore_nano.policy.regex_check import regex_problem
from crustcore_nano.policy.types import OpKind, Origin, Verdict
from crustcore_nano.policy.wildcard import WildcardError, compile_wildcard


def rule(body: str) -> UserRule:
    text = f'[[rules]]\nname = "r"\naction = "deny"\n{body}\n'
    policy = parse_policy(text, source="t.toml", home="/home/u")
    return policy.rules[0]


def test_tool_and_operation() -> None:
    r = rule('tool = ["bash", "mcp__*__exec*"]\noperation = "execute"')
    assert r.matches("bash", OpKind.EXECUTE, [], [], "ls", None, Origin.MODEL)
    assert r.matches("mcp__ops__exec_sql", OpKind.EXECUTE, [], [], None, None, Origin.MCP)
    assert not r.matches("bash", OpKind.READ, [], [], "ls", None, Origin.MODEL)
    assert not r.matches("shell", OpKind.EXECUTE, [], [], "ls", None, Origin.MODEL)
    assert rule('tool = "Bash"').matches("bash", OpKind.EXECUTE, [], [], None, None, Origin.API)


def test_path_globs_use_home_and_tail_matching() -> None:
    r = rule('path = ["~/secrets/**", "*.pem"]')
    assert r.matches("read", OpKind.READ, ["/home/u/secrets/a/b"], [], None, None, Origin.API)
    assert r.matches("read", OpKind.READ, ["/w/x", "/w/certs/k.pem"], [], None, None, Origin.API)
    assert not r.matches("read", OpKind.READ, ["/w/x.txt"], [], None, None, Origin.API)
    assert not r.matches("bash", OpKind.EXECUTE, [], [], "cat x.pem", None, Origin.API)
    assert r.matches(
        "read", OpKind.READ, ["/W/K.PEM"], [], None, None, Origin.API, case_insensitive_paths=True
    )


def test_hosts() -> None:
    r = rule('host = ["*.evil.test", "**.corp.test", "10.0.0.1"]')
    assert r.matches("fetch", OpKind.NETWORK, [], ["a.evil.test"], None, None, Origin.API)
    assert not r.matches("fetch", OpKind.NETWORK, [], ["a.b.evil.test"], None, None, Origin.API)
    assert r.matches("fetch", OpKind.NETWORK, [], ["x.y.corp.test."], None, None, Origin.API)
    assert r.matches("fetch", OpKind.NETWORK, [], ["10.0.0.1"], None, None, Origin.API)
    assert r.matches("fetch", OpKind.NETWORK, [], ["A.EVIL.TEST"], None, None, Origin.API)
    assert not r.matches("fetch", OpKind.NETWORK, [], [], None, None, Origin.API)


def test_command_content_origin_are_anded() -> None:
    r = rule("command = 'rm\\s+-rf'\ncontent = '(?i)secret'\norigin = \"model\"")
    assert r.matches("bash", OpKind.EXECUTE, [], [], "rm -rf /", "SECRET", Origin.MODEL)
    assert not r.matches("bash", OpKind.EXECUTE, [], [], "rm -rf /", "SECRET", Origin.HOOK)
    assert not r.matches("bash", OpKind.EXECUTE, [], [], "rm -rf /", None, Origin.MODEL)
    assert not r.matches("bash", OpKind.EXECUTE, [], [], None, "secret", Origin.MODEL)
    many = rule("command = ['^git push', '^npm publish']")
    assert many.matches("bash", OpKind.EXECUTE, [], [], "npm publish", None, Origin.API)


def test_mcp_tool_policy() -> None:
    text = """
[policy]
default_mcp = "ask"
[policy.mcp.GitHub]
unknown_tools = "deny"
allow_tools = ["get_*", "list_issues"]
deny_tools = ["get_secret*"]
"""
    policy = parse_policy(text, source="t.toml")
    assert policy.mcp_verdict("github", "get_issue") is Verdict.ALLOW
    assert policy.mcp_verdict("GITHUB", "LIST_ISSUES") is Verdict.ALLOW
    assert policy.mcp_verdict("github", "get_secret_value") is Verdict.DENY
    assert policy.mcp_verdict("github", "create_repo") is Verdict.DENY
    assert policy.mcp_verdict("slack", "post") is Verdict.ASK
    assert policy.mcp_verdict(None, "post") is Verdict.ASK
    assert UserPolicy.default().mcp_verdict("github", "get_issue") is Verdict.DENY


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+", "(.*)*", "(\\w+\\s?)+$", "((a+)b)*", "(a|ab)*", "(\\d|\\w)+", "(a|)+", "(?:x*){2,}"],
)
def test_unsafe_regexes_are_refused(pattern: str) -> None:
    assert regex_problem(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    ["rm\\s+-rf", "(foo|bar)+", "curl.*\\|\\s*(ba)?sh", "(a+)?", "(ab){3}", "[(]+", "\\(a+\\)+"],
)
def test_safe_regexes_are_accepted(pattern: str) -> None:
    assert regex_problem(pattern) is None


def test_wildcard_errors() -> None:
    for bad in ("", "a\\", "x" * 600, "a\x01"):
        with pytest.raises(WildcardError):
            compile_wildcard(bad)
    assert compile_wildcard("a\\*b").match("a*b")
    assert not compile_wildcard("a\\*b").match("axb")
    assert compile_wildcard("b?sh").match("bash")
    assert compile_wildcard("*").match("")
