"""A shortcut for the command lines agents send most: plain words joined by `|`, `&&`, `||`, `;`.

`git status --short src`, `grep -rn 'TODO' src | head -20`, `cd src && make`: words of plain
characters and quotes, no expansions, no redirections, no compound commands. For such a line the
general lexer and parser spend most of their time creating tokens the tree never keeps. This
module recognises the plain subset with `str.split` and a few precompiled regular expressions
whose quantifiers are all possessive (they never backtrack, so matching stays linear), and either
builds the very same `Script` the general parser would build (`parse_plain`, for `parse`) or hands
the analyser the words directly (`scan_plain`, for `analyze`), charging the budget the very same
number of steps either way.

Anything outside the subset - an unquoted `$`, backquote, backslash, parenthesis or redirection,
a double-quoted `$`, a reserved word in command position, a comment, an unquoted newline, an
operator in the wrong place, a budget that would run out - makes both return None before
charging anything, and the caller takes the general path, so every error message and every limit
behaves exactly as before. `test_shell_fastparse.py` checks tree, result and step count against
the general path.
"""

from __future__ import annotations

import re

from crustcore_nano.shell.lexer import is_name
from crustcore_nano.shell.limits import Budget, ShellLimits
from crustcore_nano.shell.syntax import (
    RESERVED_WORDS,
    AndOr,
    Assignment,
    DoubleQuoted,
    ListItem,
    Lit,
    Pipeline,
    Script,
    Sequence,
    SimpleCommand,
    Word,
    WordPart,
)

# One token after optional blanks: a word (runs of plain characters, '...' holding anything but a
# quote, "..." without `$`, backquote or backslash) or one of the four list/pipeline operators.
# Every quantifier is possessive and the alternatives start with disjoint characters, so matching
# never backtracks.
_TOKEN = re.compile(
    r"[ \t]*+(?:"
    r"((?:[^ \t\n;&|<>()\\'\"$`]++|'[^']*+'|\"[^\"\\$`]*+\")++)"
    r"|(\|\||&&|\||;))"
)
_QUOTED_PART = re.compile(r"([^'\"]++)|'([^']*+)'|\"([^\"]*+)\"")
_TRAILING_BLANKS = re.compile(r"[ \t]*+")
_QUOTES = frozenset("'\"")
_QUOTED_WORD = re.compile(r"(?:[^'\"]++|'[^']*+'|\"[^\"]*+\")++")
_NOT_PLAIN = re.compile(r"[\n\\$`<>()]")
"""Characters only the general lexer handles (newlines, escapes, expansions, redirections) -
unless they are quoted."""
_OP_CHARS = frozenset(";&|")
_OP_SPLIT = re.compile(r"[;&|]++|[^;&|]++")
_PLAIN_OPS = frozenset({"|", "||", "&&", ";"})
# Characters that follow an operator and would make the general lexer read a longer operator
# (`;;`, `;&`, `|&`) or a token this module does not handle.
_OP_FOLLOW_BAD = frozenset(";&")
_RESERVED = RESERVED_WORDS
"""In command position these go to the general parser (compound commands, `!`, errors)."""

PlainWord = tuple[int, int, str, Word | None]
"""A word of a plain line: start, end, its text and, when it holds quotes, its `Word`. A word
without quotes is one unquoted literal, so its `Word` is only built when a tree is wanted."""
PlainCommand = tuple[list[PlainWord], int, int]
"""The words of one simple command (at least one) and its span."""
PlainPipeline = tuple[list[PlainCommand], int, int]
PlainAndOr = tuple[list[PlainPipeline], list[str], int, int]
"""Pipelines joined by the `&&`/`||` operators in the list, and the span."""
PlainLine = list[PlainAndOr]
_Tok = PlainWord | str
"""A token: a word, or the text of an operator (operators need no span: lists and pipelines
begin and end with words)."""


def _word(text: str, start: int, end: int) -> Word:
    """The word `text` (which contains a quote) as the general lexer splits it."""
    parts: list[WordPart] = []
    run: list[str] = []
    for m in _QUOTED_PART.finditer(text):
        plain, single, double = m.group(1, 2, 3)
        if plain is not None:
            run.append(plain)
            continue
        if run:
            parts.append(Lit("".join(run)))
            run = []
        if single is not None:
            parts.append(Lit(single, True))
        else:
            assert double is not None
            parts.append(DoubleQuoted((Lit(double, True),) if double else ()))
    if run:
        parts.append(Lit("".join(run)))
    return Word(tuple(parts), start, end)


def _tokens(text: str) -> tuple[list[_Tok], int] | None:
    """The tokens of a plain line and the lexer's step count for it, or None if not plain."""
    if "\t" in text or _NOT_PLAIN.search(text) is not None:
        # Blanks other than spaces, or characters that are plain only inside quotes
        # (`awk '{print $1}'`): the token regex tells which, one token at a time.
        return _tokens_re(text)
    has_ops = not _OP_CHARS.isdisjoint(text)
    has_quotes = "'" in text or '"' in text
    toks: list[_Tok] = []
    quoted_words = 0
    quoted_end = -1
    op_chars = 0
    pos = 0
    for chunk in text.split(" "):
        if chunk:
            end = pos + len(chunk)
            if chunk in _PLAIN_OPS:
                toks.append(chunk)
                op_chars += len(chunk)
            elif has_ops and not _OP_CHARS.isdisjoint(chunk):
                if has_quotes and not _QUOTES.isdisjoint(chunk):
                    return _tokens_re(text)
                for m in _OP_SPLIT.finditer(chunk):
                    piece = m.group()
                    start = pos + m.start()
                    stop = start + len(piece)
                    if piece[0] in _OP_CHARS:
                        if piece not in _PLAIN_OPS:
                            return None
                        toks.append(piece)
                        op_chars += len(piece)
                    elif piece[0] == "#":
                        return None
                    else:
                        toks.append((start, stop, piece, None))
            elif chunk[0] == "#":
                return None
            elif has_quotes and not _QUOTES.isdisjoint(chunk):
                if (
                    chunk[0] == "'"
                    and chunk[-1] == "'"
                    and len(chunk) > 1
                    and chunk.count("'") == 2
                    and '"' not in chunk
                ):
                    # One single-quoted part, the commonest quoted word (`'TODO'`).
                    word = Word((Lit(chunk[1:-1], True),), pos, end)
                elif _QUOTED_WORD.fullmatch(chunk) is None:
                    return _tokens_re(text)
                else:
                    word = _word(chunk, pos, end)
                toks.append((pos, end, chunk, word))
                quoted_words += 1
                quoted_end = end
            else:
                toks.append((pos, end, chunk, None))
            pos = end + 1
        else:
            pos += 1
    if quoted_end == len(text):
        quoted_words -= 1  # nothing follows it, so no metacharacter to pay for
    # One step per token and one for the end (the lexer's `_next`), one per blank skipped and
    # per word character, and one for the metacharacter that ends each quoted word.
    return toks, len(toks) + 1 + len(text) - op_chars + quoted_words


def _tokens_re(text: str) -> tuple[list[_Tok], int] | None:
    """`_tokens` for lines with tabs, quoted blanks or quoted specials: one match per token."""
    toks: list[_Tok] = []
    steps = 0
    pos = 0
    n = len(text)
    match = _TOKEN.match
    while True:
        m = match(text, pos)
        if m is None:
            break
        word = m.group(1)
        if word is not None:
            start, end = m.span(1)
            if word[0] == "#":
                return None
            if _QUOTES.isdisjoint(word):
                toks.append((start, end, word, None))
                steps += end - start
            else:
                toks.append((start, end, word, _word(word, start, end)))
                # The general lexer pays one more step for the metacharacter ending a quoted word.
                steps += end - start + (end < n)
        else:
            op = m.group(2)
            start, end = m.span(2)
            if end < n and text[end] in _OP_FOLLOW_BAD:
                return None
            toks.append(op)
        steps += 1 + start - pos
        pos = end
    tail = _TRAILING_BLANKS.match(text, pos)
    assert tail is not None
    if tail.end() != n:
        return None
    steps += 1 + n - pos
    return toks, steps


def scan_plain(text: str, limits: ShellLimits) -> tuple[PlainLine, int] | None:
    """The structure of a plain command line and the steps lexing and parsing it costs the
    general path, or None when `text` is not plain (then nothing is charged anywhere)."""
    if limits.max_depth < 0:
        return None
    lexed = _tokens(text)
    if lexed is None:
        return None
    toks, steps = lexed
    ntoks = len(toks)
    steps += ntoks  # the parser pays one step per token it consumes
    line: PlainLine = []
    i = 0
    while i < ntoks:
        pipelines: list[PlainPipeline] = []
        ops: list[str] = []
        while True:
            commands: list[PlainCommand] = []
            while True:
                words: list[PlainWord] = []
                while i < ntoks:
                    tok = toks[i]
                    if isinstance(tok, str):
                        break
                    words.append(tok)
                    i += 1
                if not words or (words[0][3] is None and words[0][2] in _RESERVED):
                    return None
                commands.append((words, words[0][0], words[-1][1]))
                if i < ntoks and toks[i] == "|":
                    i += 1
                    continue
                break
            pipelines.append((commands, commands[0][1], commands[-1][2]))
            if i < ntoks and (toks[i] == "&&" or toks[i] == "||"):
                op = toks[i]
                assert isinstance(op, str)
                ops.append(op)
                i += 1
                continue
            break
        line.append((pipelines, ops, pipelines[0][1], pipelines[-1][2]))
        if i < ntoks:
            if toks[i] != ";":
                return None
            i += 1
    return line, steps


def parse_plain(text: str, budget: Budget, limits: ShellLimits) -> Script | None:
    """The tree of a plain command line, charged to `budget`; None when `text` is not plain.

    When None is returned the budget is untouched, so the general parser starts from scratch.
    """
    scanned = scan_plain(text, limits)
    if scanned is None or budget.steps + scanned[1] > budget.limit:
        return None
    budget.tick(scanned[1])
    items: list[ListItem] = []
    for pipelines, ops, start, end in scanned[0]:
        tree: list[Pipeline] = []
        for commands, pipe_start, pipe_end in pipelines:
            simple = tuple([simple_command(cmd) for cmd in commands])
            tree.append(Pipeline(simple, False, pipe_start, pipe_end))
        items.append(ListItem(AndOr(tuple(tree), tuple(ops), start, end), False))
    return Script(Sequence(tuple(items)), text)


def word_of(word: PlainWord) -> Word:
    """The syntax-tree `Word` of a plain word."""
    start, end, text, tree = word
    return tree if tree is not None else Word((Lit(text),), start, end)


def simple_command(cmd: PlainCommand) -> SimpleCommand:
    """The `SimpleCommand` the general parser builds for these words (assignments split off)."""
    words, start, end = cmd
    assignments: list[Assignment] = []
    out: list[Word] = []
    for plain in words:
        word = word_of(plain)
        assignment = None if out else assignment_of(word)
        if assignment is not None:
            assignments.append(assignment)
        else:
            out.append(word)
    return SimpleCommand(tuple(assignments), tuple(out), (), start, end)


def may_assign(word: PlainWord) -> bool:
    """Whether the general parser could take `word` as an assignment (it then needs the tree)."""
    return "=" in word[2]


def assignment_of(word: Word) -> Assignment | None:
    """`NAME=value` / `NAME+=value` when `word` starts with an unquoted assignment, else None."""
    first = word.parts[0] if word.parts else None
    if not isinstance(first, Lit) or first.quoted:
        return None
    eq = first.text.find("=")
    if eq <= 0:
        return None
    name = first.text[:eq]
    append = name.endswith("+")
    if append:
        name = name[:-1]
    if not is_name(name):
        return None
    rest = first.text[eq + 1 :]
    parts = ((Lit(rest),) if rest else ()) + word.parts[1:]
    return Assignment(name, Word(parts, word.start + eq + 1, word.end), append)
