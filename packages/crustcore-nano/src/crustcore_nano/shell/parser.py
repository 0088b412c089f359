"""Recursive-descent parser from tokens to the syntax tree.

The grammar is the POSIX shell grammar plus the bash forms agents write (`[[ ]]`, `(( ))`,
`function`, `|&`, `&>`). Nesting is bounded by `ShellLimits.max_depth`; every token consumed pays
into the shared budget, so parsing is linear in the input.
"""

from __future__ import annotations

from crustcore_nano.shell.errors import ShellArgumentError, ShellLimitError, ShellSyntaxError
from crustcore_nano.shell.fastparse import assignment_of, parse_plain
from crustcore_nano.shell.lexer import Lexer, is_name, is_redirect_op
from crustcore_nano.shell.limits import Budget, ShellLimits
from crustcore_nano.shell.syntax import (
    RESERVED_WORDS,
    AndOr,
    Arith,
    ArithCommand,
    Assignment,
    BraceGroup,
    CaseClause,
    CaseItem,
    Command,
    CondCommand,
    ForClause,
    FunctionDef,
    HereDoc,
    IfClause,
    Lexed,
    ListItem,
    Lit,
    LoopClause,
    Pipeline,
    Redirect,
    Script,
    Sequence,
    SimpleCommand,
    Subshell,
    Token,
    TokenKind,
    Word,
)

# TokenKind members, bound once: on Python 3.11 each `TokenKind.X` look-up costs a descriptor call.
_ARITH = TokenKind.ARITH
_EOF = TokenKind.EOF
_NEWLINE = TokenKind.NEWLINE
_OP = TokenKind.OP
_WORD = TokenKind.WORD

_RESERVED = RESERVED_WORDS
_LIST_END_OPS = frozenset({")", ";;", ";&", ";;&"})

# Stop-word sets of the compound commands, built once.
_STOP_NONE: frozenset[str] = frozenset()
_STOP_BRACE: frozenset[str] = frozenset({"}"})
_STOP_THEN: frozenset[str] = frozenset({"then"})
_STOP_IF_BODY: frozenset[str] = frozenset({"elif", "else", "fi"})
_STOP_FI: frozenset[str] = frozenset({"fi"})
_STOP_DONE: frozenset[str] = frozenset({"done"})
_STOP_DO: frozenset[str] = frozenset({"do"})
_STOP_ESAC: frozenset[str] = frozenset({"esac"})


class Parser:
    """Parses one `Lexed` token stream."""

    def __init__(self, lexed: Lexed, budget: Budget, limits: ShellLimits) -> None:
        self.toks = lexed.tokens
        self.source = lexed.source
        self.i = 0
        self.budget = budget
        self.limits = limits
        self.nesting = 0

    # ------------------------------------------------------------------ token helpers

    def _advance(self) -> Token:
        tok = self.toks[self.i]
        self.budget.tick(1, tok.start)
        if tok.kind is not _EOF:
            self.i += 1
        return tok

    def _err(self, message: str) -> ShellSyntaxError:
        return ShellSyntaxError(message, self.toks[self.i].start)

    def _is_op(self, *ops: str) -> bool:
        tok = self.toks[self.i]
        return tok.kind is _OP and tok.text in ops

    def _bare(self) -> str | None:
        return self.toks[self.i].bare

    def _skip_newlines(self) -> None:
        while self.toks[self.i].kind is _NEWLINE:
            self._advance()

    def _expect_word(self, text: str) -> Token:
        self._skip_newlines()
        if self._bare() != text:
            raise self._err(f"expected {text!r}")
        return self._advance()

    def _enter(self) -> None:
        self.nesting += 1
        if self.nesting > self.limits.max_depth:
            raise ShellLimitError("commands nested too deeply", self.toks[self.i].start)

    # ------------------------------------------------------------------ lists

    def parse_script(self) -> Script:
        body = self._list(_STOP_NONE)
        if self.toks[self.i].kind is not _EOF:
            raise self._err(f"unexpected {self.toks[self.i].text!r}")
        return Script(body, self.source)

    def _body(self, stop_words: frozenset[str]) -> Sequence:
        """A compound command's list, which the shell grammar requires to be non-empty."""
        body = self._list(stop_words)
        if not body.items:
            raise self._err("empty command list")
        return body

    def _list(self, stop_words: frozenset[str]) -> Sequence:
        items: list[ListItem] = []
        while True:
            self._skip_newlines()
            tok = self.toks[self.i]
            if tok.kind is _EOF:
                break
            if tok.kind is _OP and tok.text in _LIST_END_OPS:
                break
            if self._bare() in stop_words:
                break
            and_or = self._and_or()
            background = False
            if self._is_op("&"):
                self._advance()
                background = True
            elif self._is_op(";") or self.toks[self.i].kind is _NEWLINE:
                self._advance()
            items.append(ListItem(and_or, background))
            tok = self.toks[self.i]
            if tok.kind is _WORD and self._bare() not in stop_words and items:
                prev = self.toks[self.i - 1]
                if prev.kind is _WORD or (prev.kind is _OP and prev.text == ")"):
                    raise self._err(f"unexpected word {tok.text!r}")
        return Sequence(tuple(items))

    def _and_or(self) -> AndOr:
        start = self.toks[self.i].start
        pipelines = [self._pipeline()]
        ops: list[str] = []
        while self._is_op("&&", "||"):
            ops.append(self._advance().text)
            self._skip_newlines()
            pipelines.append(self._pipeline())
        return AndOr(tuple(pipelines), tuple(ops), start, self.toks[self.i - 1].end)

    def _pipeline(self) -> Pipeline:
        start = self.toks[self.i].start
        negated = False
        while self._bare() == "!":
            self._advance()
            negated = not negated
        commands = [self._command()]
        while self._is_op("|", "|&"):
            self._advance()
            self._skip_newlines()
            commands.append(self._command())
        return Pipeline(tuple(commands), negated, start, self.toks[self.i - 1].end)

    # ------------------------------------------------------------------ commands

    def _command(self) -> Command:
        tok = self.toks[self.i]
        if tok.kind is _OP and tok.text == "(":
            return self._subshell()
        if tok.kind is _ARITH and tok.word is not None:
            self._advance()
            arith = tok.word.parts[0]
            substs = arith.substs if isinstance(arith, Arith) else ()
            return ArithCommand(tok.text, substs, tok.start, tok.end)
        bare = self._bare()
        if bare is not None:
            if bare == "{":
                return self._brace_group()
            if bare == "if":
                return self._if()
            if bare in ("while", "until"):
                return self._loop(bare == "until")
            if bare in ("for", "select"):
                return self._for()
            if bare == "case":
                return self._case()
            if bare == "function":
                return self._function_keyword()
            if bare == "[[":
                return self._test()
            if bare in _RESERVED and bare not in ("!", "in"):
                raise self._err(f"unexpected reserved word {bare!r}")
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            if (
                nxt is not None
                and nxt.kind is _OP
                and nxt.text == "("
                and self.i + 2 < len(self.toks)
                and self.toks[self.i + 2].kind is _OP
                and self.toks[self.i + 2].text == ")"
            ):
                return self._function(bare, tok.start, 3)
        if tok.kind is _WORD or (tok.kind is _OP and is_redirect_op(tok.text)):
            return self._simple()
        raise self._err(f"unexpected {tok.text or 'end of input'!r}")

    def _redirects(self) -> tuple[Redirect, ...]:
        out: list[Redirect] = []
        while self.toks[self.i].kind is _OP and is_redirect_op(self.toks[self.i].text):
            out.append(self._redirect())
        return tuple(out)

    def _redirect(self) -> Redirect:
        op_tok = self._advance()
        target_tok = self.toks[self.i]
        if target_tok.kind is not _WORD or target_tok.word is None:
            raise self._err(f"missing target after {op_tok.text!r}")
        self._advance()
        heredoc: HereDoc | None = op_tok.heredoc
        if op_tok.text in ("<<", "<<-") and heredoc is None:
            heredoc = HereDoc(target_tok.text, "", True, op_tok.text == "<<-", ())
        return Redirect(
            op_tok.text, op_tok.fd, target_tok.word, heredoc, op_tok.start, target_tok.end
        )

    def _simple(self) -> SimpleCommand:
        start = self.toks[self.i].start
        assignments: list[Assignment] = []
        words: list[Word] = []
        redirects: list[Redirect] = []
        while True:
            tok = self.toks[self.i]
            if tok.kind is _OP and is_redirect_op(tok.text):
                redirects.append(self._redirect())
                continue
            if tok.kind is not _WORD or tok.word is None:
                break
            self._advance()
            assignment = None if words else assignment_of(tok.word)
            if assignment is not None:
                assignments.append(assignment)
            else:
                words.append(tok.word)
        end = self.toks[self.i - 1].end
        return SimpleCommand(tuple(assignments), tuple(words), tuple(redirects), start, end)

    def _subshell(self) -> Subshell:
        start = self._advance().start
        self._enter()
        body = self._body(_STOP_NONE)
        if not self._is_op(")"):
            raise self._err("expected ')'")
        self._advance()
        self.nesting -= 1
        redirects = self._redirects()
        return Subshell(body, redirects, start, self.toks[self.i - 1].end)

    def _brace_group(self) -> BraceGroup:
        start = self._advance().start
        self._enter()
        body = self._body(_STOP_BRACE)
        self._expect_word("}")
        self.nesting -= 1
        redirects = self._redirects()
        return BraceGroup(body, redirects, start, self.toks[self.i - 1].end)

    def _if(self) -> IfClause:
        start = self._advance().start
        self._enter()
        branches: list[tuple[Sequence, Sequence]] = []
        else_body: Sequence | None = None
        while True:
            cond = self._body(_STOP_THEN)
            self._expect_word("then")
            body = self._body(_STOP_IF_BODY)
            branches.append((cond, body))
            word = self._bare()
            self._advance()
            if word == "elif":
                continue
            if word == "else":
                else_body = self._body(_STOP_FI)
                self._expect_word("fi")
                break
            if word == "fi":
                break
            raise self._err("expected 'fi'")
        self.nesting -= 1
        redirects = self._redirects()
        return IfClause(tuple(branches), else_body, redirects, start, self.toks[self.i - 1].end)

    def _do_group(self) -> Sequence:
        self._expect_word("do")
        body = self._body(_STOP_DONE)
        self._expect_word("done")
        return body

    def _loop(self, until: bool) -> LoopClause:
        start = self._advance().start
        self._enter()
        cond = self._body(_STOP_DO)
        body = self._do_group()
        self.nesting -= 1
        redirects = self._redirects()
        return LoopClause(until, cond, body, redirects, start, self.toks[self.i - 1].end)

    def _for(self) -> ForClause:
        start = self._advance().start
        self._enter()
        tok = self.toks[self.i]
        arith: str | None = None
        var = ""
        items: tuple[Word, ...] | None = None
        if tok.kind is _ARITH:
            arith = tok.text
            self._advance()
        else:
            name = self._bare()
            if name is None or not is_name(name):
                raise self._err("expected a loop variable")
            var = name
            self._advance()
            self._skip_newlines()
            if self._bare() == "in":
                self._advance()
                words: list[Word] = []
                while self.toks[self.i].kind is _WORD and self.toks[self.i].word is not None:
                    word = self._advance().word
                    assert word is not None
                    words.append(word)
                items = tuple(words)
        if self._is_op(";"):
            self._advance()
        body = self._do_group() if self._bare_after_newlines() != "{" else self._brace_body()
        self.nesting -= 1
        redirects = self._redirects()
        return ForClause(var, items, body, arith, redirects, start, self.toks[self.i - 1].end)

    def _bare_after_newlines(self) -> str | None:
        self._skip_newlines()
        return self._bare()

    def _brace_body(self) -> Sequence:
        self._advance()
        body = self._body(_STOP_BRACE)
        self._expect_word("}")
        return body

    def _case(self) -> CaseClause:
        start = self._advance().start
        self._enter()
        tok = self.toks[self.i]
        if tok.kind is not _WORD or tok.word is None:
            raise self._err("expected a word after 'case'")
        word = tok.word
        self._advance()
        self._expect_word("in")
        items: list[CaseItem] = []
        while True:
            self._skip_newlines()
            if self._bare() == "esac":
                self._advance()
                break
            if self._is_op("("):
                self._advance()
            patterns: list[Word] = []
            while True:
                ptok = self.toks[self.i]
                if ptok.kind is not _WORD or ptok.word is None:
                    raise self._err("expected a case pattern")
                patterns.append(ptok.word)
                self._advance()
                if self._is_op("|"):
                    self._advance()
                    continue
                break
            if not self._is_op(")"):
                raise self._err("expected ')' after a case pattern")
            self._advance()
            body = self._list(_STOP_ESAC)
            items.append(CaseItem(tuple(patterns), body))
            if self._is_op(";;", ";&", ";;&"):
                self._advance()
            elif self._bare_after_newlines() != "esac":
                raise self._err("expected ';;' or 'esac'")
        self.nesting -= 1
        redirects = self._redirects()
        return CaseClause(word, tuple(items), redirects, start, self.toks[self.i - 1].end)

    def _function_keyword(self) -> FunctionDef:
        start = self._advance().start
        tok = self.toks[self.i]
        if tok.kind is not _WORD or tok.word is None:
            raise self._err("expected a function name")
        name = tok.word.literal() or tok.text
        skip = 1
        if (
            self.i + 2 < len(self.toks)
            and self.toks[self.i + 1].kind is _OP
            and self.toks[self.i + 1].text == "("
            and self.toks[self.i + 2].kind is _OP
            and self.toks[self.i + 2].text == ")"
        ):
            skip = 3
        return self._function(name, start, skip)

    def _function(self, name: str, start: int, skip: int) -> FunctionDef:
        for _ in range(skip):
            self._advance()
        self._skip_newlines()
        self._enter()
        body = self._command()
        if isinstance(body, SimpleCommand):
            raise self._err("a function body must be a compound command")
        self.nesting -= 1
        return FunctionDef(name, body, start, self.toks[self.i - 1].end)

    def _test(self) -> CondCommand:
        start = self._advance().start
        words: list[Word] = []
        while True:
            tok = self.toks[self.i]
            if tok.kind is _EOF:
                raise self._err("unterminated '[['")
            self._advance()
            if tok.kind is _WORD and tok.word is not None:
                if tok.word.bare() == "]]":
                    break
                words.append(tok.word)
            elif tok.kind is _OP:
                words.append(Word((Lit(tok.text, True),), tok.start, tok.end))
            elif tok.kind is _NEWLINE:
                continue
            else:
                words.append(Word((Lit(tok.text, True),), tok.start, tok.end))
        redirects = self._redirects()
        return CondCommand(tuple(words), redirects, start, self.toks[self.i - 1].end)


def parse_with(
    text: str, budget: Budget, limits: ShellLimits, depth: int = 0, *, plain: bool = True
) -> Script:
    """Lex and parse `text` with a shared budget; nested substitutions are parsed too.

    A plain line (see `fastparse`) takes the shortcut to the same tree unless `plain=False`
    (the tests compare the two).
    """
    if len(text) > limits.max_input:
        raise ShellLimitError("input too large", limits.max_input)
    if plain and depth == 0:
        script = parse_plain(text, budget, limits)
        if script is not None:
            return script

    def nested(lexed: Lexed) -> Script:
        return Parser(lexed, budget, limits).parse_script()

    lexed = Lexer(text, budget, limits, depth=depth, nested=nested).run()
    return Parser(lexed, budget, limits).parse_script()


def parse(command: str, limits: ShellLimits | None = None) -> Script:
    """Parse `command` into a `Script`.

    Raises `ShellSyntaxError` for text that is not valid shell, `ShellLimitError` (a subclass)
    when a bound is hit, and `ShellArgumentError` when `command` is not a `str`.
    """
    _require_str(command)
    lim = limits or ShellLimits()
    return parse_with(command, Budget(lim.max_steps), lim)


def _require_str(command: object) -> None:
    if not isinstance(command, str):
        raise ShellArgumentError(f"command must be str, not {type(command).__name__}")
