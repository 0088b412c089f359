"""Values of a Kubernetes `Secret` manifest written as YAML (`kubectl get secret -o yaml`,
a manifest in a repository) or JSON (`-o json`): each entry under `data` is base64 of the
secret, each entry under `stringData` the secret itself.

The entries are ordinary `key: value` lines, so they are found through the `:` anchor that
the generic assignment detector already owns (with the same guard: a value of 16+ characters
follows), and judged by their place: the line is indented under a `data:`/`stringData:`
line, and the YAML document holding it says `kind: Secret`. In JSON, the entry is a direct
member of a `"data": {…}` object (braces counted between the two) and the `"kind"` nearest
to it (before or after: `kubectl` sorts keys) is `"Secret"`. The value is then decoded and
judged: a private key or a Docker config with credentials is HIGH; other non-empty secrets
are MEDIUM, except entries that name something public (`username`, `host`, `ca.crt`).

The checks read a bounded window (lines above the entry, and the document around it) with
`str` methods, so the cost per anchor hit is fixed.
"""

from __future__ import annotations

import base64
import binascii
import re

from crustcore_nano.dlp import heuristics
from crustcore_nano.dlp.checks import judge_password
from crustcore_nano.dlp.finding import Confidence
from crustcore_nano.dlp.model import Detector, Verdict

__all__ = ["ENTRY_ANCHORS", "ENTRY_PATTERN", "secret_manifest_value"]

ENTRY_ANCHORS = (":",)
# `key: value` to the end of the line; the check finds where the value really ends (quotes,
# trailing blanks, a comment). One bounded run to the line's end: nothing to backtrack over.
ENTRY_PATTERN = r":[ \t]{0,8}(?P<val>[^\s#][^\n]{0,16383})"

_LINES_UP = 256  # lines walked up to the entry's parent
_BACK = 16384  # characters read above an entry for its parent and its document's start
_AHEAD = 16384  # characters read below it for the rest of its document
_KEY = re.compile(r"[ \t]{1,32}(?P<key>[-._A-Za-z0-9]{1,253})")
_KIND_SECRET = re.compile(r"(?m)^[ \t]{0,32}kind:[ \t]{1,8}[\"']?Secret[\"']?[ \t]*\r?$")
_PARENTS = ("data:", "stringData:")
# Entries that hold names, addresses and public certificates rather than secrets.
_PUBLIC_KEYS = frozenset(
    {
        "username",
        "user",
        "host",
        "hostname",
        "port",
        "database",
        "db",
        "namespace",
        "server",
        "endpoint",
        "region",
        "email",
        "ca.crt",
        "tls.crt",
        "service-ca.crt",
        "cert",
        "certificate",
    }
)
_DOCKER_KEYS = (".dockerconfigjson", ".dockercfg")


def _line_bounds(text: str, at: int) -> tuple[int, int]:
    start = text.rfind("\n", max(0, at - _BACK), at) + 1
    end = text.find("\n", at, at + _AHEAD)
    return start, end if end != -1 else min(len(text), at + _AHEAD)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _parent_line(text: str, line_start: int, indent: int) -> str:
    """The nearest line above `line_start` indented less than `indent` (blank and comment
    lines skipped), stripped; '' when none is found within the bounds."""
    lo = max(0, line_start - _BACK)
    end = line_start - 1
    for _ in range(_LINES_UP):
        if end <= lo:
            return ""
        start = text.rfind("\n", lo, end) + 1
        line = text[start:end].rstrip("\r")
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and _indent(line) < indent:
            return stripped
        end = start - 1
    return ""


def _in_secret_document(text: str, at: int) -> bool:
    """True when the YAML document holding `at` (between `---` lines, within bounds) says
    `kind: Secret`."""
    lo = max(0, at - _BACK)
    hi = min(len(text), at + _AHEAD)
    if text.find("Secret", lo, hi) == -1:
        return False  # the common case, settled by one scan in C
    doc_start = text.rfind("\n---", lo, at)
    doc_end = text.find("\n---", at, hi)
    start = lo if doc_start == -1 else doc_start + 4
    end = hi if doc_end == -1 else doc_end
    return _KIND_SECRET.search(text, start, end) is not None


def _value(raw: str) -> tuple[str, int]:
    """The scalar in `raw` (the text after `key: `): quotes removed, or up to a comment and
    trailing blanks; with its offset in `raw`."""
    if raw[:1] in "\"'":
        close = raw.find(raw[0], 1)
        return (raw[1:close], 1) if close > 1 else ("", 0)
    cut = raw.find(" #")
    value = raw if cut == -1 else raw[:cut]
    return value.rstrip(" \t\r"), 0


def _decode(value: str) -> bytes | None:
    if len(value) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", value):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _judge_decoded(key: str, raw: bytes, confidence: Confidence) -> Verdict | None:
    if not raw.strip():
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict(confidence) if len(raw) >= 16 else None  # random key material
    if "PRIVATE KEY-----" in decoded:
        return Verdict(Confidence.HIGH)  # `tls.key`, `ssh-privatekey`, a key file by any name
    if key in _DOCKER_KEYS:
        return Verdict(Confidence.HIGH) if '"auth' in decoded else None
    return judge_password(decoded.strip(), "", "", confidence)


# --- JSON (`kubectl get secret -o json`, a manifest written as JSON) ---------------------------

_JSON_KEY = re.compile(r"\"(?P<key>[-._A-Za-z0-9]{1,253})\"[ \t]{0,8}")
_JSON_PARENT = re.compile(r"\"(?P<parent>data|stringData)\"[ \t\r\n]{0,64}:[ \t\r\n]{0,64}\{")
_JSON_KIND = re.compile(r"\"kind\"[ \t\r\n]{0,64}:[ \t\r\n]{0,64}\"(?P<kind>[A-Za-z]{1,64})\"")
_BRACES = re.compile(r"[{}]")
_JSON_STRING = re.compile(r"\"(?P<s>[^\"\\\n]{1,16384})\"")


def _json_key_before(text: str, colon: int) -> re.Match[str] | None:
    """The `"key"` written just before the colon at `colon`, if there is one."""
    quote = text.rfind('"', max(0, colon - 300), colon)
    if quote <= 0:
        return None
    opening = text.rfind('"', max(0, quote - 260), quote)
    if opening == -1:
        return None
    return _JSON_KEY.fullmatch(text, opening, colon)


def _json_parent(text: str, key_start: int) -> str | None:
    """`data` or `stringData` when the key at `key_start` is a direct member of an object
    under that name; None otherwise. Braces are counted between the parent's `{` and the key
    (base64 values and key names hold none): the depth must never drop below the parent's
    and must end at it."""
    lo = max(0, key_start - _BACK)
    best: re.Match[str] | None = None
    for name in ('"data"', '"stringData"'):
        at = text.rfind(name, lo, key_start)
        if at != -1:
            found = _JSON_PARENT.match(text, at, key_start)
            if found is not None and (best is None or found.start() > best.start()):
                best = found
    if best is None:
        return None
    depth = 0
    for brace in _BRACES.finditer(text, best.end(), key_start):
        depth += 1 if brace.group() == "{" else -1
        if depth < 0:
            return None  # the data object closed before the key
    return best.group("parent") if depth == 0 else None  # else: in a nested object


def _json_kind_is_secret(text: str, before: int, after: int) -> bool:
    """True when the `"kind"` member nearest to the data object (before it or after it, as
    `kubectl` sorts keys) says `Secret`."""
    lo = max(0, before - _BACK)
    hi = min(len(text), after + _AHEAD)
    back = text.rfind('"kind"', lo, before)
    ahead = text.find('"kind"', after, hi)
    candidates = [p for p in (back, ahead) if p != -1]
    if not candidates:
        return False
    nearest = min(candidates, key=lambda p: before - p if p < before else p - after)
    kind = _JSON_KIND.match(text, nearest)
    return kind is not None and kind.group("kind") == "Secret"


def _json_entry(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`"key": "value"` directly inside `"data": {…}` or `"stringData": {…}` of a JSON
    object whose `kind` is `Secret`."""
    text = match.string
    key_match = _json_key_before(text, match.start())
    if key_match is None:
        return None
    key = key_match.group("key")
    if key.lower() in _PUBLIC_KEYS:
        return None
    value_match = _JSON_STRING.match(text, match.start("val"))
    if value_match is None:
        return None
    parent = _json_parent(text, key_match.start())
    if parent is None or not _json_kind_is_secret(text, key_match.start(), value_match.end()):
        return None
    value = value_match.group("s")
    if heuristics.REDACTION_MARK in value:
        return None
    return _entry(detector, key, value, value_match.start("s"), decoded=parent == "data")


def _entry(
    detector: Detector, key: str, value: str, start: int, *, decoded: bool
) -> Verdict | None:
    """A Secret entry's verdict: a `data` value judged decoded, a `stringData` one as written."""
    if decoded:
        raw = _decode(value)
        if raw is None:
            return None
        verdict = _judge_decoded(key, raw, detector.confidence)
    else:
        verdict = judge_password(value, "", "", detector.confidence)
    if verdict is None:
        return None
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )


def secret_manifest_value(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A value under `data:`/`stringData:` of a YAML document whose `kind` is `Secret`, or
    under `"data"`/`"stringData"` of a JSON object whose `"kind"` is `"Secret"`."""
    text = match.string
    if text.find("Secret", max(0, match.start() - _BACK), match.start() + _AHEAD) == -1:
        return None  # the common case, settled by one scan in C
    if match.group("val")[:1] == '"' and text[: match.start()].rstrip(" \t")[-1:] == '"':
        return _json_entry(detector, match)
    line_start, _ = _line_bounds(text, match.start())
    key_match = _KEY.fullmatch(text, line_start, match.start())
    if key_match is None:
        return None
    key = key_match.group("key")
    if key.lower() in _PUBLIC_KEYS:
        return None
    if not _in_secret_document(text, match.start()):
        return None
    parent = _parent_line(text, line_start, key_match.end("key") - len(key) - line_start)
    if parent not in _PARENTS:
        return None
    if match.start("val") == match.start() + 1:
        return None  # `key:value` is one YAML scalar, not a mapping entry
    value, offset = _value(match.group("val"))
    if not value or heuristics.REDACTION_MARK in value:
        return None
    return _entry(detector, key, value, match.start("val") + offset, decoded=parent == "data:")
