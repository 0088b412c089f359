"""Sans-IO framing of the kernel socket: a 4-byte big-endian length, then that many bytes.

The decoder takes bytes as they arrive (any split, any size) and hands back complete frames. It
never reads, writes or sleeps, so the server, the clients and the property tests drive the same
code. Its buffer is bounded: it holds at most one frame plus its 4-byte header, and a header that
announces more than ``max_frame`` is an error before a single byte of that body is kept. After an
error the stream has no recoverable boundary, so the decoder stays failed and the peer is closed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from crustcore_nano.errors import CrustCoreError

HEADER_BYTES = 4
DEFAULT_MAX_FRAME = 1024 * 1024
_LENGTH_LIMIT = (1 << 32) - 1


class FrameError(CrustCoreError):
    """A frame could not be encoded or the byte stream broke the framing rules."""


class FrameFault(enum.Enum):
    TOO_LARGE = "too_large"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class FrameViolation:
    """Why the decoder stopped; ``declared`` is the length the peer announced."""

    fault: FrameFault
    declared: int
    message: str


def encode_frame(payload: bytes, *, max_frame: int = DEFAULT_MAX_FRAME) -> bytes:
    """One frame: the length header followed by ``payload``."""
    size = len(payload)
    if size == 0:
        raise FrameError("a frame cannot be empty")
    if size > max_frame:
        raise FrameError(f"frame of {size} bytes exceeds the maximum of {max_frame}")
    return size.to_bytes(HEADER_BYTES, "big") + payload


class FrameDecoder:
    """Incremental decoder. ``feed`` returns the frames completed by the new bytes, in order.

    State: either reading a header (``_need`` is None) or reading a body of ``_need`` bytes.
    Each input byte is copied at most once into the buffer and once into its frame, so the work
    is linear in the input.
    """

    __slots__ = ("_buf", "_max", "_need", "_violation")

    def __init__(self, *, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        if not 1 <= max_frame <= _LENGTH_LIMIT:
            raise FrameError(f"max_frame must be between 1 and {_LENGTH_LIMIT}")
        self._max = max_frame
        self._buf = bytearray()
        self._need: int | None = None
        self._violation: FrameViolation | None = None

    @property
    def max_frame(self) -> int:
        return self._max

    @property
    def violation(self) -> FrameViolation | None:
        """Set once the stream broke the rules; no frame is returned after that."""
        return self._violation

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete header or body (at most ``max_frame + 4``)."""
        return len(self._buf)

    @property
    def mid_frame(self) -> bool:
        """True when part of a frame has arrived and the rest has not."""
        return bool(self._buf) or self._need is not None

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Consume ``data``; return the complete frames it finished. Check ``violation`` after."""
        frames: list[bytes] = []
        if self._violation is not None:
            return frames
        buf = self._buf
        view = memoryview(data).cast("B")
        end = len(view)
        if self._need is None and not buf and end > HEADER_BYTES:
            # The usual read: exactly one whole frame at a frame boundary (its length is then
            # end - 4 > 0). Same checks as below, without the loop.
            size = int.from_bytes(view[:HEADER_BYTES], "big")
            if size == end - HEADER_BYTES and size <= self._max:
                frames.append(bytes(view[HEADER_BYTES:]))
                return frames
        pos = 0
        while pos < end:
            if self._need is None:
                if not buf and end - pos >= HEADER_BYTES:
                    size = int.from_bytes(view[pos : pos + HEADER_BYTES], "big")
                    pos += HEADER_BYTES
                else:
                    take = min(HEADER_BYTES - len(buf), end - pos)
                    buf += view[pos : pos + take]
                    pos += take
                    if len(buf) < HEADER_BYTES:
                        break
                    size = int.from_bytes(buf, "big")
                    buf.clear()
                if size == 0:
                    self._fail(FrameFault.EMPTY, 0, "a frame announced a length of zero")
                    break
                if size > self._max:
                    self._fail(
                        FrameFault.TOO_LARGE,
                        size,
                        f"a frame announced {size} bytes; the maximum is {self._max}",
                    )
                    break
                self._need = size
                continue
            need = self._need
            if not buf and end - pos >= need:
                # The whole body is in this chunk: slice it out without buffering.
                frames.append(bytes(view[pos : pos + need]))
                pos += need
                self._need = None
                continue
            take = min(need - len(buf), end - pos)
            buf += view[pos : pos + take]
            pos += take
            if len(buf) == need:
                frames.append(bytes(buf))
                buf.clear()
                self._need = None
        return frames

    def _fail(self, fault: FrameFault, declared: int, message: str) -> None:
        self._violation = FrameViolation(fault, declared, message)
        self._buf = bytearray()
        self._need = None
