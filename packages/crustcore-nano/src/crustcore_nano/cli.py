"""The ``crustcore`` command line.

Subcommands are looked up in a small table (built-ins of nano) and then in the
``crustcore.commands`` entry points, through which a sidecar package adds its own (``crustcore mcp``
comes from crustcore-mcp). A missing package is a one-line message, never a traceback. Exit codes:
0 success, 1 a negative verdict, 2 usage or input errors.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import TextIO, cast

from crustcore_nano import __version__
from crustcore_nano.errors import CrustCoreError

Command = Callable[..., int]

# name -> (module, function, one-line help). Each function is called as
# fn(argv, stdin=..., stdout=..., stderr=...) (passing only the streams it accepts) and returns
# the exit code.
BUILTIN: dict[str, tuple[str, str, str]] = {
    "demo": ("crustcore_nano.demo", "demo_main", "run the end-to-end demo (no keys, no network)"),
    "version": ("crustcore_nano.cli", "version_main", "print the version"),
    "inspect": (
        "crustcore_nano.eventlog.cli",
        "inspect_main",
        "verify an event log, prove records",
    ),
    "export": ("crustcore_nano.eventlog.cli", "export_main", "write the verified prefix of a log"),
    "scan": ("crustcore_nano.dlp.cli", "scan_main", "find credentials in a file or stdin (DLP)"),
    "check": ("crustcore_nano.policy.cli", "check_main", "decide one tool call (JSON on stdin)"),
    "hook": ("crustcore_nano.policy.cli", "hook_main", "coding-agent hooks (claude-code)"),
    "replay": ("crustcore_nano.policy.cli", "replay_main", "re-decide a log under another policy"),
    "up": ("crustcore_nano.daemon.supervisor", "up_main", "start the kernel and its sidecars"),
    "status": ("crustcore_nano.daemon.supervisor", "status_main", "what runs, where, since when"),
    "down": ("crustcore_nano.daemon.supervisor", "down_main", "stop cleanly, log sealed"),
    "doctor": ("crustcore_nano.daemon.doctor", "doctor_main", "check this machine and the home"),
    "approvals": ("crustcore_nano.daemon.admin_cli", "approvals_main", "list pending approvals"),
    "approve": ("crustcore_nano.daemon.admin_cli", "approve_main", "approve one (as the user)"),
    "deny": ("crustcore_nano.daemon.admin_cli", "deny_main", "deny one (as the user)"),
    "secrets": ("crustcore_nano.daemon.admin_cli", "secrets_main", "add, list, remove secrets"),
}

# Commands that a sidecar package provides, with the package to install for them.
SIDECAR_COMMANDS = {"mcp": "crustcore-mcp", "net": "crustcore-net", "sandbox": "crustcore-sandbox"}


def version_main(argv: Sequence[str], *, stdout: TextIO, stderr: TextIO) -> int:
    if argv and argv[0] == "--json":
        stdout.write(f'{{"version": "{__version__}"}}\n')
    else:
        stdout.write(f"crustcore {__version__}\n")
    return 0


def _usage(out: TextIO) -> None:
    out.write(
        "usage: crustcore COMMAND [ARGS]   (crustcore COMMAND --help for more)\n\ncommands:\n"
    )
    for name, (_, _, text) in sorted(BUILTIN.items()):
        out.write(f"  {name:<10} {text}\n")
    for ep in sorted(entry_points(group="crustcore.commands"), key=lambda e: e.name):
        out.write(f"  {ep.name:<10} (from {ep.value.split('.')[0]})\n")


def _resolve(name: str) -> Command | str:
    if name in BUILTIN:
        module, func, _ = BUILTIN[name]
        return cast(Command, getattr(importlib.import_module(module), func))
    for ep in entry_points(group="crustcore.commands"):
        if ep.name == name:
            try:
                return cast(Command, ep.load())
            except ImportError as exc:
                return f"crustcore {name}: its package failed to import ({exc.name or exc})"
    if name in SIDECAR_COMMANDS:
        return f"crustcore {name}: install {SIDECAR_COMMANDS[name]} to use this command"
    return f"crustcore: unknown command '{name}' (crustcore --help lists them)"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        _usage(sys.stdout)
        return 0 if args else 2
    if args[0] == "--version":
        args[0] = "version"
    found = _resolve(args[0])
    if isinstance(found, str):
        sys.stderr.write(found + "\n")
        return 2
    streams = {"stdin": sys.stdin, "stdout": sys.stdout, "stderr": sys.stderr}
    accepted = inspect.signature(found).parameters
    try:
        return found(args[1:], **{k: v for k, v in streams.items() if k in accepted})
    except CrustCoreError as exc:
        sys.stderr.write(f"crustcore {args[0]}: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
