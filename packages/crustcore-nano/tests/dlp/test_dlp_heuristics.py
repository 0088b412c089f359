"""Heuristics that decide what a generic value or name is: entropy, placeholders, test values,
identifiers and secret-holding names."""

from __future__ import annotations

import math

import pytest
from crustcore_nano.dlp import heuristics as h
from hypothesis import given, settings
from hypothesis import strategies as st


def test_entropy_of_uniform_and_constant_strings() -> None:
    assert h.shannon_entropy("") == 0.0
    assert h.shannon_entropy("aaaa") == 0.0
    assert h.shannon_entropy("abcd") == pytest.approx(2.0)
    assert h.shannon_entropy("0123456789abcdef") == pytest.approx(4.0)


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=200))
def test_entropy_is_bounded_by_alphabet_size(value: str) -> None:
    e = h.shannon_entropy(value)
    assert 0.0 <= e <= math.log2(max(1, len(set(value)))) + 1e-9


@pytest.mark.parametrize(
    "value",
    [
        "your-api-key-here",
        "${SECRET_KEY}",
        "{{ token }}",
        "<your-token>",
        "xxxxxxxxxxxxxxxx",
        "****************",
        "changeme-please-1",
        "[REDACTED:jwt]",
        "$DB_PASSWORD",
        "%(password)s",
        "aaaaaaaaaaaaaaab",
    ],
)
def test_placeholders(value: str) -> None:
    assert h.is_placeholder(value)


@pytest.mark.parametrize("value", ["Xk9#mP2qL8vR4tZw", "ghp_4f9Zk2LmQ8rT1vXy", "hunter2hunter3"])
def test_not_placeholders(value: str) -> None:
    assert not h.is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("dummy-token-1", True),
        ("sk_test_abc", True),
        ("FakeKey123", True),
        ("k9Zq2LmW8rTx", False),
    ],
)
def test_test_values(value: str, expected: bool) -> None:
    assert h.looks_like_test_value(value) is expected


@pytest.mark.parametrize(
    "value",
    [
        "os.environ.get",
        "django.contrib.auth.backends.ModelBackend",
        "my-service-name_v2",
        "pkcs8_priv_key_info_st",
        "server-key.pem",
        "credentials.json",
    ],
)
def test_identifiers(value: str) -> None:
    assert h.looks_like_identifier(value)


@pytest.mark.parametrize("value", ["Xk9mP2qL8vR4tZw7", "a1B2c3D4e5F6g7H8", "9f8e7d6c5b4a3210ff"])
def test_random_values_are_not_identifiers(value: str) -> None:
    assert not h.looks_like_identifier(value)


def test_random_looking_needs_mixed_classes_and_entropy() -> None:
    assert h.random_looking("Xk9mP2qL8vR4tZw7")
    assert h.random_looking("gfyZUfMFzJgVKEyIRwWL")
    assert not h.random_looking("AbstractSingletonProxyFactoryBean")
    assert not h.random_looking("1111111111111111")
    assert not h.random_looking("aaaaaaaaaaaaaaa1")


def test_hex_digest_lengths() -> None:
    assert h.is_hex_digest("d41d8cd98f00b204e9800998ecf8427e")
    assert h.is_hex_digest("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert not h.is_hex_digest("d41d8cd98f00b204e9800998ecf8427")
    assert not h.is_hex_digest("z41d8cd98f00b204e9800998ecf8427e")


@pytest.mark.parametrize(
    ("name", "strength"),
    [
        ("password", 2),
        ("DB_PASSWORD", 2),
        ("clientSecret", 2),
        ("apiKey", 1),
        ("AWS_SESSION_TOKEN", 2),
        ("signing_key", 1),
        ("secret_name", 0),
        ("key_path", 0),
        ("public_key", 0),
        ("monkey", 0),
        ("keyboard", 0),
        ("tokenizer", 0),
        ("token_type", 0),
        ("sort_key", 0),
        ("", 0),
    ],
)
def test_secret_name_strength(name: str, strength: int) -> None:
    assert h.secret_name_strength(name) == strength


def test_name_words_split_camel_and_separators() -> None:
    assert h.name_words("awsSecretAccessKey") == ["aws", "secret", "access", "key"]
    assert h.name_words("HTTPHeaderValue") == ["http", "header", "value"]
    assert h.name_words("db.password-2") == ["db", "password", "2"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PKCS12PrivateKeyTypes", True),
        ("maxRetryCount2", True),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", True),
        ("Zq81mVx0PaLw7RtY3nBc", False),
        ("gfyZUfMFzJgVKEyIRwWL", False),
        ("not-an-identifier", False),
    ],
)
def test_wordy_identifiers(value: str, expected: bool) -> None:
    assert h.looks_like_wordy_identifier(value) is expected


def test_markers_inside_random_characters_do_not_count() -> None:
    # Random key material may spell a marker by chance; only deliberate positions count.
    assert not h.looks_like_test_value("aB3testX9kL2mQ7w")
    assert not h.looks_like_test_value("Zq8dummyp1Lk3Vx0")
    assert h.looks_like_test_value("aB3TESTX9kL2mQ7w")
    assert h.looks_like_test_value("aB3-test-X9kL2mQ7")
    assert not h.is_placeholder("aB3todoX9kL2mQ7zz")
    assert h.is_placeholder("TODO-fill-me-in-later")
