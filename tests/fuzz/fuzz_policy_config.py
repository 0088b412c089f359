"""Fuzz target: the policy loader raises only ConfigError, and a policy that loads can match.

Run for longer with ``./dev run python tests/fuzz/fuzz_policy_config.py -max_total_time=300``.
"""

from __future__ import annotations

import sys

from crustcore_nano.errors import ConfigError
from crustcore_nano.policy.config import parse_policy
from crustcore_nano.policy.regex_check import regex_problem
from crustcore_nano.policy.toml_lines import scan_lines
from crustcore_nano.policy.types import OpKind, Origin

_PRELUDE = '[[rules]]\nname = "r"\naction = "deny"\n'


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    scan_lines(text)
    regex_problem(text[:200])
    for candidate in (text, _PRELUDE + text):
        try:
            policy = parse_policy(candidate, source="fuzz.toml", home="/home/u")
        except ConfigError as exc:
            if not str(exc).startswith("fuzz.toml"):
                raise AssertionError(f"message does not name the file: {exc}") from exc
            continue
        for rule in policy.rules:
            rule.matches("bash", OpKind.EXECUTE, ["/home/u/x"], ["a.b"], "ls -la", "x", Origin.API)
        policy.mcp_verdict("server", "tool")


if __name__ == "__main__":
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
