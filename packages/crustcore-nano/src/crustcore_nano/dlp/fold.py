"""A second view of the text for the scanner, with disguises removed and a way back.

A credential survives being carried in forms that break a literal match but not the credential:
an invisible character inside it (zero-width space, soft hyphen, bidi control, tag character),
fullwidth or look-alike letters, JSON/JS `\\uXXXX` or `\\xXX` escapes, URL `%XX` escapes, HTML
numeric entities, an empty quoted string glued inside a word (`ab''cd`). The receiver (a JSON
parser, an HTTP server, a browser, a shell, a terminal that drops invisible characters when the
text is copied) recovers the credential, so the scanner must too.

A disguise only matters inside a token, so only units touching a letter, digit, `_` or `-` are
undone, and only the regions around them are folded (`fold` returns one `Region` per cluster):
ordinary text costs a few C-level searches and no second scan. Each region keeps a segment map,
so findings in the folded view are reported at their offsets in the original text, and a
finding counts only when a unit it covers was actually undone (anything else the plain scan
already saw). Only one layer of escapes is decoded, and only to printable ASCII.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from crustcore_nano.normalize import normalize_text

__all__ = ["Region", "fold"]

# Escapes of the printable ASCII characters a token can hold, each kind behind one literal
# character: a `str.find`-speed test skips a kind the text does not use, and the C regex engine
# finds the rest (escapes of other characters are not even matched).
_ESCAPES = (
    ("\\", re.compile(r"\\(?:u00|x)([2-7][0-9A-Fa-f])")),
    ("%", re.compile(r"%([2-7][0-9A-Fa-f])")),
    ("&#", re.compile(r"&#(?:[xX]0{0,4}([2-7][0-9A-Fa-f])|0{0,5}([3-9][0-9]|1[0-2][0-9]));")),
)
_EMPTY_QUOTES = ("''", '""')
_WIDE = re.compile(r"[^\x00-\x7f]")
_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_DECODED_OK = _TOKEN | frozenset("+/=.~:@")
_CHUNK = 1 << 16
_REACH = 600  # characters of context folded on each side of a unit (longer than most tokens)
_SLACK = 200  # how much further a region may grow to end at whitespace, not inside a word


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """The ASCII a non-ASCII character stands for: '' for invisible ones, the NFKC and
    confusable fold where that gives ASCII, otherwise the character itself."""
    if unicodedata.category(ch) in ("Cf", "Mn", "Me") or "\ufe00" <= ch <= "\ufe0f":
        return ""
    folded = normalize_text(ch)
    if folded.isascii() and folded.isprintable():
        return folded
    return ch


def _tokenish(ch: str) -> bool:
    """A character that is, or folds to, one a token is made of."""
    if ch in _TOKEN:
        return True
    if ch.isascii():
        return False
    folded = _fold_char(ch)
    return bool(folded) and folded[0] in _TOKEN


def _touches_token(text: str, start: int, end: int) -> bool:
    return (start > 0 and _tokenish(text[start - 1])) or (end < len(text) and _tokenish(text[end]))


def _units(text: str) -> dict[int, tuple[int, str]]:
    """Every unit to undo: start -> (end, replacement). Linear: fixed-shape searches only."""
    units: dict[int, tuple[int, str]] = {}
    for lead, pattern in _ESCAPES:
        if lead not in text:
            continue
        for m in pattern.finditer(text):
            groups = m.groups()  # (hex digits,) or, for HTML, (hex digits, decimal digits)
            ch = chr(int(groups[0], 16)) if groups[0] is not None else chr(int(groups[1]))
            if ch in _DECODED_OK and _touches_token(text, m.start(), m.end()):
                units[m.start()] = (m.end(), ch)
    for pair in _EMPTY_QUOTES:
        at = text.find(pair)
        while at >= 0:
            end = at + 2
            if at > 0 and end < len(text) and text[at - 1] in _TOKEN and text[end] in _TOKEN:
                units.setdefault(at, (end, ""))
            at = text.find(pair, end)
    if not text.isascii():
        for base in range(0, len(text), _CHUNK):
            chunk = text[base : base + _CHUNK]
            if chunk.isascii():
                continue
            for ch in set(_WIDE.findall(chunk)):
                replacement = _fold_char(ch)
                if replacement == ch or not all(c in _DECODED_OK for c in replacement):
                    continue  # stays as it is, or folds to punctuation no token holds
                at = chunk.find(ch)
                while at >= 0:
                    if _touches_token(text, base + at, base + at + 1):
                        units.setdefault(base + at, (base + at + 1, replacement))
                    at = chunk.find(ch, at + 1)
    return units


@dataclass(frozen=True, slots=True)
class Region:
    """One folded stretch of the original text. Segment `i` starts at folded offset `out[i]`
    and came from original offsets `orig[i] .. orig_end[i]`; a `linear` segment is a verbatim
    copy (offsets map one to one), any other is one undone unit."""

    text: str
    out: tuple[int, ...]
    orig: tuple[int, ...]
    orig_end: tuple[int, ...]
    linear: tuple[bool, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int, bool]:
        """The original offsets of the folded span `start..end` (end exclusive, end > start)
        and whether any undone unit lies inside it."""
        i = bisect.bisect_right(self.out, start) - 1
        lo = self.orig[i] + (start - self.out[i]) if self.linear[i] else self.orig[i]
        last = end - 1
        j = bisect.bisect_right(self.out, last) - 1
        hi = self.orig[j] + (last - self.out[j]) + 1 if self.linear[j] else self.orig_end[j]
        undone = not all(self.linear[i : j + 1]) or any(
            self.orig_end[k] < self.orig[k + 1] for k in range(i, j)
        )
        return lo, hi, undone


def _region(
    text: str, lo: int, hi: int, starts: list[int], units: dict[int, tuple[int, str]]
) -> Region:
    # (folded text, original start, original end, verbatim copy?) for each segment, in order
    segments: list[tuple[str, int, int, bool]] = []
    pos = lo
    for at in starts:
        end, replacement = units[at]
        if at < pos:
            continue  # overlapped by the previous unit
        if at > pos:
            segments.append((text[pos:at], pos, at, True))
        if replacement:
            segments.append((replacement, at, end, False))
        pos = end
    if hi > pos:
        segments.append((text[pos:hi], pos, hi, True))
    out: list[int] = []
    size = 0
    for piece, _, _, _ in segments:
        out.append(size)
        size += len(piece)
    pieces, orig, orig_end, linear = zip(*segments, strict=True) if segments else ((),) * 4
    return Region("".join(pieces), tuple(out), tuple(orig), tuple(orig_end), tuple(linear))


def _widen(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Move region edges outward (a little) to whitespace, so a word is not cut in two."""
    stop = max(0, lo - _SLACK)
    while lo > stop and not text[lo - 1].isspace():
        lo -= 1
    stop = min(len(text), hi + _SLACK)
    while hi < stop and not text[hi].isspace():
        hi += 1
    return lo, hi


#: What every unit `_units` finds starts with, besides a non-ASCII character: the leads of
#: `_ESCAPES` and the pairs of `_EMPTY_QUOTES` (`fold` tests them one by one, which is faster
#: than a loop; `test_fold_shortcut_knows_every_lead` keeps the two in step).
FOLD_LEADS = ("\\", "%", "&#", "''", '""')


def fold(text: str) -> tuple[Region, ...]:
    """The folded regions of `text`: empty when there is nothing to undo (the common case)."""
    # A two-character search runs a loop over the text; a one-character one is a `memchr`,
    # dozens of times faster: test the first character of each pair alone first.
    if (
        text.isascii()
        and "\\" not in text
        and "%" not in text
        and ("&" not in text or "&#" not in text)
        and ("'" not in text or "''" not in text)
        and ('"' not in text or '""' not in text)
    ):
        return ()  # no unit `_units` could find: none of `FOLD_LEADS` is in the text
    units = _units(text)
    if not units:
        return ()
    starts = sorted(units)
    regions: list[Region] = []
    group: list[int] = []
    lo = hi = 0
    for at in starts:
        if group and at - _REACH <= hi:
            group.append(at)
            hi = max(hi, min(len(text), units[at][0] + _REACH))
            continue
        if group:
            regions.append(_region(text, *_widen(text, lo, hi), group, units))
        group = [at]
        lo, hi = max(0, at - _REACH), min(len(text), units[at][0] + _REACH)
    regions.append(_region(text, *_widen(text, lo, hi), group, units))
    return tuple(r for r in regions if r.out)
