"""Red team: commands that print a stored credential are denied; their harmless kin are not.

Threat: an injected agent does not read `~/.config/gh/hosts.yml` (a path rule denies that);
it asks the tool that owns the credential to print it (`gh auth token`, `gcloud auth
print-access-token`, `kubectl config view --raw`, `git credential fill`, `security
find-generic-password -w`, `aws sts assume-role`, `npm token create`, `gpg
--export-secret-keys`, a password manager's `bw get password`, `sops -d`), or reads what a
container platform mounts (`/var/run/secrets/kubernetes.io/serviceaccount/token`). The
output lands in the model's context, which leaves the machine. Benign look-alikes: the same
tools' status and listing commands, which print no secret.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Decision, Origin, ToolCall, Verdict


@pytest.fixture(scope="module")
def engine(
    tmp_path_factory: pytest.TempPathFactory,
    policy_engine: Callable[[Path, Path], PolicyEngine],
) -> PolicyEngine:
    root = tmp_path_factory.mktemp("credcmd")
    return policy_engine(root / "home" / "dev", root / "ws")


def _bash(engine: PolicyEngine, command: str) -> Decision:
    return engine.evaluate(ToolCall("Bash", {"command": command}, Origin.MODEL))


@pytest.mark.parametrize(
    "command",
    [
        "gh auth token",
        "gh auth status --show-token",
        "sudo gh auth token",
        "gcloud auth print-access-token",
        "gcloud auth application-default print-access-token",
        "gcloud config config-helper --format=json",
        "aws configure export-credentials --format env",
        "aws configure get aws_secret_access_key",
        "aws sts get-session-token",
        "az account get-access-token",
        "kubectl config view --raw",
        "kubectl get secret db -o jsonpath='{.data.password}' | base64 -d",
        "kubectl get secrets/db -oyaml",
        "kubectl create token default",
        "printf 'protocol=https\\nhost=github.com\\n' | git credential fill",
        "git credential-store get",
        "docker-credential-desktop get <<< https://index.docker.io/v1/",
        "security find-generic-password -s github -w",
        # Clustered short options: `-wa NAME` is `-w -a NAME`, `-th HOST` is `-t -h HOST`.
        "security find-generic-password -wa github",
        "security find-internet-password -gs github.com",
        "gh auth status -th github.com",
        "keepassxc-cli show -qs vault.kdbx github",
        "keepassxc-cli show -t vault.kdbx github",
        "security dump-keychain -d",
        "secret-tool lookup service github",
        "op read op://Private/github/token",
        "pass show github/token",
        "vault kv get secret/db",
        "heroku auth:token",
        "aws sts assume-role --role-arn arn:aws:iam::1:role/ci --role-session-name s",
        "aws ecr get-login-password --region us-east-1",
        "aws --profile prod sts get-session-token",
        "aws codeartifact get-authorization-token --domain d --query authorizationToken",
        "aws sso get-role-credentials --role-name r --account-id 1 --access-token t",
        "az acr login --name reg --expose-token",
        "npm token create",
        "yarn config get npmAuthToken",
        "gpg --armor --export-secret-keys me@example.com",
        "gpg2 --export-secret-subkeys",
        "flyctl auth token",
        "bw get password github",
        "bw get item github",
        "bw list items --search aws",
        "bw export --format json",
        "bw unlock --raw",
        "rbw get github",
        "lpass show --password github",
        "gopass show -o email/gmail",
        "gopass email/gmail",
        "keepassxc-cli show -s vault.kdbx github",
        "keepassxc-cli show -a password vault.kdbx github",
        "keepassxc-cli export vault.kdbx",
        "sops -d secrets.enc.yaml",
        "sops decrypt secrets.enc.yaml",
        "ansible-vault view group_vars/all/vault.yml",
    ],
)
def test_credential_printing_commands_are_denied(engine: PolicyEngine, command: str) -> None:
    decision = _bash(engine, command)
    assert decision.verdict is Verdict.DENY, (command, decision)
    assert decision.rule == "builtin:credential-commands", (command, decision)


def test_platform_mounted_secrets_are_credentials(engine: PolicyEngine) -> None:
    for path in ("/var/run/secrets/kubernetes.io/serviceaccount/token", "/run/secrets/db_pw"):
        decision = engine.evaluate(ToolCall("Read", {"file_path": path}, Origin.MODEL))
        assert decision.verdict is Verdict.DENY, (path, decision)
        assert decision.rule == "builtin:cloud-credentials"


@pytest.mark.parametrize(
    "command",
    [
        "gh auth status",
        "gh auth status -h github.com",
        "security find-generic-password -s github",
        "security find-generic-password -a w -s github",
        "gh pr list",
        "gcloud auth list",
        "aws configure get region",
        "aws s3 ls",
        "az account show",
        "kubectl config view",
        "kubectl get secrets",
        "kubectl get secrets -o name",
        "kubectl get pods -o wide",
        "git credential reject < /dev/null",
        "pass ls",
        "vault status",
        "op whoami",
        "aws sts get-caller-identity",
        "aws --region us-east-1 s3 ls",
        "aws ecr describe-repositories",
        "npm token list",
        "yarn config get registry",
        "gpg --armor --export me@example.com",
        "gpg --list-secret-keys",
        "fly status",
        "bw get template item",
        "bw list folders",
        "bw status",
        "rbw list",
        "lpass ls",
        "gopass ls",
        "keepassxc-cli show vault.kdbx github",
        "keepassxc-cli show -q -a username vault.kdbx github",
        "keepassxc-cli ls vault.kdbx",
        "sops -e -i secrets.yaml",
        "sops -d -i secrets.enc.yaml",
        "ansible-vault encrypt group_vars/all/vault.yml",
    ],
)
def test_status_and_listing_commands_stay_allowed(engine: PolicyEngine, command: str) -> None:
    decision = _bash(engine, command)
    assert decision.verdict is Verdict.ALLOW, (command, decision)
