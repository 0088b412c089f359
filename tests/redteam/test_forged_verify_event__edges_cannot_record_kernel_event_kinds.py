"""Threat: an injected agent with the plain client role uses ``record`` to write
``verify.passed`` into the event log. The log summary (``crustcore log verify``/``stats``)
counts that kind as a verified patch, so the forged record made work look verified that no
verifier ran. Invariant: edges record only under their own names; every kind the kernel or its
log readers give meaning to, ``verify.*`` included, is refused and nothing is appended."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.protocol import ErrorCode
from crustcore_nano.daemon.roles import Role
from crustcore_nano.daemon.service import KernelService, ServiceError
from crustcore_nano.kernel.core import Kernel

FORGED = ["verify.passed", "verify", "patch.verified", "task.completed", "receipt.minted"]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[KernelService]:
    kernel = Kernel.open(tmp_path / "home")
    try:
        yield KernelService(kernel)
    finally:
        kernel.close()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.NET, Role.MCP, Role.SANDBOX, Role.ADMIN])
@pytest.mark.parametrize("kind", FORGED)
def test_kernel_kinds_are_refused_for_every_role(
    service: KernelService, role: Role, kind: str
) -> None:
    before = service.kernel.log.next_seq
    with pytest.raises(ServiceError) as refused:
        service.call(role, "record", {"kind": kind, "payload": {"patch": "p-1"}})
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert service.kernel.log.next_seq == before


def test_an_edge_still_records_under_its_own_name(service: KernelService) -> None:
    result = service.call(Role.CLIENT, "record", {"kind": "hook.verify_requested"})
    assert isinstance(result, dict) and isinstance(result.get("seq"), int)
