"""`crustcore scan`: exit codes, output formats, redaction, bad input and invalid UTF-8."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

from crustcore_nano.dlp.checksums import crc32_base62_tail
from crustcore_nano.dlp.cli import scan_main

_B62 = string.ascii_letters + string.digits
_BODY = "".join(_B62[(i * 17) % 62] for i in range(30))
TOKEN = "ghp_" + _BODY + crc32_base62_tail(_BODY)


def _run(argv: list[str], stdin: io.TextIOBase | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = scan_main(argv, stdin=stdin or io.StringIO(""), stdout=out, stderr=err)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "clean.txt"
    path.write_text("nothing here\n")
    code, out, err = _run([str(path)])
    assert (code, err) == (0, "")
    assert "no credentials found" in out


def test_finding_exits_one_and_never_prints_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "leak.env"
    path.write_text(f"A=1\nGITHUB_TOKEN={TOKEN}\n")
    code, out, _ = _run([str(path)])
    assert code == 1
    assert "line 2: github-pat [high]" in out
    assert TOKEN not in out


def test_json_output_has_the_contract_keys(tmp_path: Path) -> None:
    path = tmp_path / "leak.env"
    path.write_text(f"GITHUB_TOKEN={TOKEN}\n")
    code, out, _ = _run([str(path), "--json"])
    assert code == 1
    (finding,) = json.loads(out)
    assert {"type", "start", "end", "line", "confidence"} <= finding.keys()
    assert (finding["type"], finding["start"], finding["end"], finding["line"]) == (
        "github-pat",
        13,
        13 + len(TOKEN),
        1,
    )


def test_redact_from_stdin() -> None:
    code, out, _ = _run(["-", "--redact"], io.StringIO(f"x {TOKEN} y"))
    assert code == 1
    assert out == "x [REDACTED:github-pat] y"
    code, out, _ = _run(["--redact", "--json"], io.StringIO(f"x {TOKEN} y"))
    document = json.loads(out)
    assert document["redacted"] == "x [REDACTED:github-pat] y"
    assert document["findings"][0]["type"] == "github-pat"


def test_test_keys_do_not_fail_unless_strict() -> None:
    text = "STRIPE=sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc\n"
    code, out, _ = _run([], io.StringIO(text))
    assert code == 0
    assert "test key" in out
    code, _, _ = _run(["--strict"], io.StringIO(text))
    assert code == 1


def test_invalid_utf8_offsets_count_decoded_characters(tmp_path: Path) -> None:
    path = tmp_path / "bin.dat"
    path.write_bytes(b"\xff\xfe\xc3(" + TOKEN.encode() + b"\n")
    code, out, _ = _run([str(path), "--json"])
    assert code == 1
    (finding,) = json.loads(out)
    decoded = path.read_bytes().decode("utf-8", errors="replace")
    assert decoded[finding["start"] : finding["end"]] == TOKEN


def test_binary_stdin_buffer_is_decoded_with_replacement() -> None:
    raw = io.BytesIO(b"\x80 " + TOKEN.encode())
    stdin = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    code, out, _ = _run(["--json"], stdin)
    assert code == 1
    assert json.loads(out)[0]["start"] == 2


def test_unreadable_and_missing_files_exit_two(tmp_path: Path) -> None:
    code, _, err = _run([str(tmp_path / "missing.txt")])
    assert code == 2
    assert "cannot read" in err
    code, _, err = _run([str(tmp_path)])
    assert code == 2
    assert "cannot read" in err


def test_too_large_input_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("a" * 5000)
    code, _, err = _run([str(path), "--max-bytes", "1000"])
    assert code == 2
    assert "--max-bytes" in err
    code, _, err = _run(["--max-bytes", "10"], io.StringIO("b" * 50))
    assert code == 2
    code, _, err = _run(["--max-bytes", "0"], io.StringIO(""))
    assert code == 2


def test_usage_errors_and_help() -> None:
    code, _, err = _run(["--bogus"])
    assert code == 2
    assert "unrecognized arguments" in err
    code, out, _ = _run(["--help"])
    assert code == 0
    assert "characters of that decoded text" in out
    assert "U+FFFD" in out
