"""A static scanner for interpreter one-liners (`python -c`, `node -e`, `perl -e`, ...).

We do not parse five languages. We read the code's string literals (decoding their escapes), look
for the library calls that touch files, the network and processes, and pair a call with the literal
that is its first argument. That is enough to see `open('/home/u/.ssh/id_rsa')`,
`socket.connect(("10.0.0.1", 4444))` or `os.system("curl x | sh")` while leaving `print(1)`
alone. The scan is linear: one pass for literals, one bounded search per API name.
"""

from __future__ import annotations

from dataclasses import dataclass

from crustcore_nano.shell.facts import NetworkTarget
from crustcore_nano.shell.limits import Budget
from crustcore_nano.shell.netparse import (
    looks_like_host,
    parse_dev_tcp,
    split_host_port,
    url_target,
)

_QUOTES = {
    "python": "'\"",
    "node": "'\"`",
    "perl": "'\"",
    "ruby": "'\"",
    "php": "'\"",
    "lua": "'\"",
    "awk": '"',
    "applescript": '"',
    "r": "'\"",
}

_READ_CALLS = (
    "open",
    "readFileSync",
    "readFile",
    "createReadStream",
    "File.read",
    "File.open",
    "IO.read",
    "File.readlines",
    "IO.readlines",
    "file_get_contents",
    "readfile",
    "fopen",
    "file",
    "read_text",
    "read_bytes",
    "Path",
    "Deno.readTextFile",
    "Deno.readFile",
    "Bun.file",
    "io.open",
    "getline",
    "copyfile",
    "copy",
    "copyFileSync",
)
_WRITE_CALLS = (
    "writeFileSync",
    "writeFile",
    "appendFileSync",
    "appendFile",
    "createWriteStream",
    "File.write",
    "IO.write",
    "file_put_contents",
    "write_text",
    "write_bytes",
    "Deno.writeTextFile",
    "Deno.writeFile",
    "Bun.write",
    "chmod",
    "chmodSync",
    "symlink",
    "symlinkSync",
)
_DELETE_CALLS = (
    "remove",
    "unlink",
    "unlinkSync",
    "rmSync",
    "rmdirSync",
    "rmtree",
    "rmdir",
    "File.delete",
    "FileUtils.rm_rf",
    "FileUtils.rm",
    "Deno.remove",
)
_EXEC_CALLS = (
    "system",
    "popen",
    "check_output",
    "check_call",
    "run",
    "call",
    "Popen",
    "getoutput",
    "getstatusoutput",
    "execSync",
    "exec",
    "spawn",
    "spawnSync",
    "execFile",
    "execFileSync",
    "shell_exec",
    "passthru",
    "proc_open",
    "spawnv",
    "execv",
    "execvp",
    "execl",
    "execlp",
    "Deno.run",
    "Bun.spawn",
    "do shell script",
)
_NET_APIS = (
    "socket",
    "urllib",
    "requests",
    "http.client",
    "httplib",
    "httpx",
    "aiohttp",
    "fetch(",
    "net.connect",
    "net.createConnection",
    "net.Socket",
    "http.get",
    "https.get",
    "http.request",
    "https.request",
    "XMLHttpRequest",
    "axios",
    "LWP::",
    "HTTP::Tiny",
    "Net::HTTP",
    "open-uri",
    "URI.open",
    "curl_init",
    "fsockopen",
    "stream_socket_client",
    "TCPSocket",
    "UDPSocket",
    "IO::Socket",
    "WebSocket",
    "smtplib",
    "ftplib",
    "telnetlib",
    "paramiko",
    "dgram",
    "/dev/tcp/",
    "/dev/udp/",
    "/inet/tcp/",
    "/inet/udp/",
    "Deno.connect",
)
_EXEC_APIS = (
    "os.system",
    "subprocess",
    "os.popen",
    "os.exec",
    "os.spawn",
    "pty.spawn",
    "child_process",
    "execSync",
    "spawnSync",
    "system(",
    "system ",
    "shell_exec",
    "passthru",
    "popen",
    "proc_open",
    "Kernel.exec",
    "IO.popen",
    "exec(",
    "exec ",
    "do shell script",
    "Deno.run",
    "Bun.spawn",
    "|&",
)
_DECODERS = (
    "b64decode",
    "base64",
    "atob(",
    "decode_base64",
    "unpack(",
    "fromhex",
    "codecs.decode",
    "zlib.decompress",
    "marshal.loads",
    "rot13",
    "rot_13",
    "fromCharCode",
    "bytes.fromhex",
    "unhexlify",
    "gzinflate",
    "str_rot13",
    "Buffer.from",
)
_SINKS = ("exec(", "eval(", "Function(", "compile(", "system(", "instance_eval", "assert(")
_SHELL_BINARIES = ("/bin/sh", "/bin/bash", "/bin/zsh", "/bin/dash", "sh -i", "bash -i", "cmd.exe")
_FD_TRICKS = ("dup2", "pty.spawn", ">&S", ">&", "STDIN", "stdio:", "pipe(")
_SHELL_NAMES = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "busybox"})


def _names_a_shell(value: str) -> bool:
    """A string literal that is just a shell program (`proc_open("sh", ...)`, `"/bin/bash"`)."""
    words = value.split()
    return bool(words) and len(words) <= 2 and words[0].rsplit("/", 1)[-1] in _SHELL_NAMES


@dataclass(frozen=True, slots=True)
class _Literal:
    value: str
    start: int
    end: int
    escaped: bool


@dataclass(frozen=True, slots=True)
class CodeScan:
    """What one piece of interpreter code appears to touch."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    deletes: tuple[str, ...]
    network: tuple[NetworkTarget, ...]
    apis: tuple[str, ...]
    commands: tuple[str, ...]
    argvs: tuple[tuple[str, ...], ...]
    reverse_shell: bool
    obfuscated: bool
    dev_tcp: bool


def _decode_escapes(body: str) -> tuple[str, bool]:
    """Decode the common backslash escapes of C-like string literals."""
    if "\\" not in body:
        return body, False
    out: list[str] = []
    hidden = False
    i = 0
    n = len(body)
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "xuU" or (nxt in "01234567" and i + 2 < n and body[i + 2] in "01234567"):
            if nxt in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[nxt]
                j = i + 2
                if j < n and body[j] == "{":
                    close = body.find("}", j, j + 10)
                    digits = body[j + 1 : close] if close > 0 else ""
                    j = close + 1 if close > 0 else j
                else:
                    k = j
                    while k < n and k < j + width and body[k] in "0123456789abcdefABCDEF":
                        k += 1
                    digits = body[j:k]
                    j = k
                base = 16
            else:
                j = i + 1
                while j < n and j < i + 4 and body[j] in "01234567":
                    j += 1
                digits = body[i + 1 : j]
                base = 8
            try:
                code = int(digits, base)
                out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
                hidden = True
            except ValueError:
                out.append(body[i:j])
            i = max(j, i + 2)
            continue
        out.append(simple.get(nxt, "\\" + nxt))
        i += 2
    return "".join(out), hidden


def _literals(code: str, quotes: str, budget: Budget) -> list[_Literal]:
    out: list[_Literal] = []
    i = 0
    n = len(code)
    budget.tick(n)
    while i < n:
        ch = code[i]
        if ch not in quotes:
            i += 1
            continue
        j = i + 1
        while j < n and code[j] != ch:
            j += 2 if code[j] == "\\" else 1
        body = code[i + 1 : min(j, n)]
        value, hidden = _decode_escapes(body)
        out.append(_Literal(value, i, min(j + 1, n), hidden))
        i = j + 1
    return out


def looks_like_path(text: str) -> bool:
    """Heuristic: does this string literal name a file?"""
    if not text or len(text) > 4096 or "\n" in text or "://" in text:
        return False
    if text.startswith(("/", "~/", "./", "../")) or text == "~":
        return len(text) > 1 and " " not in text.strip()
    if text.startswith(".") and len(text) > 1 and text[1] not in ". " and " " not in text:
        return True
    return "/" in text and " " not in text and not text.startswith(("<", "-", "%"))


def _call_before(code: str, lit_start: int) -> str:
    """The callee name whose first argument starts at `lit_start` (`fs.readFileSync(`), or ''."""
    i = lit_start - 1
    # String prefixes (`f"..."`, `rb'...'`) belong to the literal, not to the callee.
    k = i
    while k >= 0 and k >= lit_start - 2 and code[k] in "rbfuRBFU":
        k -= 1
    if k < i and (k < 0 or not (code[k].isalnum() or code[k] == "_")):
        i = k
    while i >= 0 and code[i] in " \t":
        i -= 1
    if i < 0:
        return ""
    if code[i] not in "([":
        end = i + 1
        while i >= 0 and (code[i].isalnum() or code[i] in "_.:"):
            i -= 1
        word = code[i + 1 : end]
        if word == "script" and code[max(0, i - 8) : i + 1].rstrip().endswith("do shell"):
            return "do shell script"
        return word if word in ("system", "exec", "spawn", "popen") else ""
    if code[i] == "[":
        i -= 1
        while i >= 0 and code[i] in " \t":
            i -= 1
        if i < 0 or code[i] != "(":
            return ""
    i -= 1
    end = i + 1
    while i >= 0 and (code[i].isalnum() or code[i] in "_.:$"):
        i -= 1
    return code[i + 1 : end]


def _matches(callee: str, names: tuple[str, ...]) -> bool:
    if not callee:
        return False
    tail = callee.rsplit(".", 1)[-1].rsplit("::", 1)[-1]
    return callee in names or tail in names


def _mode_after(lits: list[_Literal], index: int, code: str) -> str:
    if index + 1 < len(lits):
        nxt = lits[index + 1]
        between = code[lits[index].end : nxt.start]
        if between.strip() in (",", ", mode=", ",mode=") or between.replace(" ", "") in (
            ",",
            ",mode=",
        ):
            return nxt.value
    return ""


def scan_code(language: str, code: str, budget: Budget) -> CodeScan:
    """Scan interpreter `code` written in `language` (python, node, perl, ruby, php, ...)."""
    quotes = _QUOTES.get(language, "'\"")
    lits = _literals(code, quotes, budget)
    reads: list[str] = []
    writes: list[str] = []
    deletes: list[str] = []
    network: list[NetworkTarget] = []
    commands: list[str] = []
    argvs: list[tuple[str, ...]] = []
    apis: list[str] = []
    obfuscated = False
    dev_tcp = False

    for api in _NET_APIS:
        budget.tick(1)
        if api == "fetch(" and language == "ruby":
            continue  # `ENV.fetch(...)`, `hash.fetch(...)`: Ruby has no global fetch
        if api in code:
            apis.append(api.rstrip("(. ").lstrip("/"))
    net_api = bool(apis)
    exec_api = any(api in code for api in _EXEC_APIS) or (
        language in ("perl", "ruby") and "`" in code
    )
    if exec_api:
        apis.append("exec")

    for index, lit in enumerate(lits):
        budget.tick(1 + len(lit.value) // 64)
        value = lit.value
        callee = _call_before(code, lit.start)
        target = url_target(value, language)
        if target is not None:
            network.append(target)
            continue
        tcp = parse_dev_tcp(value)
        if tcp is not None:
            network.append(tcp)
            dev_tcp = True
            continue
        if _matches(callee, _EXEC_CALLS) or callee.endswith("do shell script"):
            if code[lit.start - 1 : lit.start] == "[" or code[
                max(0, lit.start - 2) : lit.start
            ].strip().endswith("["):
                argv = [value]
                k = index + 1
                while k < len(lits) and code[lits[k - 1].end : lits[k].start].strip() == ",":
                    argv.append(lits[k].value)
                    k += 1
                argvs.append(tuple(argv))
            else:
                commands.append(value)
            continue
        if _matches(callee, _DELETE_CALLS):
            deletes.append(value)
            continue
        if _matches(callee, _WRITE_CALLS):
            writes.append(value)
            continue
        if _matches(callee, _READ_CALLS):
            mode = _mode_after(lits, index, code)
            if mode and any(c in mode for c in "wax+") and len(mode) <= 4:
                writes.append(value)
            else:
                reads.append(value)
            if lit.escaped:
                obfuscated = True
            continue
        if callee in ("connect", "create_connection") or callee.endswith(
            (".connect", ".create_connection", "TCPSocket.new", "fsockopen", "createConnection")
        ):
            host, port = split_host_port(value)
            port = port if port is not None else _port_after(code, lit.end)
            network.append(NetworkTarget(host, port, None, language))
            continue
        if net_api and looks_like_host(value):
            host, port = split_host_port(value)
            port = port if port is not None else _port_after(code, lit.end)
            network.append(NetworkTarget(host, port, None, language))
            continue
        if looks_like_path(value):
            reads.append(value)
            if lit.escaped:
                obfuscated = True

    if _HOME_HINTS_ANY(code):
        home_reads, home_writes = _home_paths(code, lits)
        reads.extend(home_reads)
        writes.extend(home_writes)

    if language in ("perl", "ruby", "php") and "`" in code:
        for lit in _literals(code, "`", budget):
            commands.append(lit.value)
    if exec_api:
        known = set(commands) | {a[0] for a in argvs if a}
        for lit in lits:
            if lit.value not in known and _looks_like_command(lit.value):
                commands.append(lit.value)
    if language == "awk":
        _awk_effects(code, lits, reads, writes, commands)

    decoder = any(d in code for d in _DECODERS)
    sink = any(s in code for s in _SINKS)
    if decoder and (sink or exec_api):
        obfuscated = True
    if code.count("chr(") >= 4 or (code.count("fromCharCode") >= 1 and sink):
        obfuscated = True
    shell_lit = any(any(b in lit.value for b in _SHELL_BINARIES) for lit in lits)
    # A bare `"sh"` is only telling with a descriptor hand-over: PHP's `proc_open("sh",
    # [0 => $sock, ...])`, or a dup/`STDIN` trick; `run(["bash", "build.sh"])` is not.
    bare_shell = any(_names_a_shell(lit.value) for lit in lits)
    fd_trick = any(t in code for t in _FD_TRICKS)
    reverse = net_api and (
        ("dup2" in code)
        or ("pty.spawn" in code)
        or (shell_lit and (exec_api or fd_trick))
        or (bare_shell and ("proc_open" in code or fd_trick))
        # Perl `STDIN->fdopen($socket, r)` then `system $_ while <>`: commands from the socket.
        or ("fdopen" in code and (exec_api or "system" in code or "exec" in code))
        or ("/inet/tcp/" in code and ("|&" in code or "getline" in code))
    )
    if "/dev/tcp/" in code or "/dev/udp/" in code:
        dev_tcp = True
    return CodeScan(
        tuple(reads),
        tuple(writes),
        tuple(deletes),
        tuple(network),
        tuple(dict.fromkeys(apis)),
        tuple(commands),
        tuple(argvs),
        reverse,
        obfuscated,
        dev_tcp,
    )


_COMMAND_HEADS = frozenset(
    [
        "sh",
        "bash",
        "zsh",
        "cat",
        "curl",
        "wget",
        "nc",
        "ncat",
        "rm",
        "cp",
        "mv",
        "chmod",
        "chown",
        "python",
        "python3",
        "perl",
        "ruby",
        "node",
        "php",
        "base64",
        "echo",
        "printf",
        "tar",
        "zip",
        "scp",
        "ssh",
        "socat",
        "telnet",
        "id",
        "whoami",
        "uname",
        "ls",
        "find",
        "grep",
        "sed",
        "awk",
        "touch",
        "tee",
        "dd",
        "openssl",
        "git",
        "crontab",
        "sudo",
        "env",
        "kill",
        "pkill",
    ]
)


def _looks_like_command(text: str) -> bool:
    """A string an exec-capable program might hand to a shell: `curl x | sh`, `rm -rf /`."""
    if not text or len(text) > 4096 or " " not in text.strip():
        return False
    head = text.strip().split(None, 1)[0]
    return head.rsplit("/", 1)[-1] in _COMMAND_HEADS


def _awk_effects(
    code: str,
    lits: list[_Literal],
    reads: list[str],
    writes: list[str],
    commands: list[str],
) -> None:
    """awk I/O: `print > "f"` writes, `"cmd" | getline` and `print | "cmd"` run commands."""
    redirected: set[str] = set()
    for lit in lits:
        before = code[max(0, lit.start - 3) : lit.start].rstrip()
        after = code[lit.end : lit.end + 12].lstrip()
        if before.endswith(">"):
            redirected.add(lit.value)
            writes.append(lit.value)
        elif (
            (before.endswith("|") and not before.endswith("||"))
            or after.startswith("| getline")
            or after.startswith("|getline")
        ):
            commands.append(lit.value)
    if redirected:
        reads[:] = [r for r in reads if r not in redirected]


_HOME_TOKENS = (
    "HOME",
    "homedir()",
    "home()",
    "Dir.home",
    "home_dir()",
    "UserHomeDir()",
    "USERPROFILE",
)
"""Spellings of the user's home directory in code: `os.environ['HOME']`, `process.env.HOME`,
`$ENV{HOME}`, `getenv("HOME")`, `os.homedir()`, `Path.home()`, `Dir.home`, ..."""
_HOME_WINDOW = 64
"""How far before a literal a home expression may end and still be joined to it."""
_JOINERS = frozenset({"+", ".", "..", ",", "/", "~"})
"""What joins a home expression to the next path piece: `+`, `.` (perl, php), `..` (lua), the
`,` of a path-join call, pathlib's `/`."""
_CLOSERS = " \t)]}'\"`"
_MAX_HOME_PATH = 512
"""A joined home path stops growing past this length (keeps the join linear)."""
_FORMAT_HEADS = ("%s/", "{}/", "{0}/")
_WRITE_HINTS = tuple(
    name.rsplit(".", 1)[-1] + "(" for name in _WRITE_CALLS if name not in ("chmod", "symlink")
)


def _HOME_HINTS_ANY(code: str) -> bool:  # noqa: N802 - reads as the constant test it is
    """Whether the code spells the home directory at all (a cheap gate for `_home_paths`)."""
    return "~" in code or any(t in code for t in _HOME_TOKENS)


def _home_before(code: str, pos: int) -> str | None:
    """The text between the end of a home expression shortly before `pos` and `pos`, or None."""
    window = code[max(0, pos - _HOME_WINDOW) : pos]
    best = -1
    for token in _HOME_TOKENS:
        at = window.rfind(token)
        if at >= 0:
            best = max(best, at + len(token))
    return None if best < 0 else window[best:]


def _joined(gap: str) -> bool:
    """Whether `gap` (text between two path pieces) is only closers and one joiner."""
    core = gap.strip(_CLOSERS)
    return core in _JOINERS


def _home_paths(code: str, lits: list[_Literal]) -> tuple[list[str], list[str]]:
    """Paths built from the home directory and literals: `os.environ['HOME'] + '/.aws/x'`,
    `path.join(os.homedir(), '.ssh', 'id_rsa')`, `f"{Path.home()}/.kube/config"`,
    `'%s/.netrc' % os.environ['HOME']`. Each comes back as `~/...` (reads, and writes too when
    the code calls a file-writing API). One pass over the literals, a bounded window each."""
    found: list[str] = []
    chain: str | None = None
    joiner = ""
    prev_end = -1
    for lit in lits:
        value = lit.value
        gap = code[prev_end : lit.start].strip(" \t")
        if joiner == "*":
            gap = gap.strip(_CLOSERS)
        if (
            chain is not None
            and value
            and len(chain) < _MAX_HOME_PATH
            and gap in _JOINERS
            and (joiner in ("*", gap) or (joiner in "+." and gap in "+."))
        ):
            # The same joiner again: `join(home, '.ssh', 'id_rsa')`, `home() / '.aws' / 'x'`.
            chain = chain.rstrip("/") + "/" + value.strip("/")
            found[-1] = chain
            prev_end = lit.end
            joiner = gap
            continue
        chain = None
        joiner = "\0"  # a path from one literal (`f"{HOME}/x"`) takes no further pieces
        if value == "~" or value.startswith("~/"):
            chain = value
            joiner = "*"
        else:
            before = _home_before(code, lit.start)
            inside = any(t in value for t in _HOME_TOKENS)
            brace = value.find("}/")
            if brace >= 0 and (inside or (before is not None and not before.strip(_CLOSERS))):
                chain = "~" + value[brace + 1 :]
            elif value.startswith(_FORMAT_HEADS) and any(
                t in code[lit.end : lit.end + _HOME_WINDOW] for t in _HOME_TOKENS
            ):
                chain = "~" + value[value.index("/") :]
            elif before is not None and _joined(before) and looks_like_path(value):
                chain = "~/" + value.lstrip("/")
                joiner = before.strip(_CLOSERS)
        if chain is not None:
            found.append(chain)
            prev_end = lit.end
    found = [p for p in found if p not in ("~", "~/")]
    writing = any(h in code for h in _WRITE_HINTS) or any(
        m in code for m in (",'a'", ", 'a'", ",'w'", ", 'w'", ',"a"', ', "a"', ',"w"', ', "w"')
    )
    return found, (list(found) if writing else [])


def _port_after(code: str, pos: int) -> int | None:
    """A port number written right after a host literal: `("h", 4444)` or `"h", 4444`."""
    i = pos
    n = min(len(code), pos + 16)
    while i < n and code[i] in " ,\t":
        i += 1
    j = i
    while j < n and code[j].isdigit():
        j += 1
    if j > i and j - i <= 5:
        port = int(code[i:j])
        return port if 0 < port < 65536 else None
    return None
