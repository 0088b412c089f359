"""What `dirname`, `basename`, `realpath` and `readlink -f` print, as the analyser models it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from crustcore_nano.shell.commands import path_output
from crustcore_nano.shell.expand import Field
from hypothesis import given, settings
from hypothesis import strategies as st


def _out(name: str, *args: str, exact: bool = True) -> str | None:
    found = path_output(name, [Field(a, exact) for a in args])
    return None if found is None else found.text


@pytest.mark.parametrize(
    ("name", "args", "printed"),
    [
        ("dirname", ("/home/u/.aws/config",), "/home/u/.aws\n"),
        ("dirname", ("a/b/", "x", "/x", "/"), "a\n.\n/\n/\n"),
        ("basename", ("/home/u/x.py", ".py"), "x\n"),
        ("basename", ("-a", "a/b", "c/d/"), "b\nd\n"),
        ("basename", ("-s", ".py", "a.py"), None),  # `-s` takes a value: not modelled
        ("realpath", ("~/.aws", "src"), "~/.aws\nsrc\n"),
        ("readlink", ("-f", "/home/u/.aws"), "/home/u/.aws\n"),
        ("readlink", ("/home/u/link",), None),  # a link's target is not known
        ("dirname", (), None),
    ],
)
def test_path_output(name: str, args: tuple[str, ...], printed: str | None) -> None:
    assert _out(name, *args) == printed


def test_an_operand_not_known_exactly_makes_the_output_unknown() -> None:
    assert _out("dirname", "$(cmd)/x", exact=False) is None


_PATHS = st.lists(st.sampled_from(["a", "b", "/", ".", "..", "x.py"]), min_size=1, max_size=8)


@pytest.mark.skipif(shutil.which("dirname") is None, reason="coreutils dirname not installed")
@settings(max_examples=150, deadline=None)
@given(_PATHS.map("".join), st.booleans())
def test_dirname_and_basename_print_what_coreutils_prints(path: str, base: bool) -> None:
    name = "basename" if base else "dirname"
    real = subprocess.run([name, "--", path], capture_output=True, text=True, check=True).stdout
    assert _out(name, path) == real
