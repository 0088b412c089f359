"""SecretMaterial and SecretHandle: what they show, what they refuse."""

from __future__ import annotations

import copy
import json
import logging
import pickle
import traceback

import pytest
from crustcore_nano import SecretError, SecretHandle, SecretMaterial

VALUE = "hunter2-correct-horse-battery"


def test_every_rendering_hides_the_value() -> None:
    m = SecretMaterial(VALUE, label="db")
    for shown in (
        repr(m),
        str(m),
        f"{m}",
        f"{m!r}",
        f"{m:>40}",
        "%s" % m,  # noqa: UP031 - the old formatting path is what we test
        "%r" % m,  # noqa: UP031
        "{}".format(m),  # noqa: UP032
    ):
        assert VALUE not in shown
        assert "<redacted:db>" in shown


@pytest.mark.parametrize(
    "attempt",
    [
        pickle.dumps,
        copy.copy,
        copy.deepcopy,
        lambda m: m.__reduce_ex__(2),
        lambda m: m.__reduce__(),
    ],
)
def test_serialization_and_copying_are_refused(attempt: object) -> None:
    m = SecretMaterial(VALUE, label="db")
    with pytest.raises(TypeError) as info:
        attempt(m)  # type: ignore[operator]
    assert VALUE not in str(info.value)


def test_json_refuses_and_does_not_quote_the_value() -> None:
    with pytest.raises(TypeError) as info:
        json.dumps({"k": SecretMaterial(VALUE, label="db")})
    assert VALUE not in str(info.value)


def test_subclassing_is_refused() -> None:
    with pytest.raises(TypeError):
        type("Sub", (SecretMaterial,), {})


def test_attributes_cannot_be_set_or_added() -> None:
    m = SecretMaterial(VALUE, label="db")
    with pytest.raises(TypeError):
        m.label = "other"
    with pytest.raises((TypeError, AttributeError)):
        vars(m)


def test_equality_is_by_value_and_hash_is_refused() -> None:
    a, b = SecretMaterial(VALUE, label="a"), SecretMaterial(VALUE, label="b")
    assert a == b
    assert a != SecretMaterial(VALUE + "x", label="a")
    with pytest.raises(TypeError):
        hash(a)


def test_wipe_zeroes_and_empties_the_buffer() -> None:
    m = SecretMaterial(bytearray(VALUE.encode()), label="db")
    buf = m._buf  # pyright: ignore[reportPrivateUsage]
    m.wipe()
    assert m.wiped and len(m) == 0 and not m
    assert bytes(buf) == b""
    with pytest.raises(SecretError):
        m._reveal()  # pyright: ignore[reportPrivateUsage]


def test_logging_and_tracebacks_with_locals_show_no_value(caplog: pytest.LogCaptureFixture) -> None:
    m = SecretMaterial(VALUE, label="db")
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("material %s %r", m, m)
    assert VALUE not in caplog.text
    try:
        secret_local = m
        raise RuntimeError(f"failed with {secret_local}")
    except RuntimeError as exc:
        tb = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    assert VALUE not in tb
    assert "<redacted:db>" in tb


def test_bad_labels_and_types_are_refused_without_echoing_the_value() -> None:
    for label in ("", "UPPER", "has space", "x" * 65, "-lead"):
        with pytest.raises(SecretError) as info:
            SecretMaterial(VALUE, label=label)
        assert VALUE not in str(info.value)
    with pytest.raises(SecretError):
        SecretMaterial(12345, label="n")  # type: ignore[arg-type]


def test_handle_round_trips_and_is_safe_to_print() -> None:
    h = SecretHandle("openai")
    assert str(h) == "secret://openai" == h.uri
    assert SecretHandle.parse("secret://openai") == h
    assert json.dumps({"h": str(h)}) == '{"h": "secret://openai"}'
    assert pickle.loads(pickle.dumps(h))  # noqa: S301 - our own bytes == h
    with pytest.raises(SecretError):
        SecretHandle.parse("openai")
    with pytest.raises(SecretError):
        SecretHandle("Bad Label")
