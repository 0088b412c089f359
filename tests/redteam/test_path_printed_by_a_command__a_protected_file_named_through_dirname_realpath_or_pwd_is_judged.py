"""Threat: a protected file named by what a command prints: `cat "$(realpath ~/.aws)/credentials"`,
`$(readlink -f ~/.aws)`, `$(dirname ~/.aws/config)`, `cd ~/.aws && cat "$(basename x/credentials)"`
and the everyday idiom `"$(cd ~/.aws && pwd)/credentials"`. The output of these commands was not
known, and what follows an unknown part is only checked as if the part were the home directory
or `/`, so they were allowed (a `dirname` that happened to spell `.aws` was caught by accident).

Invariant: what `dirname`, `basename`, `realpath`, `readlink -f|-e|-m` and `pwd` print is known
for operands known exactly, and a `cd` in a `&&` list prints nothing, so the file they name is
judged as that file; the same idioms over project files stay allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ('cat "$(realpath ~/.aws)/credentials"', "builtin:cloud-credentials"),
        ('cat "$(readlink -f ~/.aws)/credentials"', "builtin:cloud-credentials"),
        ('cat "$(dirname ~/.aws/config)/credentials"', "builtin:cloud-credentials"),
        ('cat "$(dirname "$(realpath ~/.aws/config)")/credentials"', "builtin:cloud-credentials"),
        ('cd ~/.aws && cat "$(basename ~/elsewhere/credentials)"', "builtin:cloud-credentials"),
        ('cat "$(cd ~/.aws && pwd)/credentials"', "builtin:cloud-credentials"),
        ('cat "$(cd ~/.aws; pwd)/credentials"', "builtin:cloud-credentials"),
        ('D="$(cd ~/.ssh && pwd)"; cp "$D/id_ed25519" src/', "builtin:ssh-keys"),
    ],
)
def test_a_protected_file_named_by_printed_paths_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        'cat "$(dirname src/app.py)/app.py"',
        'cd src && cat "$(pwd)/app.py"',
        'cat "$(cd src && pwd)/app.py"',
        'for f in src/*.py; do echo "$(basename "$f" .py)"; done',
        'DIR="$(cd "$(dirname "$0")" && pwd)"; ls "$DIR"',
        'cat "$(git rev-parse --show-toplevel)/README.md"',
        "readlink src/app.py",
    ],
)
def test_the_same_idioms_over_project_files_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
