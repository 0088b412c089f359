"""Checksum validators: they accept what the format's own construction produces and reject
single-character edits, without ever raising."""

from __future__ import annotations

import hashlib
import string
import zlib

from crustcore_nano.dlp.checksums import (
    base58_decode,
    base58check_payload,
    base58check_valid,
    base62_encode,
    bech32_checksum_chars,
    bech32_valid,
    crc32_base62_tail,
    crc32_base62_valid,
)
from hypothesis import given, settings
from hypothesis import strategies as st

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_alnum = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=60)


def _b58encode(raw: bytes) -> str:
    value = int.from_bytes(raw, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = _B58[rem] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def test_base62_encode_pads_and_orders_digits() -> None:
    assert base62_encode(0) == "000000"
    assert base62_encode(61) == "00000z"
    assert base62_encode(62) == "000010"
    assert base62_encode(0xFFFFFFFF) == base62_encode(0xFFFFFFFF).rjust(6, "0")
    decoded = 0
    for ch in base62_encode(0xFFFFFFFF):
        decoded = decoded * 62 + _B62.index(ch)
    assert decoded == 0xFFFFFFFF


@settings(max_examples=200, deadline=None)
@given(payload=_alnum)
def test_crc32_tail_round_trips(payload: str) -> None:
    body = payload + crc32_base62_tail(payload)
    assert crc32_base62_valid(body)
    crc = zlib.crc32(payload.encode())
    assert sum(_B62.index(c) * 62 ** (5 - i) for i, c in enumerate(body[-6:])) == crc


@settings(max_examples=200, deadline=None)
@given(payload=_alnum, position=st.integers(min_value=0, max_value=200), step=st.integers(1, 61))
def test_crc32_rejects_any_single_substitution(payload: str, position: int, step: int) -> None:
    body = payload + crc32_base62_tail(payload)
    i = position % len(body)
    changed = body[:i] + _B62[(_B62.index(body[i]) + step) % 62] + body[i + 1 :]
    assert not crc32_base62_valid(changed)


def test_crc32_accepts_the_lower_first_digit_order_too() -> None:
    lower_first = string.digits + string.ascii_lowercase + string.ascii_uppercase
    payload = "AbCdEfGhIjKlMnOpQrStUvWxYz0123"
    tail = base62_encode(zlib.crc32(payload.encode()), lower_first)
    assert crc32_base62_valid(payload + tail)


def test_crc32_rejects_short_and_non_ascii_bodies() -> None:
    assert not crc32_base62_valid("")
    assert not crc32_base62_valid("abcdef")
    assert not crc32_base62_valid("é" * 40)


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(min_size=1, max_size=90))
def test_base58check_round_trips(payload: bytes) -> None:
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    text = _b58encode(payload + check)
    assert base58_decode(text) == payload + check
    assert base58check_payload(text) == payload
    assert base58check_valid(text)


def test_base58_rejects_foreign_characters_and_overlong_input() -> None:
    assert base58_decode("0OIl") is None
    assert base58_decode("1" * 500) is None
    assert not base58check_valid("")
    assert not base58check_valid("11111")


@settings(max_examples=200, deadline=None)
@given(
    hrp=st.text(alphabet=string.ascii_lowercase + "-", min_size=1, max_size=20),
    values=st.lists(st.integers(0, 31), max_size=80),
)
def test_bech32_round_trips_and_is_case_insensitive(hrp: str, values: list[int]) -> None:
    text = hrp + "1" + "".join(_BECH32[v] for v in values) + bech32_checksum_chars(hrp, values)
    assert bech32_valid(text)
    assert bech32_valid(text.upper())
    mixed = text[0].upper() + text[1:] if text[0].isalpha() else None
    if mixed is not None and mixed != text and mixed.lower() != mixed.upper():
        assert not bech32_valid(mixed) or mixed == mixed.lower()


def test_bech32_published_vector_and_edits() -> None:
    # The shortest valid string in the BIP-173 specification.
    assert bech32_valid("A12UEL5L")
    assert bech32_valid("a12uel5l")
    assert not bech32_valid("a12uel5m")
    assert not bech32_valid("")
    assert not bech32_valid("1qqqqqq")
    assert not bech32_valid("abc1b2uel5l")
