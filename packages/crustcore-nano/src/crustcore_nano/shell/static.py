"""Static evaluation of the few programs whose output we can compute without running anything.

`echo`, `printf`, `base64 -d`, `xxd -r -p`, `rev`, `tr` and `cat` of a here-document are how
payloads get assembled (`echo Y2F0... | base64 -d | sh`). Computing their output lets the
analyser look inside the payload instead of only flagging it.
"""

from __future__ import annotations

import base64
import binascii

from crustcore_nano.shell.expand import Field, Val
from crustcore_nano.shell.lexer import HEX_DIGITS, SIMPLE_ESCAPES, decode_hex_escape


def decode_backslashes(text: str, *, echo: bool) -> tuple[str, bool]:
    """Decode `printf`/`echo -e` escapes; the flag says hex/octal/unicode escapes were used.

    `echo -e` writes octal as `\\0NNN`; `printf` accepts `\\NNN` as well.
    """
    if "\\" not in text:
        return text, False
    out: list[str] = []
    hidden = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in SIMPLE_ESCAPES:
            out.append(SIMPLE_ESCAPES[nxt])
            i += 2
        elif nxt == "c" and echo:
            break
        elif nxt in "01234567":
            j = i + 1
            if nxt == "0" and echo:
                j = i + 2
            k = j
            while k < n and k < j + 3 and text[k] in "01234567":
                k += 1
            out.append(chr(int(text[j:k] or "0", 8) & 0xFF))
            hidden = True
            i = k
        elif nxt in "xuU":
            piece, i, decoded = decode_hex_escape(text, i)
            out.append(piece)
            hidden = hidden or decoded
        else:
            out.append("\\" + nxt)
            i += 2
    return "".join(out), hidden


def _join(args: list[Field]) -> tuple[str, bool, bool]:
    return (
        " ".join(a.text for a in args),
        all(a.exact for a in args),
        any(a.decoded for a in args),
    )


def echo_output(args: list[Field]) -> Val:
    """The output of `echo ARGS` (bash builtin semantics for -n, -e, -E)."""
    newline = True
    escapes = False
    i = 0
    while i < len(args):
        t = args[i].text
        if len(t) >= 2 and t[0] == "-" and all(c in "neE" for c in t[1:]):
            newline = newline and "n" not in t
            if "e" in t:
                escapes = True
            if "E" in t:
                escapes = False
            i += 1
            continue
        break
    text, exact, decoded = _join(args[i:])
    hidden = False
    if escapes:
        text, hidden = decode_backslashes(text, echo=True)
    hidden = hidden or any(a.escaped for a in args[i:])
    return Val(text + ("\n" if newline else ""), exact, hidden, decoded)


def printf_output(args: list[Field]) -> Val | None:
    """The output of `printf FORMAT ARGS` for the `%s %b %d %c %%` conversions."""
    if not args:
        return None
    start = 0
    if args[0].text == "--":
        start = 1
    if start >= len(args):
        return None
    fmt_field = args[start]
    rest = args[start + 1 :]
    fmt = fmt_field.text
    exact = all(a.exact for a in args)
    decoded = any(a.decoded for a in args)
    hidden = any(a.escaped for a in args)
    out: list[str] = []
    used = 0
    for _round in range(max(1, len(rest))):
        conversions = 0
        i = 0
        n = len(fmt)
        while i < n:
            ch = fmt[i]
            if ch == "\\":
                j = i + 2
                if i + 1 < n and fmt[i + 1] in "xuU01234567":
                    j = i + 2
                    while j < n and j < i + 10 and fmt[j] in HEX_DIGITS:
                        j += 1
                piece, h = decode_backslashes(fmt[i:j], echo=False)
                out.append(piece)
                hidden = hidden or h
                i = j
                continue
            if ch != "%":
                out.append(ch)
                i += 1
                continue
            j = i + 1
            while j < n and fmt[j] in "-+ #0123456789.":
                j += 1
            if j >= n:
                return None
            conv = fmt[j]
            i = j + 1
            if conv == "%":
                out.append("%")
                continue
            conversions += 1
            arg = rest[used].text if used < len(rest) else ""
            used += 1
            if conv == "s":
                out.append(arg)
            elif conv == "b":
                piece, h = decode_backslashes(arg, echo=True)
                out.append(piece)
                hidden = hidden or h
            elif conv in "diu":
                out.append(arg if arg.lstrip("-").isdigit() else "0")
            elif conv == "c":
                out.append(arg[:1])
            else:
                return None
        if conversions == 0 or used >= len(rest):
            break
    return Val("".join(out), exact, hidden, decoded)


def decode_base64(text: str, base: int = 64) -> str | None:
    """Decode base64/base32 text (whitespace ignored); None when it is not valid."""
    data = "".join(text.split())
    try:
        if base == 32:
            raw = base64.b32decode(data + "=" * (-len(data) % 8))
        else:
            raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", errors="replace")


def decode_hex(text: str) -> str | None:
    """Decode plain hex (`xxd -r -p`)."""
    data = "".join(text.split())
    try:
        return bytes.fromhex(data).decode("utf-8", errors="replace")
    except ValueError:
        return None


def _expand_set(spec: str) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            lo, hi = ord(spec[i]), ord(spec[i + 2])
            if hi < lo or hi - lo > 256:
                return None
            out.extend(chr(c) for c in range(lo, hi + 1))
            i += 3
        elif spec[i] in "[\\":
            return None
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


def tr_output(args: list[Field], stdin: str) -> str | None:
    """`tr SET1 SET2` with plain characters and ranges only (enough for rot13)."""
    if len(args) != 2 or any(a.text.startswith("-") for a in args):
        return None
    src = _expand_set(args[0].text)
    dst = _expand_set(args[1].text)
    if not src or not dst:
        return None
    if len(dst) < len(src):
        dst = dst + dst[-1] * (len(src) - len(dst))
    return stdin.translate(str.maketrans(src, dst[: len(src)]))
