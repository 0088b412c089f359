"""Starting and stopping the daemon process: tokens, secrets from the environment, signals."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from crustcore_nano.kernel.core import Kernel, resolve_home

from .busypoll import spinning_loop
from .grants import load_grants
from .hardening import harden_process
from .roles import TokenStore, load_tokens, read_tokens_fd
from .server import DaemonError, KernelServer, ServerConfig, probe, raise_fd_limit, socket_path
from .service import KernelService


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
    kernel = Kernel.open(home)
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
            runner.run(_main(server))
    finally:
        kernel.close()
    return 0


async def _main(server: KernelServer) -> None:
    loop = asyncio.get_running_loop()
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
