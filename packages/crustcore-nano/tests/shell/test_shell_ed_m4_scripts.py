"""`ed` and m4 scripts: the commands they run and the files they name."""

from __future__ import annotations

import pytest
from crustcore_nano.shell.embedded import EmbeddedKind, embedded_in_args, embedded_in_stdin
from hypothesis import given, settings
from hypothesis import strategies as st

R, W, SH = EmbeddedKind.READ, EmbeddedKind.WRITE, EmbeddedKind.SHELL


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ("syscmd(id)", [(SH, "id")]),
        ("esyscmd(`ls -l, -a')", [(SH, "ls -l, -a")]),
        ("esyscmd(echo (a)), b)", [(SH, "echo (a)")]),
        ("define(`x', `y')x", []),
        ("mysyscmd(id)", []),
        ("include(`a.m4') sinclude(b.m4)", [(R, "b.m4"), (R, "a.m4")]),
    ],
)
def test_m4(script: str, found: list[tuple[EmbeddedKind, str]]) -> None:
    assert [(e.kind, e.text) for e in embedded_in_stdin("m4", script)] == found


def test_m4_macro_bodies_given_on_the_command_line() -> None:
    found = embedded_in_args("m4", ["-D", "X=syscmd(id)", "--define=Y=esyscmd(uname)", "f.m4"])
    assert [(e.kind, e.text) for e in found] == [(SH, "id"), (SH, "uname")]


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ("r notes.txt\n,p\nq", [(R, "notes.txt")]),
        ("1,$w out.txt\nq", [(W, "out.txt")]),
        ("!make test\nq", [(SH, "make test")]),
        ("w !sort\nq", [(SH, "sort")]),
        ("a\nw /etc/x\nr /etc/y\n.\nw\nq", []),
        ("3c\n!echo\n.\n$r x.txt", [(R, "x.txt")]),
    ],
)
def test_ed(script: str, found: list[tuple[EmbeddedKind, str]]) -> None:
    assert [(e.kind, e.text) for e in embedded_in_stdin("ed", script)] == found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="`'(),! \nrwaeic.$1sycmdnlu/x", max_size=200))
def test_scripts_never_fail_and_name_only_their_own_text(script: str) -> None:
    for name in ("m4", "ed"):
        for item in embedded_in_stdin(name, script):
            assert item.text.strip() in script or item.text == ""
