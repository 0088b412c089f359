"""``crustcore doctor``: is this machine and this home fit to run CrustCore?

Each check gives one line with a level: ``ok``, ``warn`` (CrustCore runs, but a protection is
weaker than it could be, or an optional part is missing) or ``fail`` (a guarantee is broken: the
home is writable by others, the config is invalid, the log does not verify). Exit code 0 when
nothing fails, 1 otherwise; warnings never fail the run.

The judgements on file modes and owners are pure functions of ``stat`` values, so they are tested
without touching real permissions; the probes (bubblewrap, Landlock, ports) run for real.
"""

from __future__ import annotations

import ctypes
import enum
import errno
import json
import os
import platform
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from crustcore_nano.daemon.admin_cli import CliParser, HomeLayout, add_home_option, run_cli
from crustcore_nano.errors import CrustCoreError

# landlock_create_ruleset is syscall 444 in both the x86_64 and the generic (aarch64) tables.
_LANDLOCK_SYSCALL = {"x86_64": 444, "amd64": 444, "aarch64": 444, "arm64": 444}
_LANDLOCK_CREATE_RULESET_VERSION = 1
_MIN_NODE_MAJOR = 18
_MIN_PYTHON = (3, 11)
_PROBE_TIMEOUT_S = 10.0


class Level(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report."""

    name: str
    level: Level
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "level": self.level.value, "detail": self.detail}


# --------------------------------------------------------------------------- pure judgements


def private_mode_problem(mode: int, *, owner: int, me: int, allowed: int) -> str | None:
    """Why a file or directory of the home is not private: another owner, or permission bits
    beyond ``allowed`` (0o700 for directories, 0o600 for files)."""
    if owner != me:
        return f"owned by uid {owner}, not by you (uid {me})"
    extra = stat.S_IMODE(mode) & ~allowed
    if extra:
        return f"mode {stat.S_IMODE(mode):04o} grants more than {allowed:04o}"
    return None


def parent_problem(mode: int, *, owner: int, me: int) -> str | None:
    """Why an ancestor of the home lets someone else swap the home out: it belongs to another
    (non-root) user, or others may write it without the sticky bit (which would let them rename
    our directory away)."""
    if owner not in (0, me):
        return f"owned by uid {owner}, who could replace the home"
    writable_by_others = stat.S_IMODE(mode) & (stat.S_IWGRP | stat.S_IWOTH)
    if writable_by_others and not mode & stat.S_ISVTX:
        return f"mode {stat.S_IMODE(mode):04o}: writable by others without the sticky bit"
    return None


def node_major(version_text: str) -> int | None:
    """``v20.11.1`` -> 20."""
    text = version_text.strip().removeprefix("v")
    head = text.split(".", 1)[0]
    return int(head) if head.isascii() and head.isdigit() and len(head) <= 4 else None


# --------------------------------------------------------------------------- probes


def _run(argv: Sequence[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return -1, str(exc)
    out = (done.stdout or done.stderr).strip().splitlines()
    return done.returncode, out[0][:200] if out else ""


def check_python() -> Check:
    version = platform.python_version()
    if tuple(sys.version_info[:2]) >= _MIN_PYTHON:
        return Check("python", Level.OK, f"{version} ({sys.executable})")
    return Check("python", Level.FAIL, f"{version}: CrustCore needs Python 3.11 or newer")


def check_bwrap() -> Check:
    path = shutil.which("bwrap")
    if path is None:
        return Check(
            "bubblewrap",
            Level.WARN,
            "bwrap is not installed: commands cannot run in the bubblewrap sandbox "
            "(install the 'bubblewrap' package)",
        )
    code, version = _run([path, "--version"])
    if code != 0:
        return Check("bubblewrap", Level.WARN, f"{path} --version failed: {version}")
    code, out = _run([path, "--ro-bind", "/", "/", "true"])
    if code != 0:
        return Check(
            "bubblewrap",
            Level.WARN,
            f"{version} is installed but cannot create a sandbox here ({out or code}); "
            "user namespaces may be disabled",
        )
    return Check("bubblewrap", Level.OK, f"{version}: a trivial sandbox runs")


def landlock_abi() -> tuple[int | None, str]:
    """The Landlock ABI version, or None and why not."""
    machine = platform.machine().lower()
    number = _LANDLOCK_SYSCALL.get(machine)
    if sys.platform != "linux" or number is None:
        return None, f"not checked on {sys.platform}/{machine} (Linux x86_64 and aarch64 only)"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        result = int(
            libc.syscall(
                ctypes.c_long(number),
                ctypes.c_void_p(None),
                ctypes.c_size_t(0),
                ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION),
            )
        )
    except (OSError, AttributeError) as exc:
        return None, f"cannot call the syscall ({exc})"
    if result >= 1:
        return result, f"ABI version {result}"
    err = ctypes.get_errno()
    if err == errno.ENOSYS:
        return (
            None,
            "this kernel has no Landlock (Linux 5.13 or newer with CONFIG_SECURITY_LANDLOCK)",
        )
    if err == errno.EOPNOTSUPP:
        return None, "Landlock is built in but disabled; add 'landlock' to the lsm= boot parameter"
    return None, f"landlock_create_ruleset failed: {os.strerror(err)}"


def check_landlock() -> Check:
    abi, detail = landlock_abi()
    return Check("landlock", Level.OK if abi is not None else Level.WARN, detail)


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.lstrip("-").isdigit() else None


def check_userns() -> Check:
    if sys.platform != "linux":
        return Check("user namespaces", Level.WARN, f"not checked on {sys.platform}")
    problems: list[str] = []
    if _read_int("/proc/sys/user/max_user_namespaces") == 0:
        problems.append("user.max_user_namespaces is 0")
    if _read_int("/proc/sys/kernel/unprivileged_userns_clone") == 0:
        problems.append("kernel.unprivileged_userns_clone is 0")
    if _read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1:
        problems.append("AppArmor restricts unprivileged user namespaces")
    if problems:
        return Check(
            "user namespaces", Level.WARN, "; ".join(problems) + " (the sandbox needs them)"
        )
    return Check("user namespaces", Level.OK, "available to unprivileged users")


def check_node() -> Check:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return Check(
            "node",
            Level.WARN,
            "node is not installed: MCP servers started with npx/node cannot run",
        )
    code, version = _run([node, "--version"])
    major = node_major(version) if code == 0 else None
    if major is None:
        return Check("node", Level.WARN, f"{node} --version failed: {version}")
    npm_note = "npm found" if npm is not None else "npm NOT found (npx-based MCP servers need it)"
    if major < _MIN_NODE_MAJOR:
        return Check("node", Level.WARN, f"{version} is older than v{_MIN_NODE_MAJOR}; {npm_note}")
    return Check("node", Level.OK if npm is not None else Level.WARN, f"{version}; {npm_note}")


def check_crypto() -> Check:
    from crustcore_nano.daemon.vault import crypto_available

    if crypto_available():
        return Check("crypto extra", Level.OK, "cryptography is installed (the vault works)")
    return Check(
        "crypto extra",
        Level.WARN,
        "cryptography is not installed: the secrets vault is unavailable "
        "(pip install 'crustcore-nano[crypto]'); --import-env still works",
    )


def check_env() -> Check:
    if "CRUSTCORE_VAULT_PASSPHRASE" in os.environ:
        return Check(
            "environment",
            Level.WARN,
            "CRUSTCORE_VAULT_PASSPHRASE is set: every program you start inherits it, and "
            "CrustCore never reads it; unset it and use --passphrase-fd or the keyring",
        )
    return Check("environment", Level.OK, "no vault passphrase in the environment")


def check_home(layout: HomeLayout) -> list[Check]:
    """The home, its parents, keys/, run/ and the private files in them."""
    me = os.getuid()
    home = layout.home
    if not home.exists():
        return [Check("home", Level.WARN, f"{home} does not exist yet (crustcore up creates it)")]
    checks: list[Check] = []
    problems: list[str] = []
    for parent in home.parents:
        try:
            st = parent.stat()
        except OSError as exc:
            problems.append(f"{parent}: cannot stat ({exc.strerror})")
            continue
        problem = parent_problem(st.st_mode, owner=st.st_uid, me=me)
        if problem is not None:
            problems.append(f"{parent}: {problem}")
    if problems:
        checks.append(Check("home parents", Level.FAIL, "; ".join(problems)))
    else:
        checks.append(Check("home parents", Level.OK, "nobody else can replace the home"))
    bad: list[str] = []
    seen = 0
    targets: list[tuple[Path, int]] = [(home, 0o700)]
    for directory in (layout.keys_dir, layout.run_dir, layout.log_dir):
        if directory.is_dir():
            targets.append((directory, 0o700))
    if layout.keys_dir.is_dir():
        targets += [(p, 0o600) for p in sorted(layout.keys_dir.iterdir()) if p.is_file()]
    for path in (layout.admin_token, layout.vault, layout.socket):
        if path.exists():
            targets.append((path, 0o600))
    for path, allowed in targets:
        try:
            st = path.lstat()
        except OSError:
            continue
        seen += 1
        if stat.S_ISLNK(st.st_mode):
            bad.append(f"{path}: is a symbolic link")
            continue
        problem = private_mode_problem(st.st_mode, owner=st.st_uid, me=me, allowed=allowed)
        if problem is not None:
            bad.append(f"{path}: {problem}")
    if bad:
        checks.append(
            Check("home permissions", Level.FAIL, "; ".join(bad) + " (chmod go-rwx fixes modes)")
        )
    else:
        checks.append(
            Check("home permissions", Level.OK, f"{home}: {seen} paths private (0700/0600)")
        )
    return checks


def check_config(layout: HomeLayout, config_path: Path | None) -> list[Check]:
    from crustcore_nano.daemon.supervisor import load_up_config, module_problem

    try:
        config = load_up_config(layout, config_path)
    except CrustCoreError as exc:
        return [Check("config", Level.FAIL, str(exc))]
    where = config.source or "no crustcore.toml (defaults)"
    checks = [Check("config", Level.OK, f"{where}: valid; {len(config.enabled)} sidecar(s) on")]
    for spec in config.enabled:
        problem = module_problem(spec)
        checks.append(
            Check(
                f"sidecar {spec.name}",
                Level.FAIL if problem else Level.OK,
                problem or f"{spec.module} is installed",
            )
        )
    checks += check_ports(layout, [(s.name, s.port) for s in config.enabled if s.port])
    return checks


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on `host:port` now. The probe binds the way servers do
    (asyncio and aiohttp set SO_REUSEADDR), so connections of a stopped sidecar still waiting
    out TIME_WAIT do not count as another program; only a listener or a plain bind does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_ports(layout: HomeLayout, ports: Sequence[tuple[str, int | None]]) -> list[Check]:
    from crustcore_nano.daemon.supervisor import read_json, supervisor_holding_lock

    ours: set[str] = set()
    if supervisor_holding_lock(layout):
        doc = read_json(layout.supervisor_json) or {}
        sidecars = doc.get("sidecars")
        if isinstance(sidecars, dict):
            ours = {str(name) for name in sidecars}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    checks: list[Check] = []
    for name, port in ports:
        if port is None:
            continue
        if port_free(port):
            checks.append(Check(f"port {port}", Level.OK, f"free for sidecar {name}"))
        elif name in ours:
            checks.append(Check(f"port {port}", Level.OK, f"in use by our running sidecar {name}"))
        else:
            checks.append(
                Check(
                    f"port {port}",
                    Level.FAIL,
                    f"127.0.0.1:{port} (sidecar {name}) is taken by another program; stop it "
                    f"or change [sidecars.{name}] port",
                )
            )
    return checks


def check_log(layout: HomeLayout, *, kernel_running: bool) -> Check:
    from crustcore_nano.daemon.supervisor import verify_home_log
    from crustcore_nano.eventlog import Reason

    try:
        report = verify_home_log(layout)
    except CrustCoreError as exc:
        return Check("event log", Level.FAIL, f"cannot be read: {exc}")
    if report is None:
        return Check("event log", Level.OK, "no log yet")
    if report.ok:
        return Check(
            "event log",
            Level.OK,
            f"verifies: {report.records} records, {report.checkpoints} checkpoints, "
            f"{report.unsealed_records} unsealed",
        )
    error = report.first_error
    assert error is not None
    in_flight = error.reason in (Reason.TORN_TAIL, Reason.MISSING_CHECKPOINTS)
    if kernel_running and in_flight:
        return Check(
            "event log",
            Level.WARN,
            f"the running kernel is writing it ({error.reason.value} at the end); run doctor "
            "after crustcore down for a definitive check",
        )
    return Check(
        "event log",
        Level.FAIL,
        f"does NOT verify: {error.reason.value} at record {error.seq} ({error.file}); "
        "see crustcore inspect",
    )


def check_kernel(layout: HomeLayout) -> tuple[Check, bool]:
    from crustcore_nano.daemon.supervisor import probe_kernel, read_pid

    if probe_kernel(layout, timeout=2.0) is not None:
        return Check("kernel", Level.OK, f"running (pid {read_pid(layout.kernel_pid)})"), True
    return Check("kernel", Level.OK, "not running"), False


def run_checks(layout: HomeLayout, config_path: Path | None) -> list[Check]:
    kernel, running = check_kernel(layout)
    return [
        check_python(),
        check_bwrap(),
        check_landlock(),
        check_userns(),
        check_node(),
        check_crypto(),
        check_env(),
        *check_home(layout),
        *check_config(layout, config_path),
        check_log(layout, kernel_running=running),
        kernel,
    ]


def doctor_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore doctor [--json]``: exit 0 when no check fails, 1 when one does."""
    del stdin

    def body() -> int:
        parser = CliParser(
            "crustcore doctor", "Check this machine and a CrustCore home.", stdout, stderr
        )
        add_home_option(parser)
        parser.add_argument("--config", metavar="FILE", help="config (default HOME/crustcore.toml)")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        args = parser.parse_args(list(argv))
        layout = HomeLayout.resolve(args.home)
        config = Path(args.config).expanduser().absolute() if args.config else None
        checks = run_checks(layout, config)
        failed = any(c.level is Level.FAIL for c in checks)
        counts = {level.value: sum(c.level is level for c in checks) for level in Level}
        if args.json:
            doc = {
                "home": str(layout.home),
                "ok": not failed,
                "counts": counts,
                "checks": [c.to_json() for c in checks],
            }
            stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            for c in checks:
                stdout.write(f"{c.level.value:<5} {c.name:<17} {c.detail}\n")
            stdout.write(
                f"{counts['ok']} ok, {counts['warn']} warning(s), {counts['fail']} failure(s)\n"
            )
        return 1 if failed else 0

    return run_cli("doctor", stderr, body)
