"""The tamper-evident event log: hash-chained JSON Lines, sealed Merkle checkpoints, receipts.

See ``docs/event-log.md`` for the format, the key files and how to check proofs by hand.
"""

from __future__ import annotations

from .keys import SealState, read_seal_state
from .merkle import verify_consistency, verify_inclusion
from .receipts import args_digest, result_digest
from .record import KIND_CHECKPOINT, KIND_RECEIPT, KIND_RECOVERED, KIND_TOOL_COMPLETED, Record
from .verify import Reason, Summary, VerifyError, VerifyReport, iter_records, verify_log
from .writer import AppendResult, EventLog, LogConfig, RecoveryReport

__all__ = [
    "KIND_CHECKPOINT",
    "KIND_RECEIPT",
    "KIND_RECOVERED",
    "KIND_TOOL_COMPLETED",
    "AppendResult",
    "EventLog",
    "LogConfig",
    "Reason",
    "Record",
    "RecoveryReport",
    "SealState",
    "Summary",
    "VerifyError",
    "VerifyReport",
    "args_digest",
    "iter_records",
    "read_seal_state",
    "result_digest",
    "verify_consistency",
    "verify_inclusion",
    "verify_log",
]
