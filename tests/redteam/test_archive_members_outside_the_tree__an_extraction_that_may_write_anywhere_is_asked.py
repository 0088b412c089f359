"""Threat: an archive's members carry their own names. GNU tar and bsdtar keep a leading `/`
and `..` only when told `-P`/`--absolute-names`, unzip keeps `../` only with `-:`, and cpio
extracts absolute names unless told `--no-absolute-filenames`. So `tar -xPf evil.tar` or
`cpio -idv < evil.cpio` writes `~/.bashrc` or `~/.ssh/authorized_keys` when the archive says
so, and these were allowed: only the extraction directory was judged.

Invariant: an extraction whose members may be named anywhere writes a path that cannot be
pinned down, so it is asked; extracting into the project, where the tool keeps every member
inside the directory, stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    "command",
    [
        "tar -xPf vendor/evil.tar",
        "tar -x --absolute-names -f vendor/evil.tar",
        "tar xPzf vendor/evil.tgz -C build",
        "bsdtar -xPf vendor/evil.tar",
        "unzip -: vendor/evil.zip",
        "cpio -idv < vendor/evil.cpio",
        "rpm2cpio vendor/pkg.rpm | cpio -idmv",
        "cpio --extract --make-directories < vendor/evil.cpio",
    ],
)
def test_an_extraction_that_may_write_anywhere_is_asked(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ASK, "approval:write-outside-workspace")


@pytest.mark.parametrize(
    "command",
    [
        "tar xzf vendor/deps.tgz -C build",
        "tar -xf vendor/deps.tar",
        "unzip vendor/dist.zip -d build",
        "cpio -idv --no-absolute-filenames < vendor/pkg.cpio",
        "tar czf build/src.tgz src",
        "find src | cpio -o > build/src.cpio",
    ],
)
def test_extracting_into_the_project_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
