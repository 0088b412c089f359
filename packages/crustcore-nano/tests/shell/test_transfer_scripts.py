"""Scripted file-transfer clients (sftp, ftp, lftp, smbclient, tftp): what their visible scripts
send and fetch, and the bounds of reading those scripts. Properties cover any script text."""

from __future__ import annotations

from crustcore_nano.policy.engine import _placed  # pyright: ignore[reportPrivateUsage]
from crustcore_nano.shell import OpKind, ShellSignal, analyze
from hypothesis import given, settings
from hypothesis import strategies as st

_ENV = {"HOME": "/home/u", "PATH": "/usr/bin:/bin"}


def _ops(command: str) -> list[tuple[OpKind, str]]:
    analysis = analyze(command, env=_ENV, cwd="/home/u/proj")
    return [(o.kind, o.target) for f in analysis.commands for o in f.operations]


def test_put_is_a_read_of_the_local_file_and_get_writes_the_local_name() -> None:
    ops = _ops("printf 'put a.txt /r/a.txt\\nget /r/b.txt b.txt\\n' | sftp -b - h")
    assert (OpKind.READ, "/home/u/proj/a.txt") in ops
    assert (OpKind.WRITE, "/home/u/proj/b.txt") in ops
    assert (OpKind.READ, "/r/a.txt") not in ops  # the remote name is not a local read


def test_lcd_moves_the_local_names_that_follow() -> None:
    ops = _ops("smbclient //nas/s -c 'lcd out; mput a.txt b.txt'")
    assert {
        (OpKind.READ, "/home/u/proj/out/a.txt"),
        (OpKind.READ, "/home/u/proj/out/b.txt"),
    } <= set(ops)


def test_lftp_output_names_are_remote() -> None:
    ops = _ops("lftp -c 'open h; put -o remote.txt local.txt'")
    assert (OpKind.READ, "/home/u/proj/local.txt") in ops
    assert (OpKind.READ, "/home/u/proj/remote.txt") not in ops


def test_a_shell_escape_runs_the_rest_of_its_line() -> None:
    analysis = analyze("echo '!touch x; rm -rf y' | sftp h", env=_ENV)
    names = [f.name for f in analysis.commands]
    assert "touch" in names and "rm" in names


def test_a_script_in_a_file_is_reported_unseen_and_not_parsed() -> None:
    analysis = analyze("sftp -b batch.txt h", env=_ENV)
    assert ShellSignal.UNSEEN_TRANSFER in analysis.signals
    visible = analyze("sftp h <<< 'get x'", env=_ENV)
    assert ShellSignal.UNSEEN_TRANSFER not in visible.signals


_WORDS = st.sampled_from(
    ["put", "mput", "get", "lcd", "open", "!", "mirror", "-R", "-o", "a", "~/x", "/e", ";", "'"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=40), st.sampled_from(
    ["sftp -b - h", "ftp h", "lftp -c", "smbclient //h/s -c", "tftp h -c"]
))  # fmt: skip
def test_any_script_is_read_without_error(words: list[str], client: str) -> None:
    script = " ".join(words).replace("'", "")
    command = f"{client} '{script}'" if "-c" in client else f"echo '{script}' | {client}"
    analysis = analyze(command, env=_ENV)
    assert analysis.commands


def test_a_long_script_is_read_only_up_to_its_bounds() -> None:
    many = "\n".join(f"put f{i}.txt" for i in range(2000))
    long = analyze(f"sftp h <<EOF\n{many}\nEOF", env=_ENV)
    reads = [o for f in long.commands for o in f.operations if o.kind is OpKind.READ]
    assert len(reads) == 256  # the first 256 commands are read, and the rest are unseen
    assert ShellSignal.UNSEEN_TRANSFER in long.signals
    grown = "x='" + "put a\n" * 4000 + '\'; sftp h <<< "$x$x$x$x"'  # 96,000 characters
    huge = analyze(grown, env=_ENV)
    assert ShellSignal.UNSEEN_TRANSFER in huge.signals  # over 64 KiB: asked, not skimmed


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/.$`~-+abcdfpro0123456789", max_size=80))
def test_placed_tails_are_clean_absolute_and_bounded(expanded: str) -> None:
    placed = _placed(expanded, "/home/u")
    assert len(placed) <= 32
    for form in placed:
        assert form.startswith("/") and "/../" not in form and not form.endswith("/..")
