"""Misuse: subclassing Untrusted to add string behaviour back."""

from __future__ import annotations

from crustcore_nano import Untrusted


class StrUntrusted(Untrusted[str]):  # expect-error
    def upper(self) -> str:
        return self.value.upper()
