"""Value and name heuristics shared by the detectors: entropy, placeholders, test keys.

These are where false positives are won or lost. Each function is small, pure and linear.
"""

from __future__ import annotations

import math
import re
from collections import Counter

REDACTION_MARK = "[REDACTED"

_TEST_MARKERS = ("example", "dummy", "fake", "sample", "mock", "sandbox", "placeholder")
_PLACEHOLDER_MARKERS = (
    "xxxx",
    "****",
    "....",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "replace_me",
    "replaceme",
    "insert_",
    "todo",
    "redacted",
    "${",
    "{{",
    "}}",
    "%(",
    "$(",
    "<",
    ">",
    "0000000000",
    "1234567890",
    "abcdefghij",
)


def shannon_entropy(value: str) -> float:
    """Bits per character of `value` under its own character frequencies."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _marked(value: str, lowered: str, marker: str) -> bool:
    """True when `marker` occurs in `value` where a person would put it: at either end of the
    value, next to a separator, or written as a word (`TEST`, `Test`)."""
    at = lowered.find(marker)
    while at != -1:
        end = at + len(marker)
        word = value[at:end]
        if (
            at == 0
            or end == len(value)
            or not value[at - 1].isalnum()
            or not value[end].isalnum()
            or word.isupper()
            or (word[0].isupper() and word[1:].islower())
        ):
            return True
        at = lowered.find(marker, at + 1)
    return False


def looks_like_test_value(value: str) -> bool:
    """True for values that announce themselves as examples: `EXAMPLE`, `dummy`, `test`, ...

    Markers count only in deliberate positions (see `_marked`): a random 36-character token
    contains a case-insensitive `test` about once in 30,000 tokens, and must stay a finding.
    """
    lowered = value.lower()
    return any(_marked(value, lowered, m) for m in (*_TEST_MARKERS, "test"))


def is_placeholder(value: str) -> bool:
    """True for template slots, masks and keyboard runs that stand in for a real secret.

    Symbolic markers (`${`, `<`, `****`) count anywhere; word markers (`todo`, `your_`) only in
    deliberate positions, so random key material that happens to spell one is still reported.
    """
    lowered = value.lower()
    if lowered.startswith("$") or REDACTION_MARK.lower() in lowered:
        return True
    for marker in _PLACEHOLDER_MARKERS:
        if marker.isalpha():
            if _marked(value, lowered, marker):
                return True
        elif marker in lowered:
            return True
    # One character repeated for most of the value ("aaaaaaaa...", "00000000...").
    most = Counter(lowered).most_common(1)[0][1] if lowered else 0
    return most * 2 > len(lowered)


_HEX = frozenset("0123456789abcdefABCDEF")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,80}(?:\.[A-Za-z_][A-Za-z0-9_]{0,80}){1,20}")
_SLUG_PART = re.compile(r"(?:[a-z]{1,40}|[A-Z]{1,40}|[A-Z][a-z]{1,40})[0-9]{0,4}|[0-9]{1,8}")
_FILE_SUFFIX = re.compile(r"\.[a-z]{2,5}")


def is_hex_digest(value: str) -> bool:
    """True for all-hex strings of a common digest length (MD5, SHA-1, SHA-2 family)."""
    return len(value) in _HASH_LENGTHS and all(c in _HEX for c in value)


def looks_like_identifier(value: str) -> bool:
    """True for dotted names (`os.environ.get`), word slugs (`my-service-name_v2`) and file
    names (`server-key.pem`)."""
    if _DOTTED_NAME.fullmatch(value):
        return True
    dot = value.rfind(".")
    if dot > 0 and _FILE_SUFFIX.fullmatch(value, dot):
        return True
    parts = [p for p in re.split(r"[_\-.:/]", value) if p]
    if len(parts) < 2:
        return False
    alpha_parts = [p for p in parts if not p.isdigit()]
    if not alpha_parts:
        return False
    return all(_SLUG_PART.fullmatch(p) for p in parts) and all(len(p) >= 2 for p in alpha_parts)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,255}")


def looks_like_wordy_identifier(value: str) -> bool:
    """True for code identifiers built from words (`PKCS12PrivateKeyTypes`, `maxRetryCount2`):
    their camelCase pieces are long, while random text splits into one- and two-letter bits."""
    if not _IDENTIFIER.fullmatch(value):
        return False
    pieces = [p for p in _CAMEL.findall(value) if not p.isdigit()]
    if not pieces:
        return False
    return sum(len(p) for p in pieces) / len(pieces) >= 3.5


def char_classes(value: str) -> tuple[bool, bool, bool, bool]:
    """(has lower, has upper, has digit, has other) for `value`."""
    lower = upper = digit = other = False
    for ch in value:
        if "a" <= ch <= "z":
            lower = True
        elif "A" <= ch <= "Z":
            upper = True
        elif "0" <= ch <= "9":
            digit = True
        else:
            other = True
    return lower, upper, digit, other


def random_looking(value: str, *, min_entropy: float = 3.3, hex_entropy: float = 3.0) -> bool:
    """A cheap "could this be machine-generated key material?" test for generic values."""
    lower, upper, digit, other = char_classes(value)
    if not ((digit and (lower or upper)) or (lower and upper and other)):
        if not (lower and upper and len(value) >= 20):
            return False
        # Letters only: random text has about as many capitals as small letters, camelCase
        # identifiers have one capital per word.
        capitals = sum(1 for c in value if "A" <= c <= "Z")
        if not 0.3 <= capitals / len(value) <= 0.7:
            return False
    if looks_like_identifier(value) or looks_like_wordy_identifier(value):
        return False
    threshold = hex_entropy if all(c in _HEX for c in value) else min_entropy
    return shannon_entropy(value) >= threshold


# Names -------------------------------------------------------------------------------------

_CAMEL = re.compile(r"[A-Z]{2,64}(?=[A-Z][a-z]|[0-9]|$)|[A-Z]?[a-z]{1,64}|[A-Z]{1,64}|[0-9]{1,64}")
STRONG_WORDS = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "token",
        "credential",
        "credentials",
        "apikey",
        "secretkey",
        "privatekey",
        "accesskey",
        "authtoken",
        "bearer",
        "auth",
    }
)
WEAK_WORDS = frozenset({"key", "pass"})
_NOT_SECRET_LAST = frozenset(
    {
        "id",
        "ids",
        "name",
        "names",
        "path",
        "paths",
        "file",
        "files",
        "filename",
        "dir",
        "type",
        "types",
        "url",
        "uri",
        "endpoint",
        "len",
        "length",
        "size",
        "count",
        "prefix",
        "suffix",
        "field",
        "fields",
        "header",
        "env",
        "var",
        "hash",
        "digest",
        "format",
        "fmt",
        "label",
        "pattern",
        "regex",
        "template",
        "policy",
        "version",
        "alg",
        "algorithm",
        "mode",
        "kind",
        "class",
        "cls",
        "index",
        "idx",
        "column",
        "attr",
        "method",
        "provider",
        "ref",
        "arn",
        "expiry",
        "expires",
        "ttl",
        "timeout",
        "hint",
        "help",
        "description",
        "doc",
        "min",
        "max",
        "rule",
        "rules",
        "error",
        "message",
        "msg",
        "enabled",
        "required",
        "location",
        "pem",
    }
)
_NOT_SECRET_ANY = frozenset(
    {"public", "pub", "primary", "foreign", "sort", "cache", "lookup", "partition", "dict"}
)


def name_words(name: str) -> list[str]:
    """Split an identifier into lower-case words on separators and camelCase boundaries."""
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]{1,64}", name):
        words.extend(w.lower() for w in _CAMEL.findall(chunk))
    return words


def secret_name_strength(name: str) -> int:
    """0: not a secret-holding name; 1: weak (`key`, `pass`); 2: strong (`password`, `token`)."""
    words = name_words(name)
    if not words or words[-1] in _NOT_SECRET_LAST:
        return 0
    if any(w in _NOT_SECRET_ANY for w in words):
        return 0
    if any(w in STRONG_WORDS for w in words):
        return 2
    if any(w in WEAK_WORDS for w in words):
        return 1
    return 0
