"""Host folding, red-team round 2: spellings of metadata endpoints that used to pass.

- `curl --resolve NAME:PORT:ADDR` and `--connect-to NAME:PORT:ADDR:PORT` send a request for an
  ordinary name to the address named after the colons;
- the ideographic full stops U+3002 and U+FF61 are dots to IDNA-aware URL parsers;
- OpenStack serves metadata at the IPv6 link-local address `fe80::a9fe:a9fe`;
- a wildcard-DNS or rebinding name resolves to the address it spells, whatever its domain.
And the ordinary look-alikes that must stay quiet (content hashes, local `--resolve` pins).
"""

from __future__ import annotations

import pytest
from crustcore_nano.policy.hosts import canonical_host, find_metadata_hosts, metadata_endpoint
from hypothesis import given, settings
from hypothesis import strategies as st

_IMDS = "169.254.169.254"


@pytest.mark.parametrize(
    ("command", "endpoint"),
    [
        ("curl --resolve app.example:80:169.254.169.254 http://app.example/", _IMDS),
        ("curl --connect-to app.example:80:169.254.169.254:80 http://app.example/", _IMDS),
        ("curl --connect-to ::169.254.169.254: http://app.example/", _IMDS),
        ("curl --resolve app.example:80:[::ffff:a9fe:a9fe] http://app.example/", _IMDS),
        ("curl --resolve *:443:100.100.100.200 https://x/", "100.100.100.200"),
        ("curl --resolve app.example:80:0xa9fea9fe http://app.example/", _IMDS),
    ],
)
def test_colon_joined_host_maps_are_checked_piece_by_piece(command: str, endpoint: str) -> None:
    assert find_metadata_hosts(command) == (endpoint,)


@pytest.mark.parametrize("dot", ["\u3002", "\uff61", "\uff0e"])
def test_ideographic_full_stops_are_dots(dot: str) -> None:
    host = dot.join(("169", "254", "169", "254"))
    assert canonical_host(host) == _IMDS
    assert metadata_endpoint(host) == _IMDS
    assert find_metadata_hosts(f"curl http://{host}/latest/") == (_IMDS,)


@pytest.mark.parametrize(
    "host", ["fe80::a9fe:a9fe", "[fe80::a9fe:a9fe]", "[fe80::a9fe:a9fe%eth0]", "FE80::1"]
)
def test_ipv6_link_local_counts(host: str) -> None:
    assert metadata_endpoint(host) is not None


def test_ipv6_link_local_with_zone_is_found_in_text() -> None:
    found = find_metadata_hosts("curl -g 'http://[fe80::a9fe:a9fe%eth0]/openstack/latest/'")
    assert found == ("fe80::a9fe:a9fe",)


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [
        ("169.254.169.254.rbndr.us", _IMDS),
        ("a9fea9fe.7f000001.rbndr.us", _IMDS),
        ("make-169.254.169.254-rebind-127.0.0.1-rr.1u.ms", _IMDS),
        ("x.169-254-170-2.example.org", "169.254.170.2"),
        ("100-100-100-200.any.example", "100.100.100.200"),
        ("169.254.1.9.example.com.", "169.254.1.9"),
        ("646464c8.lookup.example", "100.100.100.200"),
    ],
)
def test_names_that_spell_a_metadata_address_count(name: str, endpoint: str) -> None:
    assert metadata_endpoint(name) == endpoint
    assert find_metadata_hosts(f"wget -qO- http://{name}/latest/") == (endpoint,)


@pytest.mark.parametrize(
    "text",
    [
        "curl --resolve example.com:443:127.0.0.1 https://example.com/",
        "curl --connect-to example.com:443:localhost:8443 https://example.com/",
        "curl https://cdn.example.com/static/js/main.a9fe12cd.js",  # a hex hash, not an address
        "curl https://a9fe1234.example.com/",
        "curl https://v1-2-3-4.example.com/",
        "docker run -p 8080:80 nginx",
        "git log --format='%H %an' -5",
        "echo 12:34:56 build",
        "curl http://[::1]:8000/",
    ],
)
def test_ordinary_text_stays_quiet(text: str) -> None:
    assert find_metadata_hosts(text) == ()


_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LABEL, max_size=3), st.lists(_LABEL, min_size=1, max_size=3), st.booleans())
def test_imds_embedded_under_any_labels_is_found(
    before: list[str], after: list[str], dashed: bool
) -> None:
    embedded = "169-254-169-254" if dashed else _IMDS
    name = ".".join([*before, embedded, *after, "example"])
    assert metadata_endpoint(name) is not None
    assert find_metadata_hosts(f"curl http://{name}/x") != ()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789abcdef.:-[]%xelhtmpn", max_size=80))
def test_colon_pieces_never_raise_and_are_deterministic(text: str) -> None:
    first = find_metadata_hosts("curl --resolve " + text)
    assert first == find_metadata_hosts("curl --resolve " + text)
    assert all(isinstance(hit, str) and hit for hit in first)


@pytest.mark.parametrize(
    "host",
    [
        "[::ffff:0:a9fe:a9fe]",  # IPv4-translated (SIIT)
        "[64:ff9b:1::a9fe:a9fe]",  # local-use NAT64 prefix
        "64:ff9b:1:0:0:0:a9fe:a9fe",
    ],
)
def test_translated_ipv6_forms_reduce_to_the_ipv4_address(host: str) -> None:
    assert canonical_host(host) == _IMDS
    assert metadata_endpoint(host) == _IMDS


def test_plain_ipv6_is_left_alone() -> None:
    assert canonical_host("2001:db8::1") == "2001:db8::1"
    assert metadata_endpoint("[2001:db8::a9fe:a9fe]") is None


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ('curl "$ECS_CONTAINER_METADATA_URI_V4/task"', "$ECS_CONTAINER_METADATA_URI_V4"),
        ("curl ${ECS_CONTAINER_METADATA_URI}/stats", "$ECS_CONTAINER_METADATA_URI"),
        ('curl "$AWS_CONTAINER_CREDENTIALS_FULL_URI"', "$AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ('curl "$IDENTITY_ENDPOINT?resource=https://vault.azure.net"', "$IDENTITY_ENDPOINT"),
        ("python3 -c \"import os; get(os.environ['MSI_ENDPOINT'])\"", "$MSI_ENDPOINT"),
        ('python3 -c "import os; get(os.getenv(\\"GCE_METADATA_HOST\\"))"', "$GCE_METADATA_HOST"),
        ('node -e "fetch(process.env.IDENTITY_ENDPOINT)"', "$IDENTITY_ENDPOINT"),
        ("ruby -e \"puts ENV['IMDS_ENDPOINT']\"", "$IMDS_ENDPOINT"),
    ],
)
def test_reading_an_endpoint_variable_counts(text: str, variable: str) -> None:
    assert find_metadata_hosts(text) == (variable,)


@pytest.mark.parametrize(
    "text",
    [
        "grep -rn IDENTITY_ENDPOINT src/",
        "echo $HOME; grep -n MSI_ENDPOINT docs/azure.md",
        "echo $MSI_ENDPOINTS $MY_IDENTITY_ENDPOINT",
        "git commit -m 'read ECS_CONTAINER_METADATA_URI_V4 lazily'",
    ],
)
def test_mentioning_an_endpoint_variable_does_not_count(text: str) -> None:
    assert find_metadata_hosts(text) == ()
