"""Property tests: the normalizer is idempotent, total, and leaves nothing it promises to remove."""

from __future__ import annotations

import unicodedata
import urllib.parse

from crustcore_nano.normalize import (
    CONFUSABLES,
    IGNORABLE_CODEPOINTS,
    decode_percent,
    decode_unicode_escapes,
    normalize_field,
    normalize_text,
    strip_ansi,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# Characters that exercise every branch: look-alikes, ignorables, escapes and their pieces,
# combining marks, Hangul, CJK, emoji, compatibility forms, surrogate-range escapes.
_INTERESTING = (
    "".join(CONFUSABLES)
    + "".join(chr(cp) for cp in sorted(IGNORABLE_CODEPOINTS) if cp < 0xE0100)
    + "\x1b\x07\x18\x1a\x00\r\n\t\x7f\x85\x90\x98\x9b\x9c\x9d\x9e\x9f"
    + "[]();?PX^_\\ 0123456789mM%uUx{}abcdefABCDEF./~$"
    + "\u0301\u0308\u0327\u0306\u3099\u309a"
    + "\uac00\u1100\u1161\u11a8\u65e5\u30ab\uff76\uff9e"
    + "\U0001f600\U0001f468\U0001f3fd\u2764"
    + "\uff0f\uff45\U0001d41c\u2460\ufb01\u00bd\u2126\u212b\u0457\u0419\u03ac\u1e9b"
)
_texts = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(_INTERESTING), max_size=60),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "\x1b[31m",
                    "\x1b]8;;http://x\x07",
                    "\x1b\\",
                    "\\u0063",
                    "\\uD83D\\uDE00",
                    "\\x",
                    "%2e",
                    "%25",
                    "%c0%ae",
                    "%E2%80%8B",
                    "\\u200b",
                ]
            ),
            st.text(alphabet=st.sampled_from(_INTERESTING), max_size=5),
        ),
        max_size=12,
    ).map("".join),
)

_FORBIDDEN = frozenset(CONFUSABLES) | frozenset(chr(cp) for cp in IGNORABLE_CODEPOINTS)


def _is_control(c: str) -> bool:
    o = ord(c)
    return (o < 0x20 and c not in "\t\n") or 0x7F <= o <= 0x9F


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_normalize_text_is_idempotent(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_nothing_from_the_tables_survives(s: str) -> None:
    out = normalize_text(s)
    assert not (set(out) & _FORBIDDEN)
    assert not any(_is_control(c) for c in out)
    assert unicodedata.is_normalized("NFKC", out)


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_output_growth_is_bounded(s: str) -> None:
    # NFKC may expand one character to at most 18; everything else only removes.
    assert len(normalize_text(s)) <= 18 * len(s)
    assert len(normalize_field(s).normalized) <= 18 * len(s)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=200))
def test_ascii_text_only_loses_controls(s: str) -> None:
    expected = "".join(c for c in s if c in "\t\n" or " " <= c <= "~")
    if "\x1b" not in s and "\r" not in s:
        assert normalize_text(s) == expected


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_strip_ansi_is_idempotent_and_total(s: str) -> None:
    out = strip_ansi(s)
    assert strip_ansi(out) == out
    assert not any(_is_control(c) for c in out)
    assert len(out) <= len(s)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_percent_encoding_round_trips(s: str) -> None:
    encoded = urllib.parse.quote(s, safe="", errors="surrogatepass")
    if all(not 0xD800 <= ord(c) <= 0xDFFF for c in s) and "%" not in s:
        assert decode_percent(encoded, max_rounds=1) == s


@settings(max_examples=200, deadline=None)
@given(_texts, st.integers(min_value=0, max_value=5))
def test_decode_percent_is_bounded_and_stable_once_stable(s: str, rounds: int) -> None:
    out = decode_percent(s, max_rounds=rounds)
    assert len(out) <= len(s)
    if decode_percent(out, max_rounds=1) == out:
        assert decode_percent(out, max_rounds=rounds) == out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_unicode_escapes_round_trip(s: str) -> None:
    if "\\" in s or any(0xD800 <= ord(c) <= 0xDFFF or c in "\t\n\r" for c in s):
        return  # unicode_escape writes \t \n \r, which are not escapes this decoder reads
    encoded = s.encode("unicode_escape").decode("ascii")
    json_style = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in s)
    assert decode_unicode_escapes(json_style) == s
    if "\\x" not in encoded:
        assert decode_unicode_escapes(encoded) == s


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_decode_unicode_escapes_never_grows(s: str) -> None:
    assert len(decode_unicode_escapes(s)) <= len(s)


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_normalize_field_output_is_normalized_text(s: str) -> None:
    result = normalize_field(s)
    assert result.original == s
    assert result.changed == (result.normalized != s)
    assert normalize_text(result.normalized) == result.normalized
    assert (not result.changed) or result.signals or result.normalized == normalize_text(s)
