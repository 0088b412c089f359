"""Fuzz the kernel socket's frame decoder and request parser with arbitrary byte streams.

The first input byte chooses the maximum frame size and how the rest is split into reads. The
invariants: the decoder never holds more than one frame plus its header, every frame it returns
fits the maximum, a stream re-encoded from the decoded frames decodes to the same frames, and
the request parser raises nothing but `ProtocolError` (and only with a known error code).
"""

from __future__ import annotations

import contextlib
import sys

from crustcore_nano.daemon.frames import HEADER_BYTES, FrameDecoder, encode_frame
from crustcore_nano.daemon.protocol import ErrorCode, ProtocolError, parse_request


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    control, body = data[0], data[1:]
    max_frame = 1 + (control & 0x3F) * 16
    step = 1 + (control >> 6) * 7
    decoder = FrameDecoder(max_frame=max_frame)
    frames: list[bytes] = []
    for start in range(0, len(body), step):
        frames.extend(decoder.feed(body[start : start + step]))
        if decoder.buffered > max_frame + HEADER_BYTES:
            raise AssertionError(f"decoder holds {decoder.buffered} bytes")
    for frame in frames:
        if not 1 <= len(frame) <= max_frame:
            raise AssertionError(f"frame of {len(frame)} bytes with max {max_frame}")
        try:
            parse_request(frame)
        except ProtocolError as exc:
            if not isinstance(exc.code, ErrorCode):
                raise AssertionError("protocol error without a code") from None
    again = FrameDecoder(max_frame=max_frame)
    stream = b"".join(encode_frame(f, max_frame=max_frame) for f in frames)
    if again.feed(stream) != frames or again.violation is not None:
        raise AssertionError("re-encoded frames decode differently")
    with contextlib.suppress(ProtocolError):
        parse_request(body)


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_daemon_frames.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
