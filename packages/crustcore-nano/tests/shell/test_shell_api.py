"""The public contract the rule engine is written against."""

from __future__ import annotations

import dataclasses

import pytest
from crustcore_nano import shell
from crustcore_nano.errors import CrustCoreError, UsageError
from crustcore_nano.shell import (
    OpKind,
    ShellAnalysis,
    ShellArgumentError,
    ShellLimits,
    ShellSignal,
    ShellSyntaxError,
    analyze,
    parse,
)


def test_exports() -> None:
    for name in (
        "analyze",
        "parse",
        "tokenize",
        "ShellAnalysis",
        "CommandFact",
        "NetworkTarget",
        "ShellSignal",
        "OpKind",
        "ShellLimits",
        "ChmodFact",
    ):
        assert hasattr(shell, name)
        assert name in shell.__all__


@pytest.mark.parametrize("bad", [None, b"ls", 3, ["ls"]])
def test_wrong_command_type_raises_argument_error(bad: object) -> None:
    with pytest.raises(ShellArgumentError):
        analyze(bad)  # type: ignore[arg-type]


def test_wrong_option_types_raise_argument_error() -> None:
    with pytest.raises(ShellArgumentError):
        analyze("ls", env=["X"])  # type: ignore[arg-type]
    with pytest.raises(ShellArgumentError):
        analyze("ls", home=1)  # type: ignore[arg-type]
    with pytest.raises(ShellArgumentError):
        analyze("ls", limits={"max_depth": 1})  # type: ignore[arg-type]


def test_error_hierarchy() -> None:
    assert issubclass(ShellArgumentError, UsageError)
    assert issubclass(ShellArgumentError, TypeError)
    assert issubclass(ShellSyntaxError, CrustCoreError)
    with pytest.raises(ShellSyntaxError) as info:
        parse("echo 'x")
    assert info.value.offset >= 0


def test_result_is_frozen_and_hashable() -> None:
    a = analyze("cat /etc/hosts | grep x > out", home="/h")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.parsed_ok = False  # type: ignore[misc]
    assert hash(a.commands[0]) == hash(a.commands[0])
    assert isinstance(a.signals, frozenset)


def test_result_fields_for_a_typical_line() -> None:
    a = analyze("cd /srv && FOO=1 sudo cat conf.yml > /tmp/out", home="/h", cwd="/w")
    assert isinstance(a, ShellAnalysis)
    assert a.parsed_ok
    assert a.error is None
    assert a.programs == ("cd", "cat")
    assert a.reads == ("/srv/conf.yml",)
    assert a.writes == ("/tmp/out",)
    assert a.env_assignments == (("FOO", "1"),)
    cat = a.commands[1]
    assert cat.program == "cat"
    assert cat.full_argv == ("sudo", "cat", "conf.yml")
    assert cat.privileged
    assert cat.text == "FOO=1 sudo cat conf.yml > /tmp/out"
    assert a.command[cat.span[0] : cat.span[1]] == cat.text
    assert [(r.op, r.target, r.kind) for r in cat.redirects] == [(">", "/tmp/out", OpKind.WRITE)]


def test_empty_and_comment_only_input() -> None:
    for text in ("", "   ", "# just a comment", "\n\n"):
        a = analyze(text)
        assert a.parsed_ok
        assert a.commands == ()
        assert a.signals == frozenset()


def test_unparseable_result_shape() -> None:
    a = analyze("echo $(")
    assert not a.parsed_ok
    assert a.signals == frozenset({ShellSignal.UNPARSEABLE})
    assert a.error is not None
    assert a.commands == ()


def test_limits_are_configurable() -> None:
    a = analyze("sh -c 'sh -c \"ls\"'", limits=ShellLimits(max_depth=1))
    assert ShellSignal.DEPTH_LIMIT in a.signals
    assert analyze("sh -c 'sh -c \"ls\"'").signals == frozenset()
