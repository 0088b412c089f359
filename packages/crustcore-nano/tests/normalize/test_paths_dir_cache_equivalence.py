"""The directory cache (`PathResolver(dir_cache=True)`) must always agree with a full walk.

A random sequence of filesystem changes (directories made, removed, replaced by symlinks into
or out of the workspace) runs against one long-lived cached resolver; after every step each
probe path must resolve exactly as a fresh resolver without the cache resolves it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from crustcore_nano.paths import DIR_CACHE, PathResolver
from hypothesis import given, settings
from hypothesis import strategies as st

_DIRS = ("a", "a/b", "c", "c/d")
_TARGETS = ("home", "home/sub", "ws/c", "elsewhere")
_PROBES = ("a/f", "a/b/f", "a/b/g/h", "c/f", "c/d/f", "./a/b/../b/f", "c/d", "a/b")

_STEP = st.tuples(st.sampled_from(("mkdir", "symlink", "remove")), st.sampled_from(_DIRS),
                  st.sampled_from(_TARGETS))  # fmt: skip


def _apply(base: Path, action: str, rel: str, target: str) -> None:
    where = base / "ws" / rel
    if os.path.lexists(where):
        if where.is_symlink() or not where.is_dir():
            where.unlink()
        else:
            shutil.rmtree(where)
    if action == "remove" or not where.parent.is_dir():
        return
    if action == "mkdir":
        where.mkdir()
    else:
        os.symlink(base / target, where)


@settings(max_examples=60, deadline=None)
@given(st.lists(_STEP, min_size=1, max_size=8))
def test_cached_resolution_equals_a_full_walk_after_any_change(
    steps: list[tuple[str, str, str]],
) -> None:
    base = Path(tempfile.mkdtemp(prefix="crustcore-dircache-"))
    try:
        for sub in ("ws/a/b", "ws/c/d", "home/sub/b", "elsewhere/b/g", "elsewhere/d"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        ws, home = str(base / "ws"), str(base / "home")
        cached = PathResolver(ws, home=home, dir_cache=True)
        for probe in _PROBES:  # fill the cache with the starting layout
            cached.resolve(probe)
        for action, rel, target in steps:
            _apply(base, action, rel, target)
            fresh = PathResolver(ws, home=home)
            for probe in _PROBES:
                assert cached.resolve(probe) == fresh.resolve(probe), (action, rel, probe)
    finally:
        shutil.rmtree(base, ignore_errors=True)
        DIR_CACHE.clear()
