"""Values, fields and the pure steps of word expansion (brace expansion, field splitting).

A `Val` is the result of expanding something: its text, and whether that text is exactly what the
shell would produce. Undeterminable pieces keep their source text (`$X`, `$(cmd)`) and make the
value inexact, so the rule engine can see that something is unknown instead of seeing nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GLOB_CHARS = frozenset("*?[")
# Placeholders for non-literal parts while brace-expanding a word (Unicode private use plane 15).
_PLACEHOLDER_BASE = 0xF0000
_PLACEHOLDER_MAX = 0xFFFFD


@dataclass(frozen=True, slots=True)
class Val:
    """An expanded value."""

    text: str
    exact: bool = True
    escaped: bool = False
    """Built from hex/octal/unicode escapes (`$'\\x63'`, `printf '\\x63'`)."""
    decoded: bool = False
    """Produced by a decoder (`base64 -d`, `xxd -r`, `rev`, ...)."""
    secret: bool = False
    """Carries the value of a secret environment variable (`$OPENAI_API_KEY`), directly or
    through an assignment, substitution or pipe (see `crustcore_nano.shell.secretvars`)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text inside one word, with how it may be split and globbed."""

    text: str
    exact: bool
    quoted: bool
    split: bool
    escaped: bool = False
    decoded: bool = False
    secret: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """One argument after expansion."""

    text: str
    exact: bool = True
    glob: bool = False
    escaped: bool = False
    decoded: bool = False
    brace: bool = False
    secret: bool = False

    def val(self) -> Val:
        """The field as a plain value."""
        return Val(self.text, self.exact, self.escaped, self.decoded, self.secret)


def join_fields(fields: Sequence[Field], sep: str = " ") -> Val:
    """Fields joined into one value (`eval A B`, `git submodule foreach A B`): exact only if
    every field is, escaped, decoded or secret if any is."""
    return Val(
        sep.join(f.text for f in fields),
        all(f.exact for f in fields),
        any(f.escaped for f in fields),
        any(f.decoded for f in fields),
        any(f.secret for f in fields),
    )


def is_placeholder(ch: str) -> bool:
    """Whether `ch` stands for a non-literal part in a brace template."""
    return _PLACEHOLDER_BASE <= ord(ch) <= _PLACEHOLDER_MAX


def placeholder(index: int) -> str:
    """The placeholder character for part `index`."""
    return chr(_PLACEHOLDER_BASE + index)


def placeholder_index(ch: str) -> int:
    """The part index a placeholder stands for."""
    return ord(ch) - _PLACEHOLDER_BASE


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _top_level_commas(body: str) -> list[str] | None:
    parts: list[str] = []
    depth = 0
    last = 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[last:i])
            last = i + 1
    if not parts:
        return None
    parts.append(body[last:])
    return parts


def _sequence(body: str, limit: int) -> list[str] | None:
    pieces = body.split("..")
    if len(pieces) not in (2, 3):
        return None
    lo, hi = pieces[0], pieces[1]
    step = 1
    if len(pieces) == 3:
        try:
            step = abs(int(pieces[2])) or 1
        except ValueError:
            return None
    try:
        a, b = int(lo), int(hi)
    except ValueError:
        if len(lo) == 1 and len(hi) == 1 and lo.isalpha() and hi.isalpha():
            a, b = ord(lo), ord(hi)
            rng = range(a, b + 1, step) if a <= b else range(a, b - 1, -step)
            if len(rng) > limit:
                return None
            return [chr(c) for c in rng]
        return None
    rng = range(a, b + 1, step) if a <= b else range(a, b - 1, -step)
    if len(rng) > limit:
        return None
    return [str(c) for c in rng]


def brace_expand(text: str, limit: int) -> list[str]:
    """Bash brace expansion of an unquoted template; at most `limit` results.

    Returns `[text]` when there is nothing to expand or the result would exceed the limit.
    """
    if "{" not in text or text.count("{") > 32:
        return [text]
    out = _brace(text, limit)
    return out if out is not None else [text]


def _brace(text: str, limit: int) -> list[str] | None:
    start = 0
    while True:
        open_at = text.find("{", start)
        if open_at < 0:
            return [text]
        close = _matching_brace(text, open_at)
        if close < 0:
            return [text]
        body = text[open_at + 1 : close]
        alts = _top_level_commas(body)
        if alts is None:
            alts = _sequence(body, limit)
        if alts is None:
            start = open_at + 1
            continue
        prefix, suffix = text[:open_at], text[close + 1 :]
        tails = _brace(suffix, limit)
        if tails is None:
            return None
        out: list[str] = []
        for alt in alts:
            heads = _brace(alt, limit)
            if heads is None:
                return None
            for head in heads:
                for tail in tails:
                    out.append(prefix + head + tail)
                    if len(out) > limit:
                        return None
        return out


def split_fields(pieces: list[Piece], ifs: str, brace: bool) -> list[Field]:
    """Join pieces into fields, splitting unquoted exact expansion results on `ifs`."""
    fields: list[Field] = []
    buf: list[str] = []
    exact = True
    glob = escaped = decoded = secret = False
    started = False
    ws = "".join(c for c in ifs if c in " \t\n")
    other = "".join(c for c in ifs if c not in " \t\n")

    def finish() -> None:
        nonlocal exact, glob, escaped, decoded, secret, started
        if started:
            fields.append(Field("".join(buf), exact, glob, escaped, decoded, brace, secret))
        buf.clear()
        exact, glob, escaped, decoded, secret, started = True, False, False, False, False, False

    for piece in pieces:
        text = piece.text
        if piece.split and piece.exact and ifs:
            if other:
                text = text.translate({ord(c): " " for c in other})
                delim = ws + " "
            else:
                delim = ws
            segs = _split_ws(text, delim)
            if not segs:
                if text and started:
                    finish()
                elif not text:
                    secret = secret or piece.secret
                continue
            if text[0] in delim:
                finish()
            for k, seg in enumerate(segs):
                if k > 0:
                    finish()
                buf.append(seg)
                started = True
                glob = glob or any(c in GLOB_CHARS for c in seg)
                escaped = escaped or piece.escaped
                decoded = decoded or piece.decoded
                secret = secret or piece.secret
            if text[-1] in delim:
                finish()
            continue
        if text or piece.quoted:
            started = True
        buf.append(text)
        exact = exact and piece.exact
        escaped = escaped or piece.escaped
        decoded = decoded or piece.decoded
        secret = secret or piece.secret
        if not piece.quoted and any(c in GLOB_CHARS for c in text):
            glob = True
        if not piece.exact:
            started = True
    finish()
    return fields


def _split_ws(text: str, delim: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    for ch in text:
        if ch in delim:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out
