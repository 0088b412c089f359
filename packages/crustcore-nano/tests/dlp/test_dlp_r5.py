"""DLP round 5: false positives found by scanning real third-party code, and three more client
credential files (`.pgpass` lines, INI option files such as `.pypirc` and `.my.cnf`, and
Kubernetes `Secret` manifests written as JSON).

Every hard negative below is written here to reproduce one root cause seen in installed Python
and npm packages (no third-party text is copied): code expressions and type names assigned to
secret-looking names, pinned public keys, tokens and URLs made of sample words, the well-known
sample passwords of Oracle and Redis, examples printed in the OAuth 2.0 specification, PEM
blocks shortened for a document, pagination and idempotency tokens, and private keys in a
test suite's fixture directory. Every credential is built from seeded random characters.
"""

from __future__ import annotations

import base64
import io
import json
import random
import string
from pathlib import Path

import pytest
from crustcore_nano.dlp import Confidence, scan
from crustcore_nano.dlp.checksums import crc32_base62_tail
from crustcore_nano.dlp.cli import scan_main
from crustcore_nano.dlp.fixture_paths import downgrade_fixture_keys, is_fixture_path
from crustcore_nano.dlp.heuristics import (
    is_published_example,
    is_sample_host,
    is_sample_phrase,
    is_sample_word,
    looks_like_code_expression,
    looks_like_public_key_der,
)
from dlp_testkit import assert_secret, only
from hypothesis import given, settings
from hypothesis import strategies as st

_B62 = string.ascii_letters + string.digits
_RNG = random.Random(5_2026_11_23)


def _rand(n: int, alphabet: str = _B62) -> str:
    return "Q7" + "".join(_RNG.choice(alphabet) for _ in range(n - 2))


def _assert_quiet(text: str) -> None:
    """Nothing found, or only LOW test keys (listed, never blocking)."""
    for finding in scan(text):
        snippet = text[max(0, finding.start - 30) : finding.end + 10]
        assert finding.test_key, (finding, snippet)
        assert finding.confidence is Confidence.LOW, (finding, snippet)
        assert not finding.blocking


def _assert_nothing(text: str) -> None:
    assert scan(text) == (), [(f, text[f.start : f.end]) for f in scan(text)]


# --- 1. root causes of false positives in real code ------------------------------------------

# Expressions and names assigned to a secret-looking name: negations, member chains, `$`
# aliases that bundlers and declaration emitters generate, type annotations, indexing.
CODE_EXPRESSIONS = [
    "xhr.withCredentials = !!config.withCredentials;",
    "shouldCheckSecret = !options.secretCheckDisabled;",
    "type ClosingTokenKind = ClosingTokenKind$1;",
    "  getOrSet<T>(key: GetOrSetCacheKey$2, fn: () => T): T;",
    "const cfg$withAuth = _config$withAuthToken;",
    "    tokenTypeKey: this.#grammar.tokenTypeKey,",
    "    SigningKeyId: KeyArnOrKeyAliasName;",
    '        "pull_secrets": "List[V1SecretReference]",',
    '      "next_token": "Description.Pages[-1].PageToken",',
    "  const key = doc.$__schema.options.versionKey;",
    "// the reader starts at `previousToken.end`, so tokenStart === previousToken.end.",
]


@pytest.mark.parametrize("line", CODE_EXPRESSIONS)
def test_code_expressions_are_not_secrets(line: str) -> None:
    _assert_nothing(line)


@pytest.mark.parametrize(
    "value",
    [
        "!!config.withCredentials",
        "ClosingTokenKind$1",
        "_config$withAuthToken",
        "this.#grammar.tokenTypeKey",
        "KeyArnOrKeyAliasName",
        "List[V1SecretReference]",
        "Description.Pages[-1].PageToken",
    ],
)
def test_code_expression_heuristic_accepts_names(value: str) -> None:
    assert looks_like_code_expression(value)


def test_code_expression_heuristic_rejects_random_text() -> None:
    rng = random.Random(11)
    alphabets = (_B62, _B62 + ".$", string.ascii_letters, _B62 + "+/")
    hits = 0
    trials = 20_000
    for i in range(trials):
        alphabet = alphabets[i % len(alphabets)]
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(16, 40)))
        hits += looks_like_code_expression(value)
    assert hits / trials < 0.002  # a random secret is almost never taken for a name


def test_random_secret_assigned_to_secret_name_is_still_reported() -> None:
    value = _rand(24)
    text = f'client_secret = "{value}"'
    finding = only(text, "generic-secret-assignment")
    assert text[finding.start : finding.end] == value
    assert not finding.test_key


def _spki_base64(curve_oid: bytes, point: bytes) -> str:
    algorithm = bytes([0x06, 0x07]) + bytes.fromhex("2a8648ce3d0201")
    algorithm += bytes([0x06, len(curve_oid)]) + curve_oid
    algorithm = bytes([0x30, len(algorithm)]) + algorithm
    bit_string = bytes([0x03, len(point) + 1, 0x00]) + point
    body = algorithm + bit_string
    return base64.b64encode(bytes([0x30, len(body)]) + body).decode()


def test_pinned_public_key_is_not_a_secret() -> None:
    point = b"\x04" + random.Random(3).randbytes(64)
    spki = _spki_base64(bytes.fromhex("2a8648ce3d030107"), point)
    assert looks_like_public_key_der(spki)
    _assert_nothing(f'    signingKeys: [{{ keyid: "k1", key: "{spki}" }}],')
    # A PKCS#8 private key starts with an INTEGER version instead: not taken for a public one.
    private = base64.b64encode(b"\x30\x81\x87\x02\x01\x00\x30\x13" + bytes(20)).decode()
    assert not looks_like_public_key_der(private)


def test_failed_checksum_token_spelled_in_words_is_a_test_key() -> None:
    text = 'auth = createAuth("ghp_PersonalAccessTokenForTheDocs0000000");'
    (finding,) = scan(text)
    assert (finding.type, finding.test_key, finding.checksum_valid) == ("github-pat", True, False)
    # A random body with a broken checksum stays a finding that is not a test key.
    body = _rand(30)
    tail = crc32_base62_tail(body)
    broken = "ghp_" + body + ("A" if tail[0] != "A" else "B") + tail[1:]
    (lookalike,) = scan(f"t={broken}")
    assert (lookalike.checksum_valid, lookalike.test_key) == (False, False)


URL_SAMPLES = [
    "const cfg = parse('postgres://someuser:somepassword@somehost:5433/somedb')",
    "credentials in a URL (for example `https://user:p%40ss@host`) are decoded first",
    'engine = create_engine("oracle+oracledb://scott:tiger@orahost/xe")',
    'engine = create_engine("mysql+pymysql://scott:tiger^7ZZ@dbhost/app")',
    '  url: "redis://alice:foobared@cache.internal.acme:6380",',
    "// unix://[user[:password]@]/path/to/socket[?db=N]",
    "url = MultiHostUrl('https://alpha.acme:8443,beta:gamma@delta.acme/path')",
]


@pytest.mark.parametrize("line", URL_SAMPLES)
def test_sample_credentials_in_urls_are_quiet(line: str) -> None:
    _assert_quiet(line)


def test_real_password_in_compose_service_url_still_blocks() -> None:
    password = _rand(18)
    assert_secret(
        f"DATABASE_URL=postgres://app:{password}@db:5432/app",
        "postgres-connection-string",
        password,
    )
    assert_secret(
        f"url: mysql://scott:{password}@db.acme.io/app", "mysql-connection-string", password
    )


def test_sample_word_and_host_helpers() -> None:
    assert all(map(is_sample_word, ("someuser", "somepassword", "my_password", "host")))
    assert not any(map(is_sample_word, (_rand(12), "hostile", "Zebra42")))
    assert all(map(is_sample_host, ("host", "somehost", "my-server")))
    assert not any(map(is_sample_host, ("db", "redis", "db.acme.io")))
    assert is_sample_phrase("my awesome password")
    assert not is_sample_phrase("correct horse battery staple")


def test_password_phrase_in_env_is_a_test_key() -> None:
    (finding,) = scan('PGPASSWORD="my awesome password" psql -h db.acme.io')
    assert finding.test_key and finding.confidence is Confidence.LOW


def test_env_password_variable_in_code_dict_is_not_a_secret() -> None:
    _assert_nothing('        env = {"MYSQL_PWD": password}')
    _assert_nothing("        env = {'PGPASSWORD': conn.password, **os.environ}")
    password = _rand(16)
    assert_secret(f'{{"MYSQL_PWD": "{password}"}}', "client-password-env", password)
    assert_secret(f"  MYSQL_PWD: {password}", "client-password-env", password)


def test_published_oauth_examples_are_test_keys() -> None:
    # The OAuth 2.0 specification's example client and tokens, as libraries quote them.
    pair = "s6BhdRkqt3:gX1fBat3bV"
    assert is_published_example(pair)
    header = "Authorization: Basic " + base64.b64encode(pair.encode()).decode()
    _assert_quiet(header)
    _assert_quiet('  {"access_token":"2YotnFZFEjr1zCsicMWpAA", "token_type":"example"}')
    _assert_quiet('  "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA",')
    other = base64.b64encode(f"client:{_rand(16)}".encode()).decode()
    (finding,) = scan(f"Authorization: Basic {other}")
    assert finding.blocking


def test_values_that_name_themselves_are_test_keys() -> None:
    _assert_quiet('          "Password": "AnyKindOfPassword123!@#",')
    _assert_quiet('  "LocalConsolePassword": "PassWordMustBeLong8Chars."')
    not_real = base64.b64encode(b"not my real password").decode()
    _assert_quiet(f"  password: '{not_real}',")
    pair = base64.b64encode(b"alice:not my real password").decode()
    _assert_quiet(f"  '//registry.acme.io/:_auth': '{pair}',")


HANDLES = [
    '          "ChangeToken": "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c",',
    '          "ClientRequestToken": "9a7f1d2e-3f4a-4b6c-8d2e-3f6c2a1e8b4d",',
    '          "nextToken": "QW5vdGhlclBhZ2VPZlJlc3VsdHM=",',
    '          "NextToken": "U2FsdGVkX19kZXYgcGFnZSB0b2tlbiAx",',
    '          "LifecycleActionToken": "4c2e9a7f-1d2e-4f4a-8b6c-3f6c2a1e8b4d",',
    '    "KeyFingerprint": "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f",',
    '    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",',
    '    "PasswordLastUsed": "2024-09-08T21:47:36Z",',
    '    "PasswordLastRotated": "2024-03-18T09:12:44+02:00",',
]


@pytest.mark.parametrize("line", HANDLES)
def test_handles_nonces_fingerprints_and_dates_are_not_secrets(line: str) -> None:
    _assert_nothing(line)


def _rsa_like_body(lines: int) -> list[str]:
    # DER of a ~1.2 KB RSA key starts `30 82 04 a5 02 01 00 02 82 01 01 00`.
    head = base64.b64encode(bytes.fromhex("308204a5020100028201010000") + bytes(50)).decode()
    rng = random.Random(lines)
    body = head + "".join(rng.choice(_B62 + "+/") for _ in range(64 * lines))
    return [body[i : i + 64] for i in range(0, len(body), 64)][:lines]


def test_pem_shortened_for_a_document_is_a_test_key() -> None:
    first = _rsa_like_body(1)[0]
    text = (
        "/** For example, `-----BEGIN RSA PRIVATE KEY----- "
        f"{first}. -----END RSA PRIVATE KEY-----` */"
    )
    (finding,) = scan(text)
    assert finding.type == "private-key-rsa"
    assert finding.test_key and finding.confidence is Confidence.LOW


def test_pem_cut_into_pieces_without_the_mark_still_blocks() -> None:
    lines = _rsa_like_body(3)
    quoted = "\n".join(f'       "{line}"' for line in lines)
    text = (
        f'KEY = ("-----BEGIN RSA PRIVATE KEY-----"\n{quoted}\n'
        '       "-----END RSA PRIVATE KEY-----")\n'
    )
    (finding,) = scan(text)
    assert finding.type == "private-key-rsa" and finding.blocking


# --- 2. private keys in test fixture directories -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "fixture"),
    [
        ("node_modules/ssh2/test/fixtures/id_rsa", True),
        ("pkg/__tests__/keys/server.pem", True),
        ("C:\\src\\app\\testdata\\key.pem", True),
        ("spec/support/cert.key", True),
        ("deploy/keys/id_rsa", False),
        ("test_keys.pem", False),
        ("src/contest/id_rsa", False),
    ],
)
def test_fixture_paths(path: str, fixture: bool) -> None:
    assert is_fixture_path(path) is fixture


def _pem(kind: str = "RSA ") -> str:
    body = "\n".join(_rsa_like_body(6))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----\n"


def test_keys_in_fixture_directories_are_downgraded_and_nothing_else() -> None:
    token = "ghp_" + (body := _rand(30)) + crc32_base62_tail(body)
    text = _pem() + f"\ntoken = {token}\n"
    findings = scan(text)
    assert {f.type for f in findings} == {"private-key-rsa", "github-pat"}
    fixture = downgrade_fixture_keys(findings, "repo/test/fixtures/id_rsa")
    by_type = {f.type: f for f in fixture}
    assert by_type["private-key-rsa"].test_key
    assert by_type["private-key-rsa"].confidence is Confidence.LOW
    assert by_type["github-pat"].blocking  # a token in a test directory is still a token
    assert downgrade_fixture_keys(findings, "repo/deploy/id_rsa") == findings


def test_cli_reports_fixture_keys_as_test_keys(tmp_path: Path) -> None:
    fixture_dir = tmp_path / "tests" / "fixtures"
    fixture_dir.mkdir(parents=True)
    key_file = fixture_dir / "id_rsa"
    key_file.write_text(_pem())
    live_file = tmp_path / "id_rsa"
    live_file.write_text(_pem())
    results: list[tuple[int, list[dict[str, object]]]] = []
    for path in (key_file, live_file):
        out, err = io.StringIO(), io.StringIO()
        status = scan_main([str(path), "--json"], stdin=io.StringIO(), stdout=out, stderr=err)
        results.append((status, json.loads(out.getvalue())))
    (fixture_status, fixture_findings), (live_status, live_findings) = results
    assert fixture_status == 0 and fixture_findings[0]["test_key"] is True
    assert live_status == 1 and live_findings[0]["test_key"] is False
    out = io.StringIO()
    strict = scan_main([str(key_file), "--strict"], stdin=io.StringIO(), stdout=out, stderr=out)
    assert strict == 1


# --- 3. .pgpass lines ------------------------------------------------------------------------


def test_pgpass_lines() -> None:
    pw = _rand(18)
    assert_secret(f"db.acme.io:5432:orders:app:{pw}\n", "pgpass-password", pw)
    assert_secret(f"# comment\n*:*:*:replicator:{pw}", "pgpass-password", pw)
    assert_secret(f'echo "pg.acme.io:6432:*:billing:{pw}" > ~/.pgpass', "pgpass-password", pw)
    assert_secret(f"echo pg.acme.io:6432:*:billing:{pw} >> ~/.pgpass", "pgpass-password", pw)
    escaped = pw[:8] + "\\:" + pw[8:]
    assert_secret(f"wh.acme.io:5432:dw:etl:{escaped}\n", "pgpass-password", escaped)
    assert_secret(f"localhost:5432:app:app:{pw}\n", "pgpass-password", pw, test_key=True)


PGPASS_LOOKALIKES = [
    "nobody:*:-2:-2:Unprivileged User:/var/empty:/usr/bin/false",
    "root:x:0:0:root:/root:/bin/bash",
    "fe80:0000:0000:0000:0204:61ff:fe9d:f156",
    "2001:db8:85a3:0:0:8a2e:370:7334",
    "12:30:45:67:1700000000",
    "host:port:database:username:password",
    "hostname:5432:database:username:${PGPASSWORD}",
    "see the line db.acme.io:5432:orders:app:Zq8vR2mX9kLp4TwN in the docs",
    "aa:bb:cc:dd:ee:ff",
]


@pytest.mark.parametrize("line", PGPASS_LOOKALIKES)
def test_pgpass_lookalikes(line: str) -> None:
    assert not [f for f in scan(line + "\n") if f.type == "pgpass-password"]


# --- 4. INI option files (.pypirc, .my.cnf) --------------------------------------------------


def test_ini_passwords() -> None:
    pw = _rand(22)
    pypirc = (
        f"[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = deploy\npassword = {pw}\n"
    )
    assert_secret(pypirc, "ini-password", pw)
    custom = f"[internal]\nrepository = https://pypi.acme.io/\nusername = ci\npassword: {pw}\n"
    assert_secret(custom, "ini-password", pw)
    mycnf = f'[client]\nuser = backup\npassword = "{pw}"\nhost = db.acme.io\n'
    assert_secret(mycnf, "ini-password", pw)
    after = f"[client]\npassword={pw}\nuser=backup\n"
    assert_secret(after, "ini-password", pw)
    test = (
        f"[testpypi]\nrepository = https://test.pypi.org/legacy/\nusername = u\npassword = {pw}\n"
    )
    assert_secret(test, "ini-password", pw, test_key=True)
    local = f"[client]\nuser = app\nhost = localhost\npassword = {pw}\n"
    assert_secret(local, "ini-password", pw, test_key=True)
    assert_secret(f"[pypi]\npassword = {pw}\n", "ini-password", pw)


INI_LOOKALIKES = [
    "password = Zq8vR2mX9kLp4TwNa1\n",  # no section
    "[server]\nport = 8080\npassword = Zq8vR2mX9kLp4TwNa1\n",  # a section naming no user
    "[pypi]\nusername = __token__\npassword = %(PYPI_TOKEN)s\n",
    "[client]\nuser = app\npassword = ${DB_PASSWORD}\n",
    "## Setup\n[pypi]\nusername: deploy\npassword: the one you chose when you registered\n",
    "[client]\nuser = app\npassword = changeme\n",
]


@pytest.mark.parametrize("text", INI_LOOKALIKES)
def test_ini_lookalikes(text: str) -> None:
    assert not [f for f in scan(text) if f.type == "ini-password"]


# --- 5. Kubernetes Secret manifests as JSON --------------------------------------------------


def _secret(kind: str = "Secret", **data: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "data": data,
        "kind": kind,
        "metadata": {
            "name": "db",
            "annotations": {"last-applied": '{"kind":"Secret","data":{"a":"b"}}'},
        },
        "type": "Opaque",
    }


def test_kubernetes_json_secret_data() -> None:
    pw = _rand(20)
    encoded = base64.b64encode(pw.encode()).decode()
    for dump in (
        json.dumps(_secret(password=encoded, username="YWRtaW4="), indent=2),
        json.dumps(_secret(password=encoded), separators=(",", ":")),
        json.dumps({"kind": "List", "items": [_secret(password=encoded)]}, indent=4),
    ):
        assert_secret(dump, "kubernetes-secret-data", encoded)
    string_data = json.dumps(
        {"apiVersion": "v1", "kind": "Secret", "stringData": {"API_TOKEN": pw}}
    )
    assert_secret(string_data, "kubernetes-secret-data", pw)


def test_kubernetes_json_lookalikes() -> None:
    encoded = base64.b64encode(_rand(20).encode()).decode()
    config_map = json.dumps(_secret(kind="ConfigMap", config=encoded), indent=2)
    assert not [f for f in scan(config_map) if f.type == "kubernetes-secret-data"]
    public = json.dumps(_secret(username=base64.b64encode(b"service-account-1").decode()))
    assert not [f for f in scan(public) if f.type == "kubernetes-secret-data"]
    nested = json.dumps(
        {"kind": "Secret", "data": {"inner": {"token": encoded}}, "metadata": {"name": "x"}}
    )
    assert not [f for f in scan(nested) if f.type == "kubernetes-secret-data"]
    after = json.dumps({"kind": "Secret", "data": {}, "status": {"token": encoded}})
    assert not [f for f in scan(after) if f.type == "kubernetes-secret-data"]


# --- 6. properties of the new parsers ---------------------------------------------------------

_FIELD = st.text(alphabet=_B62 + "._-", min_size=1, max_size=20)
_PASSWORD = st.text(alphabet=_B62 + "!#%&()*+,-./;<=>?@[]^_{|}~", min_size=12, max_size=40)


@settings(max_examples=200, deadline=None)
@given(host=_FIELD, port=st.integers(0, 65535), db=_FIELD, user=_FIELD, password=_PASSWORD)
def test_pgpass_line_is_found_with_its_exact_span_or_judged_benign(
    host: str, port: int, db: str, user: str, password: str
) -> None:
    line = f"{host}:{port}:{db}:{user}:{password}"
    text = f"# pgpass\n{line}\n"
    found = [f for f in scan(text) if f.type == "pgpass-password"]
    for finding in found:
        assert text[finding.start : finding.end] == password
    if found:
        assert len(found) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=":*\\ \t\n\"'x1.-", max_size=300))
def test_colon_soup_never_breaks_the_new_parsers(text: str) -> None:
    for finding in scan(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert "\n" not in text[finding.start : finding.end] or finding.type.startswith("private")


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.one_of(st.text(alphabet=_B62 + "+/=", max_size=40), st.integers(), st.none()),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(["kind", "data", "stringData", "a", "b"]), inner),
        ),
        max_leaves=20,
    )
)
def test_json_documents_never_break_the_kubernetes_reader(document: object) -> None:
    text = json.dumps(document, indent=1)
    for finding in scan(text):
        assert 0 <= finding.start < finding.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_value_heuristics_are_total(value: str) -> None:
    assert isinstance(looks_like_code_expression(value), bool)
    assert isinstance(looks_like_public_key_der(value), bool)
    assert isinstance(is_sample_phrase(value), bool)
    assert isinstance(is_published_example(value), bool)


@settings(max_examples=100, deadline=None)
@given(section=st.text(alphabet=_B62 + "_.-", min_size=1, max_size=20), pw=_PASSWORD)
def test_ini_password_span_is_the_value(section: str, pw: str) -> None:
    text = f"[{section}]\nusername = deploy\npassword = {pw}\n"
    for finding in scan(text):
        if finding.type == "ini-password":
            assert text[finding.start : finding.end] == pw


def test_service_account_key_whose_base64_spells_a_word_is_still_found() -> None:
    # Random key bodies spell placeholder words now and then (`todo` at a line start); the
    # key is judged by its body, not by the words in it.
    body = "\n".join(["todo" + _rand(60, _B62 + "+/"), *_rsa_like_body(8)])
    key = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"
    key_file = json.dumps({"type": "service_account", "private_key": key})
    auth = base64.b64encode(("_json_key:" + key_file).encode()).decode()
    finding = only(json.dumps({"auths": {"gcr.io": {"auth": auth}}}), "docker-config-auth")
    assert finding.confidence is Confidence.HIGH
    template = key_file.replace(_rsa_like_body(8)[2], "<your key here>")
    auth = base64.b64encode(("_json_key:" + template).encode()).decode()
    assert not [f for f in scan(json.dumps({"auth": auth})) if f.type == "docker-config-auth"]
