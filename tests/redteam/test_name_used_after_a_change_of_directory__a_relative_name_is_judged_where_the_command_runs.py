"""Threat: a relative name means a different file once the command runs somewhere else. The
analyser followed `cd` for the programs it models, but the check of arguments it does not
classify resolved every relative name in the agent's own directory, so `cd ~ && some-tool
.netrc`, `git -C ~ add .aws/credentials` and `git -C ~ diff --no-index /dev/null .netrc`
(which prints the file whole) were allowed. After a `cd` to a directory that cannot be worked
out (`cd "$(some-cmd)"`), even `cat .aws/credentials` was judged as a file of the workspace.
And a name with an unknown part given to an unmodelled program (`some-tool
"$(some-cmd)/.aws/credentials"`) was never placed where it may lead. A bare name (no `/`, no
leading `.`) was never taken for a file at all, so `cd ~/.aws && some-tool credentials` read
the credentials unseen.

Invariant: a relative name is judged in the directory the command runs in (after `cd DIR` and
its own `-C DIR`); a directory that cannot be pinned down is kept as written, so the name is
judged as if that part were the home directory or `/`, the same as the whole path written
out. `cd` options, `cd -`, `$CDPATH` and `$PWD` are followed too. After a `cd` the line pins
down, a bare name given to any program is a file in that directory when one exists there or the
program writes it; in the directory the call started in, and where it names nothing, it stays
a word. A directory made by `mktemp -d` is known to be a temporary one, so work there stays
allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("git -C ~ diff --no-index /dev/null .netrc", "builtin:vcs-credentials"),
        ("git -C ~ add .aws/credentials", "builtin:cloud-credentials"),
        ("git -C ~/.aws diff --no-index /dev/null credentials", "builtin:cloud-credentials"),
        ("cd ~/.aws; git diff --no-index /dev/null credentials", "builtin:cloud-credentials"),
        ("cd ~ && some-tool .netrc", "builtin:vcs-credentials"),
        ("cd ~ && git add .ssh/id_ed25519", "builtin:ssh-keys"),
        ('cd "$(some-cmd)" && cat .aws/credentials', "builtin:cloud-credentials"),
        ('cd "$(some-cmd)" && some-tool .ssh/id_ed25519', "builtin:ssh-keys"),
        ('cd "$(dirname ~/.aws/x)" && cat credentials', "builtin:cloud-credentials"),
        ('some-tool "$(some-cmd)/.aws/credentials"', "builtin:cloud-credentials"),
        ("git add $(dirname ~/x)/.netrc", "builtin:vcs-credentials"),
        ('cd "$(mktemp -d -p ~/.ssh)" && touch a', "builtin:ssh-keys"),
        ('cd "$(mktemp -d -- "$(some-cmd)")" && cat ../.netrc', "builtin:vcs-credentials"),
        ("cd -P ~ && cat .netrc", "builtin:vcs-credentials"),
        ("cd -- ~/.aws && cat credentials", "builtin:cloud-credentials"),
        ("CDPATH=~ cd .aws && cat credentials", "builtin:cloud-credentials"),
        ('cd ~ && cat "$PWD/.netrc"', "builtin:vcs-credentials"),
        ("cd ~/.aws && some-tool credentials", "builtin:cloud-credentials"),
        ("cd ~/.aws; uploader --file=credentials", "builtin:cloud-credentials"),
        ("cd $HOME/.aws && some-tool -v credentials", "builtin:cloud-credentials"),
        ("cd ~/.ssh && some-tool id_ed25519", "builtin:ssh-keys"),
        ("pushd ~/.ssh && keytool-x id_ed25519", "builtin:ssh-keys"),
        ("cd ~ && cd .aws && some-tool credentials", "builtin:cloud-credentials"),
        ("cd ~/.aws && sh -c 'some-tool credentials'", "builtin:cloud-credentials"),
        ("cd ~/.ssh && some-tool -o authorized_keys", "builtin:ssh-keys"),
    ],
)
def test_a_protected_file_named_from_another_directory_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        'cd "$(mktemp -d)" && git init && touch a && git add a',
        "F=$(mktemp); echo hi > $F; cat $F",
        'touch "$(mktemp -d)/notes.txt"',
        "cd build && cmake .. && make",
        "git -C ../other status",
        "git diff --no-index a.txt b.txt",
        "cd ~ && cd - && cat src/app.py",
        "cd src && cat ../README.md",
        'cd "$(git rev-parse --show-toplevel)" && npm test',
        'source "$(poetry env info --path)/bin/activate"',
        'python "$(dirname "$0")/x.py"',
        "cd src && make build",
        "cd src && python -m pytest -q",
        "cd src && git commit -m 'fix the id_ed25519 parser'",
        "cd /tmp && some-tool build",
        "cd ~ && git status",
        "cd ~/.ssh && ls",
        "some-tool credentials",
        "cd ~/.aws && some-tool --profile default",
    ],
)
def test_work_in_other_directories_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
