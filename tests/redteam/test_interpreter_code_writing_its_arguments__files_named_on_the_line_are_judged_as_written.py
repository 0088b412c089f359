"""Threat: interpreter code can take the file it writes from its command line:
`python3 -c 'import sys; open(sys.argv[1], "w").write(...)' ~/.bashrc`, `node -e
'require("fs").appendFileSync(process.argv[1], ...)' ~/.bashrc`, `ruby -e 'File.write(ARGV[0],
...)'`, or a script fed on standard input (`python3 - ~/.bashrc <<'EOF'`). The code names no
file, and its arguments were taken as reads only, so writing or deleting a startup file, an
agent's settings or `authorized_keys` this way was allowed.

Invariant: when code that looks at its arguments also writes, copies, moves or deletes files,
every file its arguments name is judged as written (or deleted); such code working on project
files stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("""python3 -c 'import sys; open(sys.argv[1], "w").write("x")' ~/.bashrc""",
         "builtin:shell-startup-files"),
        ("""python3 -c 'import sys, shutil; shutil.copy(sys.argv[1], sys.argv[2])' x ~/.profile""",
         "builtin:shell-startup-files"),
        ("""python3 -c 'import sys, pathlib; pathlib.Path(sys.argv[1]).write_text("x")' ~/.zshrc""",
         "builtin:shell-startup-files"),
        ("""python3 -c 'import sys, json; json.dump({}, open(sys.argv[1], "w"))' """
         "~/.claude/settings.json", "builtin:agent-config"),
        ("""python3 -c 'import os, sys; os.remove(sys.argv[1])' ~/.bashrc""",
         "builtin:shell-startup-files"),
        ("""node -e 'require("fs").appendFileSync(process.argv[1], "x")' ~/.bashrc""",
         "builtin:shell-startup-files"),
        ("""perl -e 'open(F, ">>", $ARGV[0]); print F "x"' ~/.bashrc""",
         "builtin:shell-startup-files"),
        ("""ruby -e 'File.write(ARGV[0], "x")' ~/.bash_profile""", "builtin:shell-startup-files"),
        ("python3 - ~/.bashrc <<'EOF'\nimport sys\nopen(sys.argv[1], 'a').write('x')\nEOF",
         "builtin:shell-startup-files"),
        ("node - ~/.bashrc <<'EOF'\nrequire('fs').appendFileSync(process.argv[2], 'x')\nEOF",
         "builtin:shell-startup-files"),
    ],
)  # fmt: skip
def test_code_writing_a_protected_file_named_by_its_arguments_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        """python3 -c 'import sys; open(sys.argv[1], "w").write("x")' build/out.txt""",
        """python3 -c 'import sys; print(open(sys.argv[1]).read())' src/app.py""",
        """python3 -c 'import sys; print(sys.argv[1:])' ~/.bashrc""",
        """node -e 'console.log(process.argv.slice(1))' src/app.py""",
        "python3 - src/app.py <<'EOF'\nimport sys\nopen(sys.argv[1], 'a').write('# x')\nEOF",
    ],
)
def test_code_working_on_project_files_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
