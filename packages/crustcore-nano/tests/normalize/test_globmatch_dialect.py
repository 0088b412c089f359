"""The policy glob dialect: what each construct matches, and clear errors for bad patterns."""

from __future__ import annotations

import pytest
from crustcore_nano.errors import UsageError
from crustcore_nano.globmatch import (
    MAX_ALTERNATIVES,
    MAX_PATTERN_CHARS,
    GlobError,
    compile_glob,
)

HOME = "/home/dev"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # basename patterns (no '/') match anywhere
        ("*.pem", "/etc/ssl/private/server.pem", True),
        ("*.pem", "server.pem", True),
        ("*.pem", "/etc/ssl/server.pem.bak", False),
        (".env", "/work/proj/.env", True),
        (".env", "/work/proj/sub/dir/.env", True),
        (".env", "/work/proj/.env.example", False),
        (".env.*", "/work/proj/.env.local", True),
        ("id_*", "/home/dev/.ssh/id_ed25519", True),
        ("id_*", "/home/dev/.ssh/known_hosts", False),
        # '*' stays inside a segment, and sees dotfiles
        ("/etc/*", "/etc/passwd", True),
        ("/etc/*", "/etc/ssl/certs", False),
        ("/home/dev/.ssh/*", "/home/dev/.ssh/.hidden", True),
        # '**' spans segments, including none
        ("/home/dev/.ssh/**", "/home/dev/.ssh", True),
        ("/home/dev/.ssh/**", "/home/dev/.ssh/a/b/c", True),
        ("/home/dev/.ssh/**", "/home/dev/.sshx", False),
        ("/**/.git/hooks/*", "/w/p/.git/hooks/pre-commit", True),
        ("/**/.git/hooks/*", "/.git/hooks/pre-commit", True),
        ("/a/**/b", "/a/b", True),
        ("/a/**/b", "/a/x/y/b", True),
        ("/a/**/b", "/a/x/y/bb", False),
        # relative patterns with '/' match a tail on segment boundaries
        (".git/hooks/*", "/w/p/.git/hooks/post-checkout", True),
        (".ssh/id_*", "/home/dev/.ssh/id_rsa", True),
        (".ssh/id_*", "/home/dev/x.ssh/id_rsa", False),
        # ?, classes
        ("/tmp/?.txt", "/tmp/a.txt", True),
        ("/tmp/?.txt", "/tmp/ab.txt", False),
        ("/tmp/[abc].txt", "/tmp/b.txt", True),
        ("/tmp/[!abc].txt", "/tmp/b.txt", False),
        ("/tmp/[^abc].txt", "/tmp/z.txt", True),
        ("/tmp/[a-c][0-9]", "/tmp/b7", True),
        ("/tmp/[]]x", "/tmp/]x", True),
        ("/tmp/[!]]x", "/tmp/]x", False),
        ("/tmp/[*]", "/tmp/*", True),
        ("/tmp/[*]", "/tmp/a", False),
        # alternation
        ("/etc/{passwd,shadow}", "/etc/shadow", True),
        ("/etc/{passwd,shadow}", "/etc/group", False),
        ("*.{pem,key,p12}", "/x/y.key", True),
        ("{.bashrc,.zshrc,.profile}", "/home/dev/.zshrc", True),
        ("/a/{b,c/{d,e}}/f", "/a/c/e/f", True),
        ("/a/{b,c/{d,e}}/f", "/a/c/f", False),
        ("config{,.bak}", "/x/config", True),
        ("config{,.bak}", "/x/config.bak", True),
        # escapes
        ("/tmp/\\*", "/tmp/*", True),
        ("/tmp/\\*", "/tmp/a", False),
        ("/tmp/\\{a,b\\}", "/tmp/{a,b}", True),
        # trailing and duplicate slashes are ignored
        ("/etc/ssh/", "/etc/ssh", True),
        ("/etc/ssh", "//etc//ssh/", True),
        ("/", "/", True),
        ("/*", "/", False),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert compile_glob(pattern).match(path) is expected


def test_home_prefix() -> None:
    g = compile_glob("~/.aws/**", home=HOME)
    assert g.match("/home/dev/.aws/credentials")
    assert not g.match("/home/other/.aws/credentials")
    assert compile_glob("~", home=HOME).match("/home/dev")
    assert compile_glob("{~/.ssh,/root/.ssh}/*", home=HOME).match("/root/.ssh/id_rsa")


def test_home_prefix_needs_home() -> None:
    with pytest.raises(GlobError, match="home"):
        compile_glob("~/.ssh/*")


def test_home_is_literal_even_with_glob_characters() -> None:
    g = compile_glob("~/x", home="/home/[weird]")
    assert g.match("/home/[weird]/x")
    assert not g.match("/home/w/x")


def test_case_insensitive_matching() -> None:
    g = compile_glob(".env")
    assert g.match("/p/.ENV", case_insensitive=True)
    assert not g.match("/p/.ENV")
    cls = compile_glob("/x/[a-c]file")
    assert cls.match("/X/Bfile", case_insensitive=True)
    cursor = compile_glob("**/.cursor/mcp.json")
    assert cursor.match("/p/.Cursor/MCP.json", case_insensitive=True)
    assert not cursor.match("/p/.Cursor/MCP.json")


@pytest.mark.parametrize(
    ("pattern", "column", "fragment"),
    [
        ("src/[abc", 5, "unmatched '['"),
        ("src/a]b", 6, "unmatched ']'"),
        ("{a,b", 1, "unmatched '{'"),
        ("x/{a,{b,c}", 3, "unmatched '{'"),
        ("a}b", 2, "unmatched '}'"),
        ("[z-a]", 2, "reversed"),
        ("ab\\", 3, "escapes nothing"),
        ("a[b/c]", 2, "unmatched '['"),
    ],
)
def test_bad_patterns_name_the_column(pattern: str, column: int, fragment: str) -> None:
    with pytest.raises(GlobError) as info:
        compile_glob(pattern)
    assert info.value.column == column
    assert fragment in str(info.value)
    assert f"column {column}" in str(info.value)
    assert isinstance(info.value, UsageError)


def test_limits() -> None:
    with pytest.raises(GlobError, match="longer than"):
        compile_glob("a" * (MAX_PATTERN_CHARS + 1))
    with pytest.raises(GlobError, match="alternatives"):
        compile_glob("{a,b}" * 9)  # 512 alternatives
    compile_glob("{a,b}" * 8)  # exactly 256 is fine
    with pytest.raises(GlobError, match="alternatives"):
        compile_glob("{" + ",".join(str(i) for i in range(MAX_ALTERNATIVES + 1)) + "}")
    with pytest.raises(GlobError, match="nested"):
        compile_glob("{" * 40 + "}" * 40)
    with pytest.raises(GlobError, match="empty"):
        compile_glob("")
    with pytest.raises(GlobError, match="empty"):
        compile_glob("{,}")
    with pytest.raises(GlobError, match="NUL"):
        compile_glob("a\x00b")


def test_adversarial_star_pattern_is_not_exponential() -> None:
    g = compile_glob("*a*a*a*a*a*a*a*a*a*a*b")
    assert not g.match("a" * 5000)
    assert g.match("a" * 5000 + "b")
    deep = compile_glob("/**/a/**/a/**/a/**/a/**/b")
    assert not deep.match("/" + "/".join(["a"] * 3000))
    assert deep.match("/" + "/".join(["a"] * 3000) + "/b")


def test_glob_keeps_its_pattern() -> None:
    assert compile_glob("*.pem").pattern == "*.pem"
