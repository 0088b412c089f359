"""The sans-IO frame decoder: any split of a valid stream gives the same frames; bounded buffer."""

from __future__ import annotations

import pytest
from crustcore_nano.daemon.frames import (
    HEADER_BYTES,
    FrameDecoder,
    FrameError,
    FrameFault,
    encode_frame,
)
from hypothesis import given, settings
from hypothesis import strategies as st

MAX = 64
payloads = st.lists(st.binary(min_size=1, max_size=MAX), max_size=12)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out: list[bytes] = []
    start = 0
    for p in [*points, len(data)]:
        out.append(data[start:p])
        start = p
    return out


@settings(max_examples=200, deadline=None)
@given(payloads, st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_any_split_of_a_valid_stream_yields_the_frames(
    frames: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(encode_frame(p, max_frame=MAX) for p in frames)
    dec = FrameDecoder(max_frame=MAX)
    got: list[bytes] = []
    for chunk in _split(stream, cuts):
        got.extend(dec.feed(chunk))
        assert dec.buffered <= MAX + HEADER_BYTES
    assert got == frames
    assert dec.violation is None
    assert not dec.mid_frame


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(min_value=0, max_value=600), max_size=10))
def test_random_bytes_never_overflow_the_buffer(data: bytes, cuts: list[int]) -> None:
    """Whatever arrives, the decoder holds at most one frame and stops cleanly on a violation."""
    dec = FrameDecoder(max_frame=MAX)
    total = 0
    for chunk in _split(data, cuts):
        for frame in dec.feed(chunk):
            assert 1 <= len(frame) <= MAX
            total += len(frame) + HEADER_BYTES
        assert dec.buffered <= MAX + HEADER_BYTES
    assert total <= len(data)
    if dec.violation is not None:
        assert dec.feed(b"\x00\x00\x00\x01x") == []  # failed for good
        assert dec.buffered == 0


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=MAX + 1, max_value=2**32 - 1), st.binary(max_size=100))
def test_oversize_length_is_refused_before_any_body_is_kept(size: int, tail: bytes) -> None:
    dec = FrameDecoder(max_frame=MAX)
    assert dec.feed(size.to_bytes(4, "big") + tail) == []
    assert dec.violation is not None
    assert dec.violation.fault is FrameFault.TOO_LARGE
    assert dec.violation.declared == size
    assert dec.buffered == 0


def test_zero_length_frame_is_a_violation() -> None:
    dec = FrameDecoder(max_frame=MAX)
    assert dec.feed(encode_frame(b"ok", max_frame=MAX) + b"\x00\x00\x00\x00") == [b"ok"]
    assert dec.violation is not None
    assert dec.violation.fault is FrameFault.EMPTY


def test_truncated_frame_stays_pending() -> None:
    dec = FrameDecoder(max_frame=MAX)
    frame = encode_frame(b"hello", max_frame=MAX)
    assert dec.feed(frame[:-1]) == []
    assert dec.mid_frame
    assert dec.buffered == len(frame) - 1 - HEADER_BYTES
    assert dec.feed(frame[-1:]) == [b"hello"]
    assert not dec.mid_frame


def test_encoder_refuses_empty_and_oversize() -> None:
    with pytest.raises(FrameError):
        encode_frame(b"")
    with pytest.raises(FrameError):
        encode_frame(b"x" * (MAX + 1), max_frame=MAX)
    assert encode_frame(b"x" * MAX, max_frame=MAX)[:4] == MAX.to_bytes(4, "big")


def test_a_frame_of_exactly_the_maximum_passes_in_one_byte_steps() -> None:
    dec = FrameDecoder(max_frame=MAX)
    frame = encode_frame(bytes(range(MAX)), max_frame=MAX)
    got: list[bytes] = []
    for i in range(len(frame)):
        got.extend(dec.feed(frame[i : i + 1]))
    assert got == [bytes(range(MAX))]
