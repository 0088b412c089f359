"""Which host and header each secret may be injected into (``[secrets.NAME]`` in crustcore.toml).

The allowlist is the user's standing consent for the ``net`` sidecar to place a secret in one
header of requests to the listed hosts, and nowhere else::

    [secrets.openai]
    hosts = ["api.openai.com"]
    header = "Authorization"      # the default

Keys other than ``hosts`` and ``header`` belong to other readers (the vault) and are left alone.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.errors import ConfigError
from crustcore_nano.secrets.material import check_label

from .protocol import as_list, as_object

DEFAULT_HEADER = "Authorization"


@dataclass(frozen=True, slots=True)
class SecretGrant:
    hosts: frozenset[str]
    header: str = DEFAULT_HEADER

    def allows(self, host: str, header: str) -> bool:
        return host.lower().rstrip(".") in self.hosts and header.lower() == self.header.lower()

    def to_json(self) -> dict[str, object]:
        return {"hosts": sorted(self.hosts), "header": self.header}


def make_grant(hosts: object, header: object, *, where: str) -> SecretGrant:
    items = as_list(hosts)
    names: list[str] = []
    for item in items if items is not None else [None]:
        if not isinstance(item, str) or not item:
            raise ConfigError(f"{where}: 'hosts' must be a list of host names")
        names.append(item.lower().rstrip("."))
    if header is None:
        header = DEFAULT_HEADER
    if not isinstance(header, str) or not header or not header.isascii() or ":" in header:
        raise ConfigError(f"{where}: 'header' must be an HTTP header name")
    return SecretGrant(frozenset(names), header)


def load_grants(config: Path | None) -> dict[str, SecretGrant]:
    """The grants in ``config`` (missing file: none)."""
    if config is None or not config.exists():
        return {}
    try:
        doc = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{config}: cannot read: {exc}") from None
    section = as_object(doc.get("secrets", {}))
    if section is None:
        raise ConfigError(f"{config}: [secrets] must be a table")
    grants: dict[str, SecretGrant] = {}
    for label, body in section.items():
        table = as_object(body)
        if table is None or "hosts" not in table:
            continue
        check_label(label)
        grants[label] = make_grant(
            table.get("hosts"), table.get("header"), where=f"{config}: [secrets.{label}]"
        )
    return grants
