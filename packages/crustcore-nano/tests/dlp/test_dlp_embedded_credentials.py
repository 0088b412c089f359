"""DLP: credentials embedded in commands and client configuration files.

Covers passwords on command lines (`curl -u`, `wget --password=`, `mysql -p…`, `sshpass -p`,
`redis-cli -a`, ...), client password variables (`PGPASSWORD`), npm/Yarn registry credentials,
Docker `config.json` auths, Azure shared access keys, and HTTP Authorization headers. Every
credential is built here from seeded random characters, so no scannable value is committed
(the Azure storage emulator key, which is public, is the one literal).
"""

from __future__ import annotations

import base64
import random
import re
import string

import pytest
from crustcore_nano.dlp import Confidence, redact, scan
from crustcore_nano.dlp.checks import decoded_user_password, is_azurite_key
from crustcore_nano.dlp.cmdline import (
    BASIC_AUTH_TOOLS,
    PASSWORD_TOOLS,
    credential_at,
    option_pattern,
    program_before,
)
from crustcore_nano.dlp.heuristics import is_placeholder, looks_like_test_value
from dlp_testkit import only
from hypothesis import given, settings
from hypothesis import strategies as st

_B62 = string.ascii_letters + string.digits
_RNG = random.Random(20261123)
_AZURITE = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def _rand(n: int, alphabet: str = _B62) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


PW = _rand(18)
PW2 = _rand(24)
TOKEN = _rand(40)
BASIC = _b64(f"deploy:{PW}".encode())
SB_KEY = _b64(_RNG.randbytes(32))


# (text, type, reported text, confidence, test key)
POSITIVES: list[tuple[str, str, str, Confidence, bool]] = [
    (
        f"curl -u alice:{PW} https://api.acme.io/v1",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl -ualice:{PW} https://api.acme.io/v1",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'curl --user "alice:{PW}" https://api.acme.io',
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl --user=alice:{PW} https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl.exe -U proxy:{PW} https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'curl "https://api.acme.io/x?a=1&b=2" -u ci:{PW}',
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl -fsSL \\\n  -H 'Accept: */*' \\\n  -u ci:{PW} \\\n  https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl -u ci:{PW} \\\n  http://localhost:9000/",
        "command-line-basic-auth",
        PW,
        Confidence.LOW,
        True,
    ),
    (
        f"wget --password={PW} https://files.acme.io/a",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"wget --http-password {PW} https://files.acme.io/a",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"http -a alice:{PW} GET https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl -u alice:{PW} http://localhost:8080/",
        "command-line-basic-auth",
        PW,
        Confidence.LOW,
        True,
    ),
    (
        f"curl -u alice:{PW} https://api.example.com/",
        "command-line-basic-auth",
        PW,
        Confidence.LOW,
        True,
    ),
    (f"mysql -uroot -p{PW} appdb", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"mysql -uroot -p'{PW}' appdb", "command-line-password", PW, Confidence.MEDIUM, False),
    (f'mariadb -uroot -p"{PW}" appdb', "command-line-password", PW, Confidence.MEDIUM, False),
    (f"mysqldump --password={PW} appdb", "command-line-password", PW, Confidence.MEDIUM, False),
    (
        f"docker exec -it db mysql -uroot -p{PW}",
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (f"sshpass -p {PW} ssh -p 2222 host", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"sshpass -p{PW} scp a host:", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"redis-cli -h cache -a {PW} ping", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"mongosh -u admin -p {PW} db.acme.io", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"sqlcmd -S db -U sa -P{PW}", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"ldapwhoami -x -D cn=a -w {PW}", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"smbclient //h/s -U bob%{PW}", "command-line-password", PW, Confidence.MEDIUM, False),
    (
        f"docker login -u ci -p {PW} registry.acme.io",
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (f"mysql -uroot -p{PW} -h 127.0.0.1", "command-line-password", PW, Confidence.LOW, True),
    (f"PGPASSWORD={PW} psql -h db", "client-password-env", PW, Confidence.MEDIUM, False),
    (f"export MYSQL_PWD='{PW}'", "client-password-env", PW, Confidence.MEDIUM, False),
    (f'  REDISCLI_AUTH: "{PW}"', "client-password-env", PW, Confidence.MEDIUM, False),
    ("PGPASSWORD=postgres psql", "client-password-env", "postgres", Confidence.LOW, True),
    (f"PGPASSWORD=!{PW} psql", "client-password-env", f"!{PW}", Confidence.MEDIUM, False),
    (
        f"//registry.npmjs.org/:_authToken={TOKEN}",
        "npm-registry-auth",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (f'npmAuthToken: "{TOKEN}"', "npm-registry-auth", TOKEN, Confidence.MEDIUM, False),
    (f"//npm.acme.io/:_auth={BASIC}", "npm-registry-auth", BASIC, Confidence.HIGH, False),
    (f'npmAuthIdent: "{BASIC}"', "npm-registry-auth", BASIC, Confidence.HIGH, False),
    (f'npmAuthIdent: "deploy:{PW}"', "npm-registry-auth", PW, Confidence.MEDIUM, False),
    (
        f"//npm.acme.io/:_password={_b64(PW.encode())}",
        "npm-registry-auth",
        _b64(PW.encode()),
        Confidence.MEDIUM,
        False,
    ),
    (f"//localhost:4873/:_authToken={TOKEN}", "npm-registry-auth", TOKEN, Confidence.LOW, True),
    (
        f'{{"auths": {{"r.acme.io": {{"auth": "{BASIC}"}}}}}}',
        "docker-config-auth",
        BASIC,
        Confidence.HIGH,
        False,
    ),
    (f'{{"identitytoken": "{TOKEN}"}}', "docker-config-auth", TOKEN, Confidence.MEDIUM, False),
    (
        f"Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={SB_KEY}",
        "azure-shared-access-key",
        SB_KEY,
        Confidence.HIGH,
        False,
    ),
    (f"key: SharedAccessKey={SB_KEY}", "azure-shared-access-key", SB_KEY, Confidence.MEDIUM, False),
    (f"AccountKey={_AZURITE}", "azure-storage-account-key", _AZURITE, Confidence.LOW, True),
    (
        f"Authorization: Basic {BASIC}",
        "authorization-basic-credentials",
        BASIC,
        Confidence.HIGH,
        False,
    ),
    (
        f"curl -H 'Authorization: Bearer {TOKEN}' https://x",
        "authorization-bearer-token",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"bearer_prefix = 'Bearer {TOKEN}'",
        "authorization-bearer-token",
        TOKEN,
        Confidence.LOW,
        False,
    ),
]


@pytest.mark.parametrize("case", POSITIVES, ids=[f"{c[1]}-{i}" for i, c in enumerate(POSITIVES)])
def test_embedded_credential_is_found(case: tuple[str, str, str, Confidence, bool]) -> None:
    text, kind, secret, confidence, test_key = case
    finding = only(text, kind)
    assert text[finding.start : finding.end] == secret
    assert finding.confidence is confidence
    assert finding.test_key is test_key
    assert finding.blocking is (not test_key and confidence is not Confidence.LOW)
    assert secret not in redact(text)


NEGATIVES = [
    'curl -u "$USER:$TOKEN" https://api.acme.io',
    "curl -u alice https://api.acme.io",
    "curl -u : --negotiate https://api.acme.io",
    "curl -u alice: https://api.acme.io",
    "curl -u user:password https://api.acme.io",
    "curl -u <user>:<pass> https://api.acme.io",
    "curl -u 'alice:${PASS}' https://api.acme.io",
    "curl -u %USER%:%PASS% https://api.acme.io",
    "curl -u alice:abc https://api.acme.io",
    "wget --password= https://files.acme.io/a",
    "wget --password https://files.acme.io/a",
    "mysql -p",
    "mysql -u root -p appdb",
    "mysql -uroot -p -e 'select 1'",
    "mysql --password appdb",
    'mysql -uroot -p"$MYSQL_ROOT_PASSWORD"',
    "psql -p 5432 -h db",
    "pg_dump -p 5433 appdb",
    "docker run -p 8080:80 -u 1000:1000 nginx",
    "docker exec --user root:root db sh",
    "ssh -p 22 host",
    "mkdir -p build",
    "mkdir -p build && mysql -u root -p appdb",
    "sshpass -p $PW ssh -p 2222 host",
    "git push -u origin main",
    "sort -u a.txt",
    "ps -u www-data:www-data",
    "docker login -u ci --password-stdin",
    "docker login -u ci -p $CI_PASSWORD",
    "helm upgrade api ./chart -p values.yaml",
    "redis-cli -a ${REDIS_PASSWORD} ping",
    "export PGPASSWORD=$DB_PASSWORD",
    "PGPASSWORD: !vault |\n  $ANSIBLE_VAULT;1.1;AES256",
    "PGPASSWORD: *db_password",
    'PGPASSWORD: "{{ pg_password }}"',
    "curl --user-agent 'Mozilla/5.0 (X11)' https://api.acme.io",
    "curl -A agent:S3cr3tP4ss https://api.acme.io",
    'PGPASSWORD="${DB_PASSWORD}" psql',
    "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    'npmAuthToken: "${NPM_TOKEN}"',
    "_authToken=",
    "self._auth = auth\n    _password = password",
    '"auth": ""',
    '{"auth": "basic"}',
    '"credsStore": "desktop"',
    "AccountKey=<your-key>",
    "SharedAccessKey=<your-key>",
    "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}",
    "Authorization: Bearer $TOKEN",
    "Authorization: Bearer <token>",
    "Authorization: Bearer ${{ secrets.X }}",
    "Authorization: Basic " + _b64(b"user:password"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_look_alike_is_not_a_live_credential(text: str) -> None:
    for finding in scan(text):
        assert finding.test_key, (finding, text)
        assert not finding.blocking


def test_emulator_key_is_a_test_key_anywhere() -> None:
    assert is_azurite_key(_AZURITE)
    assert not is_azurite_key(_b64(_RNG.randbytes(64)))
    finding = only(
        f"DefaultEndpointsProtocol=https;AccountKey={_AZURITE};", "azure-storage-account-key"
    )
    assert finding.test_key and not finding.blocking


def test_redaction_keeps_the_command_readable() -> None:
    assert redact(f"curl -u alice:{PW} https://api.acme.io") == (
        "curl -u alice:[REDACTED:command-line-basic-auth] https://api.acme.io"
    )
    assert redact(f"mysql -uroot -p'{PW}' appdb") == (
        "mysql -uroot -p'[REDACTED:command-line-password]' appdb"
    )


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("curl -u a:b", "-u", "curl"),
        ("sudo /usr/bin/curl -s -u a:b", "-u", "curl"),
        ("docker exec db mysql -pX", "-pX", "mysql"),
        ("sshpass -p X ssh -p 22 h", "-p 22", "ssh"),
        ("mysql -e x; mkdir -p y", "-p y", "mkdir"),
        ("curl \\\n  -u a:b", "-u", "curl"),
        ("curl x\n-u a:b", "-u", None),
        ("echo `curl` -u a:b", "-u", None),
        ('"C:\\Tools\\curl.exe" -u a:b', "-u", "curl"),
        ("curl https://h.io/http -a a:b", "-a", "curl"),
        ("A=http mysql -pX", "-pX", "mysql"),
    ],
)
def test_program_before_finds_the_owner_of_an_option(
    text: str, at: str, expected: str | None
) -> None:
    found = program_before(text, text.rindex(at))
    assert (found[0] if found else None) == expected


# Properties -----------------------------------------------------------------------------------

# Passwords the scanner has no reason to take for an example: its own test-value and
# placeholder checks decide (`00000SANDBOX` announces a sandbox value and is not blocking).
_PASSWORDS = st.text(alphabet=_B62 + "!#*+,.@^_~", min_size=12, max_size=40).filter(
    lambda p: len(set(p)) >= 8 and not looks_like_test_value(p) and not is_placeholder(p)
)


@settings(max_examples=200, deadline=None)
@given(password=_PASSWORDS, form=st.sampled_from(["-p{}", "-p'{}'", '-p"{}"', "--password={}"]))
def test_mysql_password_is_reported_at_its_exact_span(password: str, form: str) -> None:
    option = form.format(password)
    text = f"mysql -h db.acme.internal -uapp {option} appdb"
    finding = only(text, "command-line-password")
    assert text[finding.start : finding.end] == password
    assert finding.blocking


@settings(max_examples=200, deadline=None)
@given(user=st.text(alphabet=_B62 + "-._", min_size=1, max_size=20), password=_PASSWORDS)
def test_base64_user_password_round_trips(user: str, password: str) -> None:
    encoded = _b64(f"{user}:{password}".encode())
    assert decoded_user_password(encoded) == (user, password)
    assert decoded_user_password(encoded.rstrip("=")) == (user, password)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=200))
def test_decoding_never_raises(value: str) -> None:
    pair = decoded_user_password(value)
    assert pair is None or ":" not in pair[0]


_SHELLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "curl",
                "mysql",
                "sshpass",
                "docker",
                "login",
                "ssh",
                " -u ",
                " -p",
                " -P ",
                " -a ",
                " --user=",
                " --password",
                "=",
                ":",
                "%",
                "'",
                '"',
                "\\\n",
                "\n",
                ";",
                "&&",
                "|",
                "`",
                "$(",
                "PGPASSWORD=",
                "_authToken=",
                '"auth": "',
                "SharedAccessKey=",
                "Authorization: Bearer ",
            ]
        ),
        st.text(alphabet=_B62 + "+/=_-.", max_size=30),
        st.text(max_size=8),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_SHELLISH)
def test_scan_of_command_like_text_is_well_formed(text: str) -> None:
    end = 0
    for finding in scan(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.start >= end
        end = finding.end
    assert scan(redact(text)) == ()


@settings(max_examples=300, deadline=None)
@given(text=_SHELLISH, basic=st.booleans())
def test_option_parsing_stays_inside_the_match(text: str, basic: bool) -> None:
    tools = BASIC_AUTH_TOOLS if basic else PASSWORD_TOOLS
    pattern = re.compile(option_pattern(tools))
    for match in pattern.finditer(text):
        cred = credential_at(tools, match)
        if cred is not None:
            assert match.start("val") <= cred.start < cred.end <= match.end("val")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), data=st.data())
def test_program_lookup_never_raises(text: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    found = program_before(text, at)
    assert found is None or found[0] in text.lower()


@pytest.mark.parametrize(
    "unit",
    [
        " -p",
        "mysql -p",
        "curl -u a:",
        " --password=",
        "PGPASSWORD=",
        "_auth=",
        '"auth": "',
        "-u \\\n",
    ],
)
def test_repeated_anchors_complete(unit: str) -> None:
    text = unit * 5000
    findings = scan(text)
    assert all(0 <= f.start < f.end <= len(text) for f in findings)
