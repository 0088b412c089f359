"""Path resolution and workspace confinement for tool calls.

A path from an agent is a string that some other program will interpret later: a shell expands
``~`` and ``$HOME``, the kernel follows symlinks on every ancestor, ``/proc/self/root`` leads back
to ``/``, and ``/dev/fd/3`` is whatever that descriptor points at.  :class:`PathResolver`
computes what the path *means* in several forms so rules can match every one of them, and decides
whether it is confined to the workspace root.  Both the lexical form (what a naive checker sees)
and the real form (what the kernel would open) must be inside the root before a write counts as
confined.

Only metadata is read (``os.lstat``, ``os.readlink``, ``os.scandir`` for the one-time case probe);
no file contents, no subprocess, no network.  Everything that cannot be decided (an unknown
variable, another user's home, a file descriptor of another process, a symlink loop, a NUL byte)
is reported as a :class:`PathSignal` and makes the path *not* confined: unknown means no.
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import stat
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.normalize import normalize_text

__all__ = [
    "DIR_CACHE",
    "MAX_PATH_CHARS",
    "MAX_SYMLINK_HOPS",
    "PathResolver",
    "PathSignal",
    "ResolvedPath",
    "is_within",
    "lexical_clean",
]

MAX_SYMLINK_HOPS = 40
"""The same bound Linux uses before ``ELOOP``."""
# How many missing directories `PathResolver.plain` looks through for a held one above them.
_MISSING_DEPTH = 8

MAX_PATH_CHARS = 16384
"""Longer expanded paths are not resolved on disk (the OS would refuse them anyway)."""


class PathSignal(enum.Enum):
    """What resolution found in a path; the rule engine decides how much each one weighs."""

    TRAVERSAL = "traversal"
    """``..`` climbs above the directory the path started from (cwd, or any ``..`` in an
    absolute path)."""
    SYMLINK = "symlink"
    """At least one symlink was followed."""
    SYMLINK_ESCAPE = "symlink_escape"
    """The lexical form is inside the root but a symlink takes the real form outside."""
    SYMLINK_LOOP = "symlink_loop"
    """More than 40 symlinks were followed; the rest of the path was resolved lexically."""
    PROC_ROOT = "proc_root"
    """``/proc/self/root``, ``/proc/<pid>/root`` or ``/proc/thread-self/root`` (mapped to ``/``)."""
    PROC_CWD = "proc_cwd"
    """``/proc/self/cwd`` (mapped to the resolver's cwd) or ``/proc/<pid>/cwd`` of some other
    process, whose working directory is unknown (mapped to ``/``, see :class:`PathResolver`)."""
    DEV_FD = "dev_fd"
    """``/dev/fd/N``, ``/dev/std*`` or ``/proc/<pid>/fd/N``: a descriptor of some process."""
    HOME = "home"
    """``~`` or ``$HOME`` was expanded."""
    OTHER_USER_HOME = "other_user_home"
    """``~user`` for a user other than the current one (`/root` for root, otherwise guessed as a
    sibling of home)."""
    ENV_VAR = "env_var"
    """A variable other than HOME was expanded from the given environment."""
    UNKNOWN_VAR = "unknown_var"
    """A ``$VAR`` that is not in the environment, or an expansion form that is not supported;
    it is left as written, never silently emptied."""
    NUMBER_VAR = "number_var"
    """A variable the shell itself sets to a number (``$$``, ``$!``, ``$PPID``, ``$RANDOM``,
    ``$UID``, ...), left as written: its value is unknown, but it cannot add a ``/``, a ``..``
    or a glob, so ``/tmp/out.$$`` stays in ``/tmp``."""
    NUL_BYTE = "nul_byte"
    """The path contains NUL; it is cut there, as a C program would."""
    CONTROL_CHARS = "control_chars"
    """Control characters (newline, ESC, DEL, C1, ...) inside the path."""
    NON_NORMALIZED = "non_normalized"
    """The text changes under :func:`~crustcore_nano.normalize.normalize_text` (look-alikes,
    invisible or bidi characters); rules should also match :meth:`ResolvedPath.forms`."""
    BACKSLASH = "backslash"
    """A ``\\`` was treated as a separator."""
    WINDOWS_DRIVE = "windows_drive"
    """A Windows drive prefix such as ``C:`` was seen."""
    TRAILING_DOTS = "trailing_dots"
    """A segment had trailing dots or spaces (which Windows drops)."""
    UNREADABLE = "unreadable"
    """Metadata of an ancestor could not be read; the rest was resolved lexically."""
    TOO_LONG = "too_long"
    """The expanded path exceeds :data:`MAX_PATH_CHARS`; it was not resolved on disk."""


# Signals under which a path is never reported confined.
_UNCONFINABLE = frozenset(
    {
        PathSignal.NUL_BYTE,
        PathSignal.DEV_FD,
        PathSignal.SYMLINK_LOOP,
        PathSignal.UNKNOWN_VAR,
        PathSignal.OTHER_USER_HOME,
        PathSignal.PROC_CWD,
        PathSignal.TOO_LONG,
        PathSignal.UNREADABLE,
    }
)


@dataclass(frozen=True, slots=True)
class ResolvedPath:
    """Every form of one path that policy needs, and whether it stays in the workspace."""

    original: str
    """Exactly what the agent sent."""
    expanded: str
    """After ``~``, ``~user``, ``$HOME``/``${HOME}`` and other variables from the environment."""
    lexical: str
    """Absolute, ``\\`` as ``/``, ``.``/``..``/``//`` collapsed, trailing dots and spaces dropped
    from segments, without looking at the filesystem."""
    real: str
    """What the kernel would open: symlinks followed on every ancestor, ``/proc`` magic links
    mapped, a missing tail resolved lexically from its deepest existing ancestor."""
    confined: bool
    """Both ``real`` and ``lexical`` are inside the root, and nothing undecidable was seen."""
    case_folded: str | None
    """``lexical`` case-folded when the filesystem is case-insensitive, else ``None``."""
    signals: frozenset[PathSignal]

    def forms(self) -> tuple[str, ...]:
        """The distinct strings a path rule must be matched against (deny if any one matches)."""
        seen: dict[str, None] = {}
        for form in (self.lexical, self.real):
            seen[form] = None
            seen[normalize_text(form)] = None
        if self.case_folded is not None:
            for form in list(seen):
                seen[form.casefold()] = None
        return tuple(seen)


# ----------------------------------------------------------------------------------------------
# Lexical helpers
# ----------------------------------------------------------------------------------------------


def _collapse(segments: list[str]) -> list[str]:
    out: list[str] = []
    for seg in segments:
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    return out


def lexical_clean(path: str) -> str:
    """POSIX-clean an absolute path: collapse ``//``, ``.`` and ``..`` (``/..`` is ``/``).

    A relative path is treated as relative to ``/``.  Purely textual; no filesystem access.
    """
    return "/" + "/".join(_collapse(path.split("/")))


def is_within(path: str, root: str, *, case_insensitive: bool = False) -> bool:
    """True when ``path`` is ``root`` or lies below it, on segment boundaries.

    Both are cleaned lexically first, so ``/work/root/../x`` is not within ``/work/root`` and
    ``/work/rootx`` is not within ``/work/root``.
    """
    p = lexical_clean(path)
    r = lexical_clean(root)
    if case_insensitive:
        p = p.casefold()
        r = r.casefold()
    if r == "/":
        return True
    return p == r or p.startswith(r + "/")


def _under(clean: str, clean_root: str) -> bool:
    """`is_within` for two strings already in `lexical_clean` form."""
    return clean_root in ("/", clean) or clean.startswith(clean_root + "/")


def _is_number(seg: str) -> bool:
    """ASCII digits only (`str.isdigit` also accepts other scripts' digits)."""
    return bool(seg) and _DIGITS.issuperset(seg)


def _strip_trailing(seg: str) -> str:
    """Windows drops trailing dots and spaces from a name; ``.`` and ``..`` keep their meaning."""
    core = seg.rstrip(" ")
    if core in (".", ".."):
        return core
    stripped = seg.rstrip(". ")
    return stripped if stripped else "."


_CONTROL_RE = re.compile("[\x01-\x1f\x7f-\x9f]")
_DRIVE_RE = re.compile(r"[A-Za-z]:(?:[/\\]|$)")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
NUMBER_VARIABLES = frozenset(
    {
        "PPID", "BASHPID", "RANDOM", "SRANDOM", "UID", "EUID", "SECONDS", "LINENO",
        "EPOCHSECONDS", "HISTCMD", "SHLVL",
    }
)  # fmt: skip
"""Variables bash sets to a number whatever the environment holds."""
# A process directory, or one thread's directory inside it: `root`, `cwd` and `fd` under either
# are magic links of that process (or thread).
_PROC_PID_RE = re.compile(r"/proc/(?:self|thread-self|[0-9]+)(?:/task/[0-9]+)?")
_PROC_PROCESS_RE = re.compile(r"/proc/(?:self|thread-self|[0-9]+)")
_PROC_TASKS_RE = re.compile(r"/proc/(?:self|thread-self|[0-9]+)/task")
_DIGITS = frozenset("0123456789")
_PROC_FD_RE = re.compile(r"/proc/(?:self|thread-self|[0-9]+)(?:/task/[0-9]+)?/fd")


# ----------------------------------------------------------------------------------------------
# Case sensitivity probe
# ----------------------------------------------------------------------------------------------

_CASE_CACHE: dict[tuple[int, int], bool] = {}


def _same_file(a: str, b: str) -> bool:
    try:
        sa = os.lstat(a)
        sb = os.lstat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _probe_case_insensitive(real_root: str) -> bool:
    """Decide once per directory whether names under ``real_root`` ignore case.

    Looks for an existing name with letters (the root itself, else one of its first entries) and
    checks whether its case-swapped spelling is the same file.  Never creates anything; with no
    usable name it answers ``False`` (case-sensitive).
    """
    try:
        st = os.stat(real_root)
    except (OSError, ValueError):
        return False
    key = (st.st_dev, st.st_ino)
    cached = _CASE_CACHE.get(key)
    if cached is not None:
        return cached
    answer = False
    parent, name = os.path.split(real_root)
    if name and name.swapcase() != name:
        answer = _same_file(real_root, os.path.join(parent, name.swapcase()))
    else:
        try:
            with os.scandir(real_root) as it:
                for count, entry in enumerate(it):
                    if count >= 64:
                        break
                    if entry.name.swapcase() != entry.name:
                        answer = _same_file(
                            entry.path, os.path.join(real_root, entry.name.swapcase())
                        )
                        break
        except (OSError, ValueError):
            answer = False
    if len(_CASE_CACHE) < 1024:
        _CASE_CACHE[key] = answer
    return answer


# ----------------------------------------------------------------------------------------------
# Directory cache (performance only; see docs/policy.md, "The directory cache")
# ----------------------------------------------------------------------------------------------


class _DirCache:
    """Directories already known to be plain (no symlink, no magic link on the way), each held
    open as an ``O_PATH`` descriptor, so a later path under one of them needs no ``lstat`` of
    every ancestor.

    Why this can never turn a deny into an allow: an entry is *revalidated on every use* by
    reading ``/proc/self/fd/N``, which is the kernel's current canonical path of the very
    directory the descriptor holds. The hit counts only when that path equals the lexical
    prefix exactly. The canonical path passes through real directories only, so equality means
    that, right now, walking the prefix from ``/`` meets no symlink and ends at that directory:
    exactly what the full ``lstat`` walk would find. Swapping any ancestor for a symlink
    requires renaming or removing the directory that stood there, which changes the canonical
    path of everything below it (a removed directory reads ``... (deleted)``), so the entry
    misses and the full walk runs. The final component is never cached: it is ``lstat``-ed on
    every call. Entries are made only after an ``open(O_NOFOLLOW)`` plus the same readlink
    check, never from a walk's result. Covering a directory with a new mount (a privileged
    operation) is outside what this check sees. Linux only; elsewhere it is off.
    """

    __slots__ = ("_enabled", "_fds", "_lock", "_proc")

    _MAX = 128

    def __init__(self) -> None:
        flags = ("O_PATH", "O_DIRECTORY", "O_NOFOLLOW")
        self._enabled = all(hasattr(os, f) for f in flags) and os.path.isdir("/proc/self/fd")
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._proc = _open_proc_fds() if self._enabled else None

    @property
    def enabled(self) -> bool:
        """Whether this platform supports the cache (Linux with ``/proc``)."""
        return self._enabled

    def holds(self, directory: str) -> bool:
        """Whether a descriptor for ``directory`` is held (not whether it is still valid)."""
        return directory in self._fds

    def valid(self, directory: str) -> bool:
        """Whether ``directory`` (absolute, lexically clean) is, right now, a real directory
        reached without any symlink, according to a held descriptor."""
        fd = self._fds.get(directory)
        if fd is None:
            return False
        with self._lock:
            if self._fds.get(directory) != fd:
                return False
            ok = _held_path(fd, self._proc) == directory
            if not ok:
                del self._fds[directory]
                os.close(fd)
        return ok

    def remember(self, directory: str) -> None:
        if not self._enabled or directory in self._fds:
            return
        flags = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(directory, flags)
        except (OSError, ValueError):
            return
        ok = _held_path(fd, self._proc) == directory
        with self._lock:
            if not ok or directory in self._fds:
                os.close(fd)
                return
            if len(self._fds) >= self._MAX:
                self._clear_locked()
            self._fds[directory] = fd

    def clear(self) -> None:
        """Close every held descriptor."""
        with self._lock:
            self._clear_locked()

    def after_fork_in_child(self) -> None:
        """A forked child starts with a fresh lock (the parent's may have been held by another
        thread at the fork) and closes its copies of the descriptors. Its `/proc/self/fd`
        descriptor is the parent's directory, so it opens its own."""
        self._lock = threading.Lock()
        self._clear_locked()
        if self._proc is not None:
            with contextlib.suppress(OSError):
                os.close(self._proc)
            self._proc = _open_proc_fds()

    def _clear_locked(self) -> None:
        fds = list(self._fds.values())
        self._fds.clear()
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)


def _open_proc_fds() -> int | None:
    """A descriptor of this process's `/proc/self/fd` (None if it cannot be opened): a link
    read relative to it costs the kernel one lookup, not a walk of `/proc/self/fd/N` with
    its `self` link, on every check of a held directory."""
    try:
        return os.open("/proc/self/fd", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None


def _held_path(fd: int, proc: int | None) -> str | None:
    """The current canonical path of the directory `fd` holds, or None when it has none: the
    kernel marks an unlinked directory by appending " (deleted)", and a directory that was
    *named* like that and then moved and removed would otherwise read as its old name, so any
    path ending that way is refused (such a directory is simply walked every time). `proc` is
    the process's `/proc/self/fd` (see `_open_proc_fds`)."""
    try:
        if proc is None:
            held = os.readlink(f"/proc/self/fd/{fd}")
        else:
            held = os.readlink(str(fd), dir_fd=proc)
    except (OSError, ValueError):
        return None
    return None if held.endswith(" (deleted)") or not held.startswith("/") else held


DIR_CACHE = _DirCache()
"""The process-wide directory cache (bounded to 128 descriptors); `PathResolver(dir_cache=True)`
uses it."""
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=DIR_CACHE.after_fork_in_child)


# ----------------------------------------------------------------------------------------------
# Resolver
# ----------------------------------------------------------------------------------------------


class PathResolver:
    """Resolves agent paths against one workspace root, home directory, cwd and environment.

    ``~`` and ``$HOME`` always mean ``home``.  ``cwd`` defaults to the root.  ``env`` supplies the
    other variables (``None`` means none are known: every other ``$VAR`` is flagged).
    ``case_insensitive=None`` probes the filesystem under the root once (the answer is cached).
    """

    __slots__ = (
        "_case_insensitive", "_cwd", "_cwd_depth", "_dirs", "_env", "_home", "_real_root",
        "_root", "_user",
    )  # fmt: skip

    def __init__(
        self,
        root: str | Path,
        *,
        home: str,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        case_insensitive: bool | None = None,
        dir_cache: bool = False,
    ) -> None:
        root_s = os.fspath(root)
        if not os.path.isabs(root_s):
            raise ValueError(f"root must be an absolute path, got {root_s!r}")
        if not os.path.isabs(home):
            raise ValueError(f"home must be an absolute path, got {home!r}")
        self._root = lexical_clean(root_s)
        self._real_root = os.path.realpath(self._root)
        self._home = lexical_clean(home)
        base_cwd = self._root if cwd is None else cwd
        if not os.path.isabs(base_cwd):
            base_cwd = self._root + "/" + base_cwd
        self._cwd = lexical_clean(base_cwd)
        self._cwd_depth = len(_collapse(self._cwd.split("/")))
        self._env: dict[str, str] = dict(env) if env is not None else {}
        self._user = (
            self._env.get("USER") or self._env.get("LOGNAME") or os.path.basename(self._home)
        )
        if case_insensitive is None:
            case_insensitive = _probe_case_insensitive(self._real_root)
        self._case_insensitive = case_insensitive
        # `dir_cache=True` lets the walk skip the ancestors of a path when they form a plain
        # directory that `DIR_CACHE` revalidates against the live filesystem on every use.
        self._dirs: _DirCache | None = DIR_CACHE if dir_cache and DIR_CACHE.enabled else None

    @property
    def root(self) -> str:
        """The root, cleaned lexically."""
        return self._root

    @property
    def real_root(self) -> str:
        """The root with its own symlinks resolved (real forms are compared against this)."""
        return self._real_root

    @property
    def case_insensitive(self) -> bool:
        """Whether names under the root are compared ignoring case."""
        return self._case_insensitive

    # -- expansion -----------------------------------------------------------------------------

    def _expand(self, path: str, signals: set[PathSignal]) -> str:
        if path.startswith("~"):
            end = len(path)
            for sep in ("/", "\\"):
                k = path.find(sep)
                if k != -1:
                    end = min(end, k)
            user = path[1:end]
            if user in ("", self._user):
                signals.add(PathSignal.HOME)
                path = self._home + path[end:]
            elif user == "+":
                path = self._cwd + path[end:]  # bash: ~+ is $PWD
            elif user == "-" or user.startswith(("+", "-")):
                signals.add(PathSignal.UNKNOWN_VAR)  # ~- is $OLDPWD, ~+N/~-N the dir stack
            elif all(c in _NAME_CHARS or c in ".-" for c in user):
                signals.add(PathSignal.OTHER_USER_HOME)
                # Root's home is not beside the others (`/root` on Linux); everyone else's is
                # guessed as a sibling of this home (no account database lookup on this path).
                base = "/root" if user == "root" else os.path.dirname(self._home) + "/" + user
                path = base + path[end:]
        if "`" in path:
            signals.add(PathSignal.UNKNOWN_VAR)  # command substitution: not determinable
        if "$" not in path:
            return path
        out: list[str] = []
        i = 0
        n = len(path)
        while i < n:
            k = path.find("$", i)
            if k == -1:
                out.append(path[i:])
                break
            out.append(path[i:k])
            j = k + 1
            if j < n and path[j] == "{":
                close = path.find("}", j + 1)
                name = path[j + 1 : close] if close != -1 else ""
                if close != -1 and name and name[0] in _NAME_START and set(name) <= _NAME_CHARS:
                    out.append(self._lookup(name, path[k : close + 1], signals))
                    i = close + 1
                else:
                    # ${VAR:-x}, ${#VAR}, an unclosed brace...: not determinable.
                    signals.add(PathSignal.UNKNOWN_VAR)
                    end = close + 1 if close != -1 else n
                    out.append(path[k:end])
                    i = end
            elif j < n and path[j] in _NAME_START:
                e = j
                while e < n and path[e] in _NAME_CHARS:
                    e += 1
                out.append(self._lookup(path[j:e], path[k:e], signals))
                i = e
            elif j < n and path[j] in "$!":
                signals.add(PathSignal.NUMBER_VAR)  # `$$`, `$!`: process ids
                out.append(path[k : j + 1])
                i = j + 1
            elif j < n and (path[j].isdigit() or path[j] in "@*#?-("):
                signals.add(PathSignal.UNKNOWN_VAR)  # positional, special or $( ... )
                out.append("$")
                i = j
            else:
                out.append("$")
                i = j
        return "".join(out)

    def _lookup(self, name: str, written: str, signals: set[PathSignal]) -> str:
        if name == "HOME":
            signals.add(PathSignal.HOME)
            return self._home
        value = self._env.get(name)
        if value is None:
            number = name in NUMBER_VARIABLES
            signals.add(PathSignal.NUMBER_VAR if number else PathSignal.UNKNOWN_VAR)
            return written
        signals.add(PathSignal.ENV_VAR)
        return value

    # -- lexical form --------------------------------------------------------------------------

    def _lexical(self, expanded: str, signals: set[PathSignal]) -> tuple[str, list[str]]:
        """Return the lexical form and the raw absolute segments (for the real walk)."""
        relative = not expanded.startswith("/")
        base = self._cwd if relative else "/"
        raw = [s for s in (base + "/" + expanded).split("/") if s]
        out: list[str] = []
        depth_floor = self._cwd_depth if relative else 0
        climbed = False
        for seg in raw:
            # `_strip_trailing` only changes a segment that ends in a dot or a space.
            cleaned = _strip_trailing(seg) if seg[-1] in ". " else seg
            if cleaned != seg:
                signals.add(PathSignal.TRAILING_DOTS)
            if cleaned == ".":
                continue
            if cleaned == "..":
                if not relative or len(out) <= depth_floor:
                    climbed = True
                if out:
                    out.pop()
                continue
            out.append(cleaned)
        if climbed:
            signals.add(PathSignal.TRAVERSAL)
        return "/" + "/".join(out), raw

    # -- real form -----------------------------------------------------------------------------

    def _real(self, raw: list[str], signals: set[PathSignal]) -> str:
        pending: deque[str] = deque(raw)
        cur: list[str] = []
        parent: str | None = None  # the ancestors, when `DIR_CACHE` may speed them up
        dirs = self._dirs
        if dirs is not None and len(raw) >= 2 and raw[0] not in ("proc", "dev"):
            prefix = raw[:-1]
            if "." not in prefix and ".." not in prefix:
                parent = "/" + "/".join(prefix)
                if dirs.valid(parent):
                    # Exactly what the walk below would compute for these ancestors: all real
                    # directories, no symlink, no signal (see `_DirCache`). The last
                    # component is still looked at on disk.
                    cur = prefix
                    pending = deque(raw[-1:])
                    parent = None
        hops = 0
        lexical_rest = False  # after a loop or an unreadable ancestor: no more disk lookups
        missing_at: int | None = None  # depth of the first missing component, if any
        while pending:
            seg = pending.popleft()
            if seg in ("", "."):
                continue
            if seg == "..":
                if cur:
                    cur.pop()
                if missing_at is not None and len(cur) <= missing_at:
                    # Back on existing ground (``mkdir -p`` makes "missing/.." real): the
                    # components that follow may be symlinks again.
                    missing_at = None
                continue
            if lexical_rest or missing_at is not None:
                cur.append(seg)
                continue
            cur_path = "/" + "/".join(cur)
            # /proc magic links and descriptor directories.
            if _PROC_PID_RE.fullmatch(cur_path):
                if seg == "root":
                    signals.add(PathSignal.PROC_ROOT)
                    cur = []
                    continue
                if seg == "cwd":
                    signals.add(PathSignal.PROC_CWD)
                    # `self` is the agent's process, whose directory is the resolver's cwd.
                    # Any other process's directory is unknown; `/` is the reading under which
                    # `/proc/1/cwd/etc/shadow` is `/etc/shadow` (a container's init often runs
                    # in `/`). The path is never confined either way.
                    own = cur[1] in ("self", "thread-self")
                    cur = [s for s in self._cwd.split("/") if s] if own else []
                    continue
            if (
                (cur_path == "/proc" and (seg in ("self", "thread-self") or _is_number(seg)))
                or (seg == "task" and _PROC_PROCESS_RE.fullmatch(cur_path))
                or (_is_number(seg) and _PROC_TASKS_RE.fullmatch(cur_path))
            ):
                # Keep the name without looking at our own /proc: it names the agent's process
                # (or one of its threads), which may live in a pid namespace we cannot see.
                cur.append(seg)
                continue
            if cur_path == "/dev" and seg in ("fd", "stdin", "stdout", "stderr"):
                signals.add(PathSignal.DEV_FD)
                cur = ["proc", "self", "fd"]
                if seg != "fd":
                    pending.appendleft(str(("stdin", "stdout", "stderr").index(seg)))
                continue
            if _PROC_PID_RE.fullmatch(cur_path) and seg == "fd":
                signals.add(PathSignal.DEV_FD)
            candidate = cur_path.rstrip("/") + "/" + seg
            try:
                st = os.lstat(candidate)
            except (FileNotFoundError, NotADirectoryError):
                missing_at = len(cur)
                cur.append(seg)
                continue
            except (OSError, ValueError):
                signals.add(PathSignal.UNREADABLE)
                lexical_rest = True
                cur.append(seg)
                continue
            if not stat.S_ISLNK(st.st_mode):
                cur.append(seg)
                continue
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                signals.add(PathSignal.SYMLINK_LOOP)
                lexical_rest = True
                cur.append(seg)
                continue
            try:
                target = os.readlink(candidate)
            except (OSError, ValueError):
                signals.add(PathSignal.UNREADABLE)
                lexical_rest = True
                cur.append(seg)
                continue
            if not target.startswith("/"):
                if _PROC_FD_RE.fullmatch(cur_path):
                    # pipe:[123], socket:[..], anon_inode:...: not a path, keep the fd path.
                    cur.append(seg)
                    lexical_rest = True
                    continue
            else:
                cur = []
            signals.add(PathSignal.SYMLINK)
            pending.extendleft(reversed(target.split("/")))
        if dirs is not None and parent is not None and hops == 0 and not lexical_rest:
            # `remember` checks the directory again itself.
            if missing_at is None or missing_at >= len(raw) - 1:
                dirs.remember(parent)
            elif missing_at > 0:  # the deepest directory that exists, for `plain`
                dirs.remember("/" + "/".join(cur[:missing_at]))
        return "/" + "/".join(cur)

    def plain(self, lexical: str) -> bool:
        """Whether `lexical` (absolute, clean, ASCII, under the root, no `/proc` or `/dev`)
        resolves to itself right now with no signal, as `resolve` would find: its directory
        is a plain directory the directory cache revalidates, and its last component is not a
        symlink (it may be missing). Or its directory is missing, right under a directory the
        cache revalidates: then nothing below exists and `resolve` keeps the rest as written.
        False means "not known", never "not plain": the caller then resolves the path the full
        way, which also fills the cache."""
        dirs = self._dirs
        if dirs is None or self._case_insensitive:
            return False
        parent = lexical[: lexical.rfind("/")]
        if not parent:
            return False
        if not dirs.valid(parent):
            return self._missing_below_held(parent)
        try:
            return not stat.S_ISLNK(os.lstat(lexical).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return True  # a missing name stays as written, as in `_real`
        except (OSError, ValueError):
            return False

    def _missing_below_held(self, directory: str) -> bool:
        """Whether some ancestor of `directory` (absolute, clean), at most
        `_MISSING_DEPTH` levels up, is held by the directory cache and its child on the way
        to `directory` does not exist: the walk of `_real` would find that child missing and
        take every later component as written, with no signal."""
        dirs = self._dirs
        assert dirs is not None
        below = directory
        for _ in range(_MISSING_DEPTH):
            cut = below.rfind("/")
            if cut <= 0:
                return False
            above = below[:cut]
            if dirs.valid(above):
                try:
                    os.lstat(below)
                except FileNotFoundError:
                    return True
                except (OSError, ValueError):
                    return False
                return False  # it exists: the full walk looks at it (and caches it)
            below = above
        return False

    def plain_directory(self, lexical: str) -> bool:
        """Whether the directory `lexical` (absolute, clean) is held by the directory cache as
        a real directory reached through no symlink, right now (see `plain`)."""
        dirs = self._dirs
        return dirs is not None and not self._case_insensitive and dirs.valid(lexical)

    # -- entry point ---------------------------------------------------------------------------

    def resolve(self, path: str, *, literal_vars: bool = False) -> ResolvedPath:
        """Resolve one path as given by an agent (see :class:`ResolvedPath` for the forms).

        ``literal_vars=True`` is for paths that no shell will see (the path argument of a file
        tool: Claude Code ``Write``, a Codex patch, the MCP filesystem server). Such a tool
        opens ``routes/$slug.tsx`` as written, so an unknown ``$slug`` is just part of the name
        and does not make the path undecidable. ``~``, ``$HOME`` and known variables are still
        expanded, so rules match those forms as well; ``..`` is collapsed either way.
        """
        signals: set[PathSignal] = set()
        work = path
        nul = work.find("\x00")
        if nul != -1:
            signals.add(PathSignal.NUL_BYTE)
            work = work[:nul]
        if _CONTROL_RE.search(work):
            signals.add(PathSignal.CONTROL_CHARS)
        if not work.isascii() and normalize_text(work) != work:
            signals.add(PathSignal.NON_NORMALIZED)
        expanded = self._expand(work, signals)
        if literal_vars:
            signals.discard(PathSignal.UNKNOWN_VAR)
        if "\\" in expanded:
            signals.add(PathSignal.BACKSLASH)
            slashed = expanded.replace("\\", "/")
        else:
            slashed = expanded
        if _DRIVE_RE.match(slashed):
            signals.add(PathSignal.WINDOWS_DRIVE)
        lexical, raw = self._lexical(slashed, signals)
        if len(slashed) > MAX_PATH_CHARS:
            signals.add(PathSignal.TOO_LONG)
            real = lexical
        else:
            real = self._real(raw, signals)
        ci = self._case_insensitive
        if ci:
            lexical_in = is_within(lexical, self._root, case_insensitive=True)
            real_in = is_within(real, self._real_root, case_insensitive=True)
        else:
            # Both forms are already clean (built from collapsed segments), as are the roots,
            # so `is_within` reduces to this comparison.
            lexical_in = _under(lexical, self._root)
            real_in = _under(real, self._real_root)
        if lexical_in and not real_in and PathSignal.SYMLINK in signals:
            signals.add(PathSignal.SYMLINK_ESCAPE)
        confined = lexical_in and real_in and signals.isdisjoint(_UNCONFINABLE)
        return ResolvedPath(
            original=path,
            expanded=expanded,
            lexical=lexical,
            real=real,
            confined=confined,
            case_folded=lexical.casefold() if ci else None,
            signals=frozenset(signals),
        )
