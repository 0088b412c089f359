"""Capability tokens: what a tool may touch, minted by the kernel and checked where used.

Each token names one kind of authority (read files under a root, write files under a root, reach
an allowlist of hosts, execute in a sandbox profile, use one secret handle), the task it was minted
for and when it expires, and carries an HMAC under the kernel's key over all of that. The tokens
are distinct classes, so a checker rejects a file-write token where an exec token is required, and
``CapabilityMint.require_*`` rejects a forged, edited, expired or out-of-scope token at run time.
"""

from __future__ import annotations

import os
from typing import Never, TypeVar, final

from crustcore_nano._seal import MacKey, SealedMixin, build, refuse
from crustcore_nano.errors import CapabilityError
from crustcore_nano.secrets.material import SecretHandle

DEFAULT_CAP_TTL_MS = 3_600_000


class CapabilityToken(SealedMixin, open_base=True):
    """Common shape of every capability token (abstract; never minted itself)."""

    __slots__ = ("task_id", "expires_at_ms", "mac")
    task_id: str
    expires_at_ms: int
    mac: str

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse(f"{type(self).__name__}()")

    def scope(self) -> tuple[str, ...]:
        """The authority this token grants, as text (what the MAC covers besides task/expiry)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self.scope())}, task={self.task_id})"


@final
class FileReadCap(CapabilityToken):
    __slots__ = ("root",)
    root: str

    def scope(self) -> tuple[str, ...]:
        return (self.root,)


@final
class FileWriteCap(CapabilityToken):
    __slots__ = ("root",)
    root: str

    def scope(self) -> tuple[str, ...]:
        return (self.root,)


@final
class NetworkCap(CapabilityToken):
    __slots__ = ("allowlist",)
    allowlist: tuple[str, ...]

    def scope(self) -> tuple[str, ...]:
        return self.allowlist


@final
class SandboxExecCap(CapabilityToken):
    __slots__ = ("profile",)
    profile: str

    def scope(self) -> tuple[str, ...]:
        return (self.profile,)


@final
class SecretUseCap(CapabilityToken):
    __slots__ = ("handle",)
    handle: SecretHandle

    def scope(self) -> tuple[str, ...]:
        return (self.handle.uri,)


C = TypeVar("C", bound=CapabilityToken)


def within(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or below it, on segment boundaries (lexically)."""
    path = os.path.normpath(path)
    root = os.path.normpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


class CapabilityMint:
    """Held by the kernel: mints tokens and checks them at the point of use."""

    def __init__(self, key: MacKey, *, ttl_ms: int = DEFAULT_CAP_TTL_MS) -> None:
        self._key = key
        self._ttl_ms = ttl_ms

    def _sign(
        self, cls: type[CapabilityToken], task_id: str, expires: int, scope: tuple[str, ...]
    ) -> str:
        return self._key.sign("cap:" + cls.__name__, task_id, expires, *scope)

    def _mint(self, cls: type[C], task_id: str, now_ms: int, **fields: object) -> C:
        token = build(cls, task_id=task_id, expires_at_ms=now_ms + self._ttl_ms, mac="", **fields)
        object.__setattr__(
            token, "mac", self._sign(cls, task_id, token.expires_at_ms, token.scope())
        )
        return token

    # --- minting ------------------------------------------------------------------------------
    def file_read(self, root: str, *, task_id: str, now_ms: int) -> FileReadCap:
        return self._mint(FileReadCap, task_id, now_ms, root=os.path.normpath(root))

    def file_write(self, root: str, *, task_id: str, now_ms: int) -> FileWriteCap:
        return self._mint(FileWriteCap, task_id, now_ms, root=os.path.normpath(root))

    def network(self, allowlist: tuple[str, ...], *, task_id: str, now_ms: int) -> NetworkCap:
        hosts = tuple(sorted({h.lower().rstrip(".") for h in allowlist}))
        return self._mint(NetworkCap, task_id, now_ms, allowlist=hosts)

    def sandbox_exec(self, profile: str, *, task_id: str, now_ms: int) -> SandboxExecCap:
        return self._mint(SandboxExecCap, task_id, now_ms, profile=profile)

    def secret_use(self, handle: SecretHandle, *, task_id: str, now_ms: int) -> SecretUseCap:
        return self._mint(SecretUseCap, task_id, now_ms, handle=handle)

    # --- checking at use ------------------------------------------------------------------------
    def check(self, token: C, cls: type[C], *, now_ms: int) -> C:
        if type(token) is not cls:
            raise CapabilityError(f"refused: {cls.__name__} required, got {type(token).__name__}")
        try:
            ok = self._key.check(
                token.mac,
                "cap:" + cls.__name__,
                token.task_id,
                token.expires_at_ms,
                *token.scope(),
            )
        except (AttributeError, TypeError):
            ok = False
        if not ok:
            raise CapabilityError(f"refused: {cls.__name__} is forged or was edited after minting")
        if now_ms > token.expires_at_ms:
            raise CapabilityError(f"refused: {cls.__name__} for task {token.task_id} expired")
        return token

    def require_file_read(self, token: FileReadCap, path: str, *, now_ms: int) -> None:
        cap = self.check(token, FileReadCap, now_ms=now_ms)
        if not within(path, cap.root):
            raise CapabilityError(f"refused: read of {path} is outside the granted root {cap.root}")

    def require_file_write(self, token: FileWriteCap, path: str, *, now_ms: int) -> None:
        cap = self.check(token, FileWriteCap, now_ms=now_ms)
        if not within(path, cap.root):
            raise CapabilityError(
                f"refused: write to {path} is outside the granted root {cap.root}"
            )

    def require_network(self, token: NetworkCap, host: str, *, now_ms: int) -> None:
        cap = self.check(token, NetworkCap, now_ms=now_ms)
        if host.lower().rstrip(".") not in cap.allowlist:
            raise CapabilityError(f"refused: {host} is not on the granted allowlist")

    def require_exec(self, token: SandboxExecCap, profile: str, *, now_ms: int) -> None:
        cap = self.check(token, SandboxExecCap, now_ms=now_ms)
        if cap.profile != profile:
            raise CapabilityError(
                f"refused: exec token is for profile '{cap.profile}', not '{profile}'"
            )

    def require_secret(self, token: SecretUseCap, handle: SecretHandle, *, now_ms: int) -> None:
        cap = self.check(token, SecretUseCap, now_ms=now_ms)
        if cap.handle != handle:
            raise CapabilityError(f"refused: token is for {cap.handle.uri}, not {handle.uri}")
