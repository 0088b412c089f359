"""Misuse: turning secret material into model-visible text through the redactor."""

from __future__ import annotations

from crustcore_nano import Kernel, ModelVisibleText, SecretMaterial


def leak(kernel: Kernel, secret: SecretMaterial) -> ModelVisibleText:
    return kernel.redact(secret)  # expect-error
