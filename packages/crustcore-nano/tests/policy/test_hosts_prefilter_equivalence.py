"""`find_metadata_hosts` skips tokens cheaply; the skip must never change its answer.

The reference below checks every host-like token with the full per-token test, exactly as the
function did before the prefilter; both must agree on arbitrary text made of the characters that
matter (digits, hex letters, separators, hint words).
"""

from __future__ import annotations

from crustcore_nano.normalize import decode_percent, normalize_text
from crustcore_nano.policy import hosts
from crustcore_nano.policy.hosts import find_metadata_hosts
from hypothesis import given, settings
from hypothesis import strategies as st


def _reference(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    work = text
    if "%" in work:
        work = decode_percent(work)
    if not work.isascii():
        work = normalize_text(work)
    found: dict[str, None] = {}
    for count, match in enumerate(hosts._HOST_TOKEN.finditer(work)):  # pyright: ignore[reportPrivateUsage]
        if count >= 4096:
            break
        hit = hosts._token_endpoint_uncached(match.group())  # pyright: ignore[reportPrivateUsage]
        if hit is not None:
            found[hit] = None
    return tuple(found)


_PIECES = st.sampled_from(
    [
        "169.254.169.254", "0xa9fea9fe", "2852039166", "0251.0376.0251.0376", "[fd00:ec2::254]",
        "metadata.google.internal", "METADATA", "instance-data", "a9fea9fe.nip.io",
        "169-254-169-254.sslip.io", "100.100.100.200", "-20", "8080", "fe80::1", "::ffff:a9fe:a9fe",
        "curl", " ", "/", ":", ".", "-", "_", "%", "@", "'", "http://", "x", "dead", "beef",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_prefilter_gives_the_same_hosts_as_checking_every_token(text: str) -> None:
    assert find_metadata_hosts(text) == _reference(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789abcdefxABCDEFX.:[]%-_ gmtaInsp/@", max_size=60))
def test_prefilter_agrees_on_arbitrary_host_like_text(text: str) -> None:
    assert find_metadata_hosts(text) == _reference(text)


def test_known_spellings_are_still_found() -> None:
    assert find_metadata_hosts("curl http://169.254.169.254/latest/") == ("169.254.169.254",)
    assert find_metadata_hosts("curl http://0xa9fea9fe/x")
    assert find_metadata_hosts("wget metadata.google.internal/computeMetadata")
    assert find_metadata_hosts("head -20 src/main.py | sort") == ()
