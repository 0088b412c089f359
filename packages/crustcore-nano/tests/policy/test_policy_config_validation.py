"""Strict validation of `crustcore.toml`: every mistake names the file, line, rule and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.errors import ConfigError
from crustcore_nano.policy.config import (
    PolicyConfigError,
    UserPolicy,
    load_policy,
    parse_policy,
)
from crustcore_nano.policy.types import OpKind, Origin, Verdict

GOOD = """\
version = 1

[policy]
default_mcp = "ask"

[policy.mcp.github]
unknown_tools = "ask"
allow_tools = ["get_*", "list_*"]
deny_tools = ["delete_*"]

[[rules]]
name = "no-prod-kubectl"
action = "deny"
reason = "production is deployed by CI only"
tool = "bash"
command = 'kubectl\\s.*--context[= ]prod'

[[rules]]
name = "secrets-dir"
action = "ask"
path = ["~/secrets/**", "*.pem"]
operation = ["read", "write"]

[[rules]]
name = "allow-docs-host"
action = "allow"
host = "docs.example.com"
origin = ["model", "mcp"]
"""


def parse(text: str) -> UserPolicy:
    return parse_policy(text, source="crustcore.toml", home="/home/u")


def error(text: str) -> PolicyConfigError:
    with pytest.raises(PolicyConfigError) as info:
        parse(text)
    return info.value


def test_good_file_parses() -> None:
    policy = parse(GOOD)
    assert policy.default_mcp is Verdict.ASK
    assert [r.name for r in policy.rules] == ["no-prod-kubectl", "secrets-dir", "allow-docs-host"]
    assert [r.line for r in policy.rules] == [11, 18, 24]
    assert [r.action for r in policy.rules] == [Verdict.DENY, Verdict.ASK, Verdict.ALLOW]
    assert policy.rules[1].operations == {OpKind.READ, OpKind.WRITE}
    assert policy.rules[2].origins == {Origin.MODEL, Origin.MCP}
    assert policy.rules[1].reason == "matched user rule secrets-dir"


def test_defaults() -> None:
    policy = UserPolicy.default()
    assert policy.rules == ()
    assert policy.mcp_verdict("anything", "tool") is Verdict.DENY
    assert parse("").default_mcp is Verdict.DENY


@pytest.mark.parametrize(
    ("old", "new", "line", "rule", "key", "hint"),
    [
        (
            'reason = "production',
            'reasn = "production',
            14,
            "no-prod-kubectl",
            "reasn",
            "unknown key",
        ),
        (
            "'kubectl\\s.*--context[= ]prod'",
            "'(a+)+'",
            16,
            "no-prod-kubectl",
            "command",
            "exponential",
        ),
        ("'kubectl\\s.*--context[= ]prod'", "'(a|ab)*x'", 16, "no-prod-kubectl", "command", "same"),
        (
            "'kubectl\\s.*--context[= ]prod'",
            "'kubectl('",
            16,
            "no-prod-kubectl",
            "command",
            "compile",
        ),
        ('"*.pem"]', '"[a-"]', 21, "secrets-dir", "path", "glob"),
        (
            'operation = ["read", "write"]',
            'operation = ["reed"]',
            22,
            "secrets-dir",
            "operation",
            "reed",
        ),
        (
            'origin = ["model", "mcp"]',
            'origin = "satellite"',
            28,
            "allow-docs-host",
            "origin",
            "satellite",
        ),
        ('action = "ask"', "action = 3", 20, "secrets-dir", "action", "a number"),
        ('action = "ask"', 'action = "block"', 20, "secrets-dir", "action", "'block'"),
        ('tool = "bash"', "tool = []", 15, "no-prod-kubectl", "tool", "empty list"),
        ('tool = "bash"', "tool = [1]", 15, "no-prod-kubectl", "tool", "a number"),
        ('tool = "bash"', 'tool = ""', 15, "no-prod-kubectl", "tool", "empty"),
        ('tool = "bash"', "tool = {a = 1}", 15, "no-prod-kubectl", "tool", "a table"),
        (
            'host = "docs.example.com"',
            'host = "docs\\u0007x"',
            27,
            "allow-docs-host",
            "host",
            "control",
        ),
        (
            'reason = "production is deployed by CI only"',
            "reason = 5",
            14,
            "no-prod-kubectl",
            "reason",
            "reason",
        ),
        (
            'name = "allow-docs-host"',
            'name = "no-prod-kubectl"',
            25,
            "no-prod-kubectl",
            "name",
            "duplicate",
        ),
        ('name = "allow-docs-host"', 'name = "bad name!"', 25, "#3", "name", "letters"),
        ('name = "allow-docs-host"', 'name = "builtin-x"', 25, "builtin-x", "name", "reserved"),
    ],
)
def test_rule_errors_name_file_line_rule_key(  # noqa: PLR0917 - parametrized columns
    old: str, new: str, line: int, rule: str, key: str, hint: str
) -> None:
    assert old in GOOD
    err = error(GOOD.replace(old, new, 1))
    message = str(err)
    assert message.startswith(f"crustcore.toml:{line}: ")
    assert f'rule "{rule}"' in message
    assert f'key "{key}"' in message
    assert hint in message
    assert (err.line, err.rule, err.key, err.source) == (line, rule, key, "crustcore.toml")
    assert isinstance(err, ConfigError)


def test_duplicate_name_points_at_the_first_use() -> None:
    err = error(GOOD.replace('name = "allow-docs-host"', 'name = "secrets-dir"'))
    assert "first used on line 18" in str(err)


def test_missing_name_and_action_and_match() -> None:
    assert str(error(GOOD + '\n[[rules]]\naction = "deny"\ntool = "x"\n')).startswith(
        'crustcore.toml:30: rule "#4": missing `name`'
    )
    err = error(GOOD + '\n[[rules]]\nname = "x"\ntool = "y"\n')
    assert (err.line, err.rule) == (30, "x")
    assert "missing `action`" in str(err)
    err = error(GOOD + '\n[[rules]]\nname = "x"\naction = "deny"\n')
    assert (err.line, err.rule) == (30, "x")
    assert "at least one of" in str(err)


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "table"),
    [
        ('default_mcp = "ask"', 'default_mcp = "maybe"', 4, "default_mcp", "[policy]"),
        ('default_mcp = "ask"', 'default_mpc = "ask"', 4, "default_mpc", "[policy]"),
        ("allow_tools", "allowed_tools", 8, "allowed_tools", "[policy.mcp.github]"),
        (
            'unknown_tools = "ask"',
            "unknown_tools = true",
            7,
            "unknown_tools",
            "[policy.mcp.github]",
        ),
        ('deny_tools = ["delete_*"]', "deny_tools = 4", 9, "deny_tools", "[policy.mcp.github]"),
        ("version = 1", "version = 2", 1, "version", None),
        ("version = 1", 'version = 1\nrulez = "x"', 2, "rulez", None),
    ],
)
def test_policy_table_errors(old: str, new: str, line: int, key: str, table: str | None) -> None:
    err = error(GOOD.replace(old, new, 1))
    assert str(err).startswith(f"crustcore.toml:{line}: ")
    assert f'key "{key}"' in str(err)
    if table is not None:
        assert table in str(err)


def test_wrong_shapes() -> None:
    assert "array of tables" in str(error('rules = "x"\n'))
    assert "must be a table" in str(error("rules = [1]\n"))
    assert "expected a table" in str(error('policy = "deny"\n'))
    assert "expected a table" in str(error('[policy]\nmcp = "x"\n'))
    assert "unique" in str(error("[policy.mcp.A]\n[policy.mcp.a]\n"))


def test_invalid_toml_and_foreign_sections() -> None:
    err = error("[[rules]\n")
    assert str(err).startswith("crustcore.toml: not valid TOML")
    assert "line 1" in str(err)
    with pytest.raises(PolicyConfigError):
        parse("[sandbox]\nx = 1\n")
    policy = parse_policy("[sandbox]\nx = 1\n", source="c.toml", foreign_sections=["sandbox"])
    assert policy.rules == ()


def test_inline_rules_array_still_gets_a_line() -> None:
    err = error('version = 1\nrules = [{ name = "a", action = "deny", tol = "x" }]\n')
    assert err.line == 2
    assert err.key == "tol"


def test_multiline_string_does_not_confuse_line_numbers() -> None:
    text = (
        '[[rules]]\nname = "a"\naction = "deny"\nreason = """\n[[rules]]\nname = "fake"\n"""\n'
        'tool = "x"\n\n[[rules]]\nname = "b"\naction = "deny"\nbogus = 1\n'
    )
    err = error(text)
    assert (err.line, err.rule, err.key) == (13, "b", "bogus")


def test_load_policy(tmp_path: Path) -> None:
    path = tmp_path / "crustcore.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_policy(path, home="/home/u").rules) == 3
    missing = tmp_path / "nope.toml"
    assert load_policy(missing, missing_ok=True) == UserPolicy.default()
    with pytest.raises(PolicyConfigError, match="not found"):
        load_policy(missing)
    path.write_bytes(b"\xff\xfe[policy]")
    with pytest.raises(PolicyConfigError, match="UTF-8"):
        load_policy(path)
    path.write_text(GOOD.replace("version = 1", "version = 1\nbad = 1"), encoding="utf-8")
    with pytest.raises(PolicyConfigError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}:2: ")
