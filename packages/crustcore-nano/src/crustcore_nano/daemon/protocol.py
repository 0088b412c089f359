"""Messages of the kernel socket (version 1): parsing requests, building replies.

A request is ``{"v": 1, "id": N, "op": "...", "args": {...}}``; a reply echoes ``v`` and ``id``
with either ``"ok": true, "result": ...`` or ``"ok": false, "error": {"code", "message"}``. This
module is pure: bytes in, values out. It bounds what ``json.loads`` may be asked to do (nesting
depth is checked by a linear scan first, since the C parser recurses), so a hostile frame costs
time linear in its size and a bounded stack.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from crustcore_nano.errors import CrustCoreError
from crustcore_nano.eventlog.record import make_dict_encoder

PROTOCOL_VERSION = 1
SERVER_NAME = "crustcore/0.1.0"
MAX_DEPTH = 32
MAX_ID = (1 << 63) - 1
_OP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._"
MAX_OP_LEN = 64
_REQUEST_FIELDS = frozenset({"v", "id", "op", "args"})


class ErrorCode(enum.Enum):
    BAD_FRAME = "bad_frame"
    BAD_JSON = "bad_json"
    BAD_REQUEST = "bad_request"
    UNKNOWN_OP = "unknown_op"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    INTERNAL = "internal"
    UNSUPPORTED_VERSION = "unsupported_version"
    TOO_LARGE = "too_large"


# After these errors the connection is closed: the stream or the peer cannot be trusted further.
CLOSING_CODES = frozenset({ErrorCode.BAD_FRAME, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.TOO_LARGE})


class ProtocolError(CrustCoreError):
    """A request that cannot be served; carries the wire error code and the request id."""

    def __init__(self, code: ErrorCode, message: str, *, req_id: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.req_id = req_id


@dataclass(frozen=True, slots=True)
class Request:
    req_id: int
    op: str
    args: dict[str, object] = field(default_factory=dict[str, object])


def json_depth_ok(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when no array/object nests deeper than ``limit`` (strings are skipped exactly)."""
    if text.count("[") + text.count("{") <= limit:
        return True  # the common case, decided by two C-speed counts
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _has_lone_surrogate(value: object) -> bool:
    """True when a string (value or key) anywhere in ``value`` holds an unpaired surrogate.

    ``json`` turns the escape ``\\ud800`` into a one-character string that no UTF-8 encoder
    accepts, so such a value could be stored but never echoed back, listed or logged as UTF-8.
    The walk is iterative; depth is already bounded by :func:`json_depth_ok`.
    """
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            for key, inner in cast("dict[str, object]", item).items():
                stack.append(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(cast("list[object]", item))
    return False


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# One decoder and one encoder for the life of the process: ``json.loads``/``json.dumps`` with
# any non-default option build a fresh coder object on every call, a measurable share of a
# request that costs tens of microseconds in all.
_DECODER = json.JSONDecoder(parse_constant=_no_constants)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_encode = _ENCODER.encode
_encode_dict = make_dict_encoder(_ENCODER)
_raw_decode = _DECODER.raw_decode


def loads_bounded(payload: bytes) -> object:
    """Strict UTF-8 JSON with bounded nesting; ``ProtocolError(BAD_JSON)`` otherwise."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            ErrorCode.BAD_JSON, f"frame is not valid UTF-8 (byte {exc.start})"
        ) from None
    if not json_depth_ok(text):
        raise ProtocolError(ErrorCode.BAD_JSON, f"JSON nests deeper than {MAX_DEPTH} levels")
    try:
        value: object = None
        try:
            value, end = _raw_decode(text)
        except ValueError:
            end = -1  # leading whitespace, or not JSON at all: the full decoder says which
        if end != len(text):
            # Trailing whitespace is still JSON; anything else makes this raise.
            value = _DECODER.decode(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"frame is not valid JSON: {exc}"[:200]) from None
    # A strict UTF-8 frame cannot carry a raw surrogate, so one can only come from an escape
    # ``\\uD800`` to ``\\uDFFF``: a false positive of this pre-check only costs the walk.
    if ("\\ud" in text or "\\uD" in text) and _has_lone_surrogate(value):
        raise ProtocolError(
            ErrorCode.BAD_JSON, "frame holds an unpaired UTF-16 surrogate escape (not valid text)"
        )
    return value


def as_object(value: object) -> dict[str, object] | None:
    """``value`` as a JSON object (whose keys are always strings), or None."""
    if not isinstance(value, dict):
        return None
    return cast("dict[str, object]", value)


def as_list(value: object) -> list[object] | None:
    if not isinstance(value, list):
        return None
    return cast("list[object]", value)


def parse_request(payload: bytes) -> Request:
    """Parse one request frame. Errors carry the id when it could be read."""
    doc = loads_bounded(payload)
    if not isinstance(doc, dict):
        raise ProtocolError(ErrorCode.BAD_REQUEST, "a request must be a JSON object")
    doc = cast("dict[str, object]", doc)
    raw_id = doc.get("id")
    req_id = raw_id if type(raw_id) is int and 0 <= raw_id <= MAX_ID else None
    version = doc.get("v")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_VERSION,
            f"protocol version {version!r:.20} is not supported; this kernel speaks v"
            f"{PROTOCOL_VERSION}",
            req_id=req_id,
        )
    if req_id is None:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, f"'id' must be an integer from 0 to {MAX_ID}", req_id=None
        )
    op = doc.get("op")
    # ``strip`` removes every allowed character from both ends: nothing is left exactly when the
    # name holds no other character (bounded work: the length is checked first).
    if not isinstance(op, str) or not op or len(op) > MAX_OP_LEN or op.strip(_OP_CHARS):
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, "'op' must be a short lowercase dotted name", req_id=req_id
        )
    args = doc.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError(ErrorCode.BAD_REQUEST, "'args' must be a JSON object", req_id=req_id)
    if not _REQUEST_FIELDS.issuperset(doc):
        extra = set(doc) - _REQUEST_FIELDS
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, f"unknown request field {sorted(extra)[0]!r:.40}", req_id=req_id
        )
    return Request(req_id, op, cast("dict[str, object]", args))


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON (the one encoding every frame body uses)."""
    return _encode(value).encode("utf-8")


def encode_request(req_id: int, op: str, args: Mapping[str, object]) -> bytes:
    return _encode(
        {
            "v": PROTOCOL_VERSION,
            "id": req_id,
            "op": op,
            "args": args if type(args) is dict else dict(args),
        }
    ).encode("utf-8")


_OK_HEAD = b'{"v":%d,"id":%%d,"ok":true,"result":' % PROTOCOL_VERSION
_OK_HEAD_NO_ID = b'{"v":%d,"id":null,"ok":true,"result":' % PROTOCOL_VERSION


def ok_reply(req_id: int | None, result: object) -> bytes:
    """The same bytes as ``dumps({"v": 1, "id": req_id, "ok": True, "result": result})``,
    without building and walking the envelope object for every answer."""
    if req_id is None:
        head = _OK_HEAD_NO_ID
    elif type(req_id) is int:
        head = _OK_HEAD % req_id
    else:  # an int subclass: let the encoder decide how it is spelled
        return dumps({"v": PROTOCOL_VERSION, "id": req_id, "ok": True, "result": result})
    if type(result) is dict:
        body = _encode_dict(cast("dict[str, object]", result))
    else:
        body = _encode(result)
    return head + body.encode("utf-8") + b"}"


def error_reply(req_id: int | None, code: ErrorCode, message: str) -> bytes:
    return dumps(
        {
            "v": PROTOCOL_VERSION,
            "id": req_id,
            "ok": False,
            "error": {"code": code.value, "message": message},
        }
    )


@dataclass(frozen=True, slots=True)
class Reply:
    req_id: int | None
    ok: bool
    result: object = None
    code: str = ""
    message: str = ""


def parse_reply(payload: bytes) -> Reply:
    """A client's view of one reply frame."""
    doc = as_object(loads_bounded(payload))
    if doc is None or doc.get("v") != PROTOCOL_VERSION:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, "the kernel sent a reply this client cannot read"
        )
    raw_id = doc.get("id")
    req_id = raw_id if type(raw_id) is int else None
    if doc.get("ok") is True:
        return Reply(req_id, True, doc.get("result"))
    err = as_object(doc.get("error"))
    if err is None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "the kernel sent an error without a body")
    code = err.get("code")
    message = err.get("message")
    return Reply(
        req_id,
        False,
        None,
        code if isinstance(code, str) else "internal",
        message if isinstance(message, str) else "",
    )
