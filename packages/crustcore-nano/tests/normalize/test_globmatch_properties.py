"""Property tests: the glob matcher agrees with fnmatch and a naive reference, and is total."""

from __future__ import annotations

import fnmatch
import functools

from crustcore_nano.globmatch import GlobError, compile_glob
from hypothesis import given, settings
from hypothesis import strategies as st

_seg_tokens = st.sampled_from(["a", "b", ".", "*", "?", "[ab]", "[!a]", "[a-b]", "ab"])
_seg_patterns = st.lists(_seg_tokens, min_size=1, max_size=6).map("".join)
_names = st.text(alphabet="ab.", min_size=1, max_size=10)


@settings(max_examples=300, deadline=None)
@given(_seg_patterns, _names)
def test_single_segment_agrees_with_fnmatch(pattern: str, name: str) -> None:
    expected = fnmatch.fnmatchcase(name, pattern)
    assert compile_glob("/" + pattern).match("/" + name) is expected
    assert compile_glob("/dir/" + pattern).match("/dir/" + name) is expected
    # basename semantics: a pattern without '/' matches the last segment anywhere
    assert compile_glob(pattern).match("/x/y/" + name) is expected


def _reference(pats: tuple[str, ...], segs: tuple[str, ...]) -> bool:
    """Naive recursive matcher: exponential in general, fine for the small inputs here."""

    @functools.cache
    def go(i: int, j: int) -> bool:
        if i == len(pats):
            return j == len(segs)
        if pats[i] == "**":
            return any(go(i + 1, k) for k in range(j, len(segs) + 1))
        return j < len(segs) and fnmatch.fnmatchcase(segs[j], pats[i]) and go(i + 1, j + 1)

    return go(0, 0)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.just("**"), _seg_patterns), min_size=1, max_size=6),
    st.lists(_names, max_size=8),
)
def test_globstar_agrees_with_reference(pats: list[str], segs: list[str]) -> None:
    pattern = "/" + "/".join(pats)
    path = "/" + "/".join(segs)
    assert compile_glob(pattern).match(path) is _reference(tuple(pats), tuple(segs))


@settings(max_examples=200, deadline=None)
@given(_seg_patterns, _seg_patterns, _names)
def test_alternation_is_a_union(p1: str, p2: str, name: str) -> None:
    both = compile_glob("/d/{" + p1 + "," + p2 + "}")
    expected = compile_glob("/d/" + p1).match("/d/" + name) or compile_glob("/d/" + p2).match(
        "/d/" + name
    )
    assert both.match("/d/" + name) is expected


@settings(max_examples=200, deadline=None)
@given(_seg_patterns, _names)
def test_case_insensitive_is_case_blind(pattern: str, name: str) -> None:
    g = compile_glob("/" + pattern)
    assert g.match("/" + name.upper(), case_insensitive=True) is g.match("/" + name)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_compile_and_match_are_total(pattern: str, path: str) -> None:
    try:
        g = compile_glob(pattern, home="/home/u")
    except GlobError as exc:
        column = exc.column
        g = None
    else:
        column = None
    if g is None:
        assert column is None or 1 <= column <= len(pattern)
        return
    assert isinstance(g.match(path), bool)
    assert isinstance(g.match(path, case_insensitive=True), bool)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=100, max_value=3000))
def test_adversarial_inputs_finish(stars: int, length: int) -> None:
    g = compile_glob("*a" * stars + "*b")
    assert not g.match("a" * length)
    assert g.match("a" * length + "b") is (length >= stars)
    deep = compile_glob("/" + "/".join(["**", "a"] * stars) + "/b")
    assert not deep.match("/" + "/".join(["a"] * (length // 10)))
