"""Words on a command line that name no file: exclusion patterns and messages.

The rule engine treats a path-like argument of a command as a read of that path ("naming a
protected file to any program is reading it"). That is right for operands, and wrong for
words a program only *matches against* or *stores as text*:

* exclusion patterns: `git clean -e .env`, `rsync --exclude .env`, `tar --exclude .env`,
  `zip -x .env`, `du --exclude`, `grep --exclude`: the named files are the ones the command
  leaves alone, so no content of theirs is read;
* messages: `git commit -m 'docs: explain ~/.ssh/config'` (also `tag`, `stash`, `merge`,
  `notes`): the text is stored in the repository, never opened as a file;
* pathspecs of git subcommands that print names only or touch the index only:
  `git check-ignore .env`, `git rm --cached .env`, `git restore --staged .env`,
  `git ls-files -x .env`;
* the envelope Codex hands to `apply_patch` as an argument (`["apply_patch", "*** Begin
  Patch\n..."]`): its added lines are file *content* (a doc line mentioning `~/.ssh/config`),
  and the files it touches are read out of the envelope by the policy extractor. Only a word
  that carries the envelope's opening marker counts, never a plain file name.

Both forms count: the separated `--exclude .env` and the joined `--exclude=.env` (the engine
reads the value of any `--option=VALUE` as a named file). Inclusion options (`rsync
--include`, `--filter`) are left out on purpose: they select files to send. A pattern word is
dropped again when the same text also stands anywhere else on the line (`rsync --exclude .env
.env host:`), because the engine skips mentions by text. `-F`/`--file` message files are read
and stay out. The scan is one pass over `argv`.
"""

from __future__ import annotations

from collections.abc import Sequence

GIT_VALUE_OPTIONS = frozenset(
    {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"}
)
"""git's own options that take the next word as their value (before the subcommand)."""

_EXCLUDE_OPTIONS: dict[str, frozenset[str]] = {
    "tar": frozenset({"--exclude"}),
    "gtar": frozenset({"--exclude"}),
    "bsdtar": frozenset({"--exclude"}),
    "rsync": frozenset({"--exclude"}),
    "zip": frozenset({"-x", "--exclude"}),
    "du": frozenset({"--exclude"}),
    "grep": frozenset({"--exclude", "--exclude-dir"}),
    "egrep": frozenset({"--exclude", "--exclude-dir"}),
    "fgrep": frozenset({"--exclude", "--exclude-dir"}),
    "zgrep": frozenset({"--exclude", "--exclude-dir"}),
}
"""Per program, the options whose (separated) value is a pattern of files to leave alone."""

_GIT_MESSAGE_COMMANDS = frozenset({"commit", "tag", "stash", "merge", "notes"})
_GIT_MESSAGE_OPTIONS = frozenset({"-m", "--message"})
_GIT_EXCLUDE_OPTIONS: dict[str, frozenset[str]] = {
    "clean": frozenset({"-e", "--exclude"}),
    "ls-files": frozenset({"-x", "--exclude"}),
}

_PATCH_PROGRAMS = frozenset({"apply_patch", "applypatch"})
_PATCH_MARKER = "*** Begin Patch"

_JQ_PROGRAMS = frozenset({"jq", "gojq", "jaq", "yq"})
# jq options followed by two words (`--arg NAME VALUE`) or by one (`--indent 2`, `-L DIR`).
_JQ_TWO = frozenset({"--arg", "--argjson", "--slurpfile", "--rawfile"})
_JQ_ONE = frozenset({"--indent", "-L", "--output-format", "-o", "--input-format", "-p"})
_YQ_SUBCOMMANDS = frozenset({"e", "eval", "ea", "eval-all"})

PATTERN_PROGRAMS = frozenset({"git", *_PATCH_PROGRAMS, *_EXCLUDE_OPTIONS, *_JQ_PROGRAMS})
"""Programs for which `nonfile_words` can return anything."""


def nonfile_words(name: str, argv: Sequence[str]) -> frozenset[str]:
    """The words of `argv` (the arguments after the program `name`) that are patterns or
    messages rather than files, minus any whose text also appears elsewhere in `argv`."""
    if name == "git":
        picked = _git_words(argv)
    elif name in _JQ_PROGRAMS:
        picked = _jq_filter(name, argv)
    elif name in _PATCH_PROGRAMS:
        picked = {i for i, word in enumerate(argv) if word.lstrip().startswith(_PATCH_MARKER)}
    else:
        options = _EXCLUDE_OPTIONS.get(name)
        if options is None:
            return frozenset()
        picked = _values_after(argv, options, 0)
    return _unshared(argv, picked)


def _jq_filter(name: str, argv: Sequence[str]) -> set[int]:
    """The index of a jq/yq filter (`jq -r '.env.NODE_ENV' config.json`: `.env.NODE_ENV` is a
    path into the JSON, not a file), unless `-f`/`--from-file` names a file that holds it."""
    if "-f" in argv or "--from-file" in argv:
        return set()
    i = 0
    if name == "yq" and argv and argv[0] in _YQ_SUBCOMMANDS:
        i = 1
    while i < len(argv):
        word = argv[i]
        if word in _JQ_TWO:
            i += 3
        elif word in _JQ_ONE:
            i += 2
        elif word.startswith("-") and word != "-":
            i += 1
        else:
            return {i}
    return set()


def _values_after(argv: Sequence[str], options: frozenset[str], start: int) -> set[int]:
    """Indexes of the words that follow one of `options` (from `start`, up to a `--`)."""
    picked: set[int] = set()
    i = start
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        if word in options and i + 1 < len(argv):
            picked.add(i + 1)
            i += 2
            continue
        if "=" in word and word.partition("=")[0] in options:
            picked.add(i)  # `--exclude=.env`: the whole word is the pattern
        i += 1
    return picked


def _git_words(argv: Sequence[str]) -> set[int]:
    i = 0
    while i < len(argv):  # git's own options come before the subcommand
        word = argv[i]
        if word in GIT_VALUE_OPTIONS:
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            break
    if i >= len(argv):
        return set()
    cmd = argv[i]
    start = i + 1
    if cmd in _GIT_MESSAGE_COMMANDS:
        return _values_after(argv, _GIT_MESSAGE_OPTIONS, start)
    excludes = _GIT_EXCLUDE_OPTIONS.get(cmd)
    if excludes is not None:
        return _values_after(argv, excludes, start)
    rest = argv[start:]
    if (
        cmd == "check-ignore"
        or (cmd == "rm" and "--cached" in rest)
        or (cmd == "restore" and ("--staged" in rest or "-S" in rest) and "-W" not in rest
            and "--worktree" not in rest)
    ):  # fmt: skip
        return _operands(argv, start)
    return set()


def _operands(argv: Sequence[str], start: int) -> set[int]:
    """Indexes of the non-option words from `start` (all words after a `--`)."""
    picked: set[int] = set()
    rest = False
    for index in range(start, len(argv)):
        word = argv[index]
        if rest or not word.startswith("-"):
            picked.add(index)
        elif word == "--":
            rest = True
    return picked


def _unshared(argv: Sequence[str], picked: set[int]) -> frozenset[str]:
    """The texts at `picked` that occur at no other index of `argv`."""
    if not picked:
        return frozenset()
    elsewhere = {word for index, word in enumerate(argv) if index not in picked}
    return frozenset(argv[index] for index in picked if argv[index] not in elsewhere)
