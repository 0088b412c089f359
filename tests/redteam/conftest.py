"""Shared fixtures for red-team tests: a real embedded kernel in a temporary home, and a
policy engine over a temporary home and workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crustcore_nano import Kernel
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


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


_SEEDED = {
    ".aws/credentials": "[default]\n",
    ".ssh/id_ed25519": "key\n",
    "proj/src/app.py": "print(1)\n",
}


@pytest.fixture
def seeded_engine(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> PolicyEngine:
    """The builtin policy for an agent in `HOME/proj`, where the home holds real credential
    files (`.aws/credentials`, `.ssh/id_ed25519`) and the workspace a `src/app.py`."""
    home = tmp_path / "home"
    made = policy_engine(home, home / "proj")
    for name, body in _SEEDED.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(body, encoding="utf-8")
    return made


BashVerdict = Callable[[str], tuple[Verdict, str]]


@pytest.fixture
def bash(seeded_engine: PolicyEngine) -> BashVerdict:
    """`bash(command)`: the verdict and rule of the seeded engine for one Bash call."""

    def decide(command: str) -> tuple[Verdict, str]:
        decision = seeded_engine.evaluate(ToolCall("Bash", {"command": command}))
        return decision.verdict, decision.rule

    return decide


Plant = Callable[[Path, dict[str, str]], None]


@pytest.fixture
def plant() -> Plant:
    """`plant(root, {"rel/path": text})`: write each file below `root`, making its directories."""

    def write(root: Path, files: dict[str, str]) -> None:
        for name, body in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(body, encoding="utf-8")

    return write
