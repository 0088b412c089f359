"""Text normalization for policy matching: one canonical form of every string an agent sends.

Attackers hide intent from pattern matching with look-alike letters (Cyrillic U+0441 for the ``c``
of ``cat``), width and style variants (fullwidth ``/etc``, mathematical bold letters), invisible
characters (zero-width spaces inside ``.e\\u200bnv``), bidi overrides that reorder what a human
sees, Unicode tag characters that smuggle text past reviewers, terminal escape sequences, and
layered percent or ``\\uXXXX`` encodings.  This module folds all of those into one form so rules
written in plain ASCII still match, and reports *what* it had to undo as :class:`NormSignal`
values, because some of them (bidi controls or tag characters in a path) are suspicious alone.

Design points:

* Pure and standard-library only; every function is linear in its input.  Decoding only shrinks
  text; NFKC may expand a character (Unicode bounds that at 18x), so output is bounded.
* :func:`normalize_text` is idempotent: the confusable fold and the removal of ignorable characters
  run on the NFKD form, which is then recomposed with NFKC.  Folding on the decomposed form also
  keeps diacritics (``caf\u00e9`` stays as it is) while still folding an accented look-alike such
  as Cyrillic U+0457 (i with diaeresis) to Latin U+00EF.
* The normalized form is for *matching* only.  It is never written anywhere; the original is kept
  (see :class:`Normalized`) for the record and for execution.  That is why joiners and variation
  selectors inside emoji may be removed: the emoji themselves are kept.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "CONFUSABLES",
    "IGNORABLE_CODEPOINTS",
    "NormSignal",
    "Normalized",
    "decode_percent",
    "decode_unicode_escapes",
    "normalize_field",
    "normalize_text",
    "strip_ansi",
]


class NormSignal(enum.Enum):
    """What :func:`normalize_field` found and undid in a value."""

    ANSI = "ansi"
    """A terminal escape sequence (CSI, OSC incl. hyperlinks, DCS/SOS/PM/APC, ESC x, 8-bit C1)."""
    CONTROL = "control"
    """A C0/C1 control character other than tab and newline (a lone CR counts)."""
    NUL = "nul"
    """A NUL character (C programs stop reading a string there)."""
    INVISIBLE = "invisible"
    """A zero-width or other default-ignorable code point."""
    BIDI = "bidi"
    """A bidirectional control (override, embedding, isolate, mark) that can reorder display."""
    TAG_CHARS = "tag_chars"
    """A character of the Unicode tag block U+E0000-U+E007F (invisible ASCII smuggling)."""
    CONFUSABLE = "confusable"
    """A look-alike of a Latin letter or of path punctuation was folded to ASCII."""
    COMPATIBILITY = "compatibility"
    """NFKC changed the text (fullwidth, mathematical, ligature, decomposed accents, ...)."""
    PERCENT = "percent"
    """URL percent-encoding was decoded."""
    OVERLONG_UTF8 = "overlong_utf8"
    """A percent-encoded overlong UTF-8 form (``%c0%ae`` for ``.``) was decoded."""
    ESCAPES = "escapes"
    """Backslash escapes (``\\uXXXX``, ``\\UXXXXXXXX``, ``\\u{...}``, ``\\xXX``) were decoded."""


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

# Look-alikes of ASCII letters and of the punctuation that matters in paths and URLs, one code
# point each.  NFKD already maps fullwidth, mathematical, circled, superscript and similar
# compatibility forms to ASCII, so those need no entry here.
# Small capitals fold to lower case, the other letters keep their case.
CONFUSABLES: dict[str, str] = {
    # Cyrillic, lower case
    "\u0430": "a",  # CYRILLIC SMALL LETTER A
    "\u0435": "e",  # IE
    "\u043e": "o",  # O
    "\u0440": "p",  # ER
    "\u0441": "c",  # ES
    "\u0443": "y",  # U
    "\u0445": "x",  # HA
    "\u0455": "s",  # DZE
    "\u0456": "i",  # BYELORUSSIAN-UKRAINIAN I
    "\u0458": "j",  # JE
    "\u04bb": "h",  # SHHA
    "\u04cf": "l",  # PALOCHKA (small)
    "\u04af": "y",  # STRAIGHT U
    "\u0501": "d",  # KOMI DE
    "\u051b": "q",  # QA
    "\u051d": "w",  # WE
    # Cyrillic, upper case
    "\u0410": "A",
    "\u0412": "B",
    "\u0415": "E",
    "\u041a": "K",
    "\u041c": "M",
    "\u041d": "H",
    "\u041e": "O",
    "\u0420": "P",
    "\u0421": "C",
    "\u0422": "T",
    "\u0423": "Y",
    "\u0425": "X",
    "\u0405": "S",  # DZE
    "\u0406": "I",  # BYELORUSSIAN-UKRAINIAN I
    "\u0408": "J",  # JE
    "\u04ae": "Y",  # STRAIGHT U
    "\u04ba": "H",  # SHHA
    "\u04c0": "I",  # PALOCHKA
    "\u051a": "Q",  # QA
    "\u051c": "W",  # WE
    # Greek, lower case
    "\u03b1": "a",  # ALPHA
    "\u03b3": "y",  # GAMMA
    "\u03b9": "i",  # IOTA
    "\u03ba": "k",  # KAPPA
    "\u03bd": "v",  # NU
    "\u03bf": "o",  # OMICRON
    "\u03c1": "p",  # RHO
    "\u03c2": "c",  # FINAL SIGMA (NFKD target of the lunate sigma)
    "\u03c5": "u",  # UPSILON
    "\u03c7": "x",  # CHI
    "\u03f3": "j",  # YOT
    # Greek, upper case
    "\u0391": "A",
    "\u0392": "B",
    "\u0395": "E",
    "\u0396": "Z",
    "\u0397": "H",
    "\u0399": "I",
    "\u039a": "K",
    "\u039c": "M",
    "\u039d": "N",
    "\u039f": "O",
    "\u03a1": "P",
    "\u03a4": "T",
    "\u03a5": "Y",
    "\u03a7": "X",
    "\u03f9": "C",  # CAPITAL LUNATE SIGMA
    "\u037f": "J",  # CAPITAL YOT
    # Armenian
    "\u0570": "h",  # HO
    "\u0578": "n",  # VO
    "\u057d": "u",  # SEH
    "\u0566": "q",  # ZA
    "\u0585": "o",  # OH
    # Latin letters that look like other ASCII letters
    "\u0131": "i",  # DOTLESS I
    "\u0237": "j",  # DOTLESS J
    "\u0251": "a",  # ALPHA
    "\u0261": "g",  # SCRIPT G
    "\u0269": "i",  # IOTA
    # Latin small capitals
    "\u1d00": "a",
    "\u0299": "b",
    "\u1d04": "c",
    "\u1d05": "d",
    "\u1d07": "e",
    "\ua730": "f",
    "\u0262": "g",
    "\u029c": "h",
    "\u026a": "i",
    "\u1d0a": "j",
    "\u1d0b": "k",
    "\u029f": "l",
    "\u1d0d": "m",
    "\u0274": "n",
    "\u1d0f": "o",
    "\u1d18": "p",
    "\ua7af": "q",
    "\u0280": "r",
    "\ua731": "s",
    "\u1d1b": "t",
    "\u1d1c": "u",
    "\u1d20": "v",
    "\u1d21": "w",
    "\u028f": "y",
    "\u1d22": "z",
    # Path and URL punctuation look-alikes
    "\u2044": "/",  # FRACTION SLASH
    "\u2215": "/",  # DIVISION SLASH
    "\u29f8": "/",  # BIG SOLIDUS
    "\u2216": "\\",  # SET MINUS
    "\u29f5": "\\",  # REVERSE SOLIDUS OPERATOR
    "\u29f9": "\\",  # BIG REVERSE SOLIDUS
    "\u2236": ":",  # RATIO
    "\ua789": ":",  # MODIFIER LETTER COLON
    "\u2010": "-",  # HYPHEN
    "\u2212": "-",  # MINUS SIGN
    "\u02d7": "-",  # MODIFIER LETTER MINUS SIGN
    "\u2024": ".",  # ONE DOT LEADER (kept in case NFKD ever stops mapping it)
    "\ua4f8": ".",  # LISU LETTER TONE MYA TI
}


class _Kind(enum.Enum):
    INVISIBLE = 1
    BIDI = 2
    TAG = 3


def _ignorable_ranges() -> Iterable[tuple[int, int, _Kind]]:
    """Default-ignorable code points (Unicode DerivedCoreProperties), grouped by why they matter."""
    inv, bidi, tag = _Kind.INVISIBLE, _Kind.BIDI, _Kind.TAG
    return (
        (0x00AD, 0x00AD, inv),  # soft hyphen
        (0x034F, 0x034F, inv),  # combining grapheme joiner
        (0x061C, 0x061C, bidi),  # arabic letter mark
        (0x115F, 0x1160, inv),  # hangul fillers
        (0x17B4, 0x17B5, inv),  # khmer inherent vowels
        (0x180B, 0x180F, inv),  # mongolian variation selectors, vowel separator
        (0x200B, 0x200D, inv),  # zero width space, non-joiner, joiner
        (0x200E, 0x200F, bidi),  # LRM, RLM
        (0x202A, 0x202E, bidi),  # embeddings and overrides
        (0x2060, 0x2065, inv),  # word joiner, invisible operators
        (0x2066, 0x2069, bidi),  # isolates
        (0x206A, 0x206F, inv),  # deprecated format characters
        (0x3164, 0x3164, inv),  # hangul filler
        (0xFE00, 0xFE0F, inv),  # variation selectors
        (0xFEFF, 0xFEFF, inv),  # byte order mark / zero width no-break space
        (0xFFA0, 0xFFA0, inv),  # halfwidth hangul filler
        (0xFFF0, 0xFFF8, inv),  # unassigned, default ignorable
        (0x1BCA0, 0x1BCA3, inv),  # shorthand format controls
        (0x1D173, 0x1D17A, inv),  # musical symbol formatting
        (0xE0000, 0xE007F, tag),  # tag characters
        (0xE0080, 0xE0FFF, inv),  # variation selectors supplement and reserved
    )


IGNORABLE_CODEPOINTS: frozenset[int] = frozenset(
    cp for lo, hi, _ in _ignorable_ranges() for cp in range(lo, hi + 1)
)
"""Every code point :func:`normalize_text` removes as invisible."""

_KIND_SETS: dict[_Kind, frozenset[str]] = {
    kind: frozenset(
        chr(cp) for lo, hi, k in _ignorable_ranges() if k is kind for cp in range(lo, hi + 1)
    )
    for kind in _Kind
}
_CONFUSABLE_SET = frozenset(CONFUSABLES)

# One translation table for the NFKD form: fold look-alikes, delete ignorables (None deletes).
_TRANSLATE: dict[int, str | None] = {ord(k): v for k, v in CONFUSABLES.items()}
_TRANSLATE.update(dict.fromkeys(IGNORABLE_CODEPOINTS))


def _char_class(codepoints: Iterable[int]) -> re.Pattern[str]:
    """One regex character class of merged ranges (a class of thousands of single characters is
    scanned slowly by ``re``; a few dozen ranges are fast)."""
    ranges: list[list[int]] = []
    for cp in sorted(set(codepoints)):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in ranges
    )
    return re.compile(f"[{body}]")


_TABLE_RE = _char_class(_TRANSLATE)
_TABLE_LOOKUP: dict[str, str] = {chr(k): (v or "") for k, v in _TRANSLATE.items()}

# Look-alikes that NFKD would turn into something else first (capital lunate sigma becomes a
# plain capital sigma, which no longer looks like C) are folded before decomposing.
_PRE_NFKD: dict[int, str] = {
    ord(k): v for k, v in CONFUSABLES.items() if unicodedata.normalize("NFKD", k) != k
}
_PRE_NFKD_RE = _char_class(_PRE_NFKD)

# --------------------------------------------------------------------------------------------
# Terminal escapes and control characters
# --------------------------------------------------------------------------------------------

# Anything that is not plain text: C0 except TAB and LF, DEL, and the C1 block.
_CTRL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Where an OSC/DCS/SOS/PM/APC string ends or is cut off: BEL, CAN, SUB, ESC, and the 8-bit
# ST plus every 8-bit introducer (a new sequence also ends the current string).
_STRING_END_RE = re.compile("[\x07\x18\x1a\x1b\x90\x98\x9b\x9c\x9d\x9e\x9f]")
_STRING_INTRODUCERS_7BIT = frozenset("]PX^_")  # OSC, DCS, SOS, PM, APC after ESC
_STRING_INTRODUCERS_8BIT = frozenset("\x9d\x90\x98\x9e\x9f")
_CSI_8BIT = "\x9b"


@dataclass(slots=True)
class _ControlReport:
    ansi: bool = False
    control: bool = False
    nul: bool = False


def _skip_csi(s: str, j: int) -> int:
    """Return the index just past a CSI sequence whose parameters start at ``j``.

    Parameters (0x30-0x3F) and intermediates (0x20-0x2F) are consumed, then one final byte
    (0x40-0x7E) if present.  A sequence cut off by anything else ends where it was cut.
    """
    n = len(s)
    while j < n and "\x20" <= s[j] <= "\x3f":
        j += 1
    if j < n and "\x40" <= s[j] <= "\x7e":
        j += 1
    return j


def _skip_string(s: str, j: int, report: _ControlReport) -> tuple[int, bool]:
    """Skip an OSC/DCS/SOS/PM/APC string body starting at ``j``.

    Returns ``(end, terminated)``.  An unterminated string (no BEL/ST/CAN/SUB/ESC before the end
    of the text) is *not* swallowed: only its introducer is dropped, so a stray ``ESC ]`` cannot
    hide the rest of a command from the normalized form.  Because the search stops at the first
    ESC or 8-bit introducer, an unterminated string means none follows, so this stays linear.
    """
    m = _STRING_END_RE.search(s, j)
    if m is None:
        return j, False
    k = m.start()
    c = s[k]
    report.ansi = True
    if c in "\x07\x9c\x18\x1a":
        return k + 1, True
    if c == "\x1b" and k + 1 < len(s) and s[k + 1] == "\\":
        return k + 2, True
    return k, True  # ESC or an 8-bit introducer starts the next sequence


def _strip_controls(s: str, report: _ControlReport) -> str:
    if _CTRL_RE.search(s) is None:
        return s
    out: list[str] = []
    n = len(s)
    i = 0
    while i < n:
        m = _CTRL_RE.search(s, i)
        if m is None:
            out.append(s[i:])
            break
        k = m.start()
        if k > i:
            out.append(s[i:k])
        c = s[k]
        i = k + 1
        if c == "\r":
            if i < n and s[i] == "\n":
                continue  # CRLF: the LF that follows is kept as the line break
            report.control = True
            out.append("\n")  # a lone CR breaks the line; joining the words would hide them
        elif c == "\x1b":
            report.ansi = True
            nxt = s[i] if i < n else ""
            if nxt == "[":
                i = _skip_csi(s, i + 1)
            elif nxt in _STRING_INTRODUCERS_7BIT and nxt:
                i, _ = _skip_string(s, i + 1, report)
            elif nxt and "\x20" <= nxt <= "\x2f":
                # nF escape: intermediates, then one final byte.
                j = i
                while j < n and "\x20" <= s[j] <= "\x2f":
                    j += 1
                if j < n and "\x30" <= s[j] <= "\x7e":
                    j += 1
                i = j
            elif nxt and "\x30" <= nxt <= "\x7e":
                i += 1  # two-character escape (ESC 7, ESC c, ESC =, ...)
            # otherwise: a lone ESC, dropped
        elif c == _CSI_8BIT:
            report.ansi = True
            i = _skip_csi(s, i)
        elif c in _STRING_INTRODUCERS_8BIT:
            report.ansi = True
            i, _ = _skip_string(s, i, report)
        else:
            if c == "\x00":
                report.nul = True
            report.control = True
    return "".join(out)


def strip_ansi(s: str) -> str:
    """Remove terminal escape sequences and control characters, keeping newlines and tabs.

    Handles CSI (``ESC [`` and 8-bit ``U+009B``), OSC including OSC 8 hyperlinks terminated by
    BEL or ST, DCS/SOS/PM/APC strings, nF and two-character ``ESC`` sequences and the remaining
    C0/C1 controls and DEL.  CRLF becomes LF and a lone CR becomes LF.
    """
    return _strip_controls(s, _ControlReport())


# --------------------------------------------------------------------------------------------
# Unicode folding
# --------------------------------------------------------------------------------------------


def _fold(s: str, found: set[str] | None) -> str:
    """NFKD, fold look-alikes and drop ignorables, then recompose with NFKC."""
    if s.isascii():
        return s
    if _PRE_NFKD_RE.search(s) is not None:
        if found is not None:
            found.update(_PRE_NFKD_RE.findall(s))
        s = s.translate(_PRE_NFKD)
    decomposed = unicodedata.normalize("NFKD", s)
    if _TABLE_RE.search(decomposed) is None:
        # Nothing to fold or remove: the answer is plain NFKC (and NFKC(NFKD(s)) == NFKC(s)).
        if unicodedata.is_normalized("NFKC", s):
            return s
        return unicodedata.normalize("NFKC", s)
    if found is not None:
        found.update(_TABLE_RE.findall(decomposed))
    folded = _TABLE_RE.sub(_fold_match, decomposed)
    return unicodedata.normalize("NFKC", folded)


def _fold_match(m: re.Match[str]) -> str:
    return _TABLE_LOOKUP[m.group()]


def normalize_text(s: str) -> str:
    """Return the canonical matching form of ``s``.

    Steps: terminal escapes and control characters stripped (newline and tab kept), NFKC,
    confusable letters and punctuation folded to ASCII, zero-width, bidi, tag and other
    default-ignorable code points removed.  Idempotent.  Case and diacritics are preserved.
    """
    return _fold(_strip_controls(s, _ControlReport()), None)


# --------------------------------------------------------------------------------------------
# Decoders
# --------------------------------------------------------------------------------------------

_SURROGATE_ESCAPE_RE = re.compile("[\udc80-\udcff]")


def _decode_utf8_bytes(data: bytes, render_bad: Callable[[int], str]) -> tuple[str, bool]:
    """Decode ``data`` as UTF-8; undecodable bytes are rendered by ``render_bad``.

    Two-byte overlong forms of ASCII (``C0``/``C1`` lead byte) are decoded to the character they
    spell, because some servers historically accepted them; the second return value says so.
    """
    text = data.decode("utf-8", "surrogateescape")
    if _SURROGATE_ESCAPE_RE.search(text) is None:
        return text, False
    out: list[str] = []
    overlong = False
    i = 0
    n = len(text)
    while i < n:
        o = ord(text[i])
        if 0xDC80 <= o <= 0xDCFF:
            byte = o - 0xDC00
            if byte in (0xC0, 0xC1) and i + 1 < n and 0xDC80 <= ord(text[i + 1]) <= 0xDCBF:
                out.append(chr(((byte & 0x1F) << 6) | (ord(text[i + 1]) - 0xDC80)))
                overlong = True
                i += 2
                continue
            out.append(render_bad(byte))
        else:
            out.append(text[i])
        i += 1
    return "".join(out), overlong


_PERCENT_RUN_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _percent_bad(byte: int) -> str:
    return f"%{byte:02X}"


def _decode_percent_once(s: str) -> tuple[str, bool]:
    overlong = False

    def repl(m: re.Match[str]) -> str:
        nonlocal overlong
        run = m.group()
        data = bytes(int(run[k + 1 : k + 3], 16) for k in range(0, len(run), 3))
        text, was_overlong = _decode_utf8_bytes(data, _percent_bad)
        overlong = overlong or was_overlong
        return text

    return _PERCENT_RUN_RE.sub(repl, s), overlong


def _decode_percent(s: str, max_rounds: int) -> tuple[str, bool]:
    overlong = False
    for _ in range(max_rounds):
        if "%" not in s:
            break
        nxt, was_overlong = _decode_percent_once(s)
        overlong = overlong or was_overlong
        if nxt == s:
            break
        s = nxt
    return s, overlong


def decode_percent(s: str, max_rounds: int = 3) -> str:
    """Decode URL percent-encoding up to ``max_rounds`` layers, stopping early once stable.

    Runs of ``%XX`` are decoded as UTF-8; bytes that are not valid UTF-8 stay as ``%XX`` text
    (so the result is stable), except two-byte overlong ASCII forms such as ``%c0%ae``, which are
    decoded.  ``+`` is not a space here (that is form encoding, not URL encoding).
    """
    if max_rounds < 0:
        raise ValueError("max_rounds must be >= 0")
    return _decode_percent(s, max_rounds)[0]


_ESCAPE_RE = re.compile(
    r"\\(?:\\|u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2})"
)


def _latin1(byte: int) -> str:
    return chr(byte)


def decode_unicode_escapes(s: str) -> str:
    """Decode ``\\uXXXX``, ``\\u{X..}``, ``\\UXXXXXXXX`` and ``\\xXX`` escapes in one pass.

    Surrogate pairs written as two ``\\u`` escapes are joined; lone surrogates and out-of-range
    values are left as written.  Adjacent ``\\xXX`` escapes are read as UTF-8 bytes when they form
    valid UTF-8 (as in a shell ``$'\\xe2\\x80\\x8b'``), otherwise each is the Latin-1 character
    of that value.  ``\\\\`` is an escaped backslash and is left as is, so ``\\\\u0041`` is not an
    escape.
    """
    if "\\" not in s:
        return s
    out: list[str] = []
    pos = 0
    matches = list(_ESCAPE_RE.finditer(s))
    n = len(matches)
    k = 0
    while k < n:
        m = matches[k]
        start, end = m.span()
        out.append(s[pos:start])
        tok = m.group()
        kind = tok[1]
        if kind == "\\":
            out.append(tok)
            k += 1
        elif kind == "x":
            data = bytearray()
            run_end = end
            j = k
            while (
                j < n and matches[j].group()[1] == "x" and (j == k or matches[j].start() == run_end)
            ):
                data.append(int(matches[j].group()[2:], 16))
                run_end = matches[j].end()
                j += 1
            out.append(_decode_utf8_bytes(bytes(data), _latin1)[0])
            end = run_end
            k = j
        else:
            value = int(tok[3:-1] if tok[2] == "{" else tok[2:], 16)
            k += 1
            if 0xD800 <= value <= 0xDBFF and k < n and matches[k].start() == end:
                nxt = matches[k].group()
                if nxt[1] == "u" and nxt[2] != "{":
                    low = int(nxt[2:], 16)
                    if 0xDC00 <= low <= 0xDFFF:
                        out.append(chr(0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)))
                        end = matches[k].end()
                        k += 1
                        pos = end
                        continue
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                out.append(tok)
            else:
                out.append(chr(value))
        pos = end
    out.append(s[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Normalized:
    """One value before and after normalization, with what was undone on the way."""

    original: str
    normalized: str
    changed: bool
    signals: frozenset[NormSignal]


_MAX_FIELD_ROUNDS = 3


def normalize_field(s: str, *, percent: bool = True, escapes: bool = True) -> Normalized:
    """Normalize one extracted value and report what was found.

    Backslash escapes and percent-encoding are decoded first (when enabled) because decoding can
    reveal invisible or look-alike characters; then :func:`normalize_text` runs.  The decode and
    normalize steps repeat, at most three rounds, while they keep changing the value, so layered
    encodings such as ``%5Cu0063`` are undone.  Disable ``percent`` for values where ``%`` is
    ordinary text, and ``escapes`` for Windows paths where backslashes are separators.
    """
    signals: set[NormSignal] = set()
    report = _ControlReport()
    found: set[str] = set()
    cur = s
    for _ in range(_MAX_FIELD_ROUNDS):
        step = cur
        if escapes:
            decoded = decode_unicode_escapes(step)
            if decoded != step:
                signals.add(NormSignal.ESCAPES)
            step = decoded
        if percent:
            decoded, overlong = _decode_percent(step, 1)
            if decoded != step:
                signals.add(NormSignal.PERCENT)
            if overlong:
                signals.add(NormSignal.OVERLONG_UTF8)
            step = decoded
        stripped = _strip_controls(step, report)
        if not stripped.isascii() and not unicodedata.is_normalized("NFKC", stripped):
            signals.add(NormSignal.COMPATIBILITY)
        step = _fold(stripped, found)
        if step == cur:
            break
        cur = step
    if report.ansi:
        signals.add(NormSignal.ANSI)
    if report.control:
        signals.add(NormSignal.CONTROL)
    if report.nul:
        signals.add(NormSignal.NUL)
    if found:
        if not found.isdisjoint(_CONFUSABLE_SET):
            signals.add(NormSignal.CONFUSABLE)
        if not found.isdisjoint(_KIND_SETS[_Kind.INVISIBLE]):
            signals.add(NormSignal.INVISIBLE)
        if not found.isdisjoint(_KIND_SETS[_Kind.BIDI]):
            signals.add(NormSignal.BIDI)
        if not found.isdisjoint(_KIND_SETS[_Kind.TAG]):
            signals.add(NormSignal.TAG_CHARS)
    return Normalized(original=s, normalized=cur, changed=cur != s, signals=frozenset(signals))
