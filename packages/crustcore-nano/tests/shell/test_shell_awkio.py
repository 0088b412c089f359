"""awk's commands and redirections: what it runs, what it feeds a command, what it writes."""

from __future__ import annotations

import pytest
from crustcore_nano.shell.awkio import OUTPUT_STANDIN, awk_io, awk_lex
from crustcore_nano.shell.interp import scan_code
from crustcore_nano.shell.limits import Budget
from hypothesis import given, settings
from hypothesis import strategies as st


def _io(code: str) -> tuple[list[str], list[str], list[str], list[str]]:
    result = scan_code("awk", code, Budget(1_000_000))
    return (
        list(result.commands),
        list(result.built_commands),
        list(result.reads),
        list(result.writes),
    )


@pytest.mark.parametrize(
    ("code", "command"),
    [
        ('BEGIN { print "cat ~/.aws/credentials" | "sh" }',
         "printf '%s\\n' 'cat ~/.aws/credentials' | sh"),
        ('BEGIN { printf "id\\n" | "bash" }', "printf '%s' 'id\n' | bash"),
        ('BEGIN { print "id" |& "sh" }', "printf '%s\\n' id | sh"),
        ('{ print | "sh" }', f"{OUTPUT_STANDIN} | sh"),
        ('{ print $1 | "sort -u" }', f"{OUTPUT_STANDIN} | sort -u"),
        ('BEGIN { c = "bash"; print "id" | c; close(c) }', "printf '%s\\n' id | bash"),
        ('BEGIN { c = "cat ~/.netrc"; c | getline x }', "cat ~/.netrc"),
        ('BEGIN { while (("ls src" | getline f) > 0) print f }', "ls src"),
        ('BEGIN { d = ENVIRON["HOME"] "/.ssh"; system("cat " d "/id_rsa") }',
         "cat ${HOME}/.ssh/id_rsa"),
        ('BEGIN { system("cat " ENVIRON["HOME"] "/.netrc") }', "cat ${HOME}/.netrc"),
        ('/"/ { print "id" | "sh" }', "printf '%s\\n' id | sh"),
        ('/#/ { system("id -u") }', "id -u"),
    ],
)  # fmt: skip
def test_the_commands_awk_runs(code: str, command: str) -> None:
    commands, built, _, _ = _io(code)
    assert command in commands
    assert built == []


@pytest.mark.parametrize(
    ("code", "expression"),
    [
        ("{ system($0) }", "$0"),
        ('{ system("mv " $1 " " $2) }', '"mv " $1 " " $2'),
        ('{ c = "wc -l " $1; c | getline n }', "c"),
        ("function run(c) { system(c) } BEGIN { run(1) }", "c"),
        ('BEGIN { c = "ls"; getline c < "f"; system(c) }', "c"),
        ('{ split($0, parts); system(parts) }', "parts"),
        ('BEGIN { print "id" | cmd }', "cmd"),
        ('BEGIN { system(ENVIRON["X Y"]) }', 'ENVIRON["X Y"]'),
    ],
)  # fmt: skip
def test_a_command_built_at_run_time_is_reported_as_written(code: str, expression: str) -> None:
    _, built, _, _ = _io(code)
    assert built == [expression]


@pytest.mark.parametrize(
    ("code", "reads", "writes"),
    [
        ('BEGIN { print "x" > ENVIRON["HOME"] "/.bashrc" }', [], ["~/.bashrc"]),
        ('BEGIN { f = ENVIRON["HOME"] "/.profile"; print "x" >> f }', [], ["~/.profile"]),
        ('{ print > ($1 ".txt") }', [], ['$(awk: ($1 ".txt"))']),
        ('BEGIN { getline l < (ENVIRON["HOME"] "/.netrc") }', ["~/.netrc"], []),
        ('BEGIN { getline < ENVIRON["KUBECONFIG"] }', ["${KUBECONFIG}"], []),
        ('{ print ($1 > 5) }', [], []),
        ('NR > 1 { print $1 }', [], []),
    ],
)  # fmt: skip
def test_the_files_awk_redirects_to(code: str, reads: list[str], writes: list[str]) -> None:
    _, built, found_reads, found_writes = _io(code)
    assert [r for r in found_reads if r in reads or r.startswith(("~", "$"))] == reads
    assert found_writes == writes
    assert built == []


@pytest.mark.parametrize(
    "code",
    [
        "{ print $1 }",
        "{ s += $1 } END { print s }",
        "/foo|bar/ { print $2 }",
        '{ if ($1 == "a" || $2 == "b") print }',
        "{ x = $1 / 2; y = $2 / 3; print x, y }",
        '{ n++ } END { print n > "/dev/stderr" }',
        '-F, { printf "%s,%s\\n", $2, $1 }',
    ],
)
def test_everyday_awk_runs_nothing(code: str) -> None:
    commands, built, _, _ = _io(code)
    assert (commands, built) == ([], [])


@pytest.mark.parametrize(
    ("code", "strings"),
    [
        ('/"/ { print "a" }', ['"a"']),
        ('/#/ { print "a" } # "not a string"', ['"a"']),
        ('$1 ~ /["]/ { print "b" }', ['"b"']),
        ('{ x = a / 2; print "c" / 1 }', ['"c"']),
        ('{ print /"/ ; print "d" }', ['"d"']),
        ('{ n++ / 2; print "e" }', ['"e"']),
        ('{ print "f\\"g" }', ['"f\\"g"']),
    ],
)
def test_the_awk_lexer_skips_patterns_and_comments(code: str, strings: list[str]) -> None:
    assert [code[a:b] for a, b in awk_lex(code)[0]] == strings


def test_a_program_with_too_many_command_places_is_not_followed_past_the_bound() -> None:
    code = "BEGIN { " + '; system("true")' * 100 + " }"
    io = awk_io(code, [], [])
    assert any("more than" in b for b in io.built)
    assert len(io.commands) <= 64


_AWKISH = st.lists(
    st.sampled_from([
        *'abcxy$01 ()[]{};,=<>|&/"#\\\n~!+-',
        "print ", "printf ", "getline", "system(", "ENVIRON[", '"HOME"', '"sh"', "|&",
    ]),
    max_size=120,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_AWKISH)
def test_awk_io_never_raises_and_its_answers_stay_bounded(code: str) -> None:
    strings, skipped = awk_lex(code)
    literals = [(code[a + 1 : max(a + 1, b - 1)], a, b) for a, b in strings]
    io = awk_io(code, literals, skipped)
    assert len(io.commands) <= 64 * 16
    assert len(io.built) <= 65
    for start, end in strings:
        assert code[start] == '"' and start < end <= len(code)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=4000), st.sampled_from(["a=", "(", "/", '"', "x|"]))
def test_awk_io_reads_repetitive_code_within_its_windows(count: int, piece: str) -> None:
    """Long runs of one construct are read within the bounded windows (the step budget of
    the scanner caps the rest): the call returns and reports a bounded answer."""
    code = "BEGIN { " + piece * count + ' print "x" | "sh" }'
    io = awk_io(code, [], [])
    assert len(io.commands) <= 64 * 16
