"""Refusing user regexes that can make Python's backtracking engine take exponential time.

Python's `re` has no linear-time mode, so a rule like `(a+)+$` would let an agent stall every
decision with a crafted command. Before compiling, `regex_problem` scans the pattern once and
rejects the two shapes behind catastrophic backtracking:

* a repeated group that itself contains a repetition (`(a+)+`, `(.*)*`, `(\\w+\\s?)+`);
* a repeated group whose alternatives can start with the same character (`(a|ab)*`,
  `(\\d|\\w)+`), judged conservatively by each alternative's first character.

The scan is a single left-to-right pass with an explicit group stack (linear). It is
conservative: a few harmless patterns (`(ab|ac)+`) are refused with advice to rewrite them
(`a[bc]`). Polynomial patterns (`.*a.*b.*`) are not refused; the engine bounds the text length.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

__all__ = ["MAX_REGEX_CHARS", "regex_problem"]

MAX_REGEX_CHARS = 1024

_ANY = "any"  # a first-character set that may overlap with anything
_EMPTY = "empty"
_CLASSES = {"d": "digit", "w": "word", "s": "space", "D": _ANY, "W": _ANY, "S": _ANY}
_DISJOINT = {frozenset({"digit", "space"}), frozenset({"word", "space"})}


@dataclass(slots=True)
class _Group:
    start: int
    has_repeat: bool = False  # some repetition inside the group (at any depth)
    firsts: list[str] = field(default_factory=list[str])  # first atom of each alternative
    at_branch_start: bool = True


@dataclass(slots=True)
class _Atom:
    kind: str  # "char", "group" or "other"
    first: str  # the atom's first-character set (a literal char, a class name, _ANY)
    group: _Group | None = None


def _overlap(a: str, b: str) -> bool:
    if _ANY in (a, b) or _EMPTY in (a, b):
        return True
    if len(a) == 1 and len(b) == 1:
        return a.lower() == b.lower()
    if len(a) == 1 or len(b) == 1:
        char, cls = (a, b) if len(a) == 1 else (b, a)
        return _in_class(char, cls)
    return frozenset({a, b}) not in _DISJOINT


def _in_class(char: str, cls: str) -> bool:
    if cls == "digit":
        return char.isdigit()
    if cls == "word":
        return char.isalnum() or char == "_"
    if cls == "space":
        return char.isspace()
    return True


def _skip_class(pattern: str, i: int) -> int:
    """Index just past the `]` closing the class that opens at `pattern[i] == '['`."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _quantifier(pattern: str, i: int) -> tuple[int, bool] | None:
    """If a quantifier starts at `i`: (index past it, whether it can repeat more than once)."""
    ch = pattern[i]
    if ch in "*+":
        end, repeats = i + 1, True
    elif ch == "?":
        end, repeats = i + 1, False
    elif ch == "{":
        close = pattern.find("}", i, i + 24)
        body = pattern[i + 1 : close] if close > 0 else ""
        match = re.fullmatch(r"(\d*)(,?)(\d*)", body)
        if close < 0 or match is None or not (match.group(1) or match.group(3)):
            return None
        low, comma, high = match.groups()
        repeats = (not high or int(high) > 1) if comma else int(low or "0") > 1
        end = close + 1
    else:
        return None
    if end < len(pattern) and pattern[end] in "?+":  # lazy or possessive suffix
        end += 1
    return end, repeats


def _scan(pattern: str) -> str | None:
    stack: list[_Group] = [_Group(0)]
    last: _Atom | None = None
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        top = stack[-1]
        atom: _Atom | None = None
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            atom = _Atom("char", _CLASSES.get(nxt, _ANY if nxt.isalnum() else nxt))
            if nxt in "bBAZz":
                atom = None  # anchors take no quantifier worth checking
            i += 2
        elif ch == "[":
            atom = _Atom("other", _ANY)
            i = _skip_class(pattern, i)
        elif ch == "(":
            if pattern.startswith("(?#", i):  # comment
                close = pattern.find(")", i)
                i = len(pattern) if close < 0 else close + 1
                last = None
                continue
            if pattern.startswith("(?", i) and re.match(r"\(\?[aiLmsux-]+\)", pattern[i : i + 12]):
                i = pattern.find(")", i) + 1  # inline flags, not a group
                last = None
                continue
            stack.append(_Group(i))
            i += 1
            if pattern.startswith("?", i):  # (?:, (?P<n>, (?=, (?!, (?<=, (?<!, (?>
                if pattern.startswith("?P<", i) or (
                    pattern.startswith("?<", i) and not pattern.startswith(("?<=", "?<!"), i)
                ):
                    close = pattern.find(">", i)
                    i = len(pattern) if close < 0 else close + 1
                elif pattern.startswith(("?<=", "?<!"), i):
                    i += 3
                else:
                    i += 2
            last = None
            continue
        elif ch == ")":
            if len(stack) > 1:
                group = stack.pop()
                if group.at_branch_start:
                    group.firsts.append(_EMPTY)
                first = group.firsts[0] if len(group.firsts) == 1 else _ANY
                atom = _Atom("group", first, group)
                if group.has_repeat:
                    stack[-1].has_repeat = True
            i += 1
        elif ch == "|":
            if top.at_branch_start:
                top.firsts.append(_EMPTY)
            top.at_branch_start = True
            last = None
            i += 1
            continue
        else:
            quant = _quantifier(pattern, i)
            if quant is not None and last is not None:
                end, repeats = quant
                problem = _check_repeat(pattern, last, repeats)
                if problem is not None:
                    return problem
                if repeats:
                    top.has_repeat = True
                last = None
                i = end
                continue
            if ch in "^$":
                i += 1
                last = None
                continue
            atom = _Atom("char", _ANY if ch == "." else ch)
            i += 1
        if atom is not None:
            cur = stack[-1]
            if cur.at_branch_start:
                cur.firsts.append(atom.first)
                cur.at_branch_start = False
        last = atom
    return None


def _check_repeat(pattern: str, atom: _Atom, repeats: bool) -> str | None:
    group = atom.group
    if not repeats or group is None:
        return None
    where = f"the group at offset {group.start}"
    if group.has_repeat:
        return (
            f"{where} repeats something that already repeats (like `(a+)+` or `(.*)*`), "
            "which can take exponential time; repeat only the inner part (`a+`) or make the "
            "inner part fixed-length"
        )
    firsts = group.firsts
    for x in range(len(firsts)):
        for y in range(x + 1, len(firsts)):
            if _overlap(firsts[x], firsts[y]):
                return (
                    f"{where} is repeated and its alternatives can start with the same "
                    "character (like `(a|ab)*`), which can take exponential time; factor the "
                    "common start out (`a(b)?`) or use a character class (`[ab]`)"
                )
    return None


def regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used as a rule regex, or None when it compiles and is safe."""
    if len(pattern) > MAX_REGEX_CHARS:
        return f"the regex is longer than {MAX_REGEX_CHARS} characters; shorten it"
    if not pattern:
        return "the regex is empty; give a pattern or remove the key"
    if "\x00" in pattern:
        return "the regex contains a NUL character"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError, ValueError) as exc:
            return f"the regex does not compile ({exc}); fix the syntax (Python `re` dialect)"
    if caught:
        return (
            f"Python warns about this regex ({caught[0].message}); write it unambiguously, "
            "for example escape a literal `[` inside a class as `\\[`"
        )
    return _scan(pattern)
