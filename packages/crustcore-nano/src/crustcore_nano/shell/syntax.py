"""The syntax tree of the shell subset CrustCore understands.

Words keep their quoting structure (which parts were quoted, which were substitutions) because
that structure decides what the analyser may resolve: a quoted `*` is a literal, an unquoted one
is a glob; an unknown `$X` must stay visible as unknown rather than vanish. Offsets are character
offsets into `source` of the enclosing `Lexed`/`Script` (the text that was actually parsed; for
backticks and `sh -c` strings that is the inner text).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

RESERVED_WORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for"}
    | {"in", "{", "}", "!", "function", "select", "[["}
)
"""Words the parser treats specially when they start a command."""


class TokenKind(enum.Enum):
    """Kinds of lexer tokens."""

    WORD = "word"
    OP = "op"
    NEWLINE = "newline"
    ARITH = "arith"
    EOF = "eof"


@dataclass(frozen=True, slots=True)
class Lit:
    """Literal text; `quoted` when it came from quotes or a backslash (no glob, split or tilde)."""

    text: str
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class AnsiC:
    """`$'...'`: `value` is decoded; `hidden` is true when hex/octal/unicode escapes were used."""

    value: str
    raw: str
    hidden: bool


@dataclass(frozen=True, slots=True)
class DoubleQuoted:
    """`"..."`: its parts are expanded but never split or globbed."""

    parts: tuple[WordPart, ...]


@dataclass(frozen=True, slots=True)
class Param:
    """`$NAME`, `${NAME}`, `${NAME:-word}` and friends; `op` is the operator text or ''."""

    name: str
    op: str
    arg: Word | None
    raw: str
    length: bool = False
    indirect: bool = False


@dataclass(frozen=True, slots=True)
class CmdSubst:
    """`$(...)` or backticks; `script` is filled in by the parser (None from the bare lexer)."""

    body: Lexed
    raw: str
    backtick: bool
    script: Script | None = None


@dataclass(frozen=True, slots=True)
class Arith:
    """`$((...))`; the value is never resolved, but substitutions inside are analysed."""

    raw: str
    substs: tuple[CmdSubst, ...]


@dataclass(frozen=True, slots=True)
class ProcSubst:
    """`<(...)` or `>(...)`."""

    direction: str
    body: Lexed
    raw: str
    script: Script | None = None


@dataclass(frozen=True, slots=True)
class ArrayLit:
    """The `(...)` of `name=(a b c)`; its words are analysed, its value is never resolved."""

    body: Lexed
    raw: str


WordPart = Lit | AnsiC | DoubleQuoted | Param | CmdSubst | Arith | ProcSubst | ArrayLit


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word as written: a sequence of parts and its span."""

    parts: tuple[WordPart, ...]
    start: int
    end: int

    def literal(self) -> str | None:
        """The word's text if it is made only of literal parts (quoted or not), else None."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Lit):
                out.append(part.text)
            elif isinstance(part, AnsiC):
                out.append(part.value)
            elif isinstance(part, DoubleQuoted):
                for inner in part.parts:
                    if not isinstance(inner, Lit):
                        return None
                    out.append(inner.text)
            else:
                return None
        return "".join(out)

    def bare(self) -> str | None:
        """The text if the word is one unquoted literal (how reserved words are recognised)."""
        if len(self.parts) == 1:
            part = self.parts[0]
            if isinstance(part, Lit) and not part.quoted:
                return part.text
        return None


@dataclass(frozen=True, slots=True)
class HereDoc:
    """A here-document body; `parts` holds its expansions when the delimiter was unquoted."""

    delimiter: str
    body: str
    quoted: bool
    strip_tabs: bool
    parts: tuple[WordPart, ...]
    span: tuple[int, int] = (-1, -1)
    """Where the body lies in the source (from its first line to the end of its last line,
    the delimiter line excluded); (-1, -1) when there is no body."""


@dataclass(frozen=True, slots=True)
class Token:
    """One lexer token. `fd` is the IO number of a redirection operator (`2>`), if written."""

    kind: TokenKind
    text: str
    start: int
    end: int
    word: Word | None = None
    fd: int | None = None
    heredoc: HereDoc | None = None
    bare: str | None = None
    """For a word that is one unquoted literal, its text (how reserved words are recognised)."""


@dataclass(frozen=True, slots=True)
class Lexed:
    """The tokens of one source text (a whole command, a substitution or a backtick body)."""

    tokens: tuple[Token, ...]
    source: str
    depth: int


# ----------------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class Assignment:
    """`NAME=value` or `NAME+=value` before a command (or alone)."""

    name: str
    value: Word
    append: bool


@dataclass(frozen=True, slots=True)
class Redirect:
    """A redirection: `op` is the operator without its IO number, `fd` the number if written."""

    op: str
    fd: int | None
    target: Word | None
    heredoc: HereDoc | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    """Assignments, words and redirections, in source order within each kind."""

    assignments: tuple[Assignment, ...]
    words: tuple[Word, ...]
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Subshell:
    """`( list )`."""

    body: Sequence
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BraceGroup:
    """`{ list; }`."""

    body: Sequence
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class IfClause:
    """`if c; then b; elif c; then b; else b; fi`."""

    branches: tuple[tuple[Sequence, Sequence], ...]
    else_body: Sequence | None
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LoopClause:
    """`while`/`until` loops."""

    until: bool
    condition: Sequence
    body: Sequence
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ForClause:
    """`for NAME in words; do ...; done` (`items` None: over "$@"), also `select`, and
    `for ((...))` (then `arith` holds the header)."""

    var: str
    items: tuple[Word, ...] | None
    body: Sequence
    arith: str | None
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One `pattern | pattern) body ;;` arm."""

    patterns: tuple[Word, ...]
    body: Sequence


@dataclass(frozen=True, slots=True)
class CaseClause:
    """`case WORD in ... esac`."""

    word: Word
    items: tuple[CaseItem, ...]
    redirects: tuple[Redirect, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """`name() body` or `function name body`."""

    name: str
    body: Command
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArithCommand:
    """`(( expr ))`."""

    raw: str
    substs: tuple[CmdSubst, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CondCommand:
    """`[[ ... ]]`: operators inside are plain words here."""

    words: tuple[Word, ...]
    redirects: tuple[Redirect, ...]
    start: int
    end: int


Command = (
    SimpleCommand
    | Subshell
    | BraceGroup
    | IfClause
    | LoopClause
    | ForClause
    | CaseClause
    | FunctionDef
    | ArithCommand
    | CondCommand
)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """`[!] cmd | cmd |& cmd`."""

    commands: tuple[Command, ...]
    negated: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class AndOr:
    """`pipeline && pipeline || pipeline`; `ops[i]` joins `pipelines[i]` and `pipelines[i+1]`."""

    pipelines: tuple[Pipeline, ...]
    ops: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ListItem:
    """One entry of a command list, run in the background when followed by `&`."""

    and_or: AndOr
    background: bool


@dataclass(frozen=True, slots=True)
class Sequence:
    """A list of and-or lists separated by `;`, `&` or newlines."""

    items: tuple[ListItem, ...]


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed source text."""

    body: Sequence
    source: str
