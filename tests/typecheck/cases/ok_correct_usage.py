"""Correct use of the public API surface: must check clean under mypy --strict and pyright strict.

This file is only type-checked, never run. Each function walks one path the way the rest of the
product is meant to: values come from the kernel, the broker, the redactor or the verifier, and are
passed on with their own types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crustcore_nano import (
    ActionSpec,
    Actor,
    ApprovalEngine,
    ApprovalError,
    ApprovalId,
    ApprovalState,
    Approved,
    ApprovedSecretView,
    AuthorizedUser,
    BoundedText,
    Budget,
    BudgetAxis,
    CapabilityMint,
    CrustCoreError,
    FileReadCap,
    FileWriteCap,
    JobId,
    Kernel,
    ModelVisibleText,
    NetworkCap,
    PatchError,
    PendingApproval,
    Redactor,
    Reversibility,
    RunResult,
    SandboxExecCap,
    SecretAvailability,
    SecretBroker,
    SecretHandle,
    SecretMaterial,
    SecretUse,
    SecretUseCap,
    Source,
    StreamRedactor,
    TaskId,
    TaskStatus,
    Timestamp,
    UnverifiedPatch,
    Untrusted,
    Verdict,
    VerifiedPatch,
    Verifier,
    require_model_visible,
)
from crustcore_nano._seal import MacKey


def send_to_model(text: ModelVisibleText) -> None: ...


class EchoRunner:
    """A stand-in sandbox runner: satisfies the ``Runner`` protocol structurally."""

    name = "echo"

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        timeout_s: float,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        return RunResult(exit_code=0, stdout=" ".join(argv).encode(), stderr=b"")


def secrets_and_redaction(kernel: Kernel) -> None:
    broker: SecretBroker = kernel.broker
    handle: SecretHandle = broker.add("github", SecretMaterial(b"ghp_0123456789abcdef", label="github"))
    other = broker.add("stripe", "sk-live-0123456789abcdef")
    assert SecretHandle.parse(handle.uri) == handle
    assert broker.availability(other) is SecretAvailability.AVAILABLE
    assert handle in broker.handles()

    send_to_model(broker.redact("the token is ghp_0123456789abcdef"))
    page: Untrusted[str] = Untrusted("<p>ghp_0123456789abcdef</p>", Source.WEB, "https://x.test")
    shown = kernel.redact(page)
    send_to_model(shown)
    send_to_model(require_model_visible(shown))
    framed: str = shown.framed()
    count: int = shown.redactions
    origin: str | None = shown.origin
    raw: str = page.value
    print(framed, count, origin, raw, page.origin, broker.scrub("log line"))

    stream: StreamRedactor = broker.stream()
    out = stream.feed("ghp_0123") + stream.feed("456789abcdef") + stream.flush()
    print(out, stream.held_back)

    redactor: Redactor = broker.redactor
    print(redactor.would_leak(out), redactor.scrub(out)[0], redactor.to_model_visible("plain"))
    broker.remove(other)


def approvals_and_secret_views(kernel: Kernel, user: AuthorizedUser, now: int) -> bytes:
    engine: ApprovalEngine = kernel.approvals
    use = SecretUse(handle=SecretHandle("github"), host="api.github.com")
    pending: PendingApproval[SecretUse] = engine.request(use, requested_by=Actor.MODEL, now_ms=now)
    assert engine.state(pending.approval_id) is ApprovalState.PENDING
    assert pending in engine.pending(now_ms=now) or True
    approved: Approved[SecretUse] = engine.approve(
        pending, by=user, digest=pending.digest, now_ms=now
    )
    view: ApprovedSecretView = kernel.broker.view(approved, use, now_ms=now)
    return view.expose(now_ms=now)


def standalone_engine(now: int) -> ActionSpec:
    engine = ApprovalEngine(MacKey.generate("tests"), ttl_ms=60_000)
    user = engine.authorize_user("alice")
    action = ActionSpec(
        kind="tool",
        summary="git push origin main",
        params={"remote": "origin", "branch": "main"},
        reversibility=Reversibility.of("irreversible"),
    )
    pending = engine.request(action, requested_by=Actor.SUBAGENT, now_ms=now)
    approved = engine.approve(pending, by=user, digest=pending.digest, now_ms=now)
    other = engine.request(action, requested_by=Actor.WORKER, now_ms=now)
    engine.deny(other.approval_id, by=user, digest=other.digest, now_ms=now)
    return engine.consume(approved, action, now_ms=now)


def tools_tasks_and_steering(kernel: Kernel) -> None:
    user = kernel.local_user()
    task_id: TaskId = kernel.create_task("fix the build", budget={"tokens": 10_000})
    job_id: JobId = kernel.start_job(task_id, owner="worker-1")
    view = kernel.charge(task_id, {"tokens": 500}, job_id=job_id, owner="worker-1")
    if view.status is TaskStatus.BLOCKED:
        kernel.steer(task_id, by=user, message="go on", budget={"tokens": 20_000})
    request = kernel.request_tool(
        task_id, "bash", {"command": "git push"}, reversibility=Reversibility.IRREVERSIBLE
    )
    if request.verdict is Verdict.ASK and request.approval is not None:
        approval_id: ApprovalId = request.approval.approval_id
        approved: Approved[ActionSpec] = kernel.approve(
            approval_id, by=user, digest=request.approval.digest
        )
        print(approved.action.approval_summary())
    kernel.claim_done(task_id, claim="done, trust me")
    remaining: int | None = kernel.task(task_id).budget.remaining(BudgetAxis.TOKENS)
    print(remaining)
    kernel.kill(task_id, by=user)


def patches(kernel: Kernel, task_id: TaskId, worktree: str) -> dict[str, object]:
    patch = UnverifiedPatch(task_id=task_id, worktree=worktree, base="HEAD", claimed_done=True)
    try:
        verified: VerifiedPatch = kernel.verify_patch(
            patch, command=["pytest", "-q"], runner=EchoRunner()
        )
    except PatchError:
        return {}
    kernel.complete_task(task_id, verified)
    checked: VerifiedPatch = kernel.verifier.check(verified)
    return checked.evidence()


def verifier_directly(key: MacKey, patch: UnverifiedPatch, now: Timestamp) -> VerifiedPatch:
    return Verifier(key).verify(patch, command=("make", "test"), runner=EchoRunner(), now_ms=now)


def capabilities(kernel: Kernel, task_id: TaskId, now: int) -> None:
    mint: CapabilityMint = kernel.capabilities
    read: FileReadCap = mint.file_read("/repo", task_id=task_id, now_ms=now)
    write: FileWriteCap = mint.file_write("/repo/src", task_id=task_id, now_ms=now)
    net: NetworkCap = mint.network(("api.github.com",), task_id=task_id, now_ms=now)
    run: SandboxExecCap = mint.sandbox_exec("default", task_id=task_id, now_ms=now)
    secret: SecretUseCap = mint.secret_use(SecretHandle("github"), task_id=task_id, now_ms=now)
    mint.require_file_read(read, "/repo/README.md", now_ms=now)
    mint.require_file_write(write, "/repo/src/main.py", now_ms=now)
    mint.require_network(net, "api.github.com", now_ms=now)
    mint.require_exec(run, "default", now_ms=now)
    mint.require_secret(secret, SecretHandle("github"), now_ms=now)
    same: SandboxExecCap = mint.check(run, SandboxExecCap, now_ms=now)
    print(same.scope(), read.root, net.allowlist, secret.handle.uri)


def values() -> None:
    budget = Budget.of(tokens=1_000, wall_ms=60_000)
    charged, over = budget.charge({"tokens": 10})
    text = BoundedText.of("x" * 100, limit=10)
    print(charged.to_json(), over, text.truncated, str(text))


def main(home: str) -> None:
    with Kernel.open(home) as kernel:
        try:
            secrets_and_redaction(kernel)
            approvals_and_secret_views(kernel, kernel.local_user(), 0)
            standalone_engine(0)
            tools_tasks_and_steering(kernel)
            task_id = kernel.create_task("another")
            patches(kernel, task_id, "/tmp/worktree")
            capabilities(kernel, task_id, 0)
            values()
        except ApprovalError as exc:
            print("refused:", exc)
        except CrustCoreError as exc:
            print("error:", exc)
