from __future__ import annotations

import pytest
from crustcore_nano import Budget, BudgetAxis, UsageError


def test_charge_reports_first_exhausted_axis_in_fixed_order() -> None:
    b = Budget.of(tokens=100, wall_ms=10)
    b, axis = b.charge({"tokens": 60})
    assert axis is None and b.remaining(BudgetAxis.TOKENS) == 40
    b, axis = b.charge({"tokens": 60, "wall_ms": 11})
    assert axis is BudgetAxis.WALL_MS  # wall time comes before tokens
    assert b.exhausted() is BudgetAxis.WALL_MS
    assert b.remaining(BudgetAxis.CPU_MS) is None  # unlimited


def test_raising_a_limit_clears_exhaustion() -> None:
    b, axis = Budget.of(subagents=1).charge({BudgetAxis.SUBAGENTS: 2})
    assert axis is BudgetAxis.SUBAGENTS
    assert b.with_limits({"subagents": 5}).exhausted() is None


@pytest.mark.parametrize("bad", [{"tokens": -1}, {"nope": 1}, {"tokens": 1.5}, {"tokens": True}])
def test_bad_charges_and_limits_are_usage_errors(bad: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        Budget.unlimited().charge(bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        Budget.unlimited().with_limits(bad)  # type: ignore[arg-type]
