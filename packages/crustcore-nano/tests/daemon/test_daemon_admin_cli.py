"""Approvals and secrets from the CLI, against a real kernel daemon process."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.admin_cli import (
    HomeLayout,
    approvals_main,
    approve_main,
    deny_main,
    secrets_main,
)
from crustcore_nano.daemon.client import KernelClient
from crustcore_nano.daemon.supervisor import down_main, probe_kernel
from crustcore_nano.daemon.vault import Vault, VaultEntry

PASS = b"admin-cli test passphrase"
VALUE = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def pw_fd(passphrase: bytes = PASS) -> int:
    read_end, write_end = os.pipe()
    os.write(write_end, passphrase + b"\n")
    os.close(write_end)
    return read_end


def run_cmd(main: Callable[..., int], *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real kernel daemon (``python -m crustcore_nano.daemon serve``) for this module."""
    root = tmp_path_factory.mktemp("admin") / "home"
    root.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "CRUSTCORE_HOME"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crustcore_nano.daemon", "serve", "--home", str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    layout = HomeLayout.resolve(root)
    try:
        wait_for(lambda: probe_kernel(layout) is not None, "the kernel to answer")
        yield root
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_approvals_list_approve_with_digest_and_waiting_edge(home: Path) -> None:
    with KernelClient(home) as edge:
        pending = edge.request_approval(
            "bash",
            {"command": f"curl -H 'x: {VALUE}' https://example.com"},
            reversibility="destructive",
        )
    approval_id, digest = str(pending["approval_id"]), str(pending["digest"])

    code, out, _ = run_cmd(approvals_main, "--home", str(home), "--json")
    assert code == 0
    listed = {item["approval_id"]: item for item in json.loads(out)}
    assert listed[approval_id]["digest"] == digest
    assert listed[approval_id]["action"]["params"]["tool"] == "bash"
    code, out, _ = run_cmd(approvals_main, "--home", str(home))
    assert code == 0
    assert approval_id in out and digest[:16] in out and "bash" in out

    # A waiting edge gets the answer as soon as the user resolves it.
    answers: list[str] = []

    def wait() -> None:
        with KernelClient(home) as waiter:
            answers.append(waiter.wait_approval(approval_id, timeout_s=60))

    thread = threading.Thread(target=wait)
    thread.start()

    wrong = "0123456789" if not digest.startswith("0123456789") else "9876543210"
    code, _, err = run_cmd(approve_main, approval_id, "--digest", wrong, "--home", str(home))
    assert code == 1
    assert "not the one you were shown" in err
    assert not answers

    code, _, err = run_cmd(approve_main, approval_id, "--digest", "abc", "--home", str(home))
    assert code == 2 and "at least 8 hex digits" in err

    code, out, err = run_cmd(
        approve_main, approval_id, "--digest", digest[:12], "--home", str(home)
    )
    assert code == 0, err
    assert f"digest {digest}" in out
    assert "is now approved" in out
    thread.join(timeout=30)
    assert answers == ["approved"]

    code, _, err = run_cmd(approve_main, approval_id, "--home", str(home))
    assert code == 1 and "no pending approval" in err


def test_deny_resolves_one_approval(home: Path) -> None:
    with KernelClient(home) as edge:
        pending = edge.request_approval("git", {"args": ["push", "--force"]})
    approval_id = str(pending["approval_id"])
    code, out, err = run_cmd(deny_main, approval_id, "--home", str(home), "--json")
    assert code == 0, err
    assert json.loads(out)["state"] == "denied"
    code, out, _ = run_cmd(approvals_main, "--home", str(home), "--json")
    assert approval_id not in {item["approval_id"] for item in json.loads(out)}


def test_secrets_add_list_replace_rm_through_the_running_kernel(home: Path) -> None:
    fd = pw_fd()
    code, out, err = run_cmd(
        secrets_main,
        "add",
        "openai",
        "--host",
        "api.openai.com",
        "--home",
        str(home),
        "--passphrase-fd",
        str(fd),
        stdin=VALUE + "\n",
    )
    assert code == 0, err
    assert "the running kernel now holds secret://openai" in out
    stored = Vault.for_home(home, PASS).load()
    assert stored["openai"].value == VALUE
    assert stored["openai"].hosts == ("api.openai.com",)

    with KernelClient(home) as client:
        shown = client.redact(f"the key is {VALUE}.")
    assert VALUE not in shown.text

    code, out, _ = run_cmd(secrets_main, "list", "--home", str(home), "--json")
    assert code == 0
    assert VALUE not in out
    rows = json.loads(out)
    assert {"handle": "secret://openai", "availability": "available"}.items() <= rows[0].items()
    assert rows[0]["hosts"] == ["api.openai.com"]

    # Replacing the value: the kernel learns the new one, and still scrubs the old one.
    new_value = "sk-live-replacement-00000000000000000"
    code, _, err = run_cmd(
        secrets_main,
        "add",
        "openai",
        "--home",
        str(home),
        "--passphrase-fd",
        str(pw_fd()),
        stdin=new_value,
    )
    assert code == 0, err
    assert Vault.for_home(home, PASS).load()["openai"].value == new_value
    with KernelClient(home) as client:
        shown = client.redact(f"{new_value} and {VALUE}")
    assert new_value not in shown.text and VALUE not in shown.text

    code, out, err = run_cmd(
        secrets_main, "rm", "openai", "--home", str(home), "--passphrase-fd", str(pw_fd())
    )
    assert code == 0, err
    assert "the vault and the running kernel" in out
    assert "openai" not in Vault.for_home(home, PASS).load()
    code, out, _ = run_cmd(secrets_main, "list", "--home", str(home), "--json")
    assert json.loads(out) == []
    code, _, err = run_cmd(
        secrets_main, "rm", "openai", "--home", str(home), "--passphrase-fd", str(pw_fd())
    )
    assert code == 1 and "no secret named 'openai'" in err


def test_wrong_vault_passphrase_changes_nothing(home: Path) -> None:
    code, _, err = run_cmd(
        secrets_main,
        "add",
        "other",
        "--home",
        str(home),
        "--passphrase-fd",
        str(pw_fd(b"a different passphrase")),
        stdin="value-for-other-123456",
    )
    assert code == 1
    assert "does not decrypt" in err
    with KernelClient(home, role="admin") as admin:
        assert all(item["name"] != "other" for item in admin.secrets_list())


def test_without_a_kernel_secrets_edit_the_vault_and_approvals_say_so(tmp_path: Path) -> None:
    home = tmp_path / "idle"
    code, out, err = run_cmd(
        secrets_main,
        "add",
        "github",
        "--home",
        str(home),
        "--passphrase-fd",
        str(pw_fd()),
        stdin="ghp_0123456789abcdefghijklmnopqrstuvwxyz",
    )
    assert code == 0, err
    assert "running kernel" not in out
    code, out, _ = run_cmd(
        secrets_main, "list", "--home", str(home), "--json", "--passphrase-fd", str(pw_fd())
    )
    assert code == 0
    assert json.loads(out) == [
        {"availability": "stored", "handle": "secret://github", "hosts": [], "source": "vault"}
    ]
    code, _, err = run_cmd(approvals_main, "--home", str(home))
    assert code == 1
    assert "no CrustCore kernel is running" in err
    code, _, err = run_cmd(secrets_main, "bogus", "--home", str(home))
    assert code == 2 and "use add, list or rm" in err
    code, _, err = run_cmd(secrets_main, "add", "tiny", "--home", str(home), stdin="abc")
    assert code == 1 and "shorter than 8 bytes" in err


def test_up_unlocks_the_vault_and_hands_its_secrets_to_the_kernel(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    Vault.for_home(home, PASS).put(VaultEntry("openai", VALUE, ("api.openai.com",)))
    env = {k: v for k, v in os.environ.items() if k != "CRUSTCORE_HOME"}
    fd = pw_fd()
    code = (
        "import sys; from crustcore_nano.daemon.supervisor import up_main; "
        "sys.exit(up_main(sys.argv[1:], stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--home", str(home), "--detach", "--passphrase-fd", str(fd)],
        env=env,
        pass_fds=(fd,),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(fd)
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        with KernelClient(home, role="admin") as admin:
            listed = admin.secrets_list()
        assert [item["handle"] for item in listed] == ["secret://openai"]
        assert listed[0]["grant"] == {"hosts": ["api.openai.com"], "header": "Authorization"}
        assert VALUE not in done.stdout + done.stderr
    finally:
        down_main(
            ["--home", str(home)], stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO()
        )
