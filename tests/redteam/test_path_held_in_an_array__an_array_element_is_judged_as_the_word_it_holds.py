"""Threat: bash arrays hold a protected path out of sight. `a=(~/.aws/credentials); cat
"${a[0]}"`, `"${a[@]}"`, `declare -A m=([k]=~/.ssh/id_ed25519)`, and arrays filled by
`mapfile`, `readarray` or `read -a` from a here-string or a process substitution all read the
file, while the analyser took every element for a value it could not know, and a path that
is nothing but an unknown value is allowed (`cat "$FILE"` is everyday). The same went for
`read p < <(echo ~/.netrc)`.

Invariant: an array whose words the line gives has those words as its elements, so the file
an element names passes the path rules like any other path."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ('a=(~/.aws/credentials); cat "${a[0]}"', "builtin:cloud-credentials"),
        ('a=(x ~/.ssh/id_ed25519); cat "${a[1]}"', "builtin:ssh-keys"),
        ('a=(x ~/.aws/credentials); cat "${a[@]}"', "builtin:cloud-credentials"),
        ("a=(x ~/.aws/credentials); cat ${a[*]}", "builtin:cloud-credentials"),
        ('i=1; a=(x ~/.netrc); cat "${a[$i]}"', "builtin:vcs-credentials"),
        ('a=("$HOME/.aws/credentials"); cat "${a[0]}"', "builtin:cloud-credentials"),
        ("declare -a a=(~/.ssh/id_ed25519); cat ${a[0]}", "builtin:ssh-keys"),
        ('declare -A m=([k]=~/.aws/credentials); cat "${m[k]}"', "builtin:cloud-credentials"),
        ('mapfile -t a <<< ~/.aws/credentials; cat "${a[0]}"', "builtin:cloud-credentials"),
        ('readarray -t a <<< ~/.netrc; cat "${a[@]}"', "builtin:vcs-credentials"),
        ('read -r -a a <<< "x $HOME/.ssh/id_ed25519"; cat "${a[1]}"', "builtin:ssh-keys"),
        ('mapfile -t a < <(echo ~/.aws/credentials); cat "${a[0]}"', "builtin:cloud-credentials"),
        ('IFS= read -r p < <(echo ~/.netrc); cat "$p"', "builtin:vcs-credentials"),
    ],
)
def test_a_protected_file_held_in_an_array_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        'files=(src/app.py README.md); wc -l "${files[@]}"',
        'args=(-la "src dir"); ls "${args[@]}"',
        'a=(x y); echo "${#a[@]}"',
        "mapfile -t files < <(git ls-files '*.py'); wc -l \"${files[@]}\"",
        'read -r -a parts <<< "a b c"; echo "${parts[1]}"',
        'cat "${BASH_SOURCE[0]}"',
    ],
)
def test_everyday_arrays_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
