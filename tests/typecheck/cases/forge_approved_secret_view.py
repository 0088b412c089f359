"""Misuse: building a view of a secret's value without an approval for that use.

Every field is supplied (positionally), so only the seal rejects it.
"""

from __future__ import annotations

from crustcore_nano import ApprovedSecretView, SecretHandle, SecretMaterial, SecretUse

use = SecretUse(handle=SecretHandle("github"), host="evil.example")
material = SecretMaterial("ghp_0123456789abcdef", label="github")
view = ApprovedSecretView(use, 2**62, material, [False])  # expect-error
