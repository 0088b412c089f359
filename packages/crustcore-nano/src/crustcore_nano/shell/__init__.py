"""Shell command analysis for the evaluation pipeline (standard library only).

Agents hand us shell command lines; the rule engine needs to know what they would do. This package
parses the POSIX/bash subset agents write (lists, pipelines, `&&`/`||`, subshells, brace groups,
`if`/`for`/`while`/`until`/`case`, functions, quoting, `$'...'`, here-documents, `$()`, backticks,
`$(( ))`, `<()`/`>()`, every redirection form) and walks the tree *without running anything*:

* expands `$VAR`, `${VAR}`, `${VAR:-x}`, `~` and brace expansions from the given environment and
  from assignments earlier in the same line; anything undeterminable is kept in its source form
  and marked inexact (`CommandFact.argv_exact`), never dropped;
* sees through wrappers (`sudo`, `env`, `timeout`, `nice`, `nohup`, `strace`, `xargs`, `watch`,
  `flock`, `su -c`, ...) and follows `sh -c`, `eval`, `source`, pipes into shells, here-documents
  fed to interpreters, `find -exec`, `git -c core.sshCommand=...`, `ssh -o ProxyCommand=...`,
  scripts read from `/dev/stdin` or a `<(...)`, and the recipes of a makefile the line itself
  supplies (`make -f - <<< ...`, `make --eval`; `crustcore_nano.shell.makefile`), up to
  `ShellLimits.max_depth` levels;
* scans interpreter one-liners (`python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`, `awk`
  programs, ...) for file paths, URLs, sockets and the shell commands they spawn;
* reports facts per command (program, argv, reads, writes, deletes, network targets, env
  assignments, chmod modes) and evasion signals (`ShellSignal`).

Public API::

    analyze(command, *, env=None, home=None, cwd=None, limits=None) -> ShellAnalysis
    parse(command, limits=None) -> Script            # the syntax tree (raises ShellSyntaxError)
    tokenize(command, limits=None) -> Lexed          # tokens only (raises ShellSyntaxError)
    network_text(analysis) -> str                    # the line with data-only commands blanked

What `ShellAnalysis` holds (all tuples, deduplicated, in first-seen order):

* `commands`: one `CommandFact` per simple command reached (including inside `sh -c`, `eval`,
  substitutions, functions and interpreter `os.system(...)` strings): `program`, `name`
  (basename), `argv`/`argv_exact` after unwrapping, `full_argv` before it, `wrappers`,
  `redirects`, `operations`, `env`, `network`, `code` (interpreter scan), `privileged`,
  `depth`, `context`, `text` and `span` (into the string it was parsed from);
* `reads`, `writes`, `deletes`, `executes`, `listings`: paths (expanded where determinable;
  an unknown part keeps its source form, e.g. `$X/.env`); `operations` has every
  `Operation(kind: OpKind, target, exact, detail)` including CHMOD, CHOWN, LINK, ENV, NETWORK
  (unix sockets) and CHDIR;
* `network`: `NetworkTarget(host, port, url, via, listen)`; `env_assignments`: `(name, value)`
  pairs from `VAR=x cmd`, `env`, `export`/`declare` and plain assignments; `chmods`: `ChmodFact`
  with `world_writable`, `setuid`, `setgid` spelled out;
* `signals` (a frozenset of `ShellSignal`) and `findings` (each signal with a reason and the
  text it was seen in); `parsed_ok`, `error` and `steps` (work used, never above the budget);
  `feeding` (indexes of pipeline stages whose output reaches a command that is not data-only).
  `SECRET_EXFILTRATION` says a network client sends a secret environment variable's value
  (`crustcore_nano.shell.leaks`); tunnels and `ssh -R` raise `REVERSE_SHELL`
  (`crustcore_nano.shell.tunnels`); a credential-file variable the environment does not give
  (`$KUBECONFIG`, `$AWS_WEB_IDENTITY_TOKEN_FILE`) expands to its tool's default location
  (`crustcore_nano.shell.secretvars`).

`analyze` never raises for any string: text it cannot parse, or input over the size, depth or step
bounds, comes back with `parsed_ok=False` and/or the matching signal (`UNPARSEABLE`, `TOO_LARGE`,
`DEPTH_LIMIT`, `STEP_LIMIT`) so the rule engine never silently allows what we could not read.
Only a non-`str` command (or other wrongly typed argument) raises `ShellArgumentError`.

`analyze` is a pure function of its arguments; results for commands up to 4 KiB are kept in a
small LRU cache (`clear_cache()` empties it), since agents repeat the same commands often.
A line of plain words, quotes and `|`/`&&`/`||`/`;` (most of what agents send) takes a shortcut
past the general lexer and parser (`fastparse`) that gives the same tree, result and step count.

`env` is treated as the complete environment: a name missing from it expands to the empty string.
Without `env`, unknown names stay unknown (inexact). `home` defaults to `env["HOME"]`. With `cwd`
given, relative paths are joined to it (and `cd` is followed: a directory that cannot be worked
out is kept as written, so `cd "$(cmd)" && cat f` reads `$(cmd)/f`, and each `CommandFact.cwd`
says where that command runs); paths are otherwise not normalized (that is the path resolver's
job).
"""

from __future__ import annotations

from crustcore_nano.shell.analyzer import analyze, clear_cache, mode_bits
from crustcore_nano.shell.datatext import network_text
from crustcore_nano.shell.errors import (
    ShellArgumentError,
    ShellError,
    ShellLimitError,
    ShellSyntaxError,
    StepLimitError,
)
from crustcore_nano.shell.facts import (
    ChmodFact,
    CodeFact,
    CommandFact,
    Finding,
    NetworkTarget,
    Operation,
    OpKind,
    RedirectFact,
    ShellAnalysis,
    ShellSignal,
)
from crustcore_nano.shell.lexer import tokenize
from crustcore_nano.shell.limits import ShellLimits
from crustcore_nano.shell.parser import parse
from crustcore_nano.shell.syntax import Lexed, Script

__all__ = [
    "ChmodFact",
    "CodeFact",
    "CommandFact",
    "Finding",
    "Lexed",
    "NetworkTarget",
    "OpKind",
    "Operation",
    "RedirectFact",
    "Script",
    "ShellAnalysis",
    "ShellArgumentError",
    "ShellError",
    "ShellLimitError",
    "ShellLimits",
    "ShellSignal",
    "ShellSyntaxError",
    "StepLimitError",
    "analyze",
    "clear_cache",
    "mode_bits",
    "network_text",
    "parse",
    "tokenize",
]
