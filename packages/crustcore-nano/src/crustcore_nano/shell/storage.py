"""What cloud storage clients send and fetch.

`aws s3 cp`, `gsutil cp`, `gcloud storage cp`, `s3cmd put`, `rclone copy`, `azcopy copy`,
`az storage blob upload` and `b2 upload-file` copy files between this machine and a provider's
storage, which may be a bucket anyone can write to. A copy names its sources first and its
destination last, so each local name is placed by what follows it:

* a local name with a remote name after it is sent: a read with the detail `UPLOAD`, which the
  engine treats as a file leaving the machine (as it does `scp a host:`);
* a local name with no remote name after it is where a download lands: a write;
* a name the check cannot read (an unknown `$VAR`) may be either, so it is both: the local
  names before it are sent, and it is reported itself.

Remote names are recognised per client (`s3://`, `gs://` and other URLs, rclone's
`remote:path`). Options are parsed with each client's value-taking options, so an option's
value is not taken for a name; an option this table does not know is read as a flag, which
errs towards counting a word as a file. A list of files read from standard input
(`gsutil cp -I`) is a transfer this check cannot see.
"""

from __future__ import annotations

from collections.abc import Callable

from crustcore_nano.shell.expand import Field
from crustcore_nano.shell.facts import NetworkTarget, OpKind, ShellSignal
from crustcore_nano.shell.netparse import is_url
from crustcore_nano.shell.options import has, parse_opts, values
from crustcore_nano.shell.sink import Sink

UPLOAD = "upload"
"""The detail of a read whose file a command sends to another machine."""

_READ = OpKind.READ
_WRITE = OpKind.WRITE


def _words(text: str) -> frozenset[str]:
    """An option table written as one string."""
    return frozenset(text.split())


_AWS_OPTS = _words(
    """--profile --region --output --endpoint-url --query --color --ca-bundle
    --cli-read-timeout --cli-connect-timeout --cli-binary-format --acl --exclude --include
    --storage-class --sse --sse-c --sse-c-key --sse-kms-key-id --sse-c-copy-source
    --sse-c-copy-source-key --content-type --cache-control --content-disposition
    --content-encoding --content-language --expires --grants --metadata --metadata-directive
    --website-redirect --source-region --page-size --expected-size --request-payer
    --checksum-algorithm --copy-props --bucket --key --body --version-id --range"""
)
_GSUTIL_TOP_OPTS = _words("-o -h -u -i")
_GSUTIL_OPTS = _words("-a -j -L -s -z -x -y")
_GCLOUD_OPTS = _words(
    """--project --account --billing-project --configuration --format --flatten
    --impersonate-service-account --verbosity --trace-token --cache-control
    --content-disposition --content-encoding --content-language --content-type --custom-time
    --storage-class --predefined-acl --manifest-path --encryption-key --decryption-keys
    --custom-metadata --additional-headers --exclude -x"""
)
_S3CMD_OPTS = _words(
    """-c --config --access_key --secret_key --access_token --region --host --host-bucket
    --exclude --include --rexclude --rinclude --exclude-from --include-from --rexclude-from
    --rinclude-from --files-from --mime-type --storage-class --add-header --remove-header
    --encoding --acl-grant --acl-revoke --bucket-location --ca-certs --limit-rate
    --multipart-chunk-size-mb --cache-file --server-side-encryption-kms-id -m"""
)
_RCLONE_OPTS = _words(
    """--config --transfers --checkers --bwlimit --log-file --log-level --include --exclude
    --filter --include-from --exclude-from --filter-from --files-from --files-from-raw
    --backup-dir --suffix --min-age --max-age --min-size --max-size --max-depth --order-by
    --password-command --stats --stats-log-level --retries --low-level-retries --timeout
    --contimeout --buffer-size --multi-thread-streams --user-agent --header --header-upload
    --header-download --max-transfer --cutoff-mode --compare-dest --copy-dest
    --exclude-if-present --tpslimit --tpslimit-burst --cache-dir --temp-dir --dump
    --metadata-set --max-backlog --max-duration --track-renames-strategy"""
)
_AZCOPY_OPTS = _words(
    """--include-pattern --exclude-pattern --include-path --exclude-path --from-to
    --log-level --cap-mbps --block-size-mb --blob-type --block-blob-tier --metadata
    --content-type --cache-control --list-of-files --include-after --include-before
    --output-type --trusted-microsoft-suffixes"""
)
_AZ_OPTS = _words(
    """-f --file -s --source -d --destination --dest --account-name --account-key
    --connection-string --sas-token -c --container-name -n --name --auth-mode --subscription
    --pattern --type --content-type --tier --max-connections --metadata --path -p
    --share-name --destination-path --destination-container -g --resource-group
    --output -o --query"""
)
_B2_OPTS = _words(
    """--content-type --contentType --sha1 --info --min-part-size --minPartSize --threads
    --cache-control --expires --content-disposition --content-language --content-encoding
    --legal-hold --file-retention-mode --retain-until --exclude-regex --include-regex
    --exclude-dir-regex --compare-versions --compare-threshold --keep-days --sync-threads
    --download-threads --upload-threads --profile"""
)
GH_OPTS = _words(
    """-d --desc -f --filename -R --repo -n --notes -t --title --target
    --discussion-category -F --notes-file --notes-start-tag"""
)
"""The value options of `gh gist create` and `gh release create|upload`."""
_COPIES = frozenset({"cp", "mv", "sync", "rsync"})
_RCLONE_COPIES = frozenset({"copy", "sync", "move", "copyto", "moveto", "bisync", "copyurl"})


def storage(name: str, args: list[Field], sink: Sink) -> None:
    """Report the files a cloud storage client sends and writes (see the module docstring)."""
    if sends_stdin(name, args):
        stdin_sent(sink)
    _CLIENTS[name](name, args, sink)


def sends_stdin(name: str, args: list[Field]) -> bool:
    """Whether `name args...` uploads its standard input: a `-` source with a remote name after
    it (`aws s3 cp - s3://b/k`, `gsutil cp - gs://b/k`), `rclone rcat remote:path`, and
    `gh gist create` with no file or with `-`."""
    if name == "gh":
        if [a.text for a in args[:2]] not in (["gist", "create"], ["gist", "new"]):
            return False
        _, pos = parse_opts(args[2:], GH_OPTS)
        return not pos or any(p.text == "-" for p in pos)
    if name == "rclone":
        _, pos = parse_opts(args, _RCLONE_OPTS)
        return bool(pos) and pos[0].text == "rcat"
    if name not in _CLIENTS:
        return False
    dash = next((i for i, a in enumerate(args) if a.exact and a.text == "-"), None)
    return dash is not None and any(not a.exact or _url(a.text) for a in args[dash + 1 :])


def _url(text: str) -> bool:
    return is_url(text) or text.startswith("arn:")


def _rclone_remote(text: str) -> bool:
    """`remote:path` or `:backend:path` (a local path with a colon needs a slash before it)."""
    colon = text.find(":")
    return colon == 0 or (colon > 0 and "/" not in text[:colon])


def _route(
    name: str, words: list[Field], remote: Callable[[str], bool], sink: Sink, *, both: bool = False
) -> None:
    """Place each word of a copy: see the module docstring. `both`: a two-way sync, whose
    local side is sent and written."""
    words = [w for w in words if w.text and w.text != "-"]
    far = [not w.exact or remote(w.text) for w in words]
    if not any(far):  # `rclone copy a b`: a local copy, the last name written
        for w in words[:-1]:
            sink.op(_READ, w, name)
        for w in words[-1:] if len(words) > 1 else []:
            sink.op(_WRITE, w, name)
        return
    last_far = max(i for i, f in enumerate(far) if f)
    for i, w in enumerate(words):
        if far[i] and w.exact:
            if w.text.startswith(("http://", "https://")):
                sink.address(w, name)
            else:
                sink.connect(NetworkTarget(None, None, w.text, name))
            continue
        if i < last_far or both:
            sink.op(_READ, w, UPLOAD)
        if i >= last_far or both:
            sink.op(_WRITE, w, name)


def stdin_sent(sink: Sink) -> None:
    """The command sends its standard input: a file redirected into it is an upload (what a
    pipe carries is judged at the command that reads it)."""
    stdin = sink.stdin
    if stdin is not None and stdin.file is not None:
        f = stdin.file
        sink.op(_READ, Field(f.text, f.exact, escaped=f.escaped, decoded=f.decoded), UPLOAD)


def _connect_all(name: str, words: list[Field], remote: Callable[[str], bool], sink: Sink) -> None:
    for w in words:
        if w.exact and remote(w.text):
            sink.connect(NetworkTarget(None, None, w.text, name))


def _unseen_list(name: str, sink: Sink) -> None:
    sink.signal(
        ShellSignal.UNSEEN_TRANSFER,
        f"{name} uploads the files listed on its standard input, which this check cannot see",
    )


def _aws(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _AWS_OPTS)
    service = pos[0].text if pos else ""
    verb = pos[1].text if len(pos) > 1 else ""
    if service == "s3" and verb in _COPIES:
        _route("aws s3", pos[2:], _url, sink)
    elif service == "s3api":
        for f in values(opts, "--body"):  # `put-object`, `upload-part`: the file is sent
            sink.op(_READ, f, UPLOAD)
        if verb == "get-object" and len(pos) > 2:
            sink.op(_WRITE, pos[-1], "aws s3api get-object")
    elif service == "s3":
        _connect_all(name, pos[2:], _url, sink)


def _gsutil(name: str, args: list[Field], sink: Sink) -> None:
    _, rest = parse_opts(args, _GSUTIL_TOP_OPTS, permute=False)
    if not rest:
        return
    verb = rest[0].text
    opts, pos = parse_opts(rest[1:], _GSUTIL_OPTS)
    if verb in _COPIES:
        if has(opts, "-I"):
            _unseen_list(name, sink)
        for f in values(opts, "-L"):  # the manifest log
            sink.op(_WRITE, f, "gsutil -L")
        _route(name, pos, _url, sink)
    else:
        _connect_all(name, pos, _url, sink)


def _gcloud(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _GCLOUD_OPTS)
    words = [p.text for p in pos[:3]]
    at = 1 if words[:1] in (["alpha"], ["beta"]) else 0
    if words[at : at + 1] != ["storage"] or len(pos) <= at + 1:
        return
    if pos[at + 1].text in _COPIES:
        if has(opts, "-I", "--read-paths-from-stdin"):
            _unseen_list(f"{name} storage", sink)
        for f in values(opts, "--manifest-path"):
            sink.op(_WRITE, f, "gcloud storage --manifest-path")
        _route(f"{name} storage", pos[at + 2 :], _url, sink)
    else:
        _connect_all(name, pos[at + 2 :], _url, sink)


def _s3cmd(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(args, _S3CMD_OPTS)
    if pos and pos[0].text in ("put", "get", "sync", "cp", "mv", "modify"):
        _route(name, pos[1:], _url, sink)
    elif pos:
        _connect_all(name, pos[1:], _url, sink)


def _rclone(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _RCLONE_OPTS)
    for f in values(opts, "--password-command"):  # rclone runs it to unlock its config
        sink.shell_code(f.val(), "rclone --password-command")
    verb = pos[0].text if pos else ""
    if verb in _RCLONE_COPIES:
        _route(name, pos[1:], _rclone_remote, sink, both=verb == "bisync")
    elif pos:
        _connect_all(name, pos[1:], _rclone_remote, sink)


def _azcopy(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _AZCOPY_OPTS)
    for f in values(opts, "--list-of-files"):
        sink.op(_READ, f, "azcopy --list-of-files")
        _unseen_list(name, sink)
    if pos and pos[0].text in ("copy", "cp", "sync"):
        _route(name, pos[1:], _url, sink)


def _az(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _AZ_OPTS)
    verbs = {p.text for p in pos[:4]}
    if "storage" not in verbs:
        return
    sources = values(opts, "-f", "--file", "-s", "--source")
    if verbs & {"upload", "upload-batch", "sync"}:
        for f in sources:
            if not _url(f.text):
                sink.op(_READ, f, UPLOAD)
    elif verbs & {"download", "download-batch"}:
        for f in values(opts, "-f", "--file", "-d", "--destination", "--dest"):
            sink.op(_WRITE, f, "az storage download")
    elif "copy" in verbs:  # `az storage copy -s SRC -d DST`, either side a URL or a path
        _route("az storage copy", [*sources, *values(opts, "-d", "--destination")], _url, sink)


def _b2(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(args, _B2_OPTS)
    words = [p.text for p in pos[:2]]
    if words[:1] in (["upload-file"], ["upload_file"]) or words == ["file", "upload"]:
        at = 1 if words[0] != "file" else 2
        for f in pos[at + 1 : at + 2]:  # BUCKET LOCAL NAME
            sink.op(_READ, f, UPLOAD)
    elif words[:1] == ["sync"]:
        _route(name, pos[1:], _url, sink)
    elif words[:1] in (["download-file-by-name"], ["download-file-by-id"]) or words == [
        "file",
        "download",
    ]:
        for f in pos[-1:]:
            sink.op(_WRITE, f, "b2 download")


_CLIENTS: dict[str, Callable[[str, list[Field], Sink], None]] = {
    "aws": _aws,
    "gsutil": _gsutil,
    "gcloud": _gcloud,
    "s3cmd": _s3cmd,
    "rclone": _rclone,
    "azcopy": _azcopy,
    "az": _az,
    "b2": _b2,
}
STORAGE_CLIENTS = frozenset(_CLIENTS)
"""The programs `storage` describes."""
