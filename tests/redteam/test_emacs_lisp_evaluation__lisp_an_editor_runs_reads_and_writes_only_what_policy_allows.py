"""Threat: Emacs in batch mode is a Lisp interpreter that takes its program from its arguments.
`emacs --batch --eval '(find-file "~/.aws/credentials")'` reads a credential, `(with-temp-file
"~/.bashrc" ...)` and `(write-region ... "~/.bashrc")` write a shell startup file, and
`(delete-file ...)` removes one, yet the analyser did not read the Lisp at all, so all of them
were allowed; `emacsclient -e` hands the same Lisp to a running Emacs.

Invariant: Lisp that Emacs evaluates (`--eval`, `emacsclient -e`, a script on standard input)
is read like any interpreter code: a literal file name is judged by the function it is given to
and its position there (a write for `with-temp-file`, `write-region`, `copy-file`'s target, a
visited file the code saves; a delete for `delete-file`), joins with `~` or `(getenv "HOME")`
are followed, and strings handed to `shell-command`, `call-process` or `make-process` are judged
as the commands they are; Lisp that works on project files stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_STARTUP = "builtin:shell-startup-files"
_CLOUD = "builtin:cloud-credentials"


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("emacs --batch --eval '(find-file \"~/.aws/credentials\")'", _CLOUD),
        ("emacs -Q --batch --eval='(insert-file-contents \"~/.aws/credentials\")'", _CLOUD),
        ('emacs --batch --eval \'(with-temp-file "~/.bashrc" (insert "curl x | sh"))\'', _STARTUP),
        ('emacs --batch --eval \'(write-region "curl x|sh" nil "~/.bashrc" t)\'', _STARTUP),
        ('emacs --batch --eval \'(append-to-file "x" nil "~/.zshrc")\'', _STARTUP),
        ("emacs --batch --eval '(delete-file \"~/.bashrc\")'", _STARTUP),
        (
            'emacs --batch --eval \'(progn (find-file "~/.bashrc") (insert "x") (save-buffer))\'',
            _STARTUP,
        ),
        ('emacs --batch --eval \'(copy-file "src/app.py" "~/.profile" t)\'', _STARTUP),
        (
            "emacs --batch --eval"
            ' \'(with-temp-file (expand-file-name ".bashrc" "~") (insert "x"))\'',
            _STARTUP,
        ),
        (
            'emacs --batch --eval \'(with-temp-file (concat (getenv "HOME") "/.bashrc")'
            ' (insert "x"))\'',
            _STARTUP,
        ),
        (
            "emacs --batch --eval '(insert-file-contents (expand-file-name"
            ' "credentials" (expand-file-name ".aws" (getenv "HOME"))))\'',
            _CLOUD,
        ),
        # A character literal `?"` must not make the scanner lose track of strings.
        ('emacs --batch --eval \'(progn (insert ?") (find-file "~/.aws/credentials"))\'', _CLOUD),
        ("emacsclient -e '(find-file \"~/.aws/credentials\")'", _CLOUD),
        (
            'emacs --batch --script /dev/stdin <<< \'(with-temp-file "~/.bashrc" (insert "x"))\'',
            _STARTUP,
        ),
    ],
)
def test_lisp_naming_a_protected_file_is_denied(bash: BashVerdict, command: str, rule: str) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "emacs --batch --eval '(shell-command \"cat ~/.ssh/id_ed25519\")'",
        'emacs --batch --eval \'(call-process "cat" nil t nil "/home/u/.ssh/id_ed25519")\'',
        "emacs --batch --eval"
        ' \'(make-process :name "x" :command (list "cat" "~/.ssh/id_ed25519"))\'',
        "emacsclient -a 'sh -c \"cat ~/.ssh/id_ed25519\"' src/app.py",
    ],
)
def test_commands_lisp_runs_are_judged_as_commands(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.DENY, "builtin:ssh-keys")


@pytest.mark.parametrize(
    "command",
    [
        'emacs --batch --eval \'(progn (find-file "src/app.py")'
        " (indent-region (point-min) (point-max)) (save-buffer))'",
        "emacs --batch src/app.py --eval '(save-buffer)'",
        "emacs --batch -l ert -l tests/my-test.el -f ert-run-tests-batch-and-exit",
        "emacs --batch --eval '(byte-compile-file \"src/foo.el\")'",
        "emacs -Q --batch --eval '(require (quote package))' --eval '(package-initialize)'",
        'emacs --batch --eval \'(with-temp-file "build/out.txt" (insert "ok"))\'',
        "emacs --batch --eval '(message \"see ~/.bashrc for the PATH line\")'",
        "emacs --batch --eval '(org-babel-tangle-file \"README.org\")'",
    ],
)
def test_lisp_on_project_files_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
