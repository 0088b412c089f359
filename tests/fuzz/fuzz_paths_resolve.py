"""Fuzz target: a path reported confined never really leaves the root.

A small tree with symlinks inside and pointing outside is built once in a temporary directory.
Run for longer with ``./dev run python tests/fuzz/fuzz_paths_resolve.py -max_total_time=300``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

from crustcore_nano.paths import PathResolver, is_within

_STATE: dict[str, PathResolver] = {}


def _resolver() -> PathResolver:
    resolver = _STATE.get("resolver")
    if resolver is None:
        base = os.path.realpath(tempfile.mkdtemp(prefix="crustcore-fuzz-paths-"))
        atexit.register(shutil.rmtree, base, True)
        root = os.path.join(base, "root")
        out = os.path.join(base, "out")
        os.makedirs(os.path.join(root, "a", "b"))
        os.makedirs(out)
        os.symlink(out, os.path.join(root, "a", "o"))
        os.symlink("..", os.path.join(root, "a", "b", "u"))
        os.symlink("../../..", os.path.join(root, "a", "b", "uuu"))
        os.symlink("b", os.path.join(root, "a", "in"))
        os.symlink("l2", os.path.join(root, "l1"))
        os.symlink("l1", os.path.join(root, "l2"))
        resolver = PathResolver(root, home=out, env={"OUT": out, "IN": "a"}, case_insensitive=False)
        _STATE["resolver"] = resolver
    return resolver


_WORDS = ("a", "b", "o", "u", "uuu", "in", "l1", "..", ".", "", "~", "$OUT", "${IN}", "\\")


def TestOneInput(data: bytes) -> None:
    resolver = _resolver()
    # Half the time build the path from meaningful words, else take the bytes as text.
    if data[:1] == b"\x00":
        path = "/".join(_WORDS[b % len(_WORDS)] for b in data[1:64])
    else:
        path = data.decode("utf-8", "replace")
    r = resolver.resolve(path)
    if not (r.lexical.startswith("/") and r.real.startswith("/")):
        raise AssertionError(f"not absolute: {path!r}")
    if r.confined:
        truth = os.path.realpath(
            r.expanded.replace("\\", "/")
            if r.expanded.startswith(("/", "\\"))
            else os.path.join(resolver.root, r.expanded.replace("\\", "/"))
        )
        if not is_within(truth, resolver.real_root):
            raise AssertionError(f"confined path escapes: {path!r} -> {truth}")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
