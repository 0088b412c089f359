"""Task budgets: integer axes, charged as the task runs; running out blocks the task.

Limits are set by whoever creates the task (the orchestrator or the user), never by model output.
``None`` means unlimited on that axis. Charging adds to every axis (a negative charge is refused),
and reports the first axis, in a fixed order, whose use went over its limit.
"""
# pyright: reportUnnecessaryIsInstance=false
# (run-time checks of values from callers that ignore the annotations are deliberate)

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from crustcore_nano.errors import UsageError


class BudgetAxis(enum.Enum):
    WALL_MS = "wall_ms"
    CPU_MS = "cpu_ms"
    OUTPUT_BYTES = "output_bytes"
    TOKENS = "tokens"
    MODEL_COST_MICROS = "model_cost_micros"  # integer millionths of a US dollar
    SUBAGENTS = "subagents"


AXES: tuple[BudgetAxis, ...] = tuple(BudgetAxis)
AxisAmounts = Mapping[str, int] | Mapping[BudgetAxis, int]


def _axis(key: BudgetAxis | str) -> BudgetAxis:
    if isinstance(key, BudgetAxis):
        return key
    try:
        return BudgetAxis(key)
    except ValueError:
        names = ", ".join(a.value for a in AXES)
        raise UsageError(f"unknown budget axis '{key}' (known: {names})") from None


def _amounts(values: AxisAmounts, what: str) -> dict[BudgetAxis, int]:
    out: dict[BudgetAxis, int] = {}
    for key, amount in dict(values).items():  # pyright: ignore[reportUnknownArgumentType]
        axis = _axis(key)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise UsageError(f"budget {what} for {axis.value} must be a non-negative integer")
        out[axis] = amount
    return out


@dataclass(frozen=True, slots=True)
class Budget:
    """Limits and use per axis. Immutable: ``charge`` returns a new budget."""

    limits: Mapping[BudgetAxis, int] = field(default_factory=dict[BudgetAxis, int])
    used: Mapping[BudgetAxis, int] = field(default_factory=dict[BudgetAxis, int])

    @classmethod
    def of(cls, **limits: int) -> Budget:
        return cls(limits=_amounts(dict(limits), "limit"))

    @classmethod
    def unlimited(cls) -> Budget:
        return cls()

    def charge(self, delta: AxisAmounts) -> tuple[Budget, BudgetAxis | None]:
        add = _amounts(delta, "charge")
        used = dict(self.used)
        for axis, amount in add.items():
            used[axis] = used.get(axis, 0) + amount
        new = Budget(limits=self.limits, used=used)
        return new, new.exhausted()

    def exhausted(self) -> BudgetAxis | None:
        for axis in AXES:
            limit = self.limits.get(axis)
            if limit is not None and self.used.get(axis, 0) > limit:
                return axis
        return None

    def with_limits(self, limits: AxisAmounts) -> Budget:
        merged = dict(self.limits)
        merged.update(_amounts(limits, "limit"))
        return Budget(limits=merged, used=self.used)

    def remaining(self, axis: BudgetAxis) -> int | None:
        limit = self.limits.get(axis)
        return None if limit is None else max(0, limit - self.used.get(axis, 0))

    def to_json(self) -> dict[str, object]:
        return {
            a.value: {"limit": self.limits.get(a), "used": self.used.get(a, 0)}
            for a in AXES
            if a in self.limits or a in self.used
        }
