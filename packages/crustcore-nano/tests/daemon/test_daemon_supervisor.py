"""The supervisor behind ``crustcore up / status / down``: real processes, sockets and files.

The sidecars here are tiny modules written into a temporary directory on PYTHONPATH: real
processes that read their token from ``CRUSTCORE_TOKEN_FD``, connect with their role and stay up
(or crash on purpose), exactly as a sidecar package would.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crustcore_nano.daemon.admin_cli import HomeLayout
from crustcore_nano.daemon.supervisor import (
    RestartPolicy,
    SidecarSpec,
    down_main,
    module_problem,
    parse_up_config,
    pid_alive,
    status_main,
)
from crustcore_nano.errors import ConfigError
from crustcore_nano.eventlog import KIND_CHECKPOINT, iter_records, verify_log
from hypothesis import given, settings
from hypothesis import strategies as st

UP = (
    "import sys; from crustcore_nano.daemon.supervisor import up_main; "
    "sys.exit(up_main(sys.argv[1:], stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr))"
)

SIDECAR = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from crustcore_nano.daemon.client import KernelClient

    client = KernelClient(role=os.environ.get("FAKE_ROLE", "net"))
    marks = Path(os.environ["FAKE_MARKS"])
    leaked = "FAKE_IMPORTED" in os.environ or "CRUSTCORE_VAULT_PASSPHRASE" in os.environ
    note = str(client.server_info.get("role")) + ("|leaked" if leaked else "")
    (marks / f"connected-{os.getpid()}").write_text(note)
    if os.environ.get("FAKE_CRASH"):
        sys.exit(3)
    while True:
        time.sleep(0.2)
    """
)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def exited(pid: int) -> Callable[[], bool]:
    return lambda: not pid_alive(pid)


def state(home: Path) -> dict[str, object]:
    doc: object = json.loads((home / "run" / "supervisor.json").read_text())
    assert isinstance(doc, dict)
    return doc  # pyright: ignore[reportUnknownVariableType]


def sidecar_entry(home: Path, name: str = "net") -> dict[str, object]:
    sidecars = state(home)["sidecars"]
    assert isinstance(sidecars, dict)
    entry = sidecars[name]  # pyright: ignore[reportUnknownVariableType]
    assert isinstance(entry, dict)
    return entry  # pyright: ignore[reportUnknownVariableType]


def kernel_pid(home: Path) -> int:
    kernel = state(home)["kernel"]
    assert isinstance(kernel, dict)
    pid = kernel["pid"]  # pyright: ignore[reportUnknownVariableType]
    assert isinstance(pid, int)
    return pid


class Env:
    """A home, a sidecar module directory and the environment the supervisor runs with."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.mods = root / "mods"
        self.marks = root / "marks"
        for d in (self.mods, self.marks):
            d.mkdir()
        self.home.mkdir(mode=0o700)
        (self.mods / "fake_sidecar.py").write_text(SIDECAR)
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(self.mods), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        self.env["FAKE_MARKS"] = str(self.marks)
        self.env.pop("CRUSTCORE_HOME", None)

    def config(self, text: str) -> None:
        (self.home / "crustcore.toml").write_text(textwrap.dedent(text))

    def up(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", UP, "--home", str(self.home), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def up_done(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", UP, "--home", str(self.home), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def connected(self) -> list[int]:
        return sorted(int(p.name.split("-")[1]) for p in self.marks.glob("connected-*"))


NET_CONFIG = """
    [sidecars]
    backoff_initial = 0.05
    backoff_max = 0.2

    [sidecars.net]
    enabled = true
    module = "fake_sidecar"
    port = 18999
"""


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path)
    yield e
    # Never leave a process behind, whatever the test did.
    run = e.home / "run"
    if (run / "supervisor.lock").exists():
        down_main(
            ["--home", str(e.home)], stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO()
        )


def run_cmd(main: Callable[..., int], *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- config (pure)


def test_config_parses_sidecars_and_restart_settings() -> None:
    config = parse_up_config(textwrap.dedent(NET_CONFIG), source="c.toml")
    assert config.enabled == (SidecarSpec("net", "fake_sidecar", "net", True, 18999, ()),)
    assert config.restart.initial_s == 0.05
    assert config.restart.max_s == 0.2
    off = parse_up_config("[sidecars.mcp]\nenabled = false\n", source="c.toml")
    assert off.enabled == ()
    assert off.sidecars[0].module == "crustcore_mcp"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[sidecars.net]\nenabled = true\nbogus = 1\n", 3, "unknown key 'bogus'"),
        ("\n[sidecars.net]\nport = 70000\n", 3, "port must be 1..65535"),
        ("[sidecars.web]\nenabled = true\n", 1, "role must be one of"),
        ("[sidecars]\nrestart_limit = -1\n", 2, "restart_limit"),
        ('[sidecars.net]\nmodule = "a b"\n', 2, "module must be"),
        ("[sidecars]\nfoo = 1\n", 2, "unknown"),
    ],
)
def test_config_errors_name_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_up_config(text, source="c.toml")
    assert str(info.value).startswith(f"c.toml:{line}:")
    assert words in str(info.value)


def test_policy_part_is_validated_too() -> None:
    with pytest.raises(ConfigError, match=r"c\.toml"):
        parse_up_config("[[rules]]\nname = 'x'\naction = 'explode'\n", source="c.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_up_config("[sidecars\n", source="c.toml")


_KEYS = st.sampled_from(
    ["enabled", "module", "role", "port", "args", "bogus", "restart_limit", "backoff_max"]
)
_VALUES = st.one_of(
    st.booleans(),
    st.integers(-5, 70000),
    st.sampled_from(['"net"', '"fake_sidecar"', '"a b"', '"mcp"', '["--x"]', "[1]", "1.5"]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["net", "mcp", "web", "bad name", ""]),
            st.lists(st.tuples(_KEYS, _VALUES), max_size=5),
        ),
        max_size=3,
    )
)
def test_config_parser_returns_a_config_or_a_located_error(
    tables: list[tuple[str, list[tuple[str, object]]]],
) -> None:
    lines: list[str] = []
    for name, pairs in tables:
        lines.append(f'[sidecars."{name}"]' if name else "[sidecars]")
        seen: set[str] = set()
        for key, value in pairs:
            if key in seen:
                continue
            seen.add(key)
            text = str(value).lower() if isinstance(value, bool) else str(value)
            lines.append(f"{key} = {text}")
    message = ""
    specs: tuple[SidecarSpec, ...] = ()
    try:
        specs = parse_up_config("\n".join(lines) + "\n", source="p.toml").sidecars
    except ConfigError as exc:
        message = str(exc)
    assert message == "" or message.startswith("p.toml")
    for spec in specs:
        assert spec.role in ("net", "mcp", "sandbox")
        assert spec.port is None or 1 <= spec.port <= 65535


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_config_parser_is_total_on_arbitrary_text(text: str) -> None:
    message = "p.toml"
    try:
        parse_up_config(text, source="p.toml")
    except ConfigError as exc:
        message = str(exc)
    assert "p.toml" in message


# --------------------------------------------------------------------------- restart policy (pure)


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(0, 10),
    window=st.floats(0.1, 100),
    initial=st.floats(0.01, 5),
    cap=st.floats(0.01, 60),
    gaps=st.lists(st.floats(0, 50), max_size=30),
)
def test_backoff_grows_is_capped_and_gives_up(
    limit: int, window: float, initial: float, cap: float, gaps: list[float]
) -> None:
    policy = RestartPolicy(limit, window, initial, cap)
    crashes: tuple[float, ...] = ()
    now = 0.0
    for gap in gaps:
        now += gap
        crashes, delay = policy.after_crash(crashes, now)
        assert all(now - t < window or t == now for t in crashes)
        if delay is None:
            assert len(crashes) > limit
        else:
            assert len(crashes) <= limit
            assert 0 < delay <= max(cap, 0)
            assert delay == min(initial * 2 ** (len(crashes) - 1), cap)


def test_backoff_doubles_then_gives_up_after_the_limit() -> None:
    policy = RestartPolicy(limit=3, window_s=60, initial_s=1, max_s=100)
    crashes: tuple[float, ...] = ()
    delays = []
    for t in (0.0, 1.0, 2.0, 3.0):
        crashes, delay = policy.after_crash(crashes, t)
        delays.append(delay)
    assert delays == [1, 2, 4, None]
    # Crashes that fell out of the window no longer count.
    _, delay = policy.after_crash(crashes, 200.0)
    assert delay == 1


# --------------------------------------------------------------------------- module checks


def test_module_problem_finds_missing_and_non_runnable_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "runnable_pkg").mkdir()
    (tmp_path / "runnable_pkg" / "__init__.py").write_text("")
    (tmp_path / "runnable_pkg" / "__main__.py").write_text("")
    (tmp_path / "library_pkg").mkdir()
    (tmp_path / "library_pkg" / "__init__.py").write_text("raise SystemExit('imported!')")
    (tmp_path / "plain_mod.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert module_problem(SidecarSpec("x", "runnable_pkg", "net")) is None
    assert module_problem(SidecarSpec("x", "plain_mod", "net")) is None
    problem = module_problem(SidecarSpec("x", "library_pkg", "net"))
    assert problem is not None and "cannot run as a program" in problem  # and was not imported
    missing = module_problem(SidecarSpec("net", "crustcore_nothere", "net"))
    assert missing is not None and "is not installed" in missing
    default = module_problem(SidecarSpec("zz", "crustcore_zz", "net"))
    assert default is not None and "pip install crustcore-zz" in default


# --------------------------------------------------------------------------- real processes


def test_missing_sidecar_package_is_one_line_and_starts_nothing(env: Env) -> None:
    env.config("[sidecars.net]\nenabled = true\nmodule = 'crustcore_missing_sidecar'\n")
    done = env.up_done()
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "crustcore_missing_sidecar is not installed" in lines[0]
    assert "Traceback" not in done.stderr
    assert not (env.home / "run" / "kernel.sock").exists()
    assert not (env.home / "run" / "supervisor.json").exists()


def test_config_error_is_reported_with_file_and_line(env: Env) -> None:
    env.config("[sidecars.net]\nenabled = true\ncolour = 'blue'\n")
    done = env.up_done()
    assert done.returncode == 2
    assert f"{env.home / 'crustcore.toml'}:3:" in done.stderr
    assert "Traceback" not in done.stderr


def test_up_restart_refuse_twice_status_and_down(env: Env) -> None:
    env.config(NET_CONFIG)
    sup = env.up()
    try:
        wait_for(lambda: len(env.connected()) == 1, "the sidecar to connect")
        wait_for((env.home / "run" / "supervisor.pid").exists, "supervisor.pid")
        first = env.connected()[0]
        assert (env.marks / f"connected-{first}").read_text() == "net"
        assert sidecar_entry(env.home)["pid"] == first
        kpid = kernel_pid(env.home)

        # Some work for the log, through a real client.
        from crustcore_nano.daemon.client import KernelClient

        with KernelClient(env.home) as client:
            client.create_task("supervised task")

        # The token never appears on a command line.
        for pid in (kpid, first):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            assert b"token" not in cmdline.replace(b"--tokens-fd", b"")

        # status
        code, out, _ = run_cmd(status_main, "--home", str(env.home), "--json")
        assert code == 0
        doc = json.loads(out)
        assert doc["running"] is True
        assert doc["kernel"]["pid"] == kpid
        assert doc["sidecars"]["net"]["pid"] == first
        assert doc["kernel_status"]["pending_approvals"] == 0
        code, out, _ = run_cmd(status_main, "--home", str(env.home))
        assert code == 0 and "sidecar     net: running" in out

        # A second `up` on the same home is refused, naming the pid.
        again = env.up_done()
        assert again.returncode == 1
        assert f"already running for {env.home} (supervisor pid {sup.pid})" in again.stderr

        # SIGKILL the sidecar: the supervisor restarts it.
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: len(env.connected()) == 2, "the restarted sidecar to connect")
        second = env.connected()[1] if env.connected()[0] == first else env.connected()[0]
        wait_for(lambda: sidecar_entry(env.home)["restarts"] == 1, "the restart to be recorded")
        assert sidecar_entry(env.home)["pid"] == second
        assert pid_alive(second)

        # down
        code, out, err = run_cmd(down_main, "--home", str(env.home))
        assert code == 0, err
        assert "stopped the supervisor" in out
        assert "event log verifies" in out and "records, sealed" in out
        assert sup.wait(timeout=30) == 0
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()
    for pid in (sup.pid, kpid, first, second):
        assert not pid_alive(pid), f"pid {pid} survived crustcore down"
    report = verify_log(env.home / "log")
    assert report.ok
    assert report.unsealed_records == 0
    records = list(iter_records(env.home / "log"))
    assert records[-1].kind == KIND_CHECKPOINT
    assert any(r.kind == "task.created" for r in records)
    run = env.home / "run"
    assert not (run / "supervisor.pid").exists()
    assert not (run / "supervisor.json").exists()
    assert not (run / "kernel.sock").exists()
    code, out, _ = run_cmd(status_main, "--home", str(env.home))
    assert code == 1 and "not running" in out


def test_sigint_stops_everything_cleanly_and_imported_env_stays_in_the_kernel(env: Env) -> None:
    env.config(NET_CONFIG)
    env.env["FAKE_IMPORTED"] = "sk-imported-from-env-0123456789"
    env.env["CRUSTCORE_VAULT_PASSPHRASE"] = "never-passed-on"
    sup = env.up("--import-env", "FAKE_IMPORTED=imported")
    try:
        wait_for(lambda: len(env.connected()) == 1, "the sidecar to connect")
        wait_for((env.home / "run" / "supervisor.pid").exists, "supervisor.pid")
        kpid = kernel_pid(env.home)
        sidecar = env.connected()[0]
        assert (env.marks / f"connected-{sidecar}").read_text() == "net"  # nothing leaked
        from crustcore_nano.daemon.client import KernelClient

        with KernelClient(env.home, role="admin") as admin:
            assert [s["handle"] for s in admin.secrets_list()] == ["secret://imported"]
        with KernelClient(env.home) as client:
            assert "sk-imported" not in client.redact("sk-imported-from-env-0123456789").text
        sup.send_signal(signal.SIGINT)
        out, _ = sup.communicate(timeout=30)
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()
    assert sup.returncode == 0
    assert "stopped on SIGINT" in out
    assert "listening on" in out and "sidecar net (fake_sidecar)" in out and "port 18999" in out
    assert not pid_alive(kpid) and not pid_alive(sidecar)
    assert verify_log(env.home / "log").ok


def test_crash_looping_sidecar_is_given_up_with_a_message(env: Env) -> None:
    env.config(
        NET_CONFIG.replace("[sidecars]", "[sidecars]\nrestart_limit = 2\nrestart_window = 60")
    )
    env.env["FAKE_CRASH"] = "1"
    sup = env.up()
    try:
        wait_for((env.home / "run" / "supervisor.json").exists, "the state file")
        wait_for(lambda: sidecar_entry(env.home)["state"] == "failed", "the supervisor to give up")
        entry = sidecar_entry(env.home)
        assert entry["restarts"] == 2
        assert entry["last_exit"] == 3
        assert len(env.connected()) == 3  # the first start and two restarts, each authenticated
        code, out, _ = run_cmd(status_main, "--home", str(env.home), "--json")
        assert code == 0 and json.loads(out)["kernel_answers"] is True
        code, _, _ = run_cmd(down_main, "--home", str(env.home))
        assert code == 0
        _, err = sup.communicate(timeout=30)
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()
    assert "crashed 3 times within 60 s" in err
    assert "not restarting it again" in err


def test_detach_returns_when_ready_and_down_stops_it(env: Env) -> None:
    env.config(NET_CONFIG)
    done = env.up_done("--detach")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready: supervisor pid" in done.stdout
    layout = HomeLayout.resolve(env.home)
    sup_pid = int(layout.supervisor_pid.read_text())
    assert pid_alive(sup_pid)
    # A session of its own, which it does not lead: it can never acquire a controlling terminal.
    assert os.getsid(sup_pid) != os.getsid(0)
    assert os.getsid(sup_pid) != sup_pid
    wait_for(lambda: len(env.connected()) == 1, "the sidecar to connect")
    kpid = kernel_pid(env.home)
    code, out, _ = run_cmd(status_main, "--home", str(env.home), "--json")
    assert code == 0 and json.loads(out)["supervisor"]["pid"] == sup_pid
    code, out, _ = run_cmd(down_main, "--home", str(env.home))
    assert code == 0
    for pid in (sup_pid, kpid, env.connected()[0]):
        wait_for(exited(pid), f"pid {pid} to exit", timeout=10)
    log = layout.supervisor_log.read_text()
    assert "listening on" in log
    assert "stopped on SIGTERM" in log
    assert oct(layout.supervisor_log.stat().st_mode & 0o777) == oct(0o600)


def test_down_with_nothing_running_is_a_no_op(env: Env) -> None:
    code, out, _ = run_cmd(down_main, "--home", str(env.home))
    assert code == 0
    assert "nothing is running" in out


def test_down_cleans_up_after_a_killed_supervisor(env: Env) -> None:
    env.config(NET_CONFIG)
    sup = env.up()
    try:
        wait_for(lambda: len(env.connected()) == 1, "the sidecar to connect")
        wait_for((env.home / "run" / "supervisor.pid").exists, "supervisor.pid")
        kpid, sidecar = kernel_pid(env.home), env.connected()[0]
        sup.kill()
        sup.wait(timeout=10)
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()
    assert pid_alive(kpid) and pid_alive(sidecar)  # orphans of the dead supervisor
    again = env.up_done()
    assert again.returncode == 1
    assert f"kernel pid {kpid}" in again.stderr and f"sidecar net pid {sidecar}" in again.stderr
    code, out, err = run_cmd(down_main, "--home", str(env.home))
    assert code == 0, err
    assert "left by a supervisor that died" in out
    for pid in (kpid, sidecar):
        wait_for(exited(pid), f"pid {pid} to exit", timeout=10)
    assert verify_log(env.home / "log").ok
    assert not (env.home / "run" / "supervisor.json").exists()
