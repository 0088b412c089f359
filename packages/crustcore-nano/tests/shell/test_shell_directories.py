"""The directory each command runs in: `cd`, `git -C`, a directory that cannot be worked out,
and the path `mktemp` prints."""

from __future__ import annotations

import shlex

from crustcore_nano.shell import OpKind, analyze
from hypothesis import given, settings
from hypothesis import strategies as st

_ENV = {"HOME": "/home/u", "PATH": "/usr/bin:/bin"}
_CWD = "/home/u/proj"


def _cwds(command: str, env: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    analysis = analyze(command, env=_ENV if env is None else env, cwd=_CWD)
    return [(f.name, f.cwd) for f in analysis.commands]


def _reads(command: str, env: dict[str, str] | None = None) -> list[str]:
    analysis = analyze(command, env=_ENV if env is None else env, cwd=_CWD)
    return [o.target for o in analysis.operations if o.kind is OpKind.READ]


def test_each_command_carries_the_directory_it_runs_in() -> None:
    assert _cwds("ls && cd ~ && some-tool x") == [
        ("ls", _CWD),
        ("cd", _CWD),  # `cd` itself runs where it starts
        ("some-tool", "/home/u"),
    ]
    assert _cwds("git -C ~/repo add x") == [("git", "/home/u/repo")]
    assert _cwds("(cd sub && make); make") == [
        ("cd", _CWD),
        ("make", f"{_CWD}/sub"),
        ("make", _CWD),
    ]
    assert analyze("cd /x && ls").commands[-1].cwd == "/x"
    assert analyze("ls").commands[0].cwd is None  # no directory given


def test_a_directory_that_cannot_be_worked_out_is_kept_as_written() -> None:
    assert _cwds('cd "$(some-cmd)" && cd sub && cat f')[-1] == ("cat", "$(some-cmd)/sub")
    assert _reads('cd "$(some-cmd)" && cat .netrc') == ["$(some-cmd)/.netrc"]
    assert _reads('cd "$(some-cmd)" && cat /etc/hosts') == ["/etc/hosts"]
    assert _reads('cd "$(some-cmd)" && cd /srv && cat f') == ["/srv/f"]


def test_cd_options_the_previous_directory_and_cdpath() -> None:
    assert _reads("cd -P ~ && cat f") == ["/home/u/f"]
    assert _reads("cd -L -- /srv && cat f") == ["/srv/f"]
    assert _reads("cd -x /srv && cat f") == [f"{_CWD}/f"]  # an invalid option: cd stays
    assert _reads("cd /srv; cd -; cat f") == [f"{_CWD}/f"]
    assert _reads("cd - && cat f") == ["$OLDPWD/f"]  # where the shell was before this line
    assert _reads("pushd +1 && cat f") == ["$DIRSTACK/f"]
    assert _reads("pushd -n /srv && cat f") == [f"{_CWD}/f"]
    # `cd NAME` tries each `$CDPATH` entry first, wherever the variable is set
    assert _reads("CDPATH=/srv cd sub && cat f") == ["$CDPATH/sub/f"]
    assert _reads("cd sub && cat f", dict(_ENV, CDPATH="/srv")) == ["$CDPATH/sub/f"]
    assert _reads("CDPATH=/srv cd ./sub && cat f") == [f"{_CWD}/./sub/f"]
    assert _reads("cd sub && cat f") == [f"{_CWD}/sub/f"]


def test_pwd_is_known_only_where_the_directory_is() -> None:
    known = analyze("cd /srv && echo $PWD", env=_ENV, cwd=_CWD)
    unknown = analyze('cd "$(some-cmd)" && echo $PWD', env=_ENV, cwd=_CWD)
    assert known.commands[-1].argv == ("echo", "/srv")
    assert known.commands[-1].exact
    assert not unknown.commands[-1].exact
    # the environment's PWD is where the agent started, not where `cd` went
    moved = analyze("cd /srv && cat $PWD/f", env=dict(_ENV, PWD=_CWD), cwd=_CWD)
    assert [o.target for o in moved.operations if o.kind is OpKind.READ] == ["/srv/f"]


def test_mktemp_prints_a_path_in_the_temporary_directory() -> None:
    cases = {
        "mktemp": "/tmp/tmp.XXXXXXXXXX",
        "mktemp -d": "/tmp/tmp.XXXXXXXXXX",
        "mktemp -d -t build.XXXX": "/tmp/build.XXXX",
        "mktemp --tmpdir=/var/tmp": "/var/tmp/tmp.XXXXXXXXXX",
        "mktemp -p /srv/scratch": "/srv/scratch/tmp.XXXXXXXXXX",
        "mktemp -dp ~/.cache x.XXX": "/home/u/.cache/x.XXX",
        "mktemp -q -- out.XXXX": f"{_CWD}/out.XXXX",  # a bare template is made here
        "mktemp sub/out.XXXX": f"{_CWD}/sub/out.XXXX",
        "mktemp --suffix .txt": "/tmp/tmp.XXXXXXXXXX",
    }
    for command, path in cases.items():
        assert _reads(f"cat $({command})/f") == [f"{path}/f"], command
    moved = dict(_ENV, TMPDIR="/scratch/t")
    assert _reads("cat $(mktemp -d)/f", moved) == ["/scratch/t/tmp.XXXXXXXXXX/f"]


def test_mktemp_with_an_option_or_directory_not_known_prints_nothing_known() -> None:
    for command in (
        "mktemp --bogus",
        'mktemp -p "$(some-cmd)"',
        "mktemp -Z",
        'mktemp -d -- "$(some-cmd)"',  # the template may hold a directory
    ):
        assert _reads(f"cat $({command})/f") == [f"$({command})/f"], command
    # without the environment, TMPDIR may be anywhere
    reads = [o.target for o in analyze("cat $(mktemp -d)/f").operations if o.kind is OpKind.READ]
    assert reads == ["$(mktemp -d)/f"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="abcXYZ._-", min_size=1, max_size=12),
    st.sampled_from(["-t", "-dt", "--tmpdir", "-d --tmpdir"]),
)
def test_a_template_in_the_temporary_directory_stays_there(template: str, flags: str) -> None:
    if template.startswith("-"):
        template = "x" + template
    (read,) = _reads(f"cat $(mktemp {flags} {shlex.quote(template)})/f")
    assert read == f"/tmp/{template}/f"
