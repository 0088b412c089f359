"""crustcore_nano imports nothing outside the standard library (static and at run time).

The one exception is the optional encryption extra: a module listed in LAZY_EXTRAS may import
``cryptography`` inside a function body (never at module level), and must fail with a clear
message when it is missing.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import crustcore_nano

SRC = Path(crustcore_nano.__file__).parent
LAZY_EXTRAS = {"cryptography"}


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _imports(tree: ast.AST, *, top_level_only: bool) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    nodes = ast.iter_child_nodes(tree) if top_level_only else ast.walk(tree)
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
        elif top_level_only and isinstance(node, ast.If | ast.Try | ast.With):
            stack.extend(ast.iter_child_nodes(node))  # module-level control flow still imports
    return found


def test_every_module_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"crustcore_nano", "__future__"}
    problems: list[str] = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, line in _imports(tree, top_level_only=False):
            if name in allowed:
                continue
            lazy = name in LAZY_EXTRAS and (name, line) not in _imports(tree, top_level_only=True)
            if not lazy:
                problems.append(f"{path.relative_to(SRC)}:{line}: imports {name}")
    assert not problems, "\n".join(problems)
    assert len(_modules()) >= 10


def test_clean_interpreter_imports_every_module_with_no_third_party_package() -> None:
    code = f"""
import importlib, pkgutil, sys
sys.path.insert(0, {str(SRC.parent)!r})
import crustcore_nano
names = [m.name for m in pkgutil.walk_packages(crustcore_nano.__path__, "crustcore_nano.")]
for name in [n for n in names if not n.endswith("__main__")]:
    importlib.import_module(name)
std = set(sys.stdlib_module_names)
bad = sorted({{m.split(".")[0] for m in sys.modules}} - std - {{"crustcore_nano", "__main__"}})
print(len(names), bad)
assert not bad, bad
"""
    # -I: isolated (no user site, no PYTHON* env); -S: no site-packages at all, so no sidecar
    # package and no third-party dependency is importable.
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split()[0])
    assert count >= 10
