"""Property tests on real directory trees with random symlinks, inside and pointing outside.

Invariant: a path reported confined never has a real location outside the root (checked against
``os.path.realpath``), however its ``..`` segments and symlinks are arranged.
"""

from __future__ import annotations

import os
import tempfile

from crustcore_nano.paths import PathResolver, PathSignal, is_within, lexical_clean
from hypothesis import given, settings
from hypothesis import strategies as st

_DIRS = ("a", "a/b", "a/b/c", "d")
_LINK_NAMES = ("l0", "a/l1", "a/b/l2", "d/l3")
_TARGETS = (
    "{root}/a",
    "{root}/a/b",
    "{out}",
    "{out}/x",
    "{base}",
    "/",
    "..",
    "../..",
    "../../..",
    "b",
    "missing",
    "l0",
    "{root}/l0",
    "{root}/a/l1",
    "../l3",
    "{root}/d/l3",
)
_SEGMENTS = ("a", "b", "c", "d", "l0", "l1", "l2", "l3", "..", ".", "", "x", "out", "root")

_links = st.dictionaries(st.sampled_from(_LINK_NAMES), st.sampled_from(_TARGETS), max_size=4)
_paths = st.tuples(
    st.sampled_from(("", "{root}/", "{base}/", "{out}/", "/", "~/")),
    st.lists(st.sampled_from(_SEGMENTS), max_size=8),
)


def _build(base: str, links: dict[str, str]) -> tuple[str, str]:
    root = os.path.join(base, "root")
    out = os.path.join(base, "out")
    for d in _DIRS:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.makedirs(os.path.join(out, "x"), exist_ok=True)
    for name, target in links.items():
        os.symlink(target.format(root=root, out=out, base=base), os.path.join(root, name))
    return root, out


@settings(max_examples=150, deadline=None)
@given(_links, _paths, st.sampled_from(("", "a", "a/b")))
def test_confined_paths_never_really_escape(
    links: dict[str, str], path_parts: tuple[str, list[str]], cwd_rel: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.realpath(tmp)
        root, out = _build(base, links)
        prefix, segments = path_parts
        path = prefix.format(root=root, base=base, out=out) + "/".join(segments)
        cwd = os.path.join(root, cwd_rel) if cwd_rel else root
        resolver = PathResolver(root, home=out, cwd=cwd, case_insensitive=False)
        r = resolver.resolve(path)
        expanded = r.expanded
        absolute = expanded if expanded.startswith("/") else os.path.join(cwd, expanded)
        truth = os.path.realpath(absolute)
        if PathSignal.SYMLINK_LOOP not in r.signals:
            assert r.real == truth, (path, links)
        if r.confined:
            assert is_within(truth, root), (path, links, truth)
            assert is_within(r.lexical, root)
        # A path with no symlinks anywhere is confined exactly when it stays lexically inside.
        if not links and not r.signals & {PathSignal.HOME}:
            assert r.confined == is_within(lexical_clean(absolute), root)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(("..", "x", "y", ".", "")), max_size=12))
def test_dot_dot_sequences_never_escape(segments: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.realpath(tmp)
        root = os.path.join(base, "ws")
        os.makedirs(os.path.join(root, "x", "y"))
        resolver = PathResolver(
            root, home=base, cwd=os.path.join(root, "x"), case_insensitive=False
        )
        path = "/".join(segments).lstrip("/")  # relative to the cwd
        r = resolver.resolve(path)
        truth = os.path.realpath(os.path.join(root, "x", path))
        assert r.confined == is_within(truth, root)
        depth = 1  # cwd is one level below the root
        lowest = depth
        for seg in segments:
            if seg == "..":
                depth -= 1
            elif seg in ("x", "y"):
                depth += 1
            lowest = min(lowest, depth)
        assert r.confined == (lowest >= 0)
        if lowest < 1:
            assert PathSignal.TRAVERSAL in r.signals


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_resolve_is_total_on_arbitrary_text(path: str) -> None:
    resolver = PathResolver("/nonexistent-crustcore-root", home="/nonexistent-home")
    r = resolver.resolve(path)
    assert r.lexical.startswith("/")
    assert r.real.startswith("/")
    if r.confined:
        assert is_within(r.real, "/nonexistent-crustcore-root")
        assert "\x00" not in path
