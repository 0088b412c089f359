"""Threat: a library search path that puts code from elsewhere in front of a program's own
modules. `PERL5LIB=/tmp/x perl ...` and `RUBYLIB=/dev/shm/x ruby ...` were allowed (only
`PERLLIB` and `NODE_PATH` were denied, and those always, even for `./lib`), as was any
`PYTHONPATH`: with `/tmp/x/json.py` planted, `PYTHONPATH=/tmp/x python app.py` runs it in
place of the standard `json`. `PYTHONUSERBASE` was allowed too, and Python runs the `.pth`
files of that user site at every start.

Invariant: `PYTHONPATH`, `NODE_PATH`, `PERL5LIB`, `PERLLIB` and `RUBYLIB` are allowed only
when every entry is a directory of the workspace, judged from the directory the program runs
in (a relative entry is read by the program, not by the shell); an entry outside it, or one
the check cannot work out, is denied (`builtin:dangerous-env`). A reference to the inherited
value (`$PYTHONPATH`, `${PYTHONPATH:+:$PYTHONPATH}`) is the user's own setting and passes.
`PYTHONUSERBASE` is denied like `PYTHONSTARTUP`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_DENIED = (Verdict.DENY, "builtin:dangerous-env")


@pytest.mark.parametrize(
    "command",
    [
        "PERL5LIB=/tmp/x perl script.pl",
        "export PERL5LIB=/tmp/x",
        "PERLLIB=/var/tmp/x prove -r t",
        "export RUBYLIB=/dev/shm/x",
        "RUBYLIB=/tmp/x bundle exec rake",
        "PYTHONPATH=/tmp/x python src/app.py",
        "env PYTHONPATH=/tmp/x pytest",
        "export PYTHONPATH=src:/tmp/x",
        "PYTHONPATH=$PYTHONPATH:/tmp/x python src/app.py",
        "NODE_PATH=/tmp/x node index.js",
        "PYTHONPATH=~/.cache/x python src/app.py",
        'PYTHONPATH="$HOME/x" python src/app.py',
        "PYTHONPATH=src/../../.. python src/app.py",
        "cd /tmp && PYTHONPATH=. python ~/proj/src/app.py",
        "cd /tmp && export PYTHONPATH=. && python ~/proj/src/app.py",
        "D=/tmp/x; PYTHONPATH=$D python src/app.py",
        "PYTHONPATH=${PYTHONPATH:-/tmp/x} python src/app.py",
        "PYTHONPATH=$(cat /tmp/where) python src/app.py",
        "PYTHONUSERBASE=/tmp/x python src/app.py",
        "bash -c 'PERL5LIB=/tmp/x perl script.pl'",
    ],
)
def test_a_library_path_outside_the_workspace_is_denied(bash: BashVerdict, command: str) -> None:
    assert bash(command) == _DENIED


def test_a_library_path_in_a_tools_env_argument_is_judged_the_same(
    seeded_engine: PolicyEngine,
) -> None:
    def decide(env: dict[str, str]) -> tuple[Verdict, str]:
        call = ToolCall("shell", {"command": ["python", "src/app.py"], "env": env})
        decision = seeded_engine.evaluate(call)
        return decision.verdict, decision.rule

    assert decide({"PYTHONPATH": "/tmp/x"}) == _DENIED
    assert decide({"PERL5LIB": "/tmp/x"}) == _DENIED
    # No shell expands a tool's env argument; its default word is judged all the same.
    assert decide({"PYTHONPATH": "${PYTHONPATH:-/tmp/x}"}) == _DENIED
    assert decide({"PYTHONPATH": "${PYTHONPATH:-$STAGE}"}) == _DENIED
    assert decide({"PYTHONPATH": "src"}) == (Verdict.ALLOW, "allow")
    assert decide({"PYTHONPATH": "src${PYTHONPATH:+:$PYTHONPATH}"}) == (Verdict.ALLOW, "allow")


@pytest.mark.parametrize(
    "command",
    [
        "PYTHONPATH=src pytest",
        "export PYTHONPATH=src && pytest",
        "PYTHONPATH=. python -m pytest",
        "PYTHONPATH=src:tests pytest -q",
        "PYTHONPATH=$PYTHONPATH:src python src/app.py",
        "PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} pytest",
        "export PYTHONPATH=$(pwd)/src",
        "PYTHONPATH=$PWD/src python src/app.py",
        "cd src && PYTHONPATH=.. python app.py",
        "NODE_PATH=./lib node index.js",
        "export NODE_PATH=src",
        "PERL5LIB=lib prove -r t",
        "PERLLIB=lib perl script.pl",
        "RUBYLIB=lib:test ruby test/test_app.rb",
        "perl -Ilib script.pl",
        "echo $PYTHONPATH",
        "grep -rn PERL5LIB Makefile",
    ],
)
def test_project_library_paths_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
