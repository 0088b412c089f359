"""Command-line option splitting shared by the wrapper and command tables."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator, Sequence
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


def option_values(
    words: Sequence[str],
    separate: Collection[str],
    attached: Collection[str] = (),
    *,
    until_dashes: bool = True,
) -> Iterator[tuple[str, int, int]]:
    """Where the values of some options stand, without parsing the rest of the line:
    (option, index of the word holding the value, offset of the value in that word).

    An option of `separate` takes `--opt=V` or the next word; one of `attached` only
    `--opt=V`; either, when it is a one-letter option, also `-oV`. With `until_dashes` the
    scan stops at `--`. Words that are not options (or not known, given as "") are skipped."""
    either = {*separate, *attached}
    for index, word in enumerate(words):
        if not word.startswith("-"):
            continue
        if word == "--" and until_dashes:
            return
        key, eq, _ = word.partition("=")
        if key in either and eq:
            yield key, index, len(key) + 1
        elif key in separate and not eq:
            if index + 1 < len(words):
                yield key, index + 1, 0
        elif not word.startswith("--") and len(word) > 2 and word[:2] in either:
            yield word[:2], index, 2


def option_fields(
    args: list[Field], separate: Collection[str], attached: Collection[str] = ()
) -> Iterator[tuple[str, Field]]:
    """`option_values` over fields: (option, its value as a field). Only exact words count as
    options; a value standing in the next word is that word, whatever it is."""
    words = [f.text if f.exact else "" for f in args]
    for key, at, offset in option_values(words, separate, attached):
        field = args[at]
        yield key, field if offset == 0 else sub(field, field.text[offset:])
