"""Value and name heuristics shared by the detectors: entropy, placeholders, test keys.

These are where false positives are won or lost. Each function is small, pure and linear.
"""

from __future__ import annotations

import base64
import hashlib
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
        "fingerprint",
        "thumbprint",
        "used",
        "date",
        "time",
        "at",
        "created",
        "updated",
    }
)
_NOT_SECRET_ANY = frozenset(
    {"public", "pub", "primary", "foreign", "sort", "cache", "lookup", "partition", "dict"}
    | {"socket", "nonce"}  # `Sec-WebSocket-Key` is a handshake nonce
)
# Tokens that page through results or make a request idempotent (`nextToken`,
# `ClientRequestToken`, `ChangeToken`): handles a server gives out, not credentials.
_HANDLE_TOKEN_WORDS = frozenset(
    {"next", "page", "pagination", "continuation", "change", "request", "idempotency"}
    | {"output", "input", "term", "sync", "cursor", "marker", "csrf", "xsrf"}
    | {"client", "action", "lifecycle"}
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
    if "token" in words and any(w in _HANDLE_TOKEN_WORDS for w in words):
        return 0
    if any(w in STRONG_WORDS for w in words):
        return 2
    if any(w in WEAK_WORDS for w in words):
        return 1
    return 0


# Code and documentation look-alikes ---------------------------------------------------------

# A name in code: a short (minified) name, a number, or a name made of words of 2+ letters in
# camelCase or PascalCase (`withCredentials`, `GetOrSetSyncKey`, `V1ObjectReference`).
_SHORT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]?|-?[0-9]{1,4}")
_NAME_CHUNK = re.compile(r"[A-Za-z0-9]{1,128}")
_CODE_SPLIT = re.compile(r"[.$#\[\]_,]{1,8}")
_VOWELS = frozenset("aeiouy")
# Two capitals in a row or a letter right after a digit (`V1Object` aside): never in a name
# built from words as `_word_pieces` reads them, common in random text.
_NOT_A_NAME = re.compile(r"[A-Z]{2}|[0-9][a-z]")
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{4}")


def _word_pieces(name: str) -> int | None:
    """For a name whose camel pieces are words of 2+ letters with one capital at most (a
    vowel in all but one of them), and digits only
    at its end or right after one capital (`V1`); the number of words of 4+ letters in it,
    or None when it is not built so. Random text breaks this at once: two capitals in a row,
    digits in the middle, pieces without vowels or with four consonants in a row."""
    if _NAME_CHUNK.fullmatch(name) is None:
        return None
    pieces = _CAMEL.findall(name)
    long_words = 0
    vowelless = versions = 0
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        if piece.isdigit():
            if len(piece) > 4 or i == 0 or (i != last and not pieces[i - 1].isupper()):
                return None
        elif piece.isupper():
            if len(piece) != 1 or i == last or not pieces[i + 1].isdigit() or versions:
                return None
            versions += 1
        elif len(piece) < 2 or not piece[1:].islower():
            return None
        else:
            lowered = piece.lower()
            if _CONSONANT_RUN.search(lowered):
                return None  # `Nocfvrjlq`: no word stacks four consonants
            if not any(c in _VOWELS for c in lowered):
                vowelless += 1
            long_words += len(piece) >= 4
    return long_words if vowelless <= 1 else None


def looks_like_code_expression(value: str) -> bool:
    """True for an expression or a name written where a value could be: negations
    (`!!cfg.withAuth`), member chains (`this.#lang.nodeTypeKey`, `prev.end.`), type names
    (`KeyArnOrKeyAliasType`, `List[V1ObjectReference]`), indexing (`Shards[-1].ShardId`) and
    generated identifiers that carry `$` (`OpeningBraceToken$1`, `_cfg$withCr`).

    Every piece must be a short name (minified code), a number, or a name made of words, and
    one piece must be such a name: random key material has runs of capitals and digits in the
    middle of its pieces, and letters without vowels, instead.
    """
    if _NOT_A_NAME.search(value):
        return False  # settled in C for most random values
    body = value.lstrip("!")
    if body.startswith("this."):
        body = body[5:]
    parts = [p for p in _CODE_SPLIT.split(body) if p]
    if not parts:
        return False
    long_words = 0
    for part in parts:
        if _SHORT_NAME.fullmatch(part):
            continue
        words = _word_pieces(part)
        if words is None:
            return False
        long_words += words
    return long_words > 0


# DER prefixes: a SEQUENCE whose first element is itself a SEQUENCE that opens with an
# OBJECT IDENTIFIER is a SubjectPublicKeyInfo (a public key); private keys open with an
# INTEGER version instead (`30 .. 02 01 ..`). Base64 of a DER SEQUENCE starts with `M`.
_B64_HEAD = re.compile(r"M[A-Za-z0-9+/]{15}")


def _b64_prefix_bytes(value: str) -> bytes:
    """The 12 bytes the first 16 base64 characters of `value` encode (empty if they are not
    all base64)."""
    head = _B64_HEAD.match(value)
    return base64.b64decode(head.group()) if head is not None else b""


def _der_header_len(raw: bytes, at: int) -> int:
    """Length of the tag and length octets of the DER element at `at`, or 0 if malformed."""
    if at + 1 >= len(raw):
        return 0
    first = raw[at + 1]
    if first < 0x80:
        return 2
    extra = first & 0x7F
    return 2 + extra if 1 <= extra <= 2 else 0


def looks_like_public_key_der(value: str) -> bool:
    """True when `value` is base64 DER of a public key (SubjectPublicKeyInfo), the form in
    which libraries pin signing keys (`MFkwEwYHKoZIzj0CAQYI…` for P-256, `MIIBIjANBgkq…` for
    RSA): a key anyone may hold, not a secret."""
    raw = _b64_prefix_bytes(value)
    if len(raw) < 6 or raw[0] != 0x30:
        return False
    inner = _der_header_len(raw, 0)
    if inner == 0 or inner + 2 >= len(raw) or raw[inner] != 0x30:
        return False
    oid = inner + _der_header_len(raw, inner)
    return oid > inner and oid < len(raw) and raw[oid] == 0x06


_SAMPLE_WORD = re.compile(
    r"(?:some|my|your|the|an?|foo|bar|test)?[-_ ]?"
    r"(?:user|username|login|pass|password|passwd|pwd|secret|host|hostname|server|db|database)",
    re.IGNORECASE,
)
_SAMPLE_HOST = re.compile(
    r"host|hostname|(?:some|my|your)[-_]?(?:host|hostname|server|db|database|domain)",
    re.IGNORECASE,
)
_SAMPLE_PHRASE_WORDS = frozenset({"password", "passwd", "passphrase", "secret"})


def is_sample_word(value: str) -> bool:
    """True for the words documentation writes in place of a credential or a host:
    `someuser`, `somepassword`, `my_password`, `host`, `yourserver`."""
    return len(value) <= 24 and _SAMPLE_WORD.fullmatch(value) is not None


def is_sample_phrase(value: str) -> bool:
    """True for a phrase of several words that names itself a password (`my awesome
    password`, `not my real secret`): prose standing for a password, not one."""
    words = value.lower().split()
    return len(words) >= 2 and any(w.strip(".,!?'\"") in _SAMPLE_PHRASE_WORDS for w in words)


def is_sample_host(host: str) -> bool:
    """True for host names that documentation writes in place of a real one (`host`,
    `somehost`, `my-server`); short service names such as `db` are real in compose files."""
    return _SAMPLE_HOST.fullmatch(host) is not None


# SHA-256 digests of example credentials that standards print and libraries copy into their
# documentation (the access token, refresh token and client `id:secret` of the OAuth 2.0
# specification's examples): kept as digests, so this file holds no credential-shaped value.
_PUBLISHED_EXAMPLES = frozenset(
    {
        "6c96130f130ab0d6d158397e24d2bcc1c9a5e73ae081f6e983f1c7b545d24a4c",
        "00cf4c781dc37003f7c7dd7d4c9a6ef1e0f4c62d9a291aa8bc398774e3fefd32",
        "3e545ee08a590a6bb0ef9b1b5df39c4a6b28a5ccf276d74ebf637743552ddd73",
    }
)


def is_published_example(value: str) -> bool:
    """True for a credential printed as an example in a standard (see `_PUBLISHED_EXAMPLES`)."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return digest in _PUBLISHED_EXAMPLES


_SAMPLE_INFIXES = ("password", "passwd", "secret")


def names_itself(value: str) -> bool:
    """True for a value that spells out what it stands for (`SomeKindOfPassword123!`,
    `my-test-secret-1`): documentation writes these, key generators never do."""
    lowered = value.lower()
    return any(w in lowered for w in _SAMPLE_INFIXES)
