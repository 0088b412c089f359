"""The on-disk line layout of one event-log record (format version 1).

Every record is one line of compact, ASCII-only JSON whose key order is fixed::

    {"v":1,"seq":N,"ts":MS,"kind":"K","actor":"A","task":T,"job":J,"session":S,"payload":P,
     "prev":"<64 hex>","hash":"<64 hex>"}

``hash`` is the SHA-256 of every byte of the line before ``,"hash":"`` (so it covers ``prev``),
and ``prev`` is the previous record's ``hash`` (64 zeros for the very first record). Because the
last 149 bytes of a line always have the same shape, a verifier can check the hash, the chain
link and the sequence number by slicing bytes, without a full JSON parse of every record; `jq`
still reads each line as an ordinary object.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from crustcore_nano.errors import UsageError

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
#: Hard upper bound on one encoded record, newline included; readers never buffer more.
MAX_RECORD_BYTES = 1 << 20

HASH_FIELD = b',"hash":"'
PREV_FIELD = b',"prev":"'
#: Bytes after the hashed body: ``,"hash":"`` + 64 hex + ``"}`` (newline not counted).
TAIL_LEN = len(HASH_FIELD) + 64 + 2
#: The hashed body always ends with ``,"prev":"`` + 64 hex + ``"``.
PREV_TAIL_LEN = len(PREV_FIELD) + 64 + 1
MIN_LINE_LEN = 40 + TAIL_LEN + PREV_TAIL_LEN

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
_KIND_RE = re.compile(r"[a-z][a-z0-9_]{0,31}(?:\.[a-z0-9_]{1,32}){0,4}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")

#: Kinds only the log itself writes; `EventLog.append` refuses them.
KIND_CHECKPOINT = "log.checkpoint"
KIND_RECOVERED = "log.recovered"
KIND_RECEIPT = "tool.receipt"
KIND_TOOL_COMPLETED = "tool.completed"
RESERVED_PREFIX = "log."

_sha256 = hashlib.sha256
_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))


_SORTED_ENCODER = json.JSONEncoder(
    ensure_ascii=True, allow_nan=False, separators=(",", ":"), sort_keys=True
)


def _c_encoder(fallback: json.JSONEncoder) -> Callable[[object, int], list[str]] | None:
    """`fallback`'s C encoder (without an indent), built once: ``JSONEncoder.encode`` builds a
    new one per call. Without the circular-reference table a cycle ends in RecursionError,
    which callers report. None where the C encoder is not available."""
    maker = getattr(json.encoder, "c_make_encoder", None)
    if maker is None:
        return None
    strings = (
        json.encoder.encode_basestring_ascii
        if fallback.ensure_ascii
        else json.encoder.encode_basestring
    )
    try:
        return cast(
            "Callable[[object, int], list[str]]",
            maker(
                None,
                fallback.default,
                strings,
                None,
                fallback.key_separator,
                fallback.item_separator,
                fallback.sort_keys,
                fallback.skipkeys,
                fallback.allow_nan,
            ),
        )
    except TypeError:
        return None


def make_dict_encoder(fallback: json.JSONEncoder) -> Callable[[dict[str, object]], str]:
    """``fallback.encode`` for a value already known to be a dict (see `_c_encoder`)."""
    encode_chunks = _c_encoder(fallback)
    if encode_chunks is None:
        return fallback.encode
    join = "".join

    def encode(value: dict[str, object]) -> str:
        return join(encode_chunks(value, 0))

    return encode


def _make_fast_encoder(fallback: json.JSONEncoder) -> Callable[[object], str]:
    """``fallback.encode``, through the C encoder of `_c_encoder` for a dict."""
    encode_chunks = _c_encoder(fallback)
    if encode_chunks is None:
        return fallback.encode

    def encode(value: object) -> str:
        if isinstance(value, dict):
            return "".join(encode_chunks(value, 0))  # pyright: ignore[reportUnknownArgumentType]
        return fallback.encode(value)

    return encode


_DUMPS = _make_fast_encoder(_ENCODER)
_DUMPS_SORTED = _make_fast_encoder(_SORTED_ENCODER)


_DUMPS_DICT = make_dict_encoder(_ENCODER)


def dumps_payload(payload: Mapping[str, object]) -> tuple[dict[str, object], str]:
    """A caller's payload as a plain dict and as compact ASCII JSON (the writer's hot path);
    raises UsageError as `payload_mapping` and `dumps_compact` do."""
    if type(payload) is dict:
        plain: dict[str, object] = payload  # pyright: ignore[reportUnknownVariableType]
    else:
        plain = payload_mapping(payload)
    try:
        return plain, _DUMPS_DICT(plain)
    except (TypeError, ValueError, RecursionError) as exc:
        raise UsageError(f"event-log payload is not plain JSON data: {exc}") from None


@dataclass(frozen=True, slots=True)
class EncodedPayload:
    """A payload already encoded the way the writer encodes one; made by `complete_head` only."""

    text: str


def payload_head(payload: Mapping[str, object], key: str) -> str:
    """The encoding of ``payload`` with ``key`` added last, up to that key's value: what
    `encode_after` completes. A caller that logs many payloads differing only in that value can
    keep the head and skip encoding the rest again."""
    if not key.isidentifier() or not key.isascii() or key in payload:
        raise UsageError(f"payload_head: {key!r:.40} is not a new plain key")
    head = dumps_payload(payload)[1]
    comma = "," if len(head) > 2 else ""
    return f'{head[:-1]}{comma}"{key}":'


def encode_after(head: str, value: object) -> tuple[EncodedPayload, int]:
    """The payload `payload_head` began, with ``value`` as its last value, encoded as
    `dumps_payload` encodes a payload, and the length of ``value``'s JSON there (the same as
    ``len(canonical_json(value))``: the order of keys does not change a length). A caller that
    bounds a value by its size thus encodes it once, not once to measure and again to write."""
    return complete_head(head, dumps_compact(value))


def complete_head(head: str, tail: str) -> tuple[EncodedPayload, int]:
    """`encode_after` for a value the caller has already encoded with `dumps_compact`."""
    return EncodedPayload(f"{head}{tail}}}"), len(tail)


def dumps_compact(value: object) -> str:
    """Compact ASCII JSON; raises UsageError for anything JSON cannot represent faithfully."""
    try:
        return _DUMPS(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise UsageError(f"event-log payload is not plain JSON data: {exc}") from None


def canonical_json(value: object) -> bytes:
    """Sorted-key compact JSON: the byte form MACs and seals are computed over."""
    return _DUMPS_SORTED(value).encode("ascii")


def as_object(value: object) -> dict[str, object] | None:
    """Narrow decoded JSON to an object (JSON object keys are always strings)."""
    if isinstance(value, dict):
        return cast("dict[str, object]", value)
    return None


def as_list(value: object) -> list[object] | None:
    if isinstance(value, list):
        return cast("list[object]", value)
    return None


def is_hex64(text: object) -> bool:
    return isinstance(text, str) and _HEX64_RE.fullmatch(text) is not None


def check_id(field: str, value: str | None) -> str | None:
    """Ids are short and drawn from a charset that JSON writes without escapes, so a reader can
    slice them out of a line without parsing it."""
    if value is None:
        return None
    if not isinstance(value, str) or _ID_RE.fullmatch(value) is None:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise UsageError(
            f"event-log {field} must be 1-128 characters of [A-Za-z0-9._:@/+=-] starting with a "
            f"letter or digit, got {value!r:.80}"
        )
    return value


def check_kind(kind: str) -> str:
    if not isinstance(kind, str) or _KIND_RE.fullmatch(kind) is None:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise UsageError(
            "event-log kind must be dotted lowercase words such as 'tool.completed', "
            f"got {kind!r:.80}"
        )
    return kind


def record_middle(
    *,
    ts_ms: int,
    kind: str,
    actor: str,
    task_id: str | None,
    job_id: str | None,
    session_id: str | None,
    payload_json: str,
) -> str:
    """The part of a line between the sequence number and the prev hash; it depends on neither,
    so the writer builds it before taking its lock."""
    task = "null" if task_id is None else f'"{task_id}"'
    job = "null" if job_id is None else f'"{job_id}"'
    session = "null" if session_id is None else f'"{session_id}"'
    return (
        f',"ts":{ts_ms},"kind":"{kind}","actor":"{actor}","task":{task},"job":{job},'
        f'"session":{session},"payload":{payload_json},"prev":"'
    )


def seal_line(seq: int, middle: str, prev_hash: str) -> tuple[bytes, bytes]:
    """Join the parts of a line, hash it, and return (line with newline, raw 32-byte hash)."""
    line, digest, _ = seal_line_hex(seq, middle, prev_hash)
    return line, digest


def seal_line_hex(seq: int, middle: str, prev_hash: str) -> tuple[bytes, bytes, str]:
    """`seal_line`, also returning the hash as hex (the writer's hot path needs both)."""
    body = f'{{"v":{FORMAT_VERSION},"seq":{seq}{middle}{prev_hash}"'
    digest = _sha256(body.encode("ascii")).digest()
    record_hash = digest.hex()
    return f'{body},"hash":"{record_hash}"}}\n'.encode("ascii"), digest, record_hash


def encode_record(
    *,
    seq: int,
    ts_ms: int,
    kind: str,
    actor: str,
    task_id: str | None,
    job_id: str | None,
    session_id: str | None,
    payload_json: str,
    prev_hash: str,
) -> tuple[bytes, bytes]:
    """Build one record line (newline included) and return it with its raw 32-byte hash.

    The caller has validated kind and ids; `payload_json` comes from `dumps_compact`.
    """
    middle = record_middle(
        ts_ms=ts_ms,
        kind=kind,
        actor=actor,
        task_id=task_id,
        job_id=job_id,
        session_id=session_id,
        payload_json=payload_json,
    )
    return seal_line(seq, middle, prev_hash)


@dataclass(frozen=True, slots=True)
class Record:
    """One verified record, decoded."""

    seq: int
    ts_ms: int
    kind: str
    actor: str
    task_id: str | None
    job_id: str | None
    session_id: str | None
    payload: dict[str, object]
    prev_hash: str
    record_hash: str
    segment: str
    offset: int

    def to_json(self) -> dict[str, object]:
        return {
            "v": FORMAT_VERSION,
            "seq": self.seq,
            "ts": self.ts_ms,
            "kind": self.kind,
            "actor": self.actor,
            "task": self.task_id,
            "job": self.job_id,
            "session": self.session_id,
            "payload": self.payload,
            "prev": self.prev_hash,
            "hash": self.record_hash,
        }


_KEYS = ("v", "seq", "ts", "kind", "actor", "task", "job", "session", "payload", "prev", "hash")


def decode_fields(
    obj: object,
) -> tuple[int, int, str, str, str | None, str | None, str | None, dict[str, object]] | str:
    """Check the decoded JSON object of a line has exactly the v1 shape.

    Returns ``(seq, ts, kind, actor, task, job, session, payload)`` or a reason string.
    """
    if not isinstance(obj, dict):
        return "record is not a JSON object"
    fields: dict[str, object] = obj  # pyright: ignore[reportUnknownVariableType]
    if tuple(fields) != _KEYS:
        return "record keys are not the version-1 layout"
    seq, ts, kind, actor = fields["seq"], fields["ts"], fields["kind"], fields["actor"]
    payload = fields["payload"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        return "seq is not a non-negative integer"
    if not isinstance(ts, int) or isinstance(ts, bool) or ts < 0:
        return "ts is not a non-negative integer"
    if not isinstance(kind, str) or _KIND_RE.fullmatch(kind) is None:
        return "kind is not a valid kind name"
    if not isinstance(actor, str) or _ID_RE.fullmatch(actor) is None:
        return "actor is not a valid id"
    ids: list[str | None] = []
    for key in ("task", "job", "session"):
        value = fields[key]
        if value is not None and (not isinstance(value, str) or _ID_RE.fullmatch(value) is None):
            return f"{key} is not null or a valid id"
        ids.append(value)
    if not isinstance(payload, dict):
        return "payload is not a JSON object"
    typed_payload: dict[str, object] = payload  # pyright: ignore[reportUnknownVariableType]
    return (seq, ts, kind, actor, ids[0], ids[1], ids[2], typed_payload)


def payload_mapping(payload: Mapping[str, object]) -> dict[str, object]:
    if not isinstance(payload, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise UsageError("event-log payload must be a mapping of str to JSON values")
    out: dict[str, object] = {}
    for key, value in payload.items():
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UsageError("event-log payload keys must be strings")
        out[key] = value
    return out
