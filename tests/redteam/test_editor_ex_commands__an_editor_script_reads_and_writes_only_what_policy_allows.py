"""Threat: Vim run headless (`vim -es`, `nvim --headless`) is a file copier and writer that
takes its instructions from its arguments. `vim -es -c 'r ~/.aws/credentials' -c 'w
src/out.txt' -c q` copies a credential into the project, and `vim -es -c 'w! ~/.bashrc'`
writes a shell startup file, yet the analyser only looked inside `-c` for shell commands and
code, so both were allowed.

Invariant: an Ex command that names a file (`:r`, `:so`, `:w`, `:wq`, `:x`, `:sav`, `:e`,
`:redir >`, `:mksession`, also after a range, `!`, `++opt`, `|`, `:g/re/` or a modifier such
as `:silent!`), and Vim's `-S`, `-u`, `-s`, `-w` and `-W` files, are judged as reads and writes
of that file, also when `:execute` spells the command with literal strings (`exe "w " . $HOME .
"/.bashrc"`) or `:normal` types it with a carriage return; editing project files the same way
stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_STARTUP = "builtin:shell-startup-files"


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("vim -es -c 'r ~/.aws/credentials' -c 'w src/out.txt' -c q", "builtin:cloud-credentials"),
        ("nvim --headless -c 'r ~/.ssh/id_ed25519' -c 'w! /tmp/k' -c 'qa!'", "builtin:ssh-keys"),
        ("vim +'r ~/.ssh/id_ed25519' +wq src/out.txt", "builtin:ssh-keys"),
        ("vim -es -c 'set nomore | so ~/.aws/credentials' -c q", "builtin:cloud-credentials"),
        ("vim -S ~/.aws/credentials", "builtin:cloud-credentials"),
        ("vim -es -c 'w! ~/.bashrc' -c q", _STARTUP),
        ("vim -es -c '%w >> ~/.zshrc' -c q src/app.py", _STARTUP),
        ("vim -es -c '1,$write! ~/.profile' -c q src/app.py", _STARTUP),
        ("vim -c 'e ~/.bashrc' -c 'normal Gocurl x' -c wq", _STARTUP),
        ("vim -es -c 'sav ~/.bashrc' -c q src/app.py", _STARTUP),
        ("vim -es -c 'redir! > ~/.bashrc | echo 1 | redir END' -c q", _STARTUP),
        ("vim -es -c 'g/^/w >> ~/.bashrc' -c q src/app.py", _STARTUP),
        ("ex -c 'w ++ff=unix ~/.bashrc' -c q src/app.py", _STARTUP),
        ("vim -W ~/.bashrc src/app.py", _STARTUP),
        ("vim -es -c 'silent! w ~/.bashrc' -c q src/app.py", _STARTUP),
        ("vim -c 'vert sp ~/.bashrc' -c 'normal Gox' -c wqa", _STARTUP),
        ('vim -es -c \'exe "w " . "~/.bashrc"\' -c q src/app.py', _STARTUP),
        ('vim -es -c \'exe "sav " . $HOME . "/.bashrc"\' -c q src/app.py', _STARTUP),
        ("vim -es -c \"exe 'w' '~/.zshrc'\" -c q src/app.py", _STARTUP),
        ("vim -es -c 'exe \"w ~/.bash\\x72c\"' -c q src/app.py", _STARTUP),
        ("vim -es -c 'exe \"normal :w ~/.bashrc\\<CR>\"' -c q src/app.py", _STARTUP),
        ("vim -es -c $'normal :w! ~/.bashrc\\r' -c q src/app.py", _STARTUP),
        (
            'vim -es -c \'execute "r" expand("~") .. "/.aws/credentials"\' -c \'w src/o\' -c q',
            "builtin:cloud-credentials",
        ),
    ],
)
def test_an_ex_command_naming_a_protected_file_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "vim -es -c '%s/foo/bar/g' -c wq src/app.py",
        "vim -es -c 'w src/copy.py' -c q src/app.py",
        "vim -c 'set nu | w' src/app.py",
        "vim +42 src/app.py",
        "nvim --headless -c 'r README.md' -c 'w src/out.md' -c 'qa!'",
        "vim -es -c 'redir @a | silent ls | redir END' -c q",
        "vim -es -c 'g/TODO/d' -c wq src/app.py",
        "vim -es -c 'exe \"normal gg=G\"' -c wq src/app.py",
        "vim -es -c 'exe \"%s/a/b/g\"' -c wq src/app.py",
        "vim -c 'normal Gofoo: bar' src/app.py",
        "vim -es -c 'normal :w ~/.bashrc' -c q src/app.py",  # no carriage return: Vim drops it
    ],
)
def test_editing_project_files_from_the_command_line_stays_allowed(
    bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
