"""The redactor: the one place text becomes ``ModelVisibleText``.

It knows every registered secret value and derives the forms in which a value commonly travels:
the raw text, lower- and upper-case hex, standard and URL-safe base64 at each of the three byte
alignments a value can have inside a longer base64 stream (only the characters that depend on the
secret alone are used, so the form is found wherever the secret sits), percent-encoding and JSON
string escaping. Every occurrence of every form is replaced by ``[REDACTED:label]``; overlapping
spans are merged; the longest form wins where two start together. Redaction is idempotent: text
inside an existing marker is never matched again.

Matching uses ``str.find`` per needle (C speed, linear in the text for a fixed set of secrets, no
regular expressions and so no backtracking).
"""
# pyright: reportUnnecessaryIsInstance=false
# (run-time checks of values from callers that ignore the annotations are deliberate)

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Never, cast, final

from crustcore_nano._seal import MacKey, SealedMixin, build, refuse
from crustcore_nano.errors import SealError, SecretError

MIN_SECRET_BYTES = 8
MAX_SECRET_BYTES = 16 * 1024
MIN_ENCODED_NEEDLE = 8
MARKER_RE = re.compile(r"\[REDACTED:[a-z0-9_.-]{1,64}\]")
_NUMBERS = (int, float, bool)

# Model-visible text is MAC'd with a key that exists only in this process, so an instance made
# with ``object.__new__`` or edited afterwards is refused by ``require_model_visible``.
_MVT_KEY = MacKey.generate("model-visible-text")


def marker(label: str) -> str:
    return f"[REDACTED:{label}]"


@final
class ModelVisibleText(SealedMixin):
    """Text that has passed the redactor and may be shown to a model.

    Only :class:`Redactor` creates it. ``origin`` names where the content came from when it was
    untrusted (``tool:bash``, ``mcp:github``, ``file:README.md``, ...), or is ``None`` for text
    the orchestrator itself wrote.
    """

    __slots__ = ("text", "origin", "redactions", "mac")
    text: str
    origin: str | None
    redactions: int
    mac: str

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse("ModelVisibleText()")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"ModelVisibleText({self.text!r}, origin={self.origin!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelVisibleText):
            return NotImplemented
        return (self.text, self.origin) == (other.text, other.origin)

    def __hash__(self) -> int:
        return hash((self.text, self.origin))

    def framed(self) -> str:
        """The text with its origin stated, the way untrusted content is shown to a model."""
        if self.origin is None:
            return self.text
        return f"<untrusted-data origin={json.dumps(self.origin)}>\n{self.text}\n</untrusted-data>"


def _mint_mvt(text: str, origin: str | None, redactions: int) -> ModelVisibleText:
    return build(
        ModelVisibleText,
        text=text,
        origin=origin,
        redactions=redactions,
        mac=_MVT_KEY.sign("mvt", text, origin),
    )


def require_model_visible(value: object) -> ModelVisibleText:
    """Check at a model boundary that ``value`` is a genuine, unedited ``ModelVisibleText``."""
    if type(value) is not ModelVisibleText:
        raise SealError(
            f"refused: {type(value).__name__} is not ModelVisibleText; pass text through "
            "broker.redact() before it reaches a model"
        )
    try:
        ok = _MVT_KEY.check(value.mac, "mvt", value.text, value.origin)
    except AttributeError:
        ok = False
    if not ok:
        raise SealError("refused: ModelVisibleText was forged or edited after redaction")
    return value


def _b64_stable_forms(raw: bytes) -> list[str]:
    """Base64 substrings that depend only on ``raw``, for each of the three alignments."""
    forms: list[str] = []
    n = len(raw)
    for offset in range(3):
        stream = b"\0" * offset + raw
        for encoder in (base64.b64encode, base64.urlsafe_b64encode):
            enc = encoder(stream).decode("ascii")
            first = -(-8 * offset // 6)  # first char whose 6 bits start inside the secret
            last = (8 * (offset + n)) // 6  # one past the last char fully inside the secret
            if last - first >= MIN_ENCODED_NEEDLE:
                forms.append(enc[first:last])
    forms.append(base64.b64encode(raw).decode("ascii"))
    forms.append(base64.urlsafe_b64encode(raw).decode("ascii"))
    return forms


def derive_forms(raw: bytes) -> list[str]:
    """Every textual form of a secret value the redactor looks for (deduplicated)."""
    forms: list[str] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    forms.append(text)
    hexed = binascii.hexlify(raw).decode("ascii")
    forms += [hexed, hexed.upper()]
    forms += _b64_stable_forms(raw)
    forms += ["".join(f"%{b:02X}" for b in raw), "".join(f"%{b:02x}" for b in raw)]
    forms += [urllib.parse.quote(text, safe=""), urllib.parse.quote_plus(text, safe="")]
    forms += [json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]]
    seen: set[str] = set()
    out: list[str] = []
    for form in forms:
        if len(form) >= MIN_ENCODED_NEEDLE and form not in seen:
            seen.add(form)
            out.append(form)
    return out


def render(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, label)`` span (sorted, disjoint) replaced by its marker."""
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for start, end, label in spans:
        parts.append(text[pos:start])
        parts.append(marker(label))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


class Redactor:
    """Replaces registered secret values (in all their forms) with ``[REDACTED:label]``."""

    __slots__ = (
        "_forms", "_generation", "_heads", "_json_plain", "_max_len", "_needles", "_sorted"
    )  # fmt: skip

    def __init__(self) -> None:
        self._needles: list[tuple[str, str]] = []  # (needle, label), longest first
        self._max_len = 0
        self._heads: list[set[str]] = [set() for _ in range(4)]
        self._sorted: list[str] = []
        self._forms: tuple[str, ...] = ()
        self._json_plain = True
        self._generation = 0

    def __repr__(self) -> str:
        return f"Redactor({len(self._needles)} forms)"

    @property
    def max_needle_len(self) -> int:
        return self._max_len

    def register(self, label: str, raw: bytes) -> None:
        if len(raw) < MIN_SECRET_BYTES:
            raise SecretError(
                f"secret '{label}' is shorter than {MIN_SECRET_BYTES} bytes: too short to be "
                "found and redacted reliably; use a longer credential"
            )
        if len(raw) > MAX_SECRET_BYTES:
            raise SecretError(f"secret '{label}' is longer than {MAX_SECRET_BYTES} bytes")
        if b"\n" in raw or b"[REDACTED:" in raw:
            raise SecretError(
                f"secret '{label}' contains a newline or a redaction marker; store such values "
                "as files, not as secrets"
            )
        self._set(self._needles + [(form, label) for form in derive_forms(raw)])

    @property
    def generation(self) -> int:
        """A number that changes whenever the set of secret forms does: a cache of scrubbed
        text is valid only for the generation it was made in."""
        return self._generation

    def _set(self, needles: Iterable[tuple[str, str]]) -> None:
        self._generation += 1
        self._needles = sorted(set(needles), key=lambda item: (-len(item[0]), item[0], item[1]))
        self._max_len = max((len(n) for n, _ in self._needles), default=0)
        heads: list[set[str]] = [set() for _ in range(4)]
        for needle, _ in self._needles:
            for k in range(1, 5):
                heads[k - 1].add(needle[:k])
        self._heads = heads
        self._sorted = sorted({n for n, _ in self._needles})
        self._forms = tuple(dict.fromkeys(n for n, _ in self._needles))
        # Forms JSON writes as they are (printable ASCII, no quote or backslash): see
        # `absent_from_json`.
        self._json_plain = all(
            form.isascii() and form.isprintable() and '"' not in form and "\\" not in form
            for form in self._forms
        )

    # --- matching ------------------------------------------------------------------------------
    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Merged spans ``(start, end, label)`` of every secret form in ``text``."""
        needles = self._needles
        if not needles or len(text) < len(needles[-1][0]):
            return []  # empty, or shorter than the shortest form (most keys and small values)
        found: list[tuple[int, int, str]] = []
        for needle, label in needles:
            if needle not in text:  # the usual answer, without a method call
                continue
            i = text.find(needle)
            while i != -1:
                found.append((i, i + len(needle), label))
                i = text.find(needle, i + 1)
        if not found:
            return []
        if "[REDACTED:" in text:
            markers = [(m.start(), m.end()) for m in MARKER_RE.finditer(text)]
            found = [s for s in found if not any(a <= s[0] and s[1] <= b for a, b in markers)]
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        merged: list[tuple[int, int, str]] = []
        for start, end, label in found:
            if merged and start < merged[-1][1]:
                m_start, m_end, m_label = merged[-1]
                if end > m_end:
                    merged[-1] = (m_start, end, m_label)
            else:
                merged.append((start, end, label))
        return merged

    def absent_from_json(self, encoded: str) -> bool:
        """Whether no secret form occurs in any string of a value whose compact JSON, with
        non-ASCII escaped, is `encoded`: one search of that text per form. It answers only
        when every form is printable ASCII with no quote or backslash, which JSON writes
        exactly as it is (False otherwise: the caller then walks the value)."""
        if not self._json_plain:
            return False
        for form in self._forms:  # noqa: SIM110 - a generator in `all` costs more here
            if form in encoded:
                return False
        return True

    def would_leak(self, text: str) -> bool:
        return bool(self.spans(text))

    def scrub(self, text: str) -> tuple[str, int]:
        """The text with every span replaced, and how many spans there were."""
        spans = self.spans(text)
        return render(text, spans), len(spans)

    def to_model_visible(self, text: str, *, origin: str | None = None) -> ModelVisibleText:
        if not isinstance(text, str):
            raise SecretError(
                f"only text can be made model-visible, not {type(text).__name__} (secret material "
                "never becomes model-visible)"
            )
        clean, count = self.scrub(text)
        if origin is not None:
            origin, _ = self.scrub(origin)
        return _mint_mvt(clean, origin, count)

    def scrub_json(self, value: object, _depth: int = 0) -> object:
        """A copy of a JSON-like value with every string scrubbed (for log payloads)."""
        if _depth > 64:
            raise SecretError("value nested too deeply to redact (over 64 levels)")
        if type(value) is dict:
            clean = self._clean_flat(cast("dict[object, object]", value))
            if clean is not None:
                return clean
        if isinstance(value, str):
            return self.scrub(value)[0]
        if isinstance(value, Mapping):
            items = cast("Mapping[object, object]", value).items()
            return {self.scrub(str(k))[0]: self.scrub_json(v, _depth + 1) for k, v in items}
        if isinstance(value, list | tuple):
            seq = cast("list[object] | tuple[object, ...]", value)
            return [self.scrub_json(v, _depth + 1) for v in seq]
        return value

    def _clean_flat(self, value: dict[object, object]) -> dict[object, object] | None:
        """A copy of a flat mapping (string keys, scalar values) in which no secret form
        occurs, else None. Every form that occurs in one of its strings occurs in their
        NUL-joined text, so one search of that text answers for all of them (the usual tool
        call: a few short arguments, nothing to redact)."""
        parts: list[str] = []
        for key, item in value.items():
            if type(key) is not str:
                return None
            if type(item) is str:
                parts.append(item)
            elif not (item is None or type(item) in _NUMBERS):
                return None
            parts.append(key)
        needles = self._needles
        if needles:  # (no secret registered: nothing to look for)
            text = "\x00".join(parts)
            for needle, _ in needles:
                if needle in text:
                    return None  # `scrub_json` takes the general way and replaces it
        return dict(value)

    # --- for the stream redactor ---------------------------------------------------------------
    def holdback_start(self, text: str) -> int:
        """Earliest index from which the tail of ``text`` could still grow into a secret form."""
        window = max(0, len(text) - self._max_len + 1)
        heads = self._heads
        ordered = self._sorted
        firsts = heads[0]
        n = len(text)
        for p in range(window, n):
            if text[p] not in firsts:
                continue
            k = 4 if n - p >= 4 else n - p
            if text[p : p + k] not in heads[k - 1]:
                continue
            tail = text[p:]
            i = bisect.bisect_left(ordered, tail)
            if i < len(ordered) and ordered[i] == tail:
                i += 1  # forms starting with ``tail`` sort together, right after ``tail`` itself
            if i < len(ordered) and ordered[i].startswith(tail):
                return p  # the tail is a proper prefix of some form: wait for more
        return len(text)


class StreamRedactor:
    """Redacts a text stream delivered in chunks (SSE deltas), across chunk boundaries.

    Normally only a tail that could still grow into a secret form is held back (fewer than
    ``max_needle_len`` characters, or a match that straddles the cut), and the concatenated
    output equals ``redactor.scrub`` of the whole stream. The hold-back is bounded: when a chain
    of overlapping matches would hold back more than ``2 * max_needle_len`` characters, the
    redacted part is released early and the last ``max_needle_len - 1`` released characters are
    kept as context, so a match straddling the release point is still found and its remainder
    redacted (the output then shows two adjacent markers where the whole-text redaction shows
    one; nothing of the secret is released either way). ``flush()`` ends the stream.
    """

    __slots__ = ("_redactor", "_buf", "_ctx", "_closed")

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._buf = ""
        self._ctx = 0  # leading characters of _buf already released (context only)
        self._closed = False

    @property
    def held_back(self) -> int:
        """Characters received but not yet released."""
        return len(self._buf) - self._ctx

    def _release(self, buf: str, spans: list[tuple[int, int, str]], cut: int) -> str:
        """Render ``buf[ctx:cut]``, with every span clipped to that window."""
        ctx = self._ctx
        clipped = [(max(a, ctx), min(b, cut), lab) for a, b, lab in spans if a < cut and b > ctx]
        return _render_window(buf, clipped, ctx, cut)

    def feed(self, chunk: str) -> str:
        if self._closed:
            raise SecretError("stream redactor already flushed")
        buf = self._buf + chunk
        red = self._redactor
        spans = red.spans(buf)
        cut = max(red.holdback_start(buf), self._ctx)
        for start, end, _ in spans:
            if start < cut < end:
                cut = max(start, self._ctx)
                break
        limit = 2 * max(red.max_needle_len, 1)
        if len(buf) - cut > limit:
            # A chain of overlapping matches: release early, keep context to catch straddlers.
            cut = len(buf) - red.max_needle_len
            out = self._release(buf, spans, cut)
            keep = max(red.max_needle_len - 1, 0)
            self._buf, self._ctx = buf[cut - keep :], keep
            return out
        out = self._release(buf, spans, cut)
        self._buf, self._ctx = buf[cut:], 0
        return out

    def flush(self) -> str:
        self._closed = True
        buf = self._buf
        out = self._release(buf, self._redactor.spans(buf), len(buf))
        self._buf, self._ctx = "", 0
        return out


def _render_window(text: str, spans: list[tuple[int, int, str]], lo: int, hi: int) -> str:
    parts: list[str] = []
    pos = lo
    for start, end, label in spans:
        parts.append(text[pos:start])
        parts.append(marker(label))
        pos = end
    parts.append(text[pos:hi])
    return "".join(parts)
