"""The embedded kernel end to end: tasks, approvals, secrets, verified patches, the event file."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from crustcore_nano import (
    Actor,
    ApprovalError,
    Kernel,
    KernelError,
    PatchError,
    RunResult,
    SecretUse,
    TaskStatus,
    UnverifiedPatch,
    Verdict,
    VerificationFailed,
    VerifiedPatch,
)
from crustcore_nano.eventlog import iter_records, verify_log
from crustcore_nano.secrets import SecretHandle

SECRET = "sk-proj-kernelTestSecretValue0123456789"


class UnsandboxedTestRunner:
    """Test double for crustcore-sandbox's runner (that package is built by its own issue): runs
    the verify command as a plain subprocess. Never used outside tests."""

    name = "test-subprocess"

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        timeout_s: float,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        done = subprocess.run(
            list(argv), cwd=cwd, capture_output=True, timeout=timeout_s, check=False
        )
        return RunResult(done.returncode, done.stdout, done.stderr)


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    (r / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (r / "test_calc.py").write_text("from calc import add\nassert add(2, 2) == 4\n")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "init")
    return r, git(r, "rev-parse", "HEAD")


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[Kernel]:
    k = Kernel.open(tmp_path / "home")
    yield k
    k.close()


def running_task(kernel: Kernel) -> Any:
    task = kernel.create_task("t", budget={"tokens": 1000})
    kernel.start_job(task, owner="w1")
    return task


def test_home_layout_and_key_permissions(tmp_path: Path) -> None:
    with Kernel.open(tmp_path / "h") as k:
        assert k.home == tmp_path / "h"
    assert stat.S_IMODE((tmp_path / "h").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "h" / "keys" / "kernel.key").stat().st_mode) == 0o600
    key1 = (tmp_path / "h" / "keys" / "kernel.key").read_bytes()
    with Kernel.open(tmp_path / "h"):
        pass
    assert (tmp_path / "h" / "keys" / "kernel.key").read_bytes() == key1  # reused, not replaced
    (tmp_path / "h" / "keys" / "kernel.key").write_bytes(b"short")
    with pytest.raises(KernelError, match="damaged"):
        Kernel.open(tmp_path / "h")


def test_verified_patch_completes_the_task(kernel: Kernel, repo: tuple[Path, str]) -> None:
    path, base = repo
    task = running_task(kernel)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    patch = UnverifiedPatch(task, worktree=str(path), base=base, claimed_done=True, claim="done!")
    vp = kernel.verify_patch(
        patch, command=["python3", "test_calc.py"], runner=UnsandboxedTestRunner()
    )
    assert kernel.task(task).status is TaskStatus.INTEGRATING
    assert b"return a + b" in vp.diff and vp.evidence()["runner"] == "test-subprocess"
    kernel.complete_task(task, vp)
    assert kernel.task(task).status is TaskStatus.COMPLETED
    with pytest.raises(PatchError):
        kernel.complete_task(task, vp)  # replay


def test_failing_verify_mints_nothing(kernel: Kernel, repo: tuple[Path, str]) -> None:
    path, base = repo
    task = running_task(kernel)
    (path / "notes.txt").write_text("claimed fix\n")
    with pytest.raises(VerificationFailed, match="exited 1"):
        kernel.verify_patch(
            UnverifiedPatch(task, str(path), base),
            command=["python3", "test_calc.py"],
            runner=UnsandboxedTestRunner(),
        )
    assert kernel.task(task).status is TaskStatus.RUNNING


def test_no_runner_means_refusal_not_fallback(kernel: Kernel, repo: tuple[Path, str]) -> None:
    path, base = repo
    task = running_task(kernel)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    with pytest.raises(PatchError, match="no sandbox runner"):
        kernel.verifier.verify(
            UnverifiedPatch(task, str(path), base), command=["true"], runner=None, now_ms=0
        )


def test_unchanged_worktree_and_worktree_edits_by_the_verify_command_are_refused(
    kernel: Kernel, repo: tuple[Path, str]
) -> None:
    path, base = repo
    task = running_task(kernel)
    runner = UnsandboxedTestRunner()
    with pytest.raises(VerificationFailed, match="no changes"):
        kernel.verify_patch(UnverifiedPatch(task, str(path), base), command=["true"], runner=runner)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    sneaky = ["sh", "-c", "echo extra >> calc.py"]
    with pytest.raises(VerificationFailed, match="changed the worktree"):
        kernel.verify_patch(UnverifiedPatch(task, str(path), base), command=sneaky, runner=runner)


def test_patch_for_another_task_is_refused(kernel: Kernel, repo: tuple[Path, str]) -> None:
    path, base = repo
    a, b = running_task(kernel), running_task(kernel)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    vp = kernel.verify_patch(
        UnverifiedPatch(a, str(path), base),
        command=["python3", "test_calc.py"],
        runner=UnsandboxedTestRunner(),
    )
    with pytest.raises(PatchError, match="verified for task"):
        kernel.complete_task(b, vp)
    assert kernel.task(b).status is TaskStatus.RUNNING


def test_secret_view_is_approval_bound_and_one_shot(kernel: Kernel) -> None:
    handle = kernel.broker.add("openai", SECRET)
    use = SecretUse(handle, host="api.openai.com")
    user = kernel.local_user()
    pending = kernel.approvals.request(use, requested_by=Actor.ADAPTER, now_ms=0)
    approved = kernel.approvals.approve(pending, by=user, digest=pending.digest, now_ms=1)
    other = SecretUse(handle, host="evil.example.com")
    with pytest.raises(ApprovalError):
        kernel.broker.view(approved, other, now_ms=2)
    view = kernel.broker.view(approved, use, now_ms=2)
    assert SECRET not in repr(view)
    assert view.expose(now_ms=3) == SECRET.encode()
    with pytest.raises(Exception, match="already used"):
        view.expose(now_ms=3)
    with pytest.raises(ApprovalError):
        kernel.broker.view(approved, use, now_ms=4)
    assert kernel.broker.handles() == (SecretHandle("openai"),)


def test_events_are_written_redacted(kernel: Kernel) -> None:
    kernel.broker.add("openai", SECRET)
    task = running_task(kernel)
    req = kernel.request_tool(
        task,
        "bash",
        {"command": f"curl -H 'Authorization: {SECRET}' x"},
        reversibility="reversible",
    )
    assert req.verdict is Verdict.ALLOW
    denied = kernel.request_tool(
        task, "bash", {"command": "rm -rf /"}, reversibility="destructive", verdict=Verdict.DENY
    )
    assert denied.verdict is Verdict.DENY
    kernel.claim_done(task, claim=f"done, key was {SECRET}")
    kernel.close()
    raw = b"".join(p.read_bytes() for p in kernel.log_dir.iterdir() if p.is_file())
    assert SECRET.encode() not in raw
    records = list(iter_records(kernel.log_dir))
    assert [r.seq for r in records] == list(range(len(records)))
    assert {"task.created", "job.leased", "tool.requested", "model.claimed_done"} <= {
        r.kind for r in records
    }
    assert verify_log(kernel.log_dir).ok


def test_tool_results_are_redacted_framed_and_receipted(kernel: Kernel) -> None:
    kernel.broker.add("openai", SECRET)
    task = kernel.create_task("t")
    job = kernel.start_job(task, owner="w1")
    req = kernel.request_tool(
        task, "bash", {"command": "cat .env"}, reversibility="reversible", job_id=job, owner="w1"
    )
    shown = kernel.complete_tool(
        task,
        req.tool_call_id,
        "bash",
        {"command": "cat .env"},
        f"OPENAI_API_KEY={SECRET}\n",
        job_id=job,
        owner="w1",
    )
    assert SECRET not in shown.framed()
    assert shown.origin == "tool:bash"
    with pytest.raises(KernelError):  # a worker without the lease cannot report results
        kernel.complete_tool(task, req.tool_call_id, "bash", {}, "x", job_id=job, owner="w2")
    kernel.close()
    report = verify_log(kernel.log_dir)
    assert report.ok
    assert report.summary.receipts == 1
    kinds = [r.kind for r in iter_records(kernel.log_dir)]
    assert kinds.index("tool.receipt") == kinds.index("tool.completed") + 1


def test_refused_approval_attempts_are_recorded(kernel: Kernel) -> None:
    task = running_task(kernel)
    req = kernel.request_tool(task, "bash", {"command": "git push -f"}, reversibility=None)
    assert req.approval is not None
    with pytest.raises(ApprovalError):
        kernel.approve(
            req.approval.approval_id, by=cast(Any, Actor.MODEL), digest=req.approval.digest
        )
    kernel.close()
    last = [r for r in iter_records(kernel.log_dir) if not r.kind.startswith("log.")][-1]
    assert last.kind == "approval.resolved.refused"
    assert last.actor == "model"
    assert "refused" in last.payload


def test_forgeries_leave_the_task_open(kernel: Kernel) -> None:
    task = running_task(kernel)
    for fake in (
        object.__new__(VerifiedPatch),
        UnverifiedPatch(task, "/tmp", "HEAD"),
        "done",
        None,
    ):
        with pytest.raises(PatchError):
            kernel.complete_task(task, cast(Any, fake))
    assert kernel.task(task).status is TaskStatus.RUNNING
