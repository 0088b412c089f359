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


@dataclass(frozen=True, slots=True)
class Block:
    """The complete lines of one chunk read from a file.

    `lines` are the lines without their newlines, the first starting at byte `offset` of the
    file. `data` is ``b"\n"`` followed by those lines, each ending in a newline, possibly followed
    by the start of the next, incomplete line; the newline ending the last complete line is at
    index `stop` of `data`, which is also the number of bytes the lines take in the file. The
    leading newline lets a pattern anchored on ``\n`` match the first line like every other.
    """

    offset: int
    lines: list[bytes]
    data: bytes
    stop: int


def iter_blocks(
    handle: BinaryIO, *, max_line: int = MAX_RECORD_BYTES, start: int = 0
) -> Iterator[Block | TooLong | Tail]:
    """The complete lines, as a `Block` per chunk read, then at most one `TooLong` or `Tail`
    (after which iteration stops). Blocks, not lines, so the verifier's loop pays the generator
    overhead once per megabyte instead of once per line. `start` is the file offset the handle
    is positioned at."""
    offset = start
    pending = b"\n"
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        data = pending + chunk
        lines = data.split(b"\n")
        rest = lines.pop()
        del lines[0]
        if lines and max(map(len, lines)) >= max_line:
            position = offset
            for index, line in enumerate(lines):
                if len(line) >= max_line:
                    if index:
                        yield Block(offset, lines[:index], data, position - offset)
                    yield TooLong(position)
                    return
                position += len(line) + 1
        stop = len(data) - len(rest) - 1
        if lines:
            yield Block(offset, lines, data, stop)
        offset += stop
        if len(rest) >= max_line:
            yield TooLong(offset)
            return
        pending = b"\n" + rest
    if len(pending) > 1:
        yield Tail(offset, len(pending) - 1)
