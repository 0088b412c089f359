"""Verification of a log: record hashes, chain links, sequence numbers, segment continuity,
checkpoint roots and forward-secure seals, receipt MACs, receipt chain and receipt joins.

The hot loop checks the fixed byte layout of `record` (hash, prev, seq) by slicing; a record is
decoded as JSON only when its kind carries something to check (checkpoints, receipts, tool
completions, decisions) or when `full=True`. The first failure stops the scan and is reported with
its sequence number, file, byte offset and a `Reason`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from crustcore_nano.errors import LogError, UsageError

from .encryption import PayloadCipher, is_encrypted
from .keys import SealState, compute_seal, evolve
from .merkle import Frontier, leaf_hash, leaf_hashes
from .receipts import check_receipt_body, receipt_shape_error, result_digest
from .record import (
    FORMAT_VERSION,
    GENESIS_HASH,
    HASH_FIELD,
    KIND_CHECKPOINT,
    KIND_RECEIPT,
    KIND_RECOVERED,
    KIND_TOOL_COMPLETED,
    MIN_LINE_LEN,
    PREV_FIELD,
    PREV_TAIL_LEN,
    TAIL_LEN,
    Record,
    decode_fields,
    is_hex64,
)
from .segments import SEGMENT_RE, Block, Segment, Tail, TooLong, iter_blocks, list_segments


class Reason(Enum):
    """Why verification stopped. The value is the stable code printed by `inspect --json`."""

    TORN_TAIL = "torn_tail"
    RECORD_TOO_LONG = "record_too_long"
    MALFORMED = "malformed"
    NOT_A_LOG = "not_a_log"
    UNSUPPORTED_VERSION = "unsupported_version"
    HASH_MISMATCH = "hash_mismatch"
    BROKEN_LINK = "broken_link"
    SEQ_MISMATCH = "seq_mismatch"
    SEGMENT_GAP = "segment_gap"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    SEAL_MISMATCH = "seal_mismatch"
    MISSING_CHECKPOINTS = "missing_checkpoints"
    BAD_RECEIPT = "bad_receipt"
    BAD_RECEIPT_MAC = "bad_receipt_mac"
    RECEIPT_CHAIN = "receipt_chain"
    RECEIPT_JOIN = "receipt_join"
    UNREADABLE = "unreadable"

    @property
    def is_input_error(self) -> bool:
        """True when the input is not something this verifier can judge (exit code 2)."""
        return self in (Reason.UNREADABLE, Reason.UNSUPPORTED_VERSION, Reason.NOT_A_LOG)


@dataclass(frozen=True, slots=True)
class VerifyError:
    seq: int
    file: str
    offset: int
    reason: Reason
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "file": self.file,
            "offset": self.offset,
            "reason": self.reason.value,
            "message": self.message,
        }


@dataclass(slots=True)
class TaskSummary:
    records: int = 0
    first_seq: int = 0
    last_seq: int = 0
    outcome: str = "open"


@dataclass(slots=True)
class Summary:
    """What the verified prefix says happened; counts only, no payload content."""

    by_kind: dict[str, int] = field(default_factory=dict[str, int])
    tasks: dict[str, TaskSummary] = field(default_factory=dict[str, TaskSummary])
    decisions: dict[str, int] = field(default_factory=dict[str, int])
    first_ts: int | None = None
    last_ts: int | None = None
    checkpoints: int = 0
    receipts: int = 0
    recoveries: int = 0

    def to_json(self) -> dict[str, object]:
        approvals = sum(n for kind, n in self.by_kind.items() if kind.startswith("approval."))
        patches = sum(
            n for kind, n in self.by_kind.items() if kind in ("patch.verified", "verify.passed")
        )
        decisions = dict(self.decisions)
        for kind, count in self.by_kind.items():
            if kind.startswith("decision.") and kind.count(".") == 1:
                verdict = kind.removeprefix("decision.")
                decisions[verdict] = decisions.get(verdict, 0) + count
        return {
            "by_kind": dict(sorted(self.by_kind.items())),
            "tasks": {
                task: {
                    "records": info.records,
                    "first_seq": info.first_seq,
                    "last_seq": info.last_seq,
                    "outcome": info.outcome,
                }
                for task, info in self.tasks.items()
            },
            "decisions": dict(sorted(decisions.items())),
            "approvals": approvals,
            "verified_patches": patches,
            "checkpoints": self.checkpoints,
            "receipts": self.receipts,
            "recoveries": self.recoveries,
            "time_span_ms": None
            if self.first_ts is None or self.last_ts is None
            else {"first": self.first_ts, "last": self.last_ts},
        }


@dataclass(frozen=True, slots=True)
class Completion:
    task_id: str | None
    job_id: str | None
    tool_call_id: str | None
    result_sha256: str | None  # None when the payload is encrypted and no key was given
    opaque: bool = False  # encrypted and not decrypted: only task and job can be joined


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    records: int
    first_error: VerifyError | None
    summary: Summary
    segments: int
    checkpoints: int
    last_checkpoint_seq: int | None
    unsealed_records: int
    seals_checked: bool
    receipt_macs_checked: bool
    seal_state_checked: bool
    notes: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        if self.first_error is None:
            return 0
        return 2 if self.first_error.reason.is_input_error else 1

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "records": self.records,
            "segments": self.segments,
            "first_error": None if self.first_error is None else self.first_error.to_json(),
            "checkpoints": self.checkpoints,
            "last_checkpoint_seq": self.last_checkpoint_seq,
            "unsealed_records": self.unsealed_records,
            "checks": {
                "seals": self.seals_checked,
                "receipt_macs": self.receipt_macs_checked,
                "seal_key_state": self.seal_state_checked,
            },
            "notes": list(self.notes),
            "summary": self.summary.to_json(),
        }


class _Stop(Exception):
    """Internal: the scan found its first error."""

    def __init__(self, error: VerifyError) -> None:
        super().__init__(error.message)
        self.error = error


_TASK_FIELD = b',"task":'
_TERMINAL_TASK_KINDS = frozenset(
    {b"task.completed", b"task.failed", b"task.killed", b"task.cancelled"}
)
_CHECKPOINT_B = KIND_CHECKPOINT.encode()
_sha256 = hashlib.sha256
_digest = type(_sha256()).digest
#: The hashed body of a line, and its fixed-shape tail (``,"prev":"…","hash":"…"}``).
_BODY = itemgetter(slice(None, -TAIL_LEN))
_TAIL = itemgetter(slice(-(TAIL_LEN + PREV_TAIL_LEN), None))
_PREV_S = PREV_FIELD.decode()
_MID_S = '","hash":"'
#: The fixed header of a version-1 line, matched right after a newline so that it can only
#: ever match at the start of a line (no class below admits a newline or a quote). Captures
#: seq, kind and the task id (empty for null). The bounds are those `_slow_batch` searches
#: within, so the fast path never accepts a header the careful path would refuse. Linear:
#: every repetition is a character class ended by a literal outside that class.
_HEADER_RE = re.compile(
    rb'\n\{"v":1,"seq":([0-9]+),"ts":[0-9]{1,21},"kind":"([a-z0-9_.]{1,190})",'
    rb'"actor":"[A-Za-z0-9._:@/+=-]{1,140}","task":(?:"([A-Za-z0-9._:@/+=-]{1,130})"|null)'
)


class Scanner:
    """Streaming verifier state; also used by the writer to recover its position on open."""

    def __init__(
        self,
        *,
        verify_key: bytes | None = None,
        receipt_key: bytes | None = None,
        decrypt_key: bytes | None = None,
        full: bool = False,
        on_record: Callable[[Record], None] | None = None,
        keep_completions: bool = True,
        leaves: list[bytes] | None = None,
    ) -> None:
        self.verify_key = verify_key
        self.receipt_key = receipt_key
        self.cipher = PayloadCipher(decrypt_key) if decrypt_key is not None else None
        self.full = full or on_record is not None
        self.on_record = on_record
        self.keep_completions = keep_completions
        self.next_seq = 0
        self._last_hex: bytes = GENESIS_HASH.encode()
        self._by_kind: dict[bytes, int] = {}
        #: task id -> [records, first seq, last seq]; outcomes only for tasks that ended
        self._tasks: dict[bytes, list[int]] = {}
        self._outcomes: dict[bytes, bytes] = {}
        self.frontier = Frontier()
        self.last_receipt = GENESIS_HASH
        self.next_epoch = 0
        self.seal_key = verify_key
        self.last_checkpoint_seq: int | None = None
        self.last_checkpoint_ts: int | None = None
        self.last_sealed_size = 0  # records covered by the last good checkpoint
        self.last_sealed_offset: tuple[str, int] | None = None
        self.completions: dict[int, Completion] = {}
        self.receipted: set[int] = set()
        self.summary = Summary()
        self.segments_seen = 0
        self.end: tuple[str, int] = ("", 0)  # file and offset just past the last good record
        self.torn: Tail | None = None
        self.torn_file: Path | None = None
        self.first_file = ""
        self._last_line = b""
        self.opaque_joins = 0
        #: When given, every leaf hash is appended here (for proofs).
        self.leaves = leaves
        #: seq -> checkpoint payload and ts, for every verified checkpoint (for proofs).
        self.checkpoints: dict[int, tuple[int, dict[str, object]]] = {}
        #: The first record this scanner reads (0, unless resumed from a checkpoint).
        self.resume_seq = 0

    # -- segments -----------------------------------------------------------------------

    def scan_segments(
        self, segments: list[Segment], *, start: int = 0, offset: int = 0
    ) -> VerifyError | None:
        """Verify `segments` in order, beginning with the one at list position `start` at byte
        `offset` (a resumed scan; see `resume_at`)."""
        for position, segment in enumerate(segments):
            expected_index = position
            name = segment.path.name
            if segment.index != expected_index:
                return VerifyError(
                    self.next_seq,
                    name,
                    0,
                    Reason.SEGMENT_GAP,
                    f"segment {expected_index:08d} is missing before {name}",
                )
            if position < start:
                continue
            error = self.scan_file(
                segment.path,
                last=position == len(segments) - 1,
                offset=offset if position == start else 0,
            )
            if error is not None:
                return error
        return None

    def resume_at(
        self,
        *,
        seq: int,
        prev_hash: str,
        frontier: Frontier,
        last_receipt: str,
        epoch: int,
        seal_key: bytes | None,
    ) -> None:
        """Start as if every record before `seq` had been verified, from a checkpoint's saved
        state (the writer's fast open). The checkpoint at `seq` is scanned next and checked
        against that state like any other; receipts for completions before `seq` are checked
        for their MAC and chain but not joined (the full join is `inspect`'s job)."""
        self.next_seq = seq
        self.resume_seq = seq
        self._last_hex = prev_hash.encode()
        self.frontier = frontier
        self.last_receipt = last_receipt
        self.next_epoch = epoch
        self.seal_key = seal_key

    @property
    def records_scanned(self) -> int:
        """How many records this scanner read (all of them, unless it was resumed)."""
        return self.next_seq - self.resume_seq

    def scan_file(self, path: Path, *, last: bool = True, offset: int = 0) -> VerifyError | None:
        name = path.name
        self.segments_seen += 1
        self.end = (name, offset)
        try:
            handle = path.open("rb")
        except OSError as exc:
            return VerifyError(
                self.next_seq, name, 0, Reason.UNREADABLE, f"cannot open {path}: {exc.strerror}"
            )
        try:
            with handle:
                if offset:
                    handle.seek(offset)
                return self._scan_handle(handle, name, path, last=last, offset=offset)
        except _Stop as stop:
            return stop.error
        except OSError as exc:
            return VerifyError(
                self.next_seq, name, self.end[1], Reason.UNREADABLE, f"read error: {exc.strerror}"
            )
        finally:
            self._note_last_ts()

    def _scan_handle(
        self, handle: BinaryIO, name: str, path: Path, *, last: bool, offset: int = 0
    ) -> VerifyError | None:
        """Verify a file chunk by chunk. A chunk whose byte-level checks (layout, hash, chain,
        seq, ASCII) all pass in C-speed list operations takes the fast path; any other chunk is
        re-checked line by line by `_slow_batch`, which locates the first bad record."""
        for item in iter_blocks(handle, start=offset):
            if not isinstance(item, Block):
                return self._end_of_file(item, name, path, last=last)
            if not self._fast_batch(item, name):
                self._slow_batch(item.lines, name, item.offset)
        return None

    def _fast_batch(self, chunk: Block, name: str) -> bool:
        """Check and account a whole chunk; returns False, having changed nothing, when any
        line needs the careful path.

        Every per-record step is one C-level pass over the chunk (``map``, ``join``, one regex
        ``findall``) rather than Python code per line: the record hashes, the tails (``prev``
        and ``hash`` fields, compared in one piece against the expected text), the headers
        (``seq``, ``ts``, ``kind``, ``task``) and the Merkle leaves and nodes."""
        batch, offset, data = chunk.lines, chunk.offset, chunk.data
        count = len(batch)
        if not count:
            return True
        seq = self.next_seq
        if min(map(len, batch)) < MIN_LINE_LEN or not data.isascii():
            return False
        headers = _HEADER_RE.findall(data, 0, chunk.stop)
        if len(headers) != count:
            return False
        seqs, kinds, tasks = zip(*headers, strict=True)
        if seqs != tuple(map(b"%d".__mod__, range(seq, seq + count))):
            return False
        digests = list(map(_digest, map(_sha256, map(_BODY, batch))))
        hexes = list(map(bytes.hex, digests))
        # Each tail is ``,"prev":"<prev hex>","hash":"<own hex>"}``: build all the expected
        # tails of the chunk as one string and compare it with the stored ones at once.
        parts = [_PREV_S, "", _MID_S, "", '"}'] * count
        parts[1::5] = [self._last_hex.decode(), *hexes[:-1]]
        parts[3::5] = hexes
        if "".join(parts).encode() != b"".join(map(_TAIL, batch)):
            return False

        # Every byte-level check passed: account the chunk, stopping at a semantic failure.
        if self.summary.first_ts is None:
            self.summary.first_ts = _line_ts(batch[0])
        special = list(range(count)) if self.full else _special_indices(kinds)
        leaves = leaf_hashes(digests)
        frontier = self.frontier
        collected = self.leaves
        done = 0
        at, line_offset = 0, offset
        try:
            for index in special:
                kind = kinds[index]
                if kind == _CHECKPOINT_B:
                    # A checkpoint commits to the tree of every record before it.
                    frontier.extend_leaves(leaves[done:index])
                    if collected is not None:
                        collected.extend(leaves[done:index])
                    done = index + 1
                line_offset += sum(map(len, batch[at:index])) + index - at
                at = index
                self.next_seq = seq + index
                if index:
                    self._last_hex = hexes[index - 1].encode()
                task = tasks[index]
                self._check_semantics(
                    batch[index],
                    name,
                    offset=line_offset,
                    seq=seq + index,
                    ts=_line_ts(batch[index]),
                    kind=kind.decode(),
                    task=task.decode() if task else None,
                    digest=digests[index],
                )
            frontier.extend_leaves(leaves[done:] if done else leaves)
            if collected is not None:
                collected.extend(leaves[done:])
        except _Stop:
            failed = self.next_seq - seq
            self._fold_block(kinds[:failed], tasks[:failed], seq)
            raise
        self._fold_block(kinds, tasks, seq)
        self.next_seq = seq + count
        self._last_hex = hexes[-1].encode()
        self.end = (name, offset + chunk.stop)
        self._last_line = batch[-1]
        return True

    def _fold_block(self, kinds: tuple[bytes, ...], tasks: tuple[bytes, ...], seq: int) -> None:
        """Add one chunk's kinds and task ids (``b""`` for none, one per record from `seq` on)
        to the running counts."""
        by_kind = self._by_kind
        for kind, count in Counter(kinds).items():
            by_kind[kind] = by_kind.get(kind, 0) + count
        counts = Counter(tasks)
        counts.pop(b"", None)
        if not counts:
            return
        last_seen = dict(zip(tasks, range(seq, seq + len(tasks)), strict=True))
        known = self._tasks
        for task, count in counts.items():
            info = known.get(task)
            if info is None:
                known[task] = [count, seq + tasks.index(task), last_seen[task]]
            else:
                info[0] += count
                info[2] = last_seen[task]

    def _slow_batch(self, batch: list[bytes], name: str, offset: int) -> None:
        """Line by line, with the first failure located exactly (or, rarely, a chunk the fast
        path merely declined, e.g. an unusual header, accounted the careful way)."""
        sha256 = hashlib.sha256
        extend = self.frontier.extend_records
        pending: list[bytes] = []
        add = pending.append
        leaves = self.leaves
        semantic = _SEMANTIC_KINDS
        full = self.full
        seq = self.next_seq
        last_hex = self._last_hex
        last_line = b""
        end = 0
        kinds: list[bytes] = []
        task_ids: list[bytes] = []
        task_seqs: list[int] = []
        need_first_ts = self.summary.first_ts is None
        try:
            for line in batch:
                size = len(line)
                if (
                    size < MIN_LINE_LEN
                    or line[-75:-66] != HASH_FIELD
                    or line[-2:] != b'"}'
                    or line[-149:-140] != PREV_FIELD
                ):
                    raise self._layout_error(line, name, offset, seq)
                digest = sha256(line[:-75]).digest()
                hexd = digest.hex().encode()
                if line[-66:-2] != hexd:
                    raise self._fail(
                        name,
                        offset,
                        Reason.HASH_MISMATCH,
                        "the record's hash does not match",
                        seq=seq,
                    )
                prefix = b'{"v":1,"seq":%d,"ts":' % seq
                if not line.startswith(prefix):
                    if not line.startswith(b'{"v":1,'):
                        raise self._layout_error(line, name, offset, seq)
                    raise self._fail(
                        name,
                        offset,
                        Reason.SEQ_MISMATCH,
                        f"expected sequence number {seq} here (a record is missing, duplicated "
                        "or moved)",
                        seq=seq,
                    )
                if line[-140:-76] != last_hex:
                    raise self._fail(
                        name,
                        offset,
                        Reason.BROKEN_LINK,
                        "prev does not match the previous record's hash",
                        seq=seq,
                    )
                if not line.isascii():
                    raise self._fail(
                        name, offset, Reason.MALFORMED, "the record is not ASCII", seq=seq
                    )
                start = len(prefix)
                comma = line.find(b',"kind":"', start, start + 30)
                kind_end = line.find(b'"', comma + 9, comma + 200)
                task_at = line.find(b',"task":', kind_end, kind_end + 160)
                if comma < 0 or kind_end < 0 or task_at < 0:
                    raise self._fail(
                        name,
                        offset,
                        Reason.MALFORMED,
                        "the record header is not version-1",
                        seq=seq,
                    )
                kind = line[comma + 9 : kind_end]
                task: bytes | None = None
                if line[task_at + 8] == 34:  # '"': a task id
                    task_end = line.find(b'"', task_at + 9, task_at + 140)
                    if task_end < 0:
                        raise self._fail(name, offset, Reason.MALFORMED, "bad task id", seq=seq)
                    task = line[task_at + 9 : task_end]
                if full or kind in semantic or need_first_ts:
                    ts_text = line[start:comma]
                    if not ts_text.isdigit():
                        raise self._fail(
                            name,
                            offset,
                            Reason.MALFORMED,
                            "the timestamp is malformed",
                            seq=seq,
                        )
                    if need_first_ts:
                        self.summary.first_ts = int(ts_text)
                        need_first_ts = False
                if full or kind in semantic:
                    self.next_seq, self._last_hex = seq, last_hex
                    extend(pending, leaves)
                    pending.clear()
                    self._check_semantics(
                        line,
                        name,
                        offset=offset,
                        seq=seq,
                        ts=int(line[start:comma]),
                        kind=kind.decode(),
                        task=None if task is None else task.decode(),
                        digest=digest,
                    )
                    if kind != _CHECKPOINT_B:
                        add(digest)
                else:
                    add(digest)
                kinds.append(kind)
                if task is not None:
                    task_ids.append(task)
                    task_seqs.append(seq)
                last_hex = hexd
                last_line = line
                seq += 1
                end = offset = offset + size + 1
        finally:
            extend(pending, leaves)
            self._fold_counts(kinds, task_ids, task_seqs)
            self.next_seq, self._last_hex = seq, last_hex
            if end:
                self.end = (name, end)
            if last_line:
                self._last_line = last_line

    def _fold_counts(self, kinds: list[bytes], task_ids: list[bytes], task_seqs: list[int]) -> None:
        """Add one chunk's kinds and task occurrences to the running counts, then empty them."""
        by_kind = self._by_kind
        for kind, count in Counter(kinds).items():
            by_kind[kind] = by_kind.get(kind, 0) + count
        if task_ids:
            tasks = self._tasks
            last_seen = dict(zip(task_ids, task_seqs, strict=True))
            first_seen = dict(zip(reversed(task_ids), reversed(task_seqs), strict=True))
            for task, count in Counter(task_ids).items():
                info = tasks.get(task)
                if info is None:
                    tasks[task] = [count, first_seen[task], last_seen[task]]
                else:
                    info[0] += count
                    info[2] = last_seen[task]
        kinds.clear()
        task_ids.clear()
        task_seqs.clear()

    def _end_of_file(
        self, item: TooLong | Tail, name: str, path: Path, *, last: bool
    ) -> VerifyError:
        if isinstance(item, TooLong):
            if item.offset == 0 and self.next_seq == 0:
                return VerifyError(
                    0,
                    name,
                    0,
                    Reason.NOT_A_LOG,
                    "this is not a CrustCore event log: its first line runs past the maximum "
                    "record size",
                )
            return VerifyError(
                self.next_seq,
                name,
                item.offset,
                Reason.RECORD_TOO_LONG,
                "a line runs past the maximum record size without a newline",
            )
        if last:
            self.torn, self.torn_file = item, path
            return VerifyError(
                self.next_seq,
                name,
                item.offset,
                Reason.TORN_TAIL,
                f"the file ends inside a record ({item.length} bytes after the last complete "
                "record: a torn write)",
            )
        return VerifyError(
            self.next_seq,
            name,
            item.offset,
            Reason.MALFORMED,
            "a segment that is not the last ends inside a record",
        )

    def _note_last_ts(self) -> None:
        line = self._last_line
        if line:
            ts_at = line.find(b',"ts":', 0, 40)
            comma = line.find(b",", ts_at + 6, ts_at + 30)
            if ts_at > 0 and comma > 0 and line[ts_at + 6 : comma].isdigit():
                self.summary.last_ts = int(line[ts_at + 6 : comma])

    @property
    def last_hash(self) -> str:
        return self._last_hex.decode()

    def finish_summary(self) -> Summary:
        """Fold the hot loop's byte-keyed counters into the summary."""
        summary = self.summary
        summary.by_kind = {kind.decode(): n for kind, n in self._by_kind.items()}
        summary.tasks = {
            task.decode(): TaskSummary(
                records=info[0],
                first_seq=info[1],
                last_seq=info[2],
                outcome=self._outcomes.get(task, b"task.open").decode().removeprefix("task."),
            )
            for task, info in self._tasks.items()
        }
        return summary

    # -- one line -----------------------------------------------------------------------

    def _fail(
        self, name: str, offset: int, reason: Reason, message: str, seq: int | None = None
    ) -> _Stop:
        at = self.next_seq if seq is None else seq
        return _Stop(VerifyError(at, name, offset, reason, message))

    def _layout_error(self, line: bytes, name: str, offset: int, seq: int | None = None) -> _Stop:
        if seq is not None:
            self.next_seq = seq
        if line.startswith(b'{"v":'):
            end = line.find(b",", 5, 16)
            version = line[5:end] if end > 0 else b""
            if version != str(FORMAT_VERSION).encode() and version.isdigit():
                return self._fail(
                    name,
                    offset,
                    Reason.UNSUPPORTED_VERSION,
                    f"record format version {version.decode()} is not supported by this "
                    f"CrustCore (it reads version {FORMAT_VERSION}); upgrade CrustCore",
                )
            return self._fail(name, offset, Reason.MALFORMED, "the line is not a version-1 record")
        if self.next_seq == 0 and offset == 0:
            return self._fail(name, offset, Reason.NOT_A_LOG, "this is not a CrustCore event log")
        return self._fail(name, offset, Reason.MALFORMED, "the line is not a CrustCore record")

    def _check_semantics(
        self,
        line: bytes,
        name: str,
        *,
        offset: int,
        seq: int,
        ts: int,
        kind: str,
        task: str | None,
        digest: bytes,
    ) -> None:
        try:
            obj: object = json.loads(line)
        except (ValueError, RecursionError):
            raise self._fail(
                name, offset, Reason.MALFORMED, "the record is not valid JSON"
            ) from None
        decoded = decode_fields(obj)
        if isinstance(decoded, str):
            raise self._fail(name, offset, Reason.MALFORMED, decoded)
        d_seq, d_ts, d_kind, actor, d_task, job, session, payload = decoded
        if (d_seq, d_ts, d_kind, d_task) != (seq, ts, kind, task):
            raise self._fail(name, offset, Reason.MALFORMED, "the record header is ambiguous")
        if kind == KIND_CHECKPOINT:
            self._check_checkpoint(name, offset, seq=seq, ts=ts, payload=payload, digest=digest)
        elif kind == KIND_RECEIPT:
            self._check_receipt(name, offset, seq, payload)
        elif kind == KIND_TOOL_COMPLETED:
            self._note_completion(name, offset, seq=seq, task=task, job=job, payload=payload)
        elif kind == KIND_RECOVERED:
            self.summary.recoveries += 1
        elif task is not None and kind.encode() in _TERMINAL_TASK_KINDS:
            self._outcomes[task.encode()] = kind.encode()
        elif kind == "decision":
            verdict = payload.get("verdict", payload.get("decision"))
            label = verdict if isinstance(verdict, str) and len(verdict) <= 32 else "unknown"
            self.summary.decisions[label] = self.summary.decisions.get(label, 0) + 1
        if self.on_record is not None:
            if self.cipher is not None and is_encrypted(payload):
                try:
                    payload = self.cipher.decrypt(seq, payload)
                except LogError as exc:
                    raise self._fail(name, offset, Reason.MALFORMED, str(exc)) from None
            self.on_record(
                Record(
                    seq=seq,
                    ts_ms=ts,
                    kind=kind,
                    actor=actor,
                    task_id=task,
                    job_id=job,
                    session_id=session,
                    payload=payload,
                    prev_hash=self.last_hash,
                    record_hash=digest.hex(),
                    segment=name,
                    offset=offset,
                )
            )

    def _check_checkpoint(
        self,
        name: str,
        offset: int,
        *,
        seq: int,
        ts: int,
        payload: dict[str, object],
        digest: bytes,
    ) -> None:
        size, root, epoch, seal = (
            payload.get("tree_size"),
            payload.get("root"),
            payload.get("epoch"),
            payload.get("seal"),
        )
        if (
            not isinstance(size, int)
            or not isinstance(epoch, int)
            or not is_hex64(root)
            or not is_hex64(seal)
            or not isinstance(root, str)
            or not isinstance(seal, str)
        ):
            raise self._fail(name, offset, Reason.CHECKPOINT_MISMATCH, "malformed checkpoint")
        if size != seq or root != self.frontier.root().hex():
            raise self._fail(
                name,
                offset,
                Reason.CHECKPOINT_MISMATCH,
                "the checkpoint's Merkle root or tree size does not match the records before it",
            )
        if epoch != self.next_epoch:
            raise self._seal_failure(
                name,
                offset,
                f"checkpoint epoch {epoch} where epoch {self.next_epoch} was due (checkpoints "
                "were removed, reordered or re-sealed)",
            )
        if self.seal_key is not None:
            expected = compute_seal(
                self.seal_key, epoch=epoch, tree_size=size, root_hex=root, ts_ms=ts
            )
            if not hmac.compare_digest(expected, seal):
                raise self._seal_failure(
                    name,
                    offset,
                    f"the seal of checkpoint epoch {epoch} was not made with this log's key",
                )
            self.seal_key = evolve(self.seal_key)
        if not _resume_state_matches(payload, self.frontier, self.last_receipt):
            raise self._fail(
                name,
                offset,
                Reason.CHECKPOINT_MISMATCH,
                "the checkpoint's saved tree edge or receipt chain state does not match the "
                "records before it",
            )
        self.next_epoch = epoch + 1
        self.summary.checkpoints += 1
        self.last_checkpoint_seq = seq
        self.last_checkpoint_ts = ts
        self.last_sealed_size = seq
        self.last_sealed_offset = (name, offset)
        # The checkpoint record is itself a leaf of later trees.
        leaf = leaf_hash(digest)
        self.frontier.append_leaf(leaf)
        if self.leaves is not None:
            self.leaves.append(leaf)
            self.checkpoints[seq] = (ts, payload)

    def _seal_failure(self, name: str, offset: int, message: str) -> _Stop:
        # The first record no genuine seal covers is where the rewrite may begin.
        first_file, first_offset = self.last_sealed_offset or ("", 0)
        if self.last_checkpoint_seq is None:
            first_seq = 0
            first_file, first_offset = self._first_location(name)
        else:
            first_seq = self.last_checkpoint_seq
        return _Stop(
            VerifyError(
                first_seq,
                first_file or name,
                first_offset,
                Reason.SEAL_MISMATCH,
                message + f"; records from seq {first_seq} on are not covered by a genuine seal",
            )
        )

    def _first_location(self, name: str) -> tuple[str, int]:
        return (self.first_file or name, 0)

    def _note_completion(
        self,
        name: str,
        offset: int,
        *,
        seq: int,
        task: str | None,
        job: str | None,
        payload: dict[str, object],
    ) -> None:
        if not self.keep_completions:
            return
        if is_encrypted(payload):
            if self.cipher is None:
                self.completions[seq] = Completion(task, job, None, None, opaque=True)
                self.opaque_joins += 1
                return
            try:
                payload = self.cipher.decrypt(seq, payload)
            except LogError as exc:
                raise self._fail(name, offset, Reason.MALFORMED, str(exc)) from None
        call_id = payload.get("tool_call_id")
        self.completions[seq] = Completion(
            task,
            job,
            call_id if isinstance(call_id, str) else None,
            completion_result_hash(payload),
        )

    def _check_receipt(self, name: str, offset: int, seq: int, payload: dict[str, object]) -> None:
        shape = receipt_shape_error(payload)
        if shape is not None:
            raise self._fail(name, offset, Reason.BAD_RECEIPT, shape)
        if payload["seq"] != seq:
            raise self._fail(
                name, offset, Reason.BAD_RECEIPT, "the receipt names another sequence number"
            )
        genuine, body_hash = check_receipt_body(self.receipt_key, payload)
        if not genuine:
            raise self._fail(name, offset, Reason.BAD_RECEIPT_MAC, "the receipt MAC is not genuine")
        if payload["prev_receipt"] != self.last_receipt:
            raise self._fail(
                name,
                offset,
                Reason.RECEIPT_CHAIN,
                "the receipt does not follow the previous receipt (removed or reordered)",
            )
        target = payload["completion_seq"]
        assert isinstance(target, int)
        if self.keep_completions and target >= self.resume_seq:
            completion = self.completions.get(target)
            if completion is None or target >= seq:
                raise self._fail(
                    name,
                    offset,
                    Reason.RECEIPT_JOIN,
                    f"the receipt points at seq {target}, which is not an earlier "
                    "tool.completed record",
                )
            if target in self.receipted:
                raise self._fail(
                    name, offset, Reason.RECEIPT_JOIN, f"seq {target} already has a receipt"
                )
            if (
                completion.task_id != payload["task_id"]
                or completion.job_id != payload["job_id"]
                or (not completion.opaque and completion.tool_call_id != payload["tool_call_id"])
            ):
                raise self._fail(
                    name,
                    offset,
                    Reason.RECEIPT_JOIN,
                    "the receipt's task, job or tool call differs from its tool.completed record",
                )
            if (
                completion.result_sha256 is not None
                and completion.result_sha256 != payload["result_sha256"]
            ):
                raise self._fail(
                    name,
                    offset,
                    Reason.RECEIPT_JOIN,
                    "the receipt's result hash differs from the result logged in tool.completed",
                )
            self.receipted.add(target)
        self.last_receipt = body_hash
        self.summary.receipts += 1


_SEMANTIC_KINDS = (
    frozenset(
        kind.encode()
        for kind in (KIND_CHECKPOINT, KIND_RECEIPT, KIND_TOOL_COMPLETED, KIND_RECOVERED, "decision")
    )
    | _TERMINAL_TASK_KINDS
)


def _resume_state_matches(
    payload: dict[str, object], frontier: Frontier, last_receipt: str
) -> bool:
    """A checkpoint may carry what a writer needs to continue after it (``frontier``: the
    tree's right edge as hex, largest subtree first; ``last_receipt``); when it does, both must
    be exactly the verifier's own state at that point."""
    if "frontier" in payload:
        nodes = payload["frontier"]
        if nodes != [node.hex() for node in frontier.nodes()]:
            return False
    return "last_receipt" not in payload or payload["last_receipt"] == last_receipt


def _line_ts(line: bytes) -> int:
    """The timestamp of a line that `_HEADER_RE` matched (so it is all digits)."""
    start = line.index(b',"ts":') + 6
    return int(line[start : line.index(b",", start)])


def _special_indices(kinds: tuple[bytes, ...]) -> list[int]:
    """Positions of the records whose content must be decoded, found by a C-level search per
    kind present instead of a test per record."""
    found: list[int] = []
    for kind in _SEMANTIC_KINDS.intersection(kinds):
        at = kinds.index(kind)
        try:
            while True:
                found.append(at)
                at = kinds.index(kind, at + 1)
        except ValueError:
            pass
    found.sort()
    return found


def completion_result_hash(payload: dict[str, object]) -> str | None:
    """The result hash a ``tool.completed`` payload commits to (``result_sha256`` or ``result``)."""
    digest = payload.get("result_sha256")
    if isinstance(digest, str):
        return digest
    result = payload.get("result")
    if isinstance(result, str):
        return result_digest(result)
    return None


# -- public entry points ------------------------------------------------------------------


def resolve_log_path(path: Path) -> tuple[list[Segment], Path]:
    """Accept a segment file, a segment directory or a CrustCore home; return segments and the
    home (or the directory) they came from."""
    try:
        if path.is_dir():
            log_dir = path / "log" if (path / "log").is_dir() else path
            segments = list_segments(log_dir)
            if not segments:
                raise UsageError(f"{path} holds no event-log segments (segment-NNNNNNNN.jsonl)")
            return segments, log_dir
        if path.is_file():
            match = SEGMENT_RE.fullmatch(path.name)
            if match is not None and int(match.group(1)) > 0:
                raise UsageError(
                    f"{path.name} is a later segment of a log whose chain starts in "
                    f"segment-00000000.jsonl; inspect the directory {path.parent} instead"
                )
            return [Segment(0, path)], path.parent
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    raise UsageError(f"{path}: no such file or directory")


def verify_log(
    path: Path,
    *,
    verify_key: bytes | None = None,
    receipt_key: bytes | None = None,
    decrypt_key: bytes | None = None,
    seal_state: SealState | None = None,
    full: bool = False,
) -> VerifyReport:
    """Verify a log file, segment directory or CrustCore home and report the first failure.

    `seal_state` is the writer's current sealing-key state (``home/keys/log-seal.key``); given
    it, removing trailing checkpoints (and the records they sealed) is detected as well. Raises
    UsageError only when `path` cannot be opened at all.
    """
    segments, _ = resolve_log_path(path)
    scanner = Scanner(
        verify_key=verify_key, receipt_key=receipt_key, decrypt_key=decrypt_key, full=full
    )
    return run_scan(scanner, segments, seal_state=seal_state)


def run_scan(
    scanner: Scanner, segments: list[Segment], *, seal_state: SealState | None = None
) -> VerifyReport:
    scanner.first_file = segments[0].path.name if segments else ""
    if (
        len(segments) == 1
        and segments[0].index == 0
        and not segments[0].path.name.startswith("segment-")
    ):
        error = scanner.scan_file(segments[0].path)
    else:
        error = scanner.scan_segments(segments)
    scanner.finish_summary()
    notes: list[str] = []
    state_checked = False
    if error is None and seal_state is not None:
        state_checked = True
        error = _check_seal_state(scanner, seal_state)
        behind = scanner.next_epoch - 1 - seal_state.epoch
        if error is None and behind > 0:
            notes.append(
                f"the sealing-key file is {behind} checkpoint(s) behind the log: the writer "
                "stopped before it caught up (it persists a key only once its checkpoint is "
                "durable), and the next open brings it forward"
            )
    if scanner.verify_key is None:
        notes.append("checkpoint seals were not checked: pass the verification key (--key FILE)")
    if scanner.receipt_key is None and scanner.summary.receipts:
        notes.append("receipt MACs were not checked: pass the receipt key (--receipt-key FILE)")
    if scanner.opaque_joins:
        notes.append(
            f"{scanner.opaque_joins} tool completion(s) are encrypted: their receipts were joined "
            "by task and job only (pass the decryption key to check tool call and result)"
        )
    unsealed = scanner.next_seq - (
        scanner.last_checkpoint_seq + 1 if scanner.last_checkpoint_seq is not None else 0
    )
    return VerifyReport(
        ok=error is None,
        records=scanner.next_seq if error is None else min(scanner.next_seq, error.seq),
        first_error=error,
        summary=scanner.summary,
        segments=scanner.segments_seen,
        checkpoints=scanner.summary.checkpoints,
        last_checkpoint_seq=scanner.last_checkpoint_seq,
        unsealed_records=max(unsealed, 0),
        seals_checked=scanner.verify_key is not None,
        receipt_macs_checked=scanner.receipt_key is not None,
        seal_state_checked=state_checked,
        notes=tuple(notes),
    )


def _check_seal_state(scanner: Scanner, state: SealState) -> VerifyError | None:
    file, offset = scanner.end
    if state.epoch > scanner.next_epoch:
        return VerifyError(
            scanner.next_seq,
            file,
            offset,
            Reason.MISSING_CHECKPOINTS,
            f"the sealing key is at epoch {state.epoch} but the log's checkpoints end before "
            f"epoch {scanner.next_epoch}: sealed records were removed from the end of the log",
        )
    if scanner.verify_key is not None:
        from .keys import key_for_epoch

        if not hmac.compare_digest(key_for_epoch(scanner.verify_key, state.epoch), state.key):
            return VerifyError(
                scanner.next_seq,
                file,
                offset,
                Reason.SEAL_MISMATCH,
                "the sealing-key file was not derived from this verification key",
            )
    return None


def iter_records(
    path: Path,
    *,
    verify_key: bytes | None = None,
    receipt_key: bytes | None = None,
    decrypt_key: bytes | None = None,
    seal_state: SealState | None = None,
) -> Iterator[Record]:
    """Yield the records of the verified prefix, in order, decoded (payloads decrypted when
    `decrypt_key` is given). Verification runs first, so a record is yielded only if everything
    before the first failure checked out; raises LogError after the prefix if the log is broken.
    """
    report = verify_log(
        path,
        verify_key=verify_key,
        receipt_key=receipt_key,
        decrypt_key=decrypt_key,
        seal_state=seal_state,
    )
    limit = report.records
    collected: list[Record] = []
    segments, _ = resolve_log_path(path)

    def keep(record: Record) -> None:
        if record.seq < limit:
            collected.append(record)

    # Stream segment by segment so memory stays bounded by one segment's records.
    scanner = Scanner(
        receipt_key=None, decrypt_key=decrypt_key, on_record=keep, keep_completions=False
    )
    scanner.first_file = segments[0].path.name
    for segment in segments:
        if scanner.next_seq >= limit:
            break
        scanner.scan_file(segment.path, last=False)
        yield from collected
        collected.clear()
    if report.first_error is not None:
        error = report.first_error
        raise LogError(
            f"event log broken at seq {error.seq} ({error.file}, byte {error.offset}): "
            f"{error.message}"
        )
