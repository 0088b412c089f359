"""Protocol robustness against a live kernel daemon: every malformed input gets a clear error or
a closed connection, and the kernel keeps serving the other clients meanwhile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crustcore_nano.daemon.frames import encode_frame
from crustcore_nano.daemon.protocol import (
    MAX_DEPTH,
    ErrorCode,
    ProtocolError,
    json_depth_ok,
    parse_request,
)
from daemon_testkit import RawPeer, error_code
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _served(home: Path) -> None:
    """Another client completes requests: the kernel is still serving everyone."""
    with RawPeer(home) as other:
        assert other.hello()["ok"] is True
        for i in range(1, 4):
            reply = other.call(i, "check", {"tool": "Read", "args": {"file_path": "/tmp/x"}})
            assert reply["ok"] is True


# --- pure parsing -------------------------------------------------------------------------------


def test_parse_request_accepts_a_well_formed_request() -> None:
    req = parse_request(b'{"v":1,"id":7,"op":"check","args":{"tool":"Read"}}')
    assert (req.req_id, req.op, req.args) == (7, "check", {"tool": "Read"})


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"\xff\xfe{}", ErrorCode.BAD_JSON),
        (b"{not json", ErrorCode.BAD_JSON),
        (b"[1,2]", ErrorCode.BAD_REQUEST),
        (b'{"v":2,"id":1,"op":"status"}', ErrorCode.UNSUPPORTED_VERSION),
        (b'{"id":1,"op":"status"}', ErrorCode.UNSUPPORTED_VERSION),
        (b'{"v":1,"op":"status"}', ErrorCode.BAD_REQUEST),
        (b'{"v":1,"id":-1,"op":"status"}', ErrorCode.BAD_REQUEST),
        (b'{"v":1,"id":1,"op":"Status!"}', ErrorCode.BAD_REQUEST),
        (b'{"v":1,"id":1,"op":"status","args":[]}', ErrorCode.BAD_REQUEST),
        (b'{"v":1,"id":1,"op":"status","extra":1}', ErrorCode.BAD_REQUEST),
        (b'{"v":1,"id":1,"op":"x","args":{"n":NaN}}', ErrorCode.BAD_JSON),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), ErrorCode.BAD_JSON),
        (b'{"v":1,"id":1,"op":"x","args":{"n":' + b"9" * 5000 + b"}}", ErrorCode.BAD_JSON),
    ],
)
def test_parse_request_names_what_is_wrong(payload: bytes, code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_request(payload)
    assert info.value.code is code


def test_error_keeps_the_id_when_it_could_be_read() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_request(b'{"v":1,"id":42,"op":"status","args":"no"}')
    assert info.value.req_id == 42


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_parse_request_only_ever_raises_protocol_errors(data: bytes) -> None:
    code: ErrorCode | None = None
    try:
        req = parse_request(data)
    except ProtocolError as exc:
        code = exc.code
    else:
        assert req.req_id >= 0
    assert code is None or isinstance(code, ErrorCode)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='[]{}"\\ab,:', max_size=200))
def test_depth_scan_agrees_with_a_recursive_count(text: str) -> None:
    """The linear depth check never lets a deeper-than-allowed document through."""
    depth = best = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            esc, in_str = (False, in_str) if esc else (ch == "\\", ch != '"')
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    assert json_depth_ok(text, 3) == (best <= 3)


# --- against a live daemon ----------------------------------------------------------------------


def test_invalid_utf8_gets_bad_json_and_the_connection_stays(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        peer.send_raw(encode_frame(b'{"v":1,"id":1,"op":"status","args":{"x":"\xff"}}'))
        assert error_code(peer.recv()) == "bad_json"
        assert peer.call(2, "status")["ok"] is True
    _served(daemon_home)


def test_invalid_json_gets_bad_json(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        peer.send_raw(encode_frame(b"{]"))
        reply = peer.recv()
        assert error_code(reply) == "bad_json"
        assert reply is not None and reply["id"] is None
    _served(daemon_home)


def test_oversize_length_gets_too_large_then_close(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        peer.send_raw((64 * 1024 * 1024).to_bytes(4, "big") + b"{")
        assert error_code(peer.recv()) == "too_large"
        assert peer.closed()
    _served(daemon_home)


def test_zero_length_frame_gets_bad_frame_then_close(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.send_raw(b"\x00\x00\x00\x00")
        assert error_code(peer.recv()) == "bad_frame"
        assert peer.closed()
    _served(daemon_home)


def test_unknown_version_gets_unsupported_version_then_close(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        peer.send({"v": 9, "id": 5, "op": "status", "args": {}})
        reply = peer.recv()
        assert error_code(reply) == "unsupported_version"
        assert reply is not None and reply["id"] == 5
        assert peer.closed()
    _served(daemon_home)


def test_unknown_op_gets_unknown_op(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        assert error_code(peer.call(3, "no.such.op")) == "unknown_op"
        assert peer.call(4, "status")["ok"] is True


def test_first_op_must_be_hello(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        assert error_code(peer.call(1, "status")) == "bad_request"
        assert peer.hello()["ok"] is True
        assert error_code(peer.call(2, "hello", {"role": "client"})) == "bad_request"


def test_truncated_frame_then_eof_closes_without_a_reply(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        frame = encode_frame(b'{"v":1,"id":1,"op":"status","args":{}}')
        peer.send_raw(frame[: len(frame) // 2])
        peer.sock.shutdown(1)  # half-close: the rest never comes
        assert peer.closed()
        assert peer.pending == []
    _served(daemon_home)


def test_ids_are_echoed_and_answered_in_order(daemon_home: Path) -> None:
    """Out-of-order ids: every id is answered once, in the order the requests were sent."""
    ids = [900, 3, 77, 3, 0, 2**40, 12]
    with RawPeer(daemon_home) as peer:
        peer.hello()
        peer.send_raw(
            b"".join(
                encode_frame(json.dumps({"v": 1, "id": i, "op": "status", "args": {}}).encode())
                for i in ids
            )
        )
        got = [peer.recv() for _ in ids]
        assert [r["id"] for r in got if r is not None] == ids
        assert all(r is not None and r["ok"] is True for r in got)


def test_bad_arguments_are_bad_request_not_a_crash(daemon_home: Path) -> None:
    with RawPeer(daemon_home) as peer:
        peer.hello()
        assert error_code(peer.call(1, "check", {"tool": 5})) == "bad_request"
        assert error_code(peer.call(2, "check", {"tool": "Read", "workspace": "rel"})) == (
            "bad_request"
        )
        assert error_code(peer.call(3, "task.get", {"task_id": "task-nope"})) == "not_found"
        assert error_code(peer.call(4, "record", {"kind": "task.completed"})) == "forbidden"
        assert error_code(peer.call(5, "record", {"kind": "BAD KIND"})) == "bad_request"
        assert peer.call(6, "status")["ok"] is True


frames = st.one_of(
    st.binary(min_size=1, max_size=200),
    st.dictionaries(
        st.sampled_from(["v", "id", "op", "args", "x"]),
        st.one_of(
            st.integers(min_value=-2, max_value=3),
            st.sampled_from(["status", "check", "hello", "redact", "secret.inject", "shutdown"]),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
            st.none(),
        ),
        max_size=5,
    ).map(lambda d: json.dumps(d).encode()),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(frames, min_size=1, max_size=5))
def test_random_frames_against_a_live_kernel(daemon_home: Path, batch: list[bytes]) -> None:
    """Random frames from a client role: each gets a reply or a close, never a crash, and never
    a shutdown or a secret (the client role cannot call those)."""
    with RawPeer(daemon_home) as peer:
        peer.hello()
        peer.send_raw(b"".join(encode_frame(f) for f in batch))
        peer.sock.shutdown(1)
        replies: list[dict[str, object]] = []
        while (reply := peer.recv()) is not None:
            replies.append(reply)
        assert len(replies) <= len(batch)
        for reply in replies:
            assert reply["v"] == 1
            assert reply["ok"] in (True, False)
            result = reply.get("result")
            assert not (isinstance(result, dict) and ("value" in result or "stopping" in result))
    _served(daemon_home)
