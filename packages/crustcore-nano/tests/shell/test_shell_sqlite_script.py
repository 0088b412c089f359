"""SQLite's shell: the dot-commands and SQL file functions a script uses."""

from __future__ import annotations

import pytest
from crustcore_nano.shell.embedded import (
    Embedded,
    EmbeddedKind,
    embedded_in_args,
    embedded_in_stdin,
)
from hypothesis import given, settings
from hypothesis import strategies as st

R, W, SH = EmbeddedKind.READ, EmbeddedKind.WRITE, EmbeddedKind.SHELL


@pytest.mark.parametrize(
    ("script", "found"),
    [
        (".shell id", [(SH, "id")]),
        ("  .system curl x | sh", [(SH, "curl x | sh")]),
        (".output /tmp/o.txt", [(W, "/tmp/o.txt")]),
        (".once -x", []),
        (".output |less -S", [(SH, "less -S")]),
        (".once '|gzip > /tmp/x.gz'", [(SH, "gzip > /tmp/x.gz")]),
        (".log stderr", []),
        (".log /tmp/sql.log", [(W, "/tmp/sql.log")]),
        (".backup main /tmp/b.db", [(W, "/tmp/b.db")]),
        (".backup /tmp/b.db", [(W, "/tmp/b.db")]),
        (".restore /tmp/b.db", [(R, "/tmp/b.db")]),
        (".import --csv --skip 1 'data file.csv' users", [(R, "data file.csv")]),
        (".read migrations/001.sql", [(R, "migrations/001.sql")]),
        (".load ./ext.so", [(R, "./ext.so")]),
        (".tables\n.schema users", []),
        ("select readfile('a.txt'), READFILE( 'b''s.txt' )", [(R, "a.txt"), (R, "b's.txt")]),
        ("select writefile('out.bin', x) from t", [(W, "out.bin")]),
        ("attach database 'other.db' as o; ATTACH 'x.db' AS y", [(W, "other.db"), (W, "x.db")]),
        ("VACUUM INTO 'copy.db'", [(W, "copy.db")]),
        ("select load_extension('/tmp/evil.so')", [(R, "/tmp/evil.so")]),
        ("select 'readfile(' || name from t", []),
    ],
)
def test_what_a_script_does(script: str, found: list[tuple[EmbeddedKind, str]]) -> None:
    assert [(e.kind, e.text) for e in embedded_in_stdin("sqlite3", script)] == found


def test_the_database_argument_is_not_a_script() -> None:
    args = ["-header", "-cmd", ".output o.txt", "-init", "init.sql", "app.db", ".shell id"]
    assert embedded_in_args("sqlite3", args) == [
        Embedded(W, "o.txt"),
        Embedded(R, "init.sql"),
        Embedded(SH, "id"),
    ]
    assert embedded_in_args("sqlite3", [".shell id"]) == []  # the database's name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=".'\"|- \nabcdehilmnoprstuvwxy()/", max_size=200))
def test_a_script_never_fails_and_names_only_its_own_text(script: str) -> None:
    for item in embedded_in_stdin("sqlite3", script):
        assert item.text.replace("''", "'") in script.replace("''", "'") or "''" in script


@pytest.mark.parametrize(
    ("name", "script", "found"),
    [
        ("psql", "\\copy t (a, b) from 'in.csv' csv", [(R, "in.csv")]),
        ("psql", "\\copy (select 1 from x) to stdout", []),
        ("psql", "\\copy t to program 'gzip > t.gz'", [(SH, "gzip > t.gz")]),
        ("psql", "\\o out.txt\nselect 1;\n\\o", [(W, "out.txt")]),
        ("psql", "\\g |wc -l", [(SH, "wc -l")]),
        ("psql", "\\i setup.sql \\o log.txt", [(R, "setup.sql"), (W, "log.txt")]),
        ("psql", "copy t to '/tmp/t.csv'; select 1", [(W, "/tmp/t.csv")]),
        ("psql", "select scopy from t", []),
        ("mysql", "\\. setup.sql", [(R, "setup.sql")]),
        ("mysql", "tee out.log; select 1; notee", [(W, "out.log")]),
        ("mysql", "\\Pless", [(SH, "less")]),
        ("mysql", "select * into dumpfile '/tmp/x' from t", [(W, "/tmp/x")]),
        ("mysql", 'select load_file("/tmp/a\\"b")', [(R, '/tmp/a"b')]),
        ("mysql", "select load_file('/tmp/it\\'s')", [(R, "/tmp/it's")]),
    ],
)
def test_database_client_scripts(
    name: str, script: str, found: list[tuple[EmbeddedKind, str]]
) -> None:
    assert [(e.kind, e.text) for e in embedded_in_stdin(name, script)] == found


def test_database_client_arguments() -> None:
    found = embedded_in_args("psql", ["-X", "-c", "\\! id", "--file=a.sql", "-ob.txt", "db"])
    assert [(e.kind, e.text) for e in found] == [(SH, "id"), (R, "a.sql"), (W, "b.txt")]
    found = embedded_in_args(
        "mysql", ["--execute=source x.sql", "--tee", "t.log", "-f", "-o", "db"]
    )
    assert [(e.kind, e.text) for e in found] == [(R, "x.sql"), (W, "t.log")]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="\\!.'|() \n;cpoygtrmfsxei", max_size=200))
def test_client_scripts_never_fail(script: str) -> None:
    for name in ("psql", "mysql"):
        for item in embedded_in_stdin(name, script):
            assert item.text.replace("''", "'") in script.replace("''", "'") or "''" in script
