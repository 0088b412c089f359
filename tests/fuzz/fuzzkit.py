"""Loading fuzz targets by name (for the pytest smoke runs and the brief atheris runs) and the
smoke run itself."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def smoke(name: str, seeds: Sequence[bytes], *, max_size: int = 256) -> None:
    """Run target ``name`` on every seed, then on 2,000 random byte strings (no database, so a
    run never depends on an earlier one): it must return or raise only what it allows itself."""
    target = load_target(name)
    for seed in seeds:
        target(seed)

    @settings(
        max_examples=2000,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.binary(max_size=max_size))
    def run(data: bytes) -> None:
        target(data)

    run()
