"""The one exception hierarchy of crustcore-nano.

Every refusal says what was refused, which rule or check refused it, and what the user can do.
No message ever contains secret material: messages are built from labels, ids and digests only.
"""

from __future__ import annotations


class CrustCoreError(Exception):
    """Root of every error CrustCore raises on purpose."""


class UsageError(CrustCoreError):
    """Bad input from a caller or a user (wrong type, malformed value, unknown option)."""


class ConfigError(UsageError):
    """A configuration file is invalid; the message names the file, line and key."""


class SealError(CrustCoreError):
    """A sealed value was forged, edited, replayed or used outside what it authorizes."""


class SecretError(CrustCoreError):
    """A secret could not be registered, found or handed out."""


class ApprovalError(CrustCoreError):
    """An approval is missing, expired, already used, for another action, or resolved by a
    non-user actor."""


class CapabilityError(SealError):
    """A capability token is not genuine or does not cover the requested use."""


class PatchError(SealError):
    """A patch is not a genuine, matching, unused `VerifiedPatch`."""


class BudgetExhausted(CrustCoreError):
    """A task ran out of one budget axis and is blocked until the user steers it."""


class KernelError(CrustCoreError):
    """The kernel refused a request (unknown task, wrong state, wrong actor)."""


class LogError(CrustCoreError):
    """The event log could not be written or read."""
