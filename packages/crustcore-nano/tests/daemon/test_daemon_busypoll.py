"""Busy polling in the daemon's event loop and the blocking client (`daemon/busypoll.py`).

What matters for a security daemon is that looking for messages is bounded: a daemon with no
traffic sleeps at once, a spin never outlasts the wait it replaces, and a client whose replies
are slow stops spinning. The tests count the selector calls rather than time anything.
"""

from __future__ import annotations

import selectors
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon import busypoll
from crustcore_nano.daemon.busypoll import (
    DEFAULT_SPIN_US,
    ReplyWaiter,
    SpinningSelector,
    spin_seconds,
    spinning_loop,
)
from crustcore_nano.daemon.client import KernelClient
from crustcore_nano.policy.types import ToolCall, Verdict

_Calls = list[float | None]


@pytest.mark.parametrize(
    ("raw", "expected_us"),
    [
        (None, DEFAULT_SPIN_US),
        ("0", 0),
        ("250", 250),
        (" 40 ", 40),
        ("10000", 10_000),
        ("10001", DEFAULT_SPIN_US),  # longer than the cap: the default, not a long spin
        ("-1", DEFAULT_SPIN_US),
        ("1e3", DEFAULT_SPIN_US),
        ("fast", DEFAULT_SPIN_US),
        ("", DEFAULT_SPIN_US),
    ],
)
def test_spin_window_is_read_from_the_environment(raw: str | None, expected_us: int) -> None:
    environ = {} if raw is None else {busypoll.SPIN_ENV: raw}
    assert spin_seconds(environ) == pytest.approx(expected_us / 1e6)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    near, far = socket.socketpair()
    yield near, far
    near.close()
    far.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> _Calls:
    """The timeouts of every call to the platform selector under `SpinningSelector`."""
    calls: _Calls = []
    base = selectors.DefaultSelector.select

    def select(
        self: selectors.BaseSelector, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        calls.append(timeout)
        return base(self, timeout)  # type: ignore[arg-type]

    monkeypatch.setattr(selectors.DefaultSelector, "select", select)
    return calls


def _selector(near: socket.socket, spin_s: float) -> SpinningSelector:
    sel = SpinningSelector(spin_s)
    sel.register(near, selectors.EVENT_READ)
    return sel


def _busy(
    pair: tuple[socket.socket, socket.socket], spin_s: float, calls: _Calls
) -> SpinningSelector:
    """A selector whose last wait ended with a message (which is read), with `calls` cleared."""
    near, far = pair
    sel = _selector(near, spin_s)
    far.send(b"x")
    assert sel.select(1.0)
    assert near.recv(16) == b"x"
    calls.clear()
    return sel


def test_an_idle_selector_sleeps_at_once(
    pair: tuple[socket.socket, socket.socket], counted: _Calls
) -> None:
    near, _ = pair
    sel = _selector(near, 5.0)  # a long window: any spin here would show in the count
    assert sel.select(0.01) == []
    assert counted == [0.01]


def test_after_traffic_it_spins_then_sleeps_for_what_is_left(
    pair: tuple[socket.socket, socket.socket], counted: _Calls
) -> None:
    sel = _busy(pair, 0.02, counted)
    assert sel.select(0.2) == []  # nothing comes: spin 20 ms, then sleep for the rest
    *spins, last = counted
    assert spins and all(t == 0 for t in spins)
    assert last is not None and 0 < last < 0.2
    counted.clear()
    assert sel.select(0.01) == []  # the last wait found nothing: no spin this time
    assert counted == [0.01]


def test_a_message_during_the_spin_is_taken_without_sleeping(
    pair: tuple[socket.socket, socket.socket], counted: _Calls
) -> None:
    sel = _busy(pair, 5.0, counted)
    near, far = pair
    timer = threading.Timer(0.005, far.send, (b"y",))
    timer.start()
    try:
        ready = sel.select(None)  # would block forever if the spin did not see the message
    finally:
        timer.join()
    assert [key.fileobj for key, _ in ready] == [near]
    assert counted and all(t == 0 for t in counted)


def test_a_spin_never_outlasts_the_wait_it_replaces(
    pair: tuple[socket.socket, socket.socket], counted: _Calls
) -> None:
    sel = _busy(pair, 5.0, counted)
    assert sel.select(0.01) == []  # a 10 ms timer is due: the 5 s window is cut to it
    assert counted[-1] == 0.0


def test_a_poll_without_timeout_keeps_the_selector_busy(
    pair: tuple[socket.socket, socket.socket], counted: _Calls
) -> None:
    sel = _busy(pair, 0.005, counted)
    assert sel.select(0) == []  # asyncio polls like this while callbacks are ready
    counted.clear()
    sel.select(0.5)
    assert len(counted) > 1  # still busy: it spun before sleeping


def test_a_zero_window_never_spins(
    pair: tuple[socket.socket, socket.socket], counted: _Calls
) -> None:
    sel = _busy(pair, 0.0, counted)
    assert sel.select(0.01) == []
    assert counted == [0.01]


def test_the_loop_factory_reads_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(busypoll.SPIN_ENV, "0")
    loop = spinning_loop()
    try:
        assert loop.run_until_complete(_answer()) == 42
    finally:
        loop.close()


async def _answer() -> int:
    return 42


def _polls(waiter: ReplyWaiter) -> list[float | None]:
    """Replace the waiter's poll with one that records its calls and finds nothing."""
    seen: list[float | None] = []

    def poll(timeout: float | None = None) -> list[tuple[int, int]]:
        seen.append(timeout)
        return []

    waiter._poll = poll  # pyright: ignore[reportPrivateUsage]
    return seen


def test_the_client_spins_only_while_replies_come_within_the_window(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    near, _ = pair
    waiter = ReplyWaiter(near, 0.002)
    polls = _polls(waiter)
    waiter.wait()  # a new client expects a quick reply
    assert polls and all(t == 0 for t in polls)
    waiter.learn(0.5)  # that reply was slow (queued behind other clients' work)
    polls.clear()
    waiter.wait()
    assert polls == []  # sleeps in recv at once
    waiter.learn(0.001)  # quick again
    waiter.wait()
    assert polls


def test_the_client_stops_looking_once_its_reply_is_there(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    near, far = pair
    far.send(b"reply")
    ReplyWaiter(near, 5.0).wait()  # would take 5 s if it did not see the reply
    assert near.recv(16) == b"reply"


def test_a_zero_window_client_never_spins(pair: tuple[socket.socket, socket.socket]) -> None:
    near, _ = pair
    waiter = ReplyWaiter(near, 0.0)
    polls = _polls(waiter)
    waiter.wait()
    waiter.learn(0.0)
    waiter.wait()
    assert polls == []


@pytest.mark.parametrize("window_us", ["0", "500"])
def test_checks_over_the_socket_with_and_without_spinning(
    daemon: tuple[Path, subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    window_us: str,
) -> None:
    home, _ = daemon
    monkeypatch.setenv(busypoll.SPIN_ENV, window_us)
    with KernelClient(home) as client:
        for _ in range(20):  # back to back: with a window, the client spins for each reply
            denied = client.check(ToolCall("Bash", {"command": "cat ~/.ssh/id_rsa"}))
            assert denied.verdict is Verdict.DENY
            allowed = client.check(ToolCall("Bash", {"command": "git status"}))
            assert allowed.verdict is Verdict.ALLOW
