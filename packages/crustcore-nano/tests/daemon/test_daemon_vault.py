"""The encrypted secrets vault: round trips, strict refusal of anything modified, file hygiene."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import crustcore_nano
import pytest
from crustcore_nano.daemon.vault import (
    HEADER_BYTES,
    MAGIC,
    Vault,
    VaultEntry,
    VaultError,
    VaultHeader,
    decode_plaintext,
    read_passphrase_fd,
    seal,
    unseal,
)
from crustcore_nano.errors import UsageError
from hypothesis import given, settings
from hypothesis import strategies as st

PASS = b"correct horse battery staple"
VALUE = "sk-test-0123456789abcdefghijklmnop"


@pytest.fixture(scope="module")
def sealed() -> bytes:
    """One vault image (scrypt is deliberately slow, so it is made once)."""
    entries = {"openai": VaultEntry("openai", VALUE, ("api.openai.com",), "Authorization")}
    return seal(entries, PASS, salt=None)


def test_put_load_remove_round_trip_and_private_file(tmp_path: Path) -> None:
    vault = Vault.for_home(tmp_path, PASS)
    vault.put(VaultEntry("openai", VALUE, ("api.openai.com",)))
    vault.put(VaultEntry("github", "ghp_example_value_1234567890", (), "X-Token"))
    loaded = Vault.for_home(tmp_path, PASS).load()
    assert sorted(loaded) == ["github", "openai"]
    assert loaded["openai"].value == VALUE
    assert loaded["openai"].hosts == ("api.openai.com",)
    assert loaded["github"].header == "X-Token"
    assert stat.S_IMODE(vault.path.stat().st_mode) == 0o600
    raw = vault.path.read_bytes()
    assert raw.startswith(MAGIC)
    assert VALUE.encode() not in raw
    assert b"openai" not in raw  # names are encrypted too
    assert vault.remove("openai") is True
    assert vault.remove("openai") is False
    assert sorted(vault.load()) == ["github"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_every_save_uses_a_new_nonce_and_keeps_the_salt(tmp_path: Path) -> None:
    vault = Vault.for_home(tmp_path, PASS)
    vault.put(VaultEntry("a", "value-one"))
    first = VaultHeader.parse(vault.path.read_bytes(), source="v")
    vault.put(VaultEntry("a", "value-one"))
    second = VaultHeader.parse(vault.path.read_bytes(), source="v")
    assert first.salt == second.salt
    assert first.nonce != second.nonce
    assert (first.log2_n, first.r, first.p) == (15, 8, 1)


def test_wrong_passphrase_is_refused_without_data(tmp_path: Path, sealed: bytes) -> None:
    with pytest.raises(VaultError, match="wrong passphrase, or the file was modified"):
        unseal(sealed, b"not the passphrase", source="vault")


def test_header_with_huge_kdf_cost_is_refused_before_any_work(sealed: bytes) -> None:
    doctored = bytearray(sealed)
    doctored[10] = 40  # log2_n: 2**40 would need terabytes
    with pytest.raises(VaultError, match="out of range"):
        unseal(bytes(doctored), PASS, source="vault")


def test_unknown_version_and_magic_are_refused(sealed: bytes) -> None:
    other_version = bytearray(sealed)
    other_version[8] = 2
    with pytest.raises(VaultError, match="version 2 is not supported"):
        unseal(bytes(other_version), PASS, source="vault")
    with pytest.raises(VaultError, match="bad magic"):
        unseal(b"X" + sealed[1:], PASS, source="vault")


@settings(max_examples=24, deadline=None)
@given(st.data())
def test_any_flipped_byte_is_refused(sealed: bytes, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(sealed) - 1))
    bit = data.draw(st.integers(0, 7))
    doctored = bytearray(sealed)
    doctored[position] ^= 1 << bit
    with pytest.raises(VaultError):
        unseal(bytes(doctored), PASS, source="vault")


@settings(max_examples=24, deadline=None)
@given(st.data())
def test_any_truncation_is_refused(sealed: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(sealed) - 1))
    with pytest.raises(VaultError):
        unseal(sealed[:cut], PASS, source="vault")


def test_the_genuine_image_still_opens(sealed: bytes) -> None:
    header, entries = unseal(sealed, PASS, source="vault")
    assert header.kdf == 1
    assert entries["openai"].value == VALUE
    assert len(sealed) > HEADER_BYTES


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_header_parser_accepts_or_refuses_cleanly(data: bytes) -> None:
    try:
        header = VaultHeader.parse(data, source="x")
    except VaultError:
        return
    assert header.pack() == data[:HEADER_BYTES]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda v: repr({"v": 1, "secrets": v}).replace("'", '"').encode()),
    )
)
def test_plaintext_decoder_returns_entries_or_refuses(data: bytes) -> None:
    message = ""
    entries: dict[str, VaultEntry] = {}
    try:
        entries = decode_plaintext(data, source="x")
    except VaultError as exc:
        message = str(exc)
    assert message == "" or "nothing was read" in message
    assert all(isinstance(e, VaultEntry) for e in entries.values())


def test_entry_repr_hides_the_value() -> None:
    entry = VaultEntry("openai", VALUE, ("api.openai.com",))
    assert VALUE not in repr(entry)


def test_bad_names_and_empty_values_are_refused(tmp_path: Path) -> None:
    vault = Vault.for_home(tmp_path, PASS)
    with pytest.raises(UsageError, match="invalid secret name"):
        vault.put(VaultEntry("Has Space", "x"))
    with pytest.raises(UsageError, match="empty"):
        vault.put(VaultEntry("ok", ""))
    assert not vault.path.exists()
    with pytest.raises(VaultError, match="empty"):
        Vault.for_home(tmp_path, b"")


def test_passphrase_from_a_descriptor(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"from-a-pipe\n")
    os.close(write_end)
    assert read_passphrase_fd(read_end) == b"from-a-pipe"
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(read_end)  # the descriptor was closed after reading
    read_end, write_end = os.pipe()
    os.close(write_end)
    with pytest.raises(VaultError, match="empty"):
        read_passphrase_fd(read_end)


def test_missing_cryptography_is_a_clear_message(tmp_path: Path) -> None:
    src = str(Path(crustcore_nano.__file__).parent.parent)
    code = f"""
import sys
sys.path.insert(0, {src!r})
from pathlib import Path
from crustcore_nano.daemon.vault import Vault, VaultEntry, VaultError
try:
    Vault.for_home(Path({str(tmp_path)!r}), b"pw").put(VaultEntry("a", "b"))
except VaultError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "crustcore-nano[crypto]" in done.stdout
    assert not (tmp_path / "vault").exists()
