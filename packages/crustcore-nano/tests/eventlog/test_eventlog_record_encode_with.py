"""`payload_head` and `encode_after`: a payload with one more key, encoded once, as the writer
would encode it."""

from __future__ import annotations

import json

import pytest
from crustcore_nano.errors import UsageError
from crustcore_nano.eventlog.record import (
    canonical_json,
    dumps_payload,
    encode_after,
    payload_head,
)
from hypothesis import given
from hypothesis import strategies as st

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _JSON, max_size=5).filter(lambda d: "args" not in d), _JSON)
def test_the_encoding_is_the_writers_and_the_length_is_the_canonical_ones(
    payload: dict[str, object], value: object
) -> None:
    encoded, length = encode_after(payload_head(payload, "args"), value)
    assert encoded.text.isascii()
    assert json.loads(encoded.text) == {**payload, "args": value}
    assert encoded.text == dumps_payload({**payload, "args": value})[1]
    assert length == len(canonical_json(value))


@given(
    st.dictionaries(st.text(), _JSON, max_size=5).filter(lambda d: "args" not in d),
    st.lists(_JSON, min_size=1, max_size=4),
)
def test_one_head_completes_to_each_payload_as_the_writer_encodes_it(
    payload: dict[str, object], values: list[object]
) -> None:
    """The kernel keeps a head and completes it with many calls' arguments: each result must be
    the writer's own encoding of that payload, whatever came before."""
    head = payload_head(payload, "args")
    for value in values:
        encoded, length = encode_after(head, value)
        assert encoded.text == dumps_payload({**payload, "args": value})[1]
        assert length == len(canonical_json(value))


@pytest.mark.parametrize("key", ["tool", "a b", 'x"', "\u00e9"])
def test_only_a_new_plain_key_is_taken(key: str) -> None:
    with pytest.raises(UsageError):
        payload_head({"tool": "x"}, key)
