"""DLP: credentials in commands sent as JSON, tab-separated options, lower-case bearer schemes,
`curl --oauth2-bearer`, and GCR/Artifact Registry `_json_key` auths in Docker `config.json`.

Agents and MCP servers pass commands as JSON argv arrays (`["mysql","-uroot","-pPASS"]`) or as
a command line inside a JSON string (`"mysql -p\\"PASS\\""`); both must be read as the command
line they stand for. Every credential here is built from seeded random characters.
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest
from crustcore_nano.dlp import Confidence, redact, scan
from crustcore_nano.dlp.cmdline import program_in_array
from crustcore_nano.dlp.heuristics import is_placeholder, is_sample_phrase, looks_like_test_value
from dlp_testkit import only
from hypothesis import given, settings
from hypothesis import strategies as st

_B62 = string.ascii_letters + string.digits
_RNG = random.Random(20261124)


def _rand(n: int, alphabet: str = _B62) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _b64(raw: bytes | str) -> str:
    return base64.b64encode(raw.encode() if isinstance(raw, str) else raw).decode()


PW = _rand(18)
TOKEN = _rand(40)


def _service_account(private_key: str) -> dict[str, str]:
    return {
        "type": "service_account",
        "project_id": "acme-prod",
        "private_key_id": _rand(40, "0123456789abcdef"),
        "private_key": private_key,
        "client_email": "ci-push@acme-prod.iam.gserviceaccount.com",
        "client_id": _rand(21, string.digits),
    }


def _pem(rng: random.Random) -> str:
    body = _b64(rng.randbytes(1190))
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN PRIVATE KEY-----\n{lines}\n-----END PRIVATE KEY-----\n"


KEY_FILE = json.dumps(_service_account(_pem(_RNG)), indent=2)
JSON_KEY_AUTH = _b64("_json_key:" + KEY_FILE)
JSON_KEY_B64_AUTH = _b64("_json_key_base64:" + _b64(KEY_FILE))

# (text, type, reported text, confidence, test key)
POSITIVES: list[tuple[str, str, str, Confidence, bool]] = [
    # 1. Options and values separated by tabs or several spaces, options after a tab.
    (
        f"curl -u\talice:{PW} https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl -u      alice:{PW} https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl\t-u alice:{PW} https://api.acme.io",
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (f"mysql\t-uroot\t-p{PW}\tappdb", "command-line-password", PW, Confidence.MEDIUM, False),
    (f"sshpass\t-p\t{PW} ssh\t-p 22 host", "command-line-password", PW, Confidence.MEDIUM, False),
    # 2. JSON argv arrays (compact, spaced, pretty-printed), MCP `command` + `args`.
    (f'["mysql","-uroot","-p{PW}"]', "command-line-password", PW, Confidence.MEDIUM, False),
    (
        f'{{"command": ["curl", "-u", "alice:{PW}", "https://api.acme.io"]}}',
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'{{"argv": [\n  "sshpass",\n  "-p",\n  "{PW}",\n  "ssh",\n  "host"\n]}}',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'["/usr/bin/mysql", "--password={PW}"]',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'["docker", "login", "-u", "ci", "-p", "{PW}", "r.acme.io"]',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'{{"command": "mysql", "args": ["-h", "db.acme.io", "-p{PW}"]}}',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'["curl","-u","alice:{PW}","http://localhost:8080"]',
        "command-line-basic-auth",
        PW,
        Confidence.LOW,
        True,
    ),
    # A password with JSON escapes and shell metacharacters: the element is one argv word.
    (
        f'["mysql", "-p{PW[:6]}\\"; &(){PW[6:]}"]',
        "command-line-password",
        f'{PW[:6]}\\"; &(){PW[6:]}',
        Confidence.MEDIUM,
        False,
    ),
    # A shell-quoted option word.
    (f'mysql -uroot "-p{PW}" appdb', "command-line-password", PW, Confidence.MEDIUM, False),
    # A command line inside a JSON string: escaped quotes, and a `bash -lc` element.
    (
        f'{{"command": "mysql -uroot -p\\"{PW}\\" appdb"}}',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'{{"cmd": "curl -u \\"alice:{PW}\\" https://api.acme.io"}}',
        "command-line-basic-auth",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'["bash", "-lc", "mysql -uroot -p{PW} -e \'select 1\'"]',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'{{"command": "set -e\\ncd /srv\\nmysql -uroot -p{PW} appdb"}}',
        "command-line-password",
        PW,
        Confidence.MEDIUM,
        False,
    ),
    # 3. Lower- and upper-case bearer schemes after a header colon; `curl --oauth2-bearer`.
    (
        f"Authorization: bearer {TOKEN}",
        "authorization-bearer-token",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"authorization:bearer {TOKEN}",
        "authorization-bearer-token",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"AUTHORIZATION: BEARER {TOKEN}",
        "authorization-bearer-token",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'{{"headers": {{"Authorization": "bearer {TOKEN}"}}}}',
        "authorization-bearer-token",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (f"x-upstream: bearer {TOKEN}", "authorization-bearer-token", TOKEN, Confidence.LOW, False),
    (
        f"curl --oauth2-bearer {TOKEN} https://api.acme.io",
        "command-line-basic-auth",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (
        f"curl --oauth2-bearer='{TOKEN}' https://api.acme.io",
        "command-line-basic-auth",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    (
        f'["curl", "--oauth2-bearer", "{TOKEN}", "https://x.io"]',
        "command-line-basic-auth",
        TOKEN,
        Confidence.MEDIUM,
        False,
    ),
    # 4. GCR / Artifact Registry auths carrying a service-account key file.
    (
        json.dumps({"auths": {"us-docker.pkg.dev": {"auth": JSON_KEY_AUTH}}}, indent=2),
        "docker-config-auth",
        JSON_KEY_AUTH,
        Confidence.HIGH,
        False,
    ),
    (
        json.dumps({"auths": {"gcr.io": {"auth": JSON_KEY_B64_AUTH}}}),
        "docker-config-auth",
        JSON_KEY_B64_AUTH,
        Confidence.HIGH,
        False,
    ),
]


@pytest.mark.parametrize("case", POSITIVES, ids=[f"{c[1]}-{i}" for i, c in enumerate(POSITIVES)])
def test_credential_is_found_in_its_json_or_tabbed_form(
    case: tuple[str, str, str, Confidence, bool],
) -> None:
    text, kind, secret, confidence, test_key = case
    finding = only(text, kind)
    assert text[finding.start : finding.end] == secret
    assert finding.confidence is confidence
    assert finding.test_key is test_key
    assert secret not in redact(text)


NEGATIVES = [
    '["mysql", "-uroot", "-p", "appdb"]',
    '["mysql","-p"]',
    '["ssh", "-p", "2222", "host"]',
    '["docker", "run", "-p", "8080:80", "-u", "1000:1000", "nginx"]',
    '["mkdir", "-p", "build"]',
    '["psql", "-p", "5432"]',
    '["git", "push", "-u", "origin", "main"]',
    '["curl", "-u", "alice", "https://api.acme.io"]',
    '["curl", "-u", "$USER:$TOKEN", "https://api.acme.io"]',
    '["docker", "login", "-u", "ci", "--password-stdin"]',
    '["sshpass", "-p", "${SSHPASS}", "ssh", "host"]',
    '{"flags": ["-p", "-u"], "tools": ["mysql", "curl"]}',
    '{"command": "psql", "args": ["-p", "5432"]}',
    '{"command": "mysql", "args": ["-h", "db", "-p", "appdb"]}',
    '{"note": "mysql", "values": ["-pS3cr3tP4ssw0rdXy"]}',
    '{"command": "mysql -uroot -p\\"$MYSQL_ROOT_PASSWORD\\" appdb"}',
    '"-p","S3cr3tP4ssw0rdXy"',
    "ssh\t-p 22 host",
    "mkdir\t-p build",
    "mysql\t-u root\t-p appdb",
    'curl\t-u\t"$USER:$TOKEN" https://api.acme.io',
    '{"token_type": "bearer", "expires_in": 3600}',
    "scheme: bearer\nbearerFormat: JWT",
    "The header holds: bearer tokens are opaque strings.",
    "authorization: bearer $ACCESS_TOKEN",
    '{"Authorization": "bearer <token>"}',
    'curl --oauth2-bearer "$TOKEN" https://api.acme.io',
    "curl --oauth2-bearer <token> https://api.acme.io",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_look_alike_is_not_a_live_credential(text: str) -> None:
    for finding in scan(text):
        assert finding.test_key, (finding, text)
        assert not finding.blocking


@pytest.mark.parametrize(
    "decoded",
    [
        "_json_key:{}",
        '_json_key:{"type": "service_account", "private_key": "<your private key>"}',
        '_json_key:{"type": "service_account"}',
        "_json_key_base64:" + _b64('{"type": "service_account"}'),
        "_json_key_base64:not base64 at all",
        "_json_key:",
    ],
)
def test_json_key_auth_without_a_key_is_not_reported(decoded: str) -> None:
    text = json.dumps({"auths": {"gcr.io": {"auth": _b64(decoded)}}})
    assert [f for f in scan(text) if f.type == "docker-config-auth"] == []


def test_truncated_json_key_auth_is_medium() -> None:
    cut = KEY_FILE[: len(KEY_FILE) // 2]
    auth = _b64("_json_key:" + cut)
    finding = only(json.dumps({"auths": {"gcr.io": {"auth": auth}}}), "docker-config-auth")
    assert finding.confidence is Confidence.MEDIUM


def test_redaction_keeps_argv_json_valid() -> None:
    text = json.dumps({"command": ["mysql", "-uroot", f"-p{PW}", "appdb"]})
    redacted = redact(text)
    assert json.loads(redacted) == {
        "command": ["mysql", "-uroot", "-p[REDACTED:command-line-password]", "appdb"]
    }


@pytest.mark.parametrize(
    ("text", "element", "expected"),
    [
        ('["curl","-u","a:b"]', '"-u"', ("curl", ())),
        ('["sudo", "/usr/bin/curl", "-s", "-u", "a:b"]', '"-u"', ("curl", ("-s",))),
        ('["sshpass", "-p", "X", "ssh", "-p", "22"]', '"-p", "22"', ("ssh", ())),
        ('["curl", "-H", "X: [1]", "-u", "a:b"]', '"-u"', ("curl", ("-H", "X: [1]"))),
        ('["curl", "-H", "a\\"b", "-u", "a:b"]', '"-u"', ("curl", ("-H", 'a"b'))),
        ('{"command": "curl", "args": ["-s", "-u", "a:b"]}', '"-u"', ("curl", ("-s",))),
        ('["echo", "-u", "a:b"]', '"-u"', None),
        ('{"args": ["-u", "a:b"]}', '"-u"', None),
        ('"curl", "-u", "a:b"', '"-u"', None),
    ],
)
def test_program_in_array_finds_the_owner_of_an_element(
    text: str, element: str, expected: tuple[str, tuple[str, ...]] | None
) -> None:
    found = program_in_array(text, text.rindex(element))
    assert (found[:2] if found else None) == expected
    if found is not None:
        assert text[found[2]] == "["


# Properties -----------------------------------------------------------------------------------

_SPECIAL = ' "\\;&()|!#*+,.@^_~'
_PASSWORDS = st.text(alphabet=_B62 + _SPECIAL, min_size=12, max_size=40).filter(
    lambda p: (
        len(set(p)) >= 8
        and p[0] not in "$%{[<-"
        and not is_placeholder(p)
        and not looks_like_test_value(p)
        and not is_sample_phrase(p)  # `0000 SECRET!`: prose that names itself, reported LOW
    )
)


@settings(max_examples=200, deadline=None)
@given(password=_PASSWORDS, spaced=st.booleans())
def test_argv_array_password_is_reported_at_its_escaped_span(password: str, spaced: bool) -> None:
    separators = (", ", ": ") if spaced else (",", ":")
    for argv, kind in (
        (["mysql", "-h", "db.acme.io", "-uapp", f"-p{password}", "appdb"], "command-line-password"),
        (
            ["curl", "-sS", "-u", f"alice:{password}", "https://api.acme.io"],
            "command-line-basic-auth",
        ),
    ):
        text = json.dumps({"command": argv}, separators=separators)
        finding = only(text, kind)
        assert text[finding.start : finding.end] == json.dumps(password)[1:-1]
        assert finding.blocking
        assert json.loads(redact(text))["command"][0] == argv[0]


_VOCAB = st.sampled_from(
    ["mysql", "curl", "ssh", "/usr/bin/curl", "-p", "-u", "x[1]", "a,b", 'q"u', "b\\s", "[", "]"]
)
_PROGRAMS = {"mysql": "mysql", "curl": "curl", "ssh": "ssh", "/usr/bin/curl": "curl"}


@settings(max_examples=200, deadline=None)
@given(elements=st.lists(_VOCAB, min_size=1, max_size=20), spaced=st.booleans())
def test_program_in_array_agrees_with_a_json_parse(elements: list[str], spaced: bool) -> None:
    sep = ", " if spaced else ","
    text = "[" + sep.join(json.dumps(e) for e in elements) + "]"
    offsets: list[int] = []
    pos = 1
    for e in elements:
        offsets.append(pos)
        pos += len(json.dumps(e)) + len(sep)
    for k, at in enumerate(offsets):
        found = program_in_array(text, at)
        before = elements[:k]
        programs = [i for i, e in enumerate(before) if e in _PROGRAMS]
        if "[" in "".join(before) and sum(e.count("[") for e in before) >= 7:
            continue  # more brackets inside elements than the bounded look-back tries
        if not programs:
            assert found is None
            continue
        last = programs[-1]
        assert found == (_PROGRAMS[before[last]], tuple(before[last + 1 :]), 0)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet='[]",: \\-aup\n', max_size=200), data=st.data())
def test_program_in_array_never_raises(text: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    found = program_in_array(text, at)
    assert found is None or (text[found[2]] == "[" and found[2] < at)


_JSONISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                '["',
                '","',
                '", "',
                '"]',
                '"',
                "\\",
                '\\"',
                "\t",
                "mysql",
                "curl",
                "sshpass",
                '{"command": "',
                '"args": [',
                "-p",
                "-u",
                "--oauth2-bearer",
                "alice:",
                ": bearer ",
                ':"bearer ',
                '"auth": "',
                _b64("_json_key:{"),
            ]
        ),
        st.text(alphabet=_B62 + "+/=_-.", max_size=30),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_JSONISH)
def test_scan_of_json_commands_is_well_formed(text: str) -> None:
    end = 0
    for finding in scan(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.start >= end
        end = finding.end
    assert scan(redact(text)) == ()


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1), cut=st.integers(min_value=0, max_value=4000)
)
def test_json_key_auth_is_high_whole_and_never_raises_cut(seed: int, cut: int) -> None:
    rng = random.Random(seed)
    key_file = json.dumps(_service_account(_pem(rng)))
    auth = _b64("_json_key:" + key_file)
    whole = only(json.dumps({"auths": {"gcr.io": {"auth": auth}}}), "docker-config-auth")
    assert whole.confidence is Confidence.HIGH
    truncated = auth[: min(cut, len(auth) - 8)]  # the key file loses at least its closing `}`
    for finding in scan(json.dumps({"auths": {"gcr.io": {"auth": truncated}}})):
        assert finding.confidence is not Confidence.HIGH or finding.type != "docker-config-auth"


@pytest.mark.parametrize(
    "unit",
    ['"-p', '["mysql","-p', '","-u","', ": bearer ", "\t-p", '"args": ["', '["x[1]",'],
)
def test_repeated_json_anchors_complete(unit: str) -> None:
    text = unit * 4000
    findings = scan(text)
    assert all(0 <= f.start < f.end <= len(text) for f in findings)
