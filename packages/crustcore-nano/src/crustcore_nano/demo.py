"""``crustcore demo``: what CrustCore does, end to end, in plain words.

Runs in-process against an embedded kernel in a fresh home (or ``--home DIR``), with a made-up
credential: no API key, no network. Each step states what happened and what it proves.
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from crustcore_nano.approvals import Actor
from crustcore_nano.errors import CrustCoreError
from crustcore_nano.eventlog import iter_records, verify_log
from crustcore_nano.kernel.core import Kernel
from crustcore_nano.patches import UnverifiedPatch, VerifiedPatch

DEMO_KEY = "sk-demo-" + "4f7Q" * 8  # made up; looks like a provider key


def demo_main(argv: Sequence[str], *, stdout: TextIO, stderr: TextIO) -> int:
    parser = argparse.ArgumentParser(prog="crustcore demo", description=__doc__)
    parser.add_argument("--home", help="CrustCore home to use (default: a new temporary one)")
    parser.add_argument("--json", action="store_true", help="print the steps as one JSON object")
    args = parser.parse_args(list(argv))
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="crustcore-demo-"))
    steps: list[dict[str, object]] = []

    def say(step: str, text: str, **facts: object) -> None:
        steps.append({"step": step, "text": text, **facts})
        if not args.json:
            stdout.write(f"  {text}\n")

    def title(text: str) -> None:
        if not args.json:
            stdout.write(f"\n{text}\n")

    with Kernel.open(home) as kernel:
        if not args.json:
            stdout.write(f"CrustCore demo: an embedded kernel in {home}\n")

        title("1. A secret goes in; the model only ever sees its handle")
        handle = kernel.broker.add("openai", DEMO_KEY)
        say("secret", f"registered a provider key; the model is given {handle}", handle=str(handle))
        prompt = f"Here is my config: OPENAI_API_KEY={DEMO_KEY}. Why does it fail?"
        shown = kernel.redact(prompt)
        say("redact", f"model-bound text becomes: {shown.text}", leaked=DEMO_KEY in shown.text)
        encoded = "token=" + base64.b64encode(b'{"auth":"' + DEMO_KEY.encode() + b'"}').decode()
        shown_b64 = kernel.redact(encoded)
        say(
            "redact-base64",
            f"the same key inside base64: {shown_b64.text}",
            leaked=kernel.broker.redactor.would_leak(shown_b64.text),
        )
        stream = kernel.broker.stream()
        chunks = ["The key is sk-de", "mo-4f7Q4f7Q4f7Q", "4f7Q4f7Q4f7Q4f7Q4f7Q and that is all."]
        streamed = "".join(stream.feed(c) for c in chunks) + stream.flush()
        say(
            "redact-stream",
            f"split across 3 stream chunks: {streamed}",
            leaked=DEMO_KEY in streamed,
        )

        title("2. An irreversible action waits for the user")
        task = kernel.create_task("fix the failing test", budget={"tokens": 50_000})
        kernel.start_job(task, owner="worker-1")
        request = kernel.request_tool(
            task, "bash", {"command": "git push --force origin main"}, reversibility="irreversible"
        )
        pending = request.approval
        assert pending is not None
        say(
            "ask",
            f"the agent asks to run `git push --force origin main`: held as "
            f"{pending.approval_id}, action digest {pending.digest[:16]}…",
            approval_id=pending.approval_id,
            status=kernel.task(task).status.value,
        )
        try:
            kernel.approve(pending.approval_id, by=cast(Any, Actor.MODEL), digest=pending.digest)
            say("model-approve", "the model approved its own action (THIS IS A BUG)", refused=False)
        except CrustCoreError as exc:
            say("model-approve", f"the model tries to approve it itself -> {exc}", refused=True)
        user = kernel.local_user()
        approved = kernel.approve(pending.approval_id, by=user, digest=pending.digest)
        say(
            "user-approve",
            f"the user ({user.name}) approves the digest they were shown; the task "
            f"is {kernel.task(task).status.value} again",
            approved=approved.approval_id,
        )
        kernel.approvals.consume(approved, pending.action, now_ms=approved.expires_at_ms - 1)
        try:
            kernel.approvals.consume(approved, pending.action, now_ms=approved.expires_at_ms - 1)
            say("reuse", "the approval was used twice (THIS IS A BUG)", refused=False)
        except CrustCoreError as exc:
            say("reuse", f"using the same approval again -> {exc}", refused=True)

        title("3. Only a verified patch completes a task")
        kernel.claim_done(task, claim="All tests pass, trust me.")
        say(
            "claim",
            "the model says it is done: recorded as advisory, task is "
            f"{kernel.task(task).status.value}",
        )
        forged = object.__new__(VerifiedPatch)
        for name, fake in (
            ("forged VerifiedPatch", forged),
            ("UnverifiedPatch", UnverifiedPatch(task, worktree=str(home), base="HEAD")),
        ):
            try:
                kernel.complete_task(task, cast(Any, fake))
                say("forged", f"a {name} completed the task (THIS IS A BUG)", refused=False)
            except CrustCoreError as exc:
                say("forged", f"completing with a {name} -> {exc}", refused=True)
        say(
            "still-open",
            f"the task is still {kernel.task(task).status.value}",
            status=kernel.task(task).status.value,
        )

        title("4. Everything above is in the tamper-evident event log")
        log_dir = kernel.log_dir
    report = verify_log(log_dir)
    records = list(iter_records(log_dir))
    kinds = sorted({r.kind for r in records if not r.kind.startswith("log.")})
    raw = b"".join(p.read_bytes() for p in sorted(log_dir.glob("*")) if p.is_file())
    say(
        "log",
        f"{len(records)} records in {log_dir}, hash-chained and sealed "
        f"({'verified intact' if report.ok else 'BROKEN'}): {', '.join(kinds)}; the demo key "
        f"appears in it {raw.count(DEMO_KEY.encode())} times",
        events=len(records),
        path=str(log_dir),
        intact=report.ok,
        leaked=DEMO_KEY.encode() in raw,
    )
    if not args.json:
        stdout.write(f"  check it yourself: crustcore inspect {home}\n")
    ok = (
        all(s.get("leaked") in (None, False) for s in steps)
        and all(s.get("intact") in (None, True) for s in steps)
        and all(s.get("refused") in (None, True) for s in steps)
    )
    if args.json:
        stdout.write(json.dumps({"ok": ok, "home": str(home), "steps": steps}, indent=2) + "\n")
    else:
        stdout.write("\nAll checks held.\n" if ok else "\nA CHECK FAILED: see above.\n")
    return 0 if ok else 1
