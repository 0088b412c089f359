"""The kernel daemon: the socket protocol, the server, roles and tokens, and the clients.

``python -m crustcore_nano.daemon serve --home H`` runs the kernel as its own process (the
supervisor behind ``crustcore up`` starts it so); ``KernelClient`` / ``AsyncKernelClient`` reach
it. The wire format is documented in ``docs/protocol.md``.
"""

from __future__ import annotations

from .api import KernelAPI, VisibleText
from .client import (
    AsyncKernelClient,
    InFlightError,
    KernelClient,
    NoKernelError,
    RemoteError,
    RemoteText,
)

__all__ = [
    "AsyncKernelClient",
    "InFlightError",
    "KernelAPI",
    "KernelClient",
    "NoKernelError",
    "RemoteError",
    "RemoteText",
    "VisibleText",
]
