"""The registry of credential detectors, one entry per credential type.

Every pattern here was written from the public shape of each format (prefix, alphabet, length,
internal separators). All repetitions have explicit upper bounds and no quantified group contains
another quantifier over an overlapping class, so each match attempt is linear in its window.
Descriptions name the format, never an example value.
"""

from __future__ import annotations

import re
import string

from crustcore_nano.dlp import checks, cmdline, config_files, kubernetes, option_files
from crustcore_nano.dlp.finding import Confidence
from crustcore_nano.dlp.model import Category, Check, Detector

_HIGH, _MEDIUM, _LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
_L = r"(?<![A-Za-z0-9])"  # left boundary for prefixed tokens
_R = r"(?![A-Za-z0-9_\-])"  # right boundary for bodies over [A-Za-z0-9_-]
_R_ALNUM = r"(?![A-Za-z0-9])"

_registry: list[Detector] = []
_ALNUM = string.ascii_letters + string.digits
_HEXL = "0123456789abcdef"
_SCHEME_CHARS = _ALNUM + "+.-"


def _add(
    name: str,
    category: Category,
    description: str,
    anchors: tuple[str, ...],
    pattern: str,
    *,
    check: Check = checks.structured,
    confidence: Confidence = _MEDIUM,
    back: int = 0,
    span: int = 512,
    priority: int = 50,
    anchor_guard: str = "",
    back_chars: str = "",
) -> None:
    _registry.append(
        Detector(
            name=name,
            category=category,
            description=description,
            anchors=anchors,
            pattern=re.compile(pattern),
            check=check,
            confidence=confidence,
            back=back,
            span=span,
            priority=priority,
            anchor_guard=anchor_guard,
            back_chars=back_chars,
        )
    )


def _prefixed(
    name: str,
    category: Category,
    description: str,
    prefixes: tuple[str, ...],
    body: str,
    *,
    right: str = _R,
    check: Check = checks.structured,
    confidence: Confidence = _MEDIUM,
    priority: int = 50,
) -> None:
    """A token that starts with one of `prefixes` (also its anchors) followed by `body`."""
    alternation = "|".join(re.escape(p) for p in prefixes)
    _add(
        name,
        category,
        description,
        prefixes,
        rf"{_L}(?P<secret>(?:{alternation}){body}){right}",
        check=check,
        confidence=confidence,
        priority=priority,
    )


def _context(
    name: str,
    category: Category,
    description: str,
    keywords: tuple[str, ...],
    value: str,
    *,
    confidence: Confidence = _MEDIUM,
) -> None:
    """A prefix-less value recognised because a provider-specific name is assigned to it."""
    alternation = "|".join(re.escape(k) for k in keywords)
    _add(
        name,
        category,
        description,
        keywords,
        rf"(?:{alternation})[A-Za-z0-9_]{{0,24}}[\"']?[ \t]{{0,8}}(?:=>|:=|=|:)[ \t]{{0,8}}"
        rf"[\"']?(?P<secret>{value})(?![A-Za-z0-9_\-+/])",
        check=checks.context_value,
        confidence=confidence,
    )


# --- VCS ------------------------------------------------------------------------------------
_B62 = "[A-Za-z0-9]"
for _prefix, _kind in (
    ("ghp_", "personal access token (classic)"),
    ("gho_", "OAuth access token"),
    ("ghu_", "GitHub App user-to-server token"),
    ("ghs_", "GitHub App installation (server-to-server) token"),
    ("ghr_", "GitHub App refresh token"),
):
    _add(
        {
            "ghp_": "github-pat",
            "gho_": "github-oauth-token",
            "ghu_": "github-user-to-server-token",
            "ghs_": "github-server-to-server-token",
            "ghr_": "github-refresh-token",
        }[_prefix],
        Category.VCS,
        f"GitHub {_kind}: `{_prefix}` + base62 body whose last 6 characters are a base62 CRC32.",
        (_prefix,),
        rf"{_L}(?P<secret>{_prefix}(?P<body>{_B62}{{36,251}})){_R_ALNUM}",
        check=checks.crc32_token,
        priority=60,
    )
_prefixed(
    "github-fine-grained-pat",
    Category.VCS,
    "GitHub fine-grained personal access token: `github_pat_` + 22 + `_` + 59 base62.",
    ("github_pat_",),
    r"[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
    confidence=_HIGH,
)
_prefixed(
    "gitlab-pat",
    Category.VCS,
    "GitLab access token: personal/project/group (`glpat-`) and the other `gl…-` kinds that act "
    "for a user or project (CI job `glcbt-`, feed `glft-`, incoming mail `glimt-`, agent "
    "`glagent-`, SCIM `glsoat-`, feature-flag client `glffct-`).",
    ("glpat-", "glcbt-", "glft-", "glimt-", "glagent-", "glsoat-", "glffct-"),
    r"[A-Za-z0-9_\-.]{20,80}",
    confidence=_HIGH,
)
_prefixed(
    "gitlab-deploy-token",
    Category.VCS,
    "GitLab deploy token (`gldt-`).",
    ("gldt-",),
    r"[A-Za-z0-9_\-.]{20,80}",
    confidence=_HIGH,
)
_prefixed(
    "gitlab-runner-token",
    Category.VCS,
    "GitLab runner authentication or registration token (`glrt-`, `GR1348941`).",
    ("glrt-", "GR1348941"),
    r"[A-Za-z0-9_\-.]{20,80}",
    confidence=_HIGH,
)
_prefixed(
    "gitlab-pipeline-trigger-token",
    Category.VCS,
    "GitLab pipeline trigger token (`glptt-`).",
    ("glptt-",),
    r"[A-Za-z0-9_\-.]{20,80}",
    confidence=_HIGH,
)
_prefixed(
    "gitlab-oauth-secret",
    Category.VCS,
    "GitLab OAuth application secret (`gloas-`).",
    ("gloas-",),
    r"[A-Za-z0-9_\-.]{40,80}",
    confidence=_HIGH,
)
_prefixed(
    "bitbucket-app-password",
    Category.VCS,
    "Atlassian Bitbucket app password / access token (`ATBB`, `ATCTT`).",
    ("ATBB", "ATCTT"),
    r"[A-Za-z0-9_\-=]{28,220}",
)
_prefixed(
    "atlassian-api-token",
    Category.SAAS,
    "Atlassian (Jira/Confluence) API token (`ATATT` + long base64url + checksum-like tail).",
    ("ATATT",),
    r"[A-Za-z0-9_\-=]{100,300}",
)

# --- Cloud ----------------------------------------------------------------------------------
_add(
    "aws-access-key-id",
    Category.CLOUD,
    "AWS access key id (`AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 base32); documentation ids are test keys.",
    ("AKIA", "ASIA", "ABIA", "ACCA"),
    r"(?<![A-Za-z0-9])(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])",
)
_add(
    "aws-secret-access-key",
    Category.CLOUD,
    "AWS secret access key (40 base64 characters) assigned to a `secret access key` name.",
    ("secret_access_key", "SECRET_ACCESS_KEY", "ecretAccessKey", "ecret_Access_Key"),
    r"(?:secret_access_key|SECRET_ACCESS_KEY|ecretAccessKey|ecret_Access_Key)[\"']?[ \t]{0,8}"
    r"(?:=>|:=|=|:)[ \t]{0,8}[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    check=checks.context_value,
)
_add(
    "gcp-service-account-key",
    Category.CLOUD,
    "Google Cloud service-account JSON `private_key` field holding a PEM private key.",
    ('"private_key"',),
    r"\"private_key\"[ \t]{0,8}:[ \t]{0,8}\"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----"
    r"(?:\\n|[A-Za-z0-9+/=]){40,16384}+-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)\"",
    check=checks.near(("private_key",), strong_if=("service_account",)),
    span=20000,
    priority=80,
)
_prefixed(
    "google-api-key",
    Category.CLOUD,
    "Google API key (`AIza` + 35), also used by Gemini / Google AI Studio and Firebase.",
    ("AIza",),
    r"[A-Za-z0-9_\-]{35}",
)
_prefixed(
    "google-oauth-client-secret",
    Category.CLOUD,
    "Google OAuth client secret (`GOCSPX-` + 28).",
    ("GOCSPX-",),
    r"[A-Za-z0-9_\-]{28}",
    confidence=_HIGH,
)
_prefixed(
    "google-oauth-access-token",
    Category.CLOUD,
    "Google OAuth 2.0 access token (`ya29.`).",
    ("ya29.",),
    r"[A-Za-z0-9_\-.]{30,8192}",
)
_add(
    "azure-storage-account-key",
    Category.CLOUD,
    "Azure storage connection string `AccountKey=` with an 88-character base64 key.",
    ("AccountKey=",),
    r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])",
    check=checks.azure_account_key,
)
_add(
    "azure-sas-token",
    Category.CLOUD,
    "Azure shared access signature: a `sig=` signature next to a `sv=` service version.",
    ("&sig=", "?sig="),
    r"[?&]sig=(?P<secret>[A-Za-z0-9%+/]{30,128}(?:%3[Dd]|=){0,2})(?![A-Za-z0-9%+/=])",
    # Storage SAS carries `sv=`; Service Bus / Event Hubs SAS (`SharedAccessSignature sr=…&sig=
    # …&se=…&skn=…`) names its policy with `skn=` instead.
    check=checks.near(("sv=", "skn=", "SharedAccessSignature")),
)
_add(
    "azure-shared-access-key",
    Category.CLOUD,
    "Azure Service Bus / Event Hubs / IoT Hub `SharedAccessKey=` (base64 of a 32- or 64-byte "
    "key); HIGH inside a connection string naming its `Endpoint=` or `HostName=`.",
    ("SharedAccessKey=",),
    r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{42,86}={0,2})(?![A-Za-z0-9+/=])",
    check=checks.azure_shared_access_key,
)
_add(
    "azure-ad-client-secret",
    Category.CLOUD,
    "Microsoft Entra ID (Azure AD) client secret (3 chars + digit + `Q~` + 31-34).",
    ("Q~",),
    r"(?<![A-Za-z0-9_~.\-])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})"
    r"(?![A-Za-z0-9_~.\-])",
    check=checks.random_structured,
    back=4,
    back_chars=_ALNUM + "_~.",
)
_prefixed(
    "alibaba-access-key-id",
    Category.CLOUD,
    "Alibaba Cloud AccessKey id (`LTAI` + 12-20 alphanumerics).",
    ("LTAI",),
    r"[A-Za-z0-9]{12,20}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_context(
    "ibm-cloud-api-key",
    Category.CLOUD,
    "IBM Cloud API key (44 base64url characters) assigned to an IBM API-key name.",
    (
        "IBM_CLOUD_API_KEY",
        "IBMCLOUD_API_KEY",
        "ibm_cloud_api_key",
        "ibmcloud_api_key",
        "IC_API_KEY",
    ),
    r"[A-Za-z0-9_\-]{44}",
)
_prefixed(
    "digitalocean-token",
    Category.CLOUD,
    "DigitalOcean personal access, OAuth or refresh token (`do[por]_v1_` + 64 hex).",
    ("dop_v1_", "doo_v1_", "dor_v1_"),
    r"[a-f0-9]{64}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "heroku-api-key",
    Category.CLOUD,
    "Heroku platform API key (`HRKU-` + 60).",
    ("HRKU-",),
    r"[A-Za-z0-9_\-]{58,64}",
    confidence=_HIGH,
)
_context(
    "heroku-api-key-legacy",
    Category.CLOUD,
    "Legacy Heroku API key (a UUID) assigned to a Heroku API-key name.",
    ("HEROKU_API_KEY", "heroku_api_key", "HEROKU_API_TOKEN"),
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
)
_prefixed(
    "cloudflare-origin-ca-key",
    Category.CLOUD,
    "Cloudflare Origin CA key (`v1.0-` + 24 hex + `-` + 146 hex).",
    ("v1.0-",),
    r"[a-f0-9]{24}-[a-f0-9]{146}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "fly-io-token",
    Category.CLOUD,
    "Fly.io access token (`fo1_`, `fm1r_`, `fm2_`).",
    ("fo1_", "fm1r_", "fm2_"),
    r"[A-Za-z0-9_\-+/=]{40,700}",
)

# --- Package registries ---------------------------------------------------------------------
_add(
    "npm-access-token",
    Category.REGISTRY,
    "npm access token (`npm_` + 36 base62, CRC32 tail as in GitHub's format).",
    ("npm_",),
    rf"{_L}(?P<secret>npm_(?P<body>{_B62}{{36}})){_R_ALNUM}",
    check=checks.crc32_token,
)
_add(
    "pypi-api-token",
    Category.REGISTRY,
    "PyPI API token: `pypi-` + base64url macaroon whose location is pypi.org (or test.pypi.org).",
    ("pypi-",),
    rf"{_L}(?P<secret>pypi-(?P<body>[A-Za-z0-9_\-]{{50,1024}})){_R}",
    check=checks.pypi,
    span=1100,
)
_prefixed(
    "rubygems-api-key",
    Category.REGISTRY,
    "RubyGems API key (`rubygems_` + 48 hex).",
    ("rubygems_",),
    r"[a-f0-9]{48}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "nuget-api-key",
    Category.REGISTRY,
    "NuGet.org API key (`oy2` + 43 lowercase alphanumerics).",
    ("oy2",),
    r"[a-z0-9]{43}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "dockerhub-pat",
    Category.REGISTRY,
    "Docker Hub personal or organization access token (`dckr_pat_`, `dckr_oat_`).",
    ("dckr_pat_", "dckr_oat_"),
    r"[A-Za-z0-9_\-]{27,40}",
    confidence=_HIGH,
)
_prefixed(
    "crates-io-token",
    Category.REGISTRY,
    "crates.io API token (`cio` + 32 alphanumerics).",
    ("cio",),
    r"[A-Za-z0-9]{32}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "artifactory-api-key",
    Category.REGISTRY,
    "JFrog Artifactory API key (`AKCp` + 69) or reference token (`cmVmdGtu` + 56).",
    ("AKCp", "cmVmdGtu"),
    r"[A-Za-z0-9]{56,69}",
    right=_R_ALNUM,
)

# --- AI providers ---------------------------------------------------------------------------
_add(
    "openai-api-key",
    Category.AI,
    "OpenAI legacy user API key: `sk-` + 20 + the marker `T3BlbkFJ` + 20.",
    ("T3BlbkFJ",),
    r"(?<![A-Za-z0-9_\-])(?P<secret>sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9])",
    confidence=_HIGH,
    back=23,
    back_chars=_ALNUM + "-",
)
for _prefix, _oname, _kind in (
    ("sk-proj-", "openai-project-key", "project API key"),
    ("sk-admin-", "openai-admin-key", "admin API key"),
    ("sk-svcacct-", "openai-service-account-key", "service-account API key"),
):
    _prefixed(
        _oname,
        Category.AI,
        f"OpenAI {_kind} (`{_prefix}` + 40-250 base64url).",
        (_prefix,),
        r"[A-Za-z0-9_\-]{40,250}",
        check=checks.near((), strong_if=("T3BlbkFJ",)),
    )
_prefixed(
    "anthropic-api-key",
    Category.AI,
    "Anthropic API key (`sk-ant-api`), or OAuth access/refresh token (`sk-ant-oat`, "
    "`sk-ant-ort`, as Claude subscriptions issue): + 2 digits + `-` + 93 base64url + `AA`.",
    ("sk-ant-api", "sk-ant-oat", "sk-ant-ort"),
    r"[0-9]{2}-[A-Za-z0-9_\-]{80,100}AA",
    confidence=_HIGH,
)
_prefixed(
    "anthropic-admin-key",
    Category.AI,
    "Anthropic Admin API key (`sk-ant-admin` + 2 digits + `-` + 93 base64url + `AA`).",
    ("sk-ant-admin",),
    r"[0-9]{2}-[A-Za-z0-9_\-]{80,100}AA",
    confidence=_HIGH,
)
_prefixed(
    "openrouter-api-key",
    Category.AI,
    "OpenRouter API key (`sk-or-v1-` + 64 hex).",
    ("sk-or-v1-",),
    r"[a-f0-9]{64}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "huggingface-token",
    Category.AI,
    "Hugging Face user access token (`hf_` + 34 letters) or org token (`api_org_`).",
    ("hf_", "api_org_"),
    r"[A-Za-z]{34}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "groq-api-key",
    Category.AI,
    "Groq API key (`gsk_` + 52 alphanumerics).",
    ("gsk_",),
    r"[A-Za-z0-9]{52}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "replicate-api-token",
    Category.AI,
    "Replicate API token (`r8_` + 37 alphanumerics).",
    ("r8_",),
    r"[A-Za-z0-9]{37}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "xai-api-key",
    Category.AI,
    "xAI (Grok) API key (`xai-` + 80 alphanumerics).",
    ("xai-",),
    r"[A-Za-z0-9]{80}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "perplexity-api-key",
    Category.AI,
    "Perplexity API key (`pplx-` + 48 alphanumerics).",
    ("pplx-",),
    r"[A-Za-z0-9]{48}",
    right=_R_ALNUM,
)
_context(
    "cohere-api-key",
    Category.AI,
    "Cohere (or other prefix-less 40-character) AI API key assigned to a provider key name.",
    ("COHERE_API_KEY", "CO_API_KEY", "cohere_api_key", "MISTRAL_API_KEY", "mistral_api_key"),
    r"[A-Za-z0-9]{32,40}",
)
_prefixed(
    "langsmith-api-key",
    Category.AI,
    "LangSmith API key (`lsv2_pt_`/`lsv2_sk_` + 32 hex + `_` + 10 hex).",
    ("lsv2_pt_", "lsv2_sk_"),
    r"[a-f0-9]{32}_[a-f0-9]{10}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "pinecone-api-key",
    Category.AI,
    "Pinecone API key (`pcsk_`).",
    ("pcsk_",),
    r"[A-Za-z0-9_]{40,100}",
)

# --- Chat -----------------------------------------------------------------------------------
_prefixed(
    "slack-bot-token",
    Category.CHAT,
    "Slack bot token (`xoxb-` + numeric ids + secret).",
    ("xoxb-",),
    r"[0-9]{8,14}-[0-9]{8,14}-[A-Za-z0-9]{20,40}",
    confidence=_HIGH,
)
_prefixed(
    "slack-user-token",
    Category.CHAT,
    "Slack user, workspace or legacy token (`xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-`).",
    ("xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xoxe.xoxp-"),
    r"[0-9]{1,14}-[A-Za-z0-9\-]{20,200}",
    confidence=_HIGH,
)
_prefixed(
    "slack-app-token",
    Category.CHAT,
    "Slack app-level token (`xapp-` + version + ids + 64 hex).",
    ("xapp-",),
    r"[0-9]-[A-Z0-9]{8,12}-[0-9]{10,14}-[a-f0-9]{64}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_add(
    "slack-webhook-url",
    Category.CHAT,
    "Slack incoming webhook URL (`hooks.slack.com/services/T…/B…/…`).",
    ("hooks.slack.com/",),
    r"(?P<secret>hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/"
    r"[A-Z0-9]{6,14}/[A-Za-z0-9/]{16,64})(?![A-Za-z0-9])",
    confidence=_HIGH,
)
_add(
    "discord-bot-token",
    Category.CHAT,
    "Discord bot token: base64 snowflake id `.` timestamp `.` HMAC (the id is decoded).",
    ("MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT"),
    r"(?<![A-Za-z0-9_\-.])(?P<secret>(?P<uid>[MNO][A-Za-z0-9]{22,26})\.[A-Za-z0-9_\-]{6}"
    r"\.[A-Za-z0-9_\-]{27,38})(?![A-Za-z0-9_\-])",
    check=checks.discord_bot,
    confidence=_HIGH,
    anchor_guard=r"[A-Za-z0-9]{20,24}\.[A-Za-z0-9_\-]{6}\.",
)
_add(
    "discord-webhook-url",
    Category.CHAT,
    "Discord webhook URL (`/api/webhooks/<id>/<token>` on discord.com or discordapp.com, also "
    "the `ptb.` and `canary.` client hosts, which accept the same webhooks).",
    ("/api/webhooks/",),
    r"(?P<secret>(?:(?:ptb|canary)\.)?(?:discord|discordapp)\.com/api/webhooks/[0-9]{17,20}/"
    r"[A-Za-z0-9_\-]{60,68})(?![A-Za-z0-9_\-])",
    confidence=_HIGH,
    back=24,
    back_chars=string.ascii_lowercase + ".",
)
_add(
    "telegram-bot-token",
    Category.CHAT,
    "Telegram bot token (numeric bot id `:AA` + 33 base64url).",
    (":AA",),
    r"(?<![0-9A-Za-z])(?P<secret>[0-9]{8,10}:AA[A-Za-z0-9_\-]{33})(?![A-Za-z0-9_\-])",
    back=10,
    back_chars=string.digits,
)
_add(
    "twilio-api-key",
    Category.CHAT,
    "Twilio API key SID (`SK` + 32 hex), the public half of a key pair used with its secret.",
    ("SK",),
    r"(?<![A-Za-z0-9])(?P<secret>SK[0-9a-f]{32})(?![A-Za-z0-9])",
    check=checks.random_structured,
)
_context(
    "twilio-auth-token",
    Category.CHAT,
    "Twilio auth token (32 hex) assigned to a Twilio auth-token name.",
    ("TWILIO_AUTH_TOKEN", "twilio_auth_token", "TwilioAuthToken"),
    r"[a-f0-9]{32}",
)
_add(
    "teams-webhook-url",
    Category.CHAT,
    "Microsoft Teams incoming webhook URL (`webhook.office.com/webhookb2/…`).",
    ("webhook.office.com/webhookb2/",),
    r"(?P<secret>[A-Za-z0-9\-]{1,64}\.webhook\.office\.com/webhookb2/[A-Za-z0-9@\-]{40,120}"
    r"/IncomingWebhook/[a-f0-9]{32}/[A-Za-z0-9\-]{36})",
    confidence=_HIGH,
    back=70,
    back_chars=_ALNUM + "-.",
)

# --- Payment --------------------------------------------------------------------------------
_add(
    "stripe-secret-key",
    Category.PAYMENT,
    "Stripe secret key (`sk_live_`); `sk_test_` keys are reported as LOW test keys.",
    ("sk_live_", "sk_test_"),
    rf"{_L}(?P<secret>sk_(?P<mode>live|test)_[A-Za-z0-9]{{20,247}}){_R_ALNUM}",
    check=checks.stripe,
    confidence=_HIGH,
)
_add(
    "stripe-restricted-key",
    Category.PAYMENT,
    "Stripe restricted key (`rk_live_`); `rk_test_` keys are reported as LOW test keys.",
    ("rk_live_", "rk_test_"),
    rf"{_L}(?P<secret>rk_(?P<mode>live|test)_[A-Za-z0-9]{{20,247}}){_R_ALNUM}",
    check=checks.stripe,
    confidence=_HIGH,
)
_prefixed(
    "stripe-webhook-secret",
    Category.PAYMENT,
    "Stripe webhook signing secret (`whsec_`).",
    ("whsec_",),
    r"[A-Za-z0-9+/=]{32,88}",
    right=_R_ALNUM,
)
_prefixed(
    "square-access-token",
    Category.PAYMENT,
    "Square access token (`EAAA` + 60, or legacy `sq0atp-` + 22).",
    ("EAAA", "sq0atp-"),
    r"[A-Za-z0-9_\-]{22,60}",
    check=checks.random_structured,
)
_prefixed(
    "square-oauth-secret",
    Category.PAYMENT,
    "Square OAuth application secret (`sq0csp-` + 43).",
    ("sq0csp-",),
    r"[A-Za-z0-9_\-]{43}",
    confidence=_HIGH,
)
_add(
    "paypal-braintree-access-token",
    Category.PAYMENT,
    "PayPal Braintree access token (`access_token$<env>$<merchant>$<32 hex>`); sandbox is test.",
    ("access_token$",),
    r"(?P<secret>access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32})"
    r"(?![A-Za-z0-9])",
    check=checks.test_marked("$sandbox$"),
    confidence=_HIGH,
)
_prefixed(
    "shopify-access-token",
    Category.PAYMENT,
    "Shopify Admin API access token (`shpat_`, `shpca_`, `shppa_` + 32 hex).",
    ("shpat_", "shpca_", "shppa_"),
    r"[a-fA-F0-9]{32}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "shopify-shared-secret",
    Category.PAYMENT,
    "Shopify app shared secret (`shpss_` + 32 hex).",
    ("shpss_",),
    r"[a-fA-F0-9]{32}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "flutterwave-secret-key",
    Category.PAYMENT,
    "Flutterwave secret key (`FLWSECK-` + 32 hex + `-X`); `FLWSECK_TEST-` keys are test keys.",
    ("FLWSECK-", "FLWSECK_TEST-"),
    r"[a-fA-F0-9]{32}-X",
    right=_R_ALNUM,
    check=checks.test_marked("_TEST-"),
)
_prefixed(
    "shippo-api-token",
    Category.PAYMENT,
    "Shippo API token (`shippo_live_` + 40 hex); `shippo_test_` tokens are test keys.",
    ("shippo_live_", "shippo_test_"),
    r"[a-f0-9]{40}",
    right=_R_ALNUM,
    check=checks.test_marked("_test_"),
)

# --- Private keys ---------------------------------------------------------------------------
for _kind, _pname in (
    ("RSA ", "private-key-rsa"),
    ("EC ", "private-key-ec"),
    ("DSA ", "private-key-dsa"),
    ("OPENSSH ", "private-key-openssh"),
    ("", "private-key-pkcs8"),
    ("ENCRYPTED ", "private-key-encrypted"),
    ("PGP ", "private-key-pgp"),
):
    _suffix = "PRIVATE KEY BLOCK" if _kind == "PGP " else "PRIVATE KEY"
    _header = f"-----BEGIN {_kind}{_suffix}-----"
    _add(
        _pname,
        Category.PRIVATE_KEY,
        f"`{_header}` block with a base64 body (with or without its END line).",
        (_header,),
        re.escape(_header),
        check=checks.pem_block(f"-----END {_kind}{_suffix}-----"),
        span=len(_header),
        priority=70,
    )
_add(
    "private-key-putty",
    Category.PRIVATE_KEY,
    "PuTTY private key file (`PuTTY-User-Key-File-N:` with a `Private-Lines:` body).",
    ("PuTTY-User-Key-File-",),
    r"PuTTY-User-Key-File-[23]:",
    check=checks.putty_key,
    priority=70,
)
_add(
    "age-secret-key",
    Category.CRYPTO,
    "age encryption secret key (`AGE-SECRET-KEY-1` + bech32, checksum validated).",
    ("AGE-SECRET-KEY-1",),
    r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})(?![A-Za-z0-9])",
    check=checks.bech32_key,
)
_add(
    "bip32-extended-private-key",
    Category.CRYPTO,
    "BIP-32 extended private key (`xprv`/`yprv`/`zprv`/`tprv`, base58check validated).",
    ("xprv", "yprv", "zprv", "tprv"),
    r"(?<![A-Za-z0-9])(?P<secret>[xyzt]prv[1-9A-HJ-NP-Za-km-z]{100,112})(?![A-Za-z0-9])",
    check=checks.base58check_key,
)

# --- Token formats --------------------------------------------------------------------------
_add(
    "jwt",
    Category.TOKEN_FORMAT,
    "JSON Web Token: base64url JSON header with an `alg`, a payload and a signature part.",
    ("eyJ",),
    r"(?<![A-Za-z0-9_\-])(?P<secret>(?P<header>eyJ[A-Za-z0-9_\-]{5,2048})\."
    r"(?P<payload>[A-Za-z0-9_\-]{2,16384})\.[A-Za-z0-9_\-]{0,2048})(?![A-Za-z0-9_\-.])",
    check=checks.jwt,
    span=20500,
    priority=40,
)

# --- Connection strings ---------------------------------------------------------------------
_USERINFO = (
    r"(?P<user>[^\s:@/?#\"'<>\\`]{0,128}):(?P<secret>[^\s@/?#\"'<>\\`]{1,256}+)"
    r"@(?P<host>[A-Za-z0-9.\-_~%\[\]:]{1,255})"
)
for _schemes, _cname in (
    (("postgresql", "postgres"), "postgres-connection-string"),
    (("mysql", "mariadb", "mysqlx"), "mysql-connection-string"),
    (("mongodb+srv", "mongodb"), "mongodb-connection-string"),
    (("rediss", "redis"), "redis-connection-string"),
    (("amqps", "amqp"), "amqp-connection-string"),
    (("mssql", "sqlserver"), "mssql-connection-string"),
):
    _alt = "|".join(re.escape(s) for s in _schemes)
    _add(
        _cname,
        Category.CONNECTION_STRING,
        f"{_schemes[0]} URL with a password in its userinfo (`scheme://user:password@host`).",
        ("://",),
        rf"(?<![A-Za-z0-9+.\-])(?:{_alt})://{_USERINFO}",
        check=checks.url_password,
        back=16,
        back_chars=_SCHEME_CHARS,
        priority=45,
    )
_add(
    "url-with-password",
    Category.CONNECTION_STRING,
    "Any other URL with a password in its userinfo (`scheme://user:password@host`).",
    ("://",),
    rf"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{{1,30}}://{_USERINFO}",
    check=checks.url_password,
    back=32,
    back_chars=_SCHEME_CHARS,
    priority=30,
)

# --- Passwords on command lines, in client environments and client config files ---------------
_add(
    "command-line-basic-auth",
    Category.CONNECTION_STRING,
    "`user:password`, a password or a token given to an HTTP client on its command line (`curl "
    "-u`/`--user`/`--proxy-user`/`--oauth2-bearer`, `wget --password=`/`--http-password=`, "
    "httpie/xh `-a`, ab `-A`), also as a JSON argv array, a list in code (`['curl', '-u', "
    "'user:pass']`) or a command inside a JSON string; "
    "only when that client is the program the option belongs to.",
    cmdline.anchors_for(cmdline.BASIC_AUTH_TOOLS),
    cmdline.option_pattern(cmdline.BASIC_AUTH_TOOLS),
    check=cmdline.option_check(cmdline.BASIC_AUTH_TOOLS),
    priority=35,
)
_add(
    "command-line-password",
    Category.CONNECTION_STRING,
    "A password given as an option value to a database, directory or login client (`mysql "
    "-pPASS`/`--password=`, `sshpass -p`, `redis-cli -a`, `mongosh -p`, `sqlcmd -P`, "
    "`ldapsearch -w`, `smbclient -U user%pass`, `docker login -p`), in the spelling that client "
    "reads as a password (`mysql -p db` prompts; `psql -p`, `ssh -p` are ports); also as a JSON "
    "argv array or a list in code (`[\"mysql\",\"-pPASS\"]`, `['sshpass', '-p', 'PASS']`, "
    "`spawn('mysql', [...])`), and in an MCP entry's `args` (JSON, TOML or YAML; its `command` "
    "before or after them).",
    cmdline.anchors_for(cmdline.PASSWORD_TOOLS),
    cmdline.option_pattern(cmdline.PASSWORD_TOOLS),
    check=cmdline.option_check(cmdline.PASSWORD_TOOLS),
    priority=35,
)
_add(
    "client-password-env",
    Category.CONNECTION_STRING,
    "A literal password in a client's own password variable (`PGPASSWORD`, `MYSQL_PWD`, "
    "`REDISCLI_AUTH`, `SSHPASS`), as `NAME=value` or `NAME: value`.",
    ("PGPASSWORD", "MYSQL_PWD", "REDISCLI_AUTH", "SSHPASS"),
    r"(?<![A-Za-z0-9_])(?:PGPASSWORD|MYSQL_PWD|REDISCLI_AUTH|SSHPASS)(?:=|[\"']?:[ \t]{1,8})"
    r"(?P<val>\"[^\"\n]{0,256}\"|'[^'\n]{0,256}'|[^\s\"'`;|&<>()]{1,256})",
    check=checks.env_password,
    priority=35,
)
_add(
    "npm-registry-auth",
    Category.REGISTRY,
    "npm `.npmrc` / Yarn `.yarnrc.yml` registry credentials: `_authToken=`, `npmAuthToken:` "
    "(opaque token), `_auth=`, `npmAuthIdent:` (base64 `user:password`, validated), "
    "`_password=` (base64 password).",
    ("_auth", "_password", "npmAuth"),
    r"(?<![^\s:\"'])(?P<key>_authToken|_auth|_password|npmAuthToken|npmAuthIdent)[\"']?"
    r"[ \t]{0,8}[=:][ \t]{0,8}"
    r"(?P<val>\"[^\"\n]{0,1024}\"|'[^'\n]{0,1024}'|[^\s\"'#;,]{1,1024})",
    check=checks.npm_auth,
    priority=25,
)
_add(
    "docker-config-auth",
    Category.REGISTRY,
    'Docker `config.json` registry credentials: `"auth"` (base64 of `user:password`, '
    "validated; for GCR/Artifact Registry `_json_key:` + a service-account key file, HIGH when "
    'it decodes to one), `"identitytoken"`, `"registrytoken"`.',
    # The colon keeps these anchors in the prefilter's `:` branch (no extra `str.find` pass).
    ('"auth":', '"identitytoken":', '"registrytoken":'),
    r"\"(?P<key>auth|identitytoken|registrytoken)\":[ \t]{0,8}"
    r"\"(?P<secret>[A-Za-z0-9+/=_\-.~]{4,16384})\"",
    check=checks.docker_config_auth,
    span=16500,
    priority=25,
)

_add(
    "netrc-password",
    Category.CONNECTION_STRING,
    "A password in a `.netrc` entry (`machine HOST login USER password PASS`, on one line or "
    "several); only in an entry that names a `login`.",
    config_files.NETRC_ANCHORS,
    config_files.NETRC_PATTERN,
    check=config_files.netrc_password,
    span=2048,
    priority=35,
)
_add(
    "connection-string-password",
    Category.CONNECTION_STRING,
    "A password in a key=value connection string: `Password=`/`Pwd=` in a `;`-separated list "
    "that names a server, user or database (ADO.NET, ODBC, JDBC SQL Server), or as a query "
    "parameter of a `jdbc:` or `scheme://` URL; and Oracle `jdbc:oracle:thin:USER/PASS@HOST`.",
    config_files.CONNECTION_ANCHORS,
    config_files.CONNECTION_PATTERN,
    check=config_files.connection_string_password,
    back=config_files.CONNECTION_BACK,
    back_chars=config_files.CONNECTION_BACK_CHARS,
    priority=35,
)
_add(
    "xml-password-element",
    Category.CONNECTION_STRING,
    "A literal password in an XML `<password>`/`<passphrase>` element (Maven `settings.xml`, "
    "NuGet, Jenkins); encrypted (`{…}`) and `${property}` values are not reported.",
    config_files.XML_ANCHORS,
    config_files.XML_PATTERN,
    check=config_files.xml_password,
    priority=35,
)

# --- SaaS -----------------------------------------------------------------------------------
_prefixed(
    "sendgrid-api-key",
    Category.SAAS,
    "SendGrid API key (`SG.` + 22 + `.` + 43).",
    ("SG.",),
    r"[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
    confidence=_HIGH,
)
_prefixed(
    "mailgun-api-key",
    Category.SAAS,
    "Mailgun private API key (`key-` + 32 hex).",
    ("key-",),
    r"[a-f0-9]{32}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_add(
    "mailchimp-api-key",
    Category.SAAS,
    "Mailchimp API key (32 hex + `-us` + datacenter number).",
    ("-us",),
    r"(?<![A-Za-z0-9])(?P<secret>[a-f0-9]{32}-us[0-9]{1,2})(?![A-Za-z0-9])",
    check=checks.random_structured,
    back=32,
    back_chars=_HEXL,
)
_prefixed(
    "brevo-api-key",
    Category.SAAS,
    "Brevo (Sendinblue) API key (`xkeysib-` + 64 hex + `-` + 16).",
    ("xkeysib-",),
    r"[a-f0-9]{64}-[A-Za-z0-9]{16}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_context(
    "postmark-server-token",
    Category.SAAS,
    "Postmark server/account token (a UUID) assigned to a Postmark token name or header.",
    ("POSTMARK_SERVER_TOKEN", "POSTMARK_API_TOKEN", "X-Postmark-Server-Token", "postmark_token"),
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
)
_context(
    "datadog-api-key",
    Category.SAAS,
    "Datadog API (32 hex) or application (40 hex) key assigned to a Datadog key name.",
    ("DD_API_KEY", "DD_APP_KEY", "DATADOG_API_KEY", "DATADOG_APP_KEY", "datadog_api_key"),
    r"[a-f0-9]{32}(?:[a-f0-9]{8})?",
)
_prefixed(
    "newrelic-user-api-key",
    Category.SAAS,
    "New Relic user API key (`NRAK-` + 27).",
    ("NRAK-",),
    r"[A-Z0-9]{27}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "newrelic-insert-key",
    Category.SAAS,
    "New Relic insights insert/query key (`NRII-`, `NRIQ-` + 32).",
    ("NRII-", "NRIQ-"),
    r"[A-Za-z0-9_\-]{32}",
)
_add(
    "newrelic-license-key",
    Category.SAAS,
    "New Relic ingest license key (36 hex + `NRAL`).",
    ("NRAL",),
    r"(?<![A-Za-z0-9])(?P<secret>[a-f0-9]{36}NRAL)(?![A-Za-z0-9])",
    check=checks.random_structured,
    back=36,
    back_chars=_HEXL,
)
_add(
    "sentry-dsn",
    Category.SAAS,
    "Sentry DSN with its key (`https://<32 hex>@…ingest…sentry.io/<project>`).",
    ("sentry.io/",),
    r"(?<![A-Za-z0-9])(?P<secret>https?://[a-f0-9]{32}(?::[a-f0-9]{32})?@[A-Za-z0-9.\-]{1,120}"
    r"sentry\.io/[0-9]{1,20})",
    back=220,
    back_chars=_ALNUM + ".:/@-",
    priority=55,
)
_prefixed(
    "sentry-auth-token",
    Category.SAAS,
    "Sentry organization (`sntrys_`) or user (`sntryu_` + 64 hex) auth token.",
    ("sntrys_", "sntryu_"),
    r"[A-Za-z0-9+/=_]{64,400}",
    confidence=_HIGH,
)
_prefixed(
    "vault-token",
    Category.SAAS,
    "HashiCorp Vault service, batch or recovery token (`hvs.`, `hvb.`, `hvr.`).",
    ("hvs.", "hvb.", "hvr."),
    r"[A-Za-z0-9_\-]{24,300}",
    check=checks.random_structured,
)
_add(
    "terraform-cloud-token",
    Category.SAAS,
    "Terraform Cloud / HCP Terraform API token (14 + `.atlasv1.` + 60-70).",
    (".atlasv1.",),
    r"(?<![A-Za-z0-9])(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70})"
    r"(?![A-Za-z0-9_\-=])",
    confidence=_HIGH,
    back=14,
    back_chars=_ALNUM,
)
_prefixed(
    "doppler-token",
    Category.SAAS,
    "Doppler service/personal/CLI/SCIM/audit token (`dp.st.`, `dp.pt.`, `dp.ct.`, ...).",
    ("dp.st.", "dp.pt.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."),
    r"[A-Za-z0-9_\-.]{40,60}",
    confidence=_HIGH,
)
_prefixed(
    "linear-api-key",
    Category.SAAS,
    "Linear API key or OAuth token (`lin_api_`, `lin_oauth_` + 40).",
    ("lin_api_", "lin_oauth_"),
    r"[A-Za-z0-9]{40,64}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "notion-integration-token",
    Category.SAAS,
    "Notion integration token (`ntn_` + 11 digits + 35, or legacy `secret_` + 43).",
    ("ntn_", "secret_"),
    r"(?:[0-9]{11}[A-Za-z0-9]{35}|[A-Za-z0-9]{43})",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "netlify-access-token",
    Category.SAAS,
    "Netlify personal access token (`nfp_` + 36).",
    ("nfp_",),
    r"[A-Za-z0-9]{36,40}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "vercel-token",
    Category.SAAS,
    "Vercel access token (`vercel_`, `vcp_`, `vci_` prefixes).",
    ("vercel_", "vcp_", "vci_"),
    r"[A-Za-z0-9]{24,64}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_context(
    "vercel-token-legacy",
    Category.SAAS,
    "Legacy Vercel token (24 alphanumerics) assigned to a Vercel token name.",
    ("VERCEL_TOKEN", "vercel_token", "VERCEL_API_TOKEN"),
    r"[A-Za-z0-9]{24}",
)
_prefixed(
    "supabase-service-key",
    Category.SAAS,
    "Supabase personal access token (`sbp_` + 40 hex) or secret API key (`sb_secret_`).",
    ("sbp_", "sb_secret_"),
    r"[A-Za-z0-9_\-]{30,64}",
    check=checks.random_structured,
)
_prefixed(
    "planetscale-token",
    Category.SAAS,
    "PlanetScale service token or OAuth token (`pscale_tkn_`, `pscale_oauth_`).",
    ("pscale_tkn_", "pscale_oauth_"),
    r"[A-Za-z0-9_\-=.]{32,64}",
    confidence=_HIGH,
)
_prefixed(
    "planetscale-password",
    Category.SAAS,
    "PlanetScale database password (`pscale_pw_`).",
    ("pscale_pw_",),
    r"[A-Za-z0-9_\-=.]{32,64}",
    confidence=_HIGH,
)
_prefixed(
    "databricks-token",
    Category.SAAS,
    "Databricks personal access token (`dapi` + 32 hex, optional `-N`).",
    ("dapi",),
    r"[a-f0-9]{32}(?:-[0-9])?",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_add(
    "okta-api-token",
    Category.SAAS,
    "Okta API token (`00` + 40) after an `SSWS` authorization scheme or an Okta token name.",
    ("SSWS ", "OKTA_API_TOKEN", "okta_api_token", "OKTA_TOKEN"),
    r"(?:SSWS |OKTA_API_TOKEN|okta_api_token|OKTA_TOKEN)[\"']?[ \t]{0,8}(?:=|:)?[ \t]{0,8}"
    r"[\"']?(?P<secret>00[A-Za-z0-9_\-]{40})(?![A-Za-z0-9_\-])",
    check=checks.context_value,
)
_prefixed(
    "onepassword-service-account-token",
    Category.SAAS,
    "1Password service-account token (`ops_` + base64 JSON).",
    ("ops_eyJ",),
    r"[A-Za-z0-9+/=_\-]{100,2000}",
    confidence=_HIGH,
    priority=60,
)
_add(
    "onepassword-secret-key",
    Category.SAAS,
    "1Password account Secret Key (`A3-` + six dash-separated groups).",
    ("A3-",),
    r"(?<![A-Za-z0-9])(?P<secret>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{6}-)?[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4})"
    r"(?![A-Za-z0-9])",
    check=checks.random_structured,
)
_prefixed(
    "postman-api-key",
    Category.SAAS,
    "Postman API key (`PMAK-` + 24 hex + `-` + 34 hex).",
    ("PMAK-",),
    r"[a-f0-9]{24}-[a-f0-9]{34}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "grafana-service-account-token",
    Category.SAAS,
    "Grafana service-account token (`glsa_` + 32 + `_` + 8 hex) or Grafana Cloud token (`glc_`).",
    ("glsa_", "glc_eyJ"),
    r"[A-Za-z0-9+/=_]{32,400}",
    confidence=_HIGH,
)
_prefixed(
    "mapbox-secret-token",
    Category.SAAS,
    "Mapbox secret access token (`sk.eyJ…`).",
    ("sk.eyJ",),
    r"[A-Za-z0-9_\-]{20,400}\.[A-Za-z0-9_\-]{20,64}",
    confidence=_HIGH,
    priority=60,
)
_prefixed(
    "figma-pat",
    Category.SAAS,
    "Figma personal access token (`figd_` + 40).",
    ("figd_",),
    r"[A-Za-z0-9_\-]{38,44}",
    check=checks.random_structured,
)
_prefixed(
    "contentful-pat",
    Category.SAAS,
    "Contentful personal access token (`CFPAT-` + 43).",
    ("CFPAT-",),
    r"[A-Za-z0-9_\-]{43}",
    confidence=_HIGH,
)
_prefixed(
    "dynatrace-token",
    Category.SAAS,
    "Dynatrace API token (`dt0c01.` + 24 + `.` + 64).",
    ("dt0c01.",),
    r"[A-Z0-9]{24}\.[A-Z0-9]{64}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "pulumi-access-token",
    Category.SAAS,
    "Pulumi access token (`pul-` + 40 hex).",
    ("pul-",),
    r"[a-f0-9]{40}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "prefect-api-key",
    Category.SAAS,
    "Prefect Cloud API key (`pnu_` + 36).",
    ("pnu_",),
    r"[A-Za-z0-9]{36}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "sonarqube-token",
    Category.SAAS,
    "SonarQube/SonarCloud token (`squ_`, `sqp_`, `sqa_` + 40 hex).",
    ("squ_", "sqp_", "sqa_"),
    r"[a-f0-9]{40}",
    right=_R_ALNUM,
    check=checks.random_structured,
)
_prefixed(
    "buildkite-token",
    Category.SAAS,
    "Buildkite agent or API access token (`bkua_` + 40 hex).",
    ("bkua_",),
    r"[a-f0-9]{40}",
    right=_R_ALNUM,
    confidence=_HIGH,
)
_prefixed(
    "circleci-token",
    Category.SAAS,
    "CircleCI personal API token (`CCIPAT_` + 22 + `_` + 40 hex).",
    ("CCIPAT_",),
    r"[A-Za-z0-9]{22}_[a-f0-9]{40}",
    right=_R_ALNUM,
    confidence=_HIGH,
)

# What must follow `=` or `:` for either to count as an anchor hit (shared by every detector
# anchored on them): a long value, with a digit, a symbol or a capital in its first 40
# characters. This keeps `name = some_identifier` out of the slow path. Possessive runs: no
# backtracking (giving back a blank or the quote would leave one next, which the look-ahead
# refuses anyway; `[>=]?` stays plain, since `=` itself may start the value).
_VALUE_GUARD = (
    r"[>=]?[ \t]{0,8}+[\"'`]?+(?=[^\s\"'`\\]{16})"
    r"[^\s\"'`\\0-9!@#$%^&*+A-Z]{0,40}+[0-9!@#$%^&*+A-Z]"
)
_add(
    "pgpass-password",
    Category.CONNECTION_STRING,
    "A password in a PostgreSQL `.pgpass` line (`host:port:database:user:password`, `*` for "
    'any field but the password), at the start of a line or of a quoted string (`echo "…" '
    ">> ~/.pgpass`).",
    option_files.PGPASS_ANCHORS,
    option_files.PGPASS_PATTERN,
    check=option_files.pgpass_password,
    back=option_files.PGPASS_BACK,
    back_chars=option_files.PGPASS_BACK_CHARS,
    priority=35,
    anchor_guard=_VALUE_GUARD,
)
_add(
    "ini-password",
    Category.CONNECTION_STRING,
    "`password =` in an INI `[section]` that names its user or upload repository: `.pypirc` "
    "(`[pypi]`; `[testpypi]` is a test key), MySQL `.my.cnf` (`[client]`) and alike.",
    option_files.INI_ANCHORS,
    option_files.INI_PATTERN,
    check=option_files.ini_password,
    back=option_files.INI_BACK,
    back_chars=option_files.INI_BACK_CHARS,
    priority=35,
)
_add(
    "kubernetes-secret-data",
    Category.GENERIC,
    "A value under `data:` (base64, decoded and judged) or `stringData:` of a YAML Kubernetes "
    "`Secret` manifest (`kubectl get secret -o yaml`); HIGH for a private key or a Docker "
    "config with credentials; entries that name public things (`username`, `ca.crt`) are not "
    "reported. Values of 16+ characters.",
    kubernetes.ENTRY_ANCHORS,
    kubernetes.ENTRY_PATTERN,
    check=kubernetes.secret_manifest_value,
    span=16384,
    priority=30,
    anchor_guard=_VALUE_GUARD,
)

# --- Authorization headers and generic assignments ---------------------------------------------
_SCHEMES = ("bearer", "BEARER")
_add(
    "authorization-basic-credentials",
    Category.GENERIC,
    "HTTP `Authorization: Basic` header whose base64 decodes to `user:password` (HIGH).",
    ("Basic ",),
    r"(?<![A-Za-z0-9])Basic (?P<secret>[A-Za-z0-9+/]{8,512}={0,2})(?![A-Za-z0-9+/=])",
    check=checks.basic_auth,
    priority=20,
)
_add(
    "authorization-bearer-token",
    Category.GENERIC,
    "HTTP `Bearer` token: an opaque random-looking token; MEDIUM in an `Authorization` header "
    "when 24+ characters long, LOW otherwise. The scheme is case-insensitive on the wire: "
    "`bearer`/`BEARER` count right after a header's colon (`authorization: bearer …`, "
    '`"Authorization": "bearer …"`).',
    # The lower- and upper-case spellings are anchored with the header's colon: they join the
    # prefilter's `:` branch instead of costing a `str.find` pass of their own over the text.
    ("Bearer ", *(f"{c}{q}{s} " for c in (": ", ":") for q in ("", '"', "'") for s in _SCHEMES)),
    r"(?:(?<![A-Za-z0-9])Bearer|:[ \t]?[\"']?(?:bearer|BEARER)) "
    r"(?P<secret>[A-Za-z0-9_\-.~+/]{20,1024}={0,2})(?![A-Za-z0-9_\-.~+/=])",
    check=checks.bearer,
    priority=15,
)
_add(
    "generic-secret-assignment",
    Category.GENERIC,
    "A high-entropy value (16-256 chars) assigned to a secret-looking name "
    "(`key`, `secret`, `token`, `password`, ...); always LOW confidence.",
    ("=", ":"),
    r"(?:=>|:=|===?|=|:)[ \t]{0,8}"
    r"(?:(?P<q>[\"'`])(?P<secret>[^\"'`\s\\]{16,256}+)(?P=q)"
    r"|(?P<unquoted>[A-Za-z0-9+/=_\-.~!@#$%^&*]{16,256}+)(?=[\s,;)\]}]|$))",
    check=checks.generic_assignment,
    confidence=_LOW,
    priority=10,
    anchor_guard=_VALUE_GUARD,
)

DETECTORS: tuple[Detector, ...] = tuple(_registry)
"""Every detector, in registration order. Names are unique."""
