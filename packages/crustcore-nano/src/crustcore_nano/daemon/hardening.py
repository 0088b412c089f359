"""Process hardening for the programs that hold CrustCore's secrets (the kernel, the supervisor).

Standard library only: ``prctl`` is reached through ``ctypes`` on Linux and skipped elsewhere.
"""

from __future__ import annotations

import sys

_PR_GET_DUMPABLE = 3
_PR_SET_DUMPABLE = 4


def harden_process() -> None:
    """Mark this process non-dumpable (Linux ``prctl(PR_SET_DUMPABLE, 0)``).

    The kernel and the supervisor hold the secrets, the log keys and the vault passphrase in
    memory. A dumpable process lets any other process of the same user open its
    ``/proc/PID/environ``, ``/proc/PID/fd/*`` and (where ptrace is allowed) ``/proc/PID/mem``,
    and leaves a core file with every secret in it. Non-dumpable, those need ``CAP_SYS_PTRACE``.
    A child's ``execve`` resets the flag, so sandboxed commands are unaffected. Best effort: on
    other systems, or without a C library to ask, nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        return


def is_dumpable() -> bool | None:
    """This process's dumpable flag (Linux ``PR_GET_DUMPABLE``); None where it cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        flag = int(libc.prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0))
    except (OSError, AttributeError):
        return None
    return None if flag < 0 else flag != 0
