"""Starting and stopping the daemon process: tokens, secrets from the environment, signals."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from crustcore_nano.errors import LogError
from crustcore_nano.eventlog import EventLog, LogConfig
from crustcore_nano.kernel.core import Kernel, resolve_home

from .busypoll import spinning_loop
from .grants import load_grants
from .hardening import harden_process
from .roles import TokenStore, load_tokens, read_tokens_fd
from .server import DaemonError, KernelServer, ServerConfig, probe, raise_fd_limit, socket_path
from .service import KernelService

#: The daemon's event log: the default group commit (10 ms), driven by the appends and the event
#: loop's timer (`drive_group_commit`) instead of a flusher thread, which would slow every check:
#: a second Python thread that wakes while the loop is busy waits for the GIL, and each system
#: call of the loop wakes it again. The fsync itself is done by a child process
#: (`crustcore_nano.eventlog.syncer`), so no check waits for the disk.
DAEMON_LOG = LogConfig(flush_thread=False, fsync_process=True)


def drive_group_commit(log: EventLog) -> None:
    """Keep `log`'s group commit going from the running event loop: a timer is armed when the
    first record of a batch is queued and fires when that record has waited the interval."""
    loop = asyncio.get_running_loop()
    timer: asyncio.TimerHandle | None = None

    def tick() -> None:
        nonlocal timer
        timer = None
        if loop.is_closed():
            return
        try:
            delay = log.flush_due()
        except LogError:
            return  # the log has failed; the next append reports it to its caller
        if delay is not None:
            timer = loop.call_later(delay, tick)

    def arm() -> None:
        if timer is None:
            tick()

    log.on_pending = arm


@dataclass(frozen=True, slots=True)
class ServeOptions:
    home: str | None = None
    config: str | None = None
    tokens_fd: int | None = None
    import_env: tuple[tuple[str, str], ...] = ()
    server: ServerConfig = field(default_factory=ServerConfig)


def _take_env_secrets(pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """Read and remove the named variables, so the kernel's own environment (which the policy
    engine uses to expand shell variables) never holds the values."""
    found: list[tuple[str, str]] = []
    for name, label in pairs:
        value = os.environ.pop(name, None)
        if not value:
            print(
                f"crustcore kernel: ${name} is not set; secret '{label}' is not imported",
                file=sys.stderr,
            )
            continue
        found.append((label, value))
    return found


def serve(options: ServeOptions) -> int:
    """Run until SIGTERM/SIGINT or an admin ``shutdown``; the log is closed and sealed on exit."""
    home = resolve_home(options.home)
    harden_process()
    raise_fd_limit()
    tokens = TokenStore()
    if options.tokens_fd is not None:
        load_tokens(read_tokens_fd(options.tokens_fd), tokens)
    if probe(socket_path(home)):
        raise DaemonError(f"a CrustCore kernel is already running for {home}")
    config = Path(options.config).expanduser() if options.config else home / "crustcore.toml"
    grants = load_grants(config)
    secrets = _take_env_secrets(options.import_env)
    kernel = Kernel.open(home, log_config=DAEMON_LOG)
    try:
        for label, value in secrets:
            kernel.broker.add(label, value)
        service = KernelService(kernel, grants=grants)
        server = KernelServer(service, tokens=tokens, config=options.server)
        # Everything loaded so far (modules, compiled rules, detector tables, the policy) lives
        # as long as the process: kept out of the collector's generations, it is not walked
        # again by every full collection, which otherwise costs each check a share of a walk
        # over tens of thousands of objects.
        gc.freeze()
        with asyncio.Runner(loop_factory=spinning_loop) as runner:
            runner.run(_main(server, kernel.log))
    finally:
        kernel.log.on_pending = None  # the loop is gone; `close` writes what is left
        kernel.close()
    return 0


async def _main(server: KernelServer, log: EventLog) -> None:
    loop = asyncio.get_running_loop()
    drive_group_commit(log)
    for sig in (signal.SIGTERM, signal.SIGINT):  # before the socket exists: no unhandled window
        loop.add_signal_handler(sig, server.request_stop)
    await server.start()
    print(f"crustcore kernel: listening on {server.socket_path} (pid {os.getpid()})", flush=True)
    try:
        await server.serve_until_stopped()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await server.close()
