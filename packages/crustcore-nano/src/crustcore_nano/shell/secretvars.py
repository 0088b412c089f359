"""Environment variables that hold secrets, or the paths of credential files.

Two kinds of variable matter to the analyser:

* **Secret values** (`OPENAI_API_KEY`, `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`,
  ...): the value itself is a credential. Where it flows matters: into an `Authorization`
  header for the service it belongs to is ordinary use; into a request body, a URL, a DNS
  name or the input of a raw socket is exfiltration (see `crustcore_nano.shell.leaks`).
  A name is secret by its last `_`-separated word (`TOKEN`, `SECRET`, `PASSWORD`, `KEY`, ...),
  so new services are covered without a list; names that hold a *path* (`*_TOKEN_FILE`,
  `*_KEY_PATH`: the last word is not a secret word) or are not secret (`PWD`, `OLDPWD`) are
  not.
* **Credential-file paths** (`KUBECONFIG`, `AWS_SHARED_CREDENTIALS_FILE`,
  `GOOGLE_APPLICATION_CREDENTIALS`, ...): the value names a file full of credentials. When the
  analyser cannot know the value (the variable is not in the environment it was given), the
  word keeps its `$NAME` form, and a file operation on it (a read, write, delete or listing
  that a command description reports, including `open('$NAME')` in interpreter code) is an
  operation on the tool's conventional default location, which the builtin path rules
  protect: `cat $AWS_WEB_IDENTITY_TOKEN_FILE` reads a credential file, while
  `kubectl --kubeconfig $KUBECONFIG get pods` (the tool using its own file) and
  `echo $KUBECONFIG` stay ordinary. A value that *is* known is used as is and judged by the
  path rules like any other path.

Both checks are set and dictionary look-ups on one name; nothing here scans text.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

__all__ = [
    "CREDENTIAL_FILE_VARIABLES",
    "credential_file_stand_in",
    "credential_files_read",
    "is_secret_name",
    "with_stand_ins",
]

# Last words of a variable name that mark its value as a credential.
_SECRET_WORDS = frozenset(
    {
        "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "PASSPHRASE",
        "PWD", "APIKEY", "KEY", "KEYS", "CREDENTIAL", "CREDENTIALS", "CREDS", "DSN", "COOKIE",
        "AUTH", "AUTHTOKEN", "WEBHOOK", "PAT",
    }
)  # fmt: skip
# Whole names that are secret although their last word is not in the set above.
_SECRET_NAMES = frozenset(
    {
        "DATABASE_URL", "REDIS_URL", "MONGODB_URI", "MONGO_URL", "AMQP_URL", "SLACK_WEBHOOK_URL",
        "DISCORD_WEBHOOK_URL", "AWS_ACCESS_KEY_ID", "SENTRY_AUTH_TOKEN", "PGPASSWORD",
        "MYSQL_PWD", "VAULT_TOKEN", "GOOGLE_CREDENTIALS", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
    }
)  # fmt: skip
# Names ending in a secret word that are not secrets.
_NOT_SECRET = frozenset(
    {"PWD", "OLDPWD", "KEY", "SSH_AUTH_SOCK", "GPG_KEY", "KEYMAP", "XKB_DEFAULT_KEY"}
)

CREDENTIAL_FILE_VARIABLES: dict[str, str] = {
    "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials",
    "AWS_CONFIG_FILE": "~/.aws/config",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
    "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
    "AZURE_CONFIG_DIR": "~/.azure",
    "AZURE_CLIENT_CERTIFICATE_PATH": "~/.azure/client-certificate.pem",
    "GOOGLE_APPLICATION_CREDENTIALS": "~/.config/gcloud/application_default_credentials.json",
    "GOOGLE_GHA_CREDS_PATH": "~/.config/gcloud/application_default_credentials.json",
    "CLOUDSDK_CONFIG": "~/.config/gcloud",
    "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE": "~/.config/gcloud/credentials.db",
    "KUBECONFIG": "~/.kube/config",
    "KUBE_CONFIG_PATH": "~/.kube/config",
    "DOCKER_CONFIG": "~/.docker",
    "REGISTRY_AUTH_FILE": "~/.docker/config.json",
    "NETRC": "~/.netrc",
    "CURL_HOME": "~",
    "PGPASSFILE": "~/.pgpass",
    "MYSQL_TEST_LOGIN_FILE": "~/.mylogin.cnf",
    "GNUPGHOME": "~/.gnupg",
    "BOTO_CONFIG": "~/.boto",
    "BOTO_PATH": "~/.boto",
    "OCI_CLI_CONFIG_FILE": "~/.oci/config",
    "TF_CLI_CONFIG_FILE": "~/.terraformrc",
    "NPM_CONFIG_USERCONFIG": "~/.npmrc",
    "CARGO_HOME": "~/.cargo",
    "GH_CONFIG_DIR": "~/.config/gh",
    "VAULT_CONFIG_PATH": "~/.vault",
    "GIT_CREDENTIALS_FILE": "~/.git-credentials",
    "SSH_KEY_PATH": "~/.ssh/id_rsa",
}
"""Variables that name a credential file or directory, with the location the owning tool uses
when the variable is unset (`~` is the home directory)."""


@lru_cache(maxsize=1024)
def is_secret_name(name: str) -> bool:
    """Whether environment variable `name` conventionally holds a credential value."""
    upper = name.upper()
    if upper in _SECRET_NAMES:
        return True
    if upper in _NOT_SECRET or upper in CREDENTIAL_FILE_VARIABLES:
        return False
    words = [w for w in upper.split("_") if w]
    if not words:
        return False
    if words[-1] not in _SECRET_WORDS:
        return False
    return len(words) > 1 or words[-1] not in ("KEY", "KEYS", "PASS", "AUTH", "COOKIE", "PAT")


def credential_file_stand_in(name: str, home: str | None) -> str | None:
    """The default credential location `name` would point at, when `name` names one."""
    default = CREDENTIAL_FILE_VARIABLES.get(name)
    if default is None:
        return None
    if default.startswith("~"):
        if home is None:
            return default
        return posixpath.join(home, default[2:]) if len(default) > 1 else home
    return default


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def with_stand_ins(text: str, home: str | None) -> str:
    """`text` with each `$NAME` / `${NAME...}` of a credential-file variable replaced by its
    stand-in location (one left-to-right pass; other references are left alone)."""
    out: list[str] = []
    i = 0
    n = len(text)
    changed = False
    while i < n:
        dollar = text.find("$", i)
        if dollar < 0:
            break
        braced = dollar + 1 < n and text[dollar + 1] == "{"
        start = dollar + 2 if braced else dollar + 1
        end = start
        while end < n and text[end] in _NAME_CHARS:
            end += 1
        stand_in = credential_file_stand_in(text[start:end], home) if end > start else None
        if stand_in is None:
            out.append(text[i : dollar + 1])
            i = dollar + 1
            continue
        if braced:
            close = text.find("}", end)
            end = close + 1 if close >= 0 else n
        out.append(text[i:dollar])
        out.append(stand_in)
        i = end
        changed = True
    if not changed:
        return text
    out.append(text[i:])
    return "".join(out)


# How interpreter code reads its environment, and words that say it then reads a file.
_ENV_ACCESS = ("environ", "getenv", "process.env", "ENV[", "ENV{", "Deno.env", "Getenv")
_FILE_READS = ("open", "read", "load", "File", "cat ", "slurp", "Path(")


def credential_files_read(code: str) -> tuple[str, ...]:
    """Credential-file variables whose file interpreter `code` appears to open: it reads the
    variable from its environment and calls something that reads a file. A few substring
    tests, then one per known variable, only for code that passes them."""
    if not any(a in code for a in _ENV_ACCESS) or not any(r in code for r in _FILE_READS):
        return ()
    return tuple(name for name in CREDENTIAL_FILE_VARIABLES if name in code)
