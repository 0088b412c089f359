"""Fixtures for the daemon tests: a real kernel daemon process on a temporary home."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.launch import start_daemon, stop_daemon


@pytest.fixture(scope="module")
def daemon(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """One daemon for a test module: (home, process). Stopped (SIGTERM) after the module."""
    home = tmp_path_factory.mktemp("cc")
    proc = start_daemon(home)
    yield home, proc
    stop_daemon(proc)


@pytest.fixture(scope="module")
def daemon_home(daemon: tuple[Path, subprocess.Popen[bytes]]) -> Path:
    return daemon[0]
