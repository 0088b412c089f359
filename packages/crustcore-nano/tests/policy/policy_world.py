"""A small user world for red-team tests of the policy engine: a home with a few dot-files, a
workspace, and an engine for that user working there (`{HOME}` and `{WS}` in case text name
them)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.policy.config import UserPolicy, parse_policy
from crustcore_nano.policy.engine import PolicyEngine


@dataclass(frozen=True, slots=True)
class World:
    ws: Path
    home: Path
    engine: PolicyEngine

    def subst(self, text: str) -> str:
        """`text` with `{WS}` and `{HOME}` replaced by this world's directories."""
        return text.replace("{WS}", str(self.ws)).replace("{HOME}", str(self.home))


def engine_for(home: Path, ws: Path, policy: UserPolicy | None = None) -> PolicyEngine:
    """An engine for the user whose home is `home` working in `ws`, with a plain environment."""
    return PolicyEngine(
        policy,
        crustcore_home=str(home / ".crustcore"),
        workspace=str(ws),
        home=str(home),
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "USER": "dev"},
    )


def build_world(
    root: Path,
    dirs: Iterable[str] = (),
    files: Mapping[str, str] | None = None,
    policy: UserPolicy | None = None,
) -> World:
    """Make `root/home/dev` (with `.crustcore/`) and `root/work/ws`, then each of `dirs` and
    `files` (paths written with `{HOME}`/`{WS}`), and an engine with a plain environment."""
    home = root / "home" / "dev"
    ws = root / "work" / "ws"

    def place(text: str) -> Path:
        return Path(text.replace("{WS}", str(ws)).replace("{HOME}", str(home)))

    for directory in (home / ".crustcore", ws, *(place(d) for d in dirs)):
        directory.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {}).items():
        path = place(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return World(ws, home, engine_for(home, ws, policy))


def short_path_twins(
    root: Path,
    *,
    rules: str | None,
    dirs: Iterable[str],
    files: Mapping[str, str],
) -> tuple[PolicyEngine, PolicyEngine, Path]:
    """For the short paths' differential tests: an engine with the short paths, its twin
    without them, and their workspace, which holds a symlink to `~/.ssh/id_rsa`
    (`src/link.py`), one to `~/.aws` (`dirlink`) and one to a directory inside it (`inner`)."""
    home = root / "home" / "dev"
    policy = parse_policy(rules, source="test", home=str(home)) if rules else None
    dirs = ["{HOME}/.ssh", "{HOME}/.aws", "{WS}/src", *dirs]
    files = {"{HOME}/.ssh/id_rsa": "PRIVATE", "{HOME}/.aws/credentials": "[default]\n", **files}
    world = build_world(root, dirs=dirs, files=files, policy=policy)
    ws = world.ws
    os.symlink(home / ".ssh" / "id_rsa", ws / "src" / "link.py")
    os.symlink(home / ".aws", ws / "dirlink")
    os.symlink(ws / "src", ws / "inner")
    slow = engine_for(home, ws, policy)
    slow._fast = None  # pyright: ignore[reportPrivateUsage]
    return world.engine, slow, ws
