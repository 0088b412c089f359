"""Loading fuzz targets by name, for the pytest smoke runs and the brief atheris runs."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


@functools.cache
def load_target(name: str) -> Callable[[bytes], None]:
    """The ``TestOneInput`` of ``tests/fuzz/NAME.py`` (loaded once per process)."""
    spec = importlib.util.spec_from_file_location(f"crustcore_fuzz_{name}", HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target: Callable[[bytes], None] = module.TestOneInput
    return target
