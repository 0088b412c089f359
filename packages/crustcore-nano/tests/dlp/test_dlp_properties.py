"""Properties of `scan` and `redact` over arbitrary text, including text built around real
token shapes so the detectors (not only the prefilter) are exercised."""

from __future__ import annotations

import string

from crustcore_nano.dlp import Finding, redact, scan
from crustcore_nano.dlp.checksums import crc32_base62_tail
from crustcore_nano.dlp.heuristics import is_placeholder
from hypothesis import given, settings
from hypothesis import strategies as st

_B62 = string.ascii_letters + string.digits

_fragments = st.sampled_from(
    [
        "ghp_",
        "sk_live_",
        "sk_test_",
        "AKIA",
        "xoxb-",
        "eyJ",
        "-----BEGIN RSA PRIVATE KEY-----\n",
        "-----END RSA PRIVATE KEY-----",
        "postgres://",
        "://u:",
        "@",
        "password",
        "secret_key",
        "token",
        " = ",
        ": ",
        '"',
        "'",
        "=",
        "\n",
        "AGE-SECRET-KEY-1",
        "[REDACTED:jwt]",
        ".atlasv1.",
        ":AA",
        "Basic ",
        "Bearer ",
        "Authorization: ",
        "curl",
        "mysql",
        " -u ",
        " -p",
        " --password=",
        "\\\n",
        "PGPASSWORD=",
        "//registry.npmjs.org/:_authToken=",
        "_auth=",
        '"auth": "',
        "SharedAccessKey=",
    ]
)
_runs = st.text(alphabet=_B62 + "+/_-.", min_size=0, max_size=60)
_texty = st.lists(st.one_of(_fragments, _runs, st.text(max_size=12)), max_size=24).map("".join)


def _check_findings(text: str, findings: tuple[Finding, ...]) -> None:
    end = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.start >= end, "findings overlap or are unsorted"
        assert f.line == text.count("\n", 0, f.start) + 1
        assert f.to_json()["type"] == f.type
        end = f.end


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))
def test_scan_never_crashes_on_any_text(text: str) -> None:
    _check_findings(text, scan(text))


@settings(max_examples=300, deadline=None)
@given(text=_texty)
def test_scan_findings_are_in_bounds_sorted_disjoint(text: str) -> None:
    _check_findings(text, scan(text))


@settings(max_examples=200, deadline=None)
@given(text=_texty)
def test_redact_leaves_nothing_to_find_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert scan(once) == ()
    assert redact(once) == once
    if not scan(text):
        assert once == text


@settings(max_examples=200, deadline=None)
@given(
    left=st.text(max_size=40),
    right=st.text(max_size=40),
    # Real tokens are random: bodies that read as placeholders ("000…", "abcdefghij…") are
    # dropped on purpose by the scanner, so they are not generated here.
    body=st.text(alphabet=_B62, min_size=30, max_size=30).filter(
        lambda b: len(set(b)) >= 8 and not is_placeholder(b)
    ),
)
def test_checksummed_token_found_between_separators(left: str, right: str, body: str) -> None:
    token = "ghp_" + body + crc32_base62_tail(body)
    text = f"{left} {token} {right}"
    at = len(left) + 1
    assert any(
        f.start == at and f.end == at + len(token) and f.type == "github-pat" for f in scan(text)
    )
    assert token not in redact(text)


@settings(max_examples=100, deadline=None)
@given(max_findings=st.integers(min_value=0, max_value=5), count=st.integers(0, 8))
def test_max_findings_bounds_the_result(max_findings: int, count: int) -> None:
    tokens = []
    for i in range(count):
        body = "".join(_B62[(i * 11 + j * 7) % 62] for j in range(30))
        tokens.append("ghp_" + body + crc32_base62_tail(body))
    text = "\n".join(tokens)
    assert len(scan(text, max_findings=max_findings)) == min(max_findings, count)


@settings(max_examples=50, deadline=None)
@given(repeat=st.integers(min_value=1, max_value=2000), unit=_fragments)
def test_repetitive_input_completes(repeat: int, unit: str) -> None:
    text = unit * repeat
    _check_findings(text, scan(text))
