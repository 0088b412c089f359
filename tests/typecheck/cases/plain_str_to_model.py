"""Misuse: sending a plain str to a model without the redactor."""

from __future__ import annotations

from crustcore_nano import ModelVisibleText


def send_to_model(text: ModelVisibleText) -> None: ...


def build_prompt(task: str) -> None:
    send_to_model(f"Please do: {task}")  # expect-error
