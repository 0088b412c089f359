"""Threat: `patch` edits files like any editor, but the analyser did not model it: `patch
~/.bashrc < evil.diff` was taken for a read of `~/.bashrc` and allowed, and `cd ~ && patch -p1
< evil.diff` (which writes every file the patch names, below the home directory) showed no
write at all. A shell startup file is where persistence goes.

Invariant: the file `patch FILE` changes (joined to `-d DIR`), its `-o`/`-r` output, and, when
no file is named, the directory it patches (`-d DIR` or the current one) are writes, judged as
writes; its patch file (`-i FILE` or the second argument) is a read; `--dry-run` writes
nothing. Patching project files stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_STARTUP = "builtin:shell-startup-files"
_OUTSIDE = "approval:write-outside-workspace"


@pytest.mark.parametrize(
    ("command", "verdict", "rule"),
    [
        ("patch ~/.bashrc < evil.diff", Verdict.DENY, _STARTUP),
        ("patch ~/.bashrc evil.diff", Verdict.DENY, _STARTUP),
        ("patch -d ~ .profile evil.diff", Verdict.DENY, _STARTUP),
        ("patch -N -o ~/.zshrc src/app.py evil.diff", Verdict.DENY, _STARTUP),
        ("patch --directory=$HOME -p1 < evil.diff", Verdict.ASK, _OUTSIDE),
        ("cd ~ && patch -p1 < evil.diff", Verdict.ASK, _OUTSIDE),
        ("patch -d ~/.ssh -p0 < evil.diff", Verdict.DENY, "builtin:ssh-keys"),
        ("patch -p1 -i ~/.aws/credentials", Verdict.DENY, "builtin:cloud-credentials"),
    ],
)
def test_a_patch_to_a_protected_place_is_judged_as_a_write(
    bash: BashVerdict, command: str, verdict: Verdict, rule: str
) -> None:
    assert bash(command) == (verdict, rule)


@pytest.mark.parametrize(
    "command",
    [
        "patch -p1 < fix.diff",
        "patch -p1 -i fix.diff",
        "patch -R -p1 < fix.diff",
        "patch src/app.py fix.diff",
        "patch -d src -p0 < fix.diff",
        "patch --dry-run -p1 < fix.diff",
        "git diff | patch -p1 -R",
    ],
)
def test_patching_project_files_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
