"""Threat: a credential of any known type sits in text an agent is about to send or write.
Invariant: the DLP scanner reports it with the right type, and stays quiet on look-alikes.

The true positives are templates (`dlp_corpus/positives.txt`) expanded here with seeded random
characters and generators that compute real checksums (GitHub/npm CRC32, bech32, base58check,
PyPI macaroon headers), so no scannable credential is ever committed. The hard negatives
(`dlp_corpus/negatives/`) are hashes, UUIDs, lock files, minified JS, CSS, notebooks,
placeholders, test keys and URLs without passwords, plus a PNG generated here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from crustcore_nano.dlp import DETECTORS, Confidence, Finding, redact, scan
from crustcore_nano.dlp.checksums import bech32_checksum_chars, crc32_base62_tail

CORPUS = Path(__file__).parent / "dlp_corpus"
_B62 = string.ascii_letters + string.digits
_ALPHABETS = {
    "b62": _B62,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "upper": string.ascii_uppercase + string.digits,
    "lower": string.ascii_lowercase + string.digits,
    "alpha": string.ascii_letters,
    "digits": string.digits,
    "b64": _B62 + "+/",
    "b64u": _B62 + "-_",
}
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


@dataclass(frozen=True, slots=True)
class Case:
    type: str
    test_key: bool
    template: str
    line: int


def _cases() -> list[Case]:
    cases: list[Case] = []
    current: tuple[str, bool, int] | None = None
    body: list[str] = []
    lines = (CORPUS / "positives.txt").read_text("utf-8").splitlines()
    for number, line in enumerate([*lines, "=== end"], start=1):
        if line.startswith("==="):
            if current is not None:
                cases.append(Case(current[0], current[1], "\n".join(body), current[2]))
            words = line[3:].split()
            current = (words[0], words[1:] == ["test"], number)
            body = []
        elif current is not None:
            body.append(line)
    return [c for c in cases if c.type != "end"]


class _Expander:
    """Fills template placeholders with seeded random values and checksummed tokens."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def crc_token(self, prefix: str) -> str:
        body = self.chars(_B62, 30)
        return prefix + body + crc32_base62_tail(body)

    def pypi(self, location: bytes) -> str:
        raw = b"\x02\x01" + bytes([len(location)]) + location + b"\x02\x01" + self.rng.randbytes(90)
        return "pypi-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def age(self) -> str:
        data = self.rng.randbytes(32)
        bits = int.from_bytes(data, "big") << 4  # 256 bits padded to 260 = 52 groups of 5
        groups = [(bits >> (5 * (51 - i))) & 31 for i in range(52)]
        hrp = "age-secret-key-"
        text = hrp + "1" + "".join(_BECH32[g] for g in groups) + bech32_checksum_chars(hrp, groups)
        return text.upper()

    def xprv(self) -> str:
        payload = (
            bytes.fromhex("0488ade4") + b"\x00" * 9 + self.rng.randbytes(32) + b"\x00"
        ) + self.rng.randbytes(32)
        check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
        value = int.from_bytes(payload + check, "big")
        out = ""
        while value:
            value, rem = divmod(value, 58)
            out = _B58[rem] + out
        return out

    def jwt(self) -> str:
        def part(obj: dict[str, object]) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")

        header = part({"alg": "HS256", "typ": "JWT"})
        payload = part({"sub": self.chars(_B62, 12), "iat": 1700000000, "scope": "repo"})
        return f"{header}.{payload}.{self.chars(_ALPHABETS['b64u'], 43)}"

    def discord(self) -> str:
        snowflake = "1" + self.chars(string.digits, 17)
        uid = base64.b64encode(snowflake.encode()).decode().rstrip("=")
        return f"{uid}.{self.chars(_ALPHABETS['b64u'], 6)}.{self.chars(_ALPHABETS['b64u'], 38)}"

    def pem_lines(self) -> list[str]:
        return [self.chars(_ALPHABETS["b64"], 64) for _ in range(8)]

    def expand(self, template: str) -> str:
        def one(match: re.Match[str]) -> str:
            spec = match.group(1)
            name, _, arg = spec.partition(":")
            if name in _ALPHABETS:
                return self.chars(_ALPHABETS[name], int(arg))
            if name == "gh":
                return self.crc_token(arg)
            if name == "npm":
                return self.crc_token("npm_")
            if name == "pypi":
                return self.pypi(b"pypi.org")
            if name == "pypi_test":
                return self.pypi(b"test.pypi.org")
            if name == "age":
                return self.age()
            if name == "xprv":
                return self.xprv()
            if name == "jwt":
                return self.jwt()
            if name == "discord":
                return self.discord()
            if name == "pem":
                return "\n".join(self.pem_lines())
            if name == "pem_escaped":
                body = "\\n".join(self.pem_lines())
                return f"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"
            if name == "basic":
                return base64.b64encode(f"deploy:{self.chars(_B62, 20)}".encode()).decode()
            raise AssertionError(f"unknown placeholder {{{spec}}}")

        expanded = re.sub(r"(?<!\{)\{([A-Za-z][A-Za-z0-9_]*(?::[^{}]*)?)\}(?!\})", one, template)
        return expanded.replace("{{", "{").replace("}}", "}")


CASES = _cases()


def _hits(text: str, case: Case) -> list[Finding]:
    return [f for f in scan(text) if f.type == case.type]


def test_corpus_covers_every_detector() -> None:
    names = {d.name for d in DETECTORS}
    covered = {c.type for c in CASES}
    assert len(names) >= 60
    assert names - covered == set(), "detectors without a true positive in the corpus"
    assert covered - names == set(), "corpus names an unknown detector"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.type}@{c.line}" for c in CASES])
def test_true_positive_found_with_its_type(case: Case) -> None:
    for seed in (case.line, case.line + 1000):
        text = _Expander(seed).expand(case.template)
        hits = _hits(text, case)
        assert hits, f"{case.type} not found in:\n{text}"
        finding = hits[0]
        assert finding.test_key is case.test_key
        if case.test_key:
            assert finding.confidence is Confidence.LOW
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.line == text.count("\n", 0, finding.start) + 1
        redacted = redact(text)
        assert f"[REDACTED:{case.type}]" in redacted
        assert scan(redacted) == ()


def test_checksummed_tokens_are_high_confidence_and_lookalikes_are_not() -> None:
    expander = _Expander(7)
    for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"):
        token = expander.crc_token(prefix)
        (finding,) = scan(f"t={token}")
        assert finding.checksum_valid is True
        assert finding.confidence is Confidence.HIGH
        broken = token[:-1] + ("A" if token[-1] != "A" else "B")
        (lookalike,) = scan(f"t={broken}")
        assert lookalike.checksum_valid is False
        assert lookalike.confidence is not Confidence.HIGH
    (age,) = scan(expander.age())
    assert (age.type, age.checksum_valid, age.confidence) == (
        "age-secret-key",
        True,
        Confidence.HIGH,
    )
    (xprv,) = scan(f"k={expander.xprv()}")
    assert (xprv.type, xprv.checksum_valid) == ("bip32-extended-private-key", True)


def _png_base64() -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rng = random.Random(99)
    width = height = 16
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


NEGATIVES = sorted((CORPUS / "negatives").iterdir())


def _assert_quiet(text: str) -> None:
    for finding in scan(text):
        snippet = text[max(0, finding.start - 30) : finding.end + 10]
        assert finding.confidence is Confidence.LOW, (finding, snippet)
        assert finding.test_key, (finding, snippet)
        assert not finding.blocking


@pytest.mark.parametrize("path", NEGATIVES, ids=[p.name for p in NEGATIVES])
def test_hard_negative_file_has_no_real_finding(path: Path) -> None:
    _assert_quiet(path.read_text("utf-8"))


def test_image_base64_is_not_a_secret() -> None:
    data = _png_base64()
    assert len(data) > 1000
    _assert_quiet(data)
    _assert_quiet(f'<img src="data:image/png;base64,{data}">')
    _assert_quiet(json.dumps({"image/png": data}))
