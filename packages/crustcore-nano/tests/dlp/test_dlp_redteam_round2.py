"""DLP, red-team round 2: disguised credentials, newer token kinds, wide-text files.

Credentials are built here from seeded random characters (none is committed). A disguise that a
receiver undoes (JSON parser, HTTP server, shell, browser, a copy that drops invisible
characters) must not hide a credential, and the finding must point at the disguised span in the
original text. Hard negatives: ordinary text that carries the same escapes and characters.
"""

from __future__ import annotations

import io
import json
import random
import string
from pathlib import Path

import pytest
from crustcore_nano.dlp import redact, scan
from crustcore_nano.dlp.checksums import crc32_base62_tail
from crustcore_nano.dlp.cli import decode_input, scan_main
from crustcore_nano.dlp.fold import fold
from hypothesis import given, settings
from hypothesis import strategies as st

_B62 = string.ascii_letters + string.digits
_RNG = random.Random(20261122)


def _rand(n: int, alphabet: str = _B62) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _github() -> str:
    body = _rand(30)
    return "ghp_" + body + crc32_base62_tail(body)


GHP = _github()
AWS_ID = "AKIA" + _rand(16, string.ascii_uppercase + "234567")
GLPAT = "glpat-" + _rand(20)


def _blocking(text: str) -> list[str]:
    return [f.type for f in scan(text) if f.blocking]


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\U000e0041", "\ufe0f"],
)
def test_invisible_characters_inside_a_token_do_not_hide_it(invisible: str) -> None:
    for token, kind in ((GHP, "github-pat"), (AWS_ID, "aws-access-key-id")):
        text = f"key = '{token[:6]}{invisible}{token[6:]}'\n"
        assert kind in _blocking(text)
        (finding,) = [f for f in scan(text) if f.type == kind]
        assert text[finding.start : finding.end].replace(invisible, "") == token


def test_fullwidth_and_lookalike_letters_do_not_hide_a_token() -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in AWS_ID)
    assert "aws-access-key-id" in _blocking(f"id={fullwidth}")
    cyrillic = "\u0410" + AWS_ID[1:]  # CYRILLIC CAPITAL A
    assert "aws-access-key-id" in _blocking(f"id={cyrillic}")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.replace("_", "\\u005f").replace("-", "\\u002d"),  # JSON / JS
        lambda t: t.replace("_", "\\x5f").replace("-", "\\x2d"),  # Python / C
        lambda t: t.replace("_", "%5F").replace("-", "%2d"),  # URL
        lambda t: t.replace("_", "&#95;").replace("-", "&#x2D;"),  # HTML
        lambda t: t[:8] + "''" + t[8:],  # shell: an empty quoted string
        lambda t: t[:8] + '""' + t[8:],
    ],
)
def test_escaped_separators_do_not_hide_a_token(encode: object) -> None:
    assert callable(encode)
    for token, kind in ((GHP, "github-pat"), (GLPAT, "gitlab-pat")):
        disguised = str(encode(token))
        assert disguised != token
        text = f'{{"auth": "{disguised}"}}'
        assert kind in _blocking(text), disguised
        finding = next(f for f in scan(text) if f.type == kind)
        assert text[finding.start : finding.end] == disguised
        assert disguised not in redact(text)


def test_finding_lines_count_in_the_original_text() -> None:
    text = "a\nb\n" + GHP[:5] + "\u200b" + GHP[5:] + "\n"
    (finding,) = scan(text)
    assert finding.line == 3


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"name": "Zoë Ångström", "city": "東京"}, ensure_ascii=True),
        "https://www.google.com/search?q=%E6%97%A5%E6%9C%AC+%22sk-ant%22&oq=x%2Dy",
        "width: 100%; height: 50%; --x: calc(100% - 2px)",
        'printf("%2d %x %s\\n", a, b, c); x = "" + \'\'; foo("")',
        r"b'\x00\x01\x89PNG\r\n\x1a\n' and r'^[A-Za-z0-9_\-]{20,}$|\u00a0'",
        "&#169; 2024 &#x2014; caf&#233; ﬁle ﬂow 👩\u200d💻 ✅",
        "\u8bf7\u8f93\u5165\u5bc6\u94a5\uff0c\u7136\u540e\u91cd\u542f\u3002\uff21\uff30\uff29\u30ad\u30fc",
        "grant_type=client_credentials&client_id=abc&scope=read%20write",
        "https://cdn.example.com/assets/app.%7Bhash%7D.js",
    ],
)
def test_ordinary_escapes_and_unicode_stay_quiet(text: str) -> None:
    assert _blocking(text) == []


def test_fold_is_empty_for_plain_text() -> None:
    assert fold("def run():\n    return 'x'\n") == ()
    assert fold("100% sure, x = ''") == ()  # not inside a word


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fold_maps_every_span_inside_the_text(text: str) -> None:
    for region in fold(text):
        for start in range(len(region.text)):
            lo, hi, _ = region.original_span(start, start + 1)
            assert 0 <= lo < hi <= len(text)


_DISGUISES = st.sampled_from(["\u200b", "\u00ad", "\u2062", "%5F", "\\u005f", "''"])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=5, max_value=len(GHP) - 1), _DISGUISES, st.text(max_size=40))
def test_a_disguise_anywhere_inside_a_token_is_found(at: int, unit: str, noise: str) -> None:
    escaped = unit in ("%5F", "\\u005f")
    disguised = GHP.replace("_", unit) if escaped else GHP[:at] + unit + GHP[at:]
    text = noise + " " + disguised + " " + noise
    found = [f for f in scan(text) if f.type == "github-pat"]
    assert found
    assert all(0 <= f.start < f.end <= len(text) for f in found)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_scan_never_raises_and_stays_in_bounds(text: str) -> None:
    for f in scan(text):
        assert 0 <= f.start < f.end <= len(text)


# ------------------------------------------------------------------------ newer token kinds


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ("sk-ant-oat01-" + _rand(93, _B62 + "-_") + "AA", "anthropic-api-key"),
        ("sk-ant-ort01-" + _rand(93, _B62 + "-_") + "AA", "anthropic-api-key"),
        ("glcbt-64_" + _rand(20), "gitlab-pat"),
        ("glsoat-" + _rand(20), "gitlab-pat"),
        ("glffct-" + _rand(20), "gitlab-pat"),
        ("glagent-" + _rand(50), "gitlab-pat"),
        ("glft-" + _rand(20), "gitlab-pat"),
        ("glimt-" + _rand(25), "gitlab-pat"),
        (
            "https://ptb.discord.com/api/webhooks/310160506824637802/" + _rand(68, _B62 + "-_"),
            "discord-webhook-url",
        ),
        (
            "https://canary.discordapp.com/api/webhooks/310160506824637802/" + _rand(68),
            "discord-webhook-url",
        ),
    ],
)
def test_newer_token_kinds_are_found(token: str, kind: str) -> None:
    assert kind in _blocking(f"value: {token}\n")


def test_plain_discord_webhook_span_is_unchanged() -> None:
    hook = "discord.com/api/webhooks/310160506824637802/" + _rand(68)
    text = f"url=https://{hook}"
    (finding,) = scan(text)
    assert text[finding.start : finding.end] == hook


# ------------------------------------------------------------------------ wide-text files


def test_utf16_and_utf32_inputs_are_decoded() -> None:
    text = f'token = "{GHP}"\n'
    for data in (
        text.encode("utf-16"),
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        text.encode("utf-32"),
    ):
        assert decode_input(data) == text


def test_binary_with_zero_padding_stays_utf8() -> None:
    data = bytes(4000) + GHP.encode() + bytes(range(256)) * 4 + bytes(3000)
    assert GHP in decode_input(data)
    assert decode_input(b"\xff\xfe\xc3(" + GHP.encode()).endswith(GHP)  # no NUL: UTF-8


def test_scan_command_finds_a_token_in_a_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_bytes(f"$env:TOKEN = '{GHP}'\r\n".encode("utf-16"))
    out, err = io.StringIO(), io.StringIO()
    code = scan_main([str(path), "--json"], stdin=io.StringIO(""), stdout=out, stderr=err)
    assert code == 1
    (finding,) = json.loads(out.getvalue())
    assert finding["type"] == "github-pat"


# ------------------------------------------------------------------------ keys pasted as code


def _pem_lines(n: int) -> list[str]:
    return ["".join(_RNG.choice(_B62 + "+/") for _ in range(64)) for _ in range(n)]


def test_private_key_split_into_string_literals_is_found() -> None:
    lines = _pem_lines(12)
    python = (
        'KEY = ("-----BEGIN RSA PRIVATE KEY-----"\n'
        + "".join(f'       "{line}"\n' for line in lines)
        + '       "-----END RSA PRIVATE KEY-----")\n'
    )
    js = (
        "const key = '-----BEGIN PRIVATE KEY-----' +\n"
        + "".join(f"  '{line}' +\n" for line in lines)
        + "  '-----END PRIVATE KEY-----';\n"
    )
    for text in (python, js):
        kinds = _blocking(text)
        assert kinds and all(k.startswith("private-key") for k in kinds), text


def test_pem_markers_as_constants_are_not_a_key() -> None:
    text = (
        'HEADER = "-----BEGIN RSA PRIVATE KEY-----"\n'
        'FOOTER = "-----END RSA PRIVATE KEY-----"\n'
        "if line.strip() == HEADER: in_key = True\n"
    )
    assert _blocking(text) == []
