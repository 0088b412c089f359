"""Private keys in test fixtures: judged by where the file sits, since the key cannot say.

A test suite that parses keys must ship real key material (`test/fixtures/id_rsa`,
`__tests__/keys/server.pem`): the text of such a key is indistinguishable from a live one.
When the caller knows the file a text came from (`crustcore scan FILE`), a private-key
finding in a file under a test or fixture directory is reported as a test key (LOW), still
listed and still redacted. Tokens and passwords are not downgraded by their path: a test
suite has no need for a live one, and fake ones already say so in their value.

Pure functions over a path string; nothing here touches the file system.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from crustcore_nano.dlp.detectors import DETECTORS
from crustcore_nano.dlp.finding import Confidence, Finding
from crustcore_nano.dlp.model import Category

__all__ = ["downgrade_fixture_keys", "is_fixture_path"]

_FIXTURE_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "testdata",
        "test-data",
        "test_data",
        "__tests__",
        "fixture",
        "fixtures",
        "__fixtures__",
        "test-fixtures",
        "test_fixtures",
        "spec",
        "specs",
    }
)
_SEPARATORS = re.compile(r"[\\/]")
_KEY_TYPES = frozenset(d.name for d in DETECTORS if d.category is Category.PRIVATE_KEY)


def is_fixture_path(path: str) -> bool:
    """True when a directory of `path` (not its file name) names a test suite or fixtures."""
    parts = [p for p in _SEPARATORS.split(path) if p]
    return any(p.lower() in _FIXTURE_DIRS for p in parts[:-1])


def downgrade_fixture_keys(findings: Iterable[Finding], path: str) -> tuple[Finding, ...]:
    """`findings` of the text of the file at `path`, with private keys reported as test keys
    (LOW) when `path` lies in a test or fixture directory; everything else unchanged."""
    if not is_fixture_path(path):
        return tuple(findings)
    return tuple(
        dataclasses.replace(f, confidence=Confidence.LOW, test_key=True)
        if f.type in _KEY_TYPES
        else f
        for f in findings
    )
