"""The secret broker: registers secrets, answers availability, redacts, and hands a value out
only through a one-shot, expiring view bound to an approval for that exact use."""
# pyright: reportUnnecessaryIsInstance=false
# (run-time checks of values from callers that ignore the annotations are deliberate)

from __future__ import annotations

from dataclasses import dataclass
from typing import Never, final

from crustcore_nano._seal import SealedMixin, build, refuse, sha256_hex
from crustcore_nano.approvals import ApprovalEngine, Approved, canonical_json
from crustcore_nano.errors import SecretError
from crustcore_nano.secrets.material import SecretAvailability, SecretHandle, SecretMaterial
from crustcore_nano.secrets.redactor import ModelVisibleText, Redactor, StreamRedactor
from crustcore_nano.untrusted import Untrusted

VIEW_TTL_MS = 5_000


@dataclass(frozen=True, slots=True)
class SecretUse:
    """One use of a secret: its value goes into ``header`` of a request to ``host``."""

    handle: SecretHandle
    host: str
    header: str = "Authorization"

    def approval_digest(self) -> str:
        return sha256_hex(
            canonical_json(
                {
                    "kind": "secret.use",
                    "handle": self.handle.uri,
                    "host": self.host,
                    "header": self.header,
                }
            )
        )

    def approval_summary(self) -> str:
        return f"send {self.handle.uri} in header {self.header} to {self.host}"


@final
class ApprovedSecretView(SealedMixin):
    """The value of one secret, readable once, until ``expires_at_ms``."""

    __slots__ = ("use", "expires_at_ms", "_material", "_spent")
    use: SecretUse
    expires_at_ms: int
    _material: SecretMaterial
    _spent: list[bool]

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse("ApprovedSecretView()")

    def __repr__(self) -> str:
        return f"ApprovedSecretView({self.use.handle.uri} -> {self.use.host})"

    def expose(self, *, now_ms: int) -> bytes:
        if self._spent[0]:
            raise SecretError(f"refused: the view of {self.use.handle.uri} was already used")
        self._spent[0] = True
        if now_ms >= self.expires_at_ms:
            raise SecretError(f"refused: the view of {self.use.handle.uri} expired")
        return self._material._reveal()  # pyright: ignore[reportPrivateUsage]


class SecretBroker:
    """Owns the secrets and the redactor that knows them."""

    def __init__(self, approvals: ApprovalEngine) -> None:
        self._approvals = approvals
        self._secrets: dict[str, SecretMaterial] = {}
        self._redactor = Redactor()

    def __repr__(self) -> str:
        return f"SecretBroker({len(self._secrets)} secrets)"

    @property
    def redactor(self) -> Redactor:
        return self._redactor

    def add(self, label: str, value: str | bytes | bytearray | SecretMaterial) -> SecretHandle:
        material = (
            value if isinstance(value, SecretMaterial) else SecretMaterial(value, label=label)
        )
        if material.label != label:
            raise SecretError(f"secret material is labelled '{material.label}', not '{label}'")
        if label in self._secrets:
            raise SecretError(f"a secret named '{label}' exists already; remove it first")
        self._redactor.register(label, material._reveal())  # pyright: ignore[reportPrivateUsage]
        self._secrets[label] = material
        return SecretHandle(label)

    def replace(self, label: str, value: str | bytes | bytearray) -> SecretHandle:
        """Give an existing secret a new value in one step (rotation): no moment where the
        handle is missing, views handed out for the old value stop working, and the old value
        stays redacted like every value the broker ever held."""
        if label not in self._secrets:
            raise SecretError(f"no secret named '{label}' to replace; add it instead")
        material = SecretMaterial(value, label=label)
        self._redactor.register(label, material._reveal())  # pyright: ignore[reportPrivateUsage]
        old, self._secrets[label] = self._secrets[label], material
        old.wipe()
        return SecretHandle(label)

    def remove(self, handle: SecretHandle) -> None:
        material = self._secrets.pop(handle.label, None)
        if material is None:
            raise SecretError(f"no secret named '{handle.label}'")
        # The redactor keeps scrubbing the old value until the broker is closed: text that
        # quoted it earlier must stay redacted.
        material.wipe()

    def handles(self) -> tuple[SecretHandle, ...]:
        return tuple(SecretHandle(label) for label in sorted(self._secrets))

    def availability(self, handle: SecretHandle) -> SecretAvailability:
        material = self._secrets.get(handle.label)
        if material is None:
            return SecretAvailability.MISSING
        return SecretAvailability.WIPED if material.wiped else SecretAvailability.AVAILABLE

    # --- redaction ---------------------------------------------------------------------------
    def redact(self, text: str | Untrusted[str]) -> ModelVisibleText:
        """Scrub every registered secret (in all its forms) and make the text model-visible."""
        if isinstance(text, Untrusted):
            if not isinstance(text.value, str):
                raise SecretError("only Untrusted[str] can be redacted to model text")
            return self._redactor.to_model_visible(text.value, origin=text.origin)
        return self._redactor.to_model_visible(text)

    def scrub(self, text: str) -> str:
        """Redacted plain text, for logs and error messages."""
        return self._redactor.scrub(text)[0]

    def stream(self) -> StreamRedactor:
        return StreamRedactor(self._redactor)

    # --- handing a value out -------------------------------------------------------------------
    def view(
        self,
        approved: Approved[SecretUse],
        use: SecretUse,
        *,
        now_ms: int,
        ttl_ms: int = VIEW_TTL_MS,
    ) -> ApprovedSecretView:
        """Spend an approval for ``use`` and return a one-shot view of the value."""
        self._approvals.consume(approved, use, now_ms=now_ms)
        material = self._secrets.get(use.handle.label)
        if material is None or material.wiped:
            raise SecretError(f"secret {use.handle.uri} is not available")
        return build(
            ApprovedSecretView,
            use=use,
            expires_at_ms=now_ms + ttl_ms,
            _material=material,
            _spent=[False],
        )

    def close(self) -> None:
        for material in self._secrets.values():
            material.wipe()
        self._secrets.clear()
