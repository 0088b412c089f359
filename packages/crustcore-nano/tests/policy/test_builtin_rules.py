"""The builtin rule table: well-formed, locked, documented, and the index matches as globs do."""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.globmatch import compile_glob
from crustcore_nano.policy.builtin import (
    APPROVAL_RULES,
    BUILTIN_RULES,
    RULES_BY_NAME,
    PathRuleIndex,
    rule,
)
from crustcore_nano.policy.types import OpKind, Verdict
from hypothesis import given, settings
from hypothesis import strategies as st

_HOME = "/home/me"
_DOCS = Path(__file__).resolve().parents[4] / "docs" / "policy.md"


def test_table_is_well_formed() -> None:
    names = [r.name for r in (*BUILTIN_RULES, *APPROVAL_RULES)]
    assert len(names) == len(set(names))
    for item in BUILTIN_RULES:
        assert item.name.startswith("builtin:")
        assert item.locked
        assert item.verdict in (Verdict.DENY, Verdict.ASK)
        assert len(item.reason) > 20
        assert item.covers
        assert item.examples
        for clause in item.clauses:
            assert clause.ops
            assert clause.globs
    for item in APPROVAL_RULES:
        assert item.name.startswith("approval:")
        assert not item.locked
        assert item.verdict is Verdict.ASK
    assert rule("builtin:ssh-keys") is RULES_BY_NAME["builtin:ssh-keys"]
    with pytest.raises(KeyError):
        rule("builtin:nope")


def test_every_rule_is_documented() -> None:
    text = _DOCS.read_text(encoding="utf-8")
    for item in (*BUILTIN_RULES, *APPROVAL_RULES):
        assert f"`{item.name}`" in text, item.name


@pytest.mark.parametrize(
    ("path", "op", "expected"),
    [
        ("/home/me/.ssh/id_rsa", OpKind.READ, "builtin:ssh-keys"),
        ("/home/me/.ssh/id_rsa.pub", OpKind.READ, None),
        ("/home/me/.ssh/known_hosts", OpKind.READ, None),
        ("/home/me/.ssh/known_hosts", OpKind.WRITE, "builtin:ssh-keys"),
        ("/srv/app/.ssh/authorized_keys", OpKind.WRITE, "builtin:ssh-keys"),
        ("/w/.env", OpKind.READ, "builtin:env-files"),
        ("/w/.env.production", OpKind.READ, "builtin:env-files"),
        ("/w/.env.example", OpKind.READ, None),
        ("/w/.env.sample", OpKind.WRITE, None),
        ("/w/.environment.ts", OpKind.READ, None),
        ("/home/me/.bashrc", OpKind.READ, None),
        ("/home/me/.bashrc", OpKind.WRITE, "builtin:shell-startup-files"),
        ("/etc/cron.daily/job", OpKind.WRITE, "builtin:persistence"),
        ("/w/.git/hooks/pre-commit", OpKind.WRITE, "builtin:git-hooks-and-config"),
        ("/w/.git/hooks/pre-commit", OpKind.READ, None),
        ("/w/.CURSOR/MCP.JSON", OpKind.WRITE, "builtin:agent-config"),
        ("/w/.claude/settings.json", OpKind.READ, None),
        ("/w/CLAUDE.md", OpKind.WRITE, None),
        ("/w/.vscode/tasks.json", OpKind.WRITE, "builtin:ide-tasks"),
        ("/w/certs/ca.pem", OpKind.READ, None),
        ("/w/certs/tls_key.pem", OpKind.READ, "builtin:private-key-files"),
        ("/w/infra/prod.tfstate", OpKind.READ, "builtin:cloud-credentials"),
        ("/home/me/.aws/config", OpKind.READ, "builtin:cloud-credentials"),
        ("/proc/1234/environ", OpKind.READ, "builtin:system-secrets"),
        ("/proc/cpuinfo", OpKind.READ, None),
        ("/w/src/main.py", OpKind.WRITE, None),
        ("/w/crustcore.toml", OpKind.WRITE, "builtin:self-protection"),
    ],
)
def test_index_samples(path: str, op: OpKind, expected: str | None) -> None:
    found = PathRuleIndex(_HOME).match(path, op)
    assert (found.name if found else None) == expected


_SEGMENT = st.sampled_from(
    [
        ".ssh", "id_rsa", ".env", ".env.example", ".aws", "credentials", ".git", "hooks",
        "config", ".claude", "settings.json", "src", "a.py", ".bashrc", "home", "me", "etc",
        "cron.d", "x.key", "tls_key.pem", ".npmrc", "Library", "LaunchAgents", ".config",
        "root", "Users", "alice",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_SEGMENT, min_size=1, max_size=6), st.sampled_from(list(OpKind)))
def test_index_agrees_with_plain_glob_matching(segments: list[str], op: OpKind) -> None:
    """The trigger index is only a shortcut: it finds a rule exactly when some clause glob
    (minus its exceptions) matches, a `~/` glob counting in every home (`/root`, `/home/*`,
    `/Users/*`) as well."""
    path = "/" + "/".join(segments)
    index = PathRuleIndex(_HOME)
    found = index.match(path, op)
    expected: set[str] = set()

    def rebased(pattern: str, base: str) -> str:
        return base + pattern[1:] if pattern.startswith("~/") else pattern

    for item in BUILTIN_RULES:
        for clause in item.clauses:
            if op not in clause.ops:
                continue
            for base in ("~", "/root", "/home/*", "/Users/*"):
                excepts = [compile_glob(rebased(p, base), home=_HOME) for p in clause.excepts]
                for pattern in clause.globs:
                    if base != "~" and not pattern.startswith("~/"):
                        continue
                    glob = compile_glob(rebased(pattern, base), home=_HOME)
                    if glob.match(path.lower(), case_insensitive=True) and not any(
                        e.match(path.lower(), case_insensitive=True) for e in excepts
                    ):
                        expected.add(item.name)
    assert (found is not None) == bool(expected)
    if found is not None:
        assert found.name in expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_SEGMENT, min_size=1, max_size=6),
    st.sampled_from(list(OpKind)),
    st.sampled_from(list(OpKind)),
)
def test_covers_either_is_match_for_each_kind(
    segments: list[str], op: OpKind, other: OpKind
) -> None:
    """`covers_either` (the shell short path's one look-up for a read or a write) finds a rule
    exactly when `match` finds one for one of the kinds, in this home or another."""
    index = PathRuleIndex(_HOME)
    for path in ("/" + "/".join(segments), "/home/bob/" + "/".join(segments)):
        expected = index.match(path, op) is not None or index.match(path, other) is not None
        assert index.covers_either(path, op, other) is expected, path
