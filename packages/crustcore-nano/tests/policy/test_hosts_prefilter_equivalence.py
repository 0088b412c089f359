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


def _token_without_shortcuts(token: str) -> str | None:
    """`_token_endpoint_uncached` as it was before the decimal-number shortcut."""
    token = token.strip(".-:_")
    if not token or not any(c.isalnum() for c in token):
        return None
    if "." not in token and ":" not in token and hosts.parse_ipv4_loose(token) is None:
        return None
    return hosts.metadata_endpoint(token)


_LINK_LOCAL_FIRST = 169 << 24 | 254 << 16
_EDGES = [0, 1, _LINK_LOCAL_FIRST - 1, _LINK_LOCAL_FIRST, _LINK_LOCAL_FIRST + 0xFFFF]
_EDGES += [_LINK_LOCAL_FIRST + 0x10000, 2**32 - 1, 2**32, 10**10 - 1, 10**10, 10**12]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.integers(0, 2**34),
        st.integers(_LINK_LOCAL_FIRST - 300, _LINK_LOCAL_FIRST + 0x10000 + 300),
        st.sampled_from(_EDGES),
        st.sampled_from([1684300999, 3221225664, 2839314704, 2852039166, 2852039682]),
    ),
    st.sampled_from(["", "0", "-", "."]),
)
def test_a_decimal_number_names_an_endpoint_only_by_its_value(value: int, affix: str) -> None:
    """The shortcut for one decimal number (`HEAD~12`, `head -20`) answers as the full test:
    the address of that value, for the link-local range and the endpoints' own values."""
    for token in (str(value), affix + str(value), str(value) + affix):
        got = hosts._token_endpoint_uncached(token)  # pyright: ignore[reportPrivateUsage]
        assert got == _token_without_shortcuts(token), token


def test_known_decimal_spellings_are_still_found() -> None:
    assert find_metadata_hosts("curl http://2852039166/latest") == ("169.254.169.254",)
    assert find_metadata_hosts("git diff HEAD~2852039166") == ("169.254.169.254",)
    assert find_metadata_hosts("git diff --stat HEAD~12345") == ()


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.sampled_from(["nip.", ".xip.", "a9fe", "169.254."]), max_size=8))
def test_one_search_for_the_name_hints_finds_what_each_search_finds(parts: list[str]) -> None:
    text = "".join(parts).lower()
    each = any(hint in text for hint in hosts._NAME_HINTS)  # pyright: ignore[reportPrivateUsage]
    assert (hosts._HINTED(text) is not None) == each  # pyright: ignore[reportPrivateUsage]


def test_every_reference_to_an_endpoint_variable_holds_a_dollar_or_env() -> None:
    """`find_metadata_hosts` looks for endpoint variables only in text holding `$` or `env`
    (any case): each way of reading a variable the search knows must hold one of them."""
    forms = (*hosts._SHELL_REFERENCES, *hosts._CODE_REFERENCES)  # pyright: ignore[reportPrivateUsage]
    for form in forms:
        assert "$" in form or "env" in form.lower(), form
    assert find_metadata_hosts('os.environ["ECS_CONTAINER_METADATA_URI"]')
    assert find_metadata_hosts("curl $ECS_CONTAINER_METADATA_URI_V4/task")
