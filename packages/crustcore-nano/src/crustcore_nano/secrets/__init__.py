"""Secrets: material, handles, the broker and the redactor."""

from crustcore_nano.secrets.broker import ApprovedSecretView, SecretBroker, SecretUse
from crustcore_nano.secrets.material import SecretAvailability, SecretHandle, SecretMaterial
from crustcore_nano.secrets.redactor import (
    ModelVisibleText,
    Redactor,
    StreamRedactor,
    require_model_visible,
)

__all__ = [
    "ApprovedSecretView",
    "ModelVisibleText",
    "Redactor",
    "SecretAvailability",
    "SecretBroker",
    "SecretHandle",
    "SecretMaterial",
    "SecretUse",
    "StreamRedactor",
    "require_model_visible",
]
