"""Threat: `tcpdump -w FILE` writes its capture wherever it is told, `-r` and `-F` read files,
and `-z CMD` runs a command on every capture file it finishes (a known way to run a program
from a packet capture). `tcpdump -w ~/.bashrc` and `-z 'sh -c "..."'` were allowed: tcpdump's
options were not modelled.

Invariant: tcpdump's `-w` file is a write, its `-r`, `-F` and `-V` files are reads, and its
`-z` command is judged as a shell command; capturing into and reading from the project stays
allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("tcpdump -w ~/.bashrc", "builtin:shell-startup-files"),
        ("tcpdump --number -nw ~/.bashrc", "builtin:shell-startup-files"),
        ("tcpdump -i any -w /home/u/.config/autostart/x.desktop", "builtin:persistence"),
        ("tcpdump -r ~/.aws/credentials", "builtin:cloud-credentials"),
        ("tcpdump -F ~/.aws/credentials -i lo", "builtin:cloud-credentials"),
        ("tcpdump -w c.pcap -G 1 -z 'sh -c \"cat ~/.ssh/id_ed25519\"'", "builtin:ssh-keys"),
    ],
)
def test_a_capture_touching_a_protected_file_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "tcpdump -i eth0 -c 100 -w build/cap.pcap port 80",
        "tcpdump -r build/cap.pcap -nn 'tcp port 443'",
        "tcpdump -i lo -nn -c 10",
    ],
)
def test_capturing_in_the_project_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
