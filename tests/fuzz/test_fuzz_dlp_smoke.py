"""Run every DLP fuzz target on a few thousand hypothesis inputs.

The targets are the functions atheris drives for longer runs; here they run briefly in the
ordinary suite so a broken invariant shows up in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzkit import load_target
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_HERE = Path(__file__).parent
_TARGETS = sorted(p.stem for p in _HERE.glob("fuzz_dlp_*.py"))


# Seeds that reach the detectors: anchors, near-miss tokens, operators, key blocks.
_SEEDS = [
    b"",
    b"ghp_0123456789abcdefghijklmnopqrstuvwxyz",
    b'password = "Xk9#mP2qL8vR4tZw" token: sk_test_abcdefghijklmnopqrstuvwx',
    b"postgres://u:p4ssw0rdXYZ@db.example.io/x https://a@b mongodb+srv://:@",
    b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + b"A" * 80 + b"\n-----END",
    b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl AKIAABCDEFGHIJKLMNOP",
    b"AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
    b"xprv9s21ZrQH143K" + b"1" * 95,
    b"MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef." + b"x" * 30 + b" 123456789:AA" + b"z" * 33,
    b"\xff\xfe\x00key=\xc3\xa9\xe2\x80\x8bAbCdEfGh12345678\r\n:=>==",
]


def test_there_are_at_least_three_dlp_targets() -> None:
    assert {"fuzz_dlp_scan", "fuzz_dlp_redact", "fuzz_dlp_crc32_base62"} <= set(_TARGETS)
    assert len(_TARGETS) >= 5


@pytest.mark.parametrize("name", _TARGETS)
def test_target_accepts_seeds(name: str) -> None:
    target = load_target(name)
    for seed in _SEEDS:
        target(seed)


def _seeded_bytes() -> st.SearchStrategy[bytes]:
    spliced = st.tuples(st.sampled_from(_SEEDS), st.binary(max_size=64), st.sampled_from(_SEEDS))
    return st.one_of(
        st.binary(max_size=512),
        spliced.map(lambda t: t[0] + t[1] + t[2]),
        st.text(max_size=256).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )


@pytest.mark.parametrize("name", _TARGETS)
@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=_seeded_bytes())
def test_target_on_hypothesis_inputs(name: str, data: bytes) -> None:
    load_target(name)(data)
