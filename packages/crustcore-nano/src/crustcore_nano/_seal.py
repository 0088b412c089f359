"""How sealed values are made and checked.

Two layers (see docs/sealed-types.md):

* Static: a sealed class's ``__init__`` takes a required parameter of type ``Never``, so neither
  mypy nor pyright accepts any call to the constructor from outside. Trusted code builds instances
  with :func:`build`, which bypasses ``__init__``.
* Runtime: sealed classes are ``@final`` and refuse subclassing, pickling and copying; values the
  kernel mints carry an HMAC-SHA-256 under a key only the kernel holds, bound to everything they
  authorize, and are checked where they are used. An instance forged with ``object.__new__`` or
  edited with ``object.__setattr__`` fails that check.

Honesty: code running in the same Python process can always read the kernel's memory. The hard
boundary is the kernel process (``crustcore up``) and the sandbox; this module makes misuse loud and
forgery detectable, not impossible.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _random
from typing import Any, Never, NoReturn, TypeVar, final

from crustcore_nano.errors import SealError

_T = TypeVar("_T")

KEY_BYTES = 32


def refuse(what: str) -> NoReturn:
    raise TypeError(f"{what}: sealed CrustCore values cannot be constructed, copied or serialized")


def build(cls: type[_T], /, **fields: object) -> _T:
    """Create an instance of a sealed slotted class without calling its ``__init__``."""
    obj = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(obj, name, value)
    return obj


_OPEN_BASES: set[type] = set()


class SealedMixin:
    """Runtime half of sealing: immutable, no subclassing, no pickle, no copy."""

    __slots__ = ()

    def __init_subclass__(cls, *, open_base: bool = False, **kwargs: Any) -> None:
        # A sealed class may derive only from SealedMixin or from an abstract base declared
        # with ``open_base=True`` in this package; deriving from a concrete sealed class fails.
        for base in cls.__bases__:
            if issubclass(base, SealedMixin) and base not in _OPEN_BASES:
                refuse(f"subclassing {base.__name__}")
        if open_base:
            _OPEN_BASES.add(cls)
        super().__init_subclass__(**kwargs)

    def __setattr__(self, name: str, value: object) -> None:
        refuse(f"setting {type(self).__name__}.{name}")

    def __delattr__(self, name: str) -> None:
        refuse(f"deleting {type(self).__name__}.{name}")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        refuse(f"pickling {type(self).__name__}")

    def __reduce__(self) -> NoReturn:
        refuse(f"pickling {type(self).__name__}")

    def __getstate__(self) -> NoReturn:
        refuse(f"pickling {type(self).__name__}")

    def __copy__(self) -> NoReturn:
        refuse(f"copying {type(self).__name__}")

    def __deepcopy__(self, memo: object) -> NoReturn:
        refuse(f"copying {type(self).__name__}")


_OPEN_BASES.add(SealedMixin)


@final
class MacKey(SealedMixin):
    """A 32-byte HMAC key. Prints as ``MacKey(***)``; never serialized."""

    __slots__ = ("_key", "purpose")
    _key: bytes
    purpose: str

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse("MacKey()")

    @classmethod
    def generate(cls, purpose: str) -> MacKey:
        return build(cls, _key=_random.token_bytes(KEY_BYTES), purpose=purpose)

    @classmethod
    def from_bytes(cls, raw: bytes, purpose: str) -> MacKey:
        if len(raw) != KEY_BYTES:
            raise SealError(f"{purpose} key must be {KEY_BYTES} bytes, got {len(raw)}")
        return build(cls, _key=bytes(raw), purpose=purpose)

    def export_bytes(self) -> bytes:
        """The raw key, for writing the kernel's own key file (0600) only."""
        return self._key

    def sign(self, domain: str, *parts: str | bytes | int | None) -> str:
        return hmac.new(self._key, encode(domain, *parts), hashlib.sha256).hexdigest()

    def check(self, mac: object, domain: str, *parts: str | bytes | int | None) -> bool:
        if not isinstance(mac, str):
            return False
        return hmac.compare_digest(mac, self.sign(domain, *parts))

    def __repr__(self) -> str:
        return "MacKey(***)"

    __str__ = __repr__


def encode(domain: str, *parts: str | bytes | int | None) -> bytes:
    """Unambiguous length-prefixed encoding of a MAC's inputs (no concatenation collisions)."""
    out = bytearray(b"crustcore/v1\x00")
    for part in (domain, *parts):
        if part is None:
            out += b"n"
            continue
        if isinstance(part, int):
            raw = str(part).encode()
            tag = b"i"
        elif isinstance(part, str):
            raw = part.encode("utf-8", "surrogatepass")
            tag = b"s"
        else:
            raw = bytes(part)
            tag = b"b"
        out += tag + len(raw).to_bytes(8, "big") + raw
    return bytes(out)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()
