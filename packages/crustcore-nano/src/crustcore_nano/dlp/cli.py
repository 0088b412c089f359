"""`crustcore scan [FILE|-] [--json] [--redact]`: report or redact credentials in a file.

The adapter around the sans-IO scanner: it reads bytes, decodes them, calls `scan`/`redact`, and
prints. The secret text itself is never printed, only its type, position and confidence (or the
redacted text). Exit codes: 0 nothing found, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import codecs
import json
from typing import TextIO

from crustcore_nano.cliparse import ParserExit, StreamParser
from crustcore_nano.dlp.finding import Finding
from crustcore_nano.dlp.fixture_paths import downgrade_fixture_keys
from crustcore_nano.dlp.scanner import redact, scan
from crustcore_nano.errors import UsageError

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_READ_CHUNK = 1 << 20

_EPILOG = """\
Input is decoded as UTF-8, or as UTF-16/UTF-32 when its NUL bytes show it is (as files written by
Windows tools are; a byte-order mark picks the variant); invalid byte sequences are replaced
with U+FFFD, and every offset (start, end) counts characters of that decoded text, not bytes.
Lines are 1-based and counted by '\\n'. Findings marked as test keys (sk_test_ keys,
documentation example ids, values saying 'example', 'dummy', 'fake' or 'test', passwords for
localhost, private keys in a file under a test or fixture directory) are listed but do not
make the exit status 1 unless --strict is given. Inputs larger than --max-bytes are refused
(exit 2).
exit status: 0 no findings, 1 findings, 2 usage or input error."""


def _parser(out: TextIO, err: TextIO) -> StreamParser:
    parser = StreamParser(
        "crustcore scan",
        "Find credentials (API keys, tokens, private keys, passwords in URLs and assignments) in "
        "a file or standard input.",
        out,
        err,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", default="-", help="file to scan, or - for stdin")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--redact", action="store_true", help="print the input with findings replaced"
    )
    parser.add_argument(
        "--strict", action="store_true", help="test keys also make the exit status 1"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse inputs larger than N bytes (default {DEFAULT_MAX_BYTES})",
    )
    return parser


class _InputError(Exception):
    pass


def _read_binary(stream: object, limit: int) -> bytes:
    read = getattr(stream, "read", None)
    if read is None:
        raise _InputError("input is not readable")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk: object = read(_READ_CHUNK)
        if not isinstance(chunk, bytes):
            raise _InputError("input did not yield bytes")
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise _InputError(f"input is larger than --max-bytes ({limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


# Longest marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_input(data: bytes) -> str:
    """The text of `data`: UTF-8, unless it is UTF-16 or UTF-32 (PowerShell and other Windows
    tools write UTF-16; read as UTF-8 every other byte is NUL and no credential would match).
    UTF-8 text has no NUL bytes, so wide text is recognised by them: with a byte-order mark any
    NUL will do; without one, NULs must sit in one byte of each pair (ASCII in UTF-16) and
    almost never in the other, which zero-padded binary data does not do (binaries keep being
    read as UTF-8, where their embedded ASCII strings are found). The mark is dropped, so
    offsets count the text."""
    if 0 not in data:
        return data.decode("utf-8", errors="replace")
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    pairs = len(data) // 2
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    high, low = max(odd, even), min(odd, even)
    if pairs and high * 10 >= pairs * 3 and low * 50 <= pairs:
        return data.decode("utf-16-le" if odd > even else "utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


def _read_text_stream(stdin: TextIO, limit: int) -> str:
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        return decode_input(_read_binary(buffer, limit))
    parts: list[str] = []
    total = 0
    while True:
        chunk = stdin.read(_READ_CHUNK)
        if not chunk:
            break
        total += len(chunk.encode("utf-8", "surrogatepass"))
        if total > limit:
            raise _InputError(f"input is larger than --max-bytes ({limit} bytes)")
        parts.append(chunk)
    return "".join(parts)


def _read_input(name: str, stdin: TextIO, limit: int) -> str:
    if name == "-":
        return _read_text_stream(stdin, limit)
    try:
        with open(name, "rb") as handle:
            return decode_input(_read_binary(handle, limit))
    except OSError as exc:
        raise _InputError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _describe(finding: Finding) -> str:
    flags: list[str] = []
    if finding.test_key:
        flags.append("test key")
    if finding.checksum_valid is True:
        flags.append("checksum valid")
    elif finding.checksum_valid is False:
        flags.append("checksum invalid")
    extra = f" ({', '.join(flags)})" if flags else ""
    return (
        f"line {finding.line}: {finding.type} [{finding.confidence.value}] "
        f"chars {finding.start}-{finding.end}{extra}"
    )


def scan_main(argv: list[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run `crustcore scan` with `argv` (without the program and subcommand names)."""
    parser = _parser(stdout, stderr)
    try:
        args = parser.parse_args(argv)
    except ParserExit as exc:
        return exc.status
    except UsageError as exc:
        stderr.write(f"{parser.format_usage()}crustcore scan: error: {exc}\n")
        return 2
    name: str = args.file
    limit: int = args.max_bytes
    if limit <= 0:
        stderr.write("crustcore scan: error: --max-bytes must be positive\n")
        return 2
    try:
        text = _read_input(name, stdin, limit)
    except _InputError as exc:
        stderr.write(f"crustcore scan: error: {exc}\n")
        return 2
    findings = scan(text, max_findings=1_000_000)
    if name != "-":
        findings = downgrade_fixture_keys(findings, name)
    counted = [f for f in findings if args.strict or not f.test_key]
    status = 1 if counted else 0
    if args.redact:
        redacted = redact(text)
        if args.json:
            document = {"redacted": redacted, "findings": [f.to_json() for f in findings]}
            stdout.write(json.dumps(document) + "\n")
        else:
            stdout.write(redacted)
        return status
    if args.json:
        stdout.write(json.dumps([f.to_json() for f in findings]) + "\n")
        return status
    label = "<stdin>" if name == "-" else name
    for finding in findings:
        stdout.write(f"{label}: {_describe(finding)}\n")
    if not findings:
        stdout.write(f"{label}: no credentials found\n")
    return status
