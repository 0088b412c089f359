"""Which install command lines take a package from an address instead of the registry."""

from __future__ import annotations

import pytest
from crustcore_nano.shell.pkgsources import remote_source
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
