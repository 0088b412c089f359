"""The supervisor behind ``crustcore up``, ``crustcore status`` and ``crustcore down``.

``crustcore up`` starts the kernel daemon (``python -m crustcore_nano.daemon serve``), waits until
its socket answers ``hello``, then starts every sidecar the config enables, each by module name
(``python -m crustcore_net``). Tokens travel only over inherited pipes: the kernel reads
``role:token`` lines from ``--tokens-fd N``; each sidecar reads its own token from the descriptor
named by ``CRUSTCORE_TOKEN_FD``. Nothing secret is ever on a command line or in a file another
program could read, and the tokens die with the launch.

A crashed sidecar is restarted with exponential back-off; after too many crashes in a window the
supervisor stops trying and says so. SIGINT/SIGTERM stop the sidecars first, then the kernel (which
flushes and seals its log). One supervisor per home: an exclusive ``flock`` on
``run/supervisor.lock`` is held for the supervisor's whole life, so a second ``up`` is refused
even when a stale pid file is lying around, and ``status``/``down`` know for sure whether one runs.

``status`` reads ``run/supervisor.json`` (rewritten by the supervisor at every change) and asks the
kernel's ``status`` op; ``down`` sends SIGTERM to the supervisor pid and waits for the lock to be
released (with no supervisor but a kernel started by hand, it uses the admin ``shutdown`` op).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, cast

from crustcore_nano.daemon.admin_cli import (
    CliParser,
    HomeLayout,
    add_home_option,
    run_cli,
)
from crustcore_nano.daemon.hardening import harden_process
from crustcore_nano.daemon.roles import new_token
from crustcore_nano.errors import ConfigError, CrustCoreError, UsageError
from crustcore_nano.eventlog import VerifyReport
from crustcore_nano.policy.toml_lines import TomlLines, scan_lines

SIDECAR_ROLES = ("net", "mcp", "sandbox")
KERNEL_MODULE = "crustcore_nano.daemon"
READY_TIMEOUT_S = 30.0
SIDECAR_GRACE_S = 5.0
KERNEL_GRACE_S = 30.0
_POLL_S = 0.05
_SIDECAR_KEYS = ("enabled", "module", "role", "port", "args")
_SETTING_KEYS = ("restart_limit", "restart_window", "backoff_initial", "backoff_max")
_CONFIG_MAX_BYTES = 1024 * 1024


class SupervisorError(CrustCoreError):
    """The supervisor cannot start, or something it supervises failed for good."""


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """Exponential back-off with a crash budget: at most ``limit`` crashes per ``window_s``."""

    limit: int = 5
    window_s: float = 60.0
    initial_s: float = 0.5
    max_s: float = 30.0

    def after_crash(
        self, crashes: Sequence[float], now: float
    ) -> tuple[tuple[float, ...], float | None]:
        """The crash times still inside the window (this one included) and the delay before the
        next start, or None when the budget is spent and the sidecar must stay down."""
        recent = (*(t for t in crashes if now - t < self.window_s), now)
        if len(recent) > self.limit:
            return recent, None
        return recent, min(self.initial_s * 2.0 ** (len(recent) - 1), self.max_s)


@dataclass(frozen=True, slots=True)
class SidecarSpec:
    """One ``[sidecars.NAME]`` table."""

    name: str
    module: str
    role: str
    enabled: bool = True
    port: int | None = None
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UpConfig:
    """What ``crustcore up`` needs from ``crustcore.toml`` (the policy part is validated too)."""

    source: str | None
    sidecars: tuple[SidecarSpec, ...] = ()
    restart: RestartPolicy = field(default_factory=RestartPolicy)

    @property
    def enabled(self) -> tuple[SidecarSpec, ...]:
        return tuple(s for s in self.sidecars if s.enabled)


def _fail(source: str, line: int | None, message: str) -> ConfigError:
    where = f"{source}:{line}" if line is not None else source
    return ConfigError(f"{where}: {message}")


def _is_module_name(text: str) -> bool:
    parts = text.split(".")
    return 0 < len(text) <= 200 and all(p.isidentifier() for p in parts)


def _is_sidecar_name(text: str) -> bool:
    return 0 < len(text) <= 32 and all(c.isascii() and (c.isalnum() or c in "_-") for c in text)


def parse_up_config(text: str, *, source: str) -> UpConfig:
    """Validate ``crustcore.toml``: the policy tables through the policy loader, the
    ``[sidecars]`` tables here. Errors name the file, the line and the key."""
    from crustcore_nano.policy.config import OTHER_SECTIONS, parse_policy

    parse_policy(text, source=source, foreign_sections=OTHER_SECTIONS)
    doc = tomllib.loads(text)  # parse_policy accepted it, so it is valid TOML
    lines = scan_lines(text)
    raw = doc.get("sidecars", {})
    if not isinstance(raw, dict):
        raise _fail(source, lines.key_line((), 0, "sidecars"), "'sidecars' must be a table")
    table = cast("dict[str, object]", raw)
    restart = _parse_settings(table, lines, source)
    specs: list[SidecarSpec] = []
    for name, value in table.items():
        if name in _SETTING_KEYS:
            continue
        if not isinstance(value, dict):
            raise _fail(
                source,
                lines.key_line(("sidecars",), 0, name),
                f"[sidecars] key '{name}' is unknown; settings are {', '.join(_SETTING_KEYS)} "
                "and each sidecar is a [sidecars.NAME] table",
            )
        specs.append(_parse_sidecar(name, cast("dict[str, object]", value), lines, source))
    return UpConfig(source, tuple(specs), restart)


def _parse_settings(table: Mapping[str, object], lines: TomlLines, source: str) -> RestartPolicy:
    values: dict[str, float] = {}
    for key in _SETTING_KEYS:
        if key not in table:
            continue
        value = table[key]
        line = lines.key_line(("sidecars",), 0, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(source, line, f"[sidecars] {key} must be a number")
        if key == "restart_limit" and (not isinstance(value, int) or not 0 <= value <= 1000):
            raise _fail(source, line, "[sidecars] restart_limit must be an integer 0..1000")
        if not 0 <= value <= 86_400:
            raise _fail(source, line, f"[sidecars] {key} must be between 0 and 86400 seconds")
        values[key] = float(value)
    base = RestartPolicy()
    return RestartPolicy(
        limit=int(values.get("restart_limit", base.limit)),
        window_s=values.get("restart_window", base.window_s),
        initial_s=values.get("backoff_initial", base.initial_s),
        max_s=values.get("backoff_max", base.max_s),
    )


def _parse_sidecar(
    name: str, table: Mapping[str, object], lines: TomlLines, source: str
) -> SidecarSpec:
    scope = ("sidecars", name)
    head = lines.table_line(scope)
    if not _is_sidecar_name(name):
        raise _fail(source, head, f"sidecar name {name[:40]!r} must be 1-32 letters, digits, _ -")
    for key in table:
        if key not in _SIDECAR_KEYS:
            raise _fail(
                source,
                lines.key_line(scope, 0, key),
                f"[sidecars.{name}] unknown key '{key}'; known keys: {', '.join(_SIDECAR_KEYS)}",
            )

    def line(key: str) -> int | None:
        return lines.key_line(scope, 0, key)

    enabled = table.get("enabled", False)
    if not isinstance(enabled, bool):
        raise _fail(source, line("enabled"), f"[sidecars.{name}] enabled must be true or false")
    module = table.get("module", f"crustcore_{name}")
    if not isinstance(module, str) or not _is_module_name(module):
        raise _fail(
            source, line("module"), f"[sidecars.{name}] module must be a dotted Python module name"
        )
    role = table.get("role", name if name in SIDECAR_ROLES else None)
    if not isinstance(role, str) or role not in SIDECAR_ROLES:
        raise _fail(
            source,
            line("role") if "role" in table else head,
            f"[sidecars.{name}] role must be one of {', '.join(SIDECAR_ROLES)}",
        )
    port = table.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)):
        raise _fail(source, line("port"), f"[sidecars.{name}] port must be an integer")
    if isinstance(port, int) and not 1 <= port <= 65535:
        raise _fail(source, line("port"), f"[sidecars.{name}] port must be 1..65535")
    args = table.get("args", [])
    if not isinstance(args, list) or not all(
        isinstance(a, str) for a in cast("list[object]", args)
    ):
        raise _fail(source, line("args"), f"[sidecars.{name}] args must be a list of strings")
    return SidecarSpec(
        name,
        module,
        role,
        enabled,
        port,
        tuple(cast("list[str]", args)),
    )


def load_up_config(layout: HomeLayout, config: Path | None) -> UpConfig:
    """Read ``--config FILE`` or the home's ``crustcore.toml`` (absent → defaults)."""
    path = config if config is not None else layout.config
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if config is None:
            return UpConfig(None)
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc.strerror or exc})") from None
    if len(data) > _CONFIG_MAX_BYTES:
        raise ConfigError(f"{path}: config is larger than {_CONFIG_MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (bad byte at offset {exc.start})") from None
    return parse_up_config(text, source=str(path))


def module_problem(spec: SidecarSpec) -> str | None:
    """Why ``python -m MODULE`` cannot run, without importing anything; None when it can."""
    top, _, rest = spec.module.partition(".")
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        found = None
    hint = (
        f"install crustcore-{spec.name} (pip install crustcore-{spec.name})"
        if spec.module == f"crustcore_{spec.name}"
        else f"install the package that provides {spec.module}"
    )
    off = f"or set enabled = false in [sidecars.{spec.name}]"
    if found is None:
        return f"sidecar '{spec.name}': module {spec.module} is not installed; {hint}, {off}"
    dirs = list(found.submodule_search_locations or [])
    parts = rest.split(".") if rest else []
    if not dirs:
        return None if not parts else f"sidecar '{spec.name}': {spec.module} is not a module"
    for directory in dirs:
        base = Path(directory).joinpath(*parts)
        if (base / "__main__.py").is_file() or (parts and base.with_suffix(".py").is_file()):
            return None
    return (
        f"sidecar '{spec.name}': {spec.module} is installed but cannot run as a program "
        f"(no {spec.module}.__main__); upgrade it, {off}"
    )


# --------------------------------------------------------------------------- run files


def _write_json_atomic(path: Path, doc: Mapping[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, object] | None:
    try:
        doc: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return cast("dict[str, object]", doc) if isinstance(doc, dict) else None


def read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() and 0 < int(text) < 1 << 31 else None


def pid_alive(pid: int) -> bool:
    """True for a live process (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def pid_cmdline(pid: int) -> tuple[str, ...]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ()
    return tuple(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)


def supervisor_holding_lock(layout: HomeLayout) -> bool:
    """Whether a live supervisor holds this home's lock (a probe; never blocks)."""
    try:
        fd = os.open(layout.supervisor_lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def leftover_pids(layout: HomeLayout) -> list[tuple[str, int]]:
    """Processes a dead supervisor left behind: pids in ``supervisor.json`` that are still alive
    and still run the exact command line the supervisor started them with."""
    doc = read_json(layout.supervisor_json)
    if doc is None:
        return []
    found: list[tuple[str, int]] = []
    children = [("kernel", doc.get("kernel"))]
    sidecars = doc.get("sidecars")
    if isinstance(sidecars, dict):
        children += [(f"sidecar {k}", v) for k, v in cast("dict[str, object]", sidecars).items()]
    for name, entry in children:
        if not isinstance(entry, dict):
            continue
        item = cast("dict[str, object]", entry)
        pid, argv = item.get("pid"), item.get("argv")
        if not isinstance(pid, int) or not isinstance(argv, list) or pid <= 1:
            continue
        if pid_alive(pid) and list(pid_cmdline(pid)) == argv:
            found.append((name, pid))
    # Sidecars first, the kernel last: the same order as a clean shutdown.
    return sorted(found, key=lambda item: item[0] == "kernel")


# --------------------------------------------------------------------------- the kernel probe


def probe_kernel(layout: HomeLayout, *, timeout: float = 2.0) -> dict[str, object] | None:
    """``hello`` as a plain client: the server's answer, or None when nothing answers."""
    from crustcore_nano.daemon.admin_cli import connect

    try:
        with connect(layout, role="client", timeout=timeout) as client:
            return dict(client.server_info)
    except (CrustCoreError, OSError):
        return None


# --------------------------------------------------------------------------- supervision


@dataclass(slots=True)
class _Child:
    """A process the supervisor owns (the kernel or one sidecar)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    token: str | None = None
    spec: SidecarSpec | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    crashes: tuple[float, ...] = ()
    next_start: float | None = None
    state: str = "stopped"
    last_exit: int | None = None

    def to_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "pid": self.proc.pid if self.proc is not None and self.state == "running" else None,
            "argv": self.argv,
            "state": self.state,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "started_at": self.started_at,
        }
        if self.spec is not None:
            doc.update(module=self.spec.module, role=self.spec.role, port=self.spec.port)
        return doc


def _spawn(child: _Child, token_text: str | None) -> None:
    """Start one child; ``token_text`` goes through a fresh pipe whose read end it inherits."""
    pass_fds: tuple[int, ...] = ()
    read_end: int | None = None
    env = dict(child.env)
    argv = list(child.argv)
    if token_text is not None:
        read_end, write_end = os.pipe()
        try:
            os.write(write_end, token_text.encode("ascii"))
        finally:
            os.close(write_end)
        pass_fds = (read_end,)
        if child.spec is None:
            argv += ["--tokens-fd", str(read_end)]
        else:
            env["CRUSTCORE_TOKEN_FD"] = str(read_end)
    try:
        child.proc = subprocess.Popen(  # our own interpreter and module
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            pass_fds=pass_fds,
            start_new_session=True,  # a terminal's ^C reaches only the supervisor, which orders
        )
    finally:
        if read_end is not None:
            os.close(read_end)
    child.argv = argv
    child.state = "running"
    child.started_at = time.time()
    child.next_start = None


def _child_env(base: Mapping[str, str], home: Path, drop: Sequence[str]) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k not in drop}
    env.pop("CRUSTCORE_TOKEN_FD", None)
    env.pop("CRUSTCORE_VAULT_PASSPHRASE", None)
    env["CRUSTCORE_HOME"] = str(home)
    return env


class Supervisor:
    """Runs the kernel and the sidecars until told to stop. One instance per ``crustcore up``."""

    def __init__(
        self,
        layout: HomeLayout,
        config: UpConfig,
        *,
        config_path: Path | None,
        import_env: Sequence[str] = (),
        announce: Callable[[str], None],
        warn: Callable[[str], None],
        secrets_loader: Callable[[], None] | None = None,
    ) -> None:
        self.layout = layout
        self.config = config
        self._announce = announce
        self._warn = warn
        self._secrets_loader = secrets_loader
        self._stop_signal: int | None = None
        self.started_at = time.time()
        base = dict(os.environ)
        imported = [pair.partition("=")[0] for pair in import_env]
        kernel_argv = [sys.executable, "-m", KERNEL_MODULE, "serve", "--home", str(layout.home)]
        if config_path is not None:
            kernel_argv += ["--config", str(config_path)]
        for pair in import_env:
            kernel_argv += ["--import-env", pair]
        self.kernel = _Child("kernel", kernel_argv, _child_env(base, layout.home, ()))
        self.sidecars = [
            _Child(
                spec.name,
                [sys.executable, "-m", spec.module, *spec.args],
                _child_env(base, layout.home, imported)
                | ({"CRUSTCORE_PORT": str(spec.port)} if spec.port is not None else {}),
                token=new_token(),
                spec=spec,
            )
            for spec in config.enabled
        ]

    # --- signals ---------------------------------------------------------------------------
    def _on_signal(self, signum: int, _frame: object) -> None:
        self._stop_signal = signum

    def install_signals(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    @property
    def stopping(self) -> bool:
        return self._stop_signal is not None

    @property
    def stop_signal(self) -> int | None:
        return self._stop_signal

    # --- state file ---------------------------------------------------------------------------
    def state(self) -> dict[str, object]:
        return {
            "v": 1,
            "pid": os.getpid(),
            # ``down`` signals the pid only while it still runs exactly this command line.
            "argv": list(pid_cmdline(os.getpid())),
            "home": str(self.layout.home),
            "socket": str(self.layout.socket),
            "config": self.config.source,
            "started_at": self.started_at,
            "kernel": self.kernel.to_json(),
            "sidecars": {c.name: c.to_json() for c in self.sidecars},
            "restart_policy": {
                "limit": self.config.restart.limit,
                "window_s": self.config.restart.window_s,
                "initial_s": self.config.restart.initial_s,
                "max_s": self.config.restart.max_s,
            },
        }

    def _save(self) -> None:
        _write_json_atomic(self.layout.supervisor_json, self.state())

    # --- start-up ----------------------------------------------------------------------------
    def start(self) -> None:
        """Kernel, readiness, secrets, sidecars. Raises SupervisorError (after cleaning up)."""
        lines = [f"{c.spec.role}:{c.token}" for c in self.sidecars if c.spec is not None]
        _spawn(self.kernel, "\n".join(lines) + "\n")
        self._save()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            proc = self.kernel.proc
            assert proc is not None
            code = proc.poll()
            if code is not None:
                self.kernel.state, self.kernel.last_exit = "exited", code
                raise SupervisorError(
                    f"the kernel exited during start-up (exit code {code}); its message is above"
                )
            if self.stopping:
                raise SupervisorError("interrupted during start-up")
            if probe_kernel(self.layout, timeout=1.0) is not None:
                break
            if time.monotonic() > deadline:
                raise SupervisorError(
                    f"the kernel did not answer on {self.layout.socket} within "
                    f"{READY_TIMEOUT_S:.0f} s"
                )
            time.sleep(_POLL_S)
        assert self.kernel.proc is not None
        self._announce(f"kernel pid {self.kernel.proc.pid} listening on {self.layout.socket}")
        if self._secrets_loader is not None:
            loader, self._secrets_loader = self._secrets_loader, None
            loader()
        for child in self.sidecars:
            self._start_sidecar(child)
        self._save()
        self.layout.supervisor_pid.write_text(f"{os.getpid()}\n", encoding="ascii")

    def _start_sidecar(self, child: _Child) -> None:
        assert child.spec is not None and child.token is not None
        _spawn(child, child.token + "\n")
        assert child.proc is not None
        where = f", port {child.spec.port}" if child.spec.port is not None else ""
        self._announce(f"sidecar {child.name} ({child.spec.module}) pid {child.proc.pid}{where}")

    # --- the loop -------------------------------------------------------------------------------
    def run(self) -> int:
        """Supervise until a signal or a kernel exit; then shut down. Returns the exit code."""
        code = 0
        while not self.stopping:
            kernel = self.kernel.proc
            assert kernel is not None
            exit_code = kernel.poll()
            if exit_code is not None:
                self.kernel.state, self.kernel.last_exit = "exited", exit_code
                self._warn(
                    f"the kernel exited unexpectedly (exit code {exit_code}); stopping the "
                    "sidecars. Check the output above, then start again with crustcore up"
                )
                code = 1
                break
            self._tend(time.monotonic())
            time.sleep(_POLL_S)
        self.shutdown()
        return code

    def _tend(self, now: float) -> None:
        changed = False
        for child in self.sidecars:
            if child.state == "running" and child.proc is not None:
                exit_code = child.proc.poll()
                if exit_code is None:
                    continue
                child.last_exit = exit_code
                child.crashes, delay = self.config.restart.after_crash(child.crashes, now)
                changed = True
                if delay is None:
                    child.state = "failed"
                    self._warn(
                        f"sidecar {child.name} crashed {len(child.crashes)} times within "
                        f"{self.config.restart.window_s:g} s (last exit code {exit_code}); "
                        "not restarting it again. Fix it, then run crustcore down and "
                        "crustcore up"
                    )
                else:
                    child.state = "backoff"
                    child.next_start = now + delay
                    self._warn(
                        f"sidecar {child.name} exited (code {exit_code}); restarting in {delay:g} s"
                    )
            elif (
                child.state == "backoff"
                and child.next_start is not None
                and now >= child.next_start
            ):
                child.restarts += 1
                changed = True
                try:
                    self._start_sidecar(child)
                except OSError as exc:  # fork or pipe failed: counts as a crash
                    child.state = "failed"
                    self._warn(f"sidecar {child.name} could not be restarted: {exc}")
        if changed:
            self._save()

    # --- shutdown -------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Sidecars first (TERM, then KILL after a grace period), then the kernel."""
        running = [c for c in self.sidecars if c.proc is not None and c.proc.poll() is None]
        _terminate(running, SIDECAR_GRACE_S, self._warn)
        for child in self.sidecars:
            if child.state != "failed":
                child.state = "stopped"
        kernel = self.kernel.proc
        if kernel is not None and kernel.poll() is None:
            _terminate([self.kernel], KERNEL_GRACE_S, self._warn)
            self.kernel.last_exit = kernel.returncode
            self.kernel.state = "stopped"
        for path in (self.layout.supervisor_pid, self.layout.supervisor_json):
            with contextlib.suppress(OSError):
                path.unlink()


def _terminate(children: Sequence[_Child], grace: float, warn: Callable[[str], None]) -> None:
    for child in children:
        if child.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                child.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        if child.proc is None:
            continue
        try:
            child.proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            warn(f"{child.name} did not stop within {grace:g} s after SIGTERM; killing it")
            child.proc.kill()
            child.proc.wait()
        child.last_exit = child.proc.returncode


def _acquire_lock(layout: HomeLayout) -> int:
    """Take the home's supervisor lock or refuse, naming the pid that holds it."""
    fd = os.open(layout.supervisor_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        pid = read_pid(layout.supervisor_pid)
        who = f"pid {pid}" if pid is not None else "another process"
        raise SupervisorError(
            f"CrustCore is already running for {layout.home} (supervisor {who}); use "
            "crustcore status, or crustcore down to stop it"
        ) from None
    return fd


def ensure_home(layout: HomeLayout) -> None:
    """Create the home and run/ with 0700 (and tighten them if they exist)."""
    for path in (layout.home, layout.run_dir):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_uid == os.getuid():
            os.chmod(path, 0o700)


# --------------------------------------------------------------------------- crustcore up


def _up_parser(stdout: TextIO, stderr: TextIO) -> CliParser:
    parser = CliParser(
        "crustcore up",
        "Start the kernel daemon and the configured sidecars, and supervise them.",
        stdout,
        stderr,
    )
    add_home_option(parser)
    parser.add_argument("--config", metavar="FILE", help="config (default HOME/crustcore.toml)")
    parser.add_argument(
        "--import-env",
        metavar="NAME=label",
        action="append",
        default=[],
        help="import environment variable NAME as secret://label (repeatable)",
    )
    parser.add_argument(
        "--passphrase-fd", metavar="N", type=int, help="read the vault passphrase from fd N"
    )
    parser.add_argument(
        "--no-vault",
        action="store_true",
        help="do not unlock the vault (start without its secrets)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--foreground", action="store_true", help="stay attached (the default)")
    mode.add_argument(
        "--detach", action="store_true", help="run in the background; return once ready"
    )
    return parser


def _check_import_env(pairs: Sequence[str]) -> None:
    from crustcore_nano.daemon.vault import check_name

    for pair in pairs:
        name, sep, label = pair.partition("=")
        if not sep or not name or not label:
            raise UsageError(f"--import-env takes NAME=label, not {pair[:60]!r}")
        if not name.replace("_", "a").isalnum() or not name.isascii():
            raise UsageError(f"--import-env: {name[:60]!r} is not an environment variable name")
        if name not in os.environ:
            raise UsageError(f"--import-env: environment variable {name} is not set")
        check_name(label)


def _vault_loader(
    layout: HomeLayout, passphrase_fd: int | None, skip: bool
) -> Callable[[], None] | None:
    """Unlock the vault now (before any fork, while a terminal may be there to ask) and return
    the step that hands its secrets to the ready kernel over the admin role."""
    if skip or not layout.vault.exists():
        if passphrase_fd is not None:
            os.close(passphrase_fd)
        return None
    from crustcore_nano.daemon.vault import Vault, obtain_passphrase

    vault = Vault.for_home(
        layout.home, obtain_passphrase(layout.home, passphrase_fd=passphrase_fd, creating=False)
    )
    entries = vault.load()
    del vault  # it holds the passphrase

    def load() -> None:
        from crustcore_nano.daemon.admin_cli import push_secret

        try:
            for entry in entries.values():
                push_secret(layout, entry)
        finally:
            # The kernel has them now; the supervisor lives as long and must not keep them.
            entries.clear()

    return load


@dataclass(frozen=True, slots=True)
class _Launch:
    """Everything ``up`` settled before starting anything."""

    layout: HomeLayout
    config: UpConfig
    config_path: Path | None
    import_env: tuple[str, ...]
    loader: Callable[[], None] | None


def up_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore up``: exit 0 after a clean stop (or, with --detach, once ready), 1 when
    something could not start or died for good, 2 for usage and config errors."""
    del stdin

    def body() -> int:
        args = _up_parser(stdout, stderr).parse_args(list(argv))
        harden_process()  # before the vault passphrase or any secret is in memory
        layout = HomeLayout.resolve(args.home)
        config_path = Path(args.config).expanduser().absolute() if args.config else None
        config = load_up_config(layout, config_path)
        for spec in config.enabled:
            problem = module_problem(spec)
            if problem is not None:
                raise UsageError(problem)
        _check_import_env(args.import_env)
        ensure_home(layout)
        lock_fd = _acquire_lock(layout)
        try:
            leftovers = leftover_pids(layout)
            if leftovers:
                listed = ", ".join(f"{name} pid {pid}" for name, pid in leftovers)
                raise SupervisorError(
                    f"processes from an earlier launch still run ({listed}); run crustcore "
                    "down first"
                )
            loader = _vault_loader(layout, args.passphrase_fd, args.no_vault)
            launch = _Launch(layout, config, config_path, tuple(args.import_env), loader)
            if args.detach:
                return _detach(launch, lock_fd, stdout)
            return _run(launch, stdout, stderr)
        finally:
            os.close(lock_fd)

    return run_cli("up", stderr, body)


def _run(
    launch: _Launch,
    stdout: TextIO,
    stderr: TextIO,
    *,
    relay: Callable[[str], None] | None = None,
) -> int:
    """Start, supervise, stop. ``relay`` receives the start-up report (``--detach``); an empty
    line marks "ready"."""

    def announce(line: str) -> None:
        stdout.write(f"crustcore up: {line}\n")
        stdout.flush()
        if relay is not None:
            relay(line)

    def warn(line: str) -> None:
        stderr.write(f"crustcore up: {line}\n")
        stderr.flush()
        if relay is not None:
            relay(line)

    layout = launch.layout
    sup = Supervisor(
        layout,
        launch.config,
        config_path=launch.config_path,
        import_env=launch.import_env,
        announce=announce,
        warn=warn,
        secrets_loader=launch.loader,
    )
    sup.install_signals()
    try:
        sup.start()
    except CrustCoreError as exc:
        sup.shutdown()
        warn(f"{exc}; nothing was left running")
        return 1
    except BaseException:
        sup.shutdown()
        raise
    announce(
        f"ready: supervisor pid {os.getpid()} for {layout.home} (stop with crustcore down"
        f" --home {layout.home})"
    )
    if relay is not None:
        relay("")
    code = sup.run()
    signame = signal.Signals(sup.stop_signal).name if sup.stop_signal else None
    why = f"on {signame}" if signame else "after the kernel exited"
    stdout.write(f"crustcore up: stopped {why}; kernel exit code {sup.kernel.last_exit}\n")
    stdout.flush()
    return code


def _detach(launch: _Launch, lock_fd: int, stdout: TextIO) -> int:
    """Double fork + setsid; the parent relays the start-up report and returns once ready."""
    layout = launch.layout
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(write_end)
        os.waitpid(pid, 0)
        with os.fdopen(read_end, "r", encoding="utf-8") as report:
            text = report.read()
        for line in text.splitlines():
            if line:
                stdout.write(f"crustcore up: {line}\n")
        if "\n\n" not in text:
            stdout.write(
                f"crustcore up: the supervisor did not become ready; see {layout.supervisor_log}\n"
            )
            return 1
        return 0
    code = 1
    try:
        # First child: a new session, then fork again so the daemon never regains a terminal.
        os.close(read_end)
        os.setsid()
        if os.fork():
            os._exit(0)
        os.chdir("/")
        os.umask(0o077)
        log_fd = os.open(layout.supervisor_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null_fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null_fd, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(null_fd)
        os.close(log_fd)
        report = os.fdopen(write_end, "w", encoding="utf-8")

        def relay(line: str) -> None:
            if not report.closed:
                report.write(line + "\n")
                report.flush()
                if not line:
                    report.close()

        code = _run(launch, sys.stdout, sys.stderr, relay=relay)
    except BaseException:  # the daemon must never return into the caller's stack
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


# --------------------------------------------------------------------------- status and down


def gather_status(layout: HomeLayout) -> dict[str, object]:
    """What runs for a home: the supervisor's state file plus the kernel's ``status`` op."""
    running = supervisor_holding_lock(layout)
    doc = read_json(layout.supervisor_json) if running else None
    now = time.time()
    out: dict[str, object] = {
        "home": str(layout.home),
        "running": running,
        "supervisor": None,
        "kernel": None,
        "sidecars": {},
    }
    if doc is not None:
        started = doc.get("started_at")
        out["supervisor"] = {
            "pid": doc.get("pid"),
            "uptime_s": round(now - started, 1) if isinstance(started, int | float) else None,
            "config": doc.get("config"),
        }
        kernel = doc.get("kernel")
        if isinstance(kernel, dict):
            k = cast("dict[str, object]", kernel)
            out["kernel"] = {"pid": k.get("pid"), "state": k.get("state")}
        sidecars = doc.get("sidecars")
        if isinstance(sidecars, dict):
            out["sidecars"] = {
                name: {
                    key: cast("dict[str, object]", entry).get(key)
                    for key in ("pid", "state", "restarts", "module", "role", "port", "last_exit")
                }
                for name, entry in cast("dict[str, object]", sidecars).items()
                if isinstance(entry, dict)
            }
    from crustcore_nano.daemon.admin_cli import kernel_status

    status = kernel_status(layout)
    out["socket"] = str(layout.socket)
    out["kernel_answers"] = status is not None
    if status is not None:
        out["kernel_status"] = status
        if out["kernel"] is None:
            out["kernel"] = {"pid": read_pid(layout.kernel_pid), "state": "running"}
    return out


def _render_status(doc: Mapping[str, object], out: TextIO) -> None:
    home = doc.get("home")
    sup = doc.get("supervisor")
    if not doc.get("running") and not doc.get("kernel_answers"):
        out.write(f"CrustCore is not running for {home} (start it with crustcore up)\n")
        return
    if isinstance(sup, dict):
        s = cast("dict[str, object]", sup)
        out.write(f"supervisor  pid {s.get('pid')}, up {s.get('uptime_s')} s  ({home})\n")
    else:
        out.write(f"supervisor  none (a kernel started without crustcore up)  ({home})\n")
    kernel = doc.get("kernel")
    kpid = cast("dict[str, object]", kernel).get("pid") if isinstance(kernel, dict) else None
    answers = "answers" if doc.get("kernel_answers") else "does NOT answer"
    out.write(f"kernel      pid {kpid}, socket {doc.get('socket')} ({answers})\n")
    status = doc.get("kernel_status")
    if isinstance(status, dict):
        for key, value in sorted(cast("dict[str, object]", status).items()):
            if isinstance(value, dict):
                for sub, inner in sorted(cast("dict[str, object]", value).items()):
                    out.write(f"  {key + '.' + sub:<22}{inner}\n")
            else:
                out.write(f"  {key:<22}{value}\n")
    sidecars = doc.get("sidecars")
    if isinstance(sidecars, dict):
        for name, entry in sorted(cast("dict[str, object]", sidecars).items()):
            e = cast("dict[str, object]", entry)
            port = f", port {e.get('port')}" if e.get("port") is not None else ""
            out.write(
                f"sidecar     {name}: {e.get('state')}, pid {e.get('pid')}, restarts "
                f"{e.get('restarts')}{port}\n"
            )


def status_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore status [--json]``: exit 0 when CrustCore runs for the home, 1 when not."""
    del stdin

    def body() -> int:
        parser = CliParser(
            "crustcore status", "Show what runs for a CrustCore home.", stdout, stderr
        )
        add_home_option(parser)
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        args = parser.parse_args(list(argv))
        doc = gather_status(HomeLayout.resolve(args.home))
        if args.json:
            stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        else:
            _render_status(doc, stdout)
        return 0 if doc["running"] or doc["kernel_answers"] else 1

    return run_cli("status", stderr, body)


def _wait_gone(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while check():
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_S)
    return True


def verify_home_log(layout: HomeLayout) -> VerifyReport | None:
    """Verify the home's event log with the on-host keys (seals, receipt MACs and the sealing-key
    state, so records cut from the end are caught too). None when there is no log yet."""
    from crustcore_nano.eventlog import read_seal_state, verify_log
    from crustcore_nano.eventlog.keys import (
        RECEIPT_KEY_FILE,
        SEAL_KEY_FILE,
        VERIFY_KEY_FILE,
        load_key_file,
    )

    if not layout.log_dir.is_dir():
        return None
    keys = layout.keys_dir
    verify_key = receipt_key = None
    seal_state = None
    if (keys / VERIFY_KEY_FILE).is_file():
        verify_key = load_key_file(keys / VERIFY_KEY_FILE)
    if (keys / RECEIPT_KEY_FILE).is_file():
        receipt_key = load_key_file(keys / RECEIPT_KEY_FILE)
    if (keys / SEAL_KEY_FILE).is_file():
        seal_state = read_seal_state(keys / SEAL_KEY_FILE)
    return verify_log(
        layout.log_dir, verify_key=verify_key, receipt_key=receipt_key, seal_state=seal_state
    )


def _log_summary(layout: HomeLayout) -> str:
    try:
        report = verify_home_log(layout)
    except CrustCoreError as exc:
        return f"event log could not be read: {exc}"
    if report is None:
        return "no event log yet"
    if not report.ok:
        return f"event log does NOT verify: {report.first_error}"
    sealed = "sealed" if report.unsealed_records == 0 else f"{report.unsealed_records} unsealed"
    return f"event log verifies: {report.records} records, {sealed}"


def down_main(argv: Sequence[str], *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``crustcore down``: stop the supervisor (SIGTERM to its pid) and wait for it; exit 0 when
    nothing runs afterwards (including when nothing ran), 1 when something would not stop."""
    del stdin

    def body() -> int:
        parser = CliParser("crustcore down", "Stop CrustCore for a home.", stdout, stderr)
        add_home_option(parser)
        parser.add_argument(
            "--timeout", type=float, default=60.0, metavar="S", help="how long to wait"
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        args = parser.parse_args(list(argv))
        layout = HomeLayout.resolve(args.home)
        result = stop_home(layout, timeout=args.timeout)
        if args.json:
            stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
        else:
            for line in cast("list[str]", result["messages"]):
                stdout.write(f"crustcore down: {line}\n")
        return 0 if result["stopped"] else 1

    return run_cli("down", stderr, body)


def _is_our_supervisor(pid: int, doc: Mapping[str, object] | None) -> bool:
    """Whether ``pid`` is the supervisor described by ``supervisor.json``: the same pid, still
    running the same command line. A pid file outlives a killed supervisor and its number can be
    reused by any process; the lock alone does not say who holds it (``status`` probes it too)."""
    if pid <= 1 or doc is None or doc.get("pid") != pid:
        return False
    argv = doc.get("argv")
    if not isinstance(argv, list) or not argv:
        return False
    return list(pid_cmdline(pid)) == cast("list[object]", argv)


def stop_home(layout: HomeLayout, *, timeout: float) -> dict[str, object]:
    """Stop whatever runs for the home, in shutdown order, and report what happened."""
    messages: list[str] = []
    stopped = True
    if supervisor_holding_lock(layout):
        pid = read_pid(layout.supervisor_pid)
        doc = read_json(layout.supervisor_json)
        if pid is None and doc is not None and isinstance(doc.get("pid"), int):
            pid = cast(int, doc["pid"])
        if pid is None:
            raise SupervisorError(
                f"a supervisor holds {layout.supervisor_lock} but wrote no pid yet; try again"
            )
        if not _is_our_supervisor(pid, doc):
            raise SupervisorError(
                f"{layout.supervisor_pid} names pid {pid}, which is not this home's supervisor "
                "(a stale pid file); nothing was signalled. Try again in a moment"
            )
        os.kill(pid, signal.SIGTERM)
        if _wait_gone(lambda: supervisor_holding_lock(layout), timeout):
            messages.append(f"stopped the supervisor (pid {pid}), its sidecars and the kernel")
        else:
            stopped = False
            messages.append(f"the supervisor (pid {pid}) did not stop within {timeout:g} s")
    elif leftover_pids(layout):
        for name, pid in leftover_pids(layout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            if _wait_gone(functools.partial(pid_alive, pid), timeout):
                messages.append(f"stopped {name} (pid {pid}) left by a supervisor that died")
            else:
                stopped = False
                messages.append(f"{name} (pid {pid}) did not stop within {timeout:g} s")
        with contextlib.suppress(OSError):
            layout.supervisor_json.unlink()
    elif probe_kernel(layout) is not None:
        from crustcore_nano.daemon.admin_cli import admin_shutdown

        kpid = read_pid(layout.kernel_pid)
        admin_shutdown(layout)
        if _wait_gone(lambda: kpid is not None and pid_alive(kpid), timeout):
            messages.append(f"stopped the kernel (pid {kpid}) through its admin shutdown op")
        else:
            stopped = False
            messages.append(f"the kernel (pid {kpid}) did not stop within {timeout:g} s")
    else:
        messages.append(f"nothing is running for {layout.home}")
    if stopped:
        messages.append(_log_summary(layout))
    return {"home": str(layout.home), "stopped": stopped, "messages": messages}
