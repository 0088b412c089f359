"""DLP round 3: passwords in argv lists written in code, MCP entries whose `args` come before
their `command`, long tokens given to `docker login`, and client configuration read by its
structure (`.netrc`, connection strings and `jdbc:` URLs, XML `<password>` elements).

Each miss is checked for its exact span (the password, nothing around it, all of it) and
against benign look-alikes: ports and directories written with the same option, variables
and templates in place of the password, prose that uses the same words. Every credential here
is built from seeded random characters.
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest
from crustcore_nano.dlp import Confidence, redact, scan
from crustcore_nano.dlp.cmdline import program_in_array
from crustcore_nano.dlp.heuristics import is_placeholder
from dlp_testkit import assert_secret, only
from hypothesis import assume, given, settings
from hypothesis import strategies as st

_B62 = string.ascii_letters + string.digits
_RNG = random.Random(20261123)


def _rand(n: int, alphabet: str = _B62) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


PW = "Q7" + _rand(16)
TOKEN_900 = _rand(900, _B62 + "-_")


# --- 1. argv lists in code -------------------------------------------------------------------

ARGV_IN_CODE = [
    (f"subprocess.run(['mysql', '-uroot', '-p{PW}'])", "command-line-password"),
    (f"subprocess.run(['mysql', '-uroot', '--password={PW}', 'app'])", "command-line-password"),
    (f"subprocess.run(['curl', '-u', 'admin:{PW}', url])", "command-line-basic-auth"),
    (
        f"subprocess.run(['curl', '--user', 'admin:{PW}', url], check=True)",
        "command-line-basic-auth",
    ),
    (f"subprocess.run(['sshpass', '-p', '{PW}', 'ssh', h])", "command-line-password"),
    (f"subprocess.run(['sshpass', '-p', \"{PW}\", 'ssh', h])", "command-line-password"),
    (
        f"subprocess.run(['docker', 'login', '-u', user, '-p', '{PW}', registry])",
        "command-line-password",
    ),
    (
        f"Popen(\n    [\n        'redis-cli',\n        '-a',\n        '{PW}',\n    ]\n)",
        "command-line-password",
    ),
    (f"subprocess.run(('mysql', '-p{PW}'))", "command-line-password"),
    (
        f'cmd := exec.Command("sshpass", "-p", "{PW}", "ssh", "deploy@10.0.4.2")',
        "command-line-password",
    ),
    (f"spawn('mysql', ['-h', 'db.acme.io', '-p{PW}'])", "command-line-password"),
    (f'execFile("curl", ["-u", "ci:{PW}", "https://api.acme.io"])', "command-line-basic-auth"),
    (f'Command::new("sshpass").args(["-p", "{PW}"])', "command-line-password"),
    (f"sshpass '-p' '{PW}' ssh deploy@h", "command-line-password"),
    (f"mysql '-p{PW}' app", "command-line-password"),
]


@pytest.mark.parametrize(("text", "kind"), ARGV_IN_CODE)
def test_password_in_an_argv_list_in_code_is_found(text: str, kind: str) -> None:
    assert_secret(text, kind, PW)


# --- 2. MCP entries, `args` before `command` ------------------------------------------------

MCP_ENTRIES = [
    f'{{"args": ["-p{PW}"], "command": "mysql"}}',
    f'{{"mcpServers": {{"db": {{"args": ["-h", "db.acme.io", "-uapp", "-p{PW}"], '
    f'"env": {{"TZ": "UTC"}}, "command": "/usr/bin/mysql"}}}}}}',
    f'{{\n  "args": [\n    "-p",\n    "{PW}"\n  ],\n  "command": "sshpass"\n}}',
    f'[mcp_servers.db]\ncommand = "mysql"\nargs = ["-uapp", "-p{PW}"]\n',
    f"servers = {{'db': {{'args': ['-p{PW}'], 'command': 'mysql'}}}}",
    f'{{"command": "redis-cli", "args": ["-a", "{PW}"]}}',
]


@pytest.mark.parametrize("text", MCP_ENTRIES)
def test_mcp_entry_in_either_order_is_found(text: str) -> None:
    assert_secret(text, "command-line-password", PW)


def test_args_before_command_of_another_entry_is_not_read_as_its_own() -> None:
    # The `command` after the array belongs to the next entry: the array has no program.
    text = f'[{{"args": ["-p{PW}"]}}, {{"command": "mysql", "args": []}}]'
    assert [f for f in scan(text) if f.type == "command-line-password"] == []
    text = f'[{{"command": "mysql", "args": []}}, {{"args": ["-p{PW}"]}}]'
    assert [f for f in scan(text) if f.type == "command-line-password"] == []


def test_program_in_array_reads_the_command_after_the_args() -> None:
    text = f'{{"args": ["-uapp", "-p{PW}"], "command": "mysql"}}'
    at = text.index('"-p')
    found = program_in_array(text, at)
    assert found is not None
    assert found[0] == "mysql"
    assert found[1] == ("-uapp",)
    assert found[2] == text.index("[")


# --- 3. long tokens on `docker login` -------------------------------------------------------

LONG_VALUES = [_rand(n, _B62 + "-_.") for n in (257, 600, 2500, 6000)]


@pytest.mark.parametrize("value", LONG_VALUES, ids=[f"len{len(v)}" for v in LONG_VALUES])
@pytest.mark.parametrize(
    "template",
    [
        "docker login -u oauth2accesstoken -p {v} https://gcr.io",
        "docker login -u oauth2accesstoken --password {v} https://europe-docker.pkg.dev",
        "docker login -u oauth2accesstoken --password={v} https://gcr.io",
        'docker login -u oauth2accesstoken -p "{v}" https://gcr.io',
        '["docker", "login", "-u", "oauth2accesstoken", "-p", "{v}", "gcr.io"]',
        "['docker', 'login', '-u', 'oauth2accesstoken', '--password', '{v}', 'gcr.io']",
    ],
)
def test_long_docker_login_token_is_redacted_whole(template: str, value: str) -> None:
    value = "Z9" + value[2:]  # no `ya29.` prefix: the command-line detector must take it all
    assert_secret(template.format(v=value), "command-line-password", value)


@pytest.mark.parametrize("n", [220, 1500, 3000, 7000])
def test_long_google_access_token_is_redacted_whole(n: int) -> None:
    token = "ya29." + _rand(n, _B62 + "-_")
    text = f"docker login -u oauth2accesstoken -p {token} https://gcr.io"
    assert_secret(text, "google-oauth-access-token", token)


# --- 4. client configuration ----------------------------------------------------------------

CONFIG_POSITIVES = [
    (f"machine api.acme.io\n  login deploy\n  password {PW}\n", "netrc-password"),
    (f"machine git.acme.io login ci password {PW}", "netrc-password"),
    (f"machine git.acme.io password {PW} login ci\n", "netrc-password"),
    (f'machine git.acme.io login ci password "{PW}"\n', "netrc-password"),
    (
        f"Server=tcp:sql.acme.io,1433;Database=app;User ID=app;Password={PW};",
        "connection-string-password",
    ),
    (f"Password={PW};Server=sql.acme.io;Database=app", "connection-string-password"),
    (
        f"Data Source=sql.acme.io;Initial Catalog=app;User Id=sa;Password='{PW}'",
        "connection-string-password",
    ),
    (
        f"Driver={{ODBC Driver 18}};Server=sql.acme.io;Uid=sa;Pwd={{{PW}}};",
        "connection-string-password",
    ),
    (f"Host=db.acme.io;Username=app;PWD={PW}", "connection-string-password"),
    (
        f"jdbc:postgresql://db.acme.io:5432/app?user=app&password={PW}&ssl=true",
        "connection-string-password",
    ),
    (f"jdbc:mysql://db.acme.io/app?password={PW}", "connection-string-password"),
    (
        f"jdbc:sqlserver://sql.acme.io:1433;databaseName=app;user=sa;password={PW};",
        "connection-string-password",
    ),
    (f"jdbc:oracle:thin:app/{PW}@//ora.acme.io:1521/ORCL", "connection-string-password"),
    (
        f"<server><id>r</id><username>deploy</username><password>{PW}</password></server>",
        "xml-password-element",
    ),
    (f"<Password>{PW}</Password>", "xml-password-element"),
    (f"<passphrase> {PW} </passphrase>", "xml-password-element"),
]


@pytest.mark.parametrize(("text", "kind"), CONFIG_POSITIVES)
def test_password_in_client_configuration_is_found(text: str, kind: str) -> None:
    assert_secret(text, kind, PW)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"machine localhost login admin password {PW}", "netrc-password"),
        (f"Server=localhost;Database=app;User Id=sa;Password={PW};", "connection-string-password"),
        (f"jdbc:postgresql://127.0.0.1:5432/app?password={PW}", "connection-string-password"),
        (
            "Server=sql.acme.io;Database=app;User Id=sa;Password=example-password-1;",
            "connection-string-password",
        ),
        ("jdbc:oracle:thin:system/oracle@//db.acme.io:1521/XE", "connection-string-password"),
    ],
)
def test_local_and_example_configuration_is_a_test_key(text: str, kind: str) -> None:
    finding = only(text, kind)
    assert finding.test_key
    assert finding.confidence is Confidence.LOW


# --- benign look-alikes ---------------------------------------------------------------------

LOOK_ALIKES = [
    "subprocess.run(['ssh', '-p', '2222', host])",
    "subprocess.run(['mkdir', '-p', 'build/out'])",
    "subprocess.run(['docker', 'run', '-p', '8080:80', 'nginx'])",
    "subprocess.run(['mysql', '-p', 'appdb'])",
    "subprocess.run(['mysql', '-uroot', '-p'])",
    "subprocess.run(['sshpass', '-p', password, 'ssh', host])",
    "subprocess.run(['curl', '-u', f'{user}:{token}', url])",
    "subprocess.run(['curl', '-u', user, url])",
    "subprocess.run(['redis-cli', '-a', os.environ['REDIS_PASSWORD']])",
    "spawn('docker', ['run', '-p', '3000:3000', image])",
    "print('-p', '--password', 'are options')",
    "parser.add_argument('-p', '--password', help='the password')",
    '{"mcpServers": {"web": {"args": ["-y", "@acme/server", "-p", "3000"], "command": "npx"}}}',
    '{"args": ["-p", "5432"], "command": "psql"}',
    '{"args": ["-p${DB_PASSWORD}"], "command": "mysql"}',
    "machine api.acme.io login deploy password $NETRC_PASSWORD",
    "The machine learning team asked for a password reset on every machine we own.",
    "Each machine has password authentication disabled; login uses keys.",
    "Server=sql.acme.io;Database=app;Integrated Security=True;",
    "Server=sql.acme.io;Database=app;User ID=app;Password=${DB_PASSWORD};",
    "Host=db.acme.io;Username=app;Password={{db_password}};",
    "Host=db.acme.io;Username=app;Password=;",
    "https://app.acme.io/account?reset_password=true&force_password=false",
    "https://app.acme.io/login?password=required",
    "jdbc:oracle:thin:@//ora.acme.io:1521/ORCL",
    "DB_PASSWORD=",
    "password = get_password()",
    'form.password=document.getElementById("pw").value;',
    "cfg.Password=newValue; cfg.Timeout=30;",
    "<password>{COQLCE6DU6GtcS5P=}</password>",
    "<password>${env.DEPLOY_PASSWORD}</password>",
    '<xs:element name="password" type="xs:string"/>',
    "<password></password>",
    "<password>changeme</password>",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_benign_look_alike_is_not_blocked(text: str) -> None:
    assert [f for f in scan(text) if f.blocking] == [], scan(text)


# --- properties -----------------------------------------------------------------------------

_SAFE = "BCDFGHJKLMNPQRSTVWZbcdfghjkmnpqrstvwz23456789!@#%^*+=?~"
_passwords = st.text(alphabet=_SAFE, min_size=6, max_size=40).map(lambda s: "Q7" + s)
_programs = st.sampled_from(["mysql", "/usr/bin/mysql", "mariadb", "mysqldump"])
_fillers = st.lists(
    st.one_of(
        st.sampled_from(["'-h'", "'db.acme.io'", "'-uroot'", "host", "self.port", '"--ssl"']),
        # Never a program name or an option: no known name starts with `x` and ends with a digit.
        st.text(alphabet=string.ascii_letters + "-./ ", max_size=12).map(
            lambda s: repr("x" + s + "1")
        ),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(_passwords, _programs, _fillers, _fillers, st.sampled_from([", ", ",", ",\n    "]))
def test_python_list_password_span_is_exact(
    password: str, program: str, before: list[str], after: list[str], sep: str
) -> None:
    assume(not is_placeholder(password))
    quote = "'" if '"' in password or _RNG.random() < 0.5 else '"'
    element = f"{quote}-p{password}{quote}"
    items = [repr(program), *before, element, *after]
    text = f"subprocess.run([{sep.join(items)}])"
    finding = only(text, "command-line-password")
    assert text[finding.start : finding.end] == password


@settings(max_examples=200, deadline=None)
@given(
    _passwords,
    st.booleans(),
    st.dictionaries(st.sampled_from(["env", "cwd", "type"]), st.text(max_size=8), max_size=2),
)
def test_mcp_entry_any_order_agrees_with_json(
    password: str, command_first: bool, extra: dict[str, str]
) -> None:
    assume(not is_placeholder(password))
    args = ["-h", "db.acme.io", f"-p{password}"]
    entry: dict[str, object] = (
        {"command": "mysql", **extra, "args": args}
        if command_first
        else {"args": args, **extra, "command": "mysql"}
    )
    text = json.dumps({"mcpServers": {"db": entry}})
    finding = only(text, "command-line-password")
    assert text[finding.start : finding.end] == json.dumps(password)[1:-1]


_FRAGMENTS = st.sampled_from(
    [
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        ",",
        " ",
        "\n",
        "'",
        '"',
        "\\",
        "'-p",
        '"-p',
        "'-u'",
        "mysql",
        "'sshpass'",
        '"args": ',
        "args = ",
        '"command": "mysql"',
        "command = 'curl'",
        "machine ",
        " login ",
        " password ",
        "Password=",
        "Pwd=",
        ";Server=h;",
        "?password=",
        "jdbc:oracle:thin:",
        "/",
        "@",
        "<password>",
        "</password>",
        "S3cretVal9",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40))
def test_scan_of_config_and_argv_fragments_is_well_formed(parts: list[str]) -> None:
    text = "".join(parts)
    findings = scan(text)
    previous_end = 0
    for f in findings:
        assert previous_end <= f.start < f.end <= len(text)
        previous_end = f.end
    assert redact(text).count("[REDACTED:") >= len(findings) or not findings


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=0, max_value=300))
def test_program_in_array_never_raises(text: str, at: int) -> None:
    found = program_in_array(text, min(at, len(text)))
    if found is not None:
        name, between, open_at = found
        assert name
        assert isinstance(between, tuple)
        assert 0 <= open_at < len(text)


# --- 5. Kubernetes Secret manifests ---------------------------------------------------------


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _manifest(kind: str, section: str, key: str, value: str, *, kubectl_order: bool) -> str:
    body = f"{section}:\n  {key}: {value}\n  username: {_b64('deploy-user-name')}\n"
    head = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: db\n"
    if kubectl_order:  # `kubectl get -o yaml` sorts the keys: `data` comes before `kind`
        return f"apiVersion: v1\n{body}kind: {kind}\nmetadata:\n  name: db\ntype: Opaque\n"
    return f"---\n{head}type: Opaque\n{body}"


@pytest.mark.parametrize("kubectl_order", [True, False])
@pytest.mark.parametrize("key", ["password", "DB_PASSWORD", "api-token", "config.json"])
def test_kubernetes_secret_data_is_found(key: str, kubectl_order: bool) -> None:
    value = _b64(PW)
    text = _manifest("Secret", "data", key, value, kubectl_order=kubectl_order)
    assert_secret(text, "kubernetes-secret-data", value)
    text = _manifest("Secret", "stringData", key, f'"{PW}"', kubectl_order=kubectl_order)
    assert_secret(text, "kubernetes-secret-data", PW)


def test_kubernetes_private_key_and_docker_config_are_high() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\n" + _rand(64) + "\n-----END PRIVATE KEY-----\n"
    docker = '{"auths":{"ghcr.io":{"auth":"' + _b64("ci:" + PW) + '"}}}'
    for key, value in (("tls.key", pem), (".dockerconfigjson", docker)):
        text = _manifest("Secret", "data", key, _b64(value), kubectl_order=False)
        finding = only(text, "kubernetes-secret-data")
        assert finding.confidence is Confidence.HIGH
        assert text[finding.start : finding.end] == _b64(value)


@pytest.mark.parametrize(
    "text",
    [
        _manifest("ConfigMap", "data", "password", _b64(PW), kubectl_order=False),
        _manifest("Secret", "metadata", "password", _b64(PW), kubectl_order=False),
        _manifest("Secret", "data", "ca.crt", _b64(PW), kubectl_order=False),
        _manifest("Secret", "data", "host", _b64(PW), kubectl_order=True),
        _manifest("Secret", "stringData", "password", "${DB_PASSWORD}", kubectl_order=True),
        _manifest("Secret", "data", "password", "bm90IGJhc2U2NA!!", kubectl_order=False),
        f"kind: Secret\n---\nkind: ConfigMap\ndata:\n  password: {_b64(PW)}\n",
    ],
)
def test_kubernetes_look_alikes_are_not_secret_data(text: str) -> None:
    assert [f for f in scan(text) if f.type == "kubernetes-secret-data"] == []
    assert [f for f in scan(text) if f.blocking] == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "kind: Secret\n",
                "---\n",
                "data:\n",
                "stringData:\n",
                "  password: ",
                "  tls.key: ",
                "    nested: ",
                "UW03dlQyeFI5a0xwNFd6OA==",
                '"Qm7vT2xR9kLp4Wz8"',
                " # note",
                "\n",
                "# data:\n",
            ]
        ),
        max_size=30,
    )
)
def test_scan_of_manifest_fragments_is_well_formed(parts: list[str]) -> None:
    text = "".join(parts)
    previous_end = 0
    for f in scan(text):
        assert previous_end <= f.start < f.end <= len(text)
        if f.type == "kubernetes-secret-data":
            value = text[f.start : f.end]
            assert value and "\n" not in value and not value.startswith(" ")
        previous_end = f.end


# --- 6. YAML `args:` lists ------------------------------------------------------------------

YAML_ENTRIES = [
    f"mcpServers:\n  db:\n    command: mysql\n    args:\n      - -h\n      - db.acme.io\n"
    f"      - -p{PW}\n",
    f'extensions:\n  db:\n    args:\n      - "-uapp"\n      - "-p{PW}"\n    cmd: /usr/bin/mysql\n'
    "    timeout: 300\n",
    f"servers:\n  - name: db\n    command: mariadb\n    args:\n      - --password={PW}\n"
    "      - --ssl\n",
]


@pytest.mark.parametrize("text", YAML_ENTRIES)
def test_password_in_a_yaml_args_list_is_found(text: str) -> None:
    assert_secret(text, "command-line-password", PW)


@pytest.mark.parametrize(
    "text",
    [
        f"a:\n  command: mysql\nb:\n  args:\n    - -p{PW}\n",
        f"steps:\n  - run: echo\n    args:\n      - -p{PW}\n",
        f"  web:\n    command: npx\n    args:\n      - -p\n      - '3000'\n      - -p{PW}\n",
        "db:\n  command: mysql\n  args:\n    - -uapp\n    - -p${DB_PASSWORD}\n",
    ],
)
def test_yaml_args_of_another_program_are_not_a_password(text: str) -> None:
    assert [f for f in scan(text) if f.type == "command-line-password"] == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["  ", "    ", "- ", "-p", "args:", "command: mysql", "cmd: ", "\n", "#", "S3cretVal9"]
        ),
        max_size=40,
    )
)
def test_scan_of_yaml_args_fragments_is_well_formed(parts: list[str]) -> None:
    text = "".join(parts)
    previous_end = 0
    for f in scan(text):
        assert previous_end <= f.start < f.end <= len(text)
        previous_end = f.end
