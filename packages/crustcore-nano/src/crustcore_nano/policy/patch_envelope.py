"""Reading the file operations out of a Codex `apply_patch` envelope.

The envelope is a line-oriented format::

    *** Begin Patch
    *** Add File: path          (followed by `+` lines: the new file)
    *** Update File: path       (optionally `*** Move to: new-path`, then `@@` hunks)
    *** Delete File: path
    *** End Patch

Only the header lines decide which files are touched, so the parser looks at each line once
and never backtracks: a line is a header only when it starts with `*** ` at column 0 (content
lines always start with `+`, `-`, a space or `@@`). Anything it does not understand is reported
as `malformed` and everything it did understand is still returned, so a damaged patch can never
hide a file from the rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PatchAction(enum.Enum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class PatchFile:
    """One file named by the envelope; `added` holds the `+` lines (the written content)."""

    action: PatchAction
    path: str
    move_to: str | None = None
    added: str = ""


@dataclass(frozen=True, slots=True)
class PatchEnvelope:
    files: tuple[PatchFile, ...]
    malformed: bool
    problems: tuple[str, ...] = ()


_HEADERS = (
    ("*** Add File:", PatchAction.ADD),
    ("*** Update File:", PatchAction.UPDATE),
    ("*** Delete File:", PatchAction.DELETE),
)
_MAX_PROBLEMS = 8


def looks_like_envelope(text: str) -> bool:
    """True when `text` carries at least one envelope marker (cheap; used for sniffing)."""
    return (
        "*** Begin Patch" in text
        or "*** Add File:" in text
        or "*** Update File:" in text
        or ("*** Delete File:" in text)
    )


def parse_envelope(text: str) -> PatchEnvelope:
    """Parse an `apply_patch` envelope. Linear in `text`; never raises."""
    files: list[PatchFile] = []
    problems: list[str] = []
    began = False
    ended = False
    # The file currently being described: action, path, move target, added lines.
    cur_action: PatchAction | None = None
    cur_path = ""
    cur_move: str | None = None
    cur_added: list[str] = []

    def note(problem: str) -> None:
        if len(problems) < _MAX_PROBLEMS:
            problems.append(problem)

    def flush() -> None:
        nonlocal cur_action, cur_path, cur_move, cur_added
        if cur_action is not None:
            files.append(PatchFile(cur_action, cur_path, cur_move, "\n".join(cur_added)))
        cur_action, cur_path, cur_move, cur_added = None, "", None, []

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if line.startswith("*** "):
            stripped = line.rstrip()
            if stripped == "*** Begin Patch":
                if began:
                    note(f"line {lineno}: second '*** Begin Patch'")
                began = True
                continue
            if stripped == "*** End Patch":
                flush()
                ended = True
                continue
            if stripped == "*** End of File":
                continue
            if line.startswith("*** Move to:"):
                target = line[len("*** Move to:") :].strip()
                if cur_action is PatchAction.UPDATE and cur_move is None and target:
                    cur_move = target
                else:
                    note(f"line {lineno}: '*** Move to:' outside an update")
                    if target:
                        # Keep the path anyway: an unexplained destination is still a write.
                        files.append(PatchFile(PatchAction.ADD, target))
                continue
            for prefix, action in _HEADERS:
                if line.startswith(prefix):
                    flush()
                    path = line[len(prefix) :].strip()
                    if not path:
                        note(f"line {lineno}: empty path")
                    cur_action, cur_path = action, path
                    if not began:
                        note(f"line {lineno}: file header before '*** Begin Patch'")
                    if ended:
                        note(f"line {lineno}: file header after '*** End Patch'")
                    break
            else:
                note(f"line {lineno}: unknown header {stripped[:40]!r}")
            continue
        if cur_action is None:
            continue
        if line.startswith("+"):
            cur_added.append(line[1:])
        elif cur_action is PatchAction.ADD and line:
            note(f"line {lineno}: added file line without '+'")
        elif cur_action is PatchAction.DELETE and line.strip():
            note(f"line {lineno}: content after '*** Delete File:'")
    flush()
    if not began:
        note("no '*** Begin Patch'")
    if not ended:
        note("no '*** End Patch'")
    return PatchEnvelope(tuple(files), bool(problems), tuple(problems))


def unified_diff_targets(text: str) -> tuple[str, ...]:
    """The paths a unified diff writes (`+++ b/path` lines, `/dev/null` skipped). Linear."""
    out: list[str] = []
    for raw in text.splitlines():
        if raw.startswith("+++ ") or raw.startswith("--- "):
            name = raw[4:].split("\t", 1)[0].strip()
            if name in ("/dev/null", ""):
                continue
            if name.startswith(("a/", "b/")):
                name = name[2:]
            if name not in out:
                out.append(name)
    return tuple(out)
