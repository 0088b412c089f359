"""A metadata endpoint given as a bare value, under any key of a tool nobody has described."""

from __future__ import annotations

import pytest
from crustcore_nano.policy.extract import Extraction, extract
from crustcore_nano.policy.types import OpKind, Origin, ToolCall


def run(tool: str, args: dict[str, object]) -> Extraction:
    return extract(ToolCall(tool, args, Origin.MCP))


def network_hosts(ex: Extraction) -> set[str]:
    return {h for op in ex.operations if op.kind is OpKind.NETWORK for h in op.hosts}


@pytest.mark.parametrize(
    ("args", "host"),
    [
        ({"target": "169.254.169.254"}, "169.254.169.254"),  # a path key
        ({"target": "169.254.169.254:80/latest/meta-data"}, "169.254.169.254"),
        ({"addr": "0xa9fea9fe"}, "0xa9fea9fe"),  # an unknown key, a hex spelling
        ({"dest": {"server": "metadata.google.internal"}}, "metadata.google.internal"),
        ({"server": "[fd00:ec2::254]"}, "fd00:ec2::254"),
        ({"nodes": ["10.0.0.1", "169.254.170.2"]}, "169.254.170.2"),
    ],
)
def test_metadata_value_is_a_network_target(args: dict[str, object], host: str) -> None:
    assert host in network_hosts(run("fetcher", args))


@pytest.mark.parametrize(
    "args",
    [
        {"section": "metadata", "kind": "instance-data"},  # plain words: no dot, colon or digit
        {"file": "metadata/schema.json"},  # a directory named like the GCP short name
        {"target": "docs/169.254.169.254.md"},  # the address inside a file name
        {"version": "1.2.3", "ip_range": "10.0.0.0/8"},
        {"path": "/srv/169.254.169.254/notes"},  # absolute paths are never hosts
        {"text": "never call 169.254.169.254 from app code"},  # prose, not a value
    ],
)
def test_lookalike_values_are_not_metadata_targets(args: dict[str, object]) -> None:
    ex = run("notes", args)
    assert not any(
        h.startswith(("169.254", "metadata", "fd00", "0xa9")) for h in network_hosts(ex)
    ), ex.operations
