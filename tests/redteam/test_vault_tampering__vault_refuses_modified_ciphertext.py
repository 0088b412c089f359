"""Threat: someone with write access to the vault file edits it (flips bytes, truncates it,
rewrites the header to weaken or blow up the key derivation, splices another vault's body in)
hoping the kernel loads attacker-chosen or partial secrets.

Invariant: the vault opens only when every byte is as written under that passphrase; anything
else is one clear refusal and no data at all. The header is authenticated (AAD), and its KDF
parameters are bounded before any work is done.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crustcore_nano.daemon.vault import HEADER_BYTES, Vault, VaultEntry, VaultError

PASS = b"vault red team"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    home = tmp_path_factory.mktemp("vault")
    vault = Vault.for_home(home, PASS)
    vault.put(VaultEntry("openai", "sk-original-value-0123456789", ("api.openai.com",)))
    return vault.path.read_bytes()


def _open(tmp_path: Path, data: bytes, passphrase: bytes = PASS) -> dict[str, VaultEntry]:
    (tmp_path / "vault").write_bytes(data)
    return Vault.for_home(tmp_path, passphrase).load()


def test_genuine_vault_opens(tmp_path: Path, image: bytes) -> None:
    assert _open(tmp_path, image)["openai"].hosts == ("api.openai.com",)


@pytest.mark.parametrize("where", ["magic", "version", "kdf", "salt", "nonce", "body", "tag"])
def test_flipped_byte_anywhere_is_refused(tmp_path: Path, image: bytes, where: str) -> None:
    index = {
        "magic": 0,
        "version": 8,
        "kdf": 11,  # r
        "salt": 20,
        "nonce": 35,
        "body": HEADER_BYTES + 3,
        "tag": len(image) - 1,
    }[where]
    doctored = bytearray(image)
    doctored[index] ^= 0x01
    with pytest.raises(VaultError, match=r"nothing was read|not supported"):
        _open(tmp_path, bytes(doctored))


@pytest.mark.parametrize("keep", [0, 10, HEADER_BYTES, HEADER_BYTES + 16, -1])
def test_truncation_is_refused(tmp_path: Path, image: bytes, keep: int) -> None:
    with pytest.raises(VaultError):
        _open(tmp_path, image[:keep])


def test_weakened_kdf_in_header_is_refused(tmp_path: Path, image: bytes) -> None:
    weaker = bytearray(image)
    weaker[10] = 14  # still within bounds, but not what was written: the AAD check catches it
    with pytest.raises(VaultError, match="does not decrypt"):
        _open(tmp_path, bytes(weaker))
    costly = bytearray(image)
    costly[10] = 31
    with pytest.raises(VaultError, match="out of range"):
        _open(tmp_path, bytes(costly))


def test_spliced_body_from_another_vault_is_refused(
    tmp_path: Path, image: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other_home = tmp_path_factory.mktemp("other")
    other = Vault.for_home(other_home, PASS)
    other.put(VaultEntry("openai", "sk-attacker-chosen-000000000", ("evil.example",)))
    spliced = image[:HEADER_BYTES] + other.path.read_bytes()[HEADER_BYTES:]
    with pytest.raises(VaultError, match="does not decrypt"):
        _open(tmp_path, spliced)


def test_wrong_passphrase_is_refused(tmp_path: Path, image: bytes) -> None:
    with pytest.raises(VaultError, match="wrong passphrase"):
        _open(tmp_path, image, b"guess")


def test_refusal_leaves_the_file_as_it_was(tmp_path: Path, image: bytes) -> None:
    doctored = bytearray(image)
    doctored[-5] ^= 0xFF
    (tmp_path / "vault").write_bytes(bytes(doctored))
    vault = Vault.for_home(tmp_path, PASS)
    with pytest.raises(VaultError):
        vault.put(VaultEntry("new", "value-123"))
    assert (tmp_path / "vault").read_bytes() == bytes(doctored)
