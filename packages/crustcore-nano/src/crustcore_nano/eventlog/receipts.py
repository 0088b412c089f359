"""Tool receipts: a MAC'd statement that one exact result was shown for one exact tool call.

A receipt is the payload of a ``tool.receipt`` record. Its canonical body (sorted-key compact JSON
of every field except ``mac``) binds task, job, tool call, tool name, the SHA-256 of the canonical
arguments, the SHA-256 of the exact result text shown to the model, artifact hashes, the receipt's
own log sequence number, the sequence number of the ``tool.completed`` record it vouches for, and
the hash of the previous receipt's body. ``mac = HMAC-SHA256(receipt_key, "crustcore/receipt/v1\\n"
|| body)``. Receipts therefore form their own chain: dropping or reordering one breaks the link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from crustcore_nano.errors import UsageError

from .record import GENESIS_HASH, as_list, canonical_json, is_hex64

RECEIPT_LABEL = b"crustcore/receipt/v1\n"
RECEIPT_FIELDS = (
    "args_sha256",
    "artifacts",
    "completion_seq",
    "job_id",
    "mac",
    "prev_receipt",
    "result_sha256",
    "seq",
    "task_id",
    "tool_call_id",
    "tool_name",
)


def result_digest(shown_result: str) -> str:
    """SHA-256 (hex) of the exact text shown to the model, as UTF-8."""
    return hashlib.sha256(shown_result.encode("utf-8", errors="surrogatepass")).hexdigest()


def args_digest(args: object) -> str:
    """SHA-256 (hex) of the canonical JSON form of the tool arguments."""
    try:
        return hashlib.sha256(canonical_json(args)).hexdigest()
    except (TypeError, ValueError, RecursionError) as exc:
        raise UsageError(f"receipt arguments are not plain JSON data: {exc}") from None


def receipt_body(fields: dict[str, object]) -> bytes:
    return canonical_json({key: value for key, value in fields.items() if key != "mac"})


def receipt_hash(fields: dict[str, object]) -> str:
    """The chain hash of a receipt (its body, MAC excluded)."""
    return hashlib.sha256(receipt_body(fields)).hexdigest()


def receipt_mac(key: bytes, fields: dict[str, object]) -> str:
    return hmac.new(key, RECEIPT_LABEL + receipt_body(fields), hashlib.sha256).hexdigest()


def build_receipt(
    *,
    key: bytes,
    seq: int,
    task_id: str,
    job_id: str,
    tool_call_id: str,
    tool_name: str,
    args_sha256: str,
    result_sha256: str,
    artifacts: Sequence[str],
    completion_seq: int,
    prev_receipt: str,
) -> dict[str, object]:
    fields: dict[str, object] = {
        "args_sha256": args_sha256,
        "artifacts": list(artifacts),
        "completion_seq": completion_seq,
        "job_id": job_id,
        "prev_receipt": prev_receipt,
        "result_sha256": result_sha256,
        "seq": seq,
        "task_id": task_id,
        "tool_call_id": tool_call_id,
        "tool_name": tool_name,
    }
    fields["mac"] = receipt_mac(key, fields)
    return fields


def receipt_shape_error(payload: dict[str, object]) -> str | None:
    """Why a ``tool.receipt`` payload is not a well-formed receipt, or None."""
    if tuple(sorted(payload)) != RECEIPT_FIELDS:
        return "receipt fields are not the version-1 set"
    for key in ("args_sha256", "result_sha256", "mac", "prev_receipt"):
        if not is_hex64(payload[key]):
            return f"receipt {key} is not a SHA-256 hex digest"
    for key in ("seq", "completion_seq"):
        value = payload[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"receipt {key} is not a sequence number"
    for key in ("task_id", "job_id", "tool_call_id", "tool_name"):
        if not isinstance(payload[key], str):
            return f"receipt {key} is not a string"
    artifacts = as_list(payload["artifacts"])
    if artifacts is None:
        return "receipt artifacts is not a list"
    for item in artifacts:
        if not is_hex64(item):
            return "receipt artifact is not a SHA-256 hex digest"
    return None


def mac_matches(key: bytes, payload: dict[str, object]) -> bool:
    mac = payload.get("mac")
    return isinstance(mac, str) and hmac.compare_digest(receipt_mac(key, payload), mac)


def check_receipt_body(key: bytes | None, payload: dict[str, object]) -> tuple[bool, str]:
    """Encode a receipt's body once and return (MAC genuine, chain hash); the MAC counts as
    genuine when no key is given (it cannot be checked)."""
    body = receipt_body(payload)
    mac = payload.get("mac")
    genuine = key is None or (
        isinstance(mac, str)
        and hmac.compare_digest(hmac.digest(key, RECEIPT_LABEL + body, "sha256").hex(), mac)
    )
    return genuine, hashlib.sha256(body).hexdigest()


__all__ = [
    "GENESIS_HASH",
    "args_digest",
    "build_receipt",
    "check_receipt_body",
    "mac_matches",
    "receipt_hash",
    "receipt_shape_error",
    "result_digest",
]
