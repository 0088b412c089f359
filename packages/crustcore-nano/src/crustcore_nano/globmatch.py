"""The glob dialect of policy rules, with a matcher that cannot be made to backtrack exponentially.

Syntax:

* ``*`` any run of characters within one path segment (including a leading dot: policy globs must
  see dotfiles, so ``~/.ssh/*`` covers ``~/.ssh/.hidden``);
* ``**`` as a whole segment: any number of segments, including none (``~/.ssh/**`` matches
  ``~/.ssh`` itself and everything below it); inside a segment it acts like ``*``;
* ``?`` one character other than ``/``;
* ``[abc]``, ``[a-z]``, ``[!a-z]`` (or ``[^a-z]``) one character from / not from a set; ``]`` first
  in the set is literal;
* ``{a,b,c}`` alternatives, nestable, at most :data:`MAX_ALTERNATIVES` after expansion;
* ``\\`` escapes the next character;
* a leading ``~`` or ``~/`` means the home directory passed to :func:`compile_glob`.

Anchoring: a pattern starting with ``/`` (or ``~/``) is matched against the whole absolute path.
Any other pattern may match the path's tail on segment boundaries, as if prefixed with ``**/``.
In particular a pattern without ``/`` matches the basename: ``*.pem`` matches every ``.pem`` file
and ``.env`` every file named ``.env`` (but not ``.env.example``).  Trailing slashes are ignored.

Matching works segment by segment with the classic two-pointer wildcard algorithm, at both the
character level (``*``) and the segment level (``**``).  It is linear in the path for a fixed
pattern, with at most ``O(len(pattern) * len(path))`` steps in the worst case, never exponential.
"""

from __future__ import annotations

from dataclasses import dataclass

from crustcore_nano.errors import UsageError

__all__ = [
    "MAX_ALTERNATIVES",
    "MAX_PATTERN_CHARS",
    "Glob",
    "GlobError",
    "compile_glob",
]

MAX_PATTERN_CHARS = 4096
MAX_ALTERNATIVES = 256
_MAX_EXPANDED_CHARS = 65536
_MAX_BRACE_DEPTH = 16


class GlobError(UsageError):
    """A policy glob is malformed; the message names the column (1-based) and the fix."""

    def __init__(self, pattern: str, column: int | None, reason: str) -> None:
        self.pattern = pattern
        self.column = column
        self.reason = reason
        where = f" at column {column}" if column is not None else ""
        super().__init__(f"bad glob {pattern!r}{where}: {reason}")


# ----------------------------------------------------------------------------------------------
# Tokens
# ----------------------------------------------------------------------------------------------


class _Star:
    __slots__ = ()

    def __repr__(self) -> str:
        return "*"


class _Any:
    __slots__ = ()

    def __repr__(self) -> str:
        return "?"


_STAR = _Star()
_ANY = _Any()


@dataclass(frozen=True, slots=True)
class _Class:
    """A bracket expression: single characters and inclusive ranges, possibly negated."""

    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    negated: bool

    def _contains(self, c: str) -> bool:
        if c in self.chars:
            return True
        return any(lo <= c <= hi for lo, hi in self.ranges)

    def matches(self, c: str, case_insensitive: bool) -> bool:
        hit = self._contains(c)
        if not hit and case_insensitive:
            hit = self._contains(c.upper()) or self._contains(c.lower())
        return hit != self.negated


_Token = str | _Star | _Any | _Class


class _GlobStar:
    __slots__ = ()

    def __repr__(self) -> str:
        return "**"


_GLOBSTAR = _GlobStar()


@dataclass(frozen=True, slots=True)
class _Segment:
    """One path segment pattern: an exact literal, or a token list for the wildcard matcher."""

    literal: str | None
    tokens: tuple[_Token, ...]
    prefix: str = ""
    suffix: str = ""
    simple: bool = False
    """True when the tokens are ``prefix*suffix`` (the common ``*.pem``, ``id_*`` shapes),
    which is answered with ``startswith``/``endswith`` instead of the general loop."""

    def matches(self, s: str, case_insensitive: bool) -> bool:
        if self.literal is not None:
            return s == self.literal
        if not s:
            return False  # only an empty literal matches the empty (root) segment
        if self.simple:
            return (
                len(s) >= len(self.prefix) + len(self.suffix)
                and s.startswith(self.prefix)
                and s.endswith(self.suffix)
            )
        return _match_tokens(self.tokens, s, case_insensitive)


_SegPat = _Segment | _GlobStar


def _token_matches(t: _Token, c: str, case_insensitive: bool) -> bool:
    if t is _ANY:
        return True
    if isinstance(t, str):
        return t == c
    if isinstance(t, _Class):
        return t.matches(c, case_insensitive)
    return False


def _match_tokens(tokens: tuple[_Token, ...], s: str, case_insensitive: bool) -> bool:
    """Two-pointer wildcard match: on a mismatch only the latest ``*`` absorbs one more char."""
    ti = si = 0
    m = len(tokens)
    n = len(s)
    star_ti = -1
    star_si = 0
    while si < n:
        if ti < m:
            t = tokens[ti]
            if t is _STAR:
                star_ti = ti
                star_si = si
                ti += 1
                continue
            if _token_matches(t, s[si], case_insensitive):
                ti += 1
                si += 1
                continue
        if star_ti < 0:
            return False
        star_si += 1
        si = star_si
        ti = star_ti + 1
    while ti < m and tokens[ti] is _STAR:
        ti += 1
    return ti == m


def _match_segments(pats: tuple[_SegPat, ...], segs: list[str], case_insensitive: bool) -> bool:
    """The same two-pointer algorithm one level up: ``**`` is the star, a segment a character."""
    pi = si = 0
    m = len(pats)
    n = len(segs)
    star_pi = -1
    star_si = 0
    while si < n:
        if pi < m:
            p = pats[pi]
            if isinstance(p, _GlobStar):
                star_pi = pi
                star_si = si
                pi += 1
                continue
            if p.matches(segs[si], case_insensitive):
                pi += 1
                si += 1
                continue
        if star_pi < 0:
            return False
        star_si += 1
        si = star_si
        pi = star_pi + 1
    while pi < m and isinstance(pats[pi], _GlobStar):
        pi += 1
    return pi == m


# ----------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------

# An atom is one pattern character with its 1-based column and whether it was escaped.
_Atom = tuple[str, int, bool]


def _atoms(pattern: str, home: str | None) -> list[_Atom]:
    out: list[_Atom] = []
    i = 0
    n = len(pattern)
    if pattern == "~" or pattern.startswith("~/"):
        if home is None:
            raise GlobError(pattern, 1, "'~' needs a home directory, none was given")
        out.extend((c, 1, True) for c in home.rstrip("/") or "/")
        i = 1
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise GlobError(pattern, i + 1, "trailing '\\' escapes nothing")
            out.append((pattern[i + 1], i + 2, True))
            i += 2
            continue
        out.append((c, i + 1, False))
        i += 1
    return out


class _BraceExpander:
    """Expands ``{a,b}`` over atoms, bounded in depth, count and total size."""

    def __init__(self, pattern: str, atoms: list[_Atom]) -> None:
        self.pattern = pattern
        self.atoms = atoms
        self.pos = 0

    def fail(self, column: int, reason: str) -> GlobError:
        return GlobError(self.pattern, column, reason)

    def sequence(self, depth: int, in_brace: bool) -> list[list[_Atom]]:
        """Parse until a top-level ``,`` or ``}`` (inside braces) or the end."""
        alts: list[list[_Atom]] = [[]]
        total = 0
        in_class = False
        class_start = 0
        while self.pos < len(self.atoms):
            atom = self.atoms[self.pos]
            c, col, esc = atom
            if not esc and not in_class and c == "{":
                if depth >= _MAX_BRACE_DEPTH:
                    raise self.fail(col, f"braces nested deeper than {_MAX_BRACE_DEPTH}")
                self.pos += 1
                inner = self.alternatives(depth + 1, col)
                if len(alts) * len(inner) > MAX_ALTERNATIVES:
                    raise self.fail(col, f"expands to more than {MAX_ALTERNATIVES} alternatives")
                if len(inner) == 1:
                    for a in alts:
                        a.extend(inner[0])
                else:
                    # The count at least doubles here, so this copy happens at most 8 times.
                    alts = [a + b for a in alts for b in inner]
                total = sum(map(len, alts))
            elif not esc and not in_class and in_brace and c in ",}":
                return alts
            elif not esc and not in_class and c == "}":
                raise self.fail(col, "unmatched '}'; escape it as \\}")
            else:
                if not esc:
                    if in_class:
                        # Inside [...] braces and commas are literal; ']' closes unless first.
                        if c == "]" and not self._first_in_class(class_start, self.pos):
                            in_class = False
                    elif c == "[":
                        in_class = True
                        class_start = self.pos
                for a in alts:
                    a.append(atom)
                total += len(alts)
                self.pos += 1
            if total > _MAX_EXPANDED_CHARS:
                raise self.fail(col, "brace expansion is too large")
        return alts

    def _first_in_class(self, class_start: int, pos: int) -> bool:
        """True when the ``]`` at ``pos`` is the first member of the class opened at
        ``class_start`` (as in ``[]a]`` or ``[!]a]``), where it is literal."""
        first = class_start + 1
        nxt = self.atoms[first] if first < len(self.atoms) else None
        if nxt is not None and nxt[0] in "!^" and not nxt[2]:
            first += 1
        return pos == first

    def alternatives(self, depth: int, open_col: int) -> list[list[_Atom]]:
        """Parse the inside of ``{...}`` (the ``{`` is consumed)."""
        result: list[list[_Atom]] = []
        while True:
            part = self.sequence(depth, in_brace=True)
            result.extend(part)
            if len(result) > MAX_ALTERNATIVES:
                raise self.fail(open_col, f"expands to more than {MAX_ALTERNATIVES} alternatives")
            if self.pos >= len(self.atoms):
                raise self.fail(open_col, "unmatched '{'; close it with '}' or escape it as \\{")
            c = self.atoms[self.pos][0]
            self.pos += 1
            if c == "}":
                return result


def _parse_class(pattern: str, atoms: list[_Atom], start: int) -> tuple[_Class, int]:
    """Parse the bracket expression opened at ``atoms[start]``; return it and the next index."""
    open_col = atoms[start][1]
    i = start + 1
    negated = False
    if i < len(atoms) and atoms[i][0] in "!^" and not atoms[i][2]:
        negated = True
        i += 1
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    first = True
    while True:
        if i >= len(atoms):
            raise GlobError(pattern, open_col, "unmatched '['; close it with ']' or escape it")
        c, col, esc = atoms[i]
        if c == "]" and not esc and not first:
            i += 1
            break
        first = False
        if (
            i + 2 < len(atoms)
            and atoms[i + 1][0] == "-"
            and not atoms[i + 1][2]
            and not (atoms[i + 2][0] == "]" and not atoms[i + 2][2])
        ):
            hi = atoms[i + 2][0]
            if hi < c:
                raise GlobError(pattern, col, f"range {c}-{hi} is reversed")
            ranges.append((c, hi))
            i += 3
            continue
        chars.add(c)
        i += 1
    return _Class(frozenset(chars), tuple(ranges), negated), i


def _compile_segment(pattern: str, atoms: list[_Atom], lower: bool) -> _SegPat:
    if len(atoms) == 2 and all(c == "*" and not esc for c, _, esc in atoms):
        return _GLOBSTAR
    tokens: list[_Token] = []
    i = 0
    wild = False
    while i < len(atoms):
        c, col, esc = atoms[i]
        if not esc and c == "*":
            if not tokens or tokens[-1] is not _STAR:
                tokens.append(_STAR)
            wild = True
            i += 1
        elif not esc and c == "?":
            tokens.append(_ANY)
            wild = True
            i += 1
        elif not esc and c == "[":
            cls, i = _parse_class(pattern, atoms, i)
            tokens.append(cls)
            wild = True
        elif not esc and c == "]":
            raise GlobError(pattern, col, "unmatched ']'; escape it as \\]")
        else:
            tokens.extend(c.lower() if lower else c)
            i += 1
    if not wild:
        return _Segment("".join(t for t in tokens if isinstance(t, str)), ())
    stars = [k for k, t in enumerate(tokens) if t is _STAR]
    if len(stars) == 1 and all(isinstance(t, str) or t is _STAR for t in tokens):
        k = stars[0]
        head = "".join(t for t in tokens[:k] if isinstance(t, str))
        tail = "".join(t for t in tokens[k + 1 :] if isinstance(t, str))
        return _Segment(None, tuple(tokens), head, tail, True)
    return _Segment(None, tuple(tokens))


def _compile_alternative(
    pattern: str, atoms: list[_Atom], lower: bool
) -> tuple[_SegPat, ...] | None:
    # Every '/' separates segments, escaped or not (no name can contain one), so a class cannot
    # span a '/': "[a/b]" reports an unmatched '['.
    pieces: list[list[_Atom]] = [[]]
    for atom in atoms:
        if atom[0] == "/":
            pieces.append([])
        else:
            pieces[-1].append(atom)
    anchored = bool(atoms) and atoms[0][0] == "/"
    # Drop empty pieces from '//' and a trailing '/', keep the leading one as the root marker.
    body = [p for p in pieces[1:] if p] if anchored else [p for p in pieces if p]
    segs: list[_SegPat] = [] if anchored else [_GLOBSTAR]
    if anchored:
        segs.append(_Segment("", ()))
    for piece in body:
        seg = _compile_segment(pattern, piece, lower)
        if isinstance(seg, _GlobStar) and segs and isinstance(segs[-1], _GlobStar):
            continue  # '**/**' is '**'
        segs.append(seg)
    if not body and not anchored:
        return None  # an empty alternative such as the first one of "{,a}"
    return tuple(segs)


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled policy glob; see the module documentation for the dialect."""

    pattern: str
    _alternatives: tuple[tuple[_SegPat, ...], ...]
    _alternatives_ci: tuple[tuple[_SegPat, ...], ...]

    def match(self, path: str, *, case_insensitive: bool = False) -> bool:
        """True when ``path`` (absolute, or relative for tail matching) matches the pattern.

        Duplicate and trailing slashes in ``path`` are ignored; the path is otherwise taken as is,
        so resolve it first (see :mod:`crustcore_nano.paths`).
        """
        if case_insensitive:
            path = path.lower()
            alts = self._alternatives_ci
        else:
            alts = self._alternatives
        parts = path.split("/")
        segs = [p for p in parts if p]
        if path.startswith("/"):
            segs.insert(0, "")
        return any(_match_segments(alt, segs, case_insensitive) for alt in alts)


def compile_glob(pattern: str, *, home: str | None = None) -> Glob:
    """Compile ``pattern``; raise :class:`GlobError` (a ``UsageError``) naming the column if bad."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise GlobError(pattern[:64] + "...", None, f"longer than {MAX_PATTERN_CHARS} characters")
    if not pattern:
        raise GlobError(pattern, None, "pattern is empty")
    if "\x00" in pattern:
        raise GlobError(pattern, pattern.index("\x00") + 1, "NUL character in pattern")
    atoms = _atoms(pattern, home)
    expander = _BraceExpander(pattern, atoms)
    expanded = expander.sequence(0, in_brace=False)
    alts: list[tuple[_SegPat, ...]] = []
    alts_ci: list[tuple[_SegPat, ...]] = []
    seen: set[str] = set()
    for alt in expanded:
        key = "".join(("\\" if esc else "") + c for c, _, esc in alt)
        if key in seen:
            continue
        seen.add(key)
        compiled = _compile_alternative(pattern, alt, lower=False)
        compiled_ci = _compile_alternative(pattern, alt, lower=True)
        if compiled is None or compiled_ci is None:
            continue
        alts.append(compiled)
        alts_ci.append(compiled_ci)
    if not alts:
        raise GlobError(pattern, None, "pattern matches nothing (every alternative is empty)")
    return Glob(pattern, tuple(alts), tuple(alts_ci))
