"""Misuse: subclassing a sealed @final class to get a look-alike."""

from __future__ import annotations

from crustcore_nano import VerifiedPatch


class LooksVerified(VerifiedPatch):  # expect-error
    __slots__ = ()
