"""Threat: an injected agent writes a protected file through a patch kept in a file:
`git apply /tmp/x.patch`, `git am /tmp/x.mbox`, `patch -p1 < /tmp/x.patch`, `patch -i
/tmp/x.patch`, where the patch rewrites `.claude/settings.json` (and drops the CrustCore hook),
adds a git hook or edits `~/.bashrc`. A patch given inline (a Codex envelope, a heredoc) was
read for the files it names, but one in a file was judged only as a write of the directory it
is applied in, and allowed.

Invariant: the files a patch file names are written, each judged as a write of its own (as
named, and with its first part dropped, as `-p1` does) in the directory the patch is applied
in. The engine reads only a regular file of at most 1 MiB that no rule protects; a check-only
run (`git apply --check`) writes nothing, and patches of ordinary sources stay allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


def _diff(path: str) -> str:
    return f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-old\n+new\n"


@pytest.fixture
def patches(seeded_engine: PolicyEngine, tmp_path: Path) -> Path:
    (Path(seeded_engine.workspace) / ".claude").mkdir(exist_ok=True)
    (Path(seeded_engine.workspace) / ".claude" / "settings.json").write_text("{}\n")
    out = tmp_path / "patches"
    out.mkdir()
    (out / "config.patch").write_text(_diff(".claude/settings.json"))
    (out / "hook.patch").write_text(_diff(".git/hooks/pre-commit"))
    (out / "plain.patch").write_text(
        "--- proj.orig/.mcp.json\n+++ proj/.mcp.json\n@@ -0,0 +1 @@\n+{}\n"
    )
    (out / "startup.patch").write_text(
        "From 1 Mon Sep 17 00:00:00 2001\nSubject: tweak\n\n---\n" + _diff("../.bashrc")
    )
    (out / "src.patch").write_text(_diff("src/app.py"))
    return out


@pytest.fixture
def decide(patches: Path, bash: BashVerdict) -> BashVerdict:
    """`bash`, with `PATCHES` in the command standing for the patches' directory."""
    return lambda command: bash(command.replace("PATCHES", str(patches)))


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("git apply PATCHES/config.patch", "builtin:agent-config"),
        ("git am PATCHES/config.patch", "builtin:agent-config"),
        ("patch -p1 < PATCHES/config.patch", "builtin:agent-config"),
        ("patch -p1 -i PATCHES/config.patch", "builtin:agent-config"),
        ("patch -p1 --input=PATCHES/plain.patch", "builtin:agent-config"),
        ("git apply PATCHES/hook.patch", "builtin:git-hooks-and-config"),
    ],
)
def test_a_patch_file_that_writes_a_protected_file_is_denied(
    decide: BashVerdict, command: str, rule: str
) -> None:
    assert decide(command) == (Verdict.DENY, rule)


def test_a_patch_that_reaches_outside_the_project_is_not_allowed(
    decide: BashVerdict,
) -> None:
    verdict, _ = decide("git am PATCHES/startup.patch")
    assert verdict is not Verdict.ALLOW


@pytest.mark.parametrize(
    "command",
    [
        "git apply PATCHES/src.patch",
        "patch -p1 < PATCHES/src.patch",
        "git apply --check PATCHES/config.patch",
        "git apply --stat PATCHES/config.patch",
    ],
)
def test_patches_of_ordinary_files_and_check_only_runs_stay_allowed(
    decide: BashVerdict, command: str
) -> None:
    assert decide(command) == (Verdict.ALLOW, "allow")
