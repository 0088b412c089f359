"""Segment files and bounded line reading.

A log is a directory of segment files ``segment-00000000.jsonl``, ``segment-00000001.jsonl``, ...
whose records form one chain. Readers never hold more than one chunk plus `MAX_RECORD_BYTES` of a
file in memory, so a multi-gigabyte line is reported, not loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .record import MAX_RECORD_BYTES

SEGMENT_RE = re.compile(r"segment-([0-9]{8})\.jsonl")
LOCK_FILE = "writer.lock"
_CHUNK = 1 << 20


def segment_name(index: int) -> str:
    return f"segment-{index:08d}.jsonl"


@dataclass(frozen=True, slots=True)
class Segment:
    index: int
    path: Path


def list_segments(log_dir: Path) -> list[Segment]:
    """Segment files of a log directory, in index order (gaps are the verifier's business)."""
    found: list[Segment] = []
    for entry in log_dir.iterdir():
        match = SEGMENT_RE.fullmatch(entry.name)
        if match is not None and entry.is_file():
            found.append(Segment(int(match.group(1)), entry))
    found.sort(key=lambda seg: seg.index)
    return found


@dataclass(frozen=True, slots=True)
class TooLong:
    """A line that runs past `MAX_RECORD_BYTES` without a newline, starting at `offset`."""

    offset: int


@dataclass(frozen=True, slots=True)
class Tail:
    """Bytes after the last newline of a file (a torn write), starting at `offset`."""

    offset: int
    length: int


def iter_line_batches(
    handle: BinaryIO, *, max_line: int = MAX_RECORD_BYTES
) -> Iterator[tuple[int, list[bytes]] | TooLong | Tail]:
    """Like `iter_lines`, but yields ``(offset_of_first_line, lines)`` per chunk read, so the
    verifier's loop pays the generator overhead once per megabyte instead of once per line."""
    offset = 0
    pending = b""
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        data = pending + chunk if pending else chunk
        lines = data.split(b"\n")
        pending = lines.pop()
        position = offset
        for index, line in enumerate(lines):
            if len(line) >= max_line:
                if index:
                    yield offset, lines[:index]
                yield TooLong(position)
                return
            position += len(line) + 1
        if lines:
            yield offset, lines
        offset = position
        if len(pending) >= max_line:
            yield TooLong(offset)
            return
    if pending:
        yield Tail(offset, len(pending))


def iter_lines(
    handle: BinaryIO, *, max_line: int = MAX_RECORD_BYTES
) -> Iterator[tuple[int, bytes] | TooLong | Tail]:
    """Yield ``(offset, line_without_newline)`` for complete lines, then at most one `TooLong` or
    `Tail` item, after which iteration stops."""
    offset = 0
    pending = b""
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        data = pending + chunk if pending else chunk
        lines = data.split(b"\n")
        pending = lines.pop()
        for line in lines:
            if len(line) >= max_line:
                yield TooLong(offset)
                return
            yield offset, line
            offset += len(line) + 1
        if len(pending) >= max_line:
            yield TooLong(offset)
            return
    if pending:
        yield Tail(offset, len(pending))
