"""Shared fixtures for red-team tests: a real embedded kernel in a temporary home, and a
policy engine over a temporary home and workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crustcore_nano import Kernel
from crustcore_nano.policy.engine import PolicyEngine


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[Kernel]:
    k = Kernel.open(tmp_path / "home")
    try:
        yield k
    finally:
        k.close()


def _policy_engine(home: Path, ws: Path) -> PolicyEngine:
    """The builtin policy for an agent working in `ws` as the user whose home is `home`."""
    home.mkdir(parents=True, exist_ok=True)
    ws.mkdir(parents=True, exist_ok=True)
    return PolicyEngine(
        crustcore_home=str(home / ".crustcore"),
        workspace=str(ws),
        home=str(home),
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        cwd=str(ws),
    )


@pytest.fixture(scope="session")
def policy_engine() -> Callable[[Path, Path], PolicyEngine]:
    return _policy_engine
