"""Threat: an agent (or injected instructions) gets a registered credential into text that
reaches the model: by printing the secret object, logging it, raising it, formatting it,
serializing it, or by making a tool print the raw value in some encoding or across stream chunks.
Invariant: model-visible text never contains the secret in any of those forms."""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import logging
import pickle
import traceback
import urllib.parse

import pytest
from crustcore_nano import Kernel, SecretMaterial, Source, Untrusted

VALUE = "AKIA-red-team-credential-0xDEADBEEF-9f8e7d"


def forms(value: str) -> list[str]:
    raw = value.encode()
    return [
        value,
        base64.b64encode(raw).decode(),
        base64.b64encode(b"x" + raw).decode(),
        base64.b64encode(b"xy" + raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        binascii.hexlify(raw).decode(),
        binascii.hexlify(raw).decode().upper(),
        urllib.parse.quote(value, safe=""),
        json.dumps({"k": value}),
    ]


def material_paths(m: SecretMaterial) -> dict[str, str]:
    out: dict[str, str] = {}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print(m)
        print(m, repr(m))
    out["print"] = buf.getvalue()
    out["f-string"] = f"{m} {m!r} {m!s} {m:>60}"
    out["%-format"] = "%s %r" % (m, m)  # noqa: UP031 - this formatting path is under test
    out["str.format"] = f"{m} {m!r}"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("redteam.leak")
    log.addHandler(handler)
    log.warning("key=%s obj=%r", m, m)
    log.removeHandler(handler)
    out["log record"] = stream.getvalue()
    try:
        raise ValueError(f"cannot connect using {m}")
    except ValueError as exc:
        out["exception message"] = str(exc)
        out["traceback"] = "".join(
            traceback.TracebackException.from_exception(exc, capture_locals=True).format()
        )
    for name, attempt in (
        ("json.dumps", lambda: json.dumps([m])),
        ("pickle", lambda: pickle.dumps(m)),
    ):
        try:
            out[name] = str(attempt())
        except TypeError as exc:
            out[name] = str(exc)
    return out


def test_every_rendering_of_secret_material_hides_the_value(kernel: Kernel) -> None:
    m = SecretMaterial(VALUE, label="aws")
    kernel.broker.add("aws", m)
    for path, text in material_paths(m).items():
        assert VALUE not in text, path
        shown = kernel.redact(Untrusted(text, Source.TOOL, path)).text
        assert VALUE not in shown, path


@pytest.mark.parametrize("index", range(len(forms(VALUE))))
def test_raw_value_printed_by_a_tool_is_redacted_in_every_encoding(
    kernel: Kernel, index: int
) -> None:
    kernel.broker.add("aws", VALUE)
    form = forms(VALUE)[index]
    tool_output = Untrusted(f"$ env | encode\nRESULT={form}\n", Source.SHELL, "bash")
    shown = kernel.redact(tool_output)
    assert VALUE not in shown.text and VALUE not in shown.framed()
    # Nothing decodable back to the value is left either.
    for candidate in shown.text.replace("=", " ").split():
        for decode in (base64.b64decode, binascii.unhexlify):
            with contextlib.suppress(Exception):
                assert VALUE.encode() not in decode(
                    candidate + "==" if decode is base64.b64decode else candidate
                )


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13, 64])
def test_stream_chunk_splits_never_release_the_value(kernel: Kernel, size: int) -> None:
    kernel.broker.add("aws", VALUE)
    text = f"data: the key is {VALUE} and again {base64.b64encode(VALUE.encode()).decode()} ok\n"
    stream = kernel.broker.stream()
    pieces: list[str] = []
    for i in range(0, len(text), size):
        pieces.append(stream.feed(text[i : i + size]))
        assert VALUE not in "".join(pieces)
    pieces.append(stream.flush())
    out = "".join(pieces)
    assert VALUE not in out
    assert out.count("[REDACTED:aws]") == 2


def test_secret_in_tool_arguments_is_not_written_to_the_log(kernel: Kernel) -> None:
    kernel.broker.add("aws", VALUE)
    task = kernel.create_task("t")
    kernel.start_job(task, owner="w")
    kernel.request_tool(task, "http", {"header": f"X-Key: {VALUE}"}, reversibility="reversible")
    kernel.close()
    raw = b"".join(p.read_bytes() for p in kernel.log_dir.iterdir() if p.is_file())
    assert VALUE.encode() not in raw
