"""Passwords written into client configuration: `.netrc` entries, database connection strings
in key=value form (ADO.NET, ODBC, JDBC query parameters, Oracle thin URLs) and XML
`<password>` elements (Maven `settings.xml`, NuGet, Jenkins).

Each format has a word that also appears in prose and code (`machine`, `Password=`,
`<password>`), so a match counts only with the structure around it: a `.netrc` entry names a
`login` next to its `password`; a connection-string `Password=` sits in a `;`-separated list
that names a server, user or database, or in the query of a `jdbc:`/`scheme://` URL. The
value itself is then judged like any written-out password (placeholders, variables and
templates dropped; example values, local hosts and default passwords reported as test keys).

Every pattern here has bounded runs over classes that do not overlap where they meet, and the
context checks read a bounded window with `str` methods, so the cost per anchor hit is fixed.
"""

from __future__ import annotations

import re

from crustcore_nano.dlp.checks import judge_password
from crustcore_nano.dlp.model import Detector, Verdict

__all__ = [
    "CONNECTION_ANCHORS",
    "CONNECTION_BACK",
    "CONNECTION_BACK_CHARS",
    "CONNECTION_PATTERN",
    "NETRC_ANCHORS",
    "NETRC_PATTERN",
    "XML_ANCHORS",
    "XML_PATTERN",
    "connection_string_password",
    "netrc_password",
    "xml_password",
]

_WINDOW = 256  # characters of context read on each side of a match

# --- .netrc -------------------------------------------------------------------------------------

NETRC_ANCHORS = ("machine",)
# `machine HOST`, then up to four `login|account|port VALUE` pairs, then `password VALUE` (a
# `login` may also follow the password). Tokens are runs of non-space characters, separated
# by whitespace: the two classes never overlap, so each run ends at one place.
_NETRC_WORD = r"[^\s\"`]{1,255}+"
NETRC_PATTERN = (
    r"(?<![A-Za-z0-9_\-.])machine[ \t\r\n]{1,64}+(?P<host>" + _NETRC_WORD + r")"
    r"(?P<pairs>(?:[ \t\r\n]{1,64}+(?:login|account|port)[ \t\r\n]{1,64}+"
    + _NETRC_WORD
    + r"){0,4}+)"
    r"[ \t\r\n]{1,64}+password[ \t\r\n]{1,64}+"
    r"(?P<val>\"[^\"\n]{1,256}\"|" + _NETRC_WORD + r")"
    r"(?P<after>[ \t\r\n]{1,64}+login(?![^\s]))?"
)
_NETRC_LOGIN = re.compile(r"(?:^|[ \t\r\n])login[ \t\r\n]{1,64}+([^\s\"`]{1,255}+)")


def _unquoted(value: str, start: int) -> tuple[str, int]:
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[1:-1], start + 1
    return value, start


def netrc_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """A `.netrc` entry: `machine HOST login USER password PASS` (any layout of whitespace).

    Needs a `login` in the entry, so prose that says "machine … password" is not an entry.
    """
    pairs = match.group("pairs")
    login = _NETRC_LOGIN.search(pairs)
    if login is None and match.group("after") is None:
        return None
    user = login.group(1) if login is not None else ""
    value, start = _unquoted(match.group("val"), match.start("val"))
    context = match.group("host")
    verdict = judge_password(value, user, context, detector.confidence)
    if verdict is None:
        return None
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )


# --- connection strings -------------------------------------------------------------------------

# The anchors leave out the key's first letter (`assword=` in `Password=`, `password=`): two
# look-behinds of one width each at every `=` instead of one per spelling. The engine walks
# back over that letter (`CONNECTION_BACK`) before matching.
CONNECTION_ANCHORS = ("assword=", "ASSWORD=", "wd=", "WD=", "jdbc:oracle:")
CONNECTION_BACK = 1
CONNECTION_BACK_CHARS = "Pp"
# `Password=VALUE` as a key of a connection string or a URL query parameter. The key must not
# continue a longer name (`DB_PASSWORD=`, `new_password=` are assignments, not connection
# strings). The value is quoted (`"…"`, `'…'`, ODBC `{…}`) or runs to `;`, `&`, a quote or
# whitespace. Or an Oracle thin URL: `jdbc:oracle:thin:USER/PASSWORD@HOST`.
CONNECTION_PATTERN = (
    r"(?:(?<![A-Za-z0-9_\-.])(?P<key>Password|password|PASSWORD|Pwd|pwd|PWD)=[ \t]{0,4}"
    r"(?P<val>\"[^\"\n]{1,256}\"|'[^'\n]{1,256}'|\{[^}\n]{1,256}\}|[^;&\s\"'<>]{1,256})"
    r"|jdbc:oracle:(?:thin|oci):(?P<ouser>[A-Za-z0-9_$#.\-]{1,128})/"
    r"(?P<oval>[^@/\s\"'<>]{1,256})@)"
)
# Keys that say a `;`-separated list is a connection string (compared in lower case).
_SERVER_KEY = re.compile(
    r"(?:^|[;\s\"'{])(?:server|data source|datasource|host|hostname|address|addr|"
    r"network address|dsn|driver|database|initial catalog|uid|user id|userid|user|username|"
    r"provider|endpoint|port)[ \t]{0,4}=",
)
_NOT_PASSWORDS = frozenset({"true", "false", "null", "none", "required", "optional", "yes", "no"})


def _line_window(text: str, start: int, end: int) -> tuple[str, str]:
    """The text of the line around `text[start:end]`: what comes before, and after (bounded)."""
    lo = max(0, start - _WINDOW)
    line_start = text.rfind("\n", lo, start) + 1
    hi = min(len(text), end + _WINDOW)
    line_end = text.find("\n", end, hi)
    return text[max(lo, line_start) : start], text[end : line_end if line_end != -1 else hi]


def connection_string_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`Password=`/`Pwd=` in a connection string or a URL query, or an Oracle thin URL."""
    text = match.string
    if match.group("oval") is not None:
        value, start = match.group("oval"), match.start("oval")
        user = match.group("ouser")
        context = _line_window(text, match.start(), match.end())[1]  # the host after `@`
    else:
        value, start = _unquoted(match.group("val"), match.start("val"))
        if value.startswith("{") and value.endswith("}") and len(value) >= 2:
            value, start = value[1:-1], start + 1  # ODBC braces quote a value
        before, after = _line_window(text, match.start(), match.end())
        lead = before.rstrip(" \t")[-1:]
        if lead in ("?", "&"):
            lowered = before.lower()
            if "jdbc:" not in lowered and "://" not in lowered:
                return None  # a query string, but of no URL
        elif lead == ";" or after.lstrip(" \t").startswith(";"):
            if _SERVER_KEY.search((before + " " + after).lower()) is None:
                return None  # a `;` list that names no server, user or database
        else:
            return None
        user = ""
        context = before + after
    if value.lower() in _NOT_PASSWORDS:
        return None
    verdict = judge_password(value, user, context, detector.confidence)
    if verdict is None:
        return None
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )


# --- XML ----------------------------------------------------------------------------------------

XML_ANCHORS = ("<password>", "<Password>", "<passphrase>", "<Passphrase>")
XML_PATTERN = (
    r"<(?P<tag>password|Password|passphrase|Passphrase)>(?P<val>[^<>\n]{1,256})</(?P=tag)>"
)


def xml_password(detector: Detector, match: re.Match[str]) -> Verdict | None:
    """`<password>VALUE</password>`: a literal password in an XML configuration file (Maven
    `settings.xml` servers and proxies, NuGet, Jenkins). Encrypted Maven values (`{…}`) and
    property references (`${env.PASS}`) are not the password itself."""
    raw = match.group("val")
    value = raw.strip(" \t")
    start = match.start("val") + len(raw) - len(raw.lstrip(" \t"))
    before = match.string[max(0, match.start() - _WINDOW) : match.start()]
    verdict = judge_password(value, "", before, detector.confidence)
    if verdict is None:
        return None
    return Verdict(
        verdict.confidence, test_key=verdict.test_key, start=start, end=start + len(value)
    )
