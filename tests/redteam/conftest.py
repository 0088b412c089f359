"""Shared fixtures for red-team tests: a real embedded kernel in a temporary home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano import Kernel


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[Kernel]:
    k = Kernel.open(tmp_path / "home")
    try:
        yield k
    finally:
        k.close()
