"""Misuse: subclassing a concrete capability token class."""

from __future__ import annotations

from crustcore_nano import SandboxExecCap


class AnyProfileCap(SandboxExecCap):  # expect-error
    __slots__ = ()
