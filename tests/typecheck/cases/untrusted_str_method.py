"""Misuse: treating Untrusted[str] as a str by calling a string method on it."""

from __future__ import annotations

from crustcore_nano import Source, Untrusted


def shout(output: Untrusted[str]) -> None:
    output.upper()  # expect-error


shout(Untrusted("ok", Source.SHELL, "ls"))
