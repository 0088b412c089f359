"""Optional encryption at rest of record payloads (AES-256-GCM, via the `cryptography` extra).

This is the only module of the event log that touches a third-party package, and only inside
functions, so `crustcore_nano` stays importable with the standard library alone. An encrypted
payload is ``{"$enc":"aes-256-gcm","nonce":HEX,"ct":HEX}``; the associated data binds it to its
sequence number, so a ciphertext moved to another record fails to decrypt. The hash chain and the
Merkle tree cover the ciphertext: integrity is checkable without the key.
"""

from __future__ import annotations

import json
import os
from typing import Protocol, cast

from crustcore_nano.errors import LogError, UsageError

ENC_MARKER = "$enc"
ENC_SCHEME = "aes-256-gcm"
_INSTALL_HINT = "install the extra: pip install 'crustcore-nano[crypto]'"


class _Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...
    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


def _aead(key: bytes) -> _Aead:
    if len(key) != 32:
        raise UsageError("the event-log encryption key must be exactly 32 bytes (AES-256)")
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise LogError(
            f"event-log encryption needs the 'cryptography' package; {_INSTALL_HINT}"
        ) from None
    return cast(_Aead, AESGCM(key))


def _aad(seq: int) -> bytes:
    return b"crustcore/log-payload/v1:%d" % seq


class PayloadCipher:
    """Encrypts and decrypts payload JSON for one key."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        self._aead = _aead(key)

    def __repr__(self) -> str:
        return "PayloadCipher(<redacted>)"

    def encrypt(self, seq: int, payload_json: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, payload_json.encode("ascii"), _aad(seq))
        return json.dumps(
            {ENC_MARKER: ENC_SCHEME, "nonce": nonce.hex(), "ct": ct.hex()}, separators=(",", ":")
        )

    def decrypt(self, seq: int, payload: dict[str, object]) -> dict[str, object]:
        """Decrypt one payload; raises LogError when it is not genuine for this key and seq."""
        nonce, ct = payload.get("nonce"), payload.get("ct")
        if (
            payload.get(ENC_MARKER) != ENC_SCHEME
            or not isinstance(nonce, str)
            or not isinstance(ct, str)
        ):
            raise LogError(f"record {seq}: not an {ENC_SCHEME} payload")
        try:
            plain = self._aead.decrypt(bytes.fromhex(nonce), bytes.fromhex(ct), _aad(seq))
        except ValueError:
            raise LogError(f"record {seq}: encrypted payload is malformed") from None
        except Exception as exc:  # cryptography raises InvalidTag, a plain Exception subclass
            raise LogError(
                f"record {seq}: payload does not decrypt under this key ({type(exc).__name__})"
            ) from None
        try:
            obj: object = json.loads(plain)
        except (ValueError, RecursionError):
            raise LogError(f"record {seq}: decrypted payload is not JSON") from None
        if not isinstance(obj, dict):
            raise LogError(f"record {seq}: decrypted payload is not a JSON object")
        return cast(dict[str, object], obj)


def is_encrypted(payload: dict[str, object]) -> bool:
    return payload.get(ENC_MARKER) == ENC_SCHEME
