"""Run the extraction and policy-file fuzz targets on a few thousand hypothesis inputs each.

The targets are the same functions atheris drives for longer runs; here they run briefly in the
ordinary test suite so a broken invariant shows up in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzkit import smoke

_HERE = Path(__file__).parent
_TARGETS = ("fuzz_extract", "fuzz_policy_config")


_SEEDS = [
    b"",
    b'\x00Bash\n{"command": "cat ~/.ssh/id_rsa"}',
    b'\x01mcp__a__b\n{"Path": "/etc", "path": {"url": "http://[::1]:80"}}',
    b"\x03x\n" + b"[" * 3000 + b"]" * 3000,
    b"\x46*** Begin Patch\n*** Update File: a\n*** Move to: ~/.bashrc\n+x\n*** End Patch",
    b"\x50file://localhost/etc/passwd",
    b"\xc8*** Add File:\n*** Move to: x\n--- a/x\n+++ b/y\n",
    b"\xc9https:\\\\evil.test\\x",
    b'[[rules]]\nname = "a"\naction = "deny"\ncommand = "(a+)+"\n',
    b'[policy.mcp.x]\nallow_tools = ["*"]\n[policy]\ndefault_mcp = "ask"\n',
    b'tool = "b*"\npath = "~/{a,b}/**"\nhost = "**.x"\norigin = ["api"]\n',
    b'reason = """\n[[rules]]\n"""\n' + b"a = [" * 2000,
]


@pytest.mark.parametrize("name", _TARGETS)
def test_fuzz_policy_target_smoke(name: str) -> None:
    smoke(name, _SEEDS)
