"""Which install command lines take a package from an address instead of the registry, or
from an index other than a public registry's."""

from __future__ import annotations

import pytest
from crustcore_nano.shell.pkgsources import (
    index_address,
    index_source,
    remote_script,
    remote_source,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("tool", "args", "found"),
    [
        ("pip", "install git+https://h/x", "git+https://h/x"),
        ("pip", "install -r req.txt hg+https://h/x", "hg+https://h/x"),
        ("pip", "install x|@|https://h/x.whl", "https://h/x.whl"),  # three words: a URL
        ("pip", "install x @ https://h/x.whl", "x @ https://h/x.whl"),  # one word (quoted)
        ("pip", "download https://h/x.tar.gz -d out", "https://h/x.tar.gz"),
        ("pip", "install -i https://mirror/simple requests", None),
        ("pip", "install -e .", None),
        ("pip", "uninstall git+https://h/x", None),
        ("npm", "install github:o/r", "github:o/r"),
        ("npm", "install o/r", "o/r"),
        ("npm", "install alias@github:o/r", "alias@github:o/r"),
        ("npm", "install @scope/pkg pkg@1.2.3", None),
        ("npm", "install --prefix sub o/r", "o/r"),
        ("npm", "install --prefix o/r lodash", None),  # the option's value is a directory
        ("npm", "run o/r", None),
        ("yarn", "global add o/r", "o/r"),
        ("pnpm", "dlx github:o/r", "github:o/r"),
        ("npx", "-y o/r", "o/r"),
        ("npx", "prettier --write src/a.js", None),
        ("cargo", "install --git=https://h/r", "https://h/r"),
        ("cargo", "build --git https://h/r", None),
        ("uv", "tool install git+https://h/x", "git+https://h/x"),
        ("uv", "run --with git+https://h/x pytest", None),
        ("bun", "add o/r", "o/r"),
        ("bun", "a https://h/x.tgz", "https://h/x.tgz"),
        ("bun", "x github:o/r", "github:o/r"),
        ("bun", "create o/r app", "o/r"),
        ("bun", "create vite app", None),
        ("bun", "add lodash", None),
        ("bun", "run o/r", None),
    ],
)
def test_remote_source(tool: str, args: str, found: str | None) -> None:
    verb, _, rest = args.partition(" ")
    # The words as the program receives them: split on spaces, except in the one case that
    # marks its word boundaries with `|` (a direct reference quoted as one word has spaces).
    if "|" in rest:
        words = [verb, *rest.split("|")]
    elif " @ " in rest:
        words = [verb, rest]
    else:
        words = [verb, *rest.split()]
    assert remote_source(tool, words) == found


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["pip", "npm", "yarn", "pnpm", "npx", "cargo", "uv", "git"]),
    st.lists(
        st.sampled_from(["install", "add", "dlx", "global", "-e", "--git", "-p", "o/r", "@s/p",
                         "git+https://h", "github:o/r", "--prefix", "x", "pip", "tool", "-"]),
        max_size=12,
    ),
)  # fmt: skip
def test_remote_source_never_raises_and_returns_one_of_the_arguments(
    tool: str, args: list[str]
) -> None:
    found = remote_source(tool, args)
    assert found is None or any(found in a for a in args)


@pytest.mark.parametrize(
    ("tool", "args", "found"),
    [
        ("pip", "install -i https://h/simple x", "https://h/simple"),
        ("pip", "install -ihttps://h/simple x", "https://h/simple"),
        ("pip", "install --extra-index-url=https://h/simple x", "https://h/simple"),
        ("pip", "install -f https://h/wheels/ x", "https://h/wheels/"),
        ("pip", "install --index-url https://pypi.org/simple x", None),
        ("pip", "install --index-url https://download.pytorch.org/whl/cpu torch", None),
        ("pip", "install -f ./wheels x", None),
        ("pip", "install -f file:///srv/wheels x", None),
        ("pip", "install --index-url http://localhost:3141/simple x", None),
        ("pip", "install --index-url", None),  # no value
        ("uv", "add --index corp=https://h/simple x", "https://h/simple"),
        ("uv", "add --index pt=https://download.pytorch.org/whl/cpu torch", None),
        ("npm", "install --registry https://h x", "https://h"),
        ("npm", "install --registry https://registry.npmjs.org x", None),
        ("gem", "install -s https://h rails", "https://h"),
        ("cargo", "install --index https://h/i x", "https://h/i"),
        ("cargo", "install --registry corp x", None),
        ("git", "clone --registry https://h", None),  # not a package tool
    ],
)
def test_index_source(tool: str, args: str, found: str | None) -> None:
    assert index_source(tool, args.split()) == found


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("https://h/simple", "https://h/simple"),
        ("https://proxy.golang.org,direct", None),
        ("https://proxy.golang.org,https://h", "https://h"),
        ("https://h|direct", "https://h"),
        ("off", None),
        ("https://pypi.org.h.example/simple", "https://pypi.org.h.example/simple"),
        ("https://test.pypi.org/simple", None),
        ("https://[::1/", "https://[::1/"),  # unreadable: asked, not trusted
        ("HTTPS://PyPI.org/simple", None),
    ],
)
def test_index_address(value: str, found: str | None) -> None:
    assert index_address(value) == found


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("https://files.example/x.ts", True),
        ("https://deno.land/std/examples/welcome.ts", False),
        ("https://jsr.io/@std/http/file_server.ts", False),
        ("https://deno.land.files.example/x.ts", True),
        ("http://localhost:8000/x.ts", False),
    ],
)
def test_remote_script(url: str, remote: bool) -> None:
    assert remote_script(url) is remote


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_index_address_never_raises_and_returns_a_part_of_the_value(value: str) -> None:
    found = index_address(value)
    assert found is None or ("://" in found and found in value)
