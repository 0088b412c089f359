"""Red team: a symlink swapped in after a call was allowed must not ride on a cached resolution.

The engine keeps plain workspace directories in a process-wide cache (`paths.DIR_CACHE`) so a
path under them does not need an `lstat` of every ancestor. An attacker who gets one write
allowed under `ws/sub/` and then replaces `sub` (or one of its ancestors) with a symlink to
`~/.ssh` or another directory outside the workspace, by another process, must find the very
same call decided against the filesystem as it is now: denied or asked, never allowed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from crustcore_nano.paths import DIR_CACHE, PathResolver
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict


def _world(tmp_path: Path) -> tuple[Path, Path, PolicyEngine]:
    home = tmp_path / "home"
    ws = tmp_path / "ws"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "authorized_keys").write_text("ssh-ed25519 AAAA user\n", encoding="utf-8")
    ws.mkdir()
    engine = PolicyEngine(
        crustcore_home=str(home / ".crustcore"), workspace=str(ws), home=str(home)
    )
    return home, ws, engine


def _swap_to_symlink(directory: Path, target: Path) -> None:
    """Replace `directory` by a symlink to `target`, as another process would."""
    directory.rename(directory.with_name(directory.name + ".old"))
    os.symlink(target, directory)


@pytest.mark.parametrize(
    "call",
    [
        ToolCall("Write", {"file_path": "sub/authorized_keys", "content": "ssh-ed25519 AAAA x"}),
        ToolCall("Bash", {"command": "echo 'ssh-ed25519 AAAA x' >> sub/authorized_keys"}),
    ],
    ids=["write-tool", "shell-redirect"],
)
def test_swapping_the_parent_directory_for_a_symlink_denies_the_same_call(
    tmp_path: Path, call: ToolCall
) -> None:
    home, ws, engine = _world(tmp_path)
    (ws / "sub").mkdir()
    (ws / "sub" / "authorized_keys").write_text("not a key file here\n", encoding="utf-8")
    first = engine.evaluate(call)
    assert first.verdict is Verdict.ALLOW, first
    _swap_to_symlink(ws / "sub", home / ".ssh")
    second = engine.evaluate(call)
    assert second.verdict is Verdict.DENY, second
    assert "ssh" in second.rule or ".ssh" in second.reason


def test_swapping_an_ancestor_for_a_symlink_is_seen_below_it(tmp_path: Path) -> None:
    home, ws, engine = _world(tmp_path)
    (ws / "a" / "b").mkdir(parents=True)
    outside = home / "projects" / "other"  # not a temp directory: writes there are asked
    (outside / "b").mkdir(parents=True)
    call = ToolCall("Write", {"file_path": "a/b/notes.txt", "content": "hello"})
    assert engine.evaluate(call).verdict is Verdict.ALLOW
    assert engine.evaluate(call).verdict is Verdict.ALLOW
    assert DIR_CACHE.holds(str(ws / "a" / "b")) or not DIR_CACHE.enabled
    _swap_to_symlink(ws / "a", outside)
    second = engine.evaluate(call)
    assert second.verdict is not Verdict.ALLOW, second
    assert second.rule == "approval:write-outside-workspace"
    assert str(outside) in second.reason


def test_resolver_with_the_cache_reports_the_current_real_path(tmp_path: Path) -> None:
    home, ws, _ = _world(tmp_path)
    (ws / "sub").mkdir()
    resolver = PathResolver(str(ws), home=str(home), dir_cache=True)
    before = resolver.resolve("sub/authorized_keys")
    assert before.confined
    again = resolver.resolve("sub/authorized_keys")
    assert again == before
    assert DIR_CACHE.holds(str(ws / "sub")) or not DIR_CACHE.enabled  # the swap hits a cache
    _swap_to_symlink(ws / "sub", home / ".ssh")
    after = resolver.resolve("sub/authorized_keys")
    uncached = PathResolver(str(ws), home=str(home)).resolve("sub/authorized_keys")
    assert after == uncached
    assert not after.confined
    assert after.real == str(home / ".ssh" / "authorized_keys")


def test_a_removed_and_recreated_directory_is_not_trusted_through_the_old_descriptor(
    tmp_path: Path,
) -> None:
    home, ws, _ = _world(tmp_path)
    (ws / "sub").mkdir()
    resolver = PathResolver(str(ws), home=str(home), dir_cache=True)
    resolver.resolve("sub/x")
    resolver.resolve("sub/x")
    (ws / "sub").rmdir()
    os.symlink(home / ".ssh", ws / "sub")
    after = resolver.resolve("sub/x")
    assert not after.confined
    assert after.real == str(home / ".ssh" / "x")
    DIR_CACHE.clear()


def test_a_directory_named_like_a_deleted_one_cannot_impersonate_its_old_path(
    tmp_path: Path,
) -> None:
    """The kernel shows an unlinked directory as `<old path> (deleted)`: a directory named
    `x (deleted)`, cached, then renamed to `x` and removed, must not vouch for whatever is now
    at `x (deleted)`."""
    home, ws, engine = _world(tmp_path)
    named = ws / "x (deleted)"
    named.mkdir()
    call = ToolCall("Write", {"file_path": "x (deleted)/authorized_keys", "content": "k"})
    assert engine.evaluate(call).verdict is Verdict.ALLOW
    assert engine.evaluate(call).verdict is Verdict.ALLOW
    named.rename(ws / "x")
    (ws / "x").rmdir()
    os.symlink(home / ".ssh", named)
    assert engine.evaluate(call).verdict is Verdict.DENY
