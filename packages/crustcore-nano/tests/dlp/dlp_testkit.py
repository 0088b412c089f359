"""Shared checks for the DLP tests: one finding of a type, and a secret found and redacted."""

from __future__ import annotations

from crustcore_nano.dlp import Confidence, Finding, redact, scan


def only(text: str, kind: str) -> Finding:
    """The single finding of type `kind` in `text` (fails if there are none or several)."""
    found = [f for f in scan(text) if f.type == kind]
    assert len(found) == 1, (kind, scan(text), text)
    return found[0]


def assert_secret(text: str, kind: str, secret: str, *, test_key: bool = False) -> None:
    """`secret` is found as `kind` at its exact span, blocks (or is a low test key), and
    redaction removes it."""
    finding = only(text, kind)
    assert text[finding.start : finding.end] == secret
    assert finding.test_key is test_key
    if test_key:
        assert finding.confidence is Confidence.LOW
    else:
        assert finding.blocking
    redacted = redact(text)
    assert secret not in redacted
    assert f"[REDACTED:{kind}]" in redacted
