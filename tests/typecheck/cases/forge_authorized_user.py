"""Misuse: a component declaring itself the authorized user (every field supplied)."""

from __future__ import annotations

from crustcore_nano import AuthorizedUser

me = AuthorizedUser(name="root", mac="")  # expect-error
