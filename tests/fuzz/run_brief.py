"""Run one atheris fuzz target briefly, with coverage instrumentation of crustcore_nano only.

The targets' own ``__main__`` blocks call ``atheris.instrument_all()`` for long runs, which
instruments every loaded module and takes ~25 s to start; for the brief runs CI does, this driver
instruments just our package while the target imports it (about a second).

    python tests/fuzz/run_brief.py tests/fuzz/fuzz_shell_parse.py -runs=2000
"""

from __future__ import annotations

import importlib.util
import sys

import atheris  # type: ignore[import-untyped]


def main() -> None:
    path = sys.argv[1]
    spec = importlib.util.spec_from_file_location("fuzz_target", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    with atheris.instrument_imports(include=["crustcore_nano"]):  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
        spec.loader.exec_module(module)
    atheris.Setup([sys.argv[0], *sys.argv[2:]], module.TestOneInput)  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]


if __name__ == "__main__":
    main()
