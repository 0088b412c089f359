"""Threat: interpreter code that puts the home directory in a variable first and builds the
credential path from the variable: `h = __import__('os').environ['HOME']` and then
`open(h + '/.aws/credentials')`. The one-liner scanner joined a home expression to the path
pieces written right after it, so the same read written inline was denied, but through a
variable it saw only `'/.aws/credentials'` after a name it did not know, and allowed it.

Invariant: a name assigned a home expression (`os.environ['HOME']`, `os.homedir()`,
`Path.home()`, `$ENV{HOME}`, `Dir.home`, `getenv("HOME")`) spells the home directory wherever
the code uses it: joined with `+`, `.`, `/` or a path-join call, or inside an f-string,
template or interpolated string; the path built from it is judged like the inline form.
Home files that are not credentials stay readable."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        (
            """python3 -c "h=__import__('os').environ['HOME'];"""
            """print(open(h+'/.aws/credentials').read())\"""",
            "builtin:cloud-credentials",
        ),
        (
            """python3 -c "import os;home=os.path.expanduser('~');"""
            """print(open(os.path.join(home,'.ssh','id_ed25519')).read())\"""",
            "builtin:ssh-keys",
        ),
        (
            """python3 -c "import os;h=os.environ['HOME'];"""
            """print(open(f'{h}/.aws/credentials').read())\"""",
            "builtin:cloud-credentials",
        ),
        (
            """node -e "const h=require('os').homedir();"""
            """console.log(require('fs').readFileSync(h+'/.ssh/id_ed25519','utf8'))\"""",
            "builtin:ssh-keys",
        ),
        (
            """node -e "const h=process.env.HOME;console.log(require('fs').readFileSync("""
            """require('path').join(h,'.aws','credentials'),'utf8'))\"""",
            "builtin:cloud-credentials",
        ),
        (
            """perl -e 'my $h=$ENV{HOME}; open(F, "<$h/.aws/credentials"); print <F>'""",
            "builtin:cloud-credentials",
        ),
        ("""ruby -e 'h=Dir.home; puts File.read(h+"/.ssh/id_ed25519")'""", "builtin:ssh-keys"),
        (
            """php -r '$h=getenv("HOME"); echo file_get_contents($h."/.aws/credentials");'""",
            "builtin:cloud-credentials",
        ),
    ],
)
def test_a_credential_path_built_from_a_home_variable_is_denied(
    bash: BashVerdict, command: str, rule: str
) -> None:
    assert bash(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        """python3 -c "import os;h=os.environ['HOME'];print(h)\"""",
        """python3 -c "import os;h=os.environ['HOME'];print(os.listdir(h+'/proj/src'))\"""",
        """node -e "const h=require('os').homedir();console.log(h+'/proj')\"""",
        """python3 -c "import os;h=os.environ['HOME'];print(open('src/app.py').read())\"""",
        """python3 -c "hash=1;print(open('src/app.py').read())\"""",
    ],
)
def test_home_variables_that_read_no_credential_stay_allowed(
    bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
