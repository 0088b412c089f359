"""Approvals: the user's consent to one exact action, once, for a while.

``ApprovalEngine.request`` records a pending approval bound to the SHA-256 digest of the exact
resolved action. Only an :class:`AuthorizedUser` can resolve it, and only by naming the digest it
was shown, so an approval cannot be redirected to another action. Approval mints ``Approved[T]``:
sealed, MAC'd by the kernel's key, expiring, and single-use (``consume`` checks MAC, digest,
expiry and use). Models, subagents, workers and adapters are actors that can ask, never resolve.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Never, Protocol, TypeVar, final

from crustcore_nano._seal import MacKey, SealedMixin, build, refuse, sha256_hex
from crustcore_nano.errors import ApprovalError, SealError
from crustcore_nano.ids import ApprovalId

APPROVAL_TTL_MS = 300_000
MAX_TRACKED = 10_000  # approvals remembered before finished ones are forgotten, oldest first


class Actor(enum.Enum):
    """Who caused an event. Only USER may approve or steer; only VERIFIER may verify patches."""

    KERNEL = "kernel"
    USER = "user"
    MODEL = "model"
    SUBAGENT = "subagent"
    WORKER = "worker"
    ADAPTER = "adapter"
    VERIFIER = "verifier"


class Reversibility(enum.Enum):
    REVERSIBLE = "reversible"
    REVERSIBLE_WITH_CLEANUP = "reversible-with-cleanup"
    IRREVERSIBLE = "irreversible"
    DESTRUCTIVE = "destructive"

    @classmethod
    def of(cls, value: Reversibility | str | None) -> Reversibility:
        """A missing or unknown value counts as irreversible."""
        if isinstance(value, Reversibility):
            return value
        if isinstance(value, str):
            for member in cls:
                if member.value == value:
                    return member
        return cls.IRREVERSIBLE

    @property
    def requires_approval(self) -> bool:
        return self in (Reversibility.IRREVERSIBLE, Reversibility.DESTRUCTIVE)


class Approvable(Protocol):
    """What an approval can be about: something with a stable digest and a human summary."""

    def approval_digest(self) -> str: ...

    def approval_summary(self) -> str: ...


A = TypeVar("A", bound=Approvable)
A_co = TypeVar("A_co", bound=Approvable, covariant=True)


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A resolved action described as data: ``kind`` plus canonical parameters.

    The digest covers everything, so approving ``git push origin main`` does not approve
    ``git push --force origin main``.
    """

    kind: str
    summary: str
    params: Mapping[str, object]
    reversibility: Reversibility = Reversibility.IRREVERSIBLE

    def approval_digest(self) -> str:
        return sha256_hex(
            canonical_json(
                {
                    "kind": self.kind,
                    "params": self.params,
                    "reversibility": self.reversibility.value,
                }
            )
        )

    def approval_summary(self) -> str:
        return self.summary


@final
class AuthorizedUser(SealedMixin):
    """The local human user, bound at the trusted setup boundary (the CLI, the kernel's own
    approval channel). Minted only by the kernel; there is no way to turn an ``Actor`` into one."""

    __slots__ = ("name", "mac")
    name: str
    mac: str

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse("AuthorizedUser()")

    def __repr__(self) -> str:
        return f"AuthorizedUser({self.name!r})"


class ApprovalState(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True, slots=True)
class PendingApproval(Generic[A_co]):
    """What the user is asked: the action, its digest and summary, who asked, until when."""

    approval_id: ApprovalId
    action: A_co
    digest: str
    summary: str
    requested_by: Actor
    reversibility: Reversibility
    created_at_ms: int
    expires_at_ms: int

    def to_json(self) -> dict[str, object]:
        return {
            "approval_id": self.approval_id,
            "digest": self.digest,
            "summary": self.summary,
            "requested_by": self.requested_by.value,
            "reversibility": self.reversibility.value,
            "created_at_ms": self.created_at_ms,
            "expires_at_ms": self.expires_at_ms,
        }


@final
class Approved(SealedMixin, Generic[A_co]):
    """Proof that the user approved exactly ``action``. Minted only by ``ApprovalEngine``."""

    __slots__ = ("action", "approval_id", "digest", "approved_by", "expires_at_ms", "mac")
    action: A_co
    approval_id: ApprovalId
    digest: str
    approved_by: str
    expires_at_ms: int
    mac: str

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse("Approved()")

    def __repr__(self) -> str:
        return f"Approved({self.approval_id}, {self.digest[:12]}…, by={self.approved_by!r})"


class ApprovalEngine:
    """Holds pending approvals and mints ``Approved[T]``. Owned by the kernel (it has the key)."""

    def __init__(self, key: MacKey, *, ttl_ms: int = APPROVAL_TTL_MS) -> None:
        self._key = key
        self._ttl_ms = ttl_ms
        self._next = 1
        self._pending: dict[ApprovalId, PendingApproval[Approvable]] = {}
        self._state: dict[ApprovalId, ApprovalState] = {}

    # --- the user ----------------------------------------------------------------------------
    def authorize_user(self, name: str) -> AuthorizedUser:
        """Bind the local user. Call this only at a trusted boundary (the CLI run by the user)."""
        return build(AuthorizedUser, name=name, mac=self._key.sign("user", name))

    def _check_user(self, user: object) -> str:
        if type(user) is not AuthorizedUser:
            who = user.value if isinstance(user, Actor) else type(user).__name__
            raise ApprovalError(
                f"refused: approvals can be resolved only by the authorized user, not by '{who}'"
            )
        try:
            ok = self._key.check(user.mac, "user", user.name)
        except AttributeError:
            ok = False
        if not ok:
            raise ApprovalError(
                "refused: the AuthorizedUser is forged or was minted by another kernel"
            )
        return user.name

    # --- requests ----------------------------------------------------------------------------
    def request(
        self,
        action: A,
        *,
        requested_by: Actor,
        now_ms: int,
        reversibility: Reversibility | str | None = None,
        approval_id: ApprovalId | None = None,
    ) -> PendingApproval[A]:
        if approval_id is None:
            approval_id = ApprovalId(f"apr-{self._next}")
            self._next += 1
        if approval_id in self._state:
            raise ApprovalError(f"approval id {approval_id} already exists")
        if len(self._state) >= MAX_TRACKED:
            self._forget_finished(now_ms)
        pending = PendingApproval(
            approval_id=approval_id,
            action=action,
            digest=action.approval_digest(),
            summary=action.approval_summary(),
            requested_by=requested_by,
            reversibility=Reversibility.of(reversibility),
            created_at_ms=now_ms,
            expires_at_ms=now_ms + self._ttl_ms,
        )
        self._pending[approval_id] = pending
        self._state[approval_id] = ApprovalState.PENDING
        return pending

    def _forget_finished(self, now_ms: int) -> None:
        """Drop approvals that can never release anything again (used, denied, expired, or
        approved but past their expiry). A forgotten approval is unknown, and unknown approvals
        are refused everywhere, so forgetting never turns a refusal into a release."""
        self._expire(now_ms)
        done = [
            i
            for i, state in self._state.items()
            if state in (ApprovalState.USED, ApprovalState.DENIED, ApprovalState.EXPIRED)
            or (state is ApprovalState.APPROVED and now_ms > self._pending[i].expires_at_ms)
        ]
        for approval_id in done:
            del self._state[approval_id]
            del self._pending[approval_id]

    def known(self, approval_id: ApprovalId) -> bool:
        return approval_id in self._state

    def tracked(self) -> int:
        """How many approvals are remembered (bounded by ``MAX_TRACKED`` plus live ones)."""
        return len(self._state)

    def get(self, approval_id: ApprovalId) -> PendingApproval[Approvable]:
        try:
            return self._pending[approval_id]
        except KeyError:
            raise ApprovalError(f"no approval with id {approval_id}") from None

    def state(self, approval_id: ApprovalId) -> ApprovalState:
        try:
            return self._state[approval_id]
        except KeyError:
            raise ApprovalError(f"no approval with id {approval_id}") from None

    def pending(self, *, now_ms: int) -> tuple[PendingApproval[Approvable], ...]:
        self._expire(now_ms)
        return tuple(p for i, p in self._pending.items() if self._state[i] is ApprovalState.PENDING)

    def withdraw(self, approval_id: ApprovalId) -> bool:
        """End a pending approval that the user will never be asked about (for example one a
        flooding caller opened past its limit). It is recorded as expired, so it can never be
        approved and a waiter sees it end. Withdrawing only takes consent away, which is why
        no user is needed. True when it was pending."""
        if self.state(approval_id) is not ApprovalState.PENDING:
            return False
        self._state[approval_id] = ApprovalState.EXPIRED
        return True

    def _expire(self, now_ms: int) -> None:
        for approval_id, pending in self._pending.items():
            if self._state[approval_id] is ApprovalState.PENDING and now_ms > pending.expires_at_ms:
                self._state[approval_id] = ApprovalState.EXPIRED

    # --- resolution (the user only) ----------------------------------------------------------
    def approve(
        self, pending: PendingApproval[A], *, by: AuthorizedUser, digest: str, now_ms: int
    ) -> Approved[A]:
        """Approve exactly the action whose digest the user was shown."""
        name = self._resolve(pending.approval_id, by, digest, now_ms, ApprovalState.APPROVED)
        expires = pending.expires_at_ms
        approved: Approved[A] = build(  # pyright: ignore[reportUnknownVariableType]
            Approved,
            action=pending.action,
            approval_id=pending.approval_id,
            digest=pending.digest,
            approved_by=name,
            expires_at_ms=expires,
            mac=self._key.sign("approved", pending.approval_id, pending.digest, name, expires),
        )
        return approved

    def deny(
        self, approval_id: ApprovalId, *, by: AuthorizedUser, digest: str, now_ms: int
    ) -> None:
        self._resolve(approval_id, by, digest, now_ms, ApprovalState.DENIED)

    def _resolve(
        self,
        approval_id: ApprovalId,
        user: object,
        digest: str,
        now_ms: int,
        outcome: ApprovalState,
    ) -> str:
        name = self._check_user(user)
        pending = self.get(approval_id)
        self._expire(now_ms)
        state = self._state[approval_id]
        if state is not ApprovalState.PENDING:
            raise ApprovalError(f"refused: approval {approval_id} is {state.value}, not pending")
        if digest != pending.digest:
            raise ApprovalError(
                f"refused: approval {approval_id} is for action {pending.digest[:12]}…, not the "
                f"action {digest[:12]}… that was shown; look at `crustcore approvals` again"
            )
        self._state[approval_id] = outcome
        return name

    # --- use ------------------------------------------------------------------------------------
    def consume(self, approved: Approved[A], action: A, *, now_ms: int) -> A:
        """Check an approval at the point of use and spend it. Returns the approved action."""
        self.check(approved, action, now_ms=now_ms)
        self._state[approved.approval_id] = ApprovalState.USED
        return approved.action

    def check(self, approved: Approved[A], action: Approvable, *, now_ms: int) -> None:
        if type(approved) is not Approved:
            raise ApprovalError(f"refused: {type(approved).__name__} is not an approval")
        try:
            fields = (
                approved.approval_id,
                approved.digest,
                approved.approved_by,
                approved.expires_at_ms,
            )
            ok = self._key.check(approved.mac, "approved", *fields)
        except AttributeError:
            ok = False
        if not ok:
            raise SealError("refused: approval token is forged or was edited after minting")
        if approved.digest != action.approval_digest():
            raise ApprovalError(
                f"refused: approval {approved.approval_id} was given for another action"
            )
        if approved.action.approval_digest() != approved.digest:
            raise SealError("refused: approval token carries an action that does not match it")
        state = self._state.get(approved.approval_id)
        if state is ApprovalState.USED:
            raise ApprovalError(f"refused: approval {approved.approval_id} was already used")
        if state is not ApprovalState.APPROVED:
            raise ApprovalError(f"refused: approval {approved.approval_id} is not approved here")
        if now_ms > approved.expires_at_ms:
            self._state[approved.approval_id] = ApprovalState.EXPIRED
            raise ApprovalError(f"refused: approval {approved.approval_id} expired")
