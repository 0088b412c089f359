"""Threat: awk runs shell commands in three places, `system(CMD)`, `CMD | getline` and
`print ... | CMD`, and the last one feeds the printed text to the command. So
`awk 'BEGIN { print "cat ~/.aws/credentials" | "sh" }'` is `echo ... | sh`. These were allowed:
a print pipe's text into a shell, a command held in a variable (`c = "cat ~/.netrc"; c | getline`),
commands awk builds from its input (`system($0)`, a file of commands piped to `sh`), a file named
with `ENVIRON["HOME"]` (`print > ENVIRON["HOME"] "/.bashrc"`), and any of these after a pattern
holding a quote or a `#` (`/"/ { ... }`), which hid the rest of the program from the scan.

Invariant: every command awk runs is judged as the shell command it is, fed what awk prints;
a command awk builds from data is code that cannot be seen (asked); every file it redirects to
or reads with `getline <` is judged as a write or read; everyday awk stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("""awk 'BEGIN { print "cat ~/.aws/credentials" | "sh" }'""", "builtin:cloud-credentials"),
        ("""awk 'BEGIN { printf "cat ~/.aws/credentials\\n" | "bash" }'""",
         "builtin:cloud-credentials"),
        ("""gawk 'BEGIN { print "cat ~/.ssh/id_ed25519" |& "sh" }'""", "builtin:ssh-keys"),
        ("""awk 'BEGIN { c = "bash"; print "cat ~/.ssh/id_ed25519" | c }'""", "builtin:ssh-keys"),
        ("""gawk 'BEGIN { c = "cat ~/.aws/credentials"; c | getline x; print x }'""",
         "builtin:cloud-credentials"),
        ("""awk 'BEGIN { d = ENVIRON["HOME"] "/.ssh"; system("cat " d "/id_ed25519") }'""",
         "builtin:ssh-keys"),
        ("""awk 'BEGIN { print "x" > ENVIRON["HOME"] "/.bashrc" }'""",
         "builtin:shell-startup-files"),
        ("""awk 'BEGIN { f = ENVIRON["HOME"] "/.bashrc"; print "x" >> f }'""",
         "builtin:shell-startup-files"),
        ("""awk 'BEGIN { while ((getline l < (ENVIRON["HOME"] "/.aws/credentials")) > 0) n++ }'""",
         "builtin:cloud-credentials"),
        ("""awk '/"/ { print "cat ~/.aws/credentials" | "sh" }' src/app.py""",
         "builtin:cloud-credentials"),
        ("""awk '/#/ { print "cat ~/.aws/credentials" | "sh" }' src/app.py""",
         "builtin:cloud-credentials"),
        ("""awk '{ print /"/ } { print "cat ~/.aws/credentials" | "sh" }' src/app.py""",
         "builtin:cloud-credentials"),
    ],
)  # fmt: skip
def test_what_awk_runs_or_redirects_to_a_protected_file_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "awk '{ print | \"sh\" }' src/commands.txt",
        "awk '{ system($0) }' src/commands.txt",
        'awk \'{ system("mv " $1 " " $2) }\' src/renames.txt',
        "awk '{ c = \"wc -l \" $1; c | getline n; print n }' src/files.txt",
        "awk -v c='cat ~/.aws/credentials' 'BEGIN { system(c) }'",
        'awk \'BEGIN { printf "%s\\n", "id" | "sh" }\'',
    ],
)
def test_a_command_awk_builds_from_data_is_asked(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ASK, "builtin:unparsed-command")


def test_a_file_named_by_data_is_asked(bash: BashVerdict) -> None:
    verdict, _ = bash("awk '{ print > ($1 \".txt\") }' src/data.csv")
    assert verdict is Verdict.ASK


@pytest.mark.parametrize(
    "command",
    [
        "awk -F, '{ print $1 }' src/data.csv",
        "awk '{ s += $1 } END { print s }' src/nums.txt",
        "awk '/foo|bar/ { print $2 }' src/app.py",
        'awk \'/"/ { print $2 | "sort" }\' src/app.py',
        "awk '{ print $1 | \"sort -u\" }' src/app.py",
        "awk 'BEGIN { while ((\"ls src\" | getline f) > 0) print f }'",
        "awk 'BEGIN { \"date +%s\" | getline t; print t }'",
        'awk \'BEGIN { c = "wc -l"; print "x" | c; close(c) }\'',
        "awk 'NR > 1 { print $2 > \"build/out.txt\" }' src/data.csv",
        "awk '{ n++ } END { print n > \"/dev/stderr\" }' src/app.py",
        "awk '{ x = $1 / 2; print x }' src/nums.txt",
    ],
)
def test_everyday_awk_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
