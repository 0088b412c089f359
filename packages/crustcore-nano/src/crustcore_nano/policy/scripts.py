"""The shell commands a file runs when a project's tools run it, read from content being written.

A coding agent that has been talked into an attack need not run the attack itself: it can write
it into a file the project's own commands run, then run `npm test` or `make`, which the policy
sees only as those words (a script already on disk is the project's business, and the sandbox is
the boundary for what it does). The write is where the attack is visible, so the content of a
few kinds of runnable files is read as the commands it holds:

* `package.json`: the values of `scripts` (npm, yarn, pnpm and bun run each with `sh -c`);
  content that is not a whole JSON object (an edit's fragment) is read for `"name": "command"`
  pairs when it names `scripts` or a lifecycle script (`test`, `postinstall`, ...);
* makefiles (`Makefile`, `GNUmakefile`, `*.mk`): recipe lines and `$(shell ...)` bodies;
* justfiles: the indented lines of each recipe;
* shell scripts (`*.sh`, `*.bash`, `*.zsh`, `*.ksh`, or a `#!` line naming a shell): the text.

At most `MAX_SCRIPTS` pieces and `MAX_SCRIPT_TEXT` characters in all are returned; content that
holds more is reported as not read in full (`Scripts.complete`), never cut short quietly, so
padding cannot push a command out of what is judged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final, cast

from crustcore_nano.shell.makefile import make_commands

__all__ = ["MAX_SCRIPTS", "MAX_SCRIPT_TEXT", "Scripts", "runnable", "script_commands"]

MAX_SCRIPTS: Final = 128
MAX_SCRIPT_TEXT: Final = 64 * 1024
_SHELL_SUFFIXES: Final = (".sh", ".bash", ".zsh", ".ksh", ".dash")
_RUNNABLE_SUFFIXES: Final = (".mk", *_SHELL_SUFFIXES)
_SHELLS: Final = frozenset({"sh", "bash", "zsh", "ksh", "dash", "ash", "mksh"})
_MAKEFILES: Final = frozenset({"makefile", "gnumakefile", "bsdmakefile"})
_JUSTFILES: Final = frozenset({"justfile", ".justfile"})
_LIFECYCLE: Final = frozenset(
    {
        "preinstall", "install", "postinstall", "prepare", "prepublish", "prepublishonly",
        "prepack", "postpack", "pretest", "test", "posttest", "prestart", "start", "poststart",
        "prebuild", "build", "postbuild", "dev", "serve", "lint", "format", "check",
    }
)  # fmt: skip
# `"name": "value"` in a fragment of JSON; the value's escapes are undone with `json.loads`.
_PAIR: Final = re.compile(r'"([^"\\\n]{1,128})"\s*+:\s*+("(?:[^"\\\n]|\\.){0,4096}+")')


@dataclass(frozen=True, slots=True)
class Scripts:
    """The command texts a runnable file holds; `complete` is False when it holds more than
    the bounds let be read (the commands returned are then only the first ones)."""

    commands: tuple[str, ...] = ()
    complete: bool = True


_NONE: Final = Scripts()


def runnable(path: str, content: str) -> bool:
    """Whether `script_commands` reads anything for this file: its kind, by name or `#!`."""
    name = path[path.rfind("/") + 1 :].lower()
    return (
        name == "package.json"
        or name in _MAKEFILES
        or name in _JUSTFILES
        or name.endswith(_RUNNABLE_SUFFIXES)
        or (content.startswith("#!") and _shell_shebang(content))
    )


def script_commands(path: str, content: str) -> Scripts:
    """The shell command texts `content` holds, when written to `path`, for a runnable kind
    of file (see the module docstring); no commands for any other file."""
    name = path.rstrip("/").rpartition("/")[2].lower()
    complete = len(content) <= MAX_SCRIPT_TEXT
    if name == "package.json":
        found, read_all = _npm_scripts(content)
        complete = read_all  # a whole document is parsed whatever its size
    elif name in _MAKEFILES or name.endswith(".mk"):
        # One text for all recipes: a makefile's size, not its number of lines, is the bound.
        made = make_commands(content[:MAX_SCRIPT_TEXT], limit=MAX_SCRIPT_TEXT)
        found, complete = ["\n".join(made.commands)], complete and not made.truncated
    elif name in _JUSTFILES:
        found = ["\n".join(_just_recipes(content))]
    elif name.endswith(_SHELL_SUFFIXES) or _shell_shebang(content):
        found = [content[:MAX_SCRIPT_TEXT]]
    else:
        return _NONE
    found = [text for text in found if text.strip()]
    kept: list[str] = []
    size = 0
    for text in found:
        size += len(text)
        if len(kept) >= MAX_SCRIPTS or size > MAX_SCRIPT_TEXT:
            complete = False
            break
        kept.append(text)
    return Scripts(tuple(kept), complete)


def _npm_scripts(content: str) -> tuple[list[str], bool]:
    """The scripts, and whether everything was read."""
    try:
        document: object = json.loads(content)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict):
        scripts = cast("dict[str, object]", document).get("scripts")
        if not isinstance(scripts, dict):
            return [], True
        values = cast("dict[str, object]", scripts).values()
        return [value for value in values if isinstance(value, str)], True
    # A fragment (an edit of the file): its pairs, when it is about scripts.
    pairs: list[tuple[str, str]] = []
    complete = len(content) <= MAX_SCRIPT_TEXT
    for m in _PAIR.finditer(content[:MAX_SCRIPT_TEXT]):
        try:
            value: object = json.loads(m.group(2))
        except ValueError:
            continue
        if isinstance(value, str):
            pairs.append((m.group(1), value))
        if len(pairs) > MAX_SCRIPTS:
            complete = False
            break
    if '"scripts"' in content or any(key.lower() in _LIFECYCLE for key, _ in pairs):
        return [value for key, value in pairs if key != "scripts"], complete
    return [], True


def _just_recipes(content: str) -> list[str]:
    """The body lines of a justfile's recipes: indented lines after a `name ...:` line."""
    out: list[str] = []
    in_recipe = False
    for line in content[:MAX_SCRIPT_TEXT].split("\n"):
        if line[:1] in (" ", "\t"):
            body = line.strip().lstrip("@-")
            if in_recipe and body and not body.startswith("#"):
                out.append(body)
            continue
        stripped = line.strip()
        in_recipe = bool(stripped) and not stripped.startswith("#") and _recipe_header(stripped)
    return out


def _recipe_header(line: str) -> bool:
    """`name args: deps` (not `x := value`, `set ...`, `export ...` or `[attribute]`)."""
    head, colon, rest = line.partition(":")
    if not colon or rest.startswith("="):
        return False
    return not head.startswith(("[", "set ", "export ", "alias ", "import ", "mod "))


def _shell_shebang(content: str) -> bool:
    """Whether the text starts with a `#!` line naming a shell (`#!/bin/sh`,
    `#!/usr/bin/env bash`)."""
    if not content.startswith("#!"):
        return False
    words = content[2 : content.find("\n") if "\n" in content else 256].split()
    if not words:
        return False
    program = words[0].rpartition("/")[2]
    if program == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        program = rest[0].rpartition("/")[2] if rest else ""
    return program in _SHELLS
