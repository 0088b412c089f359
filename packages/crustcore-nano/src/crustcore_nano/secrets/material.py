"""Secret material and the handles a model may see instead.

``SecretMaterial`` owns the bytes of a credential. It never prints them (``repr``, ``str``,
``format``, logging, tracebacks with locals all show ``SecretMaterial(<redacted:label>)``), refuses
pickling, copying, JSON and subclassing, compares in constant time, and overwrites its buffer with
zeros when wiped or collected (best effort: a ``str`` you passed in is immutable and stays in memory
until Python frees it, which is why the broker accepts ``bytes``/``bytearray`` too).

``SecretHandle`` is the name of a secret, ``secret://label``: safe to print, log, serialize and
show to a model.
"""
# pyright: reportUnnecessaryIsInstance=false
# (run-time checks of values from callers that ignore the annotations are deliberate)

from __future__ import annotations

import contextlib
import enum
import hmac
import re
from dataclasses import dataclass
from typing import final

from crustcore_nano._seal import SealedMixin
from crustcore_nano.errors import SecretError

LABEL_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
HANDLE_PREFIX = "secret://"


def check_label(label: str) -> str:
    if not isinstance(label, str) or LABEL_RE.fullmatch(label) is None:
        raise SecretError(
            "secret label must be 1-64 characters of a-z, 0-9, '_', '.', '-' and start with a "
            "letter or digit (the label is public: it names the secret, it is not the secret)"
        )
    return label


@final
class SecretMaterial(SealedMixin):
    """The bytes of one secret. See the module docstring for what it refuses."""

    __slots__ = ("_buf", "label")
    _buf: bytearray
    label: str

    def __init__(self, value: str | bytes | bytearray, *, label: str) -> None:
        check_label(label)
        if isinstance(value, str):
            raw = bytearray(value.encode("utf-8"))
        elif isinstance(value, bytes | bytearray):
            raw = bytearray(value)
        else:
            raise SecretError(f"secret '{label}' must be str or bytes, not {type(value).__name__}")
        object.__setattr__(self, "_buf", raw)
        object.__setattr__(self, "label", label)

    # --- what it shows -------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"SecretMaterial(<redacted:{self.label}>)"

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        return self.__repr__()

    def __len__(self) -> int:
        return len(self._buf)

    def __bool__(self) -> bool:
        return bool(self._buf)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretMaterial):
            return NotImplemented
        return hmac.compare_digest(bytes(self._buf), bytes(other._buf))

    __hash__ = None  # type: ignore[assignment]  # a hash of a secret is an oracle; refuse it

    # --- lifetime ----------------------------------------------------------------------------
    @property
    def wiped(self) -> bool:
        return len(self._buf) == 0

    def wipe(self) -> None:
        """Overwrite the buffer with zeros and empty it."""
        buf = self._buf
        for i in range(len(buf)):
            buf[i] = 0
        del buf[:]

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # never raise from a finalizer
            self.wipe()

    # --- trusted access (the broker and the redactor only) -------------------------------------
    def _reveal(self) -> bytes:
        if not self._buf:
            raise SecretError(f"secret '{self.label}' was wiped")
        return bytes(self._buf)


class SecretAvailability(enum.Enum):
    AVAILABLE = "available"
    MISSING = "missing"
    WIPED = "wiped"


@dataclass(frozen=True, slots=True, order=True)
class SecretHandle:
    """What a model sees instead of a secret: ``secret://label``."""

    label: str

    def __post_init__(self) -> None:
        check_label(self.label)

    @classmethod
    def parse(cls, text: str) -> SecretHandle:
        if not text.startswith(HANDLE_PREFIX):
            raise SecretError(f"not a secret handle (expected '{HANDLE_PREFIX}label')")
        return cls(text[len(HANDLE_PREFIX) :])

    @property
    def uri(self) -> str:
        return HANDLE_PREFIX + self.label

    def __str__(self) -> str:
        return self.uri
