"""The user's side of approvals and secrets: ``crustcore approvals / approve / deny / secrets``.

These commands run as the local user and speak to the kernel with the ``admin`` role, proven by
``run/admin.token`` (0600, rewritten at every launch), so only someone who can read the user's
CrustCore home can resolve an approval or hand the kernel a secret. An approval is resolved by
the digest the CLI displayed: ``approve`` reads the pending list, shows and sends that digest, and
refuses when ``--digest PREFIX`` does not match it, so what the user saw is what gets released.

Secret values never come from argv (visible in ``ps`` and shell history): they are read from the
terminal without echo, or from stdin when stdin is not a terminal. ``secrets add`` and ``rm`` go
through the running kernel (so its broker and redactor learn or forget the value at once) and
update the encrypted vault; with no kernel running they edit the vault alone.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from crustcore_nano.cliparse import ParserExit, StreamParser
from crustcore_nano.errors import CrustCoreError, UsageError

if TYPE_CHECKING:
    from crustcore_nano.daemon.client import KernelClient
    from crustcore_nano.daemon.vault import Vault, VaultEntry

DEFAULT_HOME = "~/.crustcore"


# --------------------------------------------------------------------------- shared CLI pieces


# The shared parser, under the names the daemon's commands use.
CliExit = ParserExit
CliParser = StreamParser


def add_home_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", metavar="DIR", help="CrustCore home (default $CRUSTCORE_HOME or ~/.crustcore)"
    )


def run_cli(name: str, stderr: TextIO, body: Callable[[], int], *, failure_code: int = 1) -> int:
    """Run a command body: usage errors exit 2, other refusals ``failure_code``, one line each."""
    try:
        return body()
    except CliExit as exc:
        return exc.status
    except UsageError as exc:
        stderr.write(f"crustcore {name}: {exc}\n")
        return 2
    except CrustCoreError as exc:
        stderr.write(f"crustcore {name}: {exc}\n")
        return failure_code


@dataclass(frozen=True, slots=True)
class HomeLayout:
    """Where everything lives in one CrustCore home (see docs/operations.md)."""

    home: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None) -> HomeLayout:
        if home is None:
            home = os.environ.get("CRUSTCORE_HOME") or DEFAULT_HOME
        return cls(Path(home).expanduser().absolute())

    @property
    def config(self) -> Path:
        return self.home / "crustcore.toml"

    @property
    def log_dir(self) -> Path:
        return self.home / "log"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def socket(self) -> Path:
        return self.run_dir / "kernel.sock"

    @property
    def kernel_pid(self) -> Path:
        return self.run_dir / "kernel.pid"

    @property
    def supervisor_pid(self) -> Path:
        return self.run_dir / "supervisor.pid"

    @property
    def supervisor_json(self) -> Path:
        return self.run_dir / "supervisor.json"

    @property
    def supervisor_lock(self) -> Path:
        return self.run_dir / "supervisor.lock"

    @property
    def supervisor_log(self) -> Path:
        return self.run_dir / "supervisor.log"

    @property
    def admin_token(self) -> Path:
        return self.run_dir / "admin.token"

    @property
    def vault(self) -> Path:
        return self.home / "vault"


def _as_dict(value: object) -> dict[str, object]:
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


def _as_list(value: object) -> list[object]:
    return cast("list[object]", value) if isinstance(value, list) else []


# --------------------------------------------------------------------------- talking to the kernel


def connect(
    layout: HomeLayout, *, role: str = "admin", token: str | None = None, timeout: float = 30.0
) -> KernelClient:
    """A client of the home's kernel. ``NoKernelError`` when none runs; the admin role reads
    ``run/admin.token`` (written by the kernel at each launch, readable only by the user)."""
    from crustcore_nano.daemon.client import KernelClient, NoKernelError, no_kernel_message

    if role == "admin" and token is None and not layout.admin_token.exists():
        raise NoKernelError(no_kernel_message(layout.home))
    try:
        return KernelClient(layout.home, role=role, token=token, timeout=timeout)
    except OSError as exc:
        raise UsageError(f"cannot talk to the kernel of {layout.home}: {exc}") from None


def _refused(code: str, message: str) -> CrustCoreError:
    from crustcore_nano.daemon.client import RemoteError

    return RemoteError(code, message)


def kernel_status(layout: HomeLayout) -> dict[str, object] | None:
    """The kernel's ``status`` op as a plain client, or None when no kernel answers."""
    try:
        with connect(layout, role="client", timeout=5.0) as link:
            return _as_dict(link.call("status", {}))
    except (CrustCoreError, OSError):
        return None


def admin_shutdown(layout: HomeLayout) -> None:
    with connect(layout) as link:
        link.call("shutdown", {})


def push_secret(layout: HomeLayout, entry: VaultEntry) -> str:
    """Give one secret to the running kernel, replacing a secret of that name in one step (the
    handle never goes missing in between). Returns the handle URI."""
    with connect(layout) as link:
        args: dict[str, object] = {"name": entry.name, "value": entry.value, "replace": True}
        if entry.hosts:
            args["hosts"] = list(entry.hosts)
            args["header"] = entry.header
        result = _as_dict(link.call("secrets.add", args))
    handle = result.get("handle")
    return handle if isinstance(handle, str) else f"secret://{entry.name}"


# --------------------------------------------------------------------------- approvals


def _render_approval(item: Mapping[str, object], out: TextIO, now_ms: int) -> None:
    expires = item.get("expires_at_ms")
    left = f"{max((expires - now_ms) // 1000, 0)} s" if isinstance(expires, int) else "?"
    role = item.get("role")
    via = f" via {role}" if isinstance(role, str) else ""
    out.write(
        f"{item.get('approval_id')}  digest {str(item.get('digest'))[:16]}  "
        f"by {item.get('requested_by')}{via}  {item.get('reversibility')}  expires in {left}\n"
    )
    out.write(f"    {item.get('summary')}\n")
    action = item.get("action")
    if action is not None:
        out.write(f"    action: {json.dumps(action, sort_keys=True, ensure_ascii=False)}\n")


def approvals_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore approvals [--json]``: the pending approvals, each with the exact (redacted)
    action it would release and its digest."""
    del stdin

    def body() -> int:
        parser = CliParser("crustcore approvals", "List pending approvals.", stdout, stderr)
        add_home_option(parser)
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        args = parser.parse_args(list(argv))
        with connect(HomeLayout.resolve(args.home)) as link:
            items = link.approvals()
        if args.json:
            stdout.write(json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
            return 0
        if not items:
            stdout.write("no pending approvals\n")
        from crustcore_nano.ids import now_ms

        for item in items:
            _render_approval(item, stdout, now_ms())
        return 0

    return run_cli("approvals", stderr, body)


def _resolve(name: str, approve: bool, argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    def body() -> int:
        verb = "Approve" if approve else "Deny"
        parser = CliParser(
            f"crustcore {name}",
            f"{verb} one pending approval, bound to its digest.",
            stdout,
            stderr,
        )
        add_home_option(parser)
        parser.add_argument("approval_id", metavar="ID")
        parser.add_argument(
            "--digest",
            metavar="PREFIX",
            help="the digest (or a prefix of at least 8 hex digits) you were shown",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        args = parser.parse_args(list(argv))
        wanted = cast("str | None", args.digest)
        if wanted is not None and (
            len(wanted) < 8 or not all(c in "0123456789abcdef" for c in wanted.lower())
        ):
            raise UsageError("--digest takes at least 8 hex digits of the digest shown")
        with connect(HomeLayout.resolve(args.home)) as link:
            match = [i for i in link.approvals() if i.get("approval_id") == args.approval_id]
            if not match:
                raise _refused(
                    "not_found",
                    f"no pending approval {args.approval_id!r} (it may be resolved or expired; "
                    "crustcore approvals lists the pending ones)",
                )
            item = match[0]
            digest = item.get("digest")
            if not isinstance(digest, str):
                raise _refused("internal", "the kernel listed an approval without a digest")
            if wanted is not None and not digest.startswith(wanted.lower()):
                raise _refused(
                    "refused",
                    f"refused: approval {args.approval_id} now has digest {digest[:16]}, not "
                    f"{wanted[:16]}; the action is not the one you were shown. Run crustcore "
                    "approvals again",
                )
            if not args.json:
                stdout.write(f"{name} {args.approval_id}: {item.get('summary')}\n")
                stdout.write(f"    digest {digest}\n")
            result = _as_dict(
                link.call(
                    "approval.resolve",
                    {"id": args.approval_id, "approve": approve, "digest": digest},
                )
            )
        if args.json:
            stdout.write(json.dumps(result, sort_keys=True) + "\n")
        else:
            stdout.write(f"{args.approval_id} is now {result.get('state')}\n")
        return 0

    return run_cli(name, stderr, body)


def approve_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore approve ID [--digest PREFIX]``."""
    del stdin
    return _resolve("approve", True, argv, stdout, stderr)


def deny_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore deny ID [--digest PREFIX]``."""
    del stdin
    return _resolve("deny", False, argv, stdout, stderr)


# --------------------------------------------------------------------------- secrets

_SECRETS_USAGE = """\
usage: crustcore secrets add NAME [--host H ...] [--header HDR] [--passphrase-fd N]
       crustcore secrets list [--json]
       crustcore secrets rm NAME [--passphrase-fd N]
(all take --home DIR). The value of `add` is read from the terminal without echo, or from stdin
when stdin is not a terminal -- never from the command line.
"""
_ARGV_REFUSAL = (
    "refusing {n} extra argument(s) (not shown: they may hold a secret value). A secret value is "
    "never taken from the command line, where ps and the shell history would keep it. Type it at "
    "the prompt, or pipe it: printf '%s' \"$VALUE\" | crustcore secrets add NAME"
)


def _read_value(name: str, stdin: TextIO) -> str:
    from crustcore_nano.daemon.vault import MAX_VALUE_BYTES

    if stdin.isatty():
        import getpass

        value = getpass.getpass(f"value for secret {name} (not echoed): ")
    else:
        value = stdin.read(MAX_VALUE_BYTES + 2)
        if value.endswith("\n"):
            value = value[:-1]
            if value.endswith("\r"):
                value = value[:-1]
    if not value:
        raise UsageError(f"no value was given for secret '{name}'; nothing was stored")
    if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
        raise UsageError(f"the value for '{name}' is over {MAX_VALUE_BYTES} bytes")
    return value


def _open_vault(layout: HomeLayout, passphrase_fd: int | None) -> Vault:
    from crustcore_nano.daemon.vault import Vault, obtain_passphrase

    creating = not layout.vault.exists()
    layout.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return Vault.for_home(
        layout.home,
        obtain_passphrase(layout.home, passphrase_fd=passphrase_fd, creating=creating),
    )


def _kernel_link(layout: HomeLayout) -> KernelClient | None:
    from crustcore_nano.daemon.client import NoKernelError

    try:
        return connect(layout)
    except NoKernelError:
        return None


def _secrets_add(argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from crustcore_nano.daemon.vault import VaultEntry, check_name

    parser = CliParser("crustcore secrets add", "Store a secret.", stdout, stderr)
    add_home_option(parser)
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--host", action="append", default=[], metavar="H")
    parser.add_argument("--header", default="Authorization", metavar="HDR")
    parser.add_argument("--passphrase-fd", type=int, metavar="N")
    args, extra = parser.parse_known_args(list(argv))
    if extra:
        raise UsageError(_ARGV_REFUSAL.format(n=len(extra)))
    name = check_name(args.name)
    hosts = tuple(cast("list[str]", args.host))
    if any(not h or "/" in h or ":" in h or " " in h for h in hosts):
        raise UsageError("--host takes a bare host name such as api.openai.com")
    layout = HomeLayout.resolve(args.home)
    value = _read_value(name, stdin)
    from crustcore_nano.secrets.redactor import Redactor

    Redactor().register(name, value.encode("utf-8"))  # the broker's rules, checked up front
    vault = _open_vault(layout, args.passphrase_fd)
    entry = VaultEntry(name, value, hosts, args.header)
    vault.put(entry)
    stdout.write(f"stored secret://{name} in {vault.path}\n")
    link = _kernel_link(layout)
    if link is not None:
        link.close()
        push_secret(layout, entry)
        stdout.write(f"the running kernel now holds secret://{name}\n")
    return 0


def _secrets_list(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    parser = CliParser("crustcore secrets list", "List secret handles.", stdout, stderr)
    add_home_option(parser)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--passphrase-fd", type=int, metavar="N")
    args = parser.parse_args(list(argv))
    layout = HomeLayout.resolve(args.home)
    rows: list[dict[str, object]] = []
    link = _kernel_link(layout)
    if link is not None:
        with link:
            for item in _as_list(link.call("secrets.list", {})):
                entry = _as_dict(item)
                grant = _as_dict(entry.get("grant"))
                rows.append(
                    {
                        "handle": entry.get("handle"),
                        "availability": entry.get("availability"),
                        "hosts": grant.get("hosts", []),
                        "source": "kernel",
                    }
                )
    elif layout.vault.exists():
        for name, stored in sorted(_open_vault(layout, args.passphrase_fd).load().items()):
            rows.append(
                {
                    "handle": f"secret://{name}",
                    "availability": "stored",
                    "hosts": list(stored.hosts),
                    "source": "vault",
                }
            )
    if args.json:
        stdout.write(json.dumps(rows, indent=2, sort_keys=True) + "\n")
        return 0
    if not rows:
        stdout.write("no secrets\n")
    for row in rows:
        hosts = ", ".join(cast("list[str]", row["hosts"])) or "(hosts from crustcore.toml)"
        stdout.write(f"{row['handle']}  {row['availability']}  {hosts}\n")
    return 0


def _secrets_rm(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    from crustcore_nano.daemon.client import RemoteError
    from crustcore_nano.daemon.vault import check_name

    parser = CliParser("crustcore secrets rm", "Remove a secret.", stdout, stderr)
    add_home_option(parser)
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--passphrase-fd", type=int, metavar="N")
    args = parser.parse_args(list(argv))
    name = check_name(args.name)
    layout = HomeLayout.resolve(args.home)
    removed: list[str] = []
    if layout.vault.exists():
        if _open_vault(layout, args.passphrase_fd).remove(name):
            removed.append("the vault")
    elif args.passphrase_fd is not None:
        os.close(args.passphrase_fd)
    link = _kernel_link(layout)
    if link is not None:
        with link:
            try:
                link.call("secrets.rm", {"name": name})
                removed.append("the running kernel")
            except RemoteError as exc:
                if exc.code != "not_found":
                    raise
    if not removed:
        raise _refused("not_found", f"no secret named '{name}'")
    stdout.write(f"removed secret://{name} from {' and '.join(removed)}\n")
    return 0


def secrets_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore secrets add|list|rm``."""

    def body() -> int:
        if not argv or argv[0] in ("-h", "--help", "help"):
            (stdout if argv else stderr).write(_SECRETS_USAGE)
            return 0 if argv else 2
        sub, rest = argv[0], argv[1:]
        if sub == "add":
            return _secrets_add(rest, stdin, stdout, stderr)
        if sub == "list":
            return _secrets_list(rest, stdout, stderr)
        if sub in ("rm", "remove"):
            return _secrets_rm(rest, stdout, stderr)
        raise UsageError(f"unknown subcommand {sub[:20]!r}; use add, list or rm")

    return run_cli("secrets", stderr, body)
