"""Threat: a protected file named through the shell instead of on the line. A name reference
(`declare -n r=HOME`, also `local -n`, `typeset -n`) makes `$r` the value of `$HOME`, but it
was read as the text `HOME`, so `cat $r/.aws/credentials` looked like a project file. `ls`
prints the files it is given, so `ls ~/.aws/credentials | while read f; do cat $f; done` and
`cat $(ls -d ~/.aws)/credentials` read the file, but `ls`'s output was not known.

Invariant: a name reference stands for the variable it names, and what `ls` prints for its
operands is known, so a protected file named either way is judged as the file it is; listing
and reading project files this way stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    "command",
    [
        "declare -n r=HOME; cat $r/.aws/credentials",
        'f() { local -n h=HOME; cat "$h/.aws/credentials"; }; f',
        'typeset -n r=HOME; cp "$r/.aws/credentials" src/',
        "declare -n r=SOME_UNSET_NAME; cat $r/.aws/credentials",
        "ls ~/.aws/credentials | while read f; do cat $f; done",
        'ls -d ~/.aws | while read d; do cat "$d/credentials"; done',
        "cat $(ls -d ~/.aws)/credentials",
        "ls ~/.aws/* | xargs cat",
    ],
)
def test_a_protected_file_named_indirectly_is_denied(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.DENY, "builtin:cloud-credentials")


@pytest.mark.parametrize(
    "command",
    [
        "declare -n r=PWD; echo $r",
        'ls src | while read f; do wc -l "src/$f"; done',
        "ls src/*.py | xargs wc -l",
        "for f in $(ls src); do echo $f; done",
        "ls -1 tests/ | head",
    ],
)
def test_listing_and_reading_project_files_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
