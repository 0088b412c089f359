"""Threat: a worker or model declares a task done with a patch CrustCore never verified: an
UnverifiedPatch, a VerifiedPatch built with object.__new__, a genuine one edited after minting,
one from another kernel, or a genuine one replayed for a second task.
Invariant: only a genuine, unedited, unused VerifiedPatch for that task completes it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from crustcore_nano import (
    Kernel,
    PatchError,
    RunResult,
    TaskStatus,
    UnverifiedPatch,
    VerifiedPatch,
)


class UnsandboxedTestRunner:
    """Stand-in for crustcore-sandbox's runner (built by its own issue). Test use only."""

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


def make_repo(path: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    path.mkdir()
    (path / "a.txt").write_text("one\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", "-C", str(path), *args], check=True, env=env, capture_output=True)
    head = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (path / "a.txt").write_text("two\n")
    return head


def genuine(kernel: Kernel, tmp_path: Path) -> tuple[Any, VerifiedPatch]:
    task = kernel.create_task("t")
    kernel.start_job(task, owner="w")
    base = make_repo(tmp_path / f"repo-{task}")
    vp = kernel.verify_patch(
        UnverifiedPatch(task, str(tmp_path / f"repo-{task}"), base),
        command=["true"],
        runner=UnsandboxedTestRunner(),
    )
    return task, vp


def test_unverified_and_hand_built_patches_are_refused(kernel: Kernel, tmp_path: Path) -> None:
    task = kernel.create_task("t")
    kernel.start_job(task, owner="w")
    forged = object.__new__(VerifiedPatch)
    for name, value in (("task_id", task), ("patch_id", "patch-x"), ("mac", "0" * 64)):
        object.__setattr__(forged, name, value)
    claims = [
        UnverifiedPatch(task, str(tmp_path), "HEAD", claimed_done=True),
        forged,
        object.__new__(VerifiedPatch),
    ]
    for fake in claims:
        with pytest.raises(PatchError):
            kernel.complete_task(task, cast(Any, fake))
    assert kernel.task(task).status is TaskStatus.RUNNING


@pytest.mark.parametrize(
    "field", ["diff_sha256", "diff", "command", "exit_code", "task_id", "runner"]
)
def test_edited_verified_patch_is_refused(kernel: Kernel, tmp_path: Path, field: str) -> None:
    task, vp = genuine(kernel, tmp_path)
    edits: dict[str, object] = {
        "diff_sha256": "0" * 64,
        "diff": b"evil",
        "command": ("echo",),
        "exit_code": 1,
        "task_id": "task-other",
        "runner": "none",
    }
    object.__setattr__(vp, field, edits[field])
    with pytest.raises(PatchError):
        kernel.complete_task(task, vp)
    assert kernel.task(task).status is TaskStatus.INTEGRATING


def test_replayed_or_foreign_patch_is_refused(kernel: Kernel, tmp_path: Path) -> None:
    task, vp = genuine(kernel, tmp_path)
    kernel.complete_task(task, vp)
    other = kernel.create_task("second")
    kernel.start_job(other, owner="w")
    with pytest.raises(PatchError):
        kernel.complete_task(other, vp)
    (tmp_path / "theirs").mkdir()
    with Kernel.open(tmp_path / "other-home") as theirs:
        _, their_vp = genuine(theirs, tmp_path / "theirs")
    with pytest.raises(PatchError):
        kernel.complete_task(other, their_vp)
    assert kernel.task(other).status is TaskStatus.RUNNING
