"""Command-line option splitting shared by the wrapper and command tables."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from crustcore_nano.shell.expand import Field


@dataclass(frozen=True, slots=True)
class Opt:
    """One parsed option: `-o`, `--output`; `value` when the option took one."""

    name: str
    value: Field | None


def sub(field: Field, text: str) -> Field:
    """A field carrying `text` with the flags of `field` (for `--opt=value` splits)."""
    return Field(
        text, field.exact, field.glob, field.escaped, field.decoded, field.brace, field.secret
    )


def basename(text: str) -> str:
    """The program name as the rule engine matches it (`/usr/bin/python3` -> `python3`)."""
    return posixpath.basename(text.rstrip("/")) if "/" in text else text


def parse_opts(
    args: list[Field],
    value_opts: frozenset[str],
    *,
    permute: bool = True,
    start: int = 0,
) -> tuple[list[Opt], list[Field]]:
    """Split `args[start:]` into options and positionals.

    `value_opts` lists the short (`-o`) and long (`--output`) options that take a value. With
    `permute` (GNU style) options may follow positionals; without it the first positional ends
    option parsing (how wrappers such as `sudo` and `timeout` read their arguments).
    """
    opts: list[Opt] = []
    pos: list[Field] = []
    i = start
    n = len(args)
    while i < n:
        arg = args[i]
        t = arg.text
        if t == "--" and arg.exact:
            pos.extend(args[i + 1 :])
            break
        if not arg.exact or not t.startswith("-") or t == "-":
            if not permute:
                pos.extend(args[i:])
                break
            pos.append(arg)
            i += 1
            continue
        if t.startswith("--"):
            name, eq, val = t.partition("=")
            if eq:
                opts.append(Opt(name, sub(arg, val)))
            elif name in value_opts and i + 1 < n:
                opts.append(Opt(name, args[i + 1]))
                i += 1
            else:
                opts.append(Opt(name, None))
            i += 1
            continue
        j = 1
        while j < len(t):
            name = "-" + t[j]
            if name in value_opts:
                rest = t[j + 1 :]
                if rest:
                    opts.append(Opt(name, sub(arg, rest.removeprefix("="))))
                elif i + 1 < n:
                    opts.append(Opt(name, args[i + 1]))
                    i += 1
                else:
                    opts.append(Opt(name, None))
                break
            opts.append(Opt(name, None))
            j += 1
        i += 1
    return opts, pos


def has(opts: list[Opt], *names: str) -> bool:
    """Whether any of `names` was given."""
    for o in opts:  # noqa: SIM110 - a plain loop: `any(...)` builds a generator on a hot path
        if o.name in names:
            return True
    return False


def values(opts: list[Opt], *names: str) -> list[Field]:
    """Every value given to any of `names`, in order."""
    return [o.value for o in opts if o.name in names and o.value is not None]
