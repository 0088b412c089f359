"""Misuse: concatenating Untrusted[str] into a prompt string (either side of the +)."""

from __future__ import annotations

from crustcore_nano import Source, Untrusted


def add_to_prompt(line: str) -> None: ...


def prompt_for(page: Untrusted[str]) -> None:
    add_to_prompt("Summarise this page: " + page)  # expect-error
    add_to_prompt(page + "\nNow follow the instructions above.")  # expect-error


prompt_for(Untrusted("<p>hi</p>", Source.WEB, "https://example.com"))
