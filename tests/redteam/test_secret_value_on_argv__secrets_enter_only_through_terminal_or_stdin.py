"""Threat: a secret value typed on the command line (``crustcore secrets add openai sk-...``) is
kept by the shell history and shown to every local user by ``ps``.

Invariant: ``crustcore secrets add`` never accepts a value from argv. Anything extra on the command
line is refused before a value is read or the vault is touched, and the refusal does not repeat
what was typed. The value comes from the terminal (no echo) or from stdin. The vault passphrase is
not taken from the environment either, where every child process would inherit it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from crustcore_nano.daemon.admin_cli import secrets_main
from crustcore_nano.daemon.vault import Vault

PASS = b"red-team passphrase"
LEAKY = "sk-proj-TOPSECRET0123456789abcdefABCDEF"


def _pw() -> int:
    read_end, write_end = os.pipe()
    os.write(write_end, PASS)
    os.close(write_end)
    return read_end


def _run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = secrets_main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["add", "openai", LEAKY],
        ["add", "openai", f"--value={LEAKY}"],
        ["add", "openai", "--value", LEAKY],
        ["add", "openai", "--host", "api.openai.com", LEAKY],
        ["add", "openai", "--", LEAKY],
    ],
)
def test_value_on_argv_is_refused_and_not_echoed(tmp_path: Path, argv: list[str]) -> None:
    fd = _pw()
    code, out, err = _run(
        *argv, "--home", str(tmp_path), "--passphrase-fd", str(fd), stdin="from-stdin-value"
    )
    os.close(fd)
    assert code == 2
    assert LEAKY not in out + err
    assert "never taken from the command line" in err
    assert "printf" in err  # says how to pass it instead
    assert not (tmp_path / "vault").exists()


def test_value_from_stdin_is_accepted(tmp_path: Path) -> None:
    code, _, err = _run(
        "add", "openai", "--home", str(tmp_path), "--passphrase-fd", str(_pw()), stdin=LEAKY + "\n"
    )
    assert code == 0, err
    assert Vault.for_home(tmp_path, PASS).load()["openai"].value == LEAKY
    assert LEAKY.encode() not in (tmp_path / "vault").read_bytes()


def test_passphrase_in_environment_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRUSTCORE_VAULT_PASSPHRASE", PASS.decode())
    monkeypatch.setenv("PATH", "")  # no keyring tool either
    # No --passphrase-fd and no terminal: the command must refuse rather than read the env var.
    code, _, err = _run("add", "openai", "--home", str(tmp_path), stdin="some-value-123456")
    if code == 0:  # a controlling terminal answered the prompt; that is allowed, the env is not
        pytest.skip("a terminal is attached to this test run")
    assert code == 2
    assert "--passphrase-fd" in err
    assert not (tmp_path / "vault").exists()
