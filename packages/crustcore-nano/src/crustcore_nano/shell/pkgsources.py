"""Package installs whose source is an address rather than a name in the registry.

`pip install requests` and `npm install lodash` take a published package by name. An install from
an address (`pip install git+https://github.com/someone/tool`, `npm install github:someone/tool`,
`npm install someone/tool`, a tarball URL, `cargo install --git URL`) runs install code fetched
from wherever the address points, with no registry in between: a prompt-injected agent's way to
run an attacker's code that reads like routine work. `remote_source` names the first such source
an install command line has, so the analyser can report it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["remote_spec", "remote_source"]

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


def remote_source(tool: str, args: Sequence[str]) -> str | None:
    """The first package source in an install command line that is an address, or None.
    `tool` is the program (`pip`, `npm`, `pnpm`, `yarn`, `npx`, `cargo`, `uv`) and `args` its
    arguments as the program receives them."""
    if tool in ("pip", "pip3"):
        return _pip(args)
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
