"""Red team: the attack corpus is denied or asked, the everyday corpus is allowed.

`corpus/attacks.jsonl` holds tool calls an injected or misbehaving agent would make (credential
reads, persistence, path and shell evasions, interpreter one-liners, exfiltration, reverse
shells, metadata endpoints, env poisoning, self-protection, MCP resources, ...), in the shapes
of Claude Code, Codex, Cursor, Cline, OpenHands, the MCP filesystem server and unknown tools.
`corpus/benign.jsonl` holds everyday coding calls. Both are evaluated by one `PolicyEngine`
over a real temporary workspace and fake home directory (with keys, cloud credentials and a
symlink from the workspace into `~/.ssh`), with `{WS}`, `{HOME}` and `{HOMEBASE}` substituted.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from crustcore_nano.policy.builtin import APPROVAL_RULES, BUILTIN_RULES
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict

_CORPUS = Path(__file__).parent / "corpus"
# `${HOME}` and Perl's `$ENV{HOME}` in a corpus line stay as written
_HOME_MARK = re.compile(r"(?<!\$)(?<!\$ENV)\{HOME\}")


@dataclass(frozen=True, slots=True)
class _Case:
    id: str
    category: str
    call: dict[str, object]
    expect: str
    why: str


def _load(name: str) -> list[_Case]:
    cases: list[_Case] = []
    for line in (_CORPUS / name).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = cast("dict[str, object]", json.loads(line))
        cases.append(
            _Case(
                id=str(raw["id"]),
                category=str(raw["category"]),
                call=cast("dict[str, object]", raw["call"]),
                expect=str(raw["expect"]),
                why=str(raw["why"]),
            )
        )
    return cases


ATTACKS = _load("attacks.jsonl")
BENIGN = _load("benign.jsonl")


@dataclass(frozen=True, slots=True)
class _World:
    ws: Path
    home: Path
    engine: PolicyEngine


def _build(root: Path) -> _World:
    home = root / "home" / "dev"
    ws = root / "work" / "ws"
    for d in (
        home / ".ssh",
        home / ".aws",
        home / ".kube",
        home / ".crustcore" / "run",
        home / ".crustcore" / "keys",
        home / "projects",
        ws / "src",
        ws / ".git" / "hooks",
        ws / ".claude",
        ws / "tests",
        ws / "data",
        ws / "logs",
        ws / "scripts",
    ):
        d.mkdir(parents=True, exist_ok=True)
    files = {
        home / ".ssh" / "id_rsa": "PRIVATE",
        home / ".ssh" / "id_ed25519": "PRIVATE",
        home / ".ssh" / "id_rsa.pub": "ssh-rsa AAAA dev@host",
        home / ".ssh" / "known_hosts": "github.com ssh-ed25519 AAAA",
        home / ".aws" / "credentials": "[default]\n",
        home / ".kube" / "config": "apiVersion: v1\n",
        home / ".bashrc": "# bashrc\n",
        home / ".gitconfig": "[user]\n",
        home / "notes.txt": "notes\n",
        home / ".crustcore" / "crustcore.toml": "",
        home / ".crustcore" / "keys" / "log.key": "k",
        ws / ".env": "SECRET=1\n",
        ws / ".env.example": "SECRET=\n",
        ws / ".env.sample": "SECRET=\n",
        ws / ".env.template": "SECRET=\n",
        ws / "README.md": "# project\n",
        ws / "CLAUDE.md": "# notes\n",
        ws / "package.json": '{"name": "x"}\n',
        ws / "pyproject.toml": "[project]\n",
        ws / "src" / "app.py": "def run():\n    return None\n",
        ws / ".git" / "config": "[core]\n",
        ws / ".claude" / "settings.json": "{}\n",
        ws / "scripts" / "hooks.patch": (
            "--- a/.claude/settings.json\n+++ b/.claude/settings.json\n"
            '@@ -1 +1 @@\n-{}\n+{"x": 1}\n'
        ),
        ws / "scripts" / "fix.patch": "--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-a\n+b\n",
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    for archive, member in (("release.tar", ".claude/settings.json"), ("docs.tar", "docs/a.md")):
        with tarfile.open(ws / "data" / archive, "w") as tar:
            info = tarfile.TarInfo(member)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"{}\n"))
    os.symlink(home / ".ssh", ws / "sshlink")
    os.symlink(home / ".aws" / "credentials", ws / "keys.txt")
    return _World(ws, home, _engine(home, ws))


def _engine(home: Path, ws: Path) -> PolicyEngine:
    return PolicyEngine(
        crustcore_home=str(home / ".crustcore"),
        workspace=str(ws),
        home=str(home),
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "USER": "dev"},
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> _World:
    return _build(tmp_path_factory.mktemp("corpus"))


def _subst(value: object, world: _World) -> object:
    if isinstance(value, str):
        out = value.replace("{WS}", str(world.ws)).replace("{HOMEBASE}", world.home.name)
        return _HOME_MARK.sub(str(world.home).replace("\\", "\\\\"), out)
    if isinstance(value, dict):
        items = cast("dict[str, object]", value)
        return {k: _subst(v, world) for k, v in items.items()}
    if isinstance(value, list):
        return [_subst(v, world) for v in cast("list[object]", value)]
    return value


def _evaluate(case: _Case, world: _World) -> Decision:
    call = cast("dict[str, object]", _subst(case.call, world))
    origin = Origin(str(call.get("origin", "model")))
    args = cast("dict[str, object]", call["args"])
    return world.engine.evaluate(ToolCall(str(call["tool"]), args, origin))


def test_corpus_is_large_and_well_formed() -> None:
    assert len(ATTACKS) >= 220
    assert len(BENIGN) >= 220
    ids = [c.id for c in (*ATTACKS, *BENIGN)]
    assert len(ids) == len(set(ids))
    assert {c.expect for c in ATTACKS} == {"block"}
    assert {c.expect for c in BENIGN} <= {"allow", "ask-ok"}
    categories = Counter(c.category for c in ATTACKS)
    for needed in (
        "credential-read",
        "persistence-write",
        "path-evasion",
        "shell-evasion",
        "interpreter",
        "exfiltration",
        "reverse-shell",
        "metadata-endpoint",
        "env-poisoning",
        "self-protection",
        "mcp-resource",
    ):
        assert categories[needed] >= 8, needed
    tools = Counter(str(c.call["tool"]) for c in ATTACKS)
    for shape in ("Bash", "Read", "Write", "Edit", "shell", "apply_patch", "run_terminal_cmd"):
        assert tools[shape] >= 1, shape


def test_every_attack_is_denied_or_asked(world: _World) -> None:
    missed: list[str] = []
    verdicts: Counter[str] = Counter()
    per_category: Counter[str] = Counter()
    for case in ATTACKS:
        decision = _evaluate(case, world)
        verdicts[decision.verdict.value] += 1
        per_category[case.category] += 1
        if decision.verdict is Verdict.ALLOW:
            missed.append(f"{case.id} [{case.category}] {case.why}: {decision.reason}")
    print(f"attacks: {dict(verdicts)} by category {dict(sorted(per_category.items()))}")
    assert not missed, "attacks allowed:\n" + "\n".join(missed)


def test_no_benign_call_is_denied_or_asked(world: _World) -> None:
    wrong: list[str] = []
    verdicts: Counter[str] = Counter()
    for case in BENIGN:
        decision = _evaluate(case, world)
        verdicts[decision.verdict.value] += 1
        if decision.verdict is Verdict.DENY or (
            decision.verdict is Verdict.ASK and case.expect != "ask-ok"
        ):
            wrong.append(
                f"{case.id} [{case.category}] {case.why}: {decision.verdict.value} "
                f"{decision.rule}: {decision.reason}"
            )
    print(f"benign: {dict(verdicts)}")
    assert not wrong, "benign calls blocked:\n" + "\n".join(wrong)


def test_every_builtin_rule_fires_for_some_attack(world: _World) -> None:
    fired = {_evaluate(case, world).rule for case in ATTACKS}
    names = {r.name for r in (*BUILTIN_RULES, *APPROVAL_RULES)}
    assert not names - fired, f"rules no attack exercises: {sorted(names - fired)}"
    assert "mcp:tool-policy" in fired


def test_the_short_path_for_file_tools_agrees_with_the_pipeline(world: _World) -> None:
    """`FastFile` may answer a call only with what the whole pipeline answers: over both
    corpora, every decision and flow is the same with and without it (a twin engine with the
    short path switched off), and it does answer the everyday file calls it was built for."""
    slow = _engine(world.home, world.ws)
    slow._fast = None  # pyright: ignore[reportPrivateUsage]
    fast = world.engine._fast  # pyright: ignore[reportPrivateUsage]
    assert fast is not None
    answered: list[str] = []
    differ: list[str] = []
    for case in (*ATTACKS, *BENIGN):
        raw = cast("dict[str, object]", _subst(case.call, world))
        args = cast("dict[str, object]", raw["args"])
        call = ToolCall(str(raw["tool"]), args, Origin(str(raw.get("origin", "model"))))
        if fast.allow(call) is not None:
            answered.append(case.id)
        got = world.engine.evaluate_detailed(call)
        want = slow.evaluate_detailed(call)
        if got != want:
            differ.append(f"{case.id}: {got} != {want}")
    assert not differ, "the short path disagrees:\n" + "\n".join(differ)
    assert not [a for a in answered if not a.startswith("ben-")], "it allowed an attack"
    print(f"short path answered {len(answered)} everyday calls")
    assert len(answered) >= 10, answered


def test_the_short_path_for_shell_lines_never_answers_an_attack(world: _World) -> None:
    """`FastShell` answers only lines it proves the pipeline allows: over both corpora it
    answers no attack at all, and its everyday lines agree with the pipeline (the test above
    compares every decision with the short paths switched off)."""
    short = world.engine._fast_shell  # pyright: ignore[reportPrivateUsage]
    assert short is not None
    answered: list[str] = []
    for case in (*ATTACKS, *BENIGN):
        raw = cast("dict[str, object]", _subst(case.call, world))
        args = cast("dict[str, object]", raw["args"])
        call = ToolCall(str(raw["tool"]), args, Origin(str(raw.get("origin", "model"))))
        world.engine.evaluate(call)  # the first call in a directory fills the directory cache
        if short.allow(call) is not None:
            answered.append(case.id)
    assert not [a for a in answered if not a.startswith("ben-")], "it allowed an attack"
    print(f"shell short path answered {len(answered)} everyday calls")
    assert len(answered) >= 5, answered
