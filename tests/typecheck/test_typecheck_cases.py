"""The negative type-check suite: both checkers must reject every marked misuse, and nothing else.

CrustCore's sealed types only protect anyone if a misuse is a type error *before* the code runs.
Each file in ``cases/`` holds one misuse, with the line(s) that must fail ending in
``# expect-error``; ``ok_correct_usage.py`` uses the API the intended way and must check clean.
This module runs ``mypy --strict`` once and ``pyright`` (strict) once over all the case files,
then checks every file on its own: an expected error that either checker does not report fails,
and so does any error on an unmarked line (an unexpected error usually means the case tests the
wrong thing, or that the API changed under it). See ``README.md`` next to this file.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

CASES_DIR = Path(__file__).resolve().parent / "cases"
OK_PREFIX = "ok_"
OK_CASE = "ok_correct_usage.py"
MARKER = "# expect-error"
MIN_MISUSE_CASES = 25
MAX_MARKS_PER_MISUSE = 3
TOOL_TIMEOUT_S = 600

# Misuses the current API does not reject statically. The case stays as written (a known gap is
# not a reason to weaken it); ``strict=True`` makes the test fail as soon as the gap is closed,
# so that the entry is removed here and the case guards the fix from then on.
KNOWN_GAPS: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    line: int
    severity: str  # "error" or "warning"
    message: str


@dataclass(slots=True)
class CheckerRun:
    """Diagnostics of one checker over all case files, by case file name and line."""

    name: str
    by_case: dict[str, list[Diagnostic]] = field(default_factory=dict[str, list[Diagnostic]])
    elsewhere: list[str] = field(default_factory=list[str])

    def add(self, path: Path, diagnostic: Diagnostic) -> None:
        path = path.resolve()
        if path.parent == CASES_DIR:
            self.by_case.setdefault(path.name, []).append(diagnostic)
        else:
            self.elsewhere.append(f"{path}:{diagnostic.line}: {diagnostic.message}")

    def for_case(self, name: str) -> list[Diagnostic]:
        return self.by_case.get(name, [])


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.py"))


def expected_lines(path: Path) -> set[int]:
    """Lines carrying an ``# expect-error`` comment (real comments only, not text in strings)."""
    source = path.read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {
        tok.start[0]
        for tok in tokens
        if tok.type == tokenize.COMMENT and tok.string.strip() == MARKER
    }


def _params() -> list[object]:
    params: list[object] = []
    for path in case_files():
        gap = KNOWN_GAPS.get(path.name)
        marks = [pytest.mark.xfail(strict=True, reason=f"known gap: {gap}")] if gap else []
        params.append(pytest.param(path.name, id=path.stem, marks=marks))
    return params


# --- running the checkers ---------------------------------------------------------------------


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYRIGHT_PYTHON_IGNORE_WARNINGS"] = "1"  # keep pyright's stdout pure JSON
    return subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )


def run_mypy(workdir: Path, files: list[Path]) -> CheckerRun:
    config = workdir / "mypy.ini"
    # An explicit config keeps the project's own settings (which exclude cases/) out of the run.
    config.write_text("[mypy]\npython_version = 3.11\n", encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        str(config),
        "--cache-dir",
        str(workdir / "mypy-cache"),
        "--no-incremental",
        "--no-error-summary",
        "--show-error-codes",
        "--hide-error-context",
        "--no-pretty",
        "--no-color-output",
        *(str(f) for f in files),
    ]
    done = _run(argv, workdir)
    if done.returncode not in (0, 1):
        pytest.fail(f"mypy did not run (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = CheckerRun("mypy")
    for raw in done.stdout.splitlines():
        head, sep, message = raw.partition(": error: ")
        if not sep:
            continue  # notes and blank lines
        path, _, line = head.rpartition(":")
        if not line.isdigit():
            pytest.fail(f"cannot parse mypy output line: {raw!r}")
        result.add(workdir / path, Diagnostic(int(line), "error", message))
    if done.returncode == 1 and not result.by_case and not result.elsewhere:
        pytest.fail(f"mypy failed but reported no parsable error:\n{done.stdout}\n{done.stderr}")
    return result


def find_pyright() -> str:
    venv_bin = Path(sys.executable).parent
    found = shutil.which("pyright", path=str(venv_bin)) or shutil.which("pyright")
    if found is None:
        pytest.fail(f"pyright is not installed (looked in {venv_bin} and on PATH)")
    return found


def run_pyright(workdir: Path) -> CheckerRun:
    config = workdir / "pyrightconfig.json"
    # pyright only accepts ``include`` paths relative to the config file's directory.
    include = os.path.relpath(CASES_DIR, workdir)
    settings = {"typeCheckingMode": "strict", "pythonVersion": "3.11", "include": [include]}
    config.write_text(json.dumps(settings), encoding="utf-8")
    argv = [
        find_pyright(),
        "--project",
        str(config),
        "--pythonpath",
        sys.executable,
        "--outputjson",
    ]
    done = _run(argv, workdir)
    if done.returncode not in (0, 1):
        pytest.fail(f"pyright did not run (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    try:
        report: object = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright did not print JSON:\n{done.stdout}\n{done.stderr}")
    if not isinstance(report, dict):
        pytest.fail(f"unexpected pyright report: {done.stdout[:500]}")
    diagnostics = cast("dict[str, object]", report).get("generalDiagnostics")
    if not isinstance(diagnostics, list):
        pytest.fail(f"pyright report has no diagnostics list: {done.stdout[:500]}")
    result = CheckerRun("pyright")
    for item in cast("list[object]", diagnostics):
        parsed = _pyright_diagnostic(item)
        if parsed is not None:
            path, diagnostic = parsed
            result.add(Path(path), diagnostic)
    return result


def _pyright_diagnostic(item: object) -> tuple[str, Diagnostic] | None:
    """One entry of pyright's ``generalDiagnostics``; informational entries are dropped."""
    if not isinstance(item, dict):
        pytest.fail(f"unexpected pyright diagnostic: {item!r}")
    entry = cast("dict[str, object]", item)
    severity = entry.get("severity")
    if severity not in ("error", "warning"):
        return None
    path = entry.get("file")
    where = entry.get("range")
    message = entry.get("message")
    rule = entry.get("rule")
    start = cast("dict[str, object]", where).get("start") if isinstance(where, dict) else None
    line = cast("dict[str, object]", start).get("line") if isinstance(start, dict) else None
    if not isinstance(path, str) or not isinstance(line, int) or not isinstance(message, str):
        pytest.fail(f"cannot parse pyright diagnostic: {item!r}")
    text = message.splitlines()[0] + (f" ({rule})" if isinstance(rule, str) else "")
    return path, Diagnostic(line + 1, str(severity), text)


@pytest.fixture(scope="module")
def checker_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[CheckerRun, CheckerRun]:
    """Both checkers, run once each over every case file, shared by all the tests here."""
    workdir = tmp_path_factory.mktemp("typecheck")
    files = case_files()
    return run_mypy(workdir, files), run_pyright(workdir)


# --- the tests ----------------------------------------------------------------------------------


def test_suite_has_enough_cases_and_a_clean_usage_file() -> None:
    names = [p.name for p in case_files()]
    misuses = [n for n in names if not n.startswith(OK_PREFIX)]
    assert OK_CASE in names
    assert len(misuses) >= MIN_MISUSE_CASES, f"only {len(misuses)} misuse cases: {misuses}"


def test_checkers_report_only_on_case_files(
    checker_runs: tuple[CheckerRun, CheckerRun],
) -> None:
    """An error outside the case files (in crustcore_nano itself, say) makes every verdict
    here suspect, so it fails on its own."""
    for run in checker_runs:
        assert not run.elsewhere, f"{run.name} reported outside the cases:\n" + "\n".join(
            run.elsewhere
        )


@pytest.mark.parametrize("case", _params())
def test_case_checks_as_marked(case: str, checker_runs: tuple[CheckerRun, CheckerRun]) -> None:
    path = CASES_DIR / case
    expected = expected_lines(path)
    if case.startswith(OK_PREFIX):
        assert not expected, f"{case} is a clean-usage file and must not mark errors"
    else:
        assert 1 <= len(expected) <= MAX_MARKS_PER_MISUSE, (
            f"{case} must mark 1 to {MAX_MARKS_PER_MISUSE} lines with '{MARKER}'"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    problems: list[str] = []
    for run in checker_runs:
        diagnostics = run.for_case(case)
        rejected = {d.line for d in diagnostics if d.severity == "error"}
        for line in sorted(expected - rejected):
            problems.append(
                f"{run.name} accepts the misuse on line {line}: {lines[line - 1].strip()}"
            )
        for d in diagnostics:
            if d.line not in expected:
                problems.append(
                    f"{run.name}: unexpected {d.severity} on line {d.line}: {d.message}"
                )
    assert not problems, f"{case}:\n" + "\n".join(problems)
