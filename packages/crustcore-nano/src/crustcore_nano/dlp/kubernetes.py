"""Values of a Kubernetes `Secret` manifest written as YAML (`kubectl get secret -o yaml`,
a manifest in a repository): each entry under `data:` is base64 of the secret, each entry
under `stringData:` the secret itself.

The entries are ordinary `key: value` lines, so they are found through the `:` anchor that
the generic assignment detector already owns (with the same guard: a value of 16+ characters
follows), and judged by their place: the line is indented under a `data:`/`stringData:`
line, and the YAML document holding it says `kind: Secret`. The value is then decoded and
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
ENTRY_PATTERN = r":[ \t]{1,8}(?P<val>[^\s#][^\n]{0,16383})"

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


def secret_manifest_value(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A value under `data:`/`stringData:` of a YAML document whose `kind` is `Secret`."""
    text = match.string
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
    value, offset = _value(match.group("val"))
    if not value or heuristics.REDACTION_MARK in value:
        return None
    if parent == "data:":
        raw = _decode(value)
        if raw is None:
            return None
        verdict = _judge_decoded(key, raw, detector.confidence)
    else:
        verdict = judge_password(value, "", "", detector.confidence)
    if verdict is None:
        return None
    start = match.start("val") + offset
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )
