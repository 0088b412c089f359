"""Fuzz the static evaluators (echo, printf, decoders, tr) and brace expansion."""

from __future__ import annotations

import sys

from crustcore_nano.shell.expand import Field, brace_expand
from crustcore_nano.shell.static import (
    decode_backslashes,
    decode_base64,
    decode_hex,
    echo_output,
    printf_output,
    tr_output,
)


def TestOneInput(data: bytes) -> None:
    """None of the pure helpers may raise on any input; brace expansion stays bounded."""
    text = data.decode("utf-8", errors="replace")
    words = [Field(w) for w in text.split(" ")[:8]]
    echo_output(words)
    printf_output(words)
    decode_backslashes(text, echo=True)
    decode_backslashes(text, echo=False)
    decode_base64(text)
    decode_base64(text, 32)
    decode_hex(text)
    tr_output(words[:2], text)
    if len(brace_expand(text, 64)) > 65:
        raise AssertionError("brace expansion exceeded its bound")


if __name__ == "__main__":
    # Longer runs: ./dev run python tests/fuzz/fuzz_shell_static.py -max_total_time=60
    import atheris  # type: ignore[import-untyped]

    atheris.instrument_all()  # pyright: ignore[reportUnknownMemberType, reportAttributeAccessIssue]
    atheris.Setup(sys.argv, TestOneInput)  # pyright: ignore[reportUnknownMemberType]
    atheris.Fuzz()  # pyright: ignore[reportUnknownMemberType]
