"""Starting a kernel daemon as a child process and waiting until it listens.

Used by tests, benchmarks and tools that need a real daemon; ``crustcore up`` has its own
supervisor. Tokens go to the child over an inherited pipe, never on its command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .roles import Role
from .server import DaemonError, probe, socket_path


def start_daemon(
    home: Path,
    *,
    tokens: Sequence[tuple[Role, str]] = (),
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> subprocess.Popen[bytes]:
    """``python -m crustcore_nano.daemon serve --home HOME``; returns once the socket answers."""
    argv = [sys.executable, "-m", "crustcore_nano.daemon", "serve", "--home", str(home)]
    argv += list(extra_args)
    read_end = write_end = -1
    pass_fds: tuple[int, ...] = ()
    if tokens:
        read_end, write_end = os.pipe()
        argv += ["--tokens-fd", str(read_end)]
        pass_fds = (read_end,)
    proc = subprocess.Popen(
        argv,
        pass_fds=pass_fds,
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if tokens:
        os.close(read_end)
        text = "".join(f"{role.value}:{token}\n" for role, token in tokens)
        os.write(write_end, text.encode("ascii"))
        os.close(write_end)
    deadline = time.monotonic() + timeout
    path = socket_path(home)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise DaemonError(f"the kernel daemon exited with {proc.returncode}: {err.strip()}")
        if path.exists() and probe(path):
            return proc
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise DaemonError(f"the kernel daemon did not listen on {path} within {timeout} s")


def stop_daemon(proc: subprocess.Popen[bytes], *, timeout: float = 30.0) -> int:
    """SIGTERM, then wait; the exit code (SIGKILL only if it did not stop in time)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return proc.returncode
