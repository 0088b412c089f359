"""Roles on the kernel socket, the operations each may call, and the per-launch tokens.

Every peer is the same local user (``SO_PEERCRED``); roles separate the programs that user runs.
The plain ``client`` role (orchestrators, hooks) needs no token and can never receive secret
material. Sidecars started by ``crustcore up`` prove their role with a random token handed to
them over an inherited pipe; ``admin`` is the user's own CLI, proven by ``run/admin.token``. Tokens
exist only in the kernel's memory for one launch, so a token from an earlier launch is refused.
"""

from __future__ import annotations

import enum
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from crustcore_nano.errors import UsageError

TOKEN_BYTES = 32
MAX_TOKENS_TEXT = 64 * 1024
ADMIN_TOKEN_FILE = "admin.token"  # noqa: S105 - a file name, not a credential


class Role(enum.Enum):
    CLIENT = "client"
    NET = "net"
    MCP = "mcp"
    SANDBOX = "sandbox"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: object) -> Role:
        for member in cls:
            if member.value == text:
                return member
        names = ", ".join(m.value for m in cls)
        raise UsageError(f"unknown role {text!r:.40}; roles are {names}")

    @property
    def needs_token(self) -> bool:
        return self is not Role.CLIENT


CLIENT_OPS: frozenset[str] = frozenset(
    {
        "hello",
        "status",
        "check",
        "record",
        "redact",
        "approval.request",
        "approval.wait",
        "task.create",
        "task.get",
        "task.charge",
        "task.claim_done",
        "task.start_job",
        "session.observe",
        "tool.complete",
        "receipt.mint",
    }
)
SECRET_OPS: frozenset[str] = frozenset({"secret.inject"})
ADMIN_ONLY_OPS: frozenset[str] = frozenset(
    {
        "approvals.list",
        "approval.resolve",
        "secrets.list",
        "secrets.add",
        "secrets.rm",
        "shutdown",
    }
)
ALL_OPS: frozenset[str] = CLIENT_OPS | SECRET_OPS | ADMIN_ONLY_OPS

ROLE_OPS: Mapping[Role, frozenset[str]] = {
    Role.CLIENT: CLIENT_OPS,
    Role.NET: CLIENT_OPS | SECRET_OPS,
    Role.MCP: CLIENT_OPS,
    Role.SANDBOX: CLIENT_OPS,
    Role.ADMIN: CLIENT_OPS | ADMIN_ONLY_OPS,
}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class TokenStore:
    """The tokens of this launch, per role. Compared in constant time; never logged."""

    __slots__ = ("_tokens",)

    def __init__(self) -> None:
        self._tokens: dict[Role, list[bytes]] = {}

    def add(self, role: Role, token: str) -> None:
        if not role.needs_token:
            raise UsageError("the client role takes no token")
        if len(token) < 16 or not token.isascii() or not token.isprintable() or " " in token:
            raise UsageError(f"a {role.value} token must be at least 16 printable ASCII characters")
        self._tokens.setdefault(role, []).append(token.encode("ascii"))

    def roles(self) -> frozenset[Role]:
        return frozenset(self._tokens)

    def check(self, role: Role, token: object) -> bool:
        """True when ``token`` is one of this launch's tokens for ``role``."""
        if not role.needs_token:
            return True
        if not isinstance(token, str) or not token.isascii():
            return False
        given = token.encode("ascii")
        found = False
        for known in self._tokens.get(role, ()):
            # No early exit: the time taken does not say which token (if any) matched.
            found |= hmac.compare_digest(known, given)
        return found


def parse_token_lines(text: str) -> list[tuple[Role, str]]:
    """``role:token`` lines (blank lines ignored), as the supervisor writes them to the pipe."""
    out: list[tuple[Role, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        role_name, sep, token = line.partition(":")
        if not sep or not token:
            raise UsageError(f"token line {number} is not 'role:token'")
        role = Role.parse(role_name.strip())
        if not role.needs_token:
            raise UsageError(f"token line {number}: the client role takes no token")
        out.append((role, token.strip()))
    return out


def read_tokens_fd(fd: int) -> list[tuple[Role, str]]:
    """Read ``role:token`` lines from an inherited pipe until EOF, then close it."""
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_TOKENS_TEXT:
                raise UsageError(f"more than {MAX_TOKENS_TEXT} bytes of tokens on fd {fd}")
            chunks.append(chunk)
    finally:
        os.close(fd)
    try:
        text = b"".join(chunks).decode("ascii")
    except UnicodeDecodeError:
        raise UsageError(f"the tokens on fd {fd} are not ASCII") from None
    return parse_token_lines(text)


def write_admin_token(run_dir: Path, token: str) -> Path:
    """Write ``run/admin.token`` (0600) atomically: created under a temporary name, renamed."""
    path = run_dir / ADMIN_TOKEN_FILE
    tmp = run_dir / f".{ADMIN_TOKEN_FILE}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, token.encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def read_admin_token(run_dir: Path) -> str:
    path = run_dir / ADMIN_TOKEN_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise UsageError(
            f"{path} does not exist: no kernel is running for this home, or it is not yours"
        ) from None


def load_tokens(pairs: Iterable[tuple[Role, str]], store: TokenStore | None = None) -> TokenStore:
    store = store if store is not None else TokenStore()
    for role, token in pairs:
        store.add(role, token)
    return store
