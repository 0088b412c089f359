"""`Operation` is built by a hand-written `__init__` (the slots' setters, for speed): it must
behave exactly as the dataclass's own would, and refuse to load if the two drift apart."""

from __future__ import annotations

import dataclasses

import pytest
from crustcore_nano.policy.types import (
    Operation,
    OpKind,
    _slot_setters,  # pyright: ignore[reportPrivateUsage]
)


def test_every_field_is_set_from_positions_keywords_and_defaults() -> None:
    op = Operation(OpKind.MOVE, ("a",), "b", source="args.x", cwd="/w")
    assert dataclasses.astuple(op) == (
        OpKind.MOVE,
        ("a",),
        "b",
        (),
        (),
        None,
        None,
        (),
        "args.x",
        "/w",
    )
    assert Operation(OpKind.READ) == Operation(
        OpKind.READ, (), None, (), (), None, None, (), "", None
    )
    assert hash(op) == hash(
        Operation(OpKind.MOVE, paths=("a",), dest="b", source="args.x", cwd="/w")
    )
    assert dataclasses.replace(op, dest="c").dest == "c"
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.dest = "c"  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]
    with pytest.raises(TypeError):
        Operation(OpKind.READ, nope=1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


def test_an_init_that_no_longer_matches_the_fields_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, init=False)
    class Pair:
        a: int
        b: int = 0

    def swapped(self: Pair, b: int, a: int) -> None: ...

    def short(self: Pair, a: int) -> None: ...

    def right(self: Pair, a: int, b: int = 0) -> None: ...

    for init in (swapped, short):
        with pytest.raises(RuntimeError, match="no longer takes exactly its fields"):
            _slot_setters(Pair, init)
    assert len(_slot_setters(Pair, right)) == 2
