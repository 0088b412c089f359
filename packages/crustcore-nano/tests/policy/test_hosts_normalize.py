"""Host folding: every spelling of a metadata address is the same address."""

from __future__ import annotations

import ipaddress

import pytest
from crustcore_nano.policy.hosts import (
    canonical_host,
    find_metadata_hosts,
    host_forms,
    metadata_endpoint,
    parse_ipv4_loose,
)
from hypothesis import given, settings
from hypothesis import strategies as st

_IMDS = "169.254.169.254"


@pytest.mark.parametrize(
    "spelling",
    [
        "169.254.169.254",
        "2852039166",
        "0xa9fea9fe",
        "0XA9FEA9FE",
        "0251.0376.0251.0376",
        "0xa9.0xfe.0xa9.0xfe",
        "169.254.43518",
        "169.16689662",
        "[::ffff:169.254.169.254]",
        "[::ffff:a9fe:a9fe]",
        "::ffff:a9fe:a9fe",
        "[0:0:0:0:0:ffff:a9fe:a9fe]",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::",
        "169.254.169.254.",
        "169.254.169.254:80",
        "user@169.254.169.254",
        "%31%36%39.254.169.254",
        "\uff11\uff16\uff19.\uff12\uff15\uff14.\uff11\uff16\uff19.\uff12\uff15\uff14",
        "169.254.169.254.nip.io",
        "a9fea9fe.nip.io",
        "app-169-254-169-254.sslip.io",
    ],
)
def test_every_spelling_of_imds_is_detected(spelling: str) -> None:
    assert metadata_endpoint(spelling) == _IMDS


@pytest.mark.parametrize(
    ("host", "endpoint"),
    [
        ("metadata.google.internal", "metadata.google.internal"),
        ("METADATA.GOOGLE.INTERNAL.", "metadata.google.internal"),
        ("metadata.goog", "metadata.goog"),
        ("[fd00:ec2::254]", "fd00:ec2::254"),
        ("fd00:ec2:0:0:0:0:0:254", "fd00:ec2::254"),
        ("100.100.100.200", "100.100.100.200"),
        ("169.254.170.2", "169.254.170.2"),
    ],
)
def test_other_clouds(host: str, endpoint: str) -> None:
    assert metadata_endpoint(host) == endpoint


@pytest.mark.parametrize(
    "host", ["example.com", "10.0.0.1", "127.0.0.1", "docs.python.org", "::1", "1.2.3.4.nip.io"]
)
def test_ordinary_hosts_are_not_metadata(host: str) -> None:
    assert metadata_endpoint(host) is None


def test_canonical_forms() -> None:
    assert canonical_host("Example.COM.") == "example.com"
    assert canonical_host("[::1]:8080") == "::1"
    assert canonical_host("0x7f.1") == "127.0.0.1"
    assert host_forms("10.0.0.5.nip.io") == ("10.0.0.5.nip.io", "10.0.0.5")
    assert parse_ipv4_loose("256.1.1.1") is None
    assert parse_ipv4_loose("1.2.3.4.5") is None
    assert parse_ipv4_loose("09.1.1.1") is None  # 09 is not octal


def test_find_in_text_ignores_bare_words() -> None:
    assert find_metadata_hosts("curl -s http://0xa9fea9fe/latest && ls metadata") == (_IMDS,)
    assert find_metadata_hosts("python manage.py metadata --list") == ()
    assert find_metadata_hosts("wget http://[::ffff:a9fe:a9fe]:80/x") == (_IMDS,)
    assert find_metadata_hosts("") == ()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_loose_ipv4_agrees_with_ipaddress(number: int) -> None:
    dotted = str(ipaddress.IPv4Address(number))
    assert parse_ipv4_loose(str(number)) == dotted
    assert parse_ipv4_loose(hex(number)) == dotted
    a, b, c, d = (int(x) for x in dotted.split("."))
    assert parse_ipv4_loose(f"{a}.{b}.{(c << 8) | d}") == dotted
    assert parse_ipv4_loose(f"0{a:o}.{b}.{c}.{d}") == dotted


_PART_STYLES = st.sampled_from(["dec", "hex", "oct"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PART_STYLES, min_size=4, max_size=4), st.booleans(), st.booleans())
def test_mixed_encodings_of_imds(styles: list[str], trailing_dot: bool, upper: bool) -> None:
    parts: list[str] = []
    for value, style in zip((169, 254, 169, 254), styles, strict=True):
        if style == "hex":
            parts.append(hex(value))
        elif style == "oct":
            parts.append("0" + format(value, "o"))
        else:
            parts.append(str(value))
    host = ".".join(parts) + ("." if trailing_dot else "")
    if upper:
        host = host.upper()
    assert metadata_endpoint(host) == _IMDS
    assert _IMDS in find_metadata_hosts(f"curl http://{host}/latest/meta-data")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_find_never_raises_and_is_deterministic(text: str) -> None:
    assert find_metadata_hosts(text) == find_metadata_hosts(text)
    canonical_host(text)
