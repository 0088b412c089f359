"""Package installs whose source is an address rather than a name in the registry.

`pip install requests` and `npm install lodash` take a published package by name. An install from
an address (`pip install git+https://github.com/someone/tool`, `npm install github:someone/tool`,
`npm install someone/tool`, a tarball URL, `cargo install --git URL`) runs install code fetched
from wherever the address points, with no registry in between: a prompt-injected agent's way to
run an attacker's code that reads like routine work. `remote_source` names the first such source
an install command line has, so the analyser can report it.

An index of one's own is the same thing one step removed: `pip install --extra-index-url
https://pkgs.example/simple requests` takes `requests` from whichever index offers it (the
dependency-confusion attack), `npm install --registry URL`, `gem install --source URL` and the
`PIP_INDEX_URL` family of variables likewise. `index_source` and `index_address` name such an
index when it is neither a public registry's own host nor this machine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

from crustcore_nano.shell.options import option_values

__all__ = [
    "INDEX_VARIABLES", "index_address", "index_reason", "index_source", "installs_reason",
    "remote_script", "remote_spec", "remote_source",
]  # fmt: skip

_PIP_INSTALLS: Final = frozenset({"install", "download", "wheel"})
_NPM_INSTALLS: Final = frozenset({"install", "i", "add", "isntall", "in", "ins", "inst"})
_VCS_PREFIXES: Final = ("git+", "hg+", "svn+", "bzr+")
_URL_PREFIXES: Final = ("http://", "https://", "ftp://")
_NPM_HOSTED: Final = ("github:", "gitlab:", "bitbucket:", "gist:", "git+", "git://")
# `owner/repo` (optionally `#ref`): npm's GitHub shorthand; scoped names start with `@`.
_NPM_SHORTHAND: Final = re.compile(r"[A-Za-z0-9][\w.-]{0,100}+/[\w.-]{1,100}+(?:#\S{0,200})?")
# Options of the package tools that take a value (so the value is not taken for a package).
_PIP_VALUE_OPTS: Final = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-t", "--target", "--prefix", "--root",
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--python-version",
        "--platform", "--implementation", "--abi", "-d", "--dest", "-w", "--wheel-dir", "--src",
        "--log", "--report", "--cache-dir", "--trusted-host", "--proxy", "--timeout",
        "--retries", "--python", "-p", "--config-settings", "-C", "--group", "--upgrade-strategy",
    }
)  # fmt: skip
_NPM_VALUE_OPTS: Final = frozenset(
    {"--prefix", "-C", "--dir", "--registry", "--tag", "--workspace", "-w", "--filter", "--cwd"}
)


def installs_reason(tool: str, source: str) -> str:
    """Why `tool` taking a package from `source` (an address) is asked."""
    return f"{tool} installs {source!r}, an address rather than a package from its registry"


def index_reason(tool: str, index: str) -> str:
    """Why `tool` taking packages from `index` (not a public registry) is asked."""
    return f"{tool} takes packages from {index!r}, an index other than its registry's"


def remote_source(tool: str, args: Sequence[str]) -> str | None:
    """The first package source in an install command line that is an address, or None.
    `tool` is the program (`pip`, `npm`, `pnpm`, `yarn`, `bun`, `npx`, `cargo`, `uv`) and
    `args` its arguments as the program receives them."""
    if tool in ("pip", "pip3"):
        return _pip(args)
    if tool == "bun":
        return _bun(args)
    if tool in ("npm", "pnpm", "yarn"):
        words = [a for a in args if not a.startswith("-")]
        if words[:1] == ["dlx"]:
            return _npm_spec(_first_positional(args[args.index("dlx") + 1 :]))
        return _npm(args)
    if tool in ("npx", "bunx", "pnpx"):
        return _npm_spec(_first_positional(args))
    if tool == "cargo":
        return _cargo(args)
    if tool == "pipx":
        words = [a for a in args if not a.startswith("-")]
        if words[:1] in (["install"], ["inject"]):
            return _pip(["install", *args[args.index(words[0]) + 1 :]])
    if tool == "uv":
        words = [a for a in args if not a.startswith("-")]
        if words[:2] == ["pip", "install"] or words[:2] == ["tool", "install"]:
            return _pip(args[args.index(words[1]) :])
        if words[:1] == ["add"]:
            return _pip(["install", *args[args.index("add") + 1 :]])
    return None


def _bun(args: Sequence[str]) -> str | None:
    """`bun add|install SPEC` as npm reads it, `bun x SPEC` as `bunx`, and `bun create
    TEMPLATE`, whose template may be a GitHub `owner/repo` or a URL."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return None
    rest = args[args.index(words[0]) + 1 :]
    if words[0] in ("add", "a", "install", "i"):
        return _npm(["install", *rest])
    if words[0] == "x":
        return _npm_spec(_first_positional(rest))
    if words[0] in ("create", "c"):
        return _npm_spec(_first_positional(rest))
    return None


def _pip(args: Sequence[str]) -> str | None:
    positional = _positionals(args, _PIP_VALUE_OPTS, editable=("-e", "--editable"))
    if not positional or positional[0] not in _PIP_INSTALLS:
        return None
    for spec in positional[1:]:
        if remote_spec(spec):
            return spec
    return None


def remote_spec(spec: str) -> bool:
    """Whether a Python package spec is an address: `git+https://...`, `https://.../x.whl`,
    or a direct reference `name @ URL` (also as given to an option: `uvx --from SPEC`, `uv run
    --with SPEC`, `pipx run --spec SPEC`)."""
    text = spec.strip()
    if "@" in text and not text.startswith(_VCS_PREFIXES + _URL_PREFIXES):
        _, _, after = text.partition("@")
        text = after.strip()
    return text.startswith(_VCS_PREFIXES + _URL_PREFIXES)


def _npm(args: Sequence[str]) -> str | None:
    positional = _positionals(args, _NPM_VALUE_OPTS)
    if positional[:1] == ["global"]:
        positional = positional[1:]  # `yarn global add ...`
    if not positional or positional[0] not in _NPM_INSTALLS:
        return None
    for spec in positional[1:]:
        found = _npm_spec(spec)
        if found is not None:
            return found
    return None


def _npm_spec(spec: str | None) -> str | None:
    """`spec` when it names an address: a hosted git repository, a git or tarball URL, or the
    `owner/repo` GitHub shorthand (with an alias, `name@github:...`, too)."""
    if not spec:
        return None
    text = spec
    at = text.find("@", 1)
    if at > 0 and text[at + 1 :].startswith(_NPM_HOSTED + _URL_PREFIXES):
        text = text[at + 1 :]  # `alias@github:owner/repo`
    if text.startswith(_NPM_HOSTED + _URL_PREFIXES):
        return spec
    if text.startswith(("@", ".", "/", "~", "file:", "npm:", "workspace:", "link:")):
        return None
    return spec if _NPM_SHORTHAND.fullmatch(text) else None


def _cargo(args: Sequence[str]) -> str | None:
    if "install" not in args:
        return None
    for index, arg in enumerate(args):
        if arg == "--git" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--git="):
            return arg.partition("=")[2]
    return None


def _first_positional(args: Sequence[str]) -> str | None:
    """The package an `npx`-style runner runs: its first argument that is not an option (the
    value of `-p`/`--package` counts as one)."""
    for index, arg in enumerate(args):
        if arg in ("-p", "--package") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--package="):
            return arg.partition("=")[2]
        if not arg.startswith("-"):
            return arg
    return None


def _positionals(
    args: Sequence[str], value_opts: frozenset[str], editable: tuple[str, ...] = ()
) -> list[str]:
    """The arguments that are not options or option values (an editable install's source,
    `-e git+...`, counts as a positional)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in editable:
            continue  # the next argument is the source: kept as a positional
        if arg.startswith("-"):
            skip = arg in value_opts
            continue
        out.append(arg)
    return out


# Options that name the index or registry packages come from, per program.
_PY_INDEX_OPTS: Final = (
    "-i", "--index-url", "--extra-index-url", "--index", "--default-index", "-f", "--find-links",
)  # fmt: skip
_INDEX_OPTS: Final[dict[str, tuple[str, ...]]] = {
    **dict.fromkeys(("pip", "pip3", "pipx", "uv", "uvx"), _PY_INDEX_OPTS),
    **dict.fromkeys(("npm", "pnpm", "yarn", "bun", "npx", "bunx", "pnpx"), ("--registry",)),
    "gem": ("--source", "-s"),
    "cargo": ("--index",),
}
# The variables those programs read the same setting from (npm's in any case).
INDEX_VARIABLES: Final = frozenset(
    {
        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "UV_INDEX_URL",
        "UV_EXTRA_INDEX_URL", "UV_INDEX", "UV_DEFAULT_INDEX", "UV_FIND_LINKS",
        "NPM_CONFIG_REGISTRY", "YARN_REGISTRY", "YARN_NPM_REGISTRY_SERVER",
        "BUN_CONFIG_REGISTRY", "GOPROXY",
    }
)  # fmt: skip
# Public registries' own hosts (and their subdomains): an index there is the registry.
_REGISTRY_HOSTS: Final = (
    "pypi.org", "files.pythonhosted.org", "download.pytorch.org", "npmjs.org", "npmjs.com",
    "yarnpkg.com", "rubygems.org", "crates.io", "proxy.golang.org",
)  # fmt: skip
_SCRIPT_REGISTRY_HOSTS: Final = ("deno.land", "jsr.io")
_LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_INDEX_VALUE: Final = 4096


def index_source(tool: str, args: Sequence[str]) -> str | None:
    """The first index or registry other than a public registry's that a package command line
    names by option (`--index-url URL`, `--registry=URL`, `-iURL`), or None."""
    opts = _INDEX_OPTS.get(tool)
    if opts is None:
        return None
    for _, at, offset in option_values(args, opts, until_dashes=False):
        found = index_address(args[at][offset:])
        if found is not None:
            return found
    return None


def remote_script(url: str) -> bool:
    """Whether a script run from a URL (`deno run URL`, `bun run URL`) comes from an address
    rather than a registry of modules (`deno.land`, `jsr.io`)."""
    host = _host(url)
    return host is None or not _known_host(host, _SCRIPT_REGISTRY_HOSTS)


def _host(url: str) -> str | None:
    """The host a URL names (lower case, no trailing dot), or None when Python cannot read
    the URL: such an address is never one to trust."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return None


def _known_host(host: str, known: tuple[str, ...]) -> bool:
    return host in _LOCAL_HOSTS or any(host == k or host.endswith("." + k) for k in known)


def index_address(value: str) -> str | None:
    """The address in an index setting when it is one to ask about: a URL (also inside a list,
    `URL,direct`, or a named index, `name=URL`) whose host is neither a public registry's nor
    this machine. Local directories and `file:` URLs are not addresses."""
    for item in re.split(r"[\s,|]+", value[:_MAX_INDEX_VALUE]):
        name, eq, after = item.partition("=")
        url = after if eq and "://" not in name else item
        if "://" not in url or url.startswith("file:"):
            continue
        host = _host(url)
        if host is None or not _known_host(host, _REGISTRY_HOSTS):
            return url
    return None
