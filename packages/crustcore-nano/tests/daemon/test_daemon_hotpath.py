"""The socket's fast paths give exactly what the general paths give.

Covers the shortcuts taken for speed: a read holding exactly one frame, the shared JSON decoder
and encoder, the reply envelope written as bytes, the op-name check, and answers of one read
written together (still in order, still bounded, an error that closes still sent last).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from crustcore_nano.daemon.frames import FrameDecoder, FrameFault, encode_frame
from crustcore_nano.daemon.protocol import (
    MAX_OP_LEN,
    ProtocolError,
    dumps,
    loads_bounded,
    ok_reply,
    parse_request,
)
from daemon_testkit import RawPeer, error_code
from hypothesis import given, settings
from hypothesis import strategies as st

MAX = 64
OP_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789._"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
whitespace = st.text(alphabet=" \t\r\n", max_size=3)


# --- frames ---------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=MAX), min_size=1, max_size=8), st.integers(0, 2))
def test_one_frame_per_read_yields_the_frames_whatever_the_buffer_type(
    payloads: list[bytes], kind: int
) -> None:
    dec = FrameDecoder(max_frame=MAX)
    got: list[bytes] = []
    scratch = bytearray(256)
    for payload in payloads:
        frame = encode_frame(payload, max_frame=MAX)
        if kind == 0:
            chunk: bytes | bytearray | memoryview = frame
        elif kind == 1:
            chunk = bytearray(frame)
        else:  # a slice of a longer receive buffer, as the server and client pass it
            scratch[: len(frame)] = frame
            chunk = memoryview(scratch)[: len(frame)]
        out = dec.feed(chunk)
        assert all(type(f) is bytes for f in out)
        got.extend(out)
    assert got == payloads
    assert dec.violation is None
    assert not dec.mid_frame


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=MAX + 1, max_value=MAX + 40))
def test_a_whole_oversized_frame_in_one_read_is_refused(size: int) -> None:
    dec = FrameDecoder(max_frame=MAX)
    assert dec.feed(size.to_bytes(4, "big") + b"x" * size) == []
    assert dec.violation is not None
    assert dec.violation.fault is FrameFault.TOO_LARGE


def test_a_received_frame_does_not_alias_the_receive_buffer() -> None:
    dec = FrameDecoder(max_frame=MAX)
    buf = bytearray(encode_frame(b"abc"))
    (frame,) = dec.feed(memoryview(buf))
    buf[4:7] = b"zzz"  # the next read overwrites the buffer
    assert frame == b"abc"


# --- JSON -----------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(json_values, whitespace, whitespace)
def test_loads_bounded_reads_what_json_reads(value: object, lead: str, trail: str) -> None:
    text = lead + json.dumps(value) + trail
    assert loads_bounded(text.encode()) == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from(["x", "]", "}", ",1", "{}", " 1"]))
def test_loads_bounded_refuses_trailing_data(value: object, junk: str) -> None:
    with pytest.raises(ProtocolError):
        loads_bounded((json.dumps(value) + junk).encode())


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "", " ", "{"])
def test_loads_bounded_refuses_what_is_not_json(text: str) -> None:
    with pytest.raises(ProtocolError):
        loads_bounded(text.encode())


@settings(max_examples=200, deadline=None)
@given(st.none() | st.integers(min_value=0, max_value=(1 << 63) - 1), json_values)
def test_ok_reply_bytes_equal_the_encoded_envelope(req_id: int | None, result: object) -> None:
    envelope = {"v": 1, "id": req_id, "ok": True, "result": result}
    assert ok_reply(req_id, result) == dumps(envelope)
    assert json.loads(ok_reply(req_id, result)) == envelope


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=OP_ALPHABET + "AZ -/é\x00", max_size=MAX_OP_LEN + 3))
def test_an_op_name_is_accepted_exactly_when_it_uses_the_allowed_characters(op: str) -> None:
    frame = json.dumps({"v": 1, "id": 1, "op": op, "args": {}}).encode()
    valid = 0 < len(op) <= MAX_OP_LEN and all(ch in OP_ALPHABET for ch in op)
    try:
        parsed = parse_request(frame)
    except ProtocolError:
        assert not valid
    else:
        assert valid
        assert parsed.op == op


def test_unknown_request_fields_are_still_refused() -> None:
    frame = json.dumps({"v": 1, "id": 3, "op": "status", "args": {}, "zz": 1}).encode()
    with pytest.raises(ProtocolError) as info:
        parse_request(frame)
    assert info.value.req_id == 3
    assert "zz" in info.value.message


# --- answers of one read ------------------------------------------------------------------------
def _frame(req_id: int, op: str, args: dict[str, object], v: int = 1) -> bytes:
    return encode_frame(json.dumps({"v": v, "id": req_id, "op": op, "args": args}).encode())


def test_a_burst_of_pipelined_requests_is_answered_in_order(
    daemon: tuple[Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    home, _proc = daemon
    ws = str(tmp_path)
    kinds = ["status", "check", "nosuch.op", "check_bad", "redact"]
    burst: list[bytes] = []
    for i in range(1, 101):
        kind = kinds[i % len(kinds)]
        if kind == "check":
            args: dict[str, object] = {"tool": "Read", "args": {"file_path": f"{ws}/f{i}"}}
            burst.append(_frame(i, "check", {**args, "workspace": ws}))
        elif kind == "check_bad":
            burst.append(_frame(i, "check", {"tool": "", "workspace": ws}))
        elif kind == "redact":
            burst.append(_frame(i, "redact", {"text": f"line {i}"}))
        else:
            burst.append(_frame(i, kind, {}))
    with RawPeer(home) as peer:
        peer.hello()
        peer.send_raw(b"".join(burst))  # one write: most of it arrives in one read
        for i in range(1, 101):
            reply = peer.recv()
            assert reply is not None
            assert reply["id"] == i
            kind = kinds[i % len(kinds)]
            if kind == "nosuch.op":
                assert error_code(reply) == "unknown_op"
            elif kind == "check_bad":
                assert error_code(reply) == "bad_request"
            else:
                assert reply["ok"] is True, reply
        assert peer.call(500, "status")["ok"] is True  # the connection is still in step


def test_large_answers_to_a_pipelined_burst_keep_their_order(
    daemon: tuple[Path, subprocess.Popen[bytes]],
) -> None:
    home, _proc = daemon
    texts = [f"{i:03d}" + "y" * 20_000 for i in range(30)]  # ~600 KB of answers
    with RawPeer(home) as peer:
        peer.hello()
        peer.send_raw(b"".join(_frame(i + 1, "redact", {"text": t}) for i, t in enumerate(texts)))
        for i, text in enumerate(texts):
            reply = peer.recv()
            assert reply is not None
            assert reply["id"] == i + 1
            result = reply["result"]
            assert isinstance(result, dict)
            assert result["text"] == text


def test_an_error_that_closes_comes_after_the_answers_before_it(
    daemon: tuple[Path, subprocess.Popen[bytes]],
) -> None:
    home, _proc = daemon
    with RawPeer(home) as peer:
        peer.hello()
        burst = [_frame(1, "status", {}), _frame(2, "status", {})]
        burst += [_frame(3, "status", {}, v=9), _frame(4, "status", {})]
        peer.send_raw(b"".join(burst))
        first, second, third = peer.recv(), peer.recv(), peer.recv()
        assert first is not None and first["id"] == 1 and first["ok"] is True
        assert second is not None and second["id"] == 2 and second["ok"] is True
        assert error_code(third) == "unsupported_version"
        assert third is not None and third["id"] == 3
        assert peer.closed()  # nothing for request 4: the stream was not trusted past 3
        assert peer.pending == []
