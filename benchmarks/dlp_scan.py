"""DLP throughput: CrustCore's scanner vs Yelp detect-secrets on the same text, same run.

Corpora (built from this interpreter's standard library, so the run needs no downloads):
- source: the standard library's own `.py` files, concatenated in path order, ~4 MiB;
- prose: the docstrings of those modules, classes and functions, ~1.5 MiB.

CrustCore scans each corpus as one string (`crustcore_nano.dlp.scan`); the best of several runs
is reported, as wall-clock time and as this process's CPU time (useful on a loaded machine).
detect-secrets scans the same text written to a file, with its default plugins and filters
(`SecretsCollection().scan_file` under `default_settings()`), once, by wall clock (it is slow);
the ratio compares wall-clock rates. The adversarial section times hostile inputs (one anchor
repeated) to show the cost stays linear.
MiB are UTF-8 bytes of the text. Prints one JSON object.

    ./dev bench dlp_scan [--source-mib N] [--prose-mib N] [--repeat N]
"""

from __future__ import annotations

import argparse
import ast
import json
import sysconfig
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

from crustcore_nano.dlp import scan

MIB = 1024 * 1024


def _stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)


def build_source(limit: int) -> str:
    parts: list[str] = []
    size = 0
    for path in _stdlib_files():
        text = path.read_text("utf-8", errors="replace")
        parts.append(text)
        size += len(text.encode("utf-8"))
        if size >= limit:
            break
    return "".join(parts)


def build_prose(limit: int) -> str:
    parts: list[str] = []
    size = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in _stdlib_files():
            try:
                tree = ast.parse(path.read_text("utf-8", errors="replace"))
            except (SyntaxError, ValueError):
                continue
            nodes = [tree, *ast.walk(tree)]
            for node in nodes:
                if isinstance(
                    node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
                ):
                    doc = ast.get_docstring(node)
                    if doc and len(doc) > 80:
                        parts.append(doc + "\n\n")
                        size += len(doc.encode("utf-8")) + 2
            if size >= limit:
                break
    return "".join(parts)


def time_crustcore(text: str, repeat: int) -> tuple[float, float, int, dict[str, int]]:
    """Best wall-clock and best CPU (process) time over `repeat` runs, and the findings."""
    best_wall = best_cpu = float("inf")
    findings = scan(text, max_findings=1_000_000)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        findings = scan(text, max_findings=1_000_000)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    by_confidence = Counter(
        f"{f.confidence.value}{'-test' if f.test_key else ''}" for f in findings
    )
    return best_wall, best_cpu, len(findings), dict(sorted(by_confidence.items()))


# Worst cases for the engine: text made of one anchor repeated, so every position is a hit.
# Reported (not compared) so the cost of hostile input is on record: it stays linear.
ADVERSARIAL = {
    "repeated_github_prefix": "ghp_" * 65536,
    "repeated_pem_headers": "-----BEGIN RSA PRIVATE KEY-----\n" * 8192,
    "repeated_urls_without_password": "a://b:c@d " * 26214,
    "repeated_colons": "k:" * 131072,
    "repeated_assignments_with_secrets": 'api_key="Zx8kLm2Qp9Rt4Vw7Yb"\n' * 8738,
}


def time_detect_secrets(text: str, suffix: str) -> tuple[float, int]:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"corpus{suffix}"
        path.write_text(text, "utf-8")
        with default_settings():
            collection = SecretsCollection()
            start = time.perf_counter()
            collection.scan_file(str(path))  # pyright: ignore[reportUnknownMemberType]
            elapsed = time.perf_counter() - start
            count = sum(1 for _ in collection)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source-mib", type=float, default=4.0)
    parser.add_argument("--prose-mib", type=float, default=1.5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    corpora = {
        "source": (build_source(int(args.source_mib * MIB)), ".py"),
        "prose": (build_prose(int(args.prose_mib * MIB)), ".txt"),
    }
    result: dict[str, object] = {"benchmark": "dlp_scan", "unit": "MiB/s (UTF-8 bytes)"}
    met: dict[str, bool] = {}
    for name, (text, suffix) in corpora.items():
        mib = len(text.encode("utf-8")) / MIB
        ours_s, ours_cpu, ours_n, ours_by = time_crustcore(text, args.repeat)
        theirs_s, theirs_n = time_detect_secrets(text, suffix)
        ours_rate, theirs_rate = mib / ours_s, mib / theirs_s
        result[name] = {
            "mib": round(mib, 3),
            "chars": len(text),
            "crustcore": {
                "seconds": round(ours_s, 4),
                "mib_per_s": round(ours_rate, 2),
                "cpu_seconds": round(ours_cpu, 4),
                "mib_per_cpu_s": round(mib / ours_cpu, 2) if ours_cpu > 0 else None,
                "findings": ours_n,
                "findings_by_confidence": ours_by,
            },
            "detect_secrets": {
                "seconds": round(theirs_s, 3),
                "mib_per_s": round(theirs_rate, 3),
                "findings": theirs_n,
            },
            "ratio": round(ours_rate / theirs_rate, 1),
        }
        met[f"{name}_ratio_ge_50"] = ours_rate / theirs_rate >= 50
        if name == "source":
            met["source_ge_30_mib_per_s"] = ours_rate >= 30
    adversarial: dict[str, object] = {}
    for name, text in ADVERSARIAL.items():
        mib = len(text.encode("utf-8")) / MIB
        wall, _cpu, count, _by = time_crustcore(text, 1)
        adversarial[name] = {
            "mib": round(mib, 3),
            "mib_per_s": round(mib / wall, 2),
            "findings": count,
        }
    result["adversarial"] = adversarial
    result["targets"] = {"source_mib_per_s": 30, "ratio_vs_detect_secrets": 50}
    result["met"] = met
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
