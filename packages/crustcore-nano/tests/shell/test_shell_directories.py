"""The path `mktemp` prints."""

from __future__ import annotations

import shlex

from crustcore_nano.shell import OpKind, analyze
from hypothesis import given, settings
from hypothesis import strategies as st

_ENV = {"HOME": "/home/u", "PATH": "/usr/bin:/bin"}
_CWD = "/home/u/proj"


def _reads(command: str, env: dict[str, str] | None = None) -> list[str]:
    analysis = analyze(command, env=_ENV if env is None else env, cwd=_CWD)
    return [o.target for o in analysis.operations if o.kind is OpKind.READ]


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
    for command in ("mktemp --bogus", 'mktemp -p "$(some-cmd)"', "mktemp -Z"):
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
