"""Programs that run another program: `sudo`, `env`, `timeout`, `xargs`, ... and how to see
through them.

Each wrapper is described by the options that take a value and how many positional arguments it
consumes before the wrapped command, so `timeout -s KILL 5 cat f` yields `cat f`. Wrappers that
take the inner command as one string (`su -c`, `watch`, `flock -c`, `script -c`) hand it to the
analyser as shell code instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from crustcore_nano.shell.expand import Field
from crustcore_nano.shell.facts import OpKind, ShellSignal
from crustcore_nano.shell.lexer import is_name
from crustcore_nano.shell.options import Opt, basename, has, parse_opts, sub, values
from crustcore_nano.shell.pkgsources import (
    index_reason,
    index_source,
    installs_reason,
    remote_spec,
)
from crustcore_nano.shell.sink import Sink

# OpKind members, bound once: on Python 3.11 each `OpKind.X` look-up costs a descriptor call.
_READ = OpKind.READ
_WRITE = OpKind.WRITE


@dataclass(frozen=True, slots=True)
class _Spec:
    value_opts: frozenset[str]
    skip_positionals: int = 0
    privileged: bool = False
    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()


def _s(
    opts: str = "",
    skip: int = 0,
    *,
    privileged: bool = False,
    writes: str = "",
    reads: str = "",
) -> _Spec:
    return _Spec(
        frozenset(opts.split()), skip, privileged, tuple(writes.split()), tuple(reads.split())
    )


_SPECS: dict[str, _Spec] = {
    "sudo": _s(
        "-u -g -h -p -C -D -r -t -U -T -R --user --group --host --prompt --close-from "
        "--chdir --role --type --other-user --command-timeout --chroot",
        privileged=True,
    ),
    "doas": _s("-u -C", privileged=True),
    "pkexec": _s("--user", privileged=True),
    "run0": _s("-u --user -g --group -D --chdir --unit --property", privileged=True),
    "timeout": _s("-s -k --signal --kill-after", 1),
    "nice": _s("-n --adjustment"),
    "ionice": _s("-c -n -p -P -u --class --classdata"),
    "nohup": _s(),
    "setsid": _s(),
    "time": _s("-f -o --format --output", writes="-o --output"),
    "builtin": _s(),
    "exec": _s("-a"),
    "stdbuf": _s("-i -o -e --input --output --error"),
    "strace": _s(
        "-o -e -p -s -u -E -a -b -I -O -P -S -X --output --trace --signal --user --env",
        writes="-o --output",
    ),
    "ltrace": _s("-o -e -p -s -u -n -a -A -D -F -l -w -x --output", writes="-o --output"),
    "valgrind": _s("", writes="--log-file"),
    "unbuffer": _s(),
    "caffeinate": _s("-w -t"),
    "firejail": _s(),
    "proxychains": _s("-f", reads="-f"),
    "proxychains4": _s("-f", reads="-f"),
    "torsocks": _s("-u -p -a -P --user --pass --address --port"),
    "tsocks": _s(),
    "chroot": _s("--userspec --groups", 1, privileged=True),
    "taskset": _s("", 1),
    "chrt": _s("-T -P -D", 1),
    "prlimit": _s("-p --pid"),
    "unshare": _s("-S -G -R -w --setuid --setgid --root --wd"),
    "nsenter": _s("-t -S -G -r -w --target --setuid --setgid --root --wd"),
    "catchsegv": _s(),
    "fakeroot": _s("-l -s -i --lib --faked"),
    "eatmydata": _s(),
    "nocache": _s(),
    "dbus-run-session": _s("--config-file --dbus-daemon"),
    "xvfb-run": _s("-n -s -f -e -p --server-num --server-args --auth-file --error-file"),
    "ssh-agent": _s("-a -E -P -t"),
    "systemd-run": _s(
        "-p -u -E -M -H --unit --property --setenv --machine --host --slice --description "
        "--uid --gid --nice --working-directory --service-type --on-active --on-boot "
        "--on-startup --on-unit-active --on-unit-inactive --on-calendar --timer-property "
        "--path-property --socket-property"
    ),
    "busybox": _s(),
    "command": _s(),
    # Tool runners that start the program named after their own options.
    "uvx": _s(
        "--from --with --with-requirements --python -p --index --env-file --index-url "
        "--extra-index-url --default-index -i -f --find-links"
    ),
}

_RUN_SUBCOMMANDS: dict[str, tuple[str, frozenset[str]]] = {
    "uv": (
        "run",
        frozenset(
            {
                "--with",
                "--python",
                "-p",
                "--directory",
                "--project",
                "--env-file",
                "--package",
                "--extra",
                "--group",
                "--index",
                "--with-requirements",
                "--index-url",
                "--extra-index-url",
                "--default-index",
                "-i",
                "-f",
                "--find-links",
            }
        ),
    ),
    "poetry": ("run", frozenset({"-C", "--directory", "-P", "--project"})),
    "pipenv": ("run", frozenset()),
    "bundle": ("exec", frozenset()),
    "conda": ("run", frozenset({"-n", "--name", "-p", "--prefix"})),
    "pixi": ("run", frozenset({"-e", "--environment", "--manifest-path"})),
    "mamba": ("run", frozenset({"-n", "--name", "-p", "--prefix"})),
    "micromamba": ("run", frozenset({"-n", "--name", "-p", "--prefix"})),
    "pdm": ("run", frozenset({"-p", "--project"})),
    "hatch": ("run", frozenset({"-e", "--env"})),
    "rye": ("run", frozenset({"--pyproject"})),
    "pipx": ("run", frozenset({"--spec", "--python", "--index-url", "--pip-args"})),
    "dev": ("run", frozenset()),  # a project's `./dev run CMD` script
}

_MAX_WRAPPERS = 16

WRAPPER_NAMES = frozenset(
    {
        "env",
        "su",
        "runuser",
        "sg",
        "watch",
        "flock",
        "script",
        "xargs",
        "command",
        "sudoedit",
        "direnv",
        "nix",
    }
    | _SPECS.keys()
    | _RUN_SUBCOMMANDS.keys()
)
"""Every name `unwrap` looks at: for any other program (or an inexact one) it changes nothing."""


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """The command after wrappers: its argv and which wrappers were removed."""

    argv: list[Field]
    wrappers: tuple[str, ...]
    xargs: bool
    lookup_only: bool
    """`command -v NAME` and friends: nothing runs."""


def unwrap(argv: list[Field], sink: Sink) -> Unwrapped:
    """Strip wrappers off `argv`, reporting their own effects to `sink`."""
    wrappers: list[str] = []
    xargs = False
    for _ in range(_MAX_WRAPPERS):
        if not argv or not argv[0].exact:
            break
        name = basename(argv[0].text)
        args = argv[1:]
        if name in ("env",):
            argv = _env(args, sink)
        elif name in ("su", "runuser", "sg"):
            argv = _su(name, args, sink)
        elif name == "watch":
            argv = _watch(args, sink)
        elif name == "flock":
            argv = _flock(args, sink)
        elif name == "script":
            argv = _script(args, sink)
        elif name == "xargs":
            argv = _xargs(args, sink)
            xargs = True
        elif name == "command":
            opts, rest = parse_opts(args, frozenset(), permute=False)
            if has(opts, "-v", "-V"):
                wrappers.append(name)
                return Unwrapped(rest, tuple(wrappers), xargs, True)
            argv = rest
        elif name == "direnv" and len(args) >= 3 and args[0].text == "exec":
            argv = args[2:]  # `direnv exec DIR CMD...`
        elif name == "nix" and any(a.text in ("-c", "--command") for a in args):
            cut = next(i for i, a in enumerate(args) if a.text in ("-c", "--command"))
            argv = args[cut + 1 :]  # `nix shell PKGS -c CMD...`, `nix develop --command ...`
        elif (
            name in _RUN_SUBCOMMANDS
            and len(args) >= 1
            and args[0].text == _RUN_SUBCOMMANDS[name][0]
        ):
            opts, rest = parse_opts(args[1:], _RUN_SUBCOMMANDS[name][1], permute=False)
            _remote_specs(name, values(opts, "--with", "--spec"), sink)
            _index(name, args[1 : len(args) - len(rest)], sink)
            argv = rest
        elif name in _SPECS:
            spec = _SPECS[name]
            if name == "sudo" and args and args[0].text in ("-e", "--edit"):
                for f in args[1:]:
                    sink.op(_WRITE, f, "sudoedit")
                sink.mark_privileged()
                argv = []
            else:
                argv = _generic(name, spec, args, sink)
        elif name == "sudoedit":
            for f in args:
                if not f.text.startswith("-"):
                    sink.op(_WRITE, f, "sudoedit")
            sink.mark_privileged()
            argv = []
        else:
            break
        wrappers.append(name)
    return Unwrapped(argv, tuple(wrappers), xargs, False)


def _generic(name: str, spec: _Spec, args: list[Field], sink: Sink) -> list[Field]:
    if name == "nice" and args and args[0].text[:1] == "-" and args[0].text[1:].isdigit():
        args = args[1:]
    opts, rest = parse_opts(args, spec.value_opts, permute=False)
    if name == "uvx":
        _remote_specs(name, [*values(opts, "--from", "--with"), *rest[:1]], sink)
        _index(name, args[: len(args) - len(rest)], sink)
    if spec.privileged:
        sink.mark_privileged()
    for f in values(opts, *spec.writes):
        sink.op(_WRITE, f, name)
    for f in values(opts, *spec.reads):
        sink.op(_READ, f, name)
    if name in ("strace", "systemd-run"):
        for f in values(opts, "-E", "--env", "--setenv"):
            _env_pair(f, sink)
    if name == "systemd-run" and has(opts, *_SYSTEMD_RUN_LATER):
        # A timer, path or socket unit starts the command later (and again), outside the
        # task: a scheduled job installed for the lifetime of the service manager.
        where = "/run/user/self/systemd/" if has(opts, "--user") else "/run/systemd/"
        sink.op(_WRITE, Field(where + "transient/run.timer"), "systemd-run timer")
    if name == "valgrind":
        for o in opts:
            if o.name == "--log-file" and o.value is not None:
                sink.op(_WRITE, o.value, name)
    if name == "sudo":
        while rest and rest[0].exact and _is_assignment(rest[0].text):
            _env_pair(rest[0], sink)
            rest = rest[1:]
        if not rest and has(opts, "-s", "-i", "--shell", "--login"):
            return [Field("sh")]
    if name == "chroot" and len(rest) == 1:
        return [Field("/bin/sh"), Field("-i")]
    skip = spec.skip_positionals
    if name == "taskset" and has(opts, "-p", "--pid"):
        return []
    return rest[skip:]


def _remote_specs(name: str, specs: list[Field], sink: Sink) -> None:
    """A tool runner given a package from an address (`uvx --from git+https://...`)."""
    for f in specs:
        if f.exact and remote_spec(f.text):
            sink.signal(ShellSignal.REMOTE_PACKAGE, installs_reason(name, f.text))
            return


def _index(name: str, options: list[Field], sink: Sink) -> None:
    """A tool runner told to take packages from an index of someone's (`uvx --index-url URL`)."""
    found = index_source(name, [f.text for f in options if f.exact])
    if found is not None:
        sink.signal(ShellSignal.REMOTE_PACKAGE, index_reason(name, found))


_SYSTEMD_RUN_LATER = (
    "--on-active", "--on-boot", "--on-startup", "--on-unit-active", "--on-unit-inactive",
    "--on-calendar", "--on-clock-change", "--on-timezone-change", "--timer-property",
    "--path-property", "--socket-property",
)  # fmt: skip


def _is_assignment(text: str) -> bool:
    eq = text.find("=")
    return eq > 0 and is_name(text[:eq])


def _env_pair(f: Field, sink: Sink) -> None:
    name, _, value = f.text.partition("=")
    if is_name(name):
        sink.env(name, sub(f, value).val())


_ENV_OPTS = frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"})


def _env(args: list[Field], sink: Sink) -> list[Field]:
    opts: list[Opt]
    opts, rest = parse_opts(
        args,
        _ENV_OPTS,
        permute=False,
    )
    clear = has(opts, "-i", "--ignore-environment", "-")
    unset = tuple(f.text for f in values(opts, "-u", "--unset"))
    if clear or unset:
        sink.unset_env(clear, unset)
    if rest and rest[0].text == "-" and rest[0].exact:
        sink.unset_env(True, ())
        rest = rest[1:]
    for f in values(opts, "-C", "--chdir"):
        sink.chdir(f)
    while rest and rest[0].exact and _is_assignment(rest[0].text):
        _env_pair(rest[0], sink)
        rest = rest[1:]
    split = values(opts, "-S", "--split-string")
    if split:
        joined = " ".join([f.text for f in split] + [f.text for f in rest])
        sink.shell_code(Field(joined, all(f.exact for f in split + rest)).val(), "env -S")
        return []
    return rest


_SU_OPTS = frozenset(
    {
        "-c",
        "--command",
        "-s",
        "--shell",
        "-g",
        "--group",
        "-G",
        "-u",
        "--user",
        "-w",
        "--whitelist-environment",
        "--session-command",
    }
)


def _su(name: str, args: list[Field], sink: Sink) -> list[Field]:
    sink.mark_privileged()
    opts, rest = parse_opts(
        args,
        _SU_OPTS,
    )
    for code in values(opts, "-c", "--command", "--session-command"):
        sink.shell_code(code.val(), f"{name} -c")
        return []
    if name == "runuser" and values(opts, "-u", "--user"):
        return rest
    return []


_WATCH_OPTS = frozenset({"-n", "--interval", "-q", "--equexit"})


def _watch(args: list[Field], sink: Sink) -> list[Field]:
    opts, rest = parse_opts(args, _WATCH_OPTS, permute=False)
    if has(opts, "-x", "--exec"):
        return rest
    if rest:
        joined = " ".join(f.text for f in rest)
        sink.shell_code(Field(joined, all(f.exact for f in rest)).val(), "watch")
    return []


_FLOCK_OPTS = frozenset({"-w", "--timeout", "-E", "--conflict-exit-code", "-c", "--command"})


def _flock(args: list[Field], sink: Sink) -> list[Field]:
    opts, rest = parse_opts(
        args,
        _FLOCK_OPTS,
        permute=False,
    )
    codes = values(opts, "-c", "--command")
    if rest:
        sink.op(_WRITE, rest[0], "flock")
    if len(rest) >= 2 and rest[1].text in ("-c", "--command"):
        codes = rest[2:3]
        rest = []
    for code in codes:
        sink.shell_code(code.val(), "flock -c")
        return []
    return rest[1:]


_SCRIPT_OPTS = frozenset(
    {"-c", "--command", "-t", "--timing", "-E", "--echo", "-I", "-O", "-B", "-T", "-m"}
)


def _script(args: list[Field], sink: Sink) -> list[Field]:
    opts, rest = parse_opts(
        args,
        _SCRIPT_OPTS,
    )
    for f in rest[:1]:
        sink.op(_WRITE, f, "script")
    for code in values(opts, "-c", "--command"):
        sink.shell_code(code.val(), "script -c")
    return []


_XARGS_OPTS = frozenset(
    {
        "-I",
        "-n",
        "-L",
        "-P",
        "-s",
        "-d",
        "-E",
        "-a",
        "--arg-file",
        "--max-args",
        "--max-lines",
        "--max-procs",
        "--max-chars",
        "--delimiter",
        "--replace",
        "--eof",
        "--process-slot-var",
    }
)


def _xargs(args: list[Field], sink: Sink) -> list[Field]:
    opts, rest = parse_opts(
        args,
        _XARGS_OPTS,
        permute=False,
    )
    for f in values(opts, "-a", "--arg-file"):
        sink.op(_READ, f, "xargs")
    return rest or [Field("echo")]
