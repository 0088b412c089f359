"""httpie and xh: the URL may have no scheme (and no dot), and items can send files."""

from __future__ import annotations

from crustcore_nano.shell import OpKind, analyze
from hypothesis import given, settings
from hypothesis import strategies as st


def _hosts(command: str) -> list[str | None]:
    return [t.host for fact in analyze(command).commands for t in fact.network]


def _reads(command: str) -> set[str]:
    return {
        op.target for fact in analyze(command).commands for op in fact.operations
        if op.kind is OpKind.READ
    }  # fmt: skip


def test_a_url_without_a_scheme_names_its_host() -> None:
    assert _hosts("http GET metadata/computeMetadata/v1/ Metadata-Flavor:Google") == ["metadata"]
    assert _hosts("xh get metadata/x") == ["metadata"]
    assert _hosts("http :8000/api") == ["localhost"]
    assert _hosts("https example.com/x") == ["example.com"]


def test_file_items_are_reads_and_text_items_are_not() -> None:
    assert _reads("http -f POST up.example.net file@/tmp/a.bin") == {"/tmp/a.bin"}
    assert _reads("http POST x.example.net data=@notes.txt") == {"notes.txt"}
    assert _reads("http POST x.example.net cfg:=@c.json") == {"c.json"}
    assert _reads("http POST x.example.net email=a@b.c 'X-To:me@b.c'") == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab@=:.-/ G", max_size=8), max_size=6))
def test_any_arguments_give_at_most_one_http_target(words: list[str]) -> None:
    for name in ("http", "xh"):
        analysis = analyze(" ".join([name, *(repr(w) for w in words)]))
        targets = [t for fact in analysis.commands for t in fact.network]
        assert len(targets) <= 1  # the URL is one word; items never add a host
        assert all(t.host is None or "/" not in t.host for t in targets)
