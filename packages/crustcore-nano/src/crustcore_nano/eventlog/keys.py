"""Key material of the event log and the files that hold it.

``home/keys/`` (0700) holds, each 0600:

- ``log-receipt.key``: the 32-byte MAC key of tool receipts (fixed for the life of the log);
- ``log-seal.key``: the current forward-secure sealing key and its epoch. Each checkpoint is
  sealed with the key of the next epoch and the key is then replaced by
  ``HMAC-SHA256(key, EVOLVE_LABEL)``; the old key is overwritten in memory and the file replaced,
  so a thief of the machine holds only keys for epochs that have not been sealed yet;
- ``log-verify.key``: the epoch-0 sealing key, written once. From it every epoch's key can be
  derived, so it verifies every seal; the user should copy it somewhere the machine (and the agent)
  cannot reach and may delete it here.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.errors import LogError, UsageError

from .record import canonical_json, is_hex64

EVOLVE_LABEL = b"crustcore/log-seal/evolve/v1"
SEAL_LABEL = b"crustcore/log-seal/v1\n"
RECEIPT_KEY_FILE = "log-receipt.key"
SEAL_KEY_FILE = "log-seal.key"
VERIFY_KEY_FILE = "log-verify.key"
_KEY_FILE_MAX = 4096


def evolve(key: bytes) -> bytes:
    """One-way step from an epoch's sealing key to the next one's."""
    return hmac.new(key, EVOLVE_LABEL, hashlib.sha256).digest()


def key_for_epoch(verify_key: bytes, epoch: int) -> bytes:
    key = verify_key
    for _ in range(epoch):
        key = evolve(key)
    return key


def seal_message(*, epoch: int, tree_size: int, root_hex: str, ts_ms: int) -> bytes:
    return SEAL_LABEL + canonical_json(
        {"epoch": epoch, "root": root_hex, "tree_size": tree_size, "ts": ts_ms}
    )


def compute_seal(key: bytes, *, epoch: int, tree_size: int, root_hex: str, ts_ms: int) -> str:
    message = seal_message(epoch=epoch, tree_size=tree_size, root_hex=root_hex, ts_ms=ts_ms)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def write_private_file(path: Path, data: bytes) -> None:
    """Write a 0600 file atomically (temp file, fsync, rename, fsync of the directory)."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _read_small(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(_KEY_FILE_MAX + 1)
    except OSError as exc:
        raise LogError(f"cannot read key file {path}: {exc.strerror or exc}") from None
    if len(data) > _KEY_FILE_MAX:
        raise LogError(f"key file {path} is too large to be a CrustCore key")
    return data


def parse_key_text(data: bytes, source: str) -> bytes:
    """A key file holds 64 hex digits (optionally inside the JSON seal-state form)."""
    text = data.decode("ascii", errors="replace").strip()
    if text.startswith("{"):
        return read_seal_state_bytes(data, source).key
    if len(text) != 64:
        raise UsageError(f"{source} is not a CrustCore key (expected 64 hex digits)")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise UsageError(f"{source} is not a CrustCore key (expected 64 hex digits)") from None


def load_key_file(path: Path) -> bytes:
    return parse_key_text(_read_small(path), str(path))


@dataclass(frozen=True, slots=True)
class CheckpointRef:
    """Where the checkpoint sealed with the previous epoch's key is: its sequence number, segment
    index, byte offset and record hash. Written with the evolved key, so the writer can resume
    from that checkpoint on open instead of re-reading the whole log; the hash ties the pointer
    to the exact line (a changed checkpoint no longer matches and open re-verifies everything).
    """

    seq: int
    segment: int
    offset: int
    record_hash: str

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "segment": self.segment,
            "offset": self.offset,
            "hash": self.record_hash,
        }


@dataclass(frozen=True, slots=True)
class SealState:
    """The sealing key of the next checkpoint and that checkpoint's epoch (and, when known,
    where the previous checkpoint is)."""

    epoch: int
    key: bytes
    checkpoint: CheckpointRef | None = None

    def __repr__(self) -> str:
        return f"SealState(epoch={self.epoch}, key=<redacted>, checkpoint={self.checkpoint!r})"


def _parse_checkpoint_ref(value: object) -> CheckpointRef | None:
    """The optional pointer of a seal-key file; anything malformed counts as absent (open then
    verifies the whole log, which is always safe)."""
    if not isinstance(value, dict):
        return None
    fields: dict[str, object] = value  # pyright: ignore[reportUnknownVariableType]
    numbers = [fields.get(key) for key in ("seq", "segment", "offset")]
    record_hash = fields.get("hash")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
        return None
    if not isinstance(record_hash, str) or not is_hex64(record_hash):
        return None
    seq, segment, offset = (int(str(n)) for n in numbers)
    return CheckpointRef(seq, segment, offset, record_hash)


def read_seal_state_bytes(data: bytes, source: str) -> SealState:
    try:
        obj: object = json.loads(data)
    except (ValueError, RecursionError):
        raise LogError(f"{source} is not a CrustCore seal-key file") from None
    if not isinstance(obj, dict):
        raise LogError(f"{source} is not a CrustCore seal-key file")
    fields: dict[str, object] = obj  # pyright: ignore[reportUnknownVariableType]
    epoch, key, version = fields.get("epoch"), fields.get("key"), fields.get("v")
    if version != 1:
        raise LogError(f"{source} has an unsupported seal-key format version {version!r}")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise LogError(f"{source} has no valid epoch")
    if not isinstance(key, str) or len(key) != 64:
        raise LogError(f"{source} has no valid key")
    try:
        raw = bytes.fromhex(key)
    except ValueError:
        raise LogError(f"{source} has no valid key") from None
    ref = _parse_checkpoint_ref(fields.get("checkpoint"))
    return SealState(epoch=epoch, key=raw, checkpoint=ref)


def read_seal_state(path: Path) -> SealState:
    return read_seal_state_bytes(_read_small(path), str(path))


def write_seal_state(path: Path, state: SealState) -> None:
    fields: dict[str, object] = {"v": 1, "epoch": state.epoch, "key": state.key.hex()}
    if state.checkpoint is not None:
        fields["checkpoint"] = state.checkpoint.to_json()
    text = json.dumps(fields) + "\n"
    write_private_file(path, text.encode("ascii"))


@dataclass(frozen=True, slots=True)
class LogKeys:
    receipt_key: bytes
    seal: SealState

    def __repr__(self) -> str:
        return f"LogKeys(receipt_key=<redacted>, seal={self.seal!r})"


def ensure_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)


def load_or_create_keys(keys_dir: Path) -> tuple[LogKeys, bool]:
    """Load the log keys, creating all three files on first use. Returns (keys, created)."""
    ensure_private_dir(keys_dir)
    receipt_path = keys_dir / RECEIPT_KEY_FILE
    seal_path = keys_dir / SEAL_KEY_FILE
    verify_path = keys_dir / VERIFY_KEY_FILE
    created = False
    if not receipt_path.exists():
        write_private_file(receipt_path, (secrets.token_bytes(32).hex() + "\n").encode("ascii"))
        created = True
    if not seal_path.exists():
        if verify_path.exists():
            raise LogError(
                f"{seal_path} is missing but {verify_path} exists: the sealing key was removed; "
                "move the old log and keys aside to start a new log"
            )
        initial = secrets.token_bytes(32)
        # The verification key goes first: if we crash between the two writes, the next open
        # refuses (above) instead of silently sealing with a key nobody can verify.
        write_private_file(verify_path, (initial.hex() + "\n").encode("ascii"))
        write_seal_state(seal_path, SealState(epoch=0, key=initial))
        created = True
    keys = LogKeys(receipt_key=load_key_file(receipt_path), seal=read_seal_state(seal_path))
    return keys, created
