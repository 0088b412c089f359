"""The parser: lists, pipelines, compound commands, functions and its bounds."""

from __future__ import annotations

import pytest
from crustcore_nano.shell import ShellLimitError, ShellLimits, ShellSyntaxError, parse
from crustcore_nano.shell.syntax import (
    ArithCommand,
    BraceGroup,
    CaseClause,
    Command,
    CondCommand,
    ForClause,
    FunctionDef,
    IfClause,
    LoopClause,
    Pipeline,
    Script,
    SimpleCommand,
    Subshell,
)


def _first(script: Script) -> Command:
    return script.body.items[0].and_or.pipelines[0].commands[0]


def _argv(cmd: Command) -> list[str | None]:
    assert isinstance(cmd, SimpleCommand)
    return [w.literal() for w in cmd.words]


def test_list_with_and_or_and_background() -> None:
    script = parse("a && b || c; d & e")
    items = script.body.items
    assert len(items) == 3
    assert items[0].and_or.ops == ("&&", "||")
    assert items[1].background
    assert not items[2].background


def test_pipeline_and_negation() -> None:
    script = parse("! a | b |& c")
    pipeline = script.body.items[0].and_or.pipelines[0]
    assert isinstance(pipeline, Pipeline)
    assert pipeline.negated
    assert [_argv(c) for c in pipeline.commands] == [["a"], ["b"], ["c"]]


def test_newlines_separate_commands_and_continue_pipelines() -> None:
    script = parse("a |\n b &&\n c\n\nd")
    assert len(script.body.items) == 2


def test_assignments_words_and_redirects() -> None:
    cmd = _first(parse("A=1 B+=2 cmd x 2>/dev/null <in y"))
    assert isinstance(cmd, SimpleCommand)
    assert [(a.name, a.append, a.value.literal()) for a in cmd.assignments] == [
        ("A", False, "1"),
        ("B", True, "2"),
    ]
    assert [w.literal() for w in cmd.words] == ["cmd", "x", "y"]
    assert [(r.op, r.fd) for r in cmd.redirects] == [(">", 2), ("<", None)]


def test_assignment_after_command_name_is_an_argument() -> None:
    cmd = _first(parse("env X=1"))
    assert isinstance(cmd, SimpleCommand)
    assert cmd.assignments == ()
    assert _argv(cmd) == ["env", "X=1"]


def test_subshell_and_brace_group_with_redirects() -> None:
    sub = _first(parse("(cd /tmp; ls) > out"))
    assert isinstance(sub, Subshell)
    assert len(sub.body.items) == 2
    assert [r.op for r in sub.redirects] == [">"]
    group = _first(parse("{ echo a; echo b; } 2>&1"))
    assert isinstance(group, BraceGroup)
    assert len(group.body.items) == 2


def test_if_elif_else() -> None:
    cmd = _first(parse("if a; then b; elif c; then d; else e; fi"))
    assert isinstance(cmd, IfClause)
    assert len(cmd.branches) == 2
    assert cmd.else_body is not None


def test_loops() -> None:
    w = _first(parse("while read l; do echo $l; done < f"))
    assert isinstance(w, LoopClause)
    assert not w.until
    assert [r.op for r in w.redirects] == ["<"]
    u = _first(parse("until false\ndo :\ndone"))
    assert isinstance(u, LoopClause)
    assert u.until


def test_for_forms() -> None:
    f = _first(parse("for x in a b c; do echo $x; done"))
    assert isinstance(f, ForClause)
    assert f.var == "x"
    assert f.items is not None
    assert [w.literal() for w in f.items] == ["a", "b", "c"]
    g = _first(parse("for x; do :; done"))
    assert isinstance(g, ForClause)
    assert g.items is None
    h = _first(parse("for ((i=0; i<3; i++)); do echo $i; done"))
    assert isinstance(h, ForClause)
    assert h.arith is not None


def test_case_finds_commands_in_arms() -> None:
    cmd = _first(parse("case $1 in\n  a|b) echo ab ;;\n  (*) rm x ;;\nesac"))
    assert isinstance(cmd, CaseClause)
    assert len(cmd.items) == 2
    assert [w.literal() for w in cmd.items[0].patterns] == ["a", "b"]
    arm = cmd.items[1].body.items[0].and_or.pipelines[0].commands[0]
    assert _argv(arm) == ["rm", "x"]


def test_function_definitions() -> None:
    f = _first(parse("f() { echo hi; }"))
    assert isinstance(f, FunctionDef)
    assert f.name == "f"
    assert isinstance(f.body, BraceGroup)
    g = _first(parse("function g { ls; }"))
    assert isinstance(g, FunctionDef)
    assert g.name == "g"


def test_double_bracket_and_arithmetic_commands() -> None:
    t = _first(parse("[[ -f x && $a < b ]]"))
    assert isinstance(t, CondCommand)
    assert [w.literal() for w in t.words][:2] == ["-f", "x"]
    a = _first(parse("((i += 1))"))
    assert isinstance(a, ArithCommand)


def test_reserved_words_as_arguments_are_plain_words() -> None:
    assert _argv(_first(parse("echo if then done }"))) == ["echo", "if", "then", "done", "}"]


def test_nested_substitution_is_parsed() -> None:
    cmd = _first(parse("echo $(cat $(ls))"))
    assert isinstance(cmd, SimpleCommand)


@pytest.mark.parametrize(
    "text",
    [
        "if a; then b",
        "for x in a; do b",
        "a &&",
        "| a",
        "(a",
        "a)",
        "{ a; ",
        "case x in a) b",
        "f() echo",
        "a; ;",
        "fi",
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ShellSyntaxError):
        parse(text)


def test_nesting_limit() -> None:
    deep = "( " * 20 + "ls" + " )" * 20
    with pytest.raises(ShellLimitError):
        parse(deep, ShellLimits(max_depth=8))


def test_substitution_nesting_limit() -> None:
    deep = "echo " + "$(" * 12 + "ls" + ")" * 12
    with pytest.raises(ShellLimitError):
        parse(deep, ShellLimits(max_depth=8))


def test_size_limit() -> None:
    with pytest.raises(ShellLimitError):
        parse("a" * 100, ShellLimits(max_input=10))


def test_spans_point_into_source() -> None:
    text = "echo a && cat  /etc/hosts"
    script = parse(text)
    second = script.body.items[0].and_or.pipelines[1].commands[0]
    assert isinstance(second, SimpleCommand)
    assert text[second.start : second.end] == "cat  /etc/hosts"
