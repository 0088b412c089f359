"""Small, linear helpers that turn URL-ish and host-ish strings into `NetworkTarget`s."""

from __future__ import annotations

from urllib.parse import urlsplit

from crustcore_nano.shell.facts import NetworkTarget

_DEFAULT_PORTS = {
    "http": 80,
    "https": 443,
    "ws": 80,
    "wss": 443,
    "ftp": 21,
    "ftps": 990,
    "sftp": 22,
    "ssh": 22,
    "git": 9418,
    "rsync": 873,
    "telnet": 23,
    "gopher": 70,
    "ldap": 389,
    "redis": 6379,
    "smtp": 25,
}
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")


def is_url(text: str) -> bool:
    """`scheme://...` with a plausible scheme."""
    sep = text.find("://")
    if sep <= 0 or sep > 24:
        return False
    return all(c in _SCHEME_CHARS for c in text[:sep]) and text[0].isalpha()


def url_target(text: str, via: str) -> NetworkTarget | None:
    """A target for a URL (`file://` URLs are not network and give None)."""
    stripped = text.strip()
    if not is_url(stripped):
        return None
    scheme = stripped[: stripped.find("://")].lower()
    if scheme == "file":
        return None
    host: str | None
    port: int | None
    try:
        parts = urlsplit(stripped)
        host = parts.hostname
        port = parts.port
    except ValueError:
        host, port = None, None
    if port is None:
        base = scheme.split("+")[-1]
        port = _DEFAULT_PORTS.get(base)
    return NetworkTarget(host or None, port, stripped, via)


def file_url_path(text: str) -> str | None:
    """The path of a `file://` URL, or None."""
    if text[:7].lower() == "file://":
        rest = text[7:]
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"
    return None


def file_url_paths(text: str) -> tuple[str, ...]:
    """The local files a `file:` URL (or an AWS CLI `fileb://` parameter) can name, or ().

    A URL reader opens the path after the host (`file:///etc/passwd`, `file://localhost/x`,
    `file:/etc/passwd`). The AWS CLI opens everything after `file://` or `fileb://` as a path
    (`file://~/.ssh/id_rsa`, `fileb://build/app.zip`). Both readings are given when they differ,
    so a check sees the file whichever program gets the text."""
    head = text[:8].lower()
    if head == "fileb://":
        return (text[8:],) if len(text) > 8 else ()
    if not head.startswith("file:"):
        return ()
    rest = text[5:]
    if not rest.startswith("//"):
        return (rest,) if rest.startswith("/") else ()
    whole = rest[2:]
    slash = whole.find("/")
    if slash < 0:
        return (whole,) if whole else ()
    return (whole,) if slash == 0 else (whole, whole[slash:])


def split_host_port(text: str) -> tuple[str | None, int | None]:
    """`host:port`, `[v6]:port`, `user@host` or a bare host."""
    text = text.strip()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if text.startswith("["):
        close = text.find("]")
        if close > 0:
            host = text[1:close]
            rest = text[close + 1 :]
            return host or None, _port(rest[1:]) if rest.startswith(":") else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host or None, _port(port)
    return text or None, None


def _port(text: str) -> int | None:
    if text.isdigit() and len(text) <= 5:
        value = int(text)
        return value if 0 <= value < 65536 else None
    return None


def looks_like_host(text: str) -> bool:
    """A dotted IPv4 address or a dotted hostname (optionally with `:port`), no path."""
    host, _ = split_host_port(text)
    if host is None or len(host) > 253 or "/" in text or " " in text:
        return False
    if ":" in host:
        return all(c in "0123456789abcdefABCDEF:." for c in host) and host.count(":") >= 2
    if not all(c in _HOST_CHARS for c in host) or "." not in host.strip("."):
        return False
    labels = host.strip(".").split(".")
    if all(label.isdigit() for label in labels):
        return len(labels) == 4
    tld = labels[-1]
    return tld.isalpha() and len(tld) >= 2 and all(labels)


def parse_dev_tcp(text: str) -> NetworkTarget | None:
    """`/dev/tcp/HOST/PORT` or `/dev/udp/HOST/PORT` (bash's virtual socket files)."""
    if "/dev/" not in text:
        return None
    for proto in ("tcp", "udp"):
        prefix = f"/dev/{proto}/"
        at = text.find(prefix)
        if at >= 0:
            rest = text[at + len(prefix) :]
            host, _, port = rest.partition("/")
            digits = ""
            for ch in port:
                if not ch.isdigit():
                    break
                digits += ch
            return NetworkTarget(host or None, _port(digits), None, f"/dev/{proto}")
    return None
