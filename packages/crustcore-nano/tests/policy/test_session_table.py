"""The kernel's session table: bounded, and a dropped session never comes back clean."""

from __future__ import annotations

from crustcore_nano.policy.session import CallFlow, SessionTable

_TAINT = CallFlow(untrusted_source=True, untrusted_why="web page")


def test_same_id_same_state_and_new_ids_start_clean() -> None:
    table = SessionTable(max_sessions=4)
    first = table.get("s1")
    assert table.get("s1") is first
    assert not first.untrusted and not first.sensitive
    assert len(table) == 1


def test_table_is_bounded_and_keeps_the_recently_used() -> None:
    table = SessionTable(max_sessions=3)
    keep = table.get("keep")
    keep.observe(_TAINT)
    for i in range(10):
        table.get(f"other-{i}")
        assert table.get("keep") is keep  # touched every round: never the oldest
    assert len(table) == 3


def test_dropped_session_returns_tainted() -> None:
    table = SessionTable(max_sessions=2)
    table.get("victim").observe(_TAINT)
    table.get("a")
    table.get("b")  # "victim" is dropped here
    back = table.get("victim")
    assert back.untrusted and back.sensitive
    assert "no longer tracked" in back.untrusted_why
    # an id never seen before is still clean while the forgotten set has room
    assert not table.get("brand-new").untrusted


def test_past_the_forgotten_bound_every_unknown_id_is_tainted() -> None:
    table = SessionTable(max_sessions=1, max_forgotten=2)
    for name in ("a", "b", "c", "d"):
        table.get(name)
    fresh = table.get("never-seen")
    assert fresh.untrusted and fresh.sensitive
    assert len(table) == 1
