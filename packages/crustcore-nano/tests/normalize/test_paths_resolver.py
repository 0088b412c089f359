"""Path resolution on a real directory tree: attacks are not confined, everyday paths are."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from crustcore_nano.paths import (
    PathResolver,
    PathSignal,
    ResolvedPath,
    is_within,
    lexical_clean,
)


@dataclass(frozen=True)
class Tree:
    base: str
    root: str
    home: str
    resolver: PathResolver


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    base = os.path.realpath(tmp_path)
    home = os.path.join(base, "home", "dev")
    root = os.path.join(base, "work", "proj")
    for d in (f"{home}/.ssh", f"{home}/.aws", f"{root}/src/pkg", f"{root}/docs"):
        os.makedirs(d)
    for f in (f"{home}/.ssh/id_rsa", f"{home}/.aws/credentials", f"{root}/src/main.py"):
        Path(f).write_text("x")
    os.symlink(f"{home}/.ssh", f"{root}/keys")  # inside the workspace, pointing at ~/.ssh
    os.symlink("src", f"{root}/code")  # relative, stays inside
    os.symlink(home, f"{root}/homelink")  # symlinked ancestor leading out
    os.symlink("../../../home/dev/.aws/credentials", f"{root}/docs/creds")  # relative, escapes
    os.symlink("loop_b", f"{root}/loop_a")
    os.symlink("loop_a", f"{root}/loop_b")
    resolver = PathResolver(
        root, home=home, env={"USER": "dev", "PROJ": root, "SUB": "src"}, case_insensitive=False
    )
    return Tree(base, root, home, resolver)


def _resolve(tree: Tree, path: str) -> ResolvedPath:
    result = tree.resolver.resolve(path)
    assert result.original == path
    return result


# ------------------------------------------------------------------------------- attacks


def test_tilde_ssh_key_is_outside(tree: Tree) -> None:
    r = _resolve(tree, "~/.ssh/id_rsa")
    assert r.expanded == f"{tree.home}/.ssh/id_rsa"
    assert r.real == f"{tree.home}/.ssh/id_rsa"
    assert not r.confined
    assert PathSignal.HOME in r.signals


@pytest.mark.parametrize("spelling", ["$HOME/.aws/credentials", "${HOME}/.aws/credentials"])
def test_home_variable_is_expanded(tree: Tree, spelling: str) -> None:
    r = _resolve(tree, spelling)
    assert r.lexical == f"{tree.home}/.aws/credentials"
    assert not r.confined


def test_proc_self_root_maps_to_slash(tree: Tree) -> None:
    for prefix in ("/proc/self/root", "/proc/thread-self/root", "/proc/1/root", "/proc/42/root"):
        r = _resolve(tree, f"{prefix}/etc/shadow")
        assert r.real == "/etc/shadow", prefix
        assert PathSignal.PROC_ROOT in r.signals
        assert not r.confined


def test_proc_root_into_workspace_still_reports_real_location(tree: Tree) -> None:
    r = _resolve(tree, f"/proc/self/root{tree.root}/src/main.py")
    assert r.real == f"{tree.root}/src/main.py"
    assert PathSignal.PROC_ROOT in r.signals
    assert not r.confined  # the lexical form is not inside the root


@pytest.mark.parametrize("path", ["/dev/fd/3", "/dev/fd/0", "/proc/self/fd/1", "/dev/stdin"])
def test_descriptor_paths_are_flagged_and_never_confined(tree: Tree, path: str) -> None:
    r = _resolve(tree, path)
    assert PathSignal.DEV_FD in r.signals
    assert not r.confined


def test_dev_fd_dot_dot_reaches_proc_self(tree: Tree) -> None:
    r = _resolve(tree, "/dev/fd/../environ")
    assert r.real == "/proc/self/environ"


def test_descriptor_resolves_through_readlink_when_open(tree: Tree) -> None:
    fd = os.open(f"{tree.home}/.ssh/id_rsa", os.O_RDONLY)
    try:
        r = _resolve(tree, f"/dev/fd/{fd}")
        assert r.real == f"{tree.home}/.ssh/id_rsa"
        assert PathSignal.DEV_FD in r.signals
    finally:
        os.close(fd)


def test_relative_traversal_escapes(tree: Tree) -> None:
    r = _resolve(tree, "foo/../../etc")
    assert r.lexical == os.path.dirname(tree.root) + "/etc"
    assert PathSignal.TRAVERSAL in r.signals
    assert not r.confined


def test_many_dot_dots_stop_at_slash(tree: Tree) -> None:
    r = _resolve(tree, "../" * 50 + "etc/passwd")
    assert r.lexical == "/etc/passwd"
    assert r.real == "/etc/passwd"
    assert not r.confined


def test_backslash_traversal_windows_style(tree: Tree) -> None:
    r = _resolve(tree, "src\\..\\..\\..\\home\\dev\\.ssh\\id_rsa")
    assert r.lexical == f"{tree.base}/home/dev/.ssh/id_rsa"
    assert {PathSignal.BACKSLASH, PathSignal.TRAVERSAL} <= r.signals
    assert not r.confined


def test_symlink_in_workspace_pointing_to_ssh(tree: Tree) -> None:
    r = _resolve(tree, "keys/id_rsa")
    assert r.lexical == f"{tree.root}/keys/id_rsa"
    assert r.real == f"{tree.home}/.ssh/id_rsa"
    assert not r.confined
    assert {PathSignal.SYMLINK, PathSignal.SYMLINK_ESCAPE} <= r.signals


def test_symlinked_ancestor_leading_out(tree: Tree) -> None:
    r = _resolve(tree, "homelink/.aws/new_file")
    assert r.real == f"{tree.home}/.aws/new_file"
    assert PathSignal.SYMLINK_ESCAPE in r.signals
    assert not r.confined


def test_relative_symlink_escaping(tree: Tree) -> None:
    r = _resolve(tree, "docs/creds")
    assert r.real == f"{tree.home}/.aws/credentials"
    assert not r.confined


def test_missing_component_then_dot_dot_then_symlink(tree: Tree) -> None:
    # "mkdir -p nothere" makes this real: the symlink after ".." must still be followed.
    r = _resolve(tree, "nothere/../keys/id_rsa")
    assert r.real == f"{tree.home}/.ssh/id_rsa"
    assert not r.confined
    deep = _resolve(tree, "src/a/b/../../../homelink/.aws/credentials")
    assert deep.real == f"{tree.home}/.aws/credentials"
    assert not deep.confined


def test_symlink_loop_is_bounded_and_not_confined(tree: Tree) -> None:
    r = _resolve(tree, "loop_a/x")
    assert PathSignal.SYMLINK_LOOP in r.signals
    assert not r.confined


def test_unknown_variable_is_flagged_not_emptied(tree: Tree) -> None:
    r = _resolve(tree, "$NOPE/.ssh/id_rsa")
    assert r.expanded == "$NOPE/.ssh/id_rsa"
    assert PathSignal.UNKNOWN_VAR in r.signals
    assert not r.confined


@pytest.mark.parametrize("path", ["${X:-/etc}/passwd", "$(pwd)/x", "`pwd`/x", "$1/x", "~-/x"])
def test_undeterminable_expansions_are_not_confined(tree: Tree, path: str) -> None:
    r = _resolve(tree, path)
    assert PathSignal.UNKNOWN_VAR in r.signals
    assert not r.confined


def test_other_users_home_is_flagged(tree: Tree) -> None:
    r = _resolve(tree, "~alice/.ssh/authorized_keys")
    assert r.lexical == f"{tree.base}/home/alice/.ssh/authorized_keys"
    assert PathSignal.OTHER_USER_HOME in r.signals
    assert not r.confined
    root = _resolve(tree, "~root/.ssh/authorized_keys")
    assert root.lexical == "/root/.ssh/authorized_keys"  # not beside the other homes
    assert PathSignal.OTHER_USER_HOME in root.signals
    own = _resolve(tree, "~dev/.ssh")
    assert own.lexical == f"{tree.home}/.ssh"
    assert PathSignal.OTHER_USER_HOME not in own.signals


def test_nul_byte_truncates_and_is_never_confined(tree: Tree) -> None:
    r = _resolve(tree, "src/main.py\x00/../../../../etc/passwd")
    assert r.lexical == f"{tree.root}/src/main.py"
    assert PathSignal.NUL_BYTE in r.signals
    assert not r.confined


def test_control_characters_flagged(tree: Tree) -> None:
    r = _resolve(tree, "src/evil\nname.py")
    assert PathSignal.CONTROL_CHARS in r.signals
    assert r.confined  # a strange but legal name inside the workspace


def test_unicode_lookalikes_are_flagged_and_offered_as_forms(tree: Tree) -> None:
    r = _resolve(tree, "/etc/p\u0430sswd")
    assert PathSignal.NON_NORMALIZED in r.signals
    assert "/etc/passwd" in r.forms()
    bidi = _resolve(tree, "src/\u202egnp.py")
    assert PathSignal.NON_NORMALIZED in bidi.signals


def test_trailing_dots_and_spaces_are_dropped_lexically(tree: Tree) -> None:
    r = _resolve(tree, ".env. ")
    assert r.lexical == f"{tree.root}/.env"
    assert PathSignal.TRAILING_DOTS in r.signals
    dots = _resolve(tree, "src/.. /.. /x")
    assert dots.lexical == f"{os.path.dirname(tree.root)}/x"
    assert not dots.confined


def test_sibling_prefix_directory_is_not_inside(tree: Tree) -> None:
    os.makedirs(tree.root + "x")
    r = _resolve(tree, tree.root + "x/file")
    assert not r.confined
    r2 = _resolve(tree, f"{tree.root}/../{os.path.basename(tree.root)}x/file")
    assert not r2.confined


# ------------------------------------------------------------------------------- benign


@pytest.mark.parametrize(
    "path",
    ["./src/../src/main.py", "src/main.py", "src//pkg///new.py", "src/./pkg/.", "code/main.py"],
)
def test_everyday_paths_are_confined(tree: Tree, path: str) -> None:
    r = _resolve(tree, path)
    assert r.confined, r
    assert is_within(r.real, tree.root)


def test_benign_dot_dot_inside_workspace_is_not_traversal(tree: Tree) -> None:
    r = _resolve(tree, "src/pkg/../main.py")
    assert r.lexical == f"{tree.root}/src/main.py"
    assert PathSignal.TRAVERSAL not in r.signals
    assert r.confined


def test_missing_tail_resolves_from_deepest_existing_ancestor(tree: Tree) -> None:
    r = _resolve(tree, "code/new/dir/file.py")
    assert r.real == f"{tree.root}/src/new/dir/file.py"
    assert r.confined


def test_env_variables_from_the_given_environment(tree: Tree) -> None:
    r = _resolve(tree, "$PROJ/${SUB}/main.py")
    assert r.real == f"{tree.root}/src/main.py"
    assert PathSignal.ENV_VAR in r.signals
    assert r.confined


def test_absolute_workspace_path_and_root_itself(tree: Tree) -> None:
    assert _resolve(tree, f"{tree.root}/src/main.py").confined
    assert _resolve(tree, tree.root).confined
    assert _resolve(tree, ".").confined


def test_literal_dollar_without_name_is_kept(tree: Tree) -> None:
    r = _resolve(tree, "src/cost$.txt")
    assert r.expanded == "src/cost$.txt"
    assert r.confined


# ------------------------------------------------------------------------------- case folding


def test_case_insensitive_env_variants(tree: Tree) -> None:
    ci = PathResolver(tree.root, home=tree.home, case_insensitive=True)
    for spelling in (".ENV", ".Env", ".eNv"):
        r = ci.resolve(spelling)
        assert r.case_folded == f"{tree.root}/.env".casefold()
        assert f"{tree.root}/.env".casefold() in r.forms()
    cs = tree.resolver.resolve(".ENV")
    assert cs.case_folded is None


def test_case_insensitive_root_comparison(tree: Tree) -> None:
    ci = PathResolver(tree.root, home=tree.home, case_insensitive=True)
    upper_root = os.path.dirname(tree.root) + "/" + os.path.basename(tree.root).upper()
    assert ci.resolve(f"{upper_root}/x").signals.isdisjoint({PathSignal.TRAVERSAL})
    assert is_within(f"{upper_root}/x", tree.root, case_insensitive=True)
    assert not is_within(f"{upper_root}/x", tree.root)


def test_case_probe_on_this_filesystem(tree: Tree) -> None:
    probed = PathResolver(tree.root, home=tree.home)
    upper = os.path.join(os.path.dirname(tree.root), os.path.basename(tree.root).upper())
    assert probed.case_insensitive == os.path.exists(upper)


# ------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("path", "root", "inside"),
    [
        ("/work/root", "/work/root", True),
        ("/work/root/a", "/work/root", True),
        ("/work/root/a", "/work/root/", True),
        ("/work/rootx", "/work/root", False),
        ("/work/root/../rootx", "/work/root", False),
        ("/work", "/work/root", False),
        ("/anything", "/", True),
        ("//work//root//a", "/work/root", True),
    ],
)
def test_is_within_segment_boundaries(path: str, root: str, inside: bool) -> None:
    assert is_within(path, root) is inside


def test_lexical_clean() -> None:
    assert lexical_clean("/a/./b//c/../d/") == "/a/b/d"
    assert lexical_clean("/../..") == "/"
    assert lexical_clean("") == "/"


def test_constructor_rejects_relative_root_and_home(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="root"):
        PathResolver("relative", home=str(tmp_path))
    with pytest.raises(ValueError, match="home"):
        PathResolver(str(tmp_path), home="relative")
