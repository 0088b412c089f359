"""Busy polling: look for the next message for a short while before sleeping until it comes.

On a virtual machine, waking a process that sleeps in `epoll_wait` or `recv` can cost more than
the work a request needs: here a Unix-socket ping-pong between two Python processes took about
70 us when both sides slept for the answer and about 5 us when both kept looking. So the kernel
daemon and the blocking client look for up to one spin window (`CRUSTCORE_SPIN_US`, default
500 us) before they sleep, but only when a message is likely to come within it:

* the daemon's event loop (`SpinningSelector`) looks again only after a wait that ended with
  traffic, so a client that sends its next request soon after the last reply finds the daemon
  awake. A wait that ends with nothing (a timer, or a spin that found nothing) makes the next
  one sleep at once: an idle daemon uses no CPU.
* the client (`ReplyWaiter`) looks for its reply only while the last reply came back within the
  window. A client whose requests queue behind other clients' work sleeps at once, and so leaves
  the CPU to the daemon.

Both yield the core between looks (`sched_yield`), so a process with work to do on that core
runs first. The cost is bounded: at most one window of CPU per burst of traffic in the daemon,
and per quick request in the client. `CRUSTCORE_SPIN_US=0` turns it off.
"""

from __future__ import annotations

import asyncio
import os
import select
import selectors
import socket
import time
from collections.abc import Mapping

DEFAULT_SPIN_US = 500
"""How long one side checks for a message before it sleeps, in microseconds."""

SPIN_ENV = "CRUSTCORE_SPIN_US"
_MAX_SPIN_US = 10_000


def spin_seconds(environ: Mapping[str, str] | None = None) -> float:
    """The spin window in seconds: `CRUSTCORE_SPIN_US` when it holds a whole number from 0 to
    10000, else the default. A bad value is ignored (the default is safe), not fatal."""
    raw = (os.environ if environ is None else environ).get(SPIN_ENV, "").strip()
    if raw.isdigit() and int(raw) <= _MAX_SPIN_US:
        return int(raw) / 1e6
    return DEFAULT_SPIN_US / 1e6


class SpinningSelector(selectors.DefaultSelector):
    """The platform's selector, checking without sleeping for up to `spin_s` before it sleeps
    when the previous wait ended with traffic (see the module docstring)."""

    def __init__(self, spin_s: float) -> None:
        super().__init__()
        self._spin_s = spin_s
        self._busy = False  # the last wait that could sleep ended with traffic

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        poll = super().select
        if self._busy and self._spin_s > 0 and (timeout is None or timeout > 0):
            clock = time.monotonic
            start = clock()
            until = start + (self._spin_s if timeout is None else min(self._spin_s, timeout))
            while True:
                ready = poll(0)
                if ready:
                    return ready
                now = clock()
                if now >= until:
                    break
                os.sched_yield()  # another process with work on this core runs first
            if timeout is not None:
                timeout = max(0.0, timeout - (now - start))
        ready = poll(timeout)
        if ready:
            self._busy = True
        elif timeout is None or timeout > 0:
            self._busy = False  # a wait that ended with nothing: the next one sleeps at once
        return ready


def spinning_loop() -> asyncio.AbstractEventLoop:
    """An event loop whose selector spins for the configured window (`spin_seconds`)."""
    return asyncio.SelectorEventLoop(SpinningSelector(spin_seconds()))


class ReplyWaiter:
    """Waits until a blocking socket has bytes to read, checking for up to `spin_s` first
    while the last reply came back within that window (see the module docstring)."""

    __slots__ = ("_fast", "_poll", "_spin_s")

    def __init__(self, sock: socket.socket, spin_s: float) -> None:
        self._spin_s = spin_s
        self._fast = spin_s > 0
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        self._poll = poller.poll

    def wait(self) -> None:
        """Return once the socket is readable or the spin window is over; the caller's `recv`
        then sleeps as usual."""
        if not self._fast:
            return
        clock = time.monotonic
        until = clock() + self._spin_s
        poll = self._poll
        pause = os.sched_yield
        while not poll(0) and clock() < until:
            pause()  # a process that has work on this core (the kernel) runs first

    def learn(self, elapsed: float) -> None:
        """Record how long the last reply took from the request's send: the next wait spins
        only if it came back within the window."""
        self._fast = self._spin_s > 0 and elapsed <= self._spin_s
