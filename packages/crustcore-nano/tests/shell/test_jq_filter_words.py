"""jq/yq filters are paths into a document, not files; the files they read still are."""

from __future__ import annotations

from crustcore_nano.shell import OpKind, analyze
from crustcore_nano.shell.argwords import nonfile_words
from hypothesis import given, settings
from hypothesis import strategies as st


def _reads(command: str) -> set[str]:
    return {
        op.target for fact in analyze(command).commands for op in fact.operations
        if op.kind is OpKind.READ
    }  # fmt: skip


def test_the_filter_is_not_a_file() -> None:
    assert nonfile_words("jq", ["-r", ".env.NODE_ENV", "config.json"]) == {".env.NODE_ENV"}
    assert nonfile_words("yq", ["e", ".env", "compose.yml"]) == {".env"}
    assert nonfile_words("jq", ["--arg", "v", "1", ".env.V = $v", "c.json"]) == {".env.V = $v"}


def test_a_filter_file_and_the_inputs_are_files() -> None:
    assert nonfile_words("jq", ["-f", ".env", "data.json"]) == frozenset()
    assert nonfile_words("jq", [".", ".env"]) == {"."}
    assert ".env" in _reads("jq . .env")
    assert "config.json" in _reads("jq --arg v 1 '.env.V = $v' config.json")
    assert ".env.V = $v" not in _reads("jq --arg v 1 '.env.V = $v' config.json")


def test_rawfile_and_slurpfile_read_their_file() -> None:
    assert "secret.txt" in _reads("jq -n --rawfile k secret.txt '$k'")
    assert "a.json" in _reads("jq -n --slurpfile a a.json '$a'")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["-r", "--arg", "-f", "x", ".a", "-", "e", "--indent", "2"])))
def test_filter_words_come_from_the_arguments(argv: list[str]) -> None:
    for name in ("jq", "yq"):
        assert nonfile_words(name, argv) <= set(argv)
