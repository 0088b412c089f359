"""Cloud storage clients: which local names are sent, which are written, and `file:` URLs.
Properties cover any order of local and remote names."""

from __future__ import annotations

import shlex

from crustcore_nano.shell import OpKind, ShellSignal, analyze
from crustcore_nano.shell.expand import Field
from crustcore_nano.shell.netparse import file_url_paths
from crustcore_nano.shell.storage import UPLOAD, sends_stdin
from hypothesis import given, settings
from hypothesis import strategies as st

_ENV = {"HOME": "/home/u", "PATH": "/usr/bin:/bin"}
_CWD = "/home/u/proj"


def _ops(command: str) -> list[tuple[OpKind, str, str]]:
    analysis = analyze(command, env=_ENV, cwd=_CWD)
    return [(o.kind, o.target, o.detail) for f in analysis.commands for o in f.operations]


def test_a_local_source_is_sent_and_a_local_destination_written() -> None:
    assert (OpKind.READ, f"{_CWD}/a.txt", UPLOAD) in _ops("aws s3 cp a.txt s3://b/")
    down = _ops("aws s3 cp s3://b/a.txt out/")
    assert (OpKind.WRITE, f"{_CWD}/out/", "aws s3") in down
    assert not any(d == UPLOAD for _, _, d in down)


def test_value_options_do_not_move_the_destination() -> None:
    ops = _ops("rclone copy remote:b ./data --transfers 8 --exclude '*.tmp'")
    assert not any(d == UPLOAD for _, _, d in ops)
    assert (OpKind.WRITE, f"{_CWD}/./data", "rclone") in ops


def test_gsutil_top_level_options_end_before_the_subcommand() -> None:
    # `-i` is a top-level option with a value, but a flag of `rsync`: `src` is still sent.
    ops = _ops("gsutil -i sa@p.iam.gserviceaccount.com rsync -i src gs://b/")
    assert (OpKind.READ, f"{_CWD}/src", UPLOAD) in ops


def test_a_two_way_sync_sends_and_writes_the_local_side() -> None:
    ops = _ops("rclone bisync remote:b ./local")
    assert (OpKind.READ, f"{_CWD}/./local", UPLOAD) in ops
    assert (OpKind.WRITE, f"{_CWD}/./local", "rclone") in ops


def test_a_list_of_files_on_input_is_unseen() -> None:
    assert ShellSignal.UNSEEN_TRANSFER in analyze("gsutil cp -I gs://b/", env=_ENV).signals
    assert ShellSignal.UNSEEN_TRANSFER not in analyze("gsutil cp a gs://b/", env=_ENV).signals


def test_gist_files_are_sent_and_release_assets_read() -> None:
    assert (OpKind.READ, f"{_CWD}/notes", UPLOAD) in _ops("gh gist create notes")
    release = _ops("gh release create v1.0 --notes 'fix ~/.ssh handling' 'dist/a.zip#Linux'")
    assert (OpKind.READ, f"{_CWD}/dist/a.zip", "gh release") in release
    assert not any(t.endswith(("v1.0", "handling")) for _, t, _ in release)


_LOCAL = st.sampled_from(["a.txt", "src", "./data", "/tmp/x", "~/notes"])
_REMOTE = st.sampled_from(["s3://b/k", "s3://b/", "arn:aws:s3:::b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _LOCAL, _REMOTE), min_size=1, max_size=8))
def test_each_local_name_is_placed_by_the_remote_names_after_it(
    picks: list[tuple[bool, str, str]],
) -> None:
    words = [remote if is_remote else local for is_remote, local, remote in picks]
    remote_at = [i for i, (is_remote, _, _) in enumerate(picks) if is_remote]
    ops = _ops("aws s3 cp " + " ".join(shlex.quote(w) for w in words))
    sent = {t for k, t, d in ops if k is OpKind.READ and d == UPLOAD}
    written = {t for k, t, _ in ops if k is OpKind.WRITE}
    assert not any(t.startswith(("s3:", "arn:")) or "/s3:" in t for _, t, _ in ops)
    for i, word in enumerate(words):
        if i in remote_at:
            continue
        path = {t for k, t, _ in _ops(f"cat {shlex.quote(word)}") if k is OpKind.READ}
        assert path  # the name, resolved as a reader would
        if not remote_at:
            assert not path & sent  # a local copy: nothing is sent
        elif any(j > i for j in remote_at):
            assert path <= sent, (words, i)
        else:
            assert path <= written, (words, i)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_file_url_paths_are_tails_of_the_text(text: str) -> None:
    for path in file_url_paths(text):
        assert path and text.endswith(path)
    if not text.lower().startswith(("file:", "fileb://")):
        assert file_url_paths(text) == ()


def test_file_url_forms() -> None:
    assert file_url_paths("file:///etc/passwd") == ("/etc/passwd",)
    assert file_url_paths("FILE://localhost/etc/passwd") == ("localhost/etc/passwd", "/etc/passwd")
    assert file_url_paths("file:/etc/passwd") == ("/etc/passwd",)
    assert file_url_paths("file://~/.ssh/id_rsa") == ("~/.ssh/id_rsa", "/.ssh/id_rsa")
    assert file_url_paths("fileb://build/app.zip") == ("build/app.zip",)
    assert file_url_paths("fileb://app.zip") == ("app.zip",)
    assert file_url_paths("https://example.com/x") == ()
    assert file_url_paths("file:") == () and file_url_paths("file://") == ()


def test_which_commands_upload_their_standard_input() -> None:
    def sends(line: str) -> bool:
        name, *args = shlex.split(line)
        return sends_stdin(name, [Field(a) for a in args])

    assert sends("aws s3 cp - s3://b/k") and sends("gsutil cp - gs://b/k")
    assert sends("rclone --config c.conf rcat remote:x") and sends("gh gist create")
    assert sends("gh gist create -d notes -")
    assert not sends("aws s3 cp s3://b/k -")  # a download to standard output
    assert not sends("gh gist create notes.md") and not sends("gh gist list")
    assert not sends("rclone cat remote:x") and not sends("cat -")
