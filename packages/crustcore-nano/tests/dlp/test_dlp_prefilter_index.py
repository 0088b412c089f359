"""The scanner's fast paths agree with their plain definitions.

`_Prefilter.hits` finds anchors through one regex and a neighbour-keyed index; it must report
the anchor occurrences a plain `str.find` over every anchor reports (guarded anchors at least
where their guard holds), each once. `_resolve_cluster` keeps spans with a bisection; it must keep
exactly what the quadratic "keep unless it overlaps something kept" rule keeps.
"""

from __future__ import annotations

import re

from crustcore_nano.dlp.finding import Confidence
from crustcore_nano.dlp.model import Verdict
from crustcore_nano.dlp.scanner import _PREFILTER, _alternation, _Candidate, _resolve_cluster
from hypothesis import given, settings
from hypothesis import strategies as st

_ANCHORS = sorted(_PREFILTER.by_anchor)
_GUARDS = {a: re.compile(g) for a, g in _PREFILTER.guards.items()}


def _reference_hits(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for anchor in _ANCHORS:
        i = text.find(anchor)
        while i != -1:
            guard = _GUARDS.get(anchor)
            if guard is None or guard.match(text, i + len(anchor)):
                found.append((i, anchor))
            i = text.find(anchor, i + 1)
    return sorted(found)


_pieces = st.one_of(
    st.sampled_from(_ANCHORS),
    st.sampled_from([" ", "-", "_", ":", "=", "\n", '"', "abc", "X9", "Q~", "0" * 16]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_pieces, max_size=30).map("".join))
def test_prefilter_hits_are_the_anchor_occurrences(text: str) -> None:
    hits = _PREFILTER.hits(text)
    assert hits == sorted(set(hits))
    assert all(text.startswith(anchor, at) for at, anchor in hits)
    # Every occurrence is found; a guarded anchor may also be reported where its guard fails
    # when it shares its pivot with another anchor there (the guard only saves work).
    assert set(_reference_hits(text)) <= set(hits)
    unguarded = [(at, a) for at, a in hits if a not in _GUARDS]
    assert unguarded == [(at, a) for at, a in _reference_hits(text) if a not in _GUARDS]


_short = st.text(alphabet=" ab'\"-.x1", max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(st.tuples(_short, st.sampled_from(["", "[0-9]", "(?=x)"])), min_size=1),
    text=_short,
)
def test_factored_alternation_matches_where_the_plain_one_does(
    items: list[tuple[str, str]], text: str
) -> None:
    """The prefilter's look-aheads are factored by first character (`_alternation`); at any
    position the factored form must match exactly when one of the items does."""
    factored = re.compile(f"(?:{_alternation(items)})")
    plain = re.compile("|".join(f"(?:{re.escape(lit)}{tail})" for lit, tail in items))
    for at in range(len(text) + 1):
        assert bool(factored.match(text, at)) == bool(plain.match(text, at))


def _cand(start: int, end: int, rank: int) -> _Candidate:
    detector = next(iter(_PREFILTER.by_anchor.values()))[0]
    confidence = (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH)[rank]
    return _Candidate(detector, start, end, Verdict(confidence))


def _reference_resolve(cluster: list[_Candidate]) -> list[_Candidate]:
    kept: list[_Candidate] = []
    for cand in sorted(cluster, key=_Candidate.sort_key):
        if all(cand.end <= k.start or k.end <= cand.start for k in kept):
            kept.append(cand)
    return kept


@settings(max_examples=300, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 20), st.integers(0, 2)), max_size=40
    )
)
def test_cluster_resolution_matches_the_plain_rule(spans: list[tuple[int, int, int]]) -> None:
    cluster = [_cand(start, start + length, rank) for start, length, rank in spans]
    got = [(c.start, c.end, c.verdict.confidence) for c in _resolve_cluster(cluster)]
    want = [(c.start, c.end, c.verdict.confidence) for c in _reference_resolve(cluster)]
    assert got == want


def test_fold_shortcut_knows_every_lead() -> None:
    """`fold` returns early for ASCII text holding none of `FOLD_LEADS`, tested one by one: the
    leads must be exactly where the escape and empty-quote units start."""
    from crustcore_nano.dlp import fold as fold_module

    escapes = fold_module._ESCAPES  # pyright: ignore[reportPrivateUsage]
    quotes = fold_module._EMPTY_QUOTES  # pyright: ignore[reportPrivateUsage]
    assert (*(lead for lead, _ in escapes), *quotes) == fold_module.FOLD_LEADS
    for lead in fold_module.FOLD_LEADS:
        unit = {"\\": "\\x41", "%": "%41", "&#": "&#65;", "''": "''", '""': '""'}[lead]
        sample = f"key{unit}key"  # a unit counts only inside a token
        assert fold_module.fold(sample), lead
