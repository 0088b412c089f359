"""Host normalization for the rules that name hosts (cloud metadata endpoints above all).

An address can be spelled many ways that a client library will still connect to:
`169.254.169.254`, `2852039166` (one 32-bit number), `0xa9fea9fe`, `0251.0376.0251.0376`
(octal parts), `169.254.43518` (the last part fills the remaining bytes, as `inet_aton` does),
`[::ffff:169.254.169.254]` and `[::ffff:a9fe:a9fe]` (IPv4-mapped IPv6), `169.254.169.254.` (a
trailing dot), `%31%36%39...` (percent-encoded), fullwidth digits or ideographic full stops, or a
DNS-rebinding name such as `169.254.169.254.nip.io` (or `a9fea9fe.<any domain>`) that resolves
to the address it embeds. Rules must see one canonical form, so every host is folded here before
it is compared: IPv4 in dotted-quad form, IPv6 in compressed form (an IPv6 form that embeds an
IPv4 address is reduced to that IPv4 address), and names lower-cased without a trailing dot.
In free text, colon-joined host maps (`curl --resolve name:80:ADDR`) are taken apart, and reads
of the environment variables platforms set to an endpoint URL (`$ECS_CONTAINER_METADATA_URI_V4`,
`$IDENTITY_ENDPOINT`, ...) count as reaching it. Code that spells an address in pieces joined
with `+` (`'http://169.254.' + '169.254/latest'`, in Python, JavaScript, Ruby, Java, ...) is
read with those joins closed up as well, and a list of four numbers that spells a metadata
address exactly (`bytes([169,254,169,254])`, `'%d.%d.%d.%d' % (169,254,169,254)`,
`'.'.join(['169','254','169','254'])`) counts as naming it. AWS's IPv6 link block
(`fd00:ec2::/32`) and sslip.io's dashed IPv6 names (`fd00-ec2--254.sslip.io`) count too.

Pure functions, no DNS: a name that resolves to a metadata address through a DNS entry that does
not spell the address (a private zone, an attacker's own domain) is out of reach of a
deterministic check (documented in docs/policy.md); so is an address assembled at run time
from anything but literal pieces (format placeholders, decoded text, a file's contents).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from crustcore_nano.normalize import decode_percent, normalize_text

__all__ = [
    "ENDPOINT_VARIABLES",
    "METADATA_HOSTS",
    "canonical_host",
    "find_metadata_hosts",
    "host_forms",
    "metadata_endpoint",
    "parse_ipv4_loose",
]

_MAX_HOST = 255

METADATA_HOSTS: frozenset[str] = frozenset(
    {
        "169.254.169.254",  # AWS, Azure, GCP, OpenStack, DigitalOcean, Oracle (IMDS)
        "169.254.170.2",  # AWS ECS task metadata and credentials
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",  # AWS DNS resolver over IPv6 (Nitro) - same link-local service family
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "168.63.129.16",  # Azure wire server
        "metadata.google.internal",  # GCP
        "metadata.goog",  # GCP
        "metadata",  # GCP short name inside the VPC
        "instance-data",  # AWS
        "instance-data.ec2.internal",  # AWS
        "metadata.tencentyun.com",  # Tencent Cloud
        "metadata.platformequinix.com",  # Equinix Metal
    }
)
"""Canonical forms of cloud instance-metadata endpoints (credentials live behind them)."""

# Whole link-local ranges: every cloud puts its metadata and credential services there, and a
# coding agent has no reason to reach them. OpenStack serves metadata over IPv6 at
# `fe80::a9fe:a9fe`, so the IPv6 link-local range counts too.
_LINK_LOCAL_V4 = ipaddress.IPv4Network("169.254.0.0/16")
_LINK_LOCAL_V6 = ipaddress.IPv6Network("fe80::/10")
# AWS puts every Nitro link service in one unique-local block (IMDS at ::254, DNS at ::23,
# time at ::123); nobody else chose `fd00:ec2::/32` for a private network by accident.
_AWS_LINK_V6 = ipaddress.IPv6Network("fd00:ec2::/32")
# Full stops that IDNA processing (browsers, WHATWG URL parsers, Python's `idna` codec) treats
# as `.` in a host name; NFKC already folds the fullwidth one (U+FF0E), not these two.
_DOT_FOLD = str.maketrans({"\u3002": ".", "\uff61": "."})
_REBINDING_SUFFIXES = (".nip.io", ".sslip.io", ".xip.io", ".nip.direct", ".traefik.me")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215 local-use translation prefix
_SIIT = ipaddress.IPv6Network("::ffff:0:0:0/96")  # IPv4-translated addresses (RFC 2765)
_SIXTOFOUR = ipaddress.IPv6Network("2002::/16")


def _part_value(part: str) -> int | None:
    """One component of a loose IPv4 literal: decimal, `0x` hex or leading-zero octal."""
    if not part:
        return None
    lowered = part.lower()
    if lowered.startswith("0x"):
        digits = lowered[2:]
        if not digits:
            return 0
        if len(digits) > 16 or any(c not in "0123456789abcdef" for c in digits):
            return None
        return int(digits, 16)
    if not part.isascii() or not part.isdigit() or len(part) > 20:
        return None
    if len(part) > 1 and part[0] == "0":
        if any(c in "89" for c in part):
            return None
        return int(part, 8)
    return int(part)


def parse_ipv4_loose(text: str) -> str | None:
    """The dotted-quad form of an IPv4 literal in any spelling `inet_aton` accepts (1 to 4 parts,
    each decimal, hex or octal; the last part fills the remaining bytes), or None."""
    if not text or len(text) > 64:
        return None
    parts = text.split(".")
    if len(parts) > 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _part_value(part)
        if value is None:
            return None
        values.append(value)
    head, last = values[:-1], values[-1]
    if any(v > 255 for v in head):
        return None
    room = 4 - len(head)
    if last >= 1 << (8 * room):
        return None
    number = 0
    for v in head:
        number = (number << 8) | v
    number = (number << (8 * room)) | last
    return str(ipaddress.IPv4Address(number))


def _ipv6(text: str) -> str | None:
    """Canonical form of an IPv6 literal; embedded IPv4 (mapped, compatible, translated, NAT64
    well-known and local-use prefixes, 6to4) is reduced to the IPv4 address it carries (for the
    local-use NAT64 prefix, in the last 32 bits, where translators put it with a /96)."""
    core = text.split("%", 1)[0]  # zone id
    try:
        addr = ipaddress.IPv6Address(core)
    except ValueError:
        return None
    mapped = addr.ipv4_mapped
    if mapped is not None:
        return str(mapped)
    packed = int(addr)
    if packed >> 32 == 0 and packed > 1:  # ::a.b.c.d (deprecated IPv4-compatible form)
        return str(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
    if addr in _NAT64 or addr in _NAT64_LOCAL or addr in _SIIT:
        return str(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
    sixtofour = addr.sixtofour if addr in _SIXTOFOUR else None
    if sixtofour is not None:
        return str(sixtofour)
    return addr.compressed


@lru_cache(maxsize=4096)
def canonical_host(host: str) -> str:
    """The one form rules compare: lower case, no brackets, port, user info or trailing dots,
    IP literals in canonical form. Unknown text is returned cleaned, never dropped."""
    text = host.strip()
    if len(text) > 4 * _MAX_HOST:
        text = text[: 4 * _MAX_HOST]
    if "%" in text:
        text = decode_percent(text)
    if not text.isascii():
        text = normalize_text(text).translate(_DOT_FOLD)
    text = text.strip().lower()
    at = text.rfind("@")
    if at >= 0:
        text = text[at + 1 :]
    if text.startswith("["):
        close = text.find("]")
        inner = text[1:close] if close > 0 else text[1:]
        return _ipv6(inner) or inner
    if text.count(":") >= 2:
        v6 = _ipv6(text)
        if v6 is not None:
            return v6
    elif ":" in text:
        text = text.split(":", 1)[0]  # host:port
    text = text.rstrip(".")
    v4 = parse_ipv4_loose(text)
    return v4 if v4 is not None else text


def _rebinding_ip(name: str) -> str | None:
    """The IPv4 address a wildcard-DNS name resolves to (`a.b.c.d.nip.io`, `x-a-b-c-d.sslip.io`,
    `a9fea9fe.nip.io`), or None."""
    for suffix in _REBINDING_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        return None
    labels = stem.split(".")
    if len(labels) >= 4:
        dotted = parse_ipv4_loose(".".join(labels[-4:]))
        if dotted is not None:
            return dotted
    last = labels[-1]
    dashed = last.split("-")
    if len(dashed) >= 4:
        dotted = parse_ipv4_loose(".".join(dashed[-4:]))
        if dotted is not None:
            return dotted
    tail = dashed[-1]
    if len(tail) == 8 and all(c in "0123456789abcdef" for c in tail):
        return str(ipaddress.IPv4Address(int(tail, 16)))
    if "--" in last or last.count("-") >= 7:  # sslip.io's IPv6 form: `fd00-ec2--254`
        return _ipv6(last.replace("-", ":"))
    return None


def _embedded_ips(name: str) -> tuple[tuple[str, bool], ...]:
    """IPv4 addresses spelled inside a DNS name under any suffix, the way wildcard-DNS and
    rebinding services read them: four consecutive decimal parts split by `.` or `-`
    (`x.169.254.169.254.example`, `make-169-254-169-254-rebind.example`) and any part of exactly
    eight hex digits (`a9fea9fe.7f000001.example`); each with whether it came from hex (hex
    parts also occur as content hashes, `main.a9fe12cd.js`, so callers trust them less).
    Linear in the name; bounded by `_MAX_HOST`."""
    if len(name) > _MAX_HOST:
        return ()
    parts = name.replace("-", ".").split(".")
    found: dict[tuple[str, bool], None] = {}
    run = 0
    for index, part in enumerate(parts):
        if part.isascii() and part.isdigit() and len(part) <= 3 and int(part) <= 255:
            run += 1
            if run >= 4:
                dotted = ".".join(str(int(p)) for p in parts[index - 3 : index + 1])
                found[(dotted, False)] = None
        else:
            run = 0
            if len(part) == 8 and all(c in "0123456789abcdef" for c in part):
                found[(str(ipaddress.IPv4Address(int(part, 16))), True)] = None
    return tuple(found)


def host_forms(host: str) -> tuple[str, ...]:
    """Every canonical form a host stands for: itself, and the address a rebinding name embeds."""
    canon = canonical_host(host)
    embedded = _rebinding_ip(canon)
    if embedded is not None and embedded != canon:
        return (canon, embedded)
    return (canon,)


def _metadata_form(form: str) -> str | None:
    """`form` itself when it is a metadata endpoint or a link-local address, else None."""
    if form in METADATA_HOSTS:
        return form
    if form[:1].isdigit() and form.count(".") == 3:
        try:
            if ipaddress.IPv4Address(form) in _LINK_LOCAL_V4:
                return form
        except ValueError:
            return None
    if ":" in form:
        try:
            address = ipaddress.IPv6Address(form)
            if address in _LINK_LOCAL_V6 or address in _AWS_LINK_V6:
                return form
        except ValueError:
            return None
    if form.endswith((".metadata.google.internal", ".metadata.goog")):
        return form
    return None


def metadata_endpoint(host: str) -> str | None:
    """The canonical metadata endpoint `host` reaches, or None. Link-local addresses
    (169.254.0.0/16, fe80::/10) all count: clouds put their credential services there. A DNS
    name that spells a metadata address inside it (`169.254.169.254.<any wildcard-DNS domain>`)
    counts as that address, whatever the domain: new rebinding services appear all the time,
    and no ordinary host name embeds a link-local address."""
    forms = host_forms(host)
    for form in forms:
        hit = _metadata_form(form)
        if hit is not None:
            return hit
    canon = forms[0]
    if any(c.isalpha() for c in canon) and ":" not in canon:
        for embedded, from_hex in _embedded_ips(canon):
            # A hex part must name a metadata address exactly; a decimal run may name any
            # link-local address (nobody spells `169.254.x.y` into a name by accident).
            if embedded in METADATA_HOSTS or (not from_hex and _metadata_form(embedded)):
                return embedded
    return None


_HOST_TOKEN = re.compile(r"[A-Za-z0-9.:\[\]%_-]+")  # one character class: linear, no backtracking
_MAX_TOKENS = 4096


def find_metadata_hosts(text: str) -> tuple[str, ...]:
    """Metadata endpoints named anywhere in free text (a command line, a URL, code): the text is
    split into host-like tokens and each is folded with `canonical_host`. Linear in the text."""
    if not text:
        return ()
    work = text
    if "%" in work:
        work = decode_percent(work)
    if not work.isascii():
        work = normalize_text(work).translate(_DOT_FOLD)
    found: dict[str, None] = {}
    _scan_tokens(work, found)
    if "+" in work:
        joined = _join_literals(work)
        if joined != work:
            _scan_tokens(joined, found)
    if "," in work and any(first in work for first in _FIRST_PARTS):
        for hit in _number_lists(work):
            found[hit] = None
    if "$" in work or "env" in work.lower():  # every reference form holds one of them
        for variable in _endpoint_variables(work):
            found[variable] = None
    return tuple(found)


_QUOTES = "'\"`"
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]{1,2}|[0-9]{1,4}")  # one class per branch: linear
# How the first part of a metadata address can be written (decimal, octal, hex): a list that
# holds none of these cannot spell one, so the scan is skipped.
_FIRST_PARTS = tuple(
    sorted({form for host in METADATA_HOSTS if host[:1].isdigit() and "." in host
            for part in [int(host.split(".", 1)[0])]
            for form in (str(part), f"0{part:o}", f"0x{part:x}", f"0X{part:X}", f"0x{part:X}",
                         f"0X{part:x}")})
)  # fmt: skip
_LIST_GAP = frozenset(", \t'\"")
_MAX_NUMBERS = 4096


def _number_lists(text: str) -> tuple[str, ...]:
    """Metadata addresses given as four numbers in a list (`bytes([169,254,169,254])`,
    `'%d.%d.%d.%d' % (169, 254, 169, 254)`, `'.'.join(['169','254','169','254'])`,
    `[169,254,169,254].join('.')`): code that builds the dotted form at run time from
    literal parts. Consecutive numbers count as one list when only a comma (with spaces or
    quotes) separates them. One pass over the numbers; bounded."""
    found: dict[str, None] = {}
    run: list[int] = []
    end = -1
    for count, match in enumerate(_NUMBER.finditer(text)):
        if count >= _MAX_NUMBERS:
            break
        start = match.start()
        gap = text[end:start] if end >= 0 else ""
        if end < 0 or gap.count(",") != 1 or any(c not in _LIST_GAP for c in gap):
            run = []
        end = match.end()
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        if before.isalnum() or before in "._" or after.isalnum() or after in "._":
            run = []  # part of a longer word or a dotted number, not a list item
            continue
        value = _part_value(match.group())
        if value is None or value > 255:
            run = []
            continue
        run.append(value)
        if len(run) >= 4:
            dotted = ".".join(str(v) for v in run[-4:])
            if dotted in METADATA_HOSTS:  # exact endpoints only: lists of numbers are common
                found[dotted] = None
    return tuple(found)


def _join_literals(text: str) -> str:
    """`text` with every `+` that joins two string literals closed up: a closing quote,
    spaces, `+`, spaces and an opening quote (each quote optionally escaped with a backslash,
    as in code inside a double-quoted shell word) are dropped, so `'169.254.' + '169.254'`
    reads `'169.254.169.254'`. One pass; the result is never longer than `text`."""
    out: list[str] = []
    index = 0
    size = len(text)
    while index < size:
        plus = text.find("+", index)
        if plus < 0:
            out.append(text[index:])
            break
        left = _quote_before(text, plus, index)
        right = _quote_after(text, plus)
        if left >= 0 and right >= 0:
            out.append(text[index:left])
            index = right
        else:
            out.append(text[index : plus + 1])
            index = plus + 1
    return "".join(out)


def _quote_before(text: str, plus: int, floor: int) -> int:
    """Where the closing quote (with its backslash, if any) before a `+` starts, or -1."""
    at = plus - 1
    while at >= floor and text[at] in " \t":
        at -= 1
    if at < floor or text[at] not in _QUOTES:
        return -1
    return at - 1 if at - 1 >= floor and text[at - 1] == "\\" else at


def _quote_after(text: str, plus: int) -> int:
    """The index just past the opening quote (and its backslash) after a `+`, or -1."""
    at = plus + 1
    size = len(text)
    while at < size and text[at] in " \t":
        at += 1
    if at < size and text[at] == "\\":
        at += 1
    if at < size and text[at] in _QUOTES:
        return at + 1
    return -1


def _scan_tokens(work: str, found: dict[str, None]) -> None:
    """Add to `found` the endpoint each host-like token of `work` names."""
    # Performance only: when the text names none of the hints, `_token_endpoint` rejects every
    # token holding a character outside `_IP_CHARS` (stripping only removes `.-:_`), so such
    # tokens are skipped here with one C-level `translate` instead of a Python call each.
    hinted = _HINTED(work.lower()) is not None
    for count, match in enumerate(_HOST_TOKEN.finditer(work)):
        if count >= _MAX_TOKENS:
            break
        token = match.group()
        if not hinted and token.translate(_DROP_IP_CHARS):
            continue
        hit = _token_endpoint(token)
        if hit is not None:
            found[hit] = None


ENDPOINT_VARIABLES: frozenset[str] = frozenset(
    {
        "ECS_CONTAINER_METADATA_URI",  # AWS ECS task metadata (169.254.170.2)
        "ECS_CONTAINER_METADATA_URI_V4",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",  # AWS ECS / EKS Pod Identity credentials
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",  # AWS SDK override of the IMDS address
        "IDENTITY_ENDPOINT",  # Azure App Service / Functions / Arc managed identity
        "MSI_ENDPOINT",  # Azure managed identity (older App Service)
        "IMDS_ENDPOINT",  # Azure Arc
        "GCE_METADATA_HOST",  # GCP client libraries' override of the metadata host
        "GCE_METADATA_IP",
    }
)
"""Environment variables that the platform sets to a metadata or credential endpoint URL:
`curl "$ECS_CONTAINER_METADATA_URI_V4/task"` reaches the endpoint without ever naming it."""

# How shells and code read an environment variable: what directly precedes its name (after
# the opening quote, escaped or not, for the code forms).
_SHELL_REFERENCES = ("$", "${")
_CODE_REFERENCES = (
    "environ[",  # Python
    "environ.get(",
    "getenv(",  # Python, C, PHP
    "Getenv(",  # Go
    "env.",  # Node (`process.env.NAME`), Deno, Bun
    "env[",
    "ENV[",  # Ruby
    "GetEnvironmentVariable(",  # .NET, PowerShell
)
_MAX_VARIABLE_HITS = 64


def _endpoint_variables(text: str) -> tuple[str, ...]:
    """`$NAME` for each endpoint variable the text reads (`$NAME`, `${NAME}`, `os.environ["NAME"]`,
    `os.getenv("NAME")`, `process.env.NAME`, `ENV["NAME"]`); a bare mention (a grep for the
    name, prose) does not count. Linear: one substring search per occurrence, bounded."""
    found: list[str] = []
    for name in ENDPOINT_VARIABLES:
        at = text.find(name)
        hits = 0
        while at >= 0 and hits < _MAX_VARIABLE_HITS:
            hits += 1
            end = at + len(name)
            whole = (at == 0 or not _is_word(text[at - 1])) and (
                end == len(text) or not _is_word(text[end])
            )
            before = text[max(0, at - 24) : at]
            if whole and (
                before.endswith(_SHELL_REFERENCES)
                or before.rstrip("\"'\\").endswith(_CODE_REFERENCES)
            ):
                found.append("$" + name)
                break
            at = text.find(name, end)
    return tuple(sorted(found))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# The values of the IPv4 metadata endpoints and link-local addresses, each as one number.
_LINK_LOCAL_NUMBERS = range(
    int(_LINK_LOCAL_V4.network_address), int(_LINK_LOCAL_V4.broadcast_address) + 1
)
_ENDPOINT_NUMBERS = frozenset(
    int(ipaddress.IPv4Address(h)) for h in METADATA_HOSTS if h[0].isdigit() and ":" not in h
)
_IP_CHARS = frozenset("0123456789abcdefxABCDEFX.:[]%")
_DROP_IP_CHARS = str.maketrans(dict.fromkeys(_IP_CHARS | frozenset("-_")))
# Names are looked at only when they carry one of these: a metadata name, a known rebinding
# domain, or the dotted, dashed or hex spelling of a metadata address embedded in a longer name.
_NAME_HINTS = (
    "metadata",
    "instance-data",
    ".nip.",
    ".sslip.",
    ".xip.",
    ".traefik.",
    "169.254.",
    "169-254-",
    "a9fe",
    "100.100.100.200",
    "100-100-100-200",
    "192.0.0.192",
    "192-0-0-192",
    "c00000c0",
    "168.63.129.16",
    "168-63-129-16",
    "a83f8110",
    "646464c8",
    "fe80:",
    "fd00:ec2:",
)

# One search for all of them (literal alternatives: at most one attempt of each per position).
_HINTED = re.compile("|".join(re.escape(hint) for hint in _NAME_HINTS)).search


def _token_endpoint(token: str) -> str | None:
    if len(token) <= 64:  # numbers and short words recur across commands (`head -20`)
        return _token_endpoint_cached(token)
    return _token_endpoint_uncached(token)


@lru_cache(maxsize=4096)
def _token_endpoint_cached(token: str) -> str | None:
    """A pure function of the token (no configuration, no I/O), so answers can be kept."""
    return _token_endpoint_uncached(token)


def _token_endpoint_uncached(token: str) -> str | None:
    token = token.strip(".-:_")
    if token.isdigit() and token.isascii() and token[0] != "0":
        # Performance only: one decimal number is the IPv4 address of that value (below
        # 2**32; above it, no address), so only the endpoints' own values can name one.
        if len(token) > 10:
            return None
        value = int(token)
        if value not in _LINK_LOCAL_NUMBERS and value not in _ENDPOINT_NUMBERS:
            return None
    if not all(c in _IP_CHARS for c in token):
        lowered = token.lower()
        if not any(hint in lowered for hint in _NAME_HINTS):
            return None  # neither an IP literal nor a metadata or rebinding name
    if not token or len(token) > _MAX_HOST or not any(c.isalnum() for c in token):
        return None
    if "." not in token and ":" not in token and parse_ipv4_loose(token) is None:
        return None  # a bare word ("metadata") is a host only in a host position, not in prose
    hit = metadata_endpoint(token)
    if hit is not None:
        return hit
    if ":" in token:
        return _colon_pieces_endpoint(token)
    return None


def _colon_pieces_endpoint(token: str) -> str | None:
    """A metadata endpoint inside a colon-joined host spec: `host:port` glued to more text, and
    the `name:port:address[:port]` maps of `curl --resolve` / `--connect-to` (which send a
    request for any name to the address given). Bracketed IPv6 parts are taken whole."""
    rest = token
    while "[" in rest:
        open_at = rest.index("[")
        close = rest.find("]", open_at)
        if close < 0:
            break
        hit = metadata_endpoint(rest[open_at + 1 : close])
        if hit is not None:
            return hit
        rest = rest[:open_at] + ":" + rest[close + 1 :]
    for piece in rest.split(":"):
        if not piece or ("." not in piece and parse_ipv4_loose(piece) is None):
            continue  # empty parts and bare words are not hosts here (ports are harmless)
        hit = metadata_endpoint(piece)
        if hit is not None:
            return hit
    return None
