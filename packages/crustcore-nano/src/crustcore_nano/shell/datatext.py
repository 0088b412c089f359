"""Which parts of a command line can name a network destination, and which are only data.

The rule engine scans command text for cloud metadata addresses in every spelling, as a safety
net under the network targets the analyser finds. Scanning the *whole* line makes a metadata
address that only appears as data a false alarm: `grep -rn 169.254.169.254 src/`,
`git commit -m 'block 169.254.169.254'`, `echo '...' >> NOTES.md`. `network_text` returns the
line with the text of such data-only commands blanked out, so the scan sees every other part.

A top-level simple command is blanked only when all of these hold:

* its program only reads, prints or edits text and never opens a connection or runs another
  program by itself (`DATA_PROGRAMS`; `git` only with a local subcommand and no global
  options before it);
* its output does not feed a later pipeline stage that is not data-only (`echo ADDR | xargs
  curl` keeps `echo`; the analyser records these in `ShellAnalysis.feeding`);
* it writes no file while the line also runs something that is not data-only (`echo ADDR >
  h; curl $(cat h)` keeps `echo`).

Nothing is blanked either when a command that is not data-only has an argument or a network
destination computed at run time (`git commit -m ADDR && curl $(git log -1 --format=%s)`):
the address could travel from the data into it through a file or the repository.

The here-document bodies of a blanked command are blanked with it (`cat <<'EOF' >
docs/security.md` ... `EOF`): the body is the program's standard input, and these programs
only read it as data. `sed` is the exception (`sed -f - <<EOF` takes its script, which may
run commands, from the body), so its bodies stay. A body fed to anything else (`sh`, `python`,
`curl -d @-`) is never blanked, because that command is not data-only.

When the line did not parse, or its program names could not be resolved, nothing is blanked.
Network targets the analyser did find (including inside blanked commands: `sed e`, `find
-exec`) are checked by the engine on their own, whatever this text says.
"""

from __future__ import annotations

from crustcore_nano.shell.facts import CommandFact, OpKind, ShellAnalysis, ShellSignal

__all__ = ["DATA_PROGRAMS", "GIT_LOCAL_SUBCOMMANDS", "is_data_only", "network_text"]

DATA_PROGRAMS = frozenset(
    {
        "echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "ack", "cat", "head", "tail",
        "wc", "sort", "uniq", "cut", "tr", "sed", "jq", "yq", "tee", "touch", "mkdir", "ls",
        "diff", "cmp", "comm", "column", "fmt", "fold", "nl", "paste", "rev", "tac", "true",
        "false", "test", "[", "[[", "basename", "dirname", "realpath", "readlink", "file",
        "stat", "du", "df", "date", "sleep", "seq", ":",
    }
)  # fmt: skip
"""Programs that only handle text or file metadata: their arguments are data, not targets."""

GIT_LOCAL_SUBCOMMANDS = frozenset(
    {
        "add", "commit", "log", "diff", "show", "status", "grep", "blame", "tag", "branch",
        "switch", "restore", "rm", "mv", "notes", "shortlog", "describe", "rev-parse",
        "ls-files", "stash", "reset", "revert", "cherry-pick", "merge-base", "annotate",
    }
)  # fmt: skip
"""`git` subcommands that never contact a remote (`push`, `fetch`, `clone`, ... are not here)."""

_SCRIPT_FROM_INPUT = frozenset({"sed"})
"""Data-only programs that can take a script (which may run commands) from standard input."""

_UNRESOLVED = frozenset(
    {ShellSignal.UNPARSEABLE, ShellSignal.DYNAMIC_COMMAND_NAME, ShellSignal.UNRESOLVED_CODE}
)


def is_data_only(fact: CommandFact) -> bool:
    """Whether this command's own arguments are data (it connects nowhere, runs nothing)."""
    name = fact.name
    if name == "git":
        argv = fact.argv
        return len(argv) > 1 and argv[1] in GIT_LOCAL_SUBCOMMANDS
    return name in DATA_PROGRAMS and not fact.network and fact.code is None


def _writes(fact: CommandFact) -> bool:
    if fact.name == "tee":
        return True
    for redirect in fact.redirects:
        if redirect.kind is OpKind.WRITE:
            return True
    return any(op.kind is OpKind.WRITE for op in fact.operations)


def _bodies(fact: CommandFact, after: int, command: str) -> list[tuple[int, int]]:
    """The here-document bodies of `fact` in `command` (they follow the command's line)."""
    out: list[tuple[int, int]] = []
    for redirect in fact.redirects:
        body = redirect.body
        if body is None:
            continue
        start, end = body
        if after <= start < end <= len(command) and command[start - 1] == "\n":
            out.append((start, end))
    return out


def network_text(analysis: ShellAnalysis) -> str:
    """The command line with data-only commands blanked (same length, spaces in their place),
    for a text scan that should only see what can name a destination."""
    command = analysis.command
    if not analysis.parsed_ok or not analysis.signals.isdisjoint(_UNRESOLVED):
        return command
    facts = analysis.commands
    data = [is_data_only(f) for f in facts]
    if not any(data):
        return command
    mixed = False
    for index, fact in enumerate(facts):
        if not data[index]:
            if fact.depth != 0 or not fact.exact:
                # A nested command runs inside some top-level command's text; one with a
                # computed argument may take it from data written earlier on the line.
                return command
            for target in fact.network:
                if target.host is None:
                    return command  # a destination computed at run time: keep every word
            mixed = True
    spans: list[tuple[int, int]] = []
    for index, fact in enumerate(facts):
        if not data[index] or fact.depth != 0 or index in analysis.feeding:
            continue
        if mixed and _writes(fact):
            continue
        start, end = fact.span
        if 0 <= start < end <= len(command) and command[start:end] == fact.text:
            spans.append((start, end))
            if fact.name not in _SCRIPT_FROM_INPUT:
                spans.extend(_bodies(fact, end, command))
    if not spans:
        return command
    out: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(command[last:start])
        out.append(" " * (end - start))
        last = end
    out.append(command[last:])
    return "".join(out)
