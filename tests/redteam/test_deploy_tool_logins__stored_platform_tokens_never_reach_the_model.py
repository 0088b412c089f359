"""Threat: the deploy and developer-platform CLIs keep their logins in the home directory, in
files no builtin rule named: Vercel (`~/.vercel/`, `~/.local/share/com.vercel.cli/`),
Netlify, Cloudflare Wrangler, Supabase, Firebase (`configstore/firebase-tools.json`), Expo,
flyctl's newer `~/.config/flyctl/`, Snowflake connections, Helm repository and registry
logins, the ngrok, Stripe and Twilio CLIs, and sops' age private keys. `cat` of any of them
put a live token in the model's context and was allowed.

Invariant: these stores are read, written and moved only by their own tools, never by an
agent's file access (denied under the rule for their kind); the projects' own files of the
same tools (`.vercel/project.json`, `.wrangler/state/`, `wrangler.toml`) stay readable."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.types import Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("~/.vercel/auth.json", "builtin:cloud-credentials"),
        ("~/.local/share/com.vercel.cli/auth.json", "builtin:cloud-credentials"),
        ("~/.config/netlify/config.json", "builtin:cloud-credentials"),
        ("~/.netlify/config.json", "builtin:cloud-credentials"),
        ("~/.config/.wrangler/config/default.toml", "builtin:cloud-credentials"),
        ("~/.wrangler/config/default.toml", "builtin:cloud-credentials"),
        ("~/.supabase/access-token", "builtin:cloud-credentials"),
        ("~/.config/configstore/firebase-tools.json", "builtin:cloud-credentials"),
        ("~/.expo/state.json", "builtin:cloud-credentials"),
        ("~/.config/flyctl/config.yml", "builtin:cloud-credentials"),
        ("~/.snowflake/connections.toml", "builtin:cloud-credentials"),
        ("~/.config/helm/repositories.yaml", "builtin:package-manager-credentials"),
        ("~/.config/helm/registry/config.json", "builtin:package-manager-credentials"),
        ("~/.config/ngrok/ngrok.yml", "builtin:app-tokens"),
        ("~/.config/stripe/config.toml", "builtin:app-tokens"),
        ("~/.twilio-cli/config.json", "builtin:app-tokens"),
        ("~/.config/sops/age/keys.txt", "builtin:private-key-files"),
    ],
)
def test_a_platform_login_is_not_read(bash: BashVerdict, path: str, rule: str) -> None:
    assert bash(f"cat {path}") == (Verdict.DENY, rule)


@pytest.mark.parametrize(
    "command",
    [
        "cat .vercel/project.json",
        "ls .wrangler/state",
        "cat wrangler.toml netlify.toml firebase.json",
        "helm repo list",
        "sops -e -i secrets.yaml",
    ],
)
def test_project_files_of_those_tools_stay_readable(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")
