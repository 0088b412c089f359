"""Misuse: sending untrusted tool output to a model without the redactor."""

from __future__ import annotations

from crustcore_nano import ModelVisibleText, Source, Untrusted


def send_to_model(text: ModelVisibleText) -> None: ...


page: Untrusted[str] = Untrusted("<html>...</html>", Source.WEB, "https://example.com")
send_to_model(page)  # expect-error
