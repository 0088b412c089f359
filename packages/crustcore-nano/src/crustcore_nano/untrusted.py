"""``Untrusted[T]``: content that came from outside and is data, never instructions.

Tool output, file contents, web pages, MCP results and shell output are wrapped on arrival. An
``Untrusted[str]`` is not a ``str``: it has no string methods, does not concatenate, and prints
only a placeholder, so it cannot slip into a prompt by accident. The one way to show it to a model
is ``broker.redact(untrusted)``, which scrubs secrets and attaches its origin.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, Never, NoReturn, TypeVar, final

T = TypeVar("T")


class Source(enum.Enum):
    TOOL = "tool"
    FILE = "file"
    WEB = "web"
    MCP = "mcp"
    SHELL = "shell"
    MODEL = "model"
    WORKER = "worker"


@final
@dataclass(frozen=True, slots=True, eq=False)
class Untrusted(Generic[T]):
    """A value of type ``T`` from ``source`` (``detail`` says which tool, file, URL or server)."""

    value: T
    source: Source
    detail: str = ""

    @property
    def origin(self) -> str:
        return f"{self.source.value}:{self.detail}" if self.detail else self.source.value

    def __repr__(self) -> str:
        return f"Untrusted(<{type(self.value).__name__} from {self.origin}>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return self.__repr__()

    def __add__(self, other: Never) -> NoReturn:
        raise TypeError("Untrusted content cannot be concatenated; redact it first")

    __radd__ = __add__

    def __init_subclass__(cls) -> None:
        raise TypeError("Untrusted cannot be subclassed")
