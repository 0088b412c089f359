"""Expansion: variables, `~`, braces, IFS splitting, substitutions and what stays unknown."""

from __future__ import annotations

from crustcore_nano.shell import CommandFact, OpKind, ShellAnalysis, ShellSignal, analyze

HOME = "/home/u"


def _an(text: str, *, env: dict[str, str] | None = None, cwd: str | None = None) -> ShellAnalysis:
    return analyze(text, home=HOME, env=env, cwd=cwd)


def _cmd(a: ShellAnalysis, name: str) -> CommandFact:
    for fact in a.commands:
        if fact.name == name:
            return fact
    raise AssertionError(f"{name} not found in {[f.name for f in a.commands]}")


def test_tilde_expands_to_home() -> None:
    assert _an("cat ~/.ssh/id_rsa").reads == ("/home/u/.ssh/id_rsa",)


def test_tilde_without_home_is_kept_and_marked_inexact() -> None:
    a = analyze("cat ~/.ssh/id_rsa")
    fact = _cmd(a, "cat")
    assert fact.argv == ("cat", "~/.ssh/id_rsa")
    assert fact.argv_exact == (True, False)


def test_quoted_tilde_is_literal() -> None:
    assert _cmd(_an("echo '~/x'"), "echo").argv == ("echo", "~/x")


def test_assignment_earlier_in_line_is_used() -> None:
    assert _an("F=~/.ssh/id_rsa; cat $F").reads == ("/home/u/.ssh/id_rsa",)


def test_assignment_with_and_list() -> None:
    assert _an("D=/etc && cat ${D}/shadow").reads == ("/etc/shadow",)


def test_env_mapping_is_used() -> None:
    a = _an("cat $SECRET_DIR/key", env={"SECRET_DIR": "/srv/keys"})
    assert a.reads == ("/srv/keys/key",)


def test_home_variable_comes_from_home() -> None:
    assert _an("cat $HOME/.aws/credentials").reads == ("/home/u/.aws/credentials",)


def test_home_defaults_from_env() -> None:
    a = analyze("cat ~/.netrc", env={"HOME": "/root"})
    assert a.reads == ("/root/.netrc",)


def test_unknown_variable_is_marked_not_dropped() -> None:
    a = analyze("cat $X/.env")
    fact = _cmd(a, "cat")
    assert fact.argv == ("cat", "$X/.env")
    assert fact.argv_exact == (True, False)
    assert a.reads == ("$X/.env",)
    assert not a.operations[1].exact if len(a.operations) > 1 else True


def test_complete_env_makes_unset_variable_empty() -> None:
    a = analyze("cat ${MISSING:-/etc/passwd}", env={})
    assert a.reads == ("/etc/passwd",)


def test_default_value_with_unknown_variable_stays_unknown() -> None:
    a = analyze("cat ${MAYBE:-/etc/passwd}")
    assert not _cmd(a, "cat").exact


def test_alternative_and_assign_default() -> None:
    a = analyze("X=1; echo ${X:+set} ${Y:=dflt} $Y", env={})
    assert _cmd(a, "echo").argv == ("echo", "set", "dflt", "dflt")


def test_prefix_and_suffix_removal() -> None:
    a = analyze("F=/tmp/a.txt; cat ${F%.txt}.bak ${F#/tmp/}", env={})
    assert _cmd(a, "cat").argv == ("cat", "/tmp/a.bak", "a.txt")


def test_length_and_replacement() -> None:
    a = analyze("F=abcabc; echo ${#F} ${F//b/x} ${F/b/x}", env={})
    assert _cmd(a, "echo").argv == ("echo", "6", "axcaxc", "axcabc")


def test_ifs_splitting_of_unquoted_expansion() -> None:
    a = analyze("cat${IFS}/etc/passwd")
    assert _cmd(a, "cat").argv == ("cat", "/etc/passwd")


def test_quoted_expansion_is_not_split() -> None:
    a = analyze('X="a b"; printf %s "$X" $X', env={})
    assert _cmd(a, "printf").argv == ("printf", "%s", "a b", "a", "b")


def test_empty_unquoted_expansion_disappears_but_quoted_stays() -> None:
    a = analyze('E=; echo $E "" x', env={})
    assert _cmd(a, "echo").argv == ("echo", "", "x")


def test_brace_expansion() -> None:
    a = analyze("touch f{1,2}.txt d/{a..c}")
    assert _cmd(a, "touch").argv == ("touch", "f1.txt", "f2.txt", "d/a", "d/b", "d/c")


def test_brace_without_comma_is_literal() -> None:
    assert _cmd(analyze("echo {a} {}"), "echo").argv == ("echo", "{a}", "{}")


def test_quoted_brace_is_literal() -> None:
    assert _cmd(analyze("echo '{a,b}'"), "echo").argv == ("echo", "{a,b}")


def test_brace_expansion_with_variable_inside() -> None:
    a = _an("{cat,$HOME/.ssh/id_rsa}")
    assert a.reads == ("/home/u/.ssh/id_rsa",)


def test_command_substitution_output_is_computed_for_echo() -> None:
    a = _an("cat $(echo ~/.ssh/id_rsa)")
    assert a.reads == ("/home/u/.ssh/id_rsa",)


def test_command_substitution_commands_are_reported() -> None:
    a = analyze("echo $(cat /etc/shadow) `id`")
    assert {f.name for f in a.commands} >= {"cat", "id", "echo"}
    assert "/etc/shadow" in a.reads
    ctx = {f.name: f.context for f in a.commands}
    assert ctx["cat"] == "$()"
    assert ctx["id"] == "``"


def test_unknown_command_substitution_is_inexact() -> None:
    a = analyze("cat $(git rev-parse --show-toplevel)/x")
    fact = _cmd(a, "cat")
    assert fact.argv_exact == (True, False)


def test_process_substitution_commands_are_reported() -> None:
    a = analyze("diff <(cat /etc/passwd) >(tee /tmp/x)")
    assert "/etc/passwd" in a.reads
    assert "/tmp/x" in a.writes


def test_positional_parameters_in_sh_c() -> None:
    a = _an("sh -c 'cat $1' x ~/.ssh/id_rsa")
    assert a.reads == ("/home/u/.ssh/id_rsa",)


def test_env_wrapper_passes_variables_to_sh_c() -> None:
    a = _an("env F=~/.ssh/id_rsa sh -c 'cat $F'")
    assert "/home/u/.ssh/id_rsa" in a.reads


def test_export_sets_variable_and_records_assignment() -> None:
    a = analyze("export NODE_OPTIONS='--require /tmp/x.js'; node app.js")
    assert ("NODE_OPTIONS", "--require /tmp/x.js") in a.env_assignments


def test_for_loop_variable_takes_each_value() -> None:
    a = analyze("for f in /etc/passwd /etc/shadow; do cat $f; done")
    assert a.reads == ("/etc/passwd", "/etc/shadow")


def test_for_loop_over_glob_is_inexact() -> None:
    a = _an("for f in ~/.ssh/*; do cat $f; done")
    assert a.reads == ("/home/u/.ssh/*",)
    assert not _cmd(a, "cat").exact


def test_cwd_joins_relative_paths_and_cd_is_followed() -> None:
    a = analyze("cat a.txt; cd ~/.ssh && cat id_rsa", home=HOME, cwd="/work")
    assert a.reads == ("/work/a.txt", "/home/u/.ssh/id_rsa")


def test_subshell_assignment_does_not_leak() -> None:
    a = analyze("(F=/etc/shadow); cat $F", env={})
    assert _cmd(a, "cat").argv == ("cat",)


def test_function_body_is_analysed_with_call_arguments() -> None:
    a = analyze("show() { cat $1; }; show /etc/shadow")
    assert "/etc/shadow" in a.reads


def test_read_makes_variable_unknown() -> None:
    a = analyze("read X; cat $X", env={"X": "/ok"})
    assert not _cmd(a, "cat").exact


def test_expansion_value_size_is_bounded() -> None:
    text = "A=xxxxxxxxxxxxxxxx; " + "A=$A$A; " * 30 + "echo $A"
    a = analyze(text, env={})
    fact = _cmd(a, "echo")
    assert len(fact.argv[1]) <= 8 * 1024
    assert not fact.exact


def test_glob_arguments_are_kept_verbatim() -> None:
    a = _an("cat ~/.ssh/id_*")
    assert a.reads == ("/home/u/.ssh/id_*",)


def test_signal_free_for_plain_expansion() -> None:
    assert _an("echo $HOME").signals == frozenset()
    assert ShellSignal.DYNAMIC_COMMAND_NAME in analyze("$CMD /etc/passwd").signals


def test_large_unquoted_heredoc_stays_exact() -> None:
    body = "\n".join(f"print(open('data/{i}.txt').read(), '$HOME')" for i in range(400))
    a = _an(f"python3 <<EOF\n{body}\nEOF")
    assert ShellSignal.UNRESOLVED_CODE not in a.signals
    assert "data/399.txt" in a.reads


def test_heredoc_redirect_fact_and_stdin_value() -> None:
    a = _an("cat <<EOF > notes.txt\nhello $HOME\nEOF")
    fact = _cmd(a, "cat")
    assert [(r.op, r.target, r.kind) for r in fact.redirects] == [
        ("<<", "<<EOF", None),
        (">", "notes.txt", OpKind.WRITE),
    ]
    assert a.writes == ("notes.txt",)


def test_ansi_c_value_in_assignment_keeps_escape_flag() -> None:
    a = _an("F=$'\\x2fetc\\x2fshadow'; cat $F")
    assert a.reads == ("/etc/shadow",)
    assert ShellSignal.ESCAPE_OBFUSCATION in a.signals
