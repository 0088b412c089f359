"""The tokenizer: shell text to words (with their quoting structure) and operators.

One pass over the text, left to right, with a hard budget. Substitutions (`$(...)`, backticks,
`<(...)`) are lexed by a nested lexer over the same text and, when a parser is attached, parsed
at once, so the tree is built in a single linear pass. Here-document bodies are read when the
line that introduced them ends, as the shell does.
"""

from __future__ import annotations

from collections.abc import Callable

from crustcore_nano.shell.errors import ShellArgumentError, ShellLimitError, ShellSyntaxError
from crustcore_nano.shell.limits import Budget, ShellLimits
from crustcore_nano.shell.syntax import (
    AnsiC,
    Arith,
    ArrayLit,
    CmdSubst,
    DoubleQuoted,
    HereDoc,
    Lexed,
    Lit,
    Param,
    ProcSubst,
    Script,
    Token,
    TokenKind,
    Word,
    WordPart,
)

# TokenKind members, bound once: on Python 3.11 each `TokenKind.X` look-up costs a descriptor call.
_ARITH = TokenKind.ARITH
_EOF = TokenKind.EOF
_NEWLINE = TokenKind.NEWLINE
_OP = TokenKind.OP
_WORD = TokenKind.WORD

_META = frozenset(" \t\n;&|<>()")
_OPS = (
    "&>>",
    ";;&",
    "<<<",
    "<<-",
    "&&",
    "&>",
    ";;",
    ";&",
    "||",
    "|&",
    "<<",
    "<>",
    "<&",
    ">>",
    ">&",
    ">|",
    ";",
    "&",
    "|",
    "<",
    ">",
    "(",
    ")",
)
_OP_FIRST = frozenset(op[0] for op in _OPS)
_OPS_BY_FIRST = {c: tuple(op for op in _OPS if op[0] == c) for c in _OP_FIRST}
_REDIRECT_OPS = frozenset({"<", ">", ">>", ">|", "<>", "<&", ">&", "&>", "&>>", "<<", "<<-", "<<<"})
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_PARAM_OPS = (":-", ":=", ":+", ":?", "-", "=", "+", "?", "##", "#", "%%", "%", "//", "/#")
_PARAM_OPS2 = ("/%", "/", "^^", "^", ",,", ",", ":", "@")
_WORD_STOP = {
    "word": _META | frozenset("\\'\"$`"),
    "brace": frozenset("}\\'\"$`"),
    "dquote": frozenset('"\\$`'),
    "heredoc": frozenset("\\$`"),
}
_EXTGLOB = frozenset("@!+*?")

Nested = Callable[[Lexed], Script]


# Backslash escapes shared by `$'...'` (here) and `printf`/`echo -e` (static.py).
SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
}
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}


def decode_hex_escape(text: str, i: int) -> tuple[str, int, bool]:
    """Decode the `\\xHH`, `\\uHHHH` or `\\UHHHHHHHH` escape whose backslash is at `i`: the
    text, the index after it, and whether a code point was decoded (else the escape is kept)."""
    n = len(text)
    j = i + 2
    k = j
    width = _HEX_WIDTH[text[i + 1]]
    while k < n and k < j + width and text[k] in HEX_DIGITS:
        k += 1
    if k == j:
        return "\\" + text[i + 1], k, False
    code = int(text[j:k], 16)
    return (chr(code) if code <= 0x10FFFF else "\ufffd"), k, True


def decode_ansi_c(text: str) -> tuple[str, bool]:
    """Decode the body of `$'...'`; the flag says whether hex/octal/unicode escapes were used."""
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
        if nxt in SIMPLE_ESCAPES or nxt == "?":
            out.append(SIMPLE_ESCAPES.get(nxt, "?"))
            i += 2
        elif nxt in "01234567":
            j = i + 1
            while j < n and j < i + 4 and text[j] in "01234567":
                j += 1
            out.append(chr(int(text[i + 1 : j], 8) & 0xFF))
            hidden = True
            i = j
        elif nxt in _HEX_WIDTH:
            piece, i, decoded = decode_hex_escape(text, i)
            out.append(piece)
            hidden = hidden or decoded
        elif nxt == "c" and i + 2 < n:
            out.append(chr(ord(text[i + 2]) & 0x1F))
            hidden = True
            i += 3
        else:
            out.append("\\" + nxt)
            i += 2
    return "".join(out), hidden


class Lexer:
    """Tokenizes `src[start:end]`; in paren mode it stops at the `)` closing a substitution."""

    def __init__(
        self,
        src: str,
        budget: Budget,
        limits: ShellLimits,
        *,
        start: int = 0,
        end: int | None = None,
        depth: int = 0,
        paren: bool = False,
        nested: Nested | None = None,
    ) -> None:
        if depth > limits.max_depth:
            raise ShellLimitError("substitutions nested too deeply", start)
        self.src: str = src
        self.pos: int = start
        self.end: int = len(src) if end is None else end
        self.budget = budget
        self.limits = limits
        self.depth = depth
        self.paren = paren
        self.nested = nested
        self.tokens: list[Token] = []
        self._pending: list[tuple[int, Word, bool]] = []
        self._want_delim: bool | None = None

    # ------------------------------------------------------------------ helpers

    def _err(self, message: str) -> ShellSyntaxError:
        return ShellSyntaxError(message, self.pos)

    def _peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.src[i] if i < self.end else ""

    def _sub(self, start: int, *, paren: bool) -> tuple[Lexed, int]:
        sub = Lexer(
            self.src,
            self.budget,
            self.limits,
            start=start,
            end=self.end,
            depth=self.depth + 1,
            paren=paren,
            nested=self.nested,
        )
        lexed = sub.run()
        return lexed, sub.pos

    def _parse_nested(self, lexed: Lexed) -> Script | None:
        return self.nested(lexed) if self.nested is not None else None

    # ------------------------------------------------------------------ main loop

    def run(self) -> Lexed:
        """Produce every token up to the end (or the closing paren) and an EOF token."""
        parens = 0
        cases = 0
        while True:
            tok = self._next()
            if tok is None:
                if self.paren:
                    raise self._err("unterminated command substitution")
                self.tokens.append(Token(_EOF, "", self.pos, self.pos))
                break
            if self.paren:
                if tok.kind is _OP and tok.text == ")":
                    if parens > 0:
                        parens -= 1
                    elif cases == 0:
                        self.tokens.append(Token(_EOF, "", tok.start, tok.start))
                        self.pos = tok.start
                        break
                elif tok.kind is _OP and tok.text == "(":
                    parens += 1
                elif tok.kind is _WORD:
                    bare = tok.bare
                    if bare == "case":
                        cases += 1
                    elif bare == "esac" and cases > 0:
                        cases -= 1
            self.tokens.append(tok)
        return Lexed(tuple(self.tokens), self.src, self.depth)

    def _next(self) -> Token | None:
        src = self.src
        end = self.end
        pos = self.pos
        ch = ""
        while pos < end:
            ch = src[pos]
            if ch in " \t":
                pos += 1
            elif ch == "\\" and pos + 1 < end and src[pos + 1] == "\n":
                pos += 2
            elif ch == "#":
                nl = src.find("\n", pos, end)
                pos = end if nl < 0 else nl
            else:
                break
        self.budget.tick(1 + pos - self.pos, pos)
        self.pos = pos
        if pos >= end:
            if self._pending:
                self._read_heredocs()
            return None
        start = pos
        if ch == "\n":
            self.pos += 1
            tok = Token(_NEWLINE, "\n", start, self.pos)
            if self._pending:
                self._read_heredocs()
            return tok
        if ch in "<>" and self._peek(1) == "(":
            part = self._procsubst(ch)
            word = Word((part,), start, self.pos)
            return Token(_WORD, src[start : self.pos], start, self.pos, word=word)
        if ch == "(" and self._peek(1) == "(":
            arith = self._try_arith(start, start + 2)
            if arith is not None:
                word = Word((arith,), start, self.pos)
                return Token(_ARITH, arith.raw, start, self.pos, word=word)
        fd: int | None = None
        if ch in _DIGITS:
            j = self.pos
            while j < self.end and src[j] in _DIGITS and j - self.pos < 6:
                j += 1
            if j < self.end and src[j] in "<>":
                fd = int(src[self.pos : j])
                self.pos = j
                ch = src[j]
        if ch in _OP_FIRST:
            for op in _OPS_BY_FIRST[ch]:
                if src.startswith(op, self.pos) and self.pos + len(op) <= self.end:
                    self.pos += len(op)
                    if op in ("<<", "<<-"):
                        self._want_delim = op == "<<-"
                    return Token(_OP, op, start, self.pos, fd=fd)
        word = self._word()
        text = src[start : self.pos]
        tok = Token(_WORD, text, start, self.pos, word=word, bare=word.bare())
        if self._want_delim is not None:
            self._pending.append((len(self.tokens) - 1, word, self._want_delim))
            self._want_delim = None
        return tok

    # ------------------------------------------------------------------ here-documents

    def _read_heredocs(self) -> None:
        pending, self._pending = self._pending, []
        for index, delim_word, strip in pending:
            delim, quoted = _delimiter(delim_word)
            body_start = self.pos
            lines: list[str] = []
            body_end = self.pos
            while self.pos < self.end:
                nl = self.src.find("\n", self.pos, self.end)
                stop = self.end if nl < 0 else nl
                line = self.src[self.pos : stop]
                self.budget.tick(len(line) + 1, self.pos)
                check = line.lstrip("\t") if strip else line
                self.pos = stop if nl < 0 else nl + 1
                if check == delim:
                    break
                lines.append(check)
                body_end = self.pos
            body = "\n".join(lines) + ("\n" if lines else "")
            parts: tuple[WordPart, ...] = ()
            if not quoted and body:
                sub = Lexer(
                    self.src,
                    self.budget,
                    self.limits,
                    start=body_start,
                    end=body_end,
                    depth=self.depth,
                    nested=self.nested,
                )
                parts = tuple(sub._parts("heredoc"))
            doc = HereDoc(delim, body, quoted, strip, parts, (body_start, body_end))
            # The operator token precedes its delimiter word; attach the body to it.
            op_index = index
            if 0 <= op_index < len(self.tokens):
                old = self.tokens[op_index]
                self.tokens[op_index] = Token(
                    old.kind, old.text, old.start, old.end, old.word, old.fd, doc, old.bare
                )

    # ------------------------------------------------------------------ words

    def _word(self) -> Word:
        start = self.pos
        # Fast path: a run of plain characters ended by a metacharacter (most words).
        src = self.src
        stop = _WORD_STOP["word"]
        j = start
        end = self.end
        while j < end and src[j] not in stop:
            j += 1
        if (
            j > start
            and (j >= end or src[j] in _META)
            and not (src[j - 1] in _EXTGLOB and j < end and src[j] == "(")
            and not (j < end and src[j] == "(" and "=" in src[start:j])
        ):
            self.budget.tick(j - start, start)
            self.pos = j
            return Word((Lit(src[start:j]),), start, j)
        parts = self._parts("word")
        if not parts:
            raise self._err(f"unexpected character {self.src[self.pos]!r}")
        return Word(tuple(parts), start, self.pos)

    def _parts(self, mode: str) -> list[WordPart]:
        """Read word parts until the mode's terminator (left unconsumed)."""
        src = self.src
        stop = _WORD_STOP[mode]
        parts: list[WordPart] = []
        buf: list[str] = []
        word_start = self.pos

        def flush() -> None:
            if buf:
                parts.append(Lit("".join(buf), mode in ("dquote", "heredoc")))
                buf.clear()

        while self.pos < self.end:
            ch = src[self.pos]
            if ch not in stop:
                j = self.pos + 1
                while j < self.end and src[j] not in stop:
                    j += 1
                self.budget.tick(j - self.pos, self.pos)
                buf.append(src[self.pos : j])
                self.pos = j
                continue
            self.budget.tick(1, self.pos)
            if ch == "\\":
                nxt = self._peek(1)
                if nxt == "":
                    buf.append("\\")
                    self.pos += 1
                elif nxt == "\n":
                    self.pos += 2
                elif (mode == "dquote" and nxt not in '$`"\\') or (
                    mode == "heredoc" and nxt not in "$`\\"
                ):
                    buf.append("\\")
                    self.pos += 1
                else:
                    flush()
                    parts.append(Lit(nxt, True))
                    self.pos += 2
            elif ch == "'" and mode in ("word", "brace"):
                close = src.find("'", self.pos + 1, self.end)
                if close < 0:
                    raise self._err("unterminated single quote")
                flush()
                parts.append(Lit(src[self.pos + 1 : close], True))
                self.budget.tick(close - self.pos, self.pos)
                self.pos = close + 1
            elif ch == '"':
                if mode in ("dquote",):
                    break
                if mode == "heredoc":
                    buf.append(ch)
                    self.pos += 1
                    continue
                flush()
                self.pos += 1
                inner = self._parts("dquote")
                if self._peek() != '"':
                    raise self._err("unterminated double quote")
                self.pos += 1
                parts.append(DoubleQuoted(tuple(inner)))
            elif ch == "$":
                part = self._dollar(mode)
                if part is None:
                    buf.append("$")
                else:
                    flush()
                    parts.append(part)
            elif ch == "`":
                flush()
                parts.append(self._backtick())
            elif ch == "}" and mode == "brace":
                break
            elif ch == "(" and mode == "word":
                prefix = "".join(buf) if len(parts) == 0 else None
                if buf and buf[-1] and buf[-1][-1] in _EXTGLOB:
                    buf.append(self._balanced_raw())
                elif prefix is not None and _is_assign_prefix(prefix) and self.pos > word_start:
                    flush()
                    lexed, end = self._sub(self.pos + 1, paren=True)
                    raw = src[self.pos : end + 1]
                    self.pos = end + 1
                    parts.append(ArrayLit(lexed, raw))
                else:
                    break
            else:
                break
        flush()
        return parts

    def _balanced_raw(self) -> str:
        """An extglob group `(...)` kept literally (it only matters as a glob)."""
        start = self.pos
        depth = 0
        while self.pos < self.end:
            self.budget.tick(1, self.pos)
            ch = self.src[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            self.pos += 1
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return self.src[start : self.pos]
        raise ShellSyntaxError("unterminated pattern group", start)

    def _dollar(self, mode: str) -> WordPart | None:
        src = self.src
        start = self.pos
        nxt = self._peek(1)
        if nxt == "'" and mode in ("word", "brace"):
            close = start + 2
            while close < self.end and src[close] != "'":
                close += 2 if src[close] == "\\" else 1
            if close >= self.end:
                raise self._err("unterminated $'...' quote")
            self.budget.tick(close - start, start)
            raw = src[start + 2 : close]
            value, hidden = decode_ansi_c(raw)
            self.pos = close + 1
            return AnsiC(value, raw, hidden)
        if nxt == '"' and mode in ("word", "brace"):
            self.pos += 2
            inner = self._parts("dquote")
            if self._peek() != '"':
                raise self._err("unterminated double quote")
            self.pos += 1
            return DoubleQuoted(tuple(inner))
        if nxt == "(":
            if self._peek(2) == "(":
                arith = self._try_arith(start, start + 3)
                if arith is not None:
                    return arith
            lexed, end = self._sub(start + 2, paren=True)
            self.pos = end + 1
            return CmdSubst(lexed, src[start : self.pos], False, self._parse_nested(lexed))
        if nxt == "{":
            return self._braced(start)
        if nxt in _NAME_START:
            j = start + 1
            while j < self.end and src[j] in _NAME_CHARS:
                j += 1
            self.pos = j
            return Param(src[start + 1 : j], "", None, src[start:j])
        if nxt in _DIGITS or nxt in _SPECIAL_PARAMS:
            self.pos = start + 2
            return Param(nxt, "", None, src[start : self.pos])
        self.pos += 1
        return None

    def _braced(self, start: int) -> Param:
        src = self.src
        self.pos = start + 2
        length = indirect = False
        if self._peek() == "#" and self._peek(1) not in ("}", ""):
            length = True
            self.pos += 1
        elif self._peek() == "!" and self._peek(1) not in ("}", ""):
            indirect = True
            self.pos += 1
        name_start = self.pos
        ch = self._peek()
        if ch in _NAME_START:
            while self.pos < self.end and src[self.pos] in _NAME_CHARS:
                self.pos += 1
        elif ch in _DIGITS:
            while self.pos < self.end and src[self.pos] in _DIGITS:
                self.pos += 1
        elif ch in _SPECIAL_PARAMS and ch != "":
            self.pos += 1
        else:
            raise self._err("bad substitution")
        name = src[name_start : self.pos]
        if self._peek() == "[":
            close = src.find("]", self.pos, self.end)
            if close < 0:
                raise self._err("unterminated subscript")
            name += src[self.pos : close + 1]
            self.pos = close + 1
        self.budget.tick(self.pos - start, start)
        op = ""
        arg: Word | None = None
        if self._peek() != "}":
            for cand in _PARAM_OPS + _PARAM_OPS2:
                if src.startswith(cand, self.pos):
                    op = cand
                    break
            if not op:
                raise self._err("bad substitution")
            self.pos += len(op)
            arg_start = self.pos
            arg_parts = self._parts("brace")
            arg = Word(tuple(arg_parts), arg_start, self.pos)
        if self._peek() != "}":
            raise self._err("unterminated ${...}")
        self.pos += 1
        return Param(name, op, arg, src[start : self.pos], length, indirect)

    def _try_arith(self, open_at: int, body_start: int) -> Arith | None:
        """Scan `((...))` from `body_start`; None when it is really nested parentheses."""
        src = self.src
        saved = self.pos
        i = body_start
        depth = 0
        substs: list[CmdSubst] = []
        while i < self.end:
            self.budget.tick(1, i)
            ch = src[i]
            if ch == "\\":
                i += 2
            elif ch == "$" and i + 1 < self.end and src[i + 1] == "(" and src[i + 2 : i + 3] != "(":
                lexed, end = self._sub(i + 2, paren=True)
                substs.append(CmdSubst(lexed, src[i : end + 1], False, self._parse_nested(lexed)))
                i = end + 1
            elif ch == "(":
                depth += 1
                i += 1
            elif ch == ")":
                if depth == 0:
                    if i + 1 < self.end and src[i + 1] == ")":
                        self.pos = i + 2
                        return Arith(src[open_at : self.pos], tuple(substs))
                    self.pos = saved
                    return None
                depth -= 1
                i += 1
            else:
                i += 1
        self.pos = saved
        return None

    def _backtick(self) -> CmdSubst:
        src = self.src
        start = self.pos
        i = start + 1
        inner: list[str] = []
        while True:
            if i >= self.end:
                raise ShellSyntaxError("unterminated backquote", start)
            ch = src[i]
            if ch == "\\" and i + 1 < self.end:
                nxt = src[i + 1]
                inner.append(nxt if nxt in "$`\\" else "\\" + nxt)
                i += 2
                continue
            if ch == "`":
                break
            inner.append(ch)
            i += 1
        self.budget.tick(i - start, start)
        self.pos = i + 1
        text = "".join(inner)
        sub = Lexer(text, self.budget, self.limits, depth=self.depth + 1, nested=self.nested)
        lexed = sub.run()
        return CmdSubst(lexed, src[start : self.pos], True, self._parse_nested(lexed))

    def _procsubst(self, direction: str) -> ProcSubst:
        start = self.pos
        lexed, end = self._sub(start + 2, paren=True)
        self.pos = end + 1
        script = self._parse_nested(lexed)
        return ProcSubst(direction, lexed, self.src[start : self.pos], script)


def _is_assign_prefix(text: str) -> bool:
    if text.endswith("+="):
        name = text[:-2]
    elif text.endswith("="):
        name = text[:-1]
    else:
        return False
    return is_name(name)


def is_name(text: str) -> bool:
    """Whether `text` is a valid shell variable name."""
    return bool(text) and text[0] in _NAME_START and all(c in _NAME_CHARS for c in text)


def _delimiter(word: Word) -> tuple[str, bool]:
    out: list[str] = []
    quoted = False
    for part in word.parts:
        if isinstance(part, Lit):
            out.append(part.text)
            quoted = quoted or part.quoted
        elif isinstance(part, DoubleQuoted):
            quoted = True
            for inner in part.parts:
                out.append(inner.text if isinstance(inner, Lit) else "")
        elif isinstance(part, AnsiC):
            quoted = True
            out.append(part.value)
        elif isinstance(part, Param):
            out.append(part.raw)
        else:
            out.append("")
    return "".join(out), quoted


def is_redirect_op(text: str) -> bool:
    """Whether an operator token is a redirection."""
    return text in _REDIRECT_OPS


def tokenize(text: str, limits: ShellLimits | None = None) -> Lexed:
    """Tokenize `text` without parsing substitutions (they keep their tokens only).

    Raises `ShellSyntaxError` (or `ShellLimitError`) on malformed or oversized input.
    """
    if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ShellArgumentError(f"text must be str, not {type(text).__name__}")
    lim = limits or ShellLimits()
    if len(text) > lim.max_input:
        raise ShellLimitError("input too large", lim.max_input)
    return Lexer(text, Budget(lim.max_steps), lim).run()
