"""The tokenizer: quoting, operators, substitutions and here-documents."""

from __future__ import annotations

import pytest
from crustcore_nano.shell import ShellArgumentError, ShellSyntaxError, tokenize
from crustcore_nano.shell.lexer import decode_ansi_c
from crustcore_nano.shell.syntax import (
    AnsiC,
    Arith,
    CmdSubst,
    DoubleQuoted,
    Lit,
    Param,
    ProcSubst,
    Token,
    TokenKind,
)


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind.value, t.text) for t in tokenize(text).tokens if t.kind is not TokenKind.EOF]


def _word_tokens(text: str) -> list[Token]:
    return [t for t in tokenize(text).tokens if t.kind is TokenKind.WORD]


def test_simple_words_and_operators() -> None:
    assert _kinds("a b|c&&d||e;f&") == [
        ("word", "a"),
        ("word", "b"),
        ("op", "|"),
        ("word", "c"),
        ("op", "&&"),
        ("word", "d"),
        ("op", "||"),
        ("word", "e"),
        ("op", ";"),
        ("word", "f"),
        ("op", "&"),
    ]


@pytest.mark.parametrize(
    "op", ["|&", ";;", "<<<", ">>", ">|", "<>", "&>", "&>>", ">&", "<&", "(", ")"]
)
def test_every_operator_is_one_token(op: str) -> None:
    tokens = _kinds(f"a {op} b")
    assert ("op", op) in tokens


def test_io_number_is_attached_to_redirection() -> None:
    toks = [t for t in tokenize("cmd 2>&1 10>out").tokens if t.kind is TokenKind.OP]
    assert [(t.text, t.fd) for t in toks] == [(">&", 2), (">", 10)]


def test_single_quotes_are_literal() -> None:
    (_, word) = _word_tokens("echo '$HOME `x` \\n'")
    assert word.word is not None
    assert word.word.parts == (Lit("$HOME `x` \\n", True),)


def test_double_quotes_keep_expansions() -> None:
    (_, word) = _word_tokens('echo "a $B ${C} $(d)"')
    assert word.word is not None
    (dq,) = word.word.parts
    assert isinstance(dq, DoubleQuoted)
    kinds = [type(p).__name__ for p in dq.parts]
    assert kinds == ["Lit", "Param", "Lit", "Param", "Lit", "CmdSubst"]


def test_backslash_escapes_make_quoted_literals() -> None:
    (word,) = _word_tokens("c\\a\\t")
    assert word.word is not None
    assert word.word.literal() == "cat"
    assert word.word.bare() is None


def test_line_continuation_is_removed() -> None:
    words = _word_tokens("ec\\\nho hi")
    assert [w.word.literal() for w in words if w.word is not None] == ["echo", "hi"]


def test_comment_runs_to_end_of_line() -> None:
    assert _kinds("ls # rm -rf /\npwd") == [("word", "ls"), ("newline", "\n"), ("word", "pwd")]


def test_hash_inside_word_is_not_a_comment() -> None:
    assert _kinds("echo a#b") == [("word", "echo"), ("word", "a#b")]


def test_ansi_c_quote_is_decoded_and_flagged() -> None:
    (word,) = _word_tokens("$'\\x63\\141\\u0074'")
    assert word.word is not None
    (part,) = word.word.parts
    assert isinstance(part, AnsiC)
    assert part.value == "cat"
    assert part.hidden


def test_ansi_c_plain_escapes_are_not_hidden() -> None:
    value, hidden = decode_ansi_c("a\\tb\\n")
    assert value == "a\tb\n"
    assert not hidden


def test_parameter_forms() -> None:
    (word,) = _word_tokens("${HOME:-/root}$1${#x}${!ref}$?")
    assert word.word is not None
    params = [p for p in word.word.parts if isinstance(p, Param)]
    assert [(p.name, p.op, p.length, p.indirect) for p in params] == [
        ("HOME", ":-", False, False),
        ("1", "", False, False),
        ("x", "", True, False),
        ("ref", "", False, True),
        ("?", "", False, False),
    ]


def test_command_substitution_nests() -> None:
    (_, word) = _word_tokens("echo $(echo $(whoami) `date`)")
    assert word.word is not None
    (outer,) = word.word.parts
    assert isinstance(outer, CmdSubst)
    assert outer.raw == "$(echo $(whoami) `date`)"
    inner_words = [t for t in outer.body.tokens if t.kind is TokenKind.WORD]
    assert len(inner_words) == 3


def test_case_inside_substitution_does_not_close_it() -> None:
    (_, word) = _word_tokens("echo $(case x in a) echo y;; esac)")
    assert word.word is not None
    (part,) = word.word.parts
    assert isinstance(part, CmdSubst)
    assert part.raw.endswith("esac)")


def test_arithmetic_expansion() -> None:
    (_, word) = _word_tokens("echo $((1 + (2 * 3)))")
    assert word.word is not None
    (part,) = word.word.parts
    assert isinstance(part, Arith)
    assert part.raw == "$((1 + (2 * 3)))"


def test_process_substitution() -> None:
    words = _word_tokens("diff <(ls a) >(cat)")
    parts = [w.word.parts[0] for w in words[1:] if w.word is not None]
    assert [p.direction for p in parts if isinstance(p, ProcSubst)] == ["<", ">"]


def test_heredoc_body_is_captured() -> None:
    lexed = tokenize("cat <<EOF > out\nhello $USER\nEOF\necho done")
    (op,) = [t for t in lexed.tokens if t.text == "<<"]
    assert op.heredoc is not None
    assert op.heredoc.body == "hello $USER\n"
    assert not op.heredoc.quoted
    assert any(isinstance(p, Param) for p in op.heredoc.parts)
    assert ("word", "done") in [(t.kind.value, t.text) for t in lexed.tokens]


def test_quoted_heredoc_delimiter_disables_expansion() -> None:
    lexed = tokenize("cat <<'EOF'\n$(rm -rf /)\nEOF\n")
    (op,) = [t for t in lexed.tokens if t.text == "<<"]
    assert op.heredoc is not None
    assert op.heredoc.quoted
    assert op.heredoc.parts == ()


def test_heredoc_dash_strips_tabs() -> None:
    lexed = tokenize("cat <<-END\n\tline\n\tEND\n")
    (op,) = [t for t in lexed.tokens if t.text == "<<-"]
    assert op.heredoc is not None
    assert op.heredoc.body == "line\n"


@pytest.mark.parametrize(
    "text",
    ["echo 'abc", 'echo "abc', "echo $(ls", "echo `ls", "echo ${x", "echo $'abc"],
)
def test_unterminated_constructs_raise(text: str) -> None:
    with pytest.raises(ShellSyntaxError):
        tokenize(text)


def test_tokenize_rejects_non_str() -> None:
    with pytest.raises(ShellArgumentError):
        tokenize(b"ls")  # type: ignore[arg-type]
