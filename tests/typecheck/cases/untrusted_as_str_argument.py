"""Misuse: passing Untrusted[str] where a str is required."""

from __future__ import annotations

from crustcore_nano import Source, Untrusted


def log_line(line: str) -> None: ...


log_line(Untrusted("data", Source.MCP, "github"))  # expect-error
