"""Passwords in client password files: PostgreSQL `.pgpass` lines and INI option files
(`.pypirc` for package uploads, MySQL `.my.cnf`, any `[section]` naming a user).

A `.pgpass` line is `host:port:database:user:password`, colons inside a field escaped as
`\\:`. Its anchor is a colon, so a match counts only with the whole shape: it starts a
line (or a quoted string, as in `echo "…" >> ~/.pgpass`), the port is a number or `*`, no
field holds whitespace, and the password runs to the end of the line or the closing quote.
`/etc/passwd` lines (`x` or `*` where the port goes, then more fields), IPv6 addresses (more
than five groups) and times of day do not have that shape.

An INI `password = VALUE` line counts only inside a `[section]` that also names the user
(`username`, `user`, `login`) or the upload `repository`: the layout of `.pypirc` and of
MySQL option files, not of prose or code. Values are judged like any written-out password;
a `[testpypi]` section or a local host makes the finding a test key.

Every pattern is a line-anchored run of bounded, non-overlapping classes, and the checks read
a bounded window with `str` methods, so the cost per anchor hit is fixed.
"""

from __future__ import annotations

import re
import string

from crustcore_nano.dlp.checks import judge_password
from crustcore_nano.dlp.finding import Confidence
from crustcore_nano.dlp.model import Detector, Verdict

__all__ = [
    "INI_ANCHORS",
    "INI_BACK",
    "INI_BACK_CHARS",
    "INI_PATTERN",
    "PGPASS_ANCHORS",
    "PGPASS_BACK",
    "PGPASS_BACK_CHARS",
    "PGPASS_PATTERN",
    "ini_password",
    "pgpass_password",
]

# --- .pgpass ------------------------------------------------------------------------------------

# The colon after the host, shared with the other `:` detectors and behind their guard (16+
# characters follow, with a digit, symbol or capital early on): no extra stop for the
# prefilter, and a walk back over the host only where that guard already let a colon through.
PGPASS_ANCHORS = (":",)
_HOST_CHARS = string.ascii_letters + string.digits + "._-"
PGPASS_BACK = 253
PGPASS_BACK_CHARS = _HOST_CHARS + "*"
# host : port : database : user : password. The host starts a line or follows a quote; the
# password excludes `:` (written `\:` in the file), whitespace and quotes, and must be
# followed by one of the last two (or the end). Each field is a possessive run of a class
# that excludes `:`, so every field ends at exactly one place.
PGPASS_PATTERN = (
    r"(?<![^\n\"' \t])(?P<host>\*|[A-Za-z0-9._\-]{1,253}+):(?P<port>\*|[0-9]{1,5}+):"
    r"(?P<db>[^\s:\\\"']{1,63}+):(?P<user>[^\s:\\\"']{1,63}+):"
    r"(?P<val>(?:[^\\\s:\"']|\\[^\s]){1,256}+)(?![^\s\"'])"
)
_FIELD_NAME = re.compile(r"\*|[A-Za-z_][A-Za-z0-9_.\-$@]{0,62}")


def pgpass_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A `.pgpass` line: `host:port:database:user:password` (`*` matches any host, port,
    database or user). One with blanks around it rather than a line or string of its own
    must be written next to the word `pgpass` (`echo host:…:pw >> ~/.pgpass`)."""
    text = match.string
    start = match.start()
    spaced = text[start - 1 : start] in (" ", "\t") or text[match.end() : match.end() + 1] in (
        " ",
        "\t",
    )
    if spaced:
        line_start = text.rfind("\n", max(0, start - 256), start) + 1
        line_end = text.find("\n", match.end(), match.end() + 256)
        line = text[line_start : line_end if line_end != -1 else match.end() + 256]
        if "pgpass" not in line.lower():
            return None
    db, user = match.group("db"), match.group("user")
    if not (_FIELD_NAME.fullmatch(db) and _FIELD_NAME.fullmatch(user)):
        return None  # fields of some other colon-separated record
    value = match.group("val")
    if value.isdigit():
        return None  # a number in a record of numbers, not a password
    verdict = judge_password(
        value.replace("\\:", ":"), user, match.group("host"), detector.confidence
    )
    if verdict is None:
        return None
    begin = match.start("val")
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=begin, end=begin + len(value)
    )


# --- INI option files -----------------------------------------------------------------------------

# Without the key's first letter, as the connection-string anchors (`assword=` is shared with
# them): the prefilter gains no new look-behind at every `=`. The engine walks back over `p`.
INI_ANCHORS = ("assword=", "assword =", "assword:")
INI_BACK = 1
INI_BACK_CHARS = "p"
INI_PATTERN = (
    r"(?<![^\n])(?P<key>password)[ \t]{0,8}[=:][ \t]{0,8}"
    r"(?P<val>\"[^\"\n]{1,256}\"|'[^'\n]{1,256}'|[^\s\"'][^\n\r]{0,255})"
)
_INI_BACK = 4096
_SECTION = re.compile(r"(?m)^\[(?P<name>[A-Za-z0-9_.\-:@ ]{1,64})\][ \t]*\r?$")
_INI_USER = re.compile(r"(?m)^(?:username|user|user_name|login|repository)[ \t]{0,8}[=:]")
_INI_USER_VALUE = re.compile(r"(?m)^(?:username|user|login)[ \t]{0,8}[=:][ \t]{0,8}(\S{1,128})")
_TEST_SECTIONS = frozenset({"testpypi", "test.pypi", "pypitest"})
# `password` as a word of its own inside the value (`rest-of-my-password`): a sample that says
# what it stands for, as configuration examples and test fixtures write.
_SPELLED_PASSWORD = re.compile(r"(?<![A-Za-z0-9])password(?![A-Za-z0-9])", re.IGNORECASE)
_UPLOAD_SECTIONS = frozenset({"pypi", *_TEST_SECTIONS})


def _section_before(text: str, at: int) -> tuple[str, str] | None:
    """The name and body (up to `at`) of the `[section]` holding position `at`, or None."""
    lo = max(0, at - _INI_BACK)
    last: re.Match[str] | None = None
    for last in _SECTION.finditer(text, lo, at):  # noqa: B007 (the last one is the nearest)
        pass
    if last is None:
        return None
    return last.group("name"), text[last.end() : at]


def ini_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`password = VALUE` in a `[section]` that names its user or upload repository: `.pypirc`
    (`[pypi]`, `[testpypi]`, custom indexes), MySQL `.my.cnf` (`[client]`), and the like."""
    text = match.string
    section = _section_before(text, match.start())
    if section is None:
        return None
    name, body = section
    after_end = text.find("\n[", match.end(), match.end() + _INI_BACK)
    rest = text[match.end() : after_end if after_end != -1 else match.end() + _INI_BACK]
    upload = name.lower() in _UPLOAD_SECTIONS  # `.pypirc` sections need no user line
    if not upload and _INI_USER.search(body) is None and _INI_USER.search(rest) is None:
        return None
    raw = match.group("val")
    begin = match.start("val")
    if raw[0] in "\"'" and raw[-1] == raw[0]:
        value, begin = raw[1:-1], begin + 1
    else:
        cut = raw.find(" #")
        value = (raw if cut == -1 else raw[:cut]).rstrip(" \t")
    if value.startswith("%(") or " " in value.strip():
        return None  # configparser interpolation; prose after `password:` in a text
    user_line = _INI_USER_VALUE.search(body)
    user = user_line.group(1) if user_line is not None else ""
    verdict = judge_password(value, user, name + "\n" + body + rest, detector.confidence)
    if verdict is None:
        return None
    test = verdict.test_key or name.lower() in _TEST_SECTIONS or "test.pypi.org" in body + rest
    test = test or _SPELLED_PASSWORD.search(value) is not None
    confidence = Confidence.LOW if test else verdict.confidence
    return Verdict(confidence, test_key=test, start=begin, end=begin + len(value))
