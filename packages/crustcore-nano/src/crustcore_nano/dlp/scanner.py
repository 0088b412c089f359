"""The scanning engine: one prefilter pass over the text, detectors only around anchor hits.

Prefilter. Every detector lists literal anchors (a prefix such as `ghp_`, or a keyword). A
greedy set cover picks a few pivot characters, rare in source code and prose, such that every
anchor contains one; all anchors are folded into one compiled regex that starts at a pivot and
checks the rest of its anchor with fixed-width look-behind and look-ahead (and, for frequent
one-character anchors such as `=`, a guard on what follows). The regex engine skips through the
text with a one-character set test per position and only stops where a whole anchor is present.
The look-arounds consume nothing, so anchors that overlap or nest are all found. Anchors made
only of frequent characters (e.g. `dapi`) get a `str.find` pass of their own instead.

Matching. Around each anchor hit the detectors that own it run their bounded regex, anchored at
the hit (or a short walk back over the characters a match may have before its anchor); a match
must contain the anchor. Overlapping findings are resolved by priority (the more specific format
wins), then confidence, then length.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from crustcore_nano.dlp.checks import secret_span
from crustcore_nano.dlp.detectors import DETECTORS
from crustcore_nano.dlp.finding import Finding
from crustcore_nano.dlp.fold import fold
from crustcore_nano.dlp.model import Detector, Verdict

# Printable ASCII from most to least frequent in Python source, with occurrences per 100,000
# characters (measured on the standard library; prose has fewer symbols, so it only gets faster).
_FREQUENCY_ORDER = (
    " etsrnaiolcdfp_um.'h(),\"g-:b=xyT0E#IAwLNvkRSCO\\1>PD2[]FM*UGHB3jW5q4"
    "`/z86+%9{}VK7<YX;@|!QZ?J&^$~"
)
_PER_100K = (
    *(28289, 6658, 4553, 3838, 3503, 3412, 3408, 3350, 3248, 2601, 1883, 1870, 1779, 1552, 1545),
    *(1440, 1339, 1255, 1202, 1141, 985, 985, 976, 907, 883, 753, 724, 688, 685, 638, 634, 630),
    *(603, 580, 472, 471, 468, 436, 431, 397, 370, 369, 345, 310, 298, 237, 232, 213, 207, 206),
    *(193, 172, 170, 169, 153, 146, 123, 122, 115, 114, 105, 100, 94, 88, 86, 86, 83, 82, 73, 70),
    *(69, 65, 62, 61, 59, 55, 55, 54, 51, 50, 50, 45, 42, 28, 28, 26, 18, 17, 14, 13, 9, 5, 5, 4),
    4,
)
_FREQ = {ch: n / 100_000 for ch, n in zip(_FREQUENCY_ORDER, _PER_100K, strict=True)}
# The standard library indents with spaces, but Go, Makefiles and TSV files are full of tabs:
# rate a tab as common as `-`, so anchors that start with one (`\t-p`) pivot on a rarer
# character instead of stopping the prefilter at every indented line.
_FREQ["\t"] = _FREQ["-"]
# Paths and URLs are much of what the policy engine scans (every file tool call, most command
# lines): rate `/` as common as `:`, so no anchor pivots on it and a path does not stop the
# prefilter at each of its slashes (an absolute path is scanned in about 2/3 of the time).
_FREQ["/"] = _FREQ[":"]
_RARE = 0.00001
# Cost model (measured with CPython's `re` and `str.find`): a position where the prefilter regex
# starts a match attempt costs about 200 times as much as one character of a `str.find` pass.
# A pivot character therefore pays off when its frequency is below ~1/200 per anchor it serves;
# anchors made only of frequent characters get their own `str.find` pass instead.
_HIT_VS_FIND = 200.0


def _freq(ch: str) -> float:
    return _FREQ.get(ch, _RARE)


def _cover(anchors: Sequence[str], guards: dict[str, str]) -> tuple[set[str], set[str]]:
    """Choose pivot characters so every anchor contains one, at the least total frequency
    (greedy weighted set cover); anchors for which no character is worth it go to `str.find`.

    Guarded one-character anchors are always pivots (their guard makes most hits cheap fails).
    """
    find_cost = 1.0 / _HIT_VS_FIND
    chosen: set[str] = {a for a in anchors if a in guards and len(a) == 1}
    uncovered: set[str] = {a for a in anchors if not any(ch in chosen for ch in a)}
    finds: set[str] = set()
    while uncovered:
        best: tuple[float, str] | None = None
        for ch in sorted({ch for a in uncovered for ch in a}):
            served = sum(1 for a in uncovered if ch in a)
            ratio = _freq(ch) / served
            if best is None or ratio < best[0]:
                best = (ratio, ch)
        assert best is not None
        if best[0] > find_cost:
            finds |= uncovered
            break
        chosen.add(best[1])
        uncovered = {a for a in uncovered if best[1] not in a}
    return chosen, finds


def _alternation(items: Sequence[tuple[str, str]]) -> str:
    """An alternation of `items` (literal text, then a regex that must follow it) factored by
    their first characters, as a trie: `re` skips a branch that starts with a literal not at
    the position at the cost of one comparison, but enters every other, so ` "bearer `,
    ` 'bearer ` and ` bearer ` become one branch behind one space. Items whose text is empty
    start with their regex and are entered at every position; they come last."""
    by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    bare: list[str] = []
    for text, tail in items:
        if text:
            by_first[text[0]].append((text[1:], tail))
        else:
            bare.append(tail)
    parts: list[str] = []
    for ch in sorted(by_first):
        rest = by_first[ch]
        if len(rest) == 1:
            parts.append(re.escape(ch) + re.escape(rest[0][0]) + rest[0][1])
        else:
            parts.append(re.escape(ch) + "(?:" + _alternation(rest) + ")")
    parts.extend(sorted(set(bare)))
    return "|".join(parts)


def _group_regex(
    pivot_char: str, members: Sequence[tuple[str, int]], guards: dict[str, str]
) -> str:
    """One branch of the prefilter: the pivot character, then one look-around per width.

    An anchor may carry a guard (a regex the text right after the anchor must match), so a
    frequent anchor such as `=` only counts as a hit when a plausible value follows it.
    """
    head = re.escape(pivot_char)
    forward: list[tuple[str, str]] = []  # (literal text after the pivot, its guard)
    behind_by_width: dict[int, list[str]] = defaultdict(list)
    # Each look-behind alternative with the length of the text it needs before the pivot.
    behind: list[tuple[int, str]] = []
    # Anchors with text on both sides of the pivot, grouped by the text before it: one
    # look-behind per group, then one look-ahead alternation (` -p`, ` -u`, ` --user` cost
    # a single failed look-behind at a `-` inside a hyphenated word, not one per anchor).
    mixed: dict[str, list[str]] = defaultdict(list)
    for anchor, at in members:
        before, after = anchor[:at], anchor[at + 1 :]
        guard = guards.get(anchor, "")
        ahead = re.escape(after) + guard
        if not before and not ahead:
            return head
        if not before:
            forward.append((after, guard))
        elif guard:
            behind.append((len(before), f"(?<={re.escape(before)}{head})(?={ahead})"))
        elif not after:
            behind_by_width[len(before)].append(re.escape(before) + head)
        else:
            mixed[before].append(ahead)
    for width in sorted(behind_by_width):
        behind.append((width, "(?<=" + "|".join(sorted(behind_by_width[width])) + ")"))
    # Groups whose anchors continue alike (` -p`, `\t-p`, `"-p`: one option after several
    # possible leads) share one look-behind over a character class, not one look-behind each.
    by_aheads: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for before, aheads_of in mixed.items():
        by_aheads[tuple(sorted(set(aheads_of)))].append(before)
    for aheads_key, befores in sorted(by_aheads.items(), key=lambda kv: sorted(kv[1])):
        aheads = "|".join(aheads_key)
        singles = sorted(b for b in befores if len(b) == 1)
        if len(singles) > 1:
            chars = "".join(re.escape(b) for b in singles)
            behind.append((1, f"(?<=[{chars}]{head})(?={aheads})"))
        for before in sorted(befores):
            if len(before) == 1 and len(singles) > 1:
                continue
            behind.append((len(before), f"(?<={re.escape(before)}{head})(?={aheads})"))
    alternatives: list[str] = []
    if forward:
        alternatives.append("(?=" + _alternation(forward) + ")")
    backward = [text for width, text in behind if width < 2]
    # The look-behinds that need two or more characters before the pivot sit behind one check
    # of those two characters: most pivots in a text (`_` in identifiers) fail it at once
    # instead of entering every look-behind. It admits every anchor it stands for, so the
    # branch matches where it did without it.
    longer = [text for width, text in behind if width >= 2]
    if len(longer) > 1:
        tails = sorted({anchor[at - 2 : at] for anchor, at in members if at >= 2})
        two = "|".join(re.escape(tail) for tail in tails)
        backward.append(f"(?<=(?:{two}){head})(?:" + "|".join(longer) + ")")
    else:
        backward.extend(longer)
    if len(backward) > 1:
        # The same again one character back: every look-behind above needs one of these
        # characters right before the pivot (`e` before the `v` of `event` enters none).
        ones = "".join(sorted({re.escape(anchor[at - 1]) for anchor, at in members if at}))
        backward = [f"(?<=[{ones}]{head})(?:" + "|".join(backward) + ")"]
    alternatives.extend(backward)
    return head + "(?:" + "|".join(alternatives) + ")"


class _Prefilter:
    """All anchors of a detector set, compiled into one regex keyed on pivot characters."""

    __slots__ = ("by_anchor", "finds", "guard_res", "groups", "guards", "index", "regex")

    def __init__(self, detectors: Sequence[Detector]) -> None:
        by_anchor: dict[str, list[Detector]] = defaultdict(list)
        self.guards: dict[str, str] = {}
        for detector in detectors:
            if detector.anchor_guard:
                for anchor in detector.anchors:
                    if self.guards.setdefault(anchor, detector.anchor_guard) != (
                        detector.anchor_guard
                    ):
                        raise ValueError(f"conflicting guards for anchor {anchor!r}")
            if detector.back and not detector.back_chars:
                raise ValueError(f"detector {detector.name} has `back` without `back_chars`")
            for anchor in detector.anchors:
                if not anchor:
                    raise ValueError(f"detector {detector.name} has an empty anchor")
                by_anchor[anchor].append(detector)
        self.by_anchor: dict[str, tuple[Detector, ...]] = {
            a: tuple(ds) for a, ds in by_anchor.items()
        }
        # The regex may stop at a position for another anchor sharing the pivot (`:0` next to
        # `:`): a guarded anchor found there counts only if its own guard holds too.
        self.guard_res: dict[str, re.Pattern[str]] = {
            a: re.compile(g) for a, g in self.guards.items()
        }
        chosen, finds = _cover(sorted(self.by_anchor), self.guards)
        groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for anchor in sorted(self.by_anchor):
            if anchor in finds:
                continue
            at = min(
                (i for i, ch in enumerate(anchor) if ch in chosen),
                key=lambda i: (_freq(anchor[i]), i),
            )
            groups[anchor[at]].append((anchor, at))
        self.finds: tuple[str, ...] = tuple(sorted(finds))
        self.groups: dict[str, tuple[tuple[str, int], ...]] = {
            c: tuple(g) for c, g in groups.items()
        }
        # The anchors of each pivot keyed by the characters on either side of the pivot ('' when
        # the anchor has none there), so a hit is checked against the few anchors that fit its
        # neighbours rather than every anchor sharing the pivot (` -p` among 40 `-` anchors).
        index: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
        for c, members in self.groups.items():
            for anchor, at in members:
                before = anchor[at - 1] if at > 0 else ""
                after = anchor[at + 1] if at + 1 < len(anchor) else ""
                index[(c, before, after)].append((anchor, at))
        self.index: dict[tuple[str, str, str], tuple[tuple[str, int], ...]] = {
            k: tuple(v) for k, v in index.items()
        }
        # Frequent pivot characters first: the regex engine tries branches in order, so a hit on
        # a common character is accepted or rejected after one or two literal comparisons.
        order = sorted(self.groups, key=lambda c: (-_freq(c), c))
        self.regex = re.compile(
            "|".join(_group_regex(c, self.groups[c], self.guards) for c in order)
        )

    def hits(self, text: str) -> list[tuple[int, str]]:
        """Every (position, anchor) occurrence in `text`, sorted by position."""
        return self.hits_after(text, self.regex.search(text))

    def hits_after(self, text: str, first: re.Match[str] | None) -> list[tuple[int, str]]:
        """`hits`, given the regex's first match in `text` (`self.regex.search(text)`)."""
        found: list[tuple[int, str]] = []
        index = self.index
        guard_res = self.guard_res
        empty: tuple[tuple[str, int], ...] = ()
        for m in () if first is None else self.regex.finditer(text, first.start()):
            q = m.start()
            c = text[q]
            # NUL stands for "no character here": never an index key, so no key repeats.
            before = text[q - 1] if q > 0 else "\x00"
            after = text[q + 1] if q + 1 < len(text) else "\x00"
            for key in ((c, before, after), (c, "", after), (c, before, ""), (c, "", "")):
                for anchor, at in index.get(key, empty):
                    start = q - at
                    if start >= 0 and text.startswith(anchor, start):
                        guard = guard_res.get(anchor)
                        if guard is None or guard.match(text, start + len(anchor)):
                            found.append((start, anchor))
        for anchor in self.finds:
            if anchor not in text:
                continue
            i = text.find(anchor)
            while i != -1:
                found.append((i, anchor))
                i = text.find(anchor, i + 1)
        found.sort()
        return found


_PREFILTER = _Prefilter(DETECTORS)
_SEARCH = _PREFILTER.regex.search
_FINDS = _PREFILTER.finds
_CANDIDATE_FACTOR = 8


def _matches(detector: Detector, text: str, at: int, anchor_len: int) -> Iterator[re.Match[str]]:
    """The match of `detector` that contains the anchor occurrence at `at`, if any.

    With `back`, the match starts after a walk back (at most `back` characters) over
    `back_chars`, the characters a match may hold before its anchor.
    """
    start = at
    if detector.back:
        lo = max(0, at - detector.back)
        allowed = detector.back_chars
        while start > lo and text[start - 1] in allowed:
            start -= 1
    m = detector.pattern.match(text, start)
    if m is not None and m.end() >= at + anchor_len:
        yield m


class _Candidate:
    __slots__ = ("detector", "end", "start", "verdict")

    def __init__(self, detector: Detector, start: int, end: int, verdict: Verdict) -> None:
        self.detector = detector
        self.start = start
        self.end = end
        self.verdict = verdict

    def sort_key(self) -> tuple[int, int, int, int]:
        return (
            -self.detector.priority,
            -self.verdict.confidence.rank,
            -(self.end - self.start),
            self.start,
        )


def _candidates(text: str, limit: int, first: re.Match[str] | None) -> list[_Candidate]:
    """The candidates in `text`, whose first prefilter match is `first` (see `hits_after`)."""
    seen: set[tuple[str, int, int]] = set()
    found: list[_Candidate] = []
    by_anchor = _PREFILTER.by_anchor
    for at, anchor in _PREFILTER.hits_after(text, first):
        for detector in by_anchor[anchor]:
            for m in _matches(detector, text, at, len(anchor)):
                verdict = detector.check(detector, m)
                if verdict is None:
                    continue
                start, end = secret_span(m)
                if verdict.start is not None:
                    start = verdict.start
                if verdict.end is not None:
                    end = verdict.end
                if end <= start:
                    continue
                key = (detector.name, start, end)
                if key in seen:
                    continue
                seen.add(key)
                found.append(_Candidate(detector, start, end, verdict))
        if len(found) >= limit:
            break
    return found


def _resolve_cluster(cluster: list[_Candidate]) -> list[_Candidate]:
    """Greedy by `sort_key`: keep a candidate unless it overlaps one already kept. The kept
    spans are disjoint, so sorted by start they are also sorted by end, and one bisection finds
    the only two neighbours a new span could overlap (no scan over everything kept)."""
    kept: list[_Candidate] = []
    starts: list[int] = []
    ends: list[int] = []
    for cand in sorted(cluster, key=_Candidate.sort_key):
        i = bisect.bisect_right(starts, cand.start)
        if i > 0 and ends[i - 1] > cand.start:
            continue
        if i < len(starts) and starts[i] < cand.end:
            continue
        starts.insert(i, cand.start)
        ends.insert(i, cand.end)
        kept.append(cand)
    return kept


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep non-overlapping candidates, the most specific of each overlapping cluster first;
    return them by position. Clusters are found in one sweep, so this is O(n log n) overall
    (quadratic only within a cluster of mutually overlapping matches, which is small)."""
    kept: list[_Candidate] = []
    cluster: list[_Candidate] = []
    cluster_end = -1
    for cand in sorted(candidates, key=lambda c: (c.start, c.end)):
        if cluster and cand.start >= cluster_end:
            kept.extend(_resolve_cluster(cluster))
            cluster = []
        cluster.append(cand)
        cluster_end = max(cluster_end, cand.end) if len(cluster) > 1 else cand.end
    if cluster:
        kept.extend(_resolve_cluster(cluster))
    kept.sort(key=lambda c: c.start)
    return kept


def scan(text: str, *, max_findings: int = 1000) -> tuple[Finding, ...]:
    """Find credentials in `text`.

    Returns at most `max_findings` non-overlapping findings sorted by `start`; offsets are in
    characters of `text` and lines are 1-based (counted by `\\n`). Never raises on any `str`.
    """
    if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError("scan() needs a str")
    if max_findings <= 0 or not text:
        return ()
    first = _SEARCH(text)
    regions = fold(text)
    if first is None and not regions:
        # The common case (a path, most code): no anchor hit and nothing to undo, so no
        # candidate at all, unless one of the anchors found by `str.find` is there.
        for anchor in _FINDS:
            if anchor in text:
                break
        else:
            return ()
    limit = max_findings * _CANDIDATE_FACTOR + 64
    found = _candidates(text, limit, first)
    for region in regions:
        # The text around a disguise (invisible characters, look-alikes, escapes) with it
        # undone: a secret found there because of the disguise is reported at its span in
        # `text`; anything else in the region the plain pass above has already judged.
        for cand in _candidates(region.text, limit, _SEARCH(region.text)):
            start, end, undone = region.original_span(cand.start, cand.end)
            if undone:
                found.append(_Candidate(cand.detector, start, end, cand.verdict))
    if not found:
        return ()  # the common case: nothing to resolve
    kept = _resolve(found)[:max_findings]
    findings: list[Finding] = []
    line, pos = 1, 0
    for cand in kept:
        line += text.count("\n", pos, cand.start)
        pos = cand.start
        v = cand.verdict
        findings.append(
            Finding(
                type=cand.detector.name,
                start=cand.start,
                end=cand.end,
                line=line,
                confidence=v.confidence,
                test_key=v.test_key,
                checksum_valid=v.checksum_valid,
            )
        )
    return tuple(findings)


_MAX_REDACT_ROUNDS = 16


def _replace(text: str, findings: Sequence[Finding]) -> str:
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(f"[REDACTED:{f.type}]")
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def redact(text: str) -> str:
    """`text` with every finding replaced by `[REDACTED:<type>]`.

    Replacing one secret can bring two harmless pieces together, so the result is rescanned
    until nothing is found. Markers are inert (no detector matches inside or across one), so
    this ends after a round or two; the number of rounds is bounded all the same.
    """
    for _ in range(_MAX_REDACT_ROUNDS):
        findings = scan(text, max_findings=1_000_000)
        if not findings:
            break
        text = _replace(text, findings)
    return text
