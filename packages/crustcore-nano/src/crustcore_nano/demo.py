"""``crustcore demo``: what CrustCore does, end to end, in plain words.

Part 1 runs against a real kernel process started with ``crustcore up`` (in a fresh home, or
``--home DIR``) and talks to it over its Unix socket, as an agent's edges do. Part 2 shows the
sealed types in-process. Everything uses a made-up credential: no API key, no network.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from crustcore_nano.approvals import Actor
from crustcore_nano.errors import CrustCoreError
from crustcore_nano.eventlog import iter_records, verify_log
from crustcore_nano.kernel.core import Kernel
from crustcore_nano.patches import UnverifiedPatch, VerifiedPatch
from crustcore_nano.policy.types import Origin, ToolCall

DEMO_KEY = "sk-demo-" + "4f7Q" * 8  # made up; looks like a provider key


def _crustcore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crustcore_nano", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def demo_main(argv: Sequence[str], *, stdout: TextIO, stderr: TextIO) -> int:
    parser = argparse.ArgumentParser(prog="crustcore demo", description=__doc__)
    parser.add_argument("--home", help="CrustCore home to use (default: a new temporary one)")
    parser.add_argument("--json", action="store_true", help="print the steps as one JSON object")
    args = parser.parse_args(list(argv))
    home = Path(args.home or tempfile.mkdtemp(prefix="crustcore-demo-")).absolute()
    steps: list[dict[str, object]] = []

    def say(step: str, text: str, **facts: object) -> None:
        steps.append({"step": step, "text": text, **facts})
        if not args.json:
            stdout.write(f"  {text}\n")

    def title(text: str) -> None:
        if not args.json:
            stdout.write(f"\n{text}\n")

    def refused(step: str, what: str, attempt: Any) -> None:
        try:
            attempt()
        except CrustCoreError as exc:
            why = str(exc)
            while why.startswith(("refused: ", "forbidden: ")):
                why = why.split(": ", 1)[1]
            say(step, f"{what} -> refused: {why}", refused=True)
        else:
            say(step, f"{what} was allowed (THIS IS A BUG)", refused=False)

    if not args.json:
        stdout.write(f"CrustCore demo in {home}\n")
    up = _crustcore("up", "--home", str(home), "--detach")
    if up.returncode != 0:
        stderr.write(f"crustcore demo: could not start the kernel:\n{up.stdout}{up.stderr}")
        return 2
    try:
        _part_one(home, say, title, refused)
    finally:
        down = _crustcore("down", "--home", str(home))
    say(
        "down",
        "crustcore down: the kernel stopped, its log flushed and sealed",
        stopped=down.returncode == 0,
    )
    _part_two(home / "in-process", say, title, refused)

    title("4. Everything above is in the tamper-evident event log")
    log_dir = home / "log"
    report = verify_log(log_dir)
    kinds = sorted({r.kind for r in iter_records(log_dir) if not r.kind.startswith("log.")})
    raw = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file() and "log" in p.parts)
    say(
        "log",
        f"{report.records} records in {log_dir}, hash-chained and sealed "
        f"({'verified intact' if report.ok else 'BROKEN'}): {', '.join(kinds)}",
        events=report.records,
        intact=report.ok,
    )
    say(
        "no-leak",
        f"the demo key appears in the logs {raw.count(DEMO_KEY.encode())} times",
        leaked=DEMO_KEY.encode() in raw,
    )
    if not args.json:
        stdout.write(f"  check it yourself: crustcore inspect {home}\n")
    ok = (
        all(s.get("leaked") in (None, False) for s in steps)
        and all(s.get("refused") in (None, True) for s in steps)
        and all(s.get(k) in (None, True) for s in steps for k in ("intact", "stopped", "held"))
    )
    if args.json:
        stdout.write(json.dumps({"ok": ok, "home": str(home), "steps": steps}, indent=2) + "\n")
    else:
        stdout.write("\nAll checks held.\n" if ok else "\nA CHECK FAILED: see above.\n")
    return 0 if ok else 1


def _part_one(home: Path, say: Any, title: Any, refused: Any) -> None:
    from crustcore_nano.daemon.client import KernelClient

    title("1. A real kernel process (crustcore up); the model only ever sees a handle")
    status = _crustcore("status", "--home", str(home))
    say(
        "up",
        "crustcore up: the kernel listens on " + str(home / "run" / "kernel.sock"),
        held=status.returncode == 0,
    )
    with KernelClient(home, role="admin") as admin, KernelClient(home) as agent:
        handle = admin.secrets_add("openai", DEMO_KEY, hosts=["api.openai.example"])
        say("secret", f"the user registers a provider key; agents are given {handle}")
        prompt = f"Here is my config: OPENAI_API_KEY={DEMO_KEY}. Why does it fail?"
        shown = agent.redact(prompt).text
        say("redact", f"model-bound text comes back as: {shown}", leaked=DEMO_KEY in shown)
        blob = base64.b64encode(b'{"auth":"' + DEMO_KEY.encode() + b'"}').decode()
        shown = agent.redact(f"token={blob}").text
        say("redact-base64", f"the same key inside base64: {shown}", leaked=DEMO_KEY in shown)
        refused(
            "inject",
            "the agent asks the kernel for the key's value",
            lambda: agent.secret_inject(str(handle), "api.openai.example"),
        )

        title("2. Every tool call is decided by policy; irreversible ones wait for the user")
        ws = str(home / "workspace")
        os.makedirs(ws, exist_ok=True)
        for command, label in (
            ("cat ~/.ssh/id_rsa", "read an SSH key"),
            ("curl -s http://169.254.169.254/latest/meta-data/", "reach cloud metadata"),
            ("npm test && git status", "run the tests"),
        ):
            d = agent.check(
                ToolCall("Bash", {"command": command}, Origin.MODEL),
                workspace=ws,
                session_id="demo",
            )
            say("check", f"{label} (`{command}`): {d.verdict.value} ({d.rule})")
        d = agent.check(
            ToolCall("Bash", {"command": "git push --force origin main"}, Origin.MODEL),
            workspace=ws,
            session_id="demo",
        )
        approval_id = d.approval_id or ""
        say(
            "ask",
            f"`git push --force origin main`: {d.verdict.value}, held as {approval_id}",
            held=d.verdict.value == "ask" and bool(approval_id),
        )
        pending = {str(p.get("approval_id")): p for p in admin.approvals()}
        digest = str(pending.get(approval_id, {}).get("digest", ""))
        refused(
            "model-approve",
            "the agent tries to approve it itself",
            lambda: agent.resolve_approval(approval_id, approve=True, digest=digest),
        )
        answer: list[str] = []
        waiter = threading.Thread(
            target=lambda: answer.append(
                KernelClient(home).wait_approval(approval_id, timeout_s=30)
            )
        )
        waiter.start()
        state = admin.resolve_approval(approval_id, approve=True, digest=digest)
        waiter.join(30)
        say(
            "user-approve",
            f"the user approves digest {digest[:16]}… (crustcore approve "
            f"{approval_id}): {state}; the waiting agent is told '{answer[0] if answer else '?'}'",
            held=bool(answer) and answer[0] == state,
        )
        refused(
            "reuse",
            "approving the same request again",
            lambda: admin.resolve_approval(approval_id, approve=True, digest=digest),
        )


def _part_two(home: Path, say: Any, title: Any, refused: Any) -> None:
    title("3. The sealed types, in-process: streams, approvals, verified patches")
    with Kernel.open(home) as kernel:
        kernel.broker.add("openai", DEMO_KEY)
        stream = kernel.broker.stream()
        chunks = ["The key is sk-de", "mo-4f7Q4f7Q4f7Q", "4f7Q4f7Q4f7Q4f7Q4f7Q and that is all."]
        streamed = "".join(stream.feed(c) for c in chunks) + stream.flush()
        say(
            "redact-stream",
            f"split across 3 stream chunks: {streamed}",
            leaked=DEMO_KEY in streamed,
        )
        task = kernel.create_task("fix the failing test", budget={"tokens": 50_000})
        kernel.start_job(task, owner="worker-1")
        request = kernel.request_tool(
            task, "bash", {"command": "git push origin main"}, reversibility="irreversible"
        )
        pending = request.approval
        assert pending is not None
        refused(
            "model-approve-typed",
            "a model actor resolving through the typed API",
            lambda: kernel.approve(
                pending.approval_id, by=cast(Any, Actor.MODEL), digest=pending.digest
            ),
        )
        approved = kernel.approve(
            pending.approval_id, by=kernel.local_user(), digest=pending.digest
        )
        kernel.approvals.consume(approved, pending.action, now_ms=approved.expires_at_ms - 1)
        refused(
            "reuse-token",
            "spending the same Approved token twice",
            lambda: kernel.approvals.consume(
                approved, pending.action, now_ms=approved.expires_at_ms - 1
            ),
        )
        kernel.claim_done(task, claim="All tests pass, trust me.")
        say(
            "claim",
            "the model says it is done: recorded as advisory; the task is "
            f"{kernel.task(task).status.value}",
        )
        forged = object.__new__(VerifiedPatch)
        refused(
            "forged",
            "completing the task with a hand-built VerifiedPatch",
            lambda: kernel.complete_task(task, forged),
        )
        refused(
            "forged",
            "completing the task with an UnverifiedPatch",
            lambda: kernel.complete_task(task, cast(Any, UnverifiedPatch(task, str(home), "HEAD"))),
        )
        say("still-open", f"the task is still {kernel.task(task).status.value}")
