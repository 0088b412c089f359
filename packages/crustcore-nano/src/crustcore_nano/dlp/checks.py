"""Checks that turn a detector's regex match into a verdict.

They run only on anchor hits, so they may decode and look around; each is bounded by the match
length or a fixed look-around window.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

from crustcore_nano.dlp import checksums, heuristics
from crustcore_nano.dlp.finding import Confidence
from crustcore_nano.dlp.model import Check, Detector, Verdict

_LOOKAROUND = 2048


def secret_of(match: re.Match[str]) -> str:
    """The reported text of a match: its `secret` (or `unquoted`) group, else the whole match."""
    start, end = secret_span(match)
    return match.string[start:end]


def secret_span(match: re.Match[str]) -> tuple[int, int]:
    """The span of the reported text: the first of the `secret`/`unquoted` groups that took part
    in the match, else the whole match."""
    for group in ("secret", "unquoted"):
        if group in match.re.groupindex and match.start(group) != -1:
            return match.span(group)
    return match.span()


def structured(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """The default: drop placeholders, mark example/test values, else the detector's confidence."""
    value = secret_of(match)
    if heuristics.is_placeholder(value):
        return None
    if heuristics.looks_like_test_value(value):
        return Verdict(Confidence.LOW, test_key=True)
    return Verdict(detector.confidence)


def random_structured(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """Like `structured`, for shapes without a distinctive prefix: also demand random-looking."""
    verdict = structured(detector, match)
    if verdict is None or verdict.test_key:
        return verdict
    value = secret_of(match)
    if heuristics.shannon_entropy(value) < 3.0:
        return None
    return verdict


def crc32_token(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`xxx_` + base62 body whose last six characters are the base62 CRC32 of the rest.

    A valid checksum makes the token HIGH whatever letters it happens to contain. A 36-character
    body that fails the checksum is a look-alike (hand-made or mistyped): LOW. Other lengths have
    no published checksum layout: the detector's confidence, checksum None.
    """
    value = secret_of(match)
    if heuristics.is_placeholder(value):
        return None
    body = match.group("body")
    if checksums.crc32_base62_valid(body):
        return Verdict(Confidence.HIGH, checksum_valid=True)
    if heuristics.looks_like_test_value(value):
        return Verdict(Confidence.LOW, test_key=True, checksum_valid=False)
    if len(body) == 36:
        # A failed checksum over a body spelled in words (`PersonalAccessToken0124…`) is a
        # made-up token in documentation: a test key, not a mistyped live one.
        wordy = heuristics.looks_like_wordy_identifier(body.rstrip("0123456789"))
        return Verdict(Confidence.LOW, test_key=wordy, checksum_valid=False)
    return Verdict(detector.confidence)


def _b64decode(segment: str) -> bytes | None:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return None


def _json_object(raw: bytes | None) -> dict[str, object] | None:
    if raw is None:
        return None
    try:
        value: object = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    items: dict[object, object] = value  # pyright: ignore[reportUnknownVariableType]
    return {str(k): v for k, v in items.items()}


_JWT_TEST_MARKERS = ("john doe", "example", "test", "dummy", "fake")


def jwt(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A JWT: the header must be base64url JSON naming an `alg`; a JSON payload makes it HIGH."""
    header_b64, payload_b64 = match.group("header"), match.group("payload")
    header = _json_object(_b64decode(header_b64))
    if header is None or not isinstance(header.get("alg"), str):
        return None
    raw_payload = _b64decode(payload_b64)
    payload = _json_object(raw_payload)
    text = (raw_payload or b"").decode("utf-8", "replace").lower()
    if any(marker in text for marker in _JWT_TEST_MARKERS):
        return Verdict(Confidence.LOW, test_key=True)
    return Verdict(Confidence.HIGH if payload is not None else Confidence.MEDIUM)


def discord_bot(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A Discord bot token: its first segment is the base64 of the bot's numeric snowflake id."""
    raw = _b64decode(match.group("uid"))
    if raw is None or not raw.isdigit() or not 17 <= len(raw) <= 20:
        return None
    return structured(detector, match)


_PYPI_LOCATIONS = (b"pypi.org", b"test.pypi.org")


def pypi(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A PyPI API token: `pypi-` + a base64url macaroon whose location field is a PyPI host.

    Macaroon v2 binary layout starts with version 2, then field 1 (location) with its length.
    Tokens for test.pypi.org are real credentials for the test index: reported as test keys.
    """
    raw = _b64decode(match.group("body")[:64])
    if raw is None or len(raw) < 4 or raw[0] != 2 or raw[1] != 1:
        return None
    length = raw[2]
    location = raw[3 : 3 + length]
    if location not in _PYPI_LOCATIONS:
        return Verdict(Confidence.MEDIUM, checksum_valid=False)
    if location == b"test.pypi.org":
        return Verdict(Confidence.LOW, test_key=True, checksum_valid=True)
    return Verdict(Confidence.HIGH, checksum_valid=True)


def bech32_key(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """age secret keys are bech32 (HRP `age-secret-key-`): a valid checksum makes them HIGH."""
    value = secret_of(match)
    if checksums.bech32_valid(value):
        return Verdict(Confidence.HIGH, checksum_valid=True)
    return Verdict(Confidence.LOW, checksum_valid=False)


def base58check_key(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """BIP-32 extended private keys: base58check with a 78-byte payload."""
    payload = checksums.base58check_payload(secret_of(match))
    if payload is None or len(payload) != 78:
        return None
    test = secret_of(match).startswith("tprv")
    return Verdict(Confidence.LOW if test else Confidence.HIGH, test_key=test, checksum_valid=True)


def stripe(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """Stripe `sk_`/`rk_` keys: `_test_` keys are sandbox keys, reported as LOW test keys."""
    if match.group("mode") == "test":
        return Verdict(Confidence.LOW, test_key=True)
    return structured(detector, match)


def test_marked(word: str) -> Check:
    """A check for formats whose sandbox variant carries `word` (e.g. `sandbox`, `TEST`)."""

    def check(detector: Detector, match: re.Match[str]) -> Verdict | None:
        if word in match.group(0):
            return Verdict(Confidence.LOW, test_key=True)
        return structured(detector, match)

    return check


def near(required: tuple[str, ...], *, strong_if: tuple[str, ...] = ()) -> Check:
    """A check that needs one of `required` within the look-around window (None otherwise);
    when one of `strong_if` is also near, the finding is HIGH."""

    def check(detector: Detector, match: re.Match[str]) -> Verdict | None:
        text = match.string
        window = text[max(0, match.start() - _LOOKAROUND) : match.end() + _LOOKAROUND]
        if required and not any(r in window for r in required):
            return None
        verdict = structured(detector, match)
        if verdict is None or verdict.test_key:
            return verdict
        if strong_if and any(s in window for s in strong_if):
            return Verdict(Confidence.HIGH)
        return verdict

    return check


# SHA-256 of the storage emulator's (Azurite's) account key, which Microsoft publishes so that
# every developer uses the same one: kept as a digest so this file holds no key-shaped value.
_AZURITE_KEY_SHA256 = "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"


def is_azurite_key(value: str) -> bool:
    """True for the storage emulator's published development key."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest() == _AZURITE_KEY_SHA256


def azure_account_key(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """Azure storage account keys; the storage emulator's well-known key (wherever it appears,
    with or without its `devstoreaccount1` account name) is a test key."""
    text = match.string
    window = text[max(0, match.start() - 512) : match.start()]
    if "devstoreaccount1" in window or is_azurite_key(secret_of(match)):
        return Verdict(Confidence.LOW, test_key=True)
    verdict = structured(detector, match)
    if verdict is None or verdict.test_key:
        return verdict
    return Verdict(Confidence.HIGH if "AccountName=" in window else Confidence.MEDIUM)


def context_value(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A value found only because a provider-specific name is assigned to it: demand entropy."""
    value = secret_of(match)
    if heuristics.is_placeholder(value):
        return None
    if heuristics.looks_like_test_value(value):
        return Verdict(Confidence.LOW, test_key=True)
    if heuristics.shannon_entropy(value) < 3.0:
        return None
    return Verdict(detector.confidence)


# Private keys -------------------------------------------------------------------------------

_BODY_RUN = re.compile(r"[A-Za-z0-9+/=]{16,16384}")
# A key body: base64, whitespace, `\n` escapes and header lines (`Proc-Type: 4,ENCRYPTED`), and
# the quotes of a key pasted into source as one string literal per line (`"MIIE..."\n "..."`,
# joined by the compiler or with `+`), up to the next `-----` (the END line, or another block).
# Never crosses a `-----`, so text made of many BEGIN lines costs one short match per line.
_BODY_TAIL = re.compile(r"(?:[A-Za-z0-9+/=:,. \t\r\n\"']|-(?!----)|\\[nr]){0,16384}+")
_MIN_BODY = 40


def _body_chars(body: str) -> int:
    return sum(len(run) for run in _BODY_RUN.findall(body.replace("\\n", "\n")))


# A key whose DER says it is at least this long (RSA and DSA keys; EC and Ed25519 keys are far
# shorter), whose closed block holds under a quarter of it and marks the cut with a `.` (never
# part of a key body) was shortened for a document: what is left is the header and the start
# of the public modulus, never the private part. Without the mark a short block is a key cut
# into pieces to slip through, and stays HIGH.
_ELIDED_MIN_DER = 600
_ELIDED_FRACTION = 4


def _elided(body: str) -> bool:
    """True when a closed PEM body is far shorter than the DER length its first bytes
    declare and says so with a `.` (`MIIEpQIBAAKCAQEAuyf….` then `-----END`)."""
    if "." not in body:
        return False
    runs = _BODY_RUN.findall(body.replace("\\n", "\n"))
    data = "".join(runs)
    raw = _b64decode(data[:8])
    if raw is None or len(raw) < 4 or raw[0] != 0x30 or raw[1] != 0x82:
        return False
    declared = ((raw[2] << 8) | raw[3]) + 4
    return declared >= _ELIDED_MIN_DER and len(data) * 3 // 4 * _ELIDED_FRACTION < declared


def _key_body(text: str, start: int) -> tuple[str, int]:
    tail = _BODY_TAIL.match(text, start)
    end = tail.end() if tail else start
    return text[start:end], end


def pem_block(end_marker: str) -> Check:
    """A private-key block: the header plus a body of at least 40 base64 characters, up to the
    matching END line (or, for a truncated paste, to the end of the base64 body)."""

    def check(detector: Detector, match: re.Match[str]) -> Verdict | None:
        text = match.string
        body, body_end = _key_body(text, match.end())
        if _body_chars(body) < _MIN_BODY:
            return None
        if text.startswith(end_marker, body_end):
            stop = body_end + len(end_marker)
            if _elided(body):
                return Verdict(Confidence.LOW, test_key=True, start=match.start(), end=stop)
        else:
            stop = match.end() + len(body.rstrip())
        return Verdict(Confidence.HIGH, start=match.start(), end=stop)

    return check


def putty_key(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """PuTTY .ppk files: the header line plus a `Private-Lines:` section with a body."""
    text = match.string
    at = text.find("Private-Lines:", match.end(), match.end() + 8192)
    if at == -1:
        return None
    body, _ = _key_body(text, at + len("Private-Lines:"))
    if _body_chars(body) < _MIN_BODY:
        return None
    return Verdict(Confidence.HIGH, start=match.start(), end=at + 14 + len(body.rstrip()))


# Connection strings and generic assignments ---------------------------------------------------

_WEAK_PASSWORDS = frozenset(
    {"password", "pass", "passwd", "pwd", "pw", "secret", "changeme", "x", "xxx", "***", "user"}
)
_HOST_LIST = re.compile(r"[0-9]{1,5},")
_TEST_HOST_MARKERS = ("localhost", "127.0.0.1", "[::1]", "example.", ".example", ".test", ".local")


def url_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`scheme://user:password@host`: drop template passwords; local or example hosts are test."""
    password = match.group("secret")
    if heuristics.REDACTION_MARK in match.group(0):
        return None  # a credential already redacted (e.g. a token used as the user name)
    if password.strip("[]()").lower() in _WEAK_PASSWORDS or heuristics.is_placeholder(password):
        return None  # also `[user[:password]@]` in a syntax summary
    if _HOST_LIST.match(password):
        return None  # `host:port,user:pass@…`: the first `:` was a port of a host list
    if password.startswith("%") or password.startswith("{"):
        return None
    if heuristics.is_sample_word(password):
        return None  # `someuser:somepassword@…`, `user:mypass@…`: words standing for one
    host = match.group("host").lower()
    if any(m in host for m in _TEST_HOST_MARKERS) or heuristics.looks_like_test_value(password):
        return Verdict(Confidence.LOW, test_key=True)
    if heuristics.is_sample_host(host.rsplit(":", 1)[0]):
        return Verdict(Confidence.LOW, test_key=True)  # `@host`, `@somehost:5432`
    user = match.group("user").lower()
    if password.lower() in _DEFAULT_PASSWORDS or password.lower() == user:
        return Verdict(Confidence.LOW, test_key=True)
    if user == "scott" and password.lower().startswith("tiger"):
        return Verdict(Confidence.LOW, test_key=True)  # Oracle's sample account
    return Verdict(detector.confidence)


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NAME_BACK = 64
_NAME_KEYWORDS = ("key", "secret", "token", "pass", "pwd", "credential", "auth", "bearer")


def _assigned_name(text: str, op: int) -> str:
    """The identifier written just before the operator at `op` (quotes, `!`, spaces skipped)."""
    lo = max(0, op - _NAME_BACK)
    i = op
    while i > lo and text[i - 1] in "!<>:=":
        i -= 1
    while i > lo and text[i - 1] in " \t":
        i -= 1
    if i > lo and text[i - 1] in "\"'`]":
        i -= 1
    end = i
    while i > lo and text[i - 1] in _NAME_CHARS:
        i -= 1
    return text[i:end]


def generic_assignment(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`<secret-ish name> = "<random-looking value>"`: always LOW (a heuristic, not a format)."""
    text = match.string
    op = match.start()
    if not any(k in text[max(0, op - _NAME_BACK) : op].lower() for k in _NAME_KEYWORDS):
        return None
    # `obj.attr = value` assigns to `attr`: a keyword in the object's name does not count.
    name = _assigned_name(text, op).rsplit(".", 1)[-1]
    strength = heuristics.secret_name_strength(name)
    if strength == 0:
        return None
    value = secret_of(match)
    if heuristics.is_placeholder(value) or "://" in value:
        return None
    if match.group("unquoted") is not None and "=" in value.rstrip("="):
        return None  # `a=b=c` chains and query strings; base64 padding only at the end
    if value.startswith(("/", "./", "../", "~")):
        return None
    if strength == 1 and heuristics.is_hex_digest(value):
        return None
    if heuristics.looks_like_code_expression(value) or heuristics.looks_like_public_key_der(value):
        return None  # `!!cfg.withCredentials`, `Token$1`; a pinned public key
    if _TIMESTAMP.fullmatch(value):
        return None  # `"PasswordLastRotated": "2024-03-18T09:12:44Z"`
    if not heuristics.random_looking(value):
        return None
    if heuristics.looks_like_test_value(value) or _documentation_value(value):
        return Verdict(Confidence.LOW, test_key=True)
    return Verdict(Confidence.LOW)


def _documentation_value(value: str) -> bool:
    """A value written for a reader: it names itself (`SomeKindOfPassword1!`), it is a
    standard's published example, or it is base64 of a phrase saying it is no real password
    (`not my real password`)."""
    if heuristics.names_itself(value) or heuristics.is_published_example(value):
        return True
    if is_azurite_key(value):
        return True
    if len(value) % 4:
        return False  # not padded base64, so no encoded phrase to read
    decoded = _b64_text(value, 512)
    if decoded is None:
        return False
    return heuristics.is_sample_phrase(decoded.rpartition(":")[2]) or heuristics.is_sample_phrase(
        decoded
    )


_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_BASIC_CRED = re.compile(r"[^:\s]{1,128}:[^\s]{4,256}")
_PRINTABLE = re.compile(r"[\x21-\x7e]{1,256}")
_B64_TEXT = re.compile(r"[A-Za-z0-9+/_\-]+={0,2}")  # run only on values already bounded


def _b64_text(value: str, limit: int = 2048) -> str | None:
    """`value` (4 to `limit` characters) decoded as standard or URL-safe base64 to UTF-8 text,
    or None."""
    if len(value) < 4 or len(value) > limit or not _B64_TEXT.fullmatch(value):
        return None
    raw = _b64decode(value.rstrip("="))
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decoded_user_password(value: str) -> tuple[str, str] | None:
    """`(user, password)` when `value` is base64 of `user:password` (no whitespace, a password
    of at least 4 characters), the layout of HTTP Basic credentials; None otherwise."""
    decoded = _b64_text(value)
    if decoded is None or not _BASIC_CRED.fullmatch(decoded):
        return None
    user, password = decoded.split(":", 1)
    return user, password


def _decoded_verdict(pair: tuple[str, str] | None) -> Verdict | None:
    """A verdict for a base64 `user:password` pair: decoding it is the validation, so HIGH."""
    if pair is None:
        return None
    user, password = pair
    if password.lower() in _WEAK_PASSWORDS or heuristics.is_placeholder(password):
        return None
    if heuristics.looks_like_test_value(f"{user}:{password}"):
        return Verdict(Confidence.LOW, test_key=True)
    if password.lower() == user.lower() or password.lower() in _DEFAULT_PASSWORDS:
        return Verdict(Confidence.LOW, test_key=True)
    return Verdict(Confidence.HIGH)


def basic_auth(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`Authorization: Basic <base64 of user:password>`: the decoded value must be `user:pass`;
    when it is, the credential is confirmed (HIGH)."""
    pair = decoded_user_password(secret_of(match))
    if pair is not None and heuristics.is_published_example(":".join(pair)):
        return Verdict(Confidence.LOW, test_key=True)
    return _decoded_verdict(pair)


_AUTH_HEADER_BACK = 48
_MEDIUM_BEARER_LEN = 24


def bearer(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`Bearer <opaque token>`: a random-looking token of 24+ characters in an `Authorization`
    header (a curl `-H` argument, a saved HTTP request) is MEDIUM; elsewhere, or shorter, LOW."""
    value = secret_of(match)
    if heuristics.is_placeholder(value) or not heuristics.random_looking(value):
        return None
    if heuristics.looks_like_test_value(value) or heuristics.is_published_example(value):
        return Verdict(Confidence.LOW, test_key=True)
    text = match.string
    before = text[max(0, match.start() - _AUTH_HEADER_BACK) : match.start()].lower()
    if len(value) >= _MEDIUM_BEARER_LEN and "authorization" in before:
        return Verdict(Confidence.MEDIUM)
    return Verdict(Confidence.LOW)


# Passwords on command lines and in environment assignments -----------------------------------

# Passwords that ship as defaults with database images and appliances: known to everyone, so a
# finding is reported as a test key rather than a live secret.
_DEFAULT_PASSWORDS = frozenset(
    {"root", "admin", "postgres", "mysql", "mariadb", "redis", "guest", "toor", "default"}
    | {"oracle", "manager", "tiger"}  # Oracle's sample and system accounts
    | {"foobared"}  # the sample `requirepass` of Redis's own configuration file
)
# Shell/Windows variables, templates, an option read as a value: none is the password itself.
_NOT_A_VALUE_START = frozenset("$%{[<-")
# Words in capitals that stand for the value in documentation and templates (`curl -u
# user:TOKEN`); a generated password is never one of them.
_VALUE_WORDS = frozenset(
    {"TOKEN", "VALUE", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "APIKEY", "CREDENTIALS"}
)


def judge_password(
    password: str, user: str, context: str, confidence: Confidence
) -> Verdict | None:
    """A verdict for a password written as itself (not encoded) next to its program or name.

    Dropped: shell variables and templates (`$PASS`, `%PASS%`, `{{pass}}`, `<password>`),
    masks, placeholder words (`password`, `changeme`) and values shorter than 4 characters.
    Test keys (LOW): values saying `example`/`test`, well-known defaults (`root`, `postgres`,
    the user name repeated), and commands aimed at a local or example host.
    """
    if len(password) < 4 or password[0] in _NOT_A_VALUE_START:
        return None
    if heuristics.REDACTION_MARK in password or "://" in password:
        return None  # already redacted, or a URL read as the value of a valueless option
    if password in _VALUE_WORDS or not any(c.isalnum() for c in password):
        return None  # a name standing for the value, or punctuation caught between quotes
    lowered = password.lower()
    if lowered in _WEAK_PASSWORDS or heuristics.is_placeholder(password):
        return None
    if heuristics.looks_like_test_value(password) or heuristics.is_sample_phrase(password):
        return Verdict(Confidence.LOW, test_key=True)
    if lowered == user.lower() or lowered in _DEFAULT_PASSWORDS:
        return Verdict(Confidence.LOW, test_key=True)
    around = context.lower()
    if any(m in around for m in _TEST_HOST_MARKERS):
        return Verdict(Confidence.LOW, test_key=True)
    return Verdict(confidence)


def _value_span(match: re.Match[str]) -> tuple[str, int]:
    """The `val` group of a match without its quotes, and where that text starts."""
    value, start = match.group("val"), match.start("val")
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[1:-1], start + 1
    return value, start


_LINE_BACK = 256


def _line_before(text: str, at: int) -> str:
    """The line holding `at`, up to `at`, at most `_LINE_BACK` characters of it."""
    lo = max(0, at - _LINE_BACK)
    return text[max(lo, text.rfind("\n", lo, at) + 1) : at]


def env_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`PGPASSWORD=...`, `MYSQL_PWD=...`: a password handed to a client through its own
    environment variable, written as a literal."""
    value, start = _value_span(match)
    yaml = ":" in match.string[match.start() : match.start("val")]
    if yaml and match.group("val")[:1] in ("!", "*"):
        return None  # a YAML tag (`!vault |`) or alias (`*db_password`), not the value
    key_end = match.start("val")
    quoted_key = yaml and match.string[match.start() : key_end].rstrip(" \t:")[-1:] in "\"'"
    if quoted_key and match.group("val")[:1] not in "\"'":
        return None  # `{"MYSQL_PWD": password}`: a dict in code, the value a variable
    text = match.string
    line_end = text.find("\n", match.end(), match.end() + _LINE_BACK)
    context = (
        _line_before(text, match.start())
        + text[match.start() : line_end if line_end != -1 else match.end() + _LINE_BACK]
    )
    verdict = judge_password(value, "", context, detector.confidence)
    if verdict is None:
        return None
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )


# Registry and container credential files -----------------------------------------------------

_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-.~+/=:]{16,1024}")
_NPM_TOKEN_KEYS = frozenset({"_authToken", "npmAuthToken"})


def _registry_token(value: str, confidence: Confidence) -> Verdict | None:
    if heuristics.is_placeholder(value) or not _TOKEN_CHARS.fullmatch(value):
        return None
    if heuristics.looks_like_test_value(value):
        return Verdict(Confidence.LOW, test_key=True)
    if not heuristics.random_looking(value):
        return None
    return Verdict(confidence)


def _local_scope(line: str) -> bool:
    lowered = line.lower()
    return any(m in lowered for m in ("//localhost", "//127.0.0.1", "//[::1]"))


def npm_auth(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """npm (`.npmrc`) and Yarn (`.yarnrc.yml`) registry credentials.

    `_authToken`/`npmAuthToken`: an opaque token (MEDIUM). `_auth`/`npmAuthIdent`: base64 of
    `user:password` (HIGH once decoded; Yarn also takes `user:password` as is: MEDIUM).
    `_password`: the base64 of a password (MEDIUM when it decodes to printable text). Values
    for a registry on the local host (a Verdaccio test registry) are test keys.
    """
    key = match.group("key")
    value, start = _value_span(match)
    if heuristics.is_placeholder(value) or heuristics.REDACTION_MARK in value:
        return None
    verdict: Verdict | None
    if key in _NPM_TOKEN_KEYS:
        verdict = _registry_token(value, detector.confidence)
    elif key == "_password":
        decoded = _b64_text(value)
        if decoded is None or not _PRINTABLE.fullmatch(decoded):
            return None
        verdict = judge_password(decoded, "", "", detector.confidence)
    else:
        verdict = _decoded_verdict(decoded_user_password(value))
        if verdict is None and key == "npmAuthIdent" and _BASIC_CRED.fullmatch(value):
            user, password = value.split(":", 1)
            verdict = judge_password(password, user, "", detector.confidence)
            if verdict is not None:
                start += len(user) + 1
                value = password
    if verdict is None:
        return None
    if not verdict.test_key and _local_scope(_line_before(match.string, match.start())):
        verdict = Verdict(Confidence.LOW, test_key=True)
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )


_MAX_JSON_KEY_AUTH = 16384  # a service-account key file is about 3 KiB, base64 about 4
# Google Container Registry / Artifact Registry take a service-account key as the password of
# the fixed user `_json_key` (the key file itself) or `_json_key_base64` (its base64).
_JSON_KEY_USERS = ("_json_key:", "_json_key_base64:")


_KEY_TEMPLATE_MARKS = ("<", ">", "${", "{{", "...", "…")


def _service_account_key(decoded: str) -> Verdict | None:
    """A verdict for `_json_key:<key file>`: HIGH when the key file is a JSON object holding a
    private key, MEDIUM when it is cut short or malformed but still names one."""
    user, _, key_file = decoded.partition(":")
    if user == "_json_key_base64":
        key_file = _b64_text(key_file.strip(), _MAX_JSON_KEY_AUTH) or ""
    key = _json_object(key_file.encode("utf-8"))
    if key is None:
        if "private_key" in key_file and "PRIVATE KEY" in key_file:
            return Verdict(Confidence.MEDIUM)
        return None
    private = key.get("private_key")
    if not isinstance(private, str) or "PRIVATE KEY" not in private:
        return None
    # Judged as a key body, not as a word: random base64 spells `todo` or `XxXx` now and then.
    if _body_chars(private) < _MIN_BODY or any(m in private for m in _KEY_TEMPLATE_MARKS):
        return None
    return Verdict(Confidence.HIGH)


def docker_config_auth(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """Docker `config.json` credentials: `"auth"` is base64 of `user:password` (HIGH once it
    decodes so; for GCR/Artifact Registry the user may be `_json_key` and the password a whole
    service-account key file: HIGH once that decodes to a key); `"identitytoken"`/
    `"registrytoken"` are opaque tokens (MEDIUM)."""
    key = match.group("key")
    value = secret_of(match)
    if key == "auth":
        decoded = _b64_text(value, _MAX_JSON_KEY_AUTH)
        if decoded is not None and decoded.startswith(_JSON_KEY_USERS):
            return _service_account_key(decoded)
        return _decoded_verdict(decoded_user_password(value))
    return _registry_token(value, detector.confidence)


def azure_shared_access_key(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """Azure Service Bus / Event Hubs / IoT Hub `SharedAccessKey=`: base64 of a 32- or 64-byte
    key; HIGH inside a connection string that names its endpoint."""
    value = secret_of(match)
    raw = _b64decode(value.rstrip("="))
    if raw is None or len(raw) not in (32, 64):
        return None
    verdict = structured(detector, match)
    if verdict is None or verdict.test_key:
        return verdict
    window = match.string[max(0, match.start() - 512) : match.start()]
    if "Endpoint=" in window or "HostName=" in window:
        return Verdict(Confidence.HIGH)
    return verdict
