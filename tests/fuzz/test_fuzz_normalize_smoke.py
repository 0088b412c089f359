"""Run every normalization, path and glob fuzz target on a few thousand hypothesis inputs.

The targets are the same functions atheris drives for longer runs; here they run briefly in the
ordinary test suite so a broken invariant shows up in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzkit import smoke

_HERE = Path(__file__).parent
_TARGETS = sorted(
    p.stem
    for pattern in ("fuzz_normalize_*.py", "fuzz_paths_*.py", "fuzz_glob_*.py")
    for p in _HERE.glob(pattern)
)


_SEEDS = [
    b"",
    b"\x00a/../../o/uuu/../in/l1",
    "\u0441at /etc/p\u0430sswd \u202e \U000e0041".encode(),
    b"\x1b]8;;http://x\x07link\x1b]8;;\x1b\\ \x1b[31m",
    b"\x01\x9b31m\x9d0;t\x9c\x90q\x1b",
    b"%25%32%65%c0%ae%E2%80%8B%ff",
    b"\\uD83D\\uDE00\\x63\\xe2\\x80\\x8b\\U00110000\\\\u0041",
    b"*a*a*a*a*b\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    b"{a,{b,c}}/[!a-z]/**\n/x/y/z",
    b"~/.ssh/../$OUT/${IN}/\\..\\..",
]


def test_there_are_at_least_six_targets() -> None:
    assert len(_TARGETS) >= 6
    for stem in ("fuzz_normalize_text", "fuzz_normalize_ansi", "fuzz_paths_resolve"):
        assert stem in _TARGETS


@pytest.mark.parametrize("name", _TARGETS)
def test_fuzz_target_smoke(name: str) -> None:
    smoke(name, _SEEDS)
