"""The redactor and the stream redactor, with properties over random text and chunkings."""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse

import pytest
from crustcore_nano import (
    ApprovalEngine,
    ModelVisibleText,
    Redactor,
    SealError,
    SecretAvailability,
    SecretBroker,
    SecretError,
    Source,
    StreamRedactor,
    Untrusted,
    require_model_visible,
)
from crustcore_nano._seal import MacKey
from hypothesis import given, settings
from hypothesis import strategies as st

SECRET = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXyZ0123"


def make_redactor(*secrets: tuple[str, str]) -> Redactor:
    r = Redactor()
    for label, value in secrets:
        r.register(label, value.encode())
    return r


def encodings(value: str) -> list[str]:
    raw = value.encode()
    return [
        value,
        binascii.hexlify(raw).decode(),
        binascii.hexlify(raw).decode().upper(),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        urllib.parse.quote(value, safe=""),
        "".join(f"%{b:02X}" for b in raw),
        json.dumps(value)[1:-1],
    ]


@pytest.mark.parametrize("form", encodings(SECRET + '"\\/é'))
def test_every_encoding_is_redacted(form: str) -> None:
    r = make_redactor(("gh", SECRET + '"\\/é'))
    out, count = r.scrub(f"before {form} after")
    assert count == 1
    assert out == "before [REDACTED:gh] after"


@pytest.mark.parametrize("prefix", [b"", b"a", b"ab", b"abc", b"abcd"])
def test_base64_inside_a_longer_stream_at_every_alignment(prefix: bytes) -> None:
    r = make_redactor(("gh", SECRET))
    blob = base64.b64encode(prefix + SECRET.encode() + b"-trailer").decode()
    out, count = r.scrub(blob)
    assert count == 1
    # What is left around the marker carries at most the bits shared with the neighbours.
    left, _ = out.split("[REDACTED:gh]")
    assert len(left) <= len(prefix) * 4 // 3 + 2
    assert not r.would_leak(out)


def test_longest_match_first_and_overlaps_merge() -> None:
    r = make_redactor(("short", "abcdefgh"), ("long", "abcdefghijkl"), ("other", "ijklmnopqr"))
    assert r.scrub("xx abcdefghijkl yy")[0] == "xx [REDACTED:long] yy"
    # "abcdefghijkl" and "ijklmnopqr" overlap: one merged span.
    assert r.scrub("abcdefghijklmnopqr!")[0] == "[REDACTED:long]!"


def test_redaction_is_idempotent_and_markers_are_not_rematched() -> None:
    r = make_redactor(("gh", SECRET), ("marker-ish", "REDACTED:gh"))
    once = r.scrub(f"a {SECRET} b")[0]
    assert r.scrub(once)[0] == once


def test_short_or_odd_secrets_are_refused() -> None:
    r = Redactor()
    with pytest.raises(SecretError):
        r.register("pin", b"1234")
    with pytest.raises(SecretError):
        r.register("nl", b"line-one\nline-two")
    with pytest.raises(SecretError):
        r.register("big", b"x" * (16 * 1024 + 1))


def test_model_visible_text_only_from_the_redactor_and_checked_at_use() -> None:
    broker = SecretBroker(ApprovalEngine(MacKey.generate("t")))
    broker.add("gh", SECRET)
    mvt = broker.redact(f"token {SECRET}")
    assert require_model_visible(mvt) is mvt
    assert mvt.text == "token [REDACTED:gh]" and mvt.redactions == 1
    forged = object.__new__(ModelVisibleText)
    with pytest.raises(SealError):
        require_model_visible(forged)
    object.__setattr__(mvt, "text", f"token {SECRET}")
    with pytest.raises(SealError):
        require_model_visible(mvt)
    with pytest.raises(SealError):
        require_model_visible(f"token {SECRET}")


def test_untrusted_content_gets_its_origin_and_is_redacted() -> None:
    broker = SecretBroker(ApprovalEngine(MacKey.generate("t")))
    broker.add("gh", SECRET)
    tool_out = Untrusted(f"cat .env\nGITHUB_TOKEN={SECRET}\n", Source.SHELL, "bash")
    mvt = broker.redact(tool_out)
    assert mvt.origin == "shell:bash"
    assert SECRET not in mvt.text and SECRET not in mvt.framed()
    assert 'origin="shell:bash"' in mvt.framed()
    assert SECRET not in repr(tool_out) and SECRET not in str(tool_out)
    with pytest.raises(TypeError):
        _ = tool_out + "x"  # type: ignore[operator]  # the static check is tests/typecheck's job


def test_replace_rotates_a_secret_in_one_step_and_keeps_both_values_redacted() -> None:
    broker = SecretBroker(ApprovalEngine(MacKey.generate("t")))
    handle = broker.add("gh", SECRET)
    rotated = "ghp_" + "R" * 36
    assert broker.replace("gh", rotated) == handle
    assert broker.handles() == (handle,)
    assert broker.availability(handle) is SecretAvailability.AVAILABLE
    out = broker.scrub(f"old {SECRET} new {rotated}")
    assert SECRET not in out and rotated not in out
    assert out == "old [REDACTED:gh] new [REDACTED:gh]"
    with pytest.raises(SecretError, match="no secret named 'nope'"):
        broker.replace("nope", rotated)
    with pytest.raises(SecretError, match="shorter than"):
        broker.replace("gh", "short")  # refused before anything changes
    assert broker.availability(handle) is SecretAvailability.AVAILABLE


def test_scrub_json_walks_nested_values() -> None:
    r = make_redactor(("gh", SECRET))
    value = {"a": [SECRET, {"b": f"x{SECRET}"}], SECRET: 1, "n": 3}
    assert r.scrub_json(value) == {
        "a": ["[REDACTED:gh]", {"b": "x[REDACTED:gh]"}],
        "[REDACTED:gh]": 1,
        "n": 3,
    }


# --- properties ---------------------------------------------------------------------------------

secret_values = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="[]"),
    min_size=8,
    max_size=40,
)
filler = st.text(alphabet="abc XYZ=:/\n\"'{}0123456789+", max_size=80)


@settings(max_examples=200, deadline=None)
@given(value=secret_values, before=filler, after=filler, pick=st.integers(0, 7))
def test_no_form_of_a_secret_survives(value: str, before: str, after: str, pick: int) -> None:
    r = make_redactor(("s", value))
    form = encodings(value)[pick]
    out = r.scrub(before + form + after)[0]
    assert form not in out
    assert value not in out
    assert r.scrub(out)[0] == out  # idempotent


@settings(max_examples=300, deadline=None)
@given(
    value=secret_values,
    items=st.dictionaries(
        st.one_of(filler, st.just("k")),
        st.one_of(filler, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)),
        max_size=5,
    ),
    plant=st.sampled_from(["none", "key", "value", "split"]),
)
def test_flat_mappings_are_scrubbed_like_any_other(
    value: str, items: dict[str, object], plant: str
) -> None:
    """`scrub_json`'s one search over a flat mapping's joined strings changes nothing: a
    secret in a key, in a value, or (not) across two strings comes out as string by string."""
    r = make_redactor(("s", value))
    mapping: dict[object, object] = {k: v for k, v in items.items()}  # noqa: C416
    if plant == "key":
        mapping["x" + value] = 1
    elif plant == "value":
        mapping["v"] = value + "!"
    elif plant == "split":  # half in a key, half in its value: neither string holds it
        half = len(value) // 2
        mapping[value[:half]] = value[half:]

    def one(text: object) -> object:
        return r.scrub(text)[0] if isinstance(text, str) else text

    expected = {one(k): one(v) for k, v in mapping.items()}
    assert r.scrub_json(mapping) == expected


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | filler,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(filler, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    value=secret_values,
    data=_json_values,
    plant=st.sampled_from(["none", "key", "value", "nested", "form"]),
    pick=st.integers(0, 7),
)
def test_absent_from_json_answers_for_every_string_of_the_value(
    value: str, data: object, plant: str, pick: int
) -> None:
    """The kernel skips the walk that copies a call's arguments with secrets replaced when
    `absent_from_json` says no form occurs in their JSON. That must imply that no string of
    the value holds a form (so the walk would change nothing), and it must never say so for a
    secret whose forms JSON would spell differently (a quote, a backslash, non-ASCII)."""
    r = make_redactor(("s", value))
    form = encodings(value)[pick]
    if plant == "key":
        data = {"x" + value: data}
    elif plant == "value":
        data = {"v": [data, "<" + value + ">"]}
    elif plant == "nested":
        data = {"a": {"b": [1, {"c": form}]}}
    elif plant == "form":
        data = ["pre " + form + " post", data]
    encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    absent = r.absent_from_json(encoded)
    if absent:
        assert r.scrub_json(data) == data
    if plant != "none":
        assert not absent
    plain = all(c.isascii() and c.isprintable() and c not in '"\\' for c in value)
    if not plain:
        assert not absent


def test_absent_from_json_with_no_secret_and_after_a_change() -> None:
    r = Redactor()
    assert r.absent_from_json('{"a":"b"}')
    before = r.generation
    r.register("s", SECRET.encode())
    assert r.generation != before
    assert not r.absent_from_json(json.dumps({"k": SECRET}))
    assert r.absent_from_json(json.dumps({"k": "nothing here"}))


def _collapse(text: str) -> str:
    return re.sub(r"(\[REDACTED:s\])+", "[REDACTED:s]", text)


@settings(max_examples=300, deadline=None)
@given(
    value=secret_values,
    parts=st.lists(filler, min_size=1, max_size=4),
    cuts=st.lists(st.integers(0, 400), max_size=12),
)
def test_stream_output_equals_whole_text_redaction(
    value: str, parts: list[str], cuts: list[int]
) -> None:
    r = make_redactor(("s", value))
    text = value.join(parts) + value
    positions = sorted({c % (len(text) + 1) for c in cuts})
    chunks = [text[a:b] for a, b in zip([0, *positions], [*positions, len(text)], strict=True)]
    stream = StreamRedactor(r)
    out = ""
    for c in chunks:
        out += stream.feed(c)
        assert stream.held_back <= 2 * r.max_needle_len  # bounded hold-back
    out += stream.flush()
    assert value not in out
    whole = r.scrub(text)[0]
    # Equal, except that a long chain of overlapping matches may be released as two adjacent
    # markers where the whole-text redaction has one.
    assert _collapse(out) == _collapse(whole)
    if len(text) <= 2 * r.max_needle_len:
        assert out == whole


@settings(max_examples=100, deadline=None)
@given(
    value=st.sampled_from(["00000000", "abababab", "aaaaaaaaaaaa"]),
    n=st.integers(1, 3000),
    size=st.integers(1, 50),
)
def test_repeated_runs_keep_the_hold_back_bounded(value: str, n: int, size: int) -> None:
    r = make_redactor(("s", value))
    text = value[0] * n + value + "!"
    stream = StreamRedactor(r)
    out = ""
    for i in range(0, len(text), size):
        out += stream.feed(text[i : i + size])
        assert stream.held_back <= 2 * r.max_needle_len
    out += stream.flush()
    assert value not in out


def test_stream_holds_back_only_a_possible_prefix() -> None:
    r = make_redactor(("gh", SECRET))
    s = StreamRedactor(r)
    assert s.feed("plain words with no secret. ") == "plain words with no secret. "
    assert s.feed("now ghp_R4nd") == "now "
    assert s.feed("0mT0k3nV4lu3F0rT3st1ngXyZ0123 done") == "[REDACTED:gh] done"
    assert s.flush() == ""
    with pytest.raises(SecretError):
        s.feed("more")


def test_stream_waits_when_a_complete_form_may_still_grow_into_a_longer_one() -> None:
    r = make_redactor(("short", "abcdefgh"), ("long", "abcdefghijkl"))
    s = StreamRedactor(r)
    assert s.feed("x abcdefgh") == "x "
    assert s.feed("ijkl y") == "[REDACTED:long] y"
    assert s.flush() == ""
