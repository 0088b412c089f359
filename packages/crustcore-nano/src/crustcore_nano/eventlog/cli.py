"""`crustcore inspect` and `crustcore export`: verify, summarize, prove and export a log.

Exit codes: 0 intact (or proof holds), 1 broken (or proof fails), 2 usage error or input that is
not something we can judge (unreadable, not a log, a format version from the future). Bad input
never produces a traceback: every failure is one clear line on stderr (or one JSON object).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, cast

from crustcore_nano.cliparse import ParserExit, StreamParser
from crustcore_nano.errors import CrustCoreError, UsageError

from .encryption import is_encrypted
from .keys import (
    RECEIPT_KEY_FILE,
    SEAL_KEY_FILE,
    VERIFY_KEY_FILE,
    SealState,
    load_key_file,
    read_seal_state,
)
from .proofs import (
    check_proof,
    consistency_proof,
    inclusion_proof,
    load_proof_source,
    read_proof_file,
)
from .record import Record
from .verify import VerifyReport, iter_records, verify_log

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _Keys:
    verify_key: bytes | None
    receipt_key: bytes | None
    decrypt_key: bytes | None
    seal_state: SealState | None
    notes: tuple[str, ...]


def _home_of(path: Path) -> Path | None:
    """The CrustCore home a path belongs to, if it is one (or its log directory)."""
    for candidate in (path, path.parent):
        if (candidate / "log").is_dir() and (candidate / "keys").is_dir():
            return candidate
    return None


def _load_keys(args: argparse.Namespace, path: Path | None) -> _Keys:
    notes: list[str] = []
    home = _home_of(path) if path is not None and path.is_dir() else None
    verify_key = receipt_key = decrypt_key = None
    seal_state: SealState | None = None
    try:
        if args.key is not None:
            verify_key = load_key_file(Path(args.key))
        elif home is not None and (home / "keys" / VERIFY_KEY_FILE).is_file():
            verify_key = load_key_file(home / "keys" / VERIFY_KEY_FILE)
            notes.append(
                "seals were checked with the on-host copy of the verification key; pass --key "
                "with your offline copy for a check a compromised host cannot fake"
            )
        if getattr(args, "receipt_key", None) is not None:
            receipt_key = load_key_file(Path(args.receipt_key))
        elif home is not None and (home / "keys" / RECEIPT_KEY_FILE).is_file():
            receipt_key = load_key_file(home / "keys" / RECEIPT_KEY_FILE)
        if getattr(args, "decrypt_key", None) is not None:
            decrypt_key = load_key_file(Path(args.decrypt_key))
        if getattr(args, "seal_state", None) is not None:
            seal_state = read_seal_state(Path(args.seal_state))
        elif home is not None and (home / "keys" / SEAL_KEY_FILE).is_file():
            seal_state = read_seal_state(home / "keys" / SEAL_KEY_FILE)
    except CrustCoreError as exc:
        raise UsageError(str(exc)) from None
    return _Keys(verify_key, receipt_key, decrypt_key, seal_state, tuple(notes))


def _add_key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", metavar="FILE", help="verification key (log-verify.key)")
    parser.add_argument("--receipt-key", metavar="FILE", help="receipt MAC key (log-receipt.key)")
    parser.add_argument(
        "--seal-state", metavar="FILE", help="the writer's log-seal.key (detects removed seals)"
    )


def _fmt_ts(ms: int) -> str:
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    except (OverflowError, OSError, ValueError):
        return f"{ms} ms"


def _render_report(path: Path, report: VerifyReport, notes: Sequence[str], out: TextIO) -> None:
    verdict = "INTACT" if report.ok else "BROKEN"
    out.write(
        f"event log {path}: {report.records} verified record(s) in {report.segments} "
        f"segment(s), chain {verdict}\n"
    )
    error = report.first_error
    if error is not None:
        out.write(
            f"  first bad record: seq {error.seq}, file {error.file}, byte offset {error.offset}: "
            f"{error.reason.value}: {error.message}\n"
        )
    summary = report.summary.to_json()
    seals = "verified" if report.seals_checked else "NOT checked (no --key)"
    last = report.last_checkpoint_seq
    out.write(
        f"  checkpoints: {report.checkpoints}"
        + (f" (last at seq {last})" if last is not None else "")
        + f", seals {seals}, {report.unsealed_records} record(s) after the last seal\n"
    )
    macs = "verified" if report.receipt_macs_checked else "NOT checked (no receipt key)"
    out.write(f"  receipts: {summary['receipts']}, MACs {macs}\n")
    tasks = report.summary.tasks
    if not tasks:
        out.write("  tasks: none\n")
    for task, info in list(tasks.items())[:50]:
        out.write(
            f"  task {task}: {info.records} record(s), seq {info.first_seq}..{info.last_seq}, "
            f"{info.outcome}\n"
        )
    if len(tasks) > 50:
        out.write(f"  ... and {len(tasks) - 50} more task(s) (use --json)\n")
    decisions = summary["decisions"]
    assert isinstance(decisions, dict)
    rendered = ", ".join(f"{k}={v}" for k, v in decisions.items()) or "none"  # pyright: ignore[reportUnknownVariableType]
    out.write(f"  decisions: {rendered}\n")
    out.write(
        f"  approvals: {summary['approvals']}, verified patches: {summary['verified_patches']}, "
        f"recoveries: {summary['recoveries']}\n"
    )
    span = report.summary
    if span.first_ts is not None and span.last_ts is not None:
        out.write(f"  time span: {_fmt_ts(span.first_ts)} .. {_fmt_ts(span.last_ts)}\n")
    for note in (*notes, *report.notes):
        out.write(f"  note: {note}\n")


def _usage_failure(
    message: str, *, as_json: bool, stdout: TextIO, stderr: TextIO, prog: str
) -> int:
    if as_json:
        stdout.write(
            json.dumps({"ok": False, "error": {"code": "usage", "message": message}}) + "\n"
        )
    stderr.write(f"{prog}: error: {message}\n")
    return EXIT_USAGE


def inspect_main(argv: list[str], *, stdout: TextIO, stderr: TextIO) -> int:
    """`crustcore inspect PATH [--key FILE] [--json] [--prove SEQ | --consistency A B]` and
    `crustcore inspect --verify-proof FILE [--key FILE]`."""
    parser = StreamParser(
        "crustcore inspect",
        "Verify a CrustCore event log (a segment file, a log directory or a CrustCore home).",
        stdout,
        stderr,
    )
    parser.add_argument("path", nargs="?", help="log file, segment directory or CrustCore home")
    _add_key_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--full", action="store_true", help="also JSON-decode every record")
    parser.add_argument("--prove", metavar="SEQ", type=int, help="inclusion proof of one record")
    parser.add_argument(
        "--consistency",
        metavar=("A", "B"),
        nargs=2,
        type=int,
        help="consistency proof between the checkpoints at seq A and seq B",
    )
    parser.add_argument("--verify-proof", metavar="FILE", help="check a proof file")
    as_json = "--json" in argv
    try:
        args = parser.parse_args(argv)
        return _inspect(args, stdout, stderr)
    except ParserExit as done:
        return done.status
    except UsageError as exc:
        return _usage_failure(
            str(exc), as_json=as_json, stdout=stdout, stderr=stderr, prog="crustcore inspect"
        )
    except CrustCoreError as exc:
        return _usage_failure(
            str(exc), as_json=as_json, stdout=stdout, stderr=stderr, prog="crustcore inspect"
        )
    except (OSError, MemoryError, RecursionError) as exc:
        return _usage_failure(
            f"cannot read the input: {type(exc).__name__}: {exc}",
            as_json=as_json,
            stdout=stdout,
            stderr=stderr,
            prog="crustcore inspect",
        )


def _inspect(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.verify_proof is not None:
        if args.path is not None or args.prove is not None or args.consistency is not None:
            raise UsageError("--verify-proof FILE takes no PATH, --prove or --consistency")
        keys = _load_keys(args, None)
        check = check_proof(read_proof_file(Path(args.verify_proof)), verify_key=keys.verify_key)
        if args.json:
            stdout.write(
                json.dumps(
                    {
                        "ok": check.ok,
                        "proof": check.kind,
                        "message": check.message,
                        "seals_checked": check.seals_checked,
                    }
                )
                + "\n"
            )
        else:
            verdict = "VALID" if check.ok else "INVALID"
            seals = "" if check.seals_checked else " (checkpoint seals NOT checked: pass --key)"
            stdout.write(f"{check.kind} proof {verdict}: {check.message}{seals}\n")
        if check.kind == "unknown":
            return EXIT_USAGE
        return EXIT_OK if check.ok else EXIT_BROKEN
    if args.path is None:
        raise UsageError("give a PATH (log file, segment directory or CrustCore home)")
    if args.prove is not None and args.consistency is not None:
        raise UsageError("use --prove or --consistency, not both")
    path = Path(args.path)
    keys = _load_keys(args, path)
    if args.prove is not None or args.consistency is not None:
        source = load_proof_source(path, verify_key=keys.verify_key, receipt_key=keys.receipt_key)
        if args.prove is not None:
            if not 0 <= args.prove < len(source.leaves):
                raise UsageError(f"seq {args.prove} is not a verified record of this log")
            proof = inclusion_proof(source, args.prove)
        else:
            pair = cast("list[int]", args.consistency)
            proof = consistency_proof(source, pair[0], pair[1])
        if source.error is not None:
            stderr.write(
                f"crustcore inspect: warning: the log is broken at seq {source.error.seq}; the "
                "proof covers only the verified prefix\n"
            )
        stdout.write(json.dumps(proof, indent=None if args.json else 2) + "\n")
        return EXIT_OK
    report = verify_log(
        path,
        verify_key=keys.verify_key,
        receipt_key=keys.receipt_key,
        seal_state=keys.seal_state,
        full=args.full,
    )
    if args.json:
        payload = report.to_json()
        payload["path"] = str(path)
        payload["notes"] = [*keys.notes, *report.notes]
        stdout.write(json.dumps(payload) + "\n")
    else:
        _render_report(path, report, keys.notes, stdout)
    return report.exit_code


def _export_record(record: Record, decrypted: bool) -> dict[str, object]:
    data = record.to_json()
    if not decrypted and is_encrypted(record.payload):
        data["payload"] = {"$encrypted": True}
    return data


def export_main(argv: list[str], *, stdout: TextIO, stderr: TextIO) -> int:
    """`crustcore export PATH [--jsonl] [--decrypt-key FILE] [--key FILE]`: write the verified
    prefix; warn on stderr where verification stopped."""
    parser = StreamParser(
        "crustcore export",
        "Write the verified prefix of a CrustCore event log as JSON (or JSON Lines).",
        stdout,
        stderr,
    )
    parser.add_argument("path", help="log file, segment directory or CrustCore home")
    _add_key_options(parser)
    parser.add_argument("--jsonl", action="store_true", help="one record per line")
    parser.add_argument("--decrypt-key", metavar="FILE", help="decrypt payloads with this key")
    try:
        args = parser.parse_args(argv)
        path = Path(args.path)
        keys = _load_keys(args, path)
        decrypted = keys.decrypt_key is not None
        count = 0
        records = iter_records(
            path,
            verify_key=keys.verify_key,
            receipt_key=keys.receipt_key,
            decrypt_key=keys.decrypt_key,
            seal_state=keys.seal_state,
        )
        if not args.jsonl:
            stdout.write('{"records":[')
        try:
            for record in records:
                text = json.dumps(_export_record(record, decrypted), separators=(",", ":"))
                if args.jsonl:
                    stdout.write(text + "\n")
                else:
                    stdout.write(("," if count else "") + "\n" + text)
                count += 1
        except CrustCoreError as exc:
            if not args.jsonl:
                stdout.write(f'\n],"complete":false,"exported":{count}}}\n')
            stderr.write(
                f"crustcore export: warning: verification stopped: {exc}; exported the "
                f"{count} record(s) before it\n"
            )
            return EXIT_BROKEN
        if not args.jsonl:
            stdout.write(f'\n],"complete":true,"exported":{count}}}\n')
        return EXIT_OK
    except ParserExit as done:
        return done.status
    except CrustCoreError as exc:
        stderr.write(f"crustcore export: error: {exc}\n")
        return EXIT_USAGE
    except (OSError, MemoryError, RecursionError) as exc:
        stderr.write(
            f"crustcore export: error: cannot read the input: {type(exc).__name__}: {exc}\n"
        )
        return EXIT_USAGE
