"""Red-team round 3 (persistence) for the shell analyser: installers it did not see.

Each installer is now reported as a write of the file it really creates, so the builtin path
rules decide it the same way as writing that file directly:

* `at`/`batch` queue a job in the spool even without arguments (`echo x | batch`);
* `git init|clone --template=DIR` copies DIR's hooks into the repository's `.git/hooks`;
* `git maintenance start` installs a systemd timer (or cron/launchd job);
* `systemd-run --on-calendar=...` (and other timer/path/socket options) schedules a transient
  unit, and its option values no longer pass for the command (`--on-calendar hourly sh x`);
* `loginctl enable-linger` lets user units outlive the session;
* `npm|pnpm|yarn|pip config set|delete|edit` rewrite the tool's config file;
* `cp`/`mv`/`install`/`ln` into a directory also write `DIR/basename(SRC)`;
* `git --config-env=KEY=VAR` for a key git runs is code the analyser cannot read.

Everyday look-alikes (listing jobs, reading config, plain copies) report nothing new.
"""

from __future__ import annotations

import pytest
from crustcore_nano.shell import OpKind, ShellAnalysis, ShellSignal, analyze
from hypothesis import given, settings
from hypothesis import strategies as st

HOME = "/home/u"
WS = "/w/proj"
ENV = {"HOME": HOME, "PATH": "/usr/bin:/bin"}
TIMER = HOME + "/.config/systemd/user/git-maintenance@.timer"
PLIST = HOME + "/Library/LaunchAgents/org.git-scm.git.hourly.plist"
USER_UNIT = "/run/user/self/systemd/transient/run.timer"
PIP = HOME + "/.config/pip/pip.conf"
SP = ".venv/lib/python3.12/site-packages"


def _an(text: str) -> ShellAnalysis:
    return analyze(text, env=ENV, home=HOME, cwd=WS)


def _writes(text: str) -> set[str]:
    """Written targets, workspace paths shown relative to the workspace."""
    return {
        op.target.removeprefix(WS + "/") for op in _an(text).operations if op.kind is OpKind.WRITE
    }


# ---------------------------------------------------------------- scheduled jobs


@pytest.mark.parametrize(
    "text",
    ["echo 'sh x' | batch", "echo 'sh x' | at now + 1 minute", "at -f job.sh 03:00", "batch"],
)
def test_at_and_batch_queue_a_job(text: str) -> None:
    assert "/var/spool/cron/atjobs" in _writes(text)


@pytest.mark.parametrize("text", ["at -l", "at -r 3", "at -d 3", "at -c 3", "atq"])
def test_at_listing_and_removal_queue_nothing(text: str) -> None:
    assert "/var/spool/cron/atjobs" not in _writes(text)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("git maintenance start", TIMER),
        ("git maintenance start --scheduler=systemd-timer", TIMER),
        ("git maintenance start --scheduler=crontab", "/var/spool/cron/crontabs"),
        ("git maintenance start --scheduler=launchctl", PLIST),
        ("systemd-run --user --on-calendar=hourly sh x", USER_UNIT),
        ("systemd-run --on-active=30 /tmp/x", "/run/systemd/transient/run.timer"),
        ("systemd-run --user --on-calendar hourly sh x", USER_UNIT),
        ("loginctl enable-linger dev", "/var/lib/systemd/linger/dev"),
        ("loginctl enable-linger", "/var/lib/systemd/linger/self"),
    ],
)
def test_schedulers_write_their_unit(text: str, written: str) -> None:
    assert written in _writes(text)


def test_systemd_run_timer_value_is_not_the_command() -> None:
    a = _an("systemd-run --user --on-calendar hourly cat ~/.ssh/id_rsa")
    assert "cat" in [c.name for c in a.commands]
    assert HOME + "/.ssh/id_rsa" in {op.target for op in a.operations if op.kind is OpKind.READ}


@pytest.mark.parametrize(
    "text",
    [
        "git maintenance run",
        "git maintenance register",
        "systemd-run --user --scope make",
        "loginctl list-sessions",
        "loginctl disable-linger dev",
    ],
)
def test_everyday_service_commands_schedule_nothing(text: str) -> None:
    written = _writes(text)
    assert not any("systemd" in w or "cron" in w or "linger" in w for w in written), written


# ---------------------------------------------------------------- git templates and config-env


@pytest.mark.parametrize(
    ("text", "hooks"),
    [
        ("git init --template=/tmp/t", "./.git/hooks"),
        ("git init --template /tmp/t .", "./.git/hooks"),
        ("git init --template=/tmp/t sub", "sub/.git/hooks"),
        ("git clone --template=/tmp/t https://github.com/a/b.git", "b/.git/hooks"),
        ("git clone --template=/tmp/t https://github.com/a/b vendor/b", "vendor/b/.git/hooks"),
        ("git clone --template=/tmp/t git@github.com:a/lib.git", "lib/.git/hooks"),
    ],
)
def test_git_template_plants_hooks(text: str, hooks: str) -> None:
    assert hooks in _writes(text)


@pytest.mark.parametrize(
    "text", ["git init", "git init --template= .", "git clone https://github.com/a/b.git"]
)
def test_git_without_template_plants_nothing(text: str) -> None:
    assert not any(w.endswith(".git/hooks") for w in _writes(text))


@pytest.mark.parametrize(
    "text",
    [
        "git --config-env=core.fsmonitor=X status",
        "git --config-env core.pager=X log",
        "git --config-env=alias.st=Y st",
        "git --config-env=core.hooksPath=H commit -m x",
        "git --config-env=filter.x.clean=C add .",
    ],
)
def test_git_config_env_for_a_program_key_is_unresolved(text: str) -> None:
    assert ShellSignal.UNRESOLVED_CODE in _an(text).signals


@pytest.mark.parametrize(
    "text", ["git --config-env=user.name=GIT_NAME commit -m x", "git --config-env color.ui=C log"]
)
def test_git_config_env_for_a_plain_key_is_fine(text: str) -> None:
    assert ShellSignal.UNRESOLVED_CODE not in _an(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "git config core.alternateRefsCommand 'cat ~/.ssh/id_rsa'",
        "git config interactive.diffFilter 'cat ~/.ssh/id_rsa'",
        "git -c sendemail.sendmailcmd='cat ~/.ssh/id_rsa' send-email x",
    ],
)
def test_more_git_keys_are_read_as_commands(text: str) -> None:
    reads = {op.target for op in _an(text).operations if op.kind is OpKind.READ}
    assert HOME + "/.ssh/id_rsa" in reads


# ---------------------------------------------------------------- package-manager config


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("npm config set script-shell /tmp/x.sh", HOME + "/.npmrc"),
        ("npm set node-options '--require /tmp/x.js'", HOME + "/.npmrc"),
        ("npm config delete registry", HOME + "/.npmrc"),
        ("npm config edit", HOME + "/.npmrc"),
        ("npm config set --location=project script-shell /tmp/x", ".npmrc"),
        ("npm config set -g script-shell /tmp/x", "/usr/local/etc/npmrc"),
        ("npm config set --userconfig /tmp/rc a b", "/tmp/rc"),
        ("pnpm config set script-shell /tmp/x", HOME + "/.config/pnpm/rc"),
        ("yarn config set yarnPath /tmp/x.js", ".yarnrc.yml"),
        ("yarn config set yarn-path /tmp/x.js", HOME + "/.yarnrc"),
        ("yarn config set -H npmRegistryServer https://e.example", HOME + "/.yarnrc.yml"),
        ("pip config set global.index-url https://e.example/simple", PIP),
        ("pip3 config --user set global.index-url https://e.example", PIP),
        ("pip config --global set global.index-url https://e.example", "/etc/pip.conf"),
        ("pip config unset global.index-url", PIP),
    ],
)
def test_package_manager_config_writes_its_file(text: str, written: str) -> None:
    assert written in _writes(text)


@pytest.mark.parametrize(
    "text",
    [
        "npm config get registry",
        "npm config list",
        "npm set-script test jest",
        "npm install",
        "pip config list",
        "pip install -r requirements.txt",
        "yarn config get npmRegistryServer",
        "pnpm install",
    ],
)
def test_package_manager_reads_write_no_config(text: str) -> None:
    written = _writes(text)
    assert not any(
        w.endswith(("npmrc", "pip.conf", ".yarnrc", ".yarnrc.yml", "/rc")) for w in written
    )


# ---------------------------------------------------------------- copies into a directory


@pytest.mark.parametrize(
    ("text", "landed"),
    [
        ("cp /tmp/x.pth " + SP + "/", SP + "/x.pth"),
        ("cp /tmp/x.pth " + SP, SP + "/x.pth"),
        ("mv /tmp/hooks .git", ".git/hooks"),
        ("cp -r /tmp/t/hooks/ .git/", ".git/hooks"),
        ("cp /tmp/dot/.bashrc ~", HOME + "/.bashrc"),
        ("cp a b /", "/b"),
        ("install -m 755 /tmp/pre-commit .git/hooks/", ".git/hooks/pre-commit"),
        ("cp -t site-packages /tmp/a.pth /tmp/b.pth", "site-packages/b.pth"),
        ("ln -s /tmp/x.pth " + SP + "/", SP + "/x.pth"),
        ("ln -s /tmp/a /tmp/b dir", "dir/b"),
    ],
)
def test_copy_into_a_directory_reports_where_it_lands(text: str, landed: str) -> None:
    assert landed in _writes(text)


def test_plain_copy_still_reports_its_destination() -> None:
    written = _writes("cp src/app.py src/app_old.py")
    assert "src/app_old.py" in written
    assert "src/app_old.py/app.py" in written  # where it would land were it a directory


def test_single_link_reports_one_link() -> None:
    a = _an("ln -s ~/.ssh/id_rsa leak")
    assert [op.target for op in a.operations if op.kind is OpKind.LINK] == [WS + "/leak"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab./-~ *", min_size=0, max_size=12), min_size=0, max_size=80),
    st.sampled_from(["cp", "mv", "ln -s", "install", "git clone --template=t", "npm config set"]),
)
def test_new_handlers_stay_bounded(words: list[str], program: str) -> None:
    """Any argument list: no exception, and copies report at most a bounded number of landed
    paths per destination (64 sources)."""
    text = program + " " + " ".join(repr(w) for w in words)
    a = _an(text)
    assert len(a.operations) <= 4 * len(words) + 140


# ---------------------------------------------------------------- git config verbs


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("git config --global --edit", HOME + "/.gitconfig"),
        ("git config -e", ".git/config"),
        ("git config set core.pager less", ".git/config"),
        ("git config unset user.name", ".git/config"),
    ],
)
def test_git_config_edits_write_the_file(text: str, written: str) -> None:
    assert written in _writes(text)


@pytest.mark.parametrize("text", ["git config get user.name", "git config list", "git config -l"])
def test_git_config_reads_write_nothing(text: str) -> None:
    assert not any(w.endswith(("config", ".gitconfig")) for w in _writes(text))


def test_git_config_set_verb_reads_the_value_as_a_command() -> None:
    a = _an("git config set alias.x '!cat ~/.ssh/id_rsa'")
    assert HOME + "/.ssh/id_rsa" in {op.target for op in a.operations if op.kind is OpKind.READ}
