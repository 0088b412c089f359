"""Misuse: a worker constructing a VerifiedPatch instead of passing the verifier.

Every field is supplied, so only the seal rejects it.
"""

from __future__ import annotations

from crustcore_nano import PatchId, TaskId, VerifiedPatch

pid, tid, diff = PatchId("patch-1"), TaskId("task-1"), b"diff --git a/x b/x\n"
claim = VerifiedPatch(pid, tid, "HEAD", "00", diff, ("true",), 0, "00", "none", 0, "")  # expect-error
