"""Threat: an install whose source is an address instead of a registry name runs install code
fetched from wherever the address points: `pip install git+https://github.com/someone/tool`,
`npm install someone/tool` (npm's GitHub shorthand), `npx -y github:someone/tool`, a tarball
URL, `cargo install --git URL`. To a reviewer it reads like routine dependency work, which is
what makes it a good disguise for an injected agent. These were allowed like any install.

Invariant: an install or run of a package from an address is asked (`builtin:install-from-
address`); registry names, local paths and the public registries' own indexes (PyTorch's
wheel host) stay allowed. An index of anyone else's is asked too: see
`test_foreign_index_or_script_address__...`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    "command",
    [
        "pip install git+https://github.com/someone/tool",
        "pip3 install https://files.example/tool-1.0.tar.gz",
        "pip install 'tool @ git+https://github.com/someone/tool@main'",
        "pip install -e git+https://github.com/someone/tool#egg=tool",
        "python3 -m pip install git+https://github.com/someone/tool",
        "uv pip install git+https://github.com/someone/tool",
        "uv add git+https://github.com/someone/tool",
        "uvx --from git+https://github.com/someone/tool tool",
        "uv run --with git+https://github.com/someone/tool python -m tool",
        "pipx run --spec git+https://github.com/someone/tool tool",
        "pipx install git+https://github.com/someone/tool",
        "npm install github:someone/tool",
        "npm i someone/tool#main",
        "npm install https://files.example/tool-1.0.0.tgz",
        "yarn global add git+https://github.com/someone/tool.git",
        "pnpm add gitlab:someone/tool",
        "pnpm dlx github:someone/tool",
        "npx -y github:someone/tool",
        "npx -p github:someone/tool run-it",
        "cargo install --git https://github.com/someone/tool",
    ],
)
def test_an_install_from_an_address_is_asked(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ASK, "builtin:install-from-address")


@pytest.mark.parametrize(
    "command",
    [
        "pip install requests 'django>=4' -r requirements.txt",
        "pip install -e '.[dev]'",
        "pip install --extra-index-url https://download.pytorch.org/whl/cu118 torch",
        "uv add httpx",
        "uv run pytest -q",
        "uvx ruff check .",
        "uv run --with rich python scripts/report.py",
        "pipx install black",
        "npm install @types/node lodash react@18",
        "npm install ./packages/shared",
        "npm ci",
        "npx prettier --check src",
        "cargo install ripgrep",
        "yarn add -D typescript",
    ],
)
def test_registry_and_local_installs_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
