"""Wildcards for tool names and hosts in user rules (paths use `crustcore_nano.globmatch`).

Dialect: `*` matches any run of characters except the separator, `**` any run including it,
`?` one character except the separator, `\\` escapes the next character; everything else is
literal. Tool names have no separator (so `*` and `**` are the same); hosts use `.`, so
`*.example.com` matches `api.example.com` but not `a.b.example.com`, while `**.example.com`
matches both. Matching is case-insensitive.

The matcher simulates the pattern as a small automaton over the set of live positions, so it is
`O(len(pattern) * len(text))` in the worst case and never backtracks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from crustcore_nano.errors import UsageError

__all__ = ["MAX_WILDCARD_CHARS", "Wildcard", "WildcardError", "compile_wildcard"]

MAX_WILDCARD_CHARS = 512


class WildcardError(UsageError):
    """A tool or host pattern is malformed."""


class _Tok(enum.Enum):
    STAR = "*"  # any run without the separator
    DSTAR = "**"  # any run
    ONE = "?"  # one character, not the separator


@dataclass(frozen=True, slots=True)
class Wildcard:
    pattern: str
    separator: str | None
    _tokens: tuple[str | _Tok, ...]

    def match(self, text: str) -> bool:
        """True when the whole of `text` (compared lower-case) matches the pattern."""
        tokens = self._tokens
        sep = self.separator
        size = len(tokens)
        states = _closure({0}, tokens)
        for ch in text.lower():
            nxt: set[int] = set()
            for pos in states:
                if pos == size:
                    continue
                tok = tokens[pos]
                if tok is _Tok.DSTAR:
                    nxt.add(pos)
                elif tok is _Tok.STAR:
                    if ch != sep:
                        nxt.add(pos)
                elif tok is _Tok.ONE:
                    if ch != sep:
                        nxt.add(pos + 1)
                elif tok == ch:
                    nxt.add(pos + 1)
            if not nxt:
                return False
            states = _closure(nxt, tokens)
        return size in states


def _closure(states: set[int], tokens: tuple[str | _Tok, ...]) -> set[int]:
    """Stars may match nothing: a state on a star also stands on the token after it."""
    out = set(states)
    todo = list(states)
    while todo:
        pos = todo.pop()
        if pos < len(tokens) and tokens[pos] in (_Tok.STAR, _Tok.DSTAR) and pos + 1 not in out:
            out.add(pos + 1)
            todo.append(pos + 1)
    return out


def compile_wildcard(pattern: str, *, separator: str | None = None) -> Wildcard:
    """Compile a tool (no separator) or host (`separator="."`) pattern."""
    if not pattern:
        raise WildcardError("pattern is empty")
    if len(pattern) > MAX_WILDCARD_CHARS:
        raise WildcardError(f"pattern is longer than {MAX_WILDCARD_CHARS} characters")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in pattern):
        raise WildcardError("pattern contains a control character")
    tokens: list[str | _Tok] = []
    text = pattern.lower()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise WildcardError("pattern ends with a lone backslash")
            tokens.append(text[i + 1])
            i += 2
            continue
        if ch == "*":
            double = i + 1 < len(text) and text[i + 1] == "*"
            tok = _Tok.DSTAR if double or separator is None else _Tok.STAR
            prev = tokens[-1] if tokens else None
            if prev is _Tok.STAR or prev is _Tok.DSTAR:  # a run of stars is one star
                tokens[-1] = _Tok.DSTAR if _Tok.DSTAR in (prev, tok) else _Tok.STAR
            else:
                tokens.append(tok)
            i += 2 if double else 1
            continue
        tokens.append(_Tok.ONE if ch == "?" else ch)
        i += 1
    return Wildcard(pattern, separator, tuple(tokens))
