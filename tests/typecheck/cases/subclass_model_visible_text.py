"""Misuse: subclassing ModelVisibleText to get a constructible look-alike."""

from __future__ import annotations

from crustcore_nano import ModelVisibleText


class MyText(ModelVisibleText):  # expect-error
    __slots__ = ()
