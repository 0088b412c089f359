"""Benchmark: normalization, path resolution and glob matching against stdlib baselines.

Prints one JSON object.  Baselines run in the same process on the same inputs:
``normalize_text`` vs ``unicodedata.normalize("NFKC", s)``, ``PathResolver.resolve`` vs
``os.path.realpath``, ``Glob.match`` vs ``fnmatch.fnmatchcase`` on a compiled-regex basis.
Ratios above 1 mean CrustCore is slower than the baseline (it does more work).

    ./dev bench normalize_paths
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence

from crustcore_nano.globmatch import Glob, compile_glob
from crustcore_nano.normalize import normalize_field, normalize_text
from crustcore_nano.paths import PathResolver


def _per_call_us(fn: Callable[[str], object], inputs: Sequence[str], min_seconds: float) -> float:
    """Best of five rounds, each long enough to be measurable; microseconds per call."""
    best = float("inf")
    for _ in range(5):
        loops = 0
        start = time.perf_counter()
        while True:
            for s in inputs:
                fn(s)
            loops += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds / 5:
                break
        best = min(best, elapsed / (loops * len(inputs)))
    return best * 1e6


def _compare(
    name: str,
    ours: Callable[[str], object],
    base: Callable[[str], object],
    inputs: Sequence[str],
    min_seconds: float = 0.5,
) -> dict[str, object]:
    ours_us = _per_call_us(ours, inputs, min_seconds)
    base_us = _per_call_us(base, inputs, min_seconds)
    chars = sum(len(s) for s in inputs) / len(inputs)
    return {
        "case": name,
        "avg_chars": round(chars, 1),
        "crustcore_us": round(ours_us, 3),
        "baseline_us": round(base_us, 3),
        "ratio": round(ours_us / base_us, 2),
        "crustcore_mib_s": round(chars / ours_us / 1.048576, 1),
    }


def _texts() -> dict[str, list[str]]:
    code = (
        "def handler(event, context):\n    path = event['path']\n"
        "    return {'status': 200, 'body': json.dumps(path)}\n"
    )
    readme = (
        "# \u30d7\u30ed\u30b8\u30a7\u30af\u30c8\n\u3053\u308c\u306f\u8aac\u660e\u3067\u3059\u3002"
        " caf\u00e9 na\u00efve \U0001f680 \uff08\u6ce8\uff09\n"
    )
    attack = (
        "\u0441at /etc/p\u0430sswd \u202egnp.exe .e\u200bnv \uff0f\uff45\uff54\uff43 "
        "\x1b[31m\x1b]8;;http://x\x07y\x1b]8;;\x07 \U000e0041\U000e0042"
    )
    return {
        "tool_arg_ascii": ["cat src/main.py", "git status", "/work/proj/.env", "npm test"],
        "source_code_4k": [code * 30],
        "readme_cjk_4k": [readme * 50],
        "attack_mix": [attack, attack * 10],
    }


def _paths() -> tuple[dict[str, object], list[dict[str, object]]]:
    base = os.path.realpath(tempfile.mkdtemp(prefix="crustcore-bench-"))
    try:
        root = os.path.join(base, "proj")
        home = os.path.join(base, "home")
        os.makedirs(os.path.join(root, "src", "pkg", "deep"))
        os.makedirs(os.path.join(home, ".ssh"))
        os.symlink(os.path.join(home, ".ssh"), os.path.join(root, "keys"))
        os.symlink("src", os.path.join(root, "code"))
        resolver = PathResolver(root, home=home, case_insensitive=False)
        sets = {
            "relative": ["src/main.py", "./src/../src/pkg/x.py", "code/pkg/deep/a.py"],
            "absolute": [f"{root}/src/main.py", f"{root}/src/pkg/deep/new.txt"],
            "escapes": ["keys/id_rsa", "../../etc/passwd", "/proc/self/root/etc/shadow"],
        }
        rows = []
        for name, paths in sets.items():
            absolute = [p if p.startswith("/") else os.path.join(root, p) for p in paths]
            rows.append(
                _compare(
                    f"resolve_{name}",
                    resolver.resolve,
                    os.path.realpath,
                    absolute if name == "absolute" else paths,
                    0.5,
                )
            )
        info: dict[str, object] = {"root_depth": root.count("/")}
        return info, rows
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _globs() -> list[dict[str, object]]:
    rows = []
    cases = [
        ("*.pem", "/home/dev/certs/server.pem"),
        ("/home/dev/.ssh/*", "/home/dev/.ssh/id_rsa"),
        ("*a*a*a*a*a*b", "a" * 200),
    ]
    for pattern, path in cases:
        glob = compile_glob(pattern)
        name = path.rsplit("/", 1)[-1] if "/" not in pattern else path
        compiled = re.compile(fnmatch.translate(pattern))

        def ours(s: str, g: Glob = glob) -> bool:
            return g.match(s)

        def base(s: str, c: re.Pattern[str] = compiled, n: str = name) -> bool:
            return c.match(n) is not None

        rows.append(_compare(f"glob {pattern[:20]}", ours, base, [path], 0.3))
    return rows


def main() -> None:
    text_rows = []
    for name, inputs in _texts().items():
        text_rows.append(
            _compare(
                f"normalize_text {name}",
                normalize_text,
                lambda s: unicodedata.normalize("NFKC", s),
                inputs,
            )
        )
        text_rows.append(
            {
                **_compare(
                    f"normalize_field {name}",
                    normalize_field,
                    lambda s: unicodedata.normalize("NFKC", s),
                    inputs,
                ),
            }
        )
    path_info, path_rows = _paths()
    print(
        json.dumps(
            {
                "benchmark": "normalize_paths",
                "baselines": {
                    "normalize": "unicodedata.normalize('NFKC', s)",
                    "resolve": "os.path.realpath(path)",
                    "glob": "re.match(fnmatch.translate(pattern), name)",
                },
                "normalize": text_rows,
                "paths": {**path_info, "rows": path_rows},
                "glob": _globs(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
