"""Run the daemon frame fuzz target on seeds and a few thousand hypothesis inputs.

The target is the same function atheris drives for longer runs; here it runs briefly in the
ordinary test suite so a broken invariant shows up in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

from fuzzkit import smoke

_HERE = Path(__file__).parent


def _frame(doc: object) -> bytes:
    body = json.dumps(doc).encode()
    return len(body).to_bytes(4, "big") + body


_SEEDS = [
    b"",
    b"\x3f" + _frame({"v": 1, "id": 1, "op": "hello", "args": {"role": "client"}}),
    b"\xff" + _frame({"v": 1, "id": 2, "op": "check", "args": {"tool": "Bash"}}) * 3,
    b"\x3f" + _frame({"v": 2, "id": 3, "op": "status"}),
    b"\x00\x00\x00\x00\x00",
    b"\x01\xff\xff\xff\xff{",
    b"\x3f" + b"\x00\x00\x00\x05\xff\xfe\xfd\xfc\xfb",
    b"\x3f" + _frame([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]),
]


def test_fuzz_daemon_frames_smoke() -> None:
    smoke("fuzz_daemon_frames", _SEEDS, max_size=512)
