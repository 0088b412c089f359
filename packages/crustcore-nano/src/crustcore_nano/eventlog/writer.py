"""The single writer of the event log.

One process holds ``home/log/writer.lock`` (``flock``) for as long as the log is open. Appends are
serialized by one lock and go to an in-memory batch that is written and ``fsync``ed once its oldest
record has waited `LogConfig.fsync_interval_ms` (group commit): by a background flusher thread, or,
with ``flush_thread=False``, by the appends themselves and the owner's timer (`EventLog.flush_due`).
`durable_seq` only ever covers records that were fsynced. Opening the log re-verifies it,
truncates a torn tail exactly to the last complete record, and writes a ``log.recovered`` record
saying so.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic as _monotonic
from types import TracebackType
from typing import cast

from crustcore_nano.errors import LogError, UsageError

from .encryption import PayloadCipher
from .keys import (
    SEAL_KEY_FILE,
    VERIFY_KEY_FILE,
    CheckpointRef,
    SealState,
    compute_seal,
    ensure_private_dir,
    evolve,
    key_for_epoch,
    load_key_file,
    load_or_create_keys,
    write_private_file,
    write_seal_state,
)
from .merkle import Frontier
from .receipts import args_digest, build_receipt, receipt_hash, result_digest
from .record import (
    KIND_CHECKPOINT,
    KIND_RECEIPT,
    KIND_RECOVERED,
    KIND_TOOL_COMPLETED,
    MAX_RECORD_BYTES,
    MIN_LINE_LEN,
    RESERVED_PREFIX,
    EncodedPayload,
    as_list,
    as_object,
    check_id,
    check_kind,
    decode_fields,
    dumps_compact,
    dumps_payload,
    is_hex64,
    record_middle,
    seal_line_hex,
)
from .segments import LOCK_FILE, Segment, list_segments, segment_name
from .syncer import Syncer, SyncerGone
from .verify import Completion, Reason, Scanner, completion_result_hash

SYSTEM_ACTOR = "crustcore"
MAX_RECEIPT_TOOL_NAME = 256  # characters of the tool name a receipt holds
_MAX_PENDING_COMPLETIONS = 100_000
_NO_FSYNC_BATCH_BYTES = 256 * 1024
_BACKPRESSURE_BYTES = 4 * 1024 * 1024
#: Group commit writes the batch once it holds this much, and fsyncs it when due: no one append
#: writes a whole interval's records (a few hundred KiB), and what is written survives the
#: process dying.
_WRITE_AHEAD_BYTES = 32 * 1024
#: How long after a hand-off an append looks for the syncer's answer (`_collect_answer`): the
#: fsync of one group commit's batch takes well under a millisecond on a local disk.
_ANSWER_LIKELY_S = 0.002
_NAME_CACHE_MAX = 4096
#: Sealing-key states kept while their checkpoints wait for an fsync (only the newest durable
#: one is written, so dropping the oldest past this loses nothing a later one does not cover).
_MAX_KEYS_WAITING = 64
#: Record hashes collected before they are folded into the Merkle frontier in one go.
_FOLD_AT = 4096


@dataclass(frozen=True, slots=True)
class LogConfig:
    """Tuning of one writer.

    ``fsync_interval_ms``: 0 fsyncs every append before it returns; a positive value is the group
    commit interval (at most that much acknowledged-but-not-durable data); None or negative never
    fsyncs on its own (benchmarks only; `EventLog.flush` still does).

    With a positive interval, an append that finds the oldest pending record has waited the
    interval writes and fsyncs the batch itself. ``flush_thread`` says who writes the last
    records when appends stop: True starts a background thread that does it every interval;
    False starts none, and the owner calls `EventLog.flush_due` from a timer of its own
    (`EventLog.on_pending` says when to arm it). The kernel daemon runs without the thread,
    because in CPython a second thread that wakes while the first is busy slows the first: it
    waits for the GIL, and each system call of the busy thread wakes it again.

    ``fsync_process`` (group commit only): the batch is written by whoever drains it, but its
    ``fsync`` is done by a child process (`crustcore_nano.eventlog.syncer`), so no append waits
    for the disk; at most one such fsync is outstanding, so a slow disk still holds the appends
    back. `durable_seq` advances when the child answers. If the child cannot start or dies, the
    log fsyncs inline again. The kernel daemon runs with it.
    """

    fsync_interval_ms: int | None = 10
    flush_thread: bool = True
    fsync_process: bool = False
    segment_max_bytes: int = 64 * 1024 * 1024
    checkpoint_every: int = 1000
    checkpoint_seconds: float = 60.0
    encrypt_key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.segment_max_bytes < 4096:
            raise UsageError("LogConfig.segment_max_bytes must be at least 4096")
        if self.checkpoint_every < 1:
            raise UsageError("LogConfig.checkpoint_every must be at least 1")
        if not self.checkpoint_seconds > 0:
            raise UsageError("LogConfig.checkpoint_seconds must be positive")
        if self.encrypt_key is not None and len(self.encrypt_key) != 32:
            raise UsageError("LogConfig.encrypt_key must be 32 bytes (AES-256)")


@dataclass(frozen=True, slots=True)
class AppendResult:
    seq: int
    record_hash: str


def _result_maker() -> Callable[[int, str], AppendResult]:
    """``AppendResult(seq, record_hash)`` without the frozen dataclass's ``__init__``, which sets
    each field through ``object.__setattr__`` and costs about as much as hashing the record. The
    slot descriptors store the same two fields directly; the instance is as immutable as ever."""
    make = object.__new__
    slots = vars(AppendResult)
    set_seq = slots["seq"].__set__
    set_hash = slots["record_hash"].__set__

    def result(seq: int, record_hash: str) -> AppendResult:
        made = make(AppendResult)
        set_seq(made, seq)
        set_hash(made, record_hash)
        return made

    return result


_new_result = _result_maker()


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """A torn tail found and cut on open; the same facts are logged as ``log.recovered``."""

    segment: str
    offset: int
    torn_bytes: int
    torn_sha256: str
    recorded_seq: int


@dataclass(frozen=True, slots=True)
class _Rotate:
    index: int


@dataclass(frozen=True, slots=True)
class _KeyStep:
    """Persist this sealing-key state once its checkpoint (record `seq`) is durable (see
    `_persist_key`)."""

    seq: int
    state: SealState


@dataclass(slots=True)
class _Batch:
    items: list[bytes | _Rotate | _KeyStep] = field(
        default_factory=list[bytes | _Rotate | _KeyStep]
    )
    key_steps: int = 0
    size: int = 0
    #: `time.monotonic()` when the first record of this batch was queued (0.0 while empty).
    started: float = 0.0
    #: Whether `EventLog.on_pending` has been told about this batch.
    announced: bool = False


def _read_holder(lock_path: Path) -> str:
    try:
        with lock_path.open("rb") as handle:
            return handle.read(200).decode("utf-8", "replace").strip() or "unknown process"
    except OSError:
        return "unknown process"


class EventLog:
    """The append-only, hash-chained, checkpointed event log of one CrustCore home."""

    def __init__(self, _token: object, home: Path, config: LogConfig) -> None:
        if _token is not _OPEN_TOKEN:
            raise UsageError("use EventLog.open(home) to open the event log")
        self._home = home
        self._config = config
        self._log_dir = home / "log"
        self._keys_dir = home / "keys"
        self._lock = threading.Lock()
        self._io_lock = threading.Lock()
        self._durable_cond = threading.Condition()
        self._batch = _Batch()
        self._closed = False
        self._failure: LogError | None = None
        self._durable_seq = -1
        #: Highest sequence number written to the segment (durable or not).
        self._written_seq = -1
        #: When the oldest record written ahead of its fsync was queued (None: none is).
        self._unsynced_since: float | None = None
        #: Sealing-key states, oldest first, whose checkpoints may not be durable yet.
        self._keys_waiting: list[_KeyStep] = []
        self._lock_fd = -1
        self._fd = -1
        self._segment_index = 0
        self._segment_bytes = 0
        self._next_seq = 0
        self._last_hash = "0" * 64
        self._frontier = Frontier()
        #: Record hashes appended since the frontier was last brought up to date.
        self._unfolded: list[bytes] = []
        self._last_receipt = "0" * 64
        self._seal = SealState(0, b"")
        self._since_checkpoint = 0
        self._last_checkpoint_ts: int | None = None
        self._last_ts = 0
        self._last_kind = ""
        self._completions: dict[int, Completion] = {}
        self._receipt_key = b""
        self._cipher: PayloadCipher | None = None
        self._flusher: threading.Thread | None = None
        self._syncer: Syncer | None = None
        # When an append should look for the syncer's answer (None: no request outstanding).
        self._answer_at: float | None = None
        self._stop = threading.Event()
        #: For an owner that drives group commit (``LogConfig(flush_thread=False)``): called,
        #: without arguments and outside the append lock, once per batch when an append queues
        #: its first record, so the owner can arm the timer that calls `flush_due`. It must not
        #: append to this log.
        self.on_pending: Callable[[], None] | None = None
        self.recovered: RecoveryReport | None = None
        #: The checkpoint `open` continued from (None when it verified the whole log), and how
        #: many records it read to get going.
        self.resumed_from: int | None = None
        self.open_records_scanned = 0
        self._known_kinds: set[str] = set()
        self._known_ids: set[str] = set()
        self._checkpoint_every = config.checkpoint_every
        self._segment_max = config.segment_max_bytes
        self._checkpoint_ms = int(config.checkpoint_seconds * 1000)
        #: The timestamp at or after which a time-based checkpoint is due (set on first append).
        self._checkpoint_due_ts = -1
        interval = config.fsync_interval_ms
        self._interval_s = interval / 1000.0 if interval is not None and interval > 0 else 0.0
        #: Batch size at which an append calls `_after_append`: always (fsync per append, or
        #: group commit, whose due time every append checks), or at the no-fsync write size.
        self._drain_at = _NO_FSYNC_BATCH_BYTES if interval is None or interval < 0 else 0

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, home: Path, *, config: LogConfig | None = None) -> EventLog:
        """Open (creating on first use) the log of `home`, take the writer lock, verify what is
        there, cut and record a torn tail, and start the group-commit flusher."""
        log = cls(_OPEN_TOKEN, Path(home), config or LogConfig())
        try:
            log._open()
        except BaseException:
            log._release_files()
            raise
        return log

    def _open(self) -> None:
        try:
            ensure_private_dir(self._home)
            ensure_private_dir(self._log_dir)
            self._take_lock()
            keys, _ = load_or_create_keys(self._keys_dir)
        except OSError as exc:
            raise LogError(
                f"cannot open the event log in {self._home}: {exc.strerror or exc}"
            ) from None
        self._receipt_key = keys.receipt_key
        if self._config.encrypt_key is not None:
            self._cipher = PayloadCipher(self._config.encrypt_key)
        segments = list_segments(self._log_dir)
        resumed = self._resume_scanner(keys.receipt_key, keys.seal, segments)
        if resumed is None:
            scanner = Scanner(receipt_key=keys.receipt_key, decrypt_key=self._config.encrypt_key)
            scanner.first_file = segments[0].path.name if segments else ""
            error = scanner.scan_segments(segments)
        else:
            scanner, ref = resumed
            self.resumed_from = ref.seq
            error = scanner.scan_segments(segments, start=ref.segment, offset=ref.offset)
        self.open_records_scanned = scanner.records_scanned
        pending_path = self._log_dir / _RECOVERY_PENDING
        recovery = _read_pending(pending_path)
        if error is not None:
            if (
                error.reason is not Reason.TORN_TAIL
                or scanner.torn is None
                or scanner.torn_file is None
            ):
                raise LogError(
                    f"the event log in {self._log_dir} is broken at seq {error.seq} ({error.file}, "
                    f"byte {error.offset}: {error.message}); CrustCore will not append to a "
                    f"broken log. Run `crustcore inspect {self._home}` and move the log aside to "
                    "start anew"
                )
            recovery = self._cut_torn_tail(
                scanner.torn_file, scanner.torn.offset, scanner.torn.length, pending_path
            )
        self._adopt(scanner, keys.seal, segments)
        self._open_segment(self._segment_index)
        self._durable_seq = self._written_seq = self._next_seq - 1
        if recovery is not None:
            # Recorded even if an earlier open was killed between cutting and recording.
            result = self._append_system(KIND_RECOVERED, int(time.time() * 1000), dict(recovery))
            self._drain(fsync=True)
            pending_path.unlink()
            self._fsync_dir()
            self.recovered = RecoveryReport(
                str(recovery["segment"]),
                int(str(recovery["offset"])),
                int(str(recovery["torn_bytes"])),
                str(recovery["torn_sha256"]),
                result.seq,
            )
        interval = self._config.fsync_interval_ms
        if interval is not None and interval > 0 and self._config.fsync_process:
            try:
                self._syncer = Syncer()
                self._syncer.follow(str(self._log_dir / segment_name(self._segment_index)))
            except OSError:
                self._drop_syncer()  # no child process: fsync inline, as without the option
        if interval is not None and interval > 0 and self._config.flush_thread:
            self._flusher = threading.Thread(
                target=self._flush_loop,
                args=(interval / 1000.0,),
                name="crustcore-log-flusher",
                daemon=True,
            )
            self._flusher.start()

    def _resume_scanner(
        self, receipt_key: bytes, seal: SealState, segments: list[Segment]
    ) -> tuple[Scanner, CheckpointRef] | None:
        """A scanner set up to continue from the checkpoint the sealing-key file points at, or
        None when that pointer is absent or does not check out (the caller then verifies the
        whole log, as it always may).

        The pointed-at line must be exactly the checkpoint the writer recorded (its record hash
        is in the key file, written after the checkpoint was durable), of the epoch just before
        the key's, with a saved tree edge that folds to its root and is as long as its tree size
        demands. When the verification key is still on this host, the seal itself is checked
        too (the scanner re-verifies that checkpoint line first). Everything after it is then
        verified record by record: hashes, chain, sequence numbers, receipts, later checkpoints.
        """
        ref = seal.checkpoint
        if ref is None or seal.epoch < 1 or not 0 <= ref.segment < len(segments):
            return None
        try:
            total = sum(segment.path.stat().st_size for segment in segments)
        except OSError:
            return None
        if total <= _FULL_SCAN_BYTES:
            return None  # small enough that checking every record costs next to nothing
        if any(segment.index != position for position, segment in enumerate(segments)):
            return None
        line = _read_line_at(segments[ref.segment].path, ref.offset)
        if line is None or len(line) < MIN_LINE_LEN or line[-75:-66] != b',"hash":"':
            return None
        record_hash = hashlib.sha256(line[:-75]).hexdigest()
        if line[-66:-2] != record_hash.encode() or record_hash != ref.record_hash:
            return None
        try:
            decoded = decode_fields(json.loads(line))
        except (ValueError, RecursionError):
            return None
        if isinstance(decoded, str):
            return None
        seq, _, kind, _, _, _, _, payload = decoded
        epoch, root, nodes, last_receipt = (
            payload.get("epoch"),
            payload.get("root"),
            payload.get("frontier"),
            payload.get("last_receipt"),
        )
        node_list = as_list(nodes)
        if (
            kind != KIND_CHECKPOINT
            or seq != ref.seq
            or payload.get("tree_size") != seq
            or epoch != seal.epoch - 1
            or not isinstance(root, str)
            or not isinstance(last_receipt, str)
            or not is_hex64(last_receipt)
            or node_list is None
            or not all(is_hex64(node) for node in node_list)
        ):
            return None
        frontier = Frontier.resume(seq, [bytes.fromhex(str(node)) for node in node_list])
        if frontier is None or frontier.root().hex() != root:
            return None
        seal_key: bytes | None = None
        try:
            verify_key = load_key_file(self._keys_dir / VERIFY_KEY_FILE)
        except (UsageError, LogError, OSError):
            verify_key = None
        if verify_key is not None:
            seal_key = key_for_epoch(verify_key, seal.epoch - 1)
            if not hmac.compare_digest(evolve(seal_key), seal.key):
                return None  # a key file not derived from this log's keys: verify it all
        scanner = Scanner(receipt_key=receipt_key, decrypt_key=self._config.encrypt_key)
        scanner.first_file = segments[0].path.name
        scanner.resume_at(
            seq=seq,
            prev_hash=line[-140:-76].decode(),
            frontier=frontier,
            last_receipt=last_receipt,
            epoch=seal.epoch - 1,
            seal_key=seal_key,
        )
        return scanner, ref

    def _take_lock(self) -> None:
        lock_path = self._log_dir / LOCK_FILE
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LogError(
                f"the event log in {self._home} is already open for writing by "
                f"{_read_holder(lock_path)}; only one CrustCore kernel may write a home's log"
            ) from None
        self._lock_fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} (home {self._home})\n".encode())

    def _cut_torn_tail(
        self, path: Path, offset: int, length: int, pending_path: Path
    ) -> dict[str, object]:
        """Cut the bytes after the last complete record, after writing down (durably) what is
        being cut, so the ``log.recovered`` record can never be lost to a second crash."""
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            handle.seek(offset)
            remaining = length
            while remaining > 0:
                chunk = handle.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                digest.update(chunk)
                remaining -= len(chunk)
        recovery: dict[str, object] = {
            "segment": path.name,
            "offset": offset,
            "torn_bytes": length,
            "torn_sha256": digest.hexdigest(),
        }
        write_private_file(pending_path, (json.dumps(recovery) + "\n").encode("ascii"))
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, offset)
            os.fsync(fd)
        finally:
            os.close(fd)
        return recovery

    def _adopt(self, scanner: Scanner, seal: SealState, segments: list[Segment]) -> None:
        self._next_seq = scanner.next_seq
        self._last_hash = scanner.last_hash
        self._frontier = scanner.frontier
        self._unfolded = []
        self._last_receipt = scanner.last_receipt
        self._completions = scanner.completions
        self._last_checkpoint_ts = scanner.last_checkpoint_ts
        self._last_ts = scanner.summary.last_ts or 0
        due = scanner.next_epoch
        if seal.epoch < due:
            # Stopped after sealing but before the evolved key reached the disk (a power cut
            # can keep a key file several checkpoints old): evolve it the missing steps now.
            key = seal.key
            for _ in range(due - seal.epoch):
                key = evolve(key)
            seal = SealState(due, key)
            write_seal_state(self._keys_dir / SEAL_KEY_FILE, seal)
        elif seal.epoch != due:
            raise LogError(
                f"the sealing key in {self._keys_dir} is at epoch {seal.epoch} but the log's "
                f"checkpoints end before epoch {due}: the log was truncated, replaced or its key "
                f"file swapped. Run `crustcore inspect {self._home}`; to start a new log move "
                "both log/ and keys/log-seal.key aside"
            )
        self._seal = seal
        last_checkpoint = scanner.last_checkpoint_seq
        self._since_checkpoint = self._next_seq - (
            last_checkpoint + 1 if last_checkpoint is not None else 0
        )
        self._last_kind = KIND_CHECKPOINT if last_checkpoint == self._next_seq - 1 else ""
        if segments:
            last = segments[-1]
            self._segment_index = last.index
            try:
                self._segment_bytes = last.path.stat().st_size
            except OSError as exc:
                raise LogError(f"cannot stat {last.path}: {exc.strerror}") from None

    def _open_segment(self, index: int) -> None:
        path = self._log_dir / segment_name(index)
        # Only the file descriptor changes here (under the I/O lock). `_segment_index` is the
        # appenders' view, which may already be ahead of the batch being written.
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._fsync_dir()
        if self._syncer is not None:
            self._syncer.follow(str(path))

    def _fsync_dir(self) -> None:
        dir_fd = os.open(self._log_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    # -- appending ----------------------------------------------------------------------

    @property
    def home(self) -> Path:
        return self._home

    @property
    def next_seq(self) -> int:
        return self._next_seq

    @property
    def durable_seq(self) -> int:
        """Highest sequence number known to be fsynced (-1 when none is)."""
        if self._syncer is not None and self._io_lock.acquire(blocking=False):
            try:
                self._take_answer(0.0)
            except LogError:
                pass  # recorded in `_failure`: the next append or flush reports it
            finally:
                self._io_lock.release()
        return self._durable_seq

    def append(
        self,
        kind: str,
        *,
        actor: str,
        ts_ms: int,
        payload: Mapping[str, object] | EncodedPayload,
        task_id: str | None = None,
        job_id: str | None = None,
        session_id: str | None = None,
    ) -> AppendResult:
        """Append one event. The payload must already be redacted and plain JSON data (or
        encoded by `record.encode_after`)."""
        # Names seen before skip their regex (the hot path sees a handful of kinds and ids).
        if kind not in self._known_kinds:
            self._learn_kind(kind)
        known_ids = self._known_ids
        if actor not in known_ids:
            self._learn_id("actor", actor)
        if task_id is not None and task_id not in known_ids:
            self._learn_id("task_id", task_id)
        if job_id is not None and job_id not in known_ids:
            self._learn_id("job_id", job_id)
        if session_id is not None and session_id not in known_ids:
            self._learn_id("session_id", session_id)
        if type(ts_ms) is not int or ts_ms < 0:
            _check_ts(ts_ms)
        if isinstance(payload, EncodedPayload):
            payload_json = payload.text
            plain: dict[str, object] | None = None
        else:
            plain, payload_json = dumps_payload(payload)
        completion: Completion | None = None
        if kind == KIND_TOOL_COMPLETED:
            if plain is None:
                plain = cast("dict[str, object]", json.loads(payload_json))
            call_id = plain.get("tool_call_id")
            completion = Completion(
                task_id,
                job_id,
                call_id if isinstance(call_id, str) else None,
                completion_result_hash(plain),
            )
        middle = None
        if self._cipher is None:
            # `record_middle`, written out: this is the hot path and a call with seven keyword
            # arguments costs more than the formatting.
            task = "null" if task_id is None else f'"{task_id}"'
            job = "null" if job_id is None else f'"{job_id}"'
            session = "null" if session_id is None else f'"{session_id}"'
            middle = (
                f',"ts":{ts_ms},"kind":"{kind}","actor":"{actor}","task":{task},"job":{job},'
                f'"session":{session},"payload":{payload_json},"prev":"'
            )
        with self._lock:
            if self._closed or self._failure is not None:
                self._check_usable()
            if middle is None:
                result = self._append_locked(
                    kind,
                    actor,
                    ts_ms=ts_ms,
                    task_id=task_id,
                    job_id=job_id,
                    session_id=session_id,
                    payload_json=payload_json,
                    encrypt=True,
                )
            else:
                result = self._commit_locked(kind, ts_ms, middle)
            if completion is not None:
                self._remember_completion(result.seq, completion)
            if (
                self._since_checkpoint >= self._checkpoint_every
                or self._segment_bytes >= self._segment_max
                or ts_ms >= self._checkpoint_due_ts
            ):
                self._maybe_checkpoint_locked(ts_ms)
        if self._batch.size >= self._drain_at:
            self._after_append()
        return result

    def _learn_kind(self, kind: str) -> None:
        check_kind(kind)
        if kind.startswith(RESERVED_PREFIX) or kind == KIND_RECEIPT:
            raise UsageError(f"event kind {kind!r} is written by the log itself, not by callers")
        if len(self._known_kinds) > _NAME_CACHE_MAX:
            self._known_kinds.clear()
        self._known_kinds.add(kind)

    def _learn_id(self, field_name: str, value: str) -> None:
        check_id(field_name, value)
        if len(self._known_ids) > _NAME_CACHE_MAX:
            self._known_ids.clear()
        self._known_ids.add(value)

    def append_receipt(
        self,
        *,
        ts_ms: int,
        task_id: str,
        job_id: str,
        tool_call_id: str,
        tool_name: str,
        args: object,
        shown_result: str,
        artifact_hashes: Sequence[str] = (),
        completion_seq: int,
    ) -> AppendResult:
        """Append the receipt for the result of one tool call that is shown to a model.

        Refused unless `completion_seq` is a ``tool.completed`` record of this task, job and tool
        call that has no receipt yet and whose logged result is exactly `shown_result`.
        """
        check_id("task_id", task_id)
        check_id("job_id", job_id)
        check_id("tool_call_id", tool_call_id)
        _check_ts(ts_ms)
        if not isinstance(tool_name, str) or not 0 < len(tool_name) <= MAX_RECEIPT_TOOL_NAME:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UsageError(
                f"receipt tool_name must be a non-empty string of at most {MAX_RECEIPT_TOOL_NAME} "
                "chars"
            )
        if not isinstance(shown_result, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UsageError("receipt shown_result must be the exact text shown to the model")
        artifacts = list(artifact_hashes)
        if not all(is_hex64(item) for item in artifacts):
            raise UsageError("receipt artifact hashes must be lowercase SHA-256 hex digests")
        if not isinstance(completion_seq, int) or isinstance(completion_seq, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UsageError("receipt completion_seq must be an int")
        args_sha = args_digest(args)
        result_sha = result_digest(shown_result)
        with self._lock:
            self._check_usable()
            completion = self._completions.get(completion_seq)
            if completion is None:
                raise UsageError(
                    f"refusing receipt: seq {completion_seq} is not a tool.completed record of "
                    "this log that still awaits its receipt"
                )
            if (completion.task_id, completion.job_id) != (task_id, job_id):
                raise UsageError(
                    f"refusing receipt: tool.completed seq {completion_seq} belongs to another "
                    "task or job"
                )
            if completion.tool_call_id != tool_call_id:
                raise UsageError(
                    f"refusing receipt: tool.completed seq {completion_seq} is for another tool "
                    "call"
                )
            if completion.result_sha256 is None:
                raise UsageError(
                    f"refusing receipt: tool.completed seq {completion_seq} logged no result "
                    "(its payload needs 'result' or 'result_sha256')"
                )
            if completion.result_sha256 != result_sha:
                raise UsageError(
                    f"refusing receipt: the shown result differs from the result logged at seq "
                    f"{completion_seq}"
                )
            seq = self._next_seq
            fields = build_receipt(
                key=self._receipt_key,
                seq=seq,
                task_id=task_id,
                job_id=job_id,
                tool_call_id=tool_call_id,
                tool_name=tool_name,
                args_sha256=args_sha,
                result_sha256=result_sha,
                artifacts=artifacts,
                completion_seq=completion_seq,
                prev_receipt=self._last_receipt,
            )
            result = self._append_locked(
                KIND_RECEIPT,
                SYSTEM_ACTOR,
                ts_ms=ts_ms,
                task_id=task_id,
                job_id=job_id,
                session_id=None,
                payload_json=dumps_compact(fields),
                encrypt=False,
            )
            del self._completions[completion_seq]
            self._last_receipt = receipt_hash(fields)
            self._maybe_checkpoint_locked(ts_ms)
        self._after_append()
        return result

    def checkpoint(self, ts_ms: int) -> AppendResult:
        """Write a sealed checkpoint now (the kernel may call this from its own timer)."""
        _check_ts(ts_ms)
        with self._lock:
            self._check_usable()
            result = self._checkpoint_locked(ts_ms)
        self._after_append()
        return result

    def _append_system(self, kind: str, ts_ms: int, payload: dict[str, object]) -> AppendResult:
        with self._lock:
            return self._append_locked(
                kind,
                SYSTEM_ACTOR,
                ts_ms=ts_ms,
                task_id=None,
                job_id=None,
                session_id=None,
                payload_json=dumps_compact(payload),
                encrypt=False,
            )

    def _append_locked(
        self,
        kind: str,
        actor: str,
        *,
        ts_ms: int,
        task_id: str | None,
        job_id: str | None,
        session_id: str | None,
        payload_json: str,
        encrypt: bool,
    ) -> AppendResult:
        if encrypt and self._cipher is not None:
            payload_json = self._cipher.encrypt(self._next_seq, payload_json)
        middle = record_middle(
            ts_ms=ts_ms,
            kind=kind,
            actor=actor,
            task_id=task_id,
            job_id=job_id,
            session_id=session_id,
            payload_json=payload_json,
        )
        return self._commit_locked(kind, ts_ms, middle)

    def _commit_locked(self, kind: str, ts_ms: int, middle: str) -> AppendResult:
        """Number, chain, hash and queue one record (the caller holds the append lock)."""
        seq = self._next_seq
        line, digest, record_hash = seal_line_hex(seq, middle, self._last_hash)
        size = len(line)
        if size >= MAX_RECORD_BYTES:
            raise UsageError(
                f"event too large for the log ({size} bytes; the limit is {MAX_RECORD_BYTES})"
            )
        if kind != KIND_CHECKPOINT:
            # The tree is only needed at the next checkpoint: collect the record hashes and
            # fold them in by the chunk (`_tree`), which costs less than one leaf at a time.
            unfolded = self._unfolded
            unfolded.append(digest)
            if len(unfolded) >= _FOLD_AT:
                self._tree()
            self._since_checkpoint += 1
        self._last_hash = record_hash
        self._next_seq = seq + 1
        self._last_ts = max(self._last_ts, ts_ms)
        self._last_kind = kind
        batch = self._batch
        if not batch.items:
            batch.started = _monotonic()
        batch.items.append(line)
        batch.size += size
        self._segment_bytes += size
        return _new_result(seq, record_hash)

    def _tree(self) -> Frontier:
        """The Merkle frontier with every record appended so far folded in."""
        if self._unfolded:
            self._frontier.extend_records(self._unfolded, None)
            self._unfolded = []
        return self._frontier

    def _remember_completion(self, seq: int, completion: Completion) -> None:
        completions = self._completions
        completions[seq] = completion
        if len(completions) > _MAX_PENDING_COMPLETIONS:
            del completions[next(iter(completions))]

    def _maybe_checkpoint_locked(self, ts_ms: int) -> None:
        if self._last_checkpoint_ts is None:
            self._last_checkpoint_ts = ts_ms
        self._checkpoint_due_ts = self._last_checkpoint_ts + self._checkpoint_ms
        if (
            self._since_checkpoint >= self._checkpoint_every
            or ts_ms >= self._checkpoint_due_ts
            or self._segment_bytes >= self._segment_max
        ):
            self._checkpoint_locked(ts_ms)

    def _checkpoint_locked(self, ts_ms: int) -> AppendResult:
        seq = self._next_seq
        tree = self._tree()
        root = tree.root().hex()
        seal = self._seal
        payload = {
            "tree_size": seq,
            "root": root,
            "epoch": seal.epoch,
            "seal": compute_seal(
                seal.key, epoch=seal.epoch, tree_size=seq, root_hex=root, ts_ms=ts_ms
            ),
            # What a later open needs to continue from here without re-reading the log: the
            # tree's right edge (which must fold to the sealed root) and the receipt chain.
            "frontier": [node.hex() for node in tree.nodes()],
            "last_receipt": self._last_receipt,
        }
        offset = self._segment_bytes
        result = self._append_locked(
            KIND_CHECKPOINT,
            SYSTEM_ACTOR,
            ts_ms=ts_ms,
            task_id=None,
            job_id=None,
            session_id=None,
            payload_json=dumps_compact(payload),
            encrypt=False,
        )
        # The checkpoint is a leaf of every later tree.
        self._frontier.append_leaf(
            hashlib.sha256(b"\x00" + bytes.fromhex(result.record_hash)).digest()
        )
        next_state = SealState(
            seal.epoch + 1,
            evolve(seal.key),
            CheckpointRef(seq, self._segment_index, offset, result.record_hash),
        )
        self._seal = next_state
        # The evolved key reaches the disk only after this checkpoint does: a crash in between
        # leaves the key behind, which the next open repairs (never ahead, which would look
        # like a truncated log).
        self._batch.items.append(_KeyStep(seq, next_state))
        self._batch.key_steps += 1
        self._since_checkpoint = 0
        self._last_checkpoint_ts = ts_ms
        self._checkpoint_due_ts = ts_ms + self._checkpoint_ms
        if self._segment_bytes >= self._config.segment_max_bytes:
            self._batch.items.append(_Rotate(self._segment_index + 1))
            self._segment_index += 1
            self._segment_bytes = 0
        return result

    def _after_append(self) -> None:
        interval = self._config.fsync_interval_ms
        if interval == 0:
            self._drain(fsync=True)
        elif interval is None or interval < 0:
            if self._batch.size >= _NO_FSYNC_BATCH_BYTES or self._batch.key_steps:
                self._drain(fsync=False)
        else:
            # Group commit. The append that finds the oldest pending record has waited the
            # interval writes and fsyncs the batch itself, with or without a flusher thread: a
            # thread cannot be relied on to keep the bound, because in CPython it waits for the
            # GIL while this thread is busy, for as long as this thread keeps making system
            # calls (each one releases the GIL and wakes the waiter, which loses the race).
            batch = self._batch
            oldest = self._oldest_unsynced()
            if oldest is None or not batch.items:
                return
            if batch.size >= _BACKPRESSURE_BYTES or _monotonic() - oldest >= self._interval_s:
                self._drain(fsync=True, handoff=True)
            elif batch.size >= _WRITE_AHEAD_BYTES:
                # Written now, fsynced when due by the timer this batch armed (or arms here).
                announced = batch.announced
                self._drain(fsync=False)
                if not announced and self.on_pending is not None:
                    self.on_pending()
            elif not batch.announced:
                batch.announced = True
                if self.on_pending is not None:
                    self.on_pending()
            elif self._answer_at is not None and _monotonic() >= self._answer_at:
                self._collect_answer()

    def _check_usable(self) -> None:
        if self._closed:
            raise LogError("the event log is closed")
        if self._failure is not None:
            raise self._failure

    # -- durability ---------------------------------------------------------------------

    def _drain(self, *, fsync: bool, handoff: bool = False) -> int:
        """Write the pending batch in order (rotating segments where marked), fsync if asked,
        persisting each evolved sealing key right after its checkpoint is durable, then advance
        `durable_seq`. With `handoff` and a syncer, the last fsync is the child's (see
        `LogConfig.fsync_process`) and `durable_seq` advances when it answers."""
        with self._io_lock:
            with self._lock:
                batch, self._batch = self._batch, _Batch()
                last_seq = self._next_seq - 1
            if fsync:
                self._unsynced_since = None
            elif batch.items and self._unsynced_since is None:
                self._unsynced_since = batch.started
            try:
                chunk: list[bytes] = []
                for item in batch.items:
                    if isinstance(item, _KeyStep):
                        # Persisted once its checkpoint is durable: after this drain's fsync,
                        # the syncer's answer, or a later drain's (`_persist_key`).
                        waiting = self._keys_waiting
                        if len(waiting) >= _MAX_KEYS_WAITING:
                            del waiting[0]  # a later state supersedes it
                        waiting.append(item)
                    elif isinstance(item, _Rotate):
                        self._write_all(b"".join(chunk))
                        chunk = []
                        if fsync or self._interval_s > 0:
                            # Whatever mode asked for durability: the syncer only ever fsyncs
                            # the current segment, so the old one is made durable here.
                            os.fsync(self._fd)
                        os.close(self._fd)
                        self._fd = -1
                        self._open_segment(item.index)
                    else:
                        chunk.append(item)
                self._write_all(b"".join(chunk))
                self._written_seq = last_seq
                handed = fsync and handoff and self._syncer is not None and self._hand_off(last_seq)
                if handed:
                    return self._durable_seq
                if fsync:
                    os.fsync(self._fd)
            except OSError as exc:
                self._fail(exc)
            if fsync:
                self._made_durable(last_seq)
            return self._durable_seq

    def _made_durable(self, seq: int) -> None:
        """Everything up to `seq` is on the disk (under the I/O lock): advance `durable_seq`,
        wake its waiters, and persist the sealing key that was waiting for it."""
        with self._durable_cond:
            self._durable_seq = max(self._durable_seq, seq)
            self._durable_cond.notify_all()
        self._persist_key()

    def _persist_key(self) -> None:
        """Write the newest waiting sealing-key state whose checkpoint is durable. Each state
        stands alone, so the older ones are dropped unwritten: a key file left behind by a
        crash is brought forward on open."""
        waiting = self._keys_waiting
        durable = self._durable_seq
        done = 0
        while done < len(waiting) and waiting[done].seq <= durable:
            done += 1
        if not done:
            return
        state = waiting[done - 1].state
        del waiting[:done]
        try:
            write_seal_state(self._keys_dir / SEAL_KEY_FILE, state)
        except OSError as exc:
            self._fail(exc)

    def _hand_off(self, last_seq: int) -> bool:
        """Ask the syncer to fsync what is written up to `last_seq` (under the I/O lock). False
        when the syncer is gone and the caller must fsync inline."""
        syncer = self._syncer
        assert syncer is not None
        try:
            self._settle(syncer.submit(last_seq))
        except SyncerGone:
            self._drop_syncer()
            return False
        self._answer_at = _monotonic() + _ANSWER_LIKELY_S
        return True

    def _take_answer(self, timeout: float | None) -> None:
        """Collect the syncer's answer to the outstanding fsync, waiting at most `timeout`
        seconds (under the I/O lock)."""
        syncer = self._syncer
        if syncer is None or syncer.pending is None:
            return
        try:
            self._settle(syncer.answer(timeout))
        except SyncerGone:
            # Whatever was handed off may not be durable: make sure of it here.
            self._drop_syncer()
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._fail(exc)
            self._made_durable(self._written_seq)

    def _collect_answer(self) -> None:
        """Take the syncer's answer if it has come, without waiting, else look again
        `_ANSWER_LIKELY_S` later. Done by an append that writes nothing, so the answer to one
        fsync and the hand-off of the next (each tens of microseconds on a VM) do not land on
        the same call."""
        if not self._io_lock.acquire(blocking=False):
            return
        try:
            self._take_answer(0.0)
            syncer = self._syncer
            waiting = syncer is not None and syncer.pending is not None
            self._answer_at = _monotonic() + _ANSWER_LIKELY_S if waiting else None
        finally:
            self._io_lock.release()

    def _settle(self, answer: tuple[int, int] | None) -> None:
        if answer is None:
            return
        seq, err = answer
        if err:
            self._fail(OSError(err, os.strerror(err)))
        self._made_durable(seq)

    def _fail(self, exc: OSError) -> None:
        failure = LogError(f"writing the event log failed: {exc.strerror or exc}")
        self._failure = failure
        with self._durable_cond:
            self._durable_cond.notify_all()
        raise failure from None

    def _drop_syncer(self) -> None:
        if self._syncer is not None:
            self._syncer.close()
            self._syncer = None

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def _flush_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            if self._batch.items or self._unsynced_since is not None:
                try:
                    self._drain(fsync=True)
                except LogError:
                    return

    def flush_due(self) -> float | None:
        """The timer's half of group commit without a thread (``LogConfig(flush_thread=False)``):
        write and fsync the pending records if the oldest has waited the interval. Returns the
        seconds until the pending records are due, or None when none are pending."""
        if self._failure is not None:
            raise self._failure
        oldest = self._oldest_unsynced()
        if oldest is None or self._interval_s <= 0:
            return None
        wait = oldest + self._interval_s - _monotonic()
        if wait > 0:
            return wait
        self._drain(fsync=True, handoff=True)
        oldest = self._oldest_unsynced()  # records appended meanwhile (other threads)
        if oldest is None:
            return None
        return max(0.0, oldest + self._interval_s - _monotonic())

    def _oldest_unsynced(self) -> float | None:
        """When the oldest record not yet handed to fsync was queued, or None."""
        since = self._unsynced_since
        if since is not None:
            return since
        batch = self._batch
        return batch.started if batch.items else None

    def flush(self) -> int:
        """Write and fsync everything appended so far; returns the highest durable seq."""
        if self._failure is not None:
            raise self._failure
        return self._drain(fsync=True)

    def wait_durable(self, seq: int, timeout: float | None = None) -> bool:
        """Block until record `seq` is fsynced (True) or `timeout` seconds pass (False)."""
        if self._syncer is not None:
            return self._wait_answers(seq, timeout)
        with self._durable_cond:
            self._durable_cond.wait_for(
                lambda: self._durable_seq >= seq or self._failure is not None, timeout
            )
            if self._failure is not None:
                raise self._failure
            return self._durable_seq >= seq

    def _wait_answers(self, seq: int, timeout: float | None) -> bool:
        """`wait_durable` with a syncer: its answers are collected by whoever waits for them."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._failure is not None:
                raise self._failure
            if self._durable_seq >= seq:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            step = 0.05 if left is None else min(left, 0.05)
            with self._io_lock:
                syncer = self._syncer
                waiting = syncer is not None and syncer.pending is not None
                if waiting:
                    self._take_answer(step)
            if not waiting:
                # Not handed off yet: a drain (the timer, the flusher or an append) will.
                with self._durable_cond:
                    self._durable_cond.wait(step)

    # -- closing ------------------------------------------------------------------------

    def close(self) -> None:
        """Seal what is unsealed, make everything durable and release the writer lock."""
        with self._lock:
            if self._closed:
                return
            if self._failure is None and self._next_seq > 0 and self._last_kind != KIND_CHECKPOINT:
                self._checkpoint_locked(self._last_ts)
            self._closed = True
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join()
        try:
            if self._failure is None:
                self._drain(fsync=True)
        finally:
            self._release_files()

    def _release_files(self) -> None:
        self._drop_syncer()
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        if self._lock_fd >= 0:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> EventLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventLog(home={str(self._home)!r}, next_seq={self._next_seq})"


_OPEN_TOKEN = object()
_RECOVERY_PENDING = "recovery.pending"
#: Logs up to this size are verified whole on open even when a checkpoint to resume from is
#: known (tens of milliseconds), so damage anywhere in them is refused at once.
_FULL_SCAN_BYTES = 4 * 1024 * 1024
#: A checkpoint line is small (its largest part, the tree edge, is at most 64 hashes).
_RESUME_READ = 64 * 1024


def _read_line_at(path: Path, offset: int) -> bytes | None:
    """The complete line starting at `offset` of `path` (without its newline), or None."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(_RESUME_READ)
    except OSError:
        return None
    end = data.find(b"\n")
    return data[:end] if end >= 0 else None


def _read_pending(path: Path) -> dict[str, object] | None:
    """The recovery an earlier open started but did not get to record, if any."""
    try:
        with path.open("rb") as handle:
            data = handle.read(4096)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LogError(f"cannot read {path}: {exc.strerror}") from None
    try:
        obj: object = json.loads(data)
    except ValueError:
        obj = None
    fields = as_object(obj)
    if fields is None or set(fields) != {"segment", "offset", "torn_bytes", "torn_sha256"}:
        raise LogError(f"{path} is damaged; inspect the log and remove the file to continue")
    return fields


def _check_ts(ts_ms: int) -> None:
    if not isinstance(ts_ms, int) or isinstance(ts_ms, bool) or ts_ms < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise UsageError("event-log timestamps are non-negative integers of milliseconds")
