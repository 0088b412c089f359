"""Fuzz the URL/host/port helpers and the chmod mode reader used by the shell analysis."""

from __future__ import annotations

import sys

from crustcore_nano.shell import mode_bits
from crustcore_nano.shell.netparse import (
    file_url_path,
    looks_like_host,
    parse_dev_tcp,
    split_host_port,
    url_target,
)


def TestOneInput(data: bytes) -> None:
    """None of the helpers may raise; ports, when found, are valid port numbers."""
    text = data.decode("utf-8", errors="replace")
    target = url_target(text, "fuzz")
    if target is not None and target.port is not None and not 0 <= target.port < 65536:
        raise AssertionError(f"bad port {target.port}")
    _, port = split_host_port(text)
    if port is not None and not 0 <= port < 65536:
        raise AssertionError(f"bad port {port}")
    looks_like_host(text)
    file_url_path(text)
    tcp = parse_dev_tcp(text)
    if tcp is not None and tcp.via not in ("/dev/tcp", "/dev/udp"):
        raise AssertionError("dev tcp target with a wrong via")
    world, setuid, setgid = mode_bits(text)
    if not all(isinstance(b, bool) for b in (world, setuid, setgid)):
        raise AssertionError("mode bits must be booleans")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_netparse.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
