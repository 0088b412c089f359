"""Provider credentials and the hosts they belong to (`crustcore_nano.policy.tokenhosts`)."""

from __future__ import annotations

import pytest
from crustcore_nano.policy.tokenhosts import foreign_hosts, provider_of, variable_names
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("GITHUB_TOKEN", "GitHub"),
        ("GH_TOKEN", "GitHub"),
        ("github_pat", "GitHub"),
        ("ANTHROPIC_API_KEY", "Anthropic"),
        ("SLACK_BOT_TOKEN", "Slack"),
        ("HF_TOKEN", "Hugging Face"),
        ("NPM_TOKEN", "npm"),
    ],
)
def test_provider_named_by_first_word(name: str, provider: str) -> None:
    found = provider_of(name)
    assert found is not None and found.name == provider


@pytest.mark.parametrize(
    "name",
    ["API_TOKEN", "MY_SERVICE_KEY", "TOKEN", "GITHUB", "GH_ENTERPRISE_TOKEN", "GITLAB_SELF_TOKEN"],
)
def test_generic_and_self_hosted_names_have_no_provider(name: str) -> None:
    assert provider_of(name) is None


def test_the_providers_own_hosts_and_local_hosts_are_not_foreign() -> None:
    github = provider_of("GITHUB_TOKEN")
    assert github is not None
    own = ("api.github.com", "github.com", "raw.githubusercontent.com", "GHCR.IO.")
    local = ("localhost", "proxy", "127.0.0.1", "10.1.2.3", "[::1]", "gw.internal", "a.local")
    assert foreign_hosts(github, own + local) == ()


def test_public_hosts_outside_the_provider_are_foreign() -> None:
    github = provider_of("GH_TOKEN")
    assert github is not None
    hosts = ("collect.example.net", "github.com.evil.example", "evilgithub.com", "8.8.8.8")
    assert foreign_hosts(github, hosts) == hosts


def test_variable_names_finds_both_spellings_once() -> None:
    text = 'curl -H "Authorization: Bearer ${GITHUB_TOKEN}" -u "$U:$GH_TOKEN" $GITHUB_TOKEN $1 $'
    assert variable_names(text) == ("GITHUB_TOKEN", "U", "GH_TOKEN")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("$ {}AZaz09_-"), max_size=400))
def test_variable_names_are_names_that_occur_in_the_text(text: str) -> None:
    for name in variable_names(text):
        assert name and len(name) <= 128 and not name[0].isdigit()
        assert f"${name}" in text or f"${{{name}" in text
