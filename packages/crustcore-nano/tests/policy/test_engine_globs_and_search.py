"""Two engine details a red-team round found: glob expansion must not depend on set order,
and a search program's pattern is not a file it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.shell.commands import search_patterns


@pytest.fixture
def engine(tmp_path: Path) -> PolicyEngine:
    home, ws = tmp_path / "home", tmp_path / "ws"
    home.mkdir()
    ws.mkdir()
    return PolicyEngine(crustcore_home=str(home / ".crustcore"), workspace=str(ws), home=str(home))


def test_a_wide_glob_keeps_the_variants_a_rule_protects(engine: PolicyEngine) -> None:
    """`~/.*/credentials` matches hundreds of protected names; the kept variants must include
    the protected ones whatever the hash order of the name set."""
    variants = engine._glob_variants("~/.*/credentials")  # pyright: ignore[reportPrivateUsage]
    assert "~/.aws/credentials" in variants
    assert variants == engine._glob_variants("~/.*/credentials")  # pyright: ignore[reportPrivateUsage]


@pytest.mark.parametrize(
    ("line", "patterns"),
    [
        ("grep -rn ~/.ssh src/", {"~/.ssh"}),
        ("grep -e ~/.ssh -e x README.md", {"~/.ssh", "x"}),
        ("grep -f pats.txt src", set()),
        ("grep -m 1 x ~/.ssh/id_rsa", {"x"}),
        ("grep -T -E x ~/.ssh/id_rsa", {"x"}),
        ("rg -t py -- pattern src", {"pattern"}),
        ("rg -E utf8 x ~/.aws/credentials", {"x"}),
        ("grep", set()),
    ],
)
def test_search_patterns(line: str, patterns: set[str]) -> None:
    name, *argv = line.split()
    assert search_patterns(name, argv) == patterns
