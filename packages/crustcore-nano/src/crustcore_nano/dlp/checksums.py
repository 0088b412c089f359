"""Offline checksum validators for token formats that carry one.

A checksum lets the scanner tell a real token from a look-alike without asking the issuer (which
would mean sending the secret to a third party). Every function here is total: any `str` input
returns a bool, never raises, and runs in time linear in its input (inputs are bounded by the
callers' regexes anyway).
"""

from __future__ import annotations

import hashlib
import zlib

# Two base62 digit orders are in use for the CRC32 tail: digits-upper-lower (the common one) and
# digits-lower-upper (what some big-integer libraries produce). A match under either counts; the
# chance of a random 6-character tail matching one of two 32-bit values stays ~2**-31.
_B62_UPPER_FIRST = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B62_LOWER_FIRST = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CRC_TAIL = 6


def base62_encode(value: int, alphabet: str = _B62_UPPER_FIRST, width: int = _CRC_TAIL) -> str:
    """Encode a non-negative int in base62, left-padded with the zero digit to `width`."""
    if value < 0:
        raise ValueError("base62_encode needs a non-negative value")
    digits: list[str] = []
    while value:
        value, rem = divmod(value, 62)
        digits.append(alphabet[rem])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


def crc32_base62_tail(payload: str) -> str:
    """The 6-character base62 CRC32 tail for `payload` (used to build synthetic test tokens)."""
    return base62_encode(zlib.crc32(payload.encode("utf-8", "surrogatepass")))


def crc32_base62_valid(body: str) -> bool:
    """True when the last six characters of `body` are the base62 CRC32 of the rest.

    `body` is the token without its `xxx_` prefix (GitHub `ghp_` etc. and npm `npm_` tokens).
    """
    if len(body) <= _CRC_TAIL or not body.isascii():
        return False
    payload, tail = body[:-_CRC_TAIL], body[-_CRC_TAIL:]
    crc = zlib.crc32(payload.encode("ascii"))
    return tail in (
        base62_encode(crc, _B62_UPPER_FIRST),
        base62_encode(crc, _B62_LOWER_FIRST),
    )


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_B58_MAX_CHARS = 200


def base58_decode(text: str) -> bytes | None:
    """Decode Bitcoin-alphabet base58; None for a foreign character or an overlong input."""
    if len(text) > _B58_MAX_CHARS:
        return None
    value = 0
    for ch in text:
        digit = _B58_INDEX.get(ch)
        if digit is None:
            return None
        value = value * 58 + digit
    leading = len(text) - len(text.lstrip("1"))
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return b"\x00" * leading + raw


def base58check_payload(text: str) -> bytes | None:
    """The payload of a base58check string (version byte included) when its 4-byte double-SHA-256
    checksum verifies, else None."""
    raw = base58_decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    digest = hashlib.sha256(hashlib.sha256(payload).digest()).digest()
    return payload if digest[:4] == check else None


def base58check_valid(text: str) -> bool:
    """True when `text` is base58 and its trailing 4-byte checksum verifies."""
    return base58check_payload(text) is not None


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32_CHARSET)}
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_MAX_CHARS = 1000


def _bech32_polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i, gen in enumerate(_BECH32_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def bech32_valid(text: str) -> bool:
    """True when `text` is a single-case bech32 string (BIP-173 checksum constant 1).

    No overall length cap beyond a sanity bound, because age secret keys exceed BIP-173's 90.
    """
    if not text or len(text) > _BECH32_MAX_CHARS or not text.isascii():
        return False
    if text.lower() != text and text.upper() != text:
        return False
    lowered = text.lower()
    sep = lowered.rfind("1")
    if sep < 1 or sep + 7 > len(lowered):
        return False
    hrp, data = lowered[:sep], lowered[sep + 1 :]
    if any(not 33 <= ord(c) <= 126 for c in hrp):
        return False
    values: list[int] = []
    for ch in data:
        digit = _BECH32_INDEX.get(ch)
        if digit is None:
            return False
        values.append(digit)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + values) == 1


def bech32_checksum_chars(hrp: str, data: list[int]) -> str:
    """The six checksum characters for `hrp` and 5-bit `data` (used to build synthetic keys)."""
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = _bech32_polymod([*expanded, *data, 0, 0, 0, 0, 0, 0]) ^ 1
    return "".join(_BECH32_CHARSET[(poly >> 5 * (5 - i)) & 31] for i in range(6))
