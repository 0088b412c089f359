"""Patches: what a worker claims (``UnverifiedPatch``) and what CrustCore proved
(``VerifiedPatch``).

A worker's word that it is done is advisory. The verifier re-derives the diff from the worktree
itself (never from the worker's claim), runs the user's verify command through a registered
sandbox runner, and only when that exits 0 mints a ``VerifiedPatch``: sealed, carrying the
evidence (diff digest, base commit, command, exit code, output digest, runner) and a MAC under the
kernel's key over all of it. ``Kernel.complete_task`` accepts nothing else.

There is no fallback: with no sandbox runner installed (``crustcore-sandbox`` registers one under
the ``crustcore.runners`` entry point), verification is refused.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Never, Protocol, final

from crustcore_nano._seal import MacKey, SealedMixin, build, refuse, sha256_hex
from crustcore_nano.errors import PatchError
from crustcore_nano.ids import PatchId, TaskId, random_suffix

MAX_DIFF_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RunResult:
    exit_code: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False


class Runner(Protocol):
    """A sandboxed command runner (implemented by crustcore-sandbox)."""

    name: str

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        timeout_s: float,
        env: Mapping[str, str] | None = None,
    ) -> RunResult: ...


@dataclass(frozen=True, slots=True)
class UnverifiedPatch:
    """A worker's proposal: the changes in ``worktree`` relative to commit ``base``.

    ``claimed_done`` and ``claim`` are recorded as advisory and never honoured.
    """

    task_id: TaskId
    worktree: str
    base: str
    claimed_done: bool = False
    claim: str = field(default="", repr=False)


@final
class VerifiedPatch(SealedMixin):
    """A patch whose verify command passed in a sandbox. Minted only by :class:`Verifier`."""

    __slots__ = (
        "patch_id",
        "task_id",
        "base",
        "diff_sha256",
        "diff",
        "command",
        "exit_code",
        "output_sha256",
        "runner",
        "verified_at_ms",
        "mac",
    )
    patch_id: PatchId
    task_id: TaskId
    base: str
    diff_sha256: str
    diff: bytes
    command: tuple[str, ...]
    exit_code: int
    output_sha256: str
    runner: str
    verified_at_ms: int
    mac: str

    def __init__(self, _sealed: Never) -> None:  # pragma: no cover - statically uncallable
        refuse("VerifiedPatch()")

    def __repr__(self) -> str:
        return (
            f"VerifiedPatch({self.patch_id}, task={self.task_id}, diff={self.diff_sha256[:12]}…, "
            f"command={' '.join(self.command)!r})"
        )

    def evidence(self) -> dict[str, object]:
        return {
            "patch_id": self.patch_id,
            "task_id": self.task_id,
            "base": self.base,
            "diff_sha256": self.diff_sha256,
            "command": list(self.command),
            "exit_code": self.exit_code,
            "output_sha256": self.output_sha256,
            "runner": self.runner,
            "verified_at_ms": self.verified_at_ms,
        }


class VerificationFailed(PatchError):
    """The verify command did not pass; no ``VerifiedPatch`` was minted."""


def _mac_fields(p: VerifiedPatch) -> tuple[str | int, ...]:
    return (
        p.patch_id,
        p.task_id,
        p.base,
        p.diff_sha256,
        "\x00".join(p.command),
        p.exit_code,
        p.output_sha256,
        p.runner,
        p.verified_at_ms,
    )


_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
}
# Repository files are untrusted: never let the worktree's config run a program while we read it.
_GIT_HARDENING = (
    "-c",
    "core.hooksPath=" + os.devnull,
    "-c",
    "core.fsmonitor=false",
    "-c",
    "diff.external=",
    "-c",
    "core.pager=cat",
    "-c",
    "core.attributesFile=" + os.devnull,
)


def derive_diff(worktree: str, base: str) -> bytes:
    """The worktree's changes against ``base`` (tracked and new files), read by git itself."""
    env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}, **_GIT_ENV}

    def git(*args: str) -> bytes:
        try:
            done = subprocess.run(
                ["git", *_GIT_HARDENING, "-C", worktree, *args],
                capture_output=True,
                env=env,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PatchError(f"cannot read the worktree {worktree} with git: {exc}") from None
        if done.returncode != 0:
            msg = done.stderr.decode("utf-8", "replace").strip()[:300]
            raise PatchError(f"git {args[0]} failed in {worktree}: {msg}")
        return done.stdout

    git("add", "--all", "--intent-to-add")
    diff = git("diff", "--binary", "--no-ext-diff", "--no-textconv", "--full-index", base, "--")
    if len(diff) > MAX_DIFF_BYTES:
        raise PatchError(f"diff in {worktree} is larger than {MAX_DIFF_BYTES} bytes")
    return diff


class Verifier:
    """Mints ``VerifiedPatch``. Owned by the kernel (it holds the key)."""

    def __init__(self, key: MacKey) -> None:
        self._key = key

    def verify(
        self,
        patch: UnverifiedPatch,
        *,
        command: Sequence[str],
        runner: Runner | None,
        now_ms: int,
        timeout_s: float = 600.0,
    ) -> VerifiedPatch:
        if runner is None:
            raise PatchError(
                "refused: no sandbox runner is installed, and verify commands never run outside "
                "a sandbox; install crustcore-sandbox"
            )
        if not command:
            raise PatchError("refused: an empty verify command proves nothing")
        diff = derive_diff(patch.worktree, patch.base)
        if not diff:
            raise VerificationFailed(f"refused: the worktree {patch.worktree} has no changes")
        result = runner.run(list(command), cwd=patch.worktree, timeout_s=timeout_s)
        if result.timed_out or result.exit_code != 0:
            why = "timed out" if result.timed_out else f"exited {result.exit_code}"
            raise VerificationFailed(f"verify command {' '.join(command)!r} {why}; not verified")
        after = derive_diff(patch.worktree, patch.base)
        if after != diff:
            raise VerificationFailed("the verify command changed the worktree; not verified")
        vp = build(
            VerifiedPatch,
            patch_id=PatchId("patch-" + random_suffix()),
            task_id=patch.task_id,
            base=patch.base,
            diff_sha256=sha256_hex(diff),
            diff=diff,
            command=tuple(command),
            exit_code=0,
            output_sha256=sha256_hex(result.stdout + b"\x00" + result.stderr),
            runner=runner.name,
            verified_at_ms=now_ms,
            mac="",
        )
        object.__setattr__(vp, "mac", self._key.sign("verified-patch", *_mac_fields(vp)))
        return vp

    def check(self, patch: object) -> VerifiedPatch:
        """Refuse anything that is not a genuine, unedited ``VerifiedPatch`` from this kernel."""
        if type(patch) is not VerifiedPatch:
            raise PatchError(
                f"refused: {type(patch).__name__} is not a VerifiedPatch; only the verifier, after "
                "the verify command passes in a sandbox, can produce one"
            )
        try:
            ok = self._key.check(patch.mac, "verified-patch", *_mac_fields(patch))
            ok = ok and sha256_hex(patch.diff) == patch.diff_sha256
        except (AttributeError, TypeError):
            ok = False
        if not ok:
            raise PatchError("refused: VerifiedPatch is forged or was edited after verification")
        return patch
