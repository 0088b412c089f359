"""A static scanner for interpreter one-liners (`python -c`, `node -e`, `perl -e`, ...).

We do not parse five languages. We read the code's string literals (decoding their escapes), look
for the library calls that touch files, the network and processes, and pair a call with the literal
that is its first argument. That is enough to see `open('/home/u/.ssh/id_rsa')`,
`socket.connect(("10.0.0.1", 4444))` or `os.system("curl x | sh")` while leaving `print(1)`
alone. The scan is linear: one pass for literals, one bounded search per API name.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from crustcore_nano.shell.awkio import Spans, awk_io, awk_lex
from crustcore_nano.shell.elisp import scan_elisp
from crustcore_nano.shell.facts import NetworkTarget
from crustcore_nano.shell.limits import Budget
from crustcore_nano.shell.netparse import (
    file_url_paths,
    looks_like_host,
    parse_dev_tcp,
    split_host_port,
    url_target,
)
from crustcore_nano.shell.static import decode_base64, decode_hex

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
    "julia": '"',
    "elisp": '"',
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
# Node socket modules by name (`const n = require("net")` never spells `net.` afterwards).
_NODE_SOCKET_MODULES = (
    "require('net')",
    'require("net")',
    "node:net",
    "require('tls')",
    'require("tls")',
    "node:tls",
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
    # Emacs Lisp
    "url-retrieve",
    "url-copy-file",
    "url-insert-file-contents",
    "open-network-stream",
    "make-network-process",
    # Node modules by name: `const n = require('net'); n.connect(...)` never spells `net.`.
    *_NODE_SOCKET_MODULES,
    "require('http')",
    'require("http")',
    "node:http",
    "require('https')",
    'require("https")',
    "node:https",
)
_RAW_SOCKETS = (
    "socket",
    "net.connect",
    "net.createConnection",
    "net.Socket",
    *_NODE_SOCKET_MODULES,
    "fsockopen",
    "stream_socket_client",
    "TCPSocket",
    "UDPSocket",
    "IO::Socket",
    "WebSocket",
    "dgram",
    "Deno.connect",
    "/inet/tcp/",
    "/inet/udp/",
)
"""Network APIs that hand the program a byte stream (not a request/response client): what a
reverse shell reads its commands from."""
_COMPUTED_EXEC = (
    "system",
    "popen",
    "Popen",
    "check_output",
    "getoutput",
    "exec",
    "execSync",
    "spawn",
    "spawnSync",
    "shell_exec",
    "passthru",
    "proc_open",
    "execute",
    "eval",
)
"""Calls that run a command or code: given a value computed at run time (`IO.popen(cmd)`,
`exec(s.recv(1024))`) next to a raw socket, they run what the socket sends."""
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
_SINKS = (
    "exec(",
    "eval(",
    "eval ",
    "Function(",
    "compile(",
    "system(",
    "instance_eval",
    "assert(",
    # Deserialisers that run code by design: `pickle.loads(b64decode(...))` is an exec.
    "pickle.loads",
    "pickle.load(",
    "cloudpickle.loads",
    "dill.loads",
    "jsonpickle.decode",
    "yaml.unsafe_load",
    "Marshal.load",
    "unserialize(",
)
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
    kind: str = ""
    """`x` for a command literal (`qx{...}`, `%x(...)`), `w` for a word list (`qw(...)`,
    `%w(...)`), empty for an ordinary string."""


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
    remote_code: bool = False
    """The code runs what it fetches: `exec(urlopen(URL).read())`, `import('https://...')`."""
    built_commands: tuple[str, ...] = ()
    """Commands the code builds at run time, as written (awk's `system("rm " $1)`)."""


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


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_QL_DELIMS = "([{</|!#"
_PERL_QUOTE_OPS = {"qx": "x", "qw": "w", "qq": "", "q": ""}
_RUBY_QUOTE_OPS = {"%x": "x", "%w": "w", "%W": "w", "%q": "", "%Q": "", "%": ""}


def _quote_like(code: str, i: int, language: str) -> tuple[int, int, str] | None:
    """A Perl (`qx{cmd}`, `qw(a b)`, `q(s)`) or Ruby (`%x(cmd)`, `%w[a b]`, `%(s)`)
    quote-like literal starting at `i`: (body start, closing delimiter index, kind)."""
    ops = _PERL_QUOTE_OPS if language == "perl" else _RUBY_QUOTE_OPS
    before = code[i - 1] if i > 0 else ""
    if before.isalnum() or before in "_$@%&:>.":
        return None  # `$q{x}`, `seq(`, `$h->q`, `obj.q`
    n = len(code)
    for op, kind in ops.items():
        if not code.startswith(op, i):
            continue
        d = i + len(op)
        if d >= n or code[d] not in _QL_DELIMS or (op == "%" and code[d] not in "([{<|!"):
            continue
        close_ch = _PAIRS.get(code[d], code[d])
        j = d + 1
        while j < n and code[j] != close_ch:
            j += 2 if code[j] == "\\" else 1
        return d + 1, min(j, n), kind
    return None


def _literals(code: str, quotes: str, budget: Budget, language: str = "") -> list[_Literal]:
    out: list[_Literal] = []
    i = 0
    n = len(code)
    budget.tick(n)
    quote_like = language in ("perl", "ruby")
    while i < n:
        ch = code[i]
        if quote_like and ch in "q%":
            found = _quote_like(code, i, language)
            if found is not None:
                body_start, close, kind = found
                value, hidden = _decode_escapes(code[body_start:close])
                out.append(_Literal(value, i, min(close + 1, n), hidden, kind))
                i = close + 1
                continue
        if ch not in quotes:
            i += 1
            continue
        j = i + 1
        while j < n and code[j] != ch:
            j += 2 if code[j] == "\\" else 1
        body = code[i + 1 : min(j, n)]
        value, hidden = _decode_escapes(body)
        if code.startswith("[::-1]", j + 1):
            # `open('asr_di/hss./'[::-1])`: the program uses the string reversed.
            value, hidden = value[::-1], True
        out.append(_Literal(value, i, min(j + 1, n), hidden))
        i = j + 1
    return out


# What joins two string literals into one in each language (`""`: Python's adjacent literals).
_CONCAT: dict[str, tuple[str, ...]] = {
    "python": ("+", ""),
    "node": ("+",),
    "ruby": ("+",),
    "perl": (".",),
    "php": (".",),
    "lua": ("..",),
    "julia": ("*",),
    "r": (),
    "awk": (),
    "elisp": (),
    "applescript": ("&",),
}
_MAX_FOLD = 4096  # characters of one folded string
_FORMAT_SLOT = re.compile(r"\{[0-9]?\}")
# Names nobody splits into pieces except to hide them from a scan like this one: a folded
# string equal to one of the first, or holding one of the second that no piece holds.
_HIDDEN_EXACT = frozenset(
    {"os", "sys", "subprocess", "system", "popen", "exec", "eval", "builtins", "spawn",
     "child_process", "execSync", "spawnSync", "__import__", "getattr", "import_module",
     "__builtins__", "pty", "socket"}
)  # fmt: skip
_HIDDEN_PARTS = (
    "__import__(", "subprocess.", "os.system(", "os.popen(", "execSync(", "spawnSync(", "eval(",
    "exec(",
)  # fmt: skip


def _folded(code: str, lits: list[_Literal], language: str, budget: Budget) -> list[_Literal]:
    """Strings the code builds from literals alone: `"~/.ne" + "trc"` (each language's own
    operator), Python's `"cat ~/.{}".format("netrc")` and `"cat ~/.%s" % "netrc"`. Each comes
    back as one more literal spanning its pieces, marked escaped (its pieces hid it)."""
    joiners = _CONCAT.get(language, ("+",))
    out: list[_Literal] = []
    run: list[_Literal] = []

    def close() -> None:
        if len(run) >= 2:
            value = "".join(x.value for x in run)[:_MAX_FOLD]
            out.append(_Literal(value, run[0].start, run[-1].end, True))
        run.clear()

    for lit in lits:
        budget.tick(1)
        if lit.kind:
            close()
            continue
        if run:
            gap = code[run[-1].end : lit.start].strip()
            if gap in joiners and len(run) < 64:
                run.append(lit)
                continue
            if language == "python" and len(run) == 1:
                first = run[0]
                after = code[lit.end : lit.end + 8].lstrip()
                if gap == ".format(" and after.startswith(")") and "{" in first.value:
                    slot = _FORMAT_SLOT.search(first.value)
                    if slot is not None:
                        value = first.value[: slot.start()] + lit.value + first.value[slot.end() :]
                        out.append(_Literal(value, first.start, lit.end, True))
                elif gap == "%" and "%s" in first.value:
                    value = first.value.replace("%s", lit.value, 1)
                    out.append(_Literal(value, first.start, lit.end, True))
            close()
        run.append(lit)
    close()
    return out


def _hides_a_name(lit: _Literal, code: str) -> bool:
    """Whether a folded string spells a name of an execution API that none of the code's
    own literals inside its span spells (`getattr(__import__("o"+"s"), "sys"+"tem")`)."""
    value = lit.value.strip()
    if value in _HIDDEN_EXACT:
        return True
    span = code[lit.start : lit.end]
    return any(part in value and part not in span for part in _HIDDEN_PARTS)


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
    elisp = scan_elisp(code, budget) if language == "elisp" else None
    awk_skipped: Spans = []
    if elisp is not None:
        lits = [_Literal(x.value, x.start, x.end, x.escaped) for x in elisp.literals]
    elif language == "awk":
        budget.tick(len(code))
        awk_strings, awk_skipped = awk_lex(code)
        lits = _awk_literals(code, awk_strings)
    else:
        lits = _literals(code, _QUOTES.get(language, "'\""), budget, language)
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
    exec_api = (
        any(api in code for api in _EXEC_APIS)
        or (language in ("perl", "ruby", "julia") and "`" in code)
        or any(lit.kind == "x" for lit in lits)
        or (elisp is not None and elisp.runs_programs)
    )
    if exec_api:
        apis.append("exec")

    open_mode: tuple[int, str] | None = None
    dest_index = -1
    remote_code = False
    copying = any(name.rsplit(".", 1)[-1] + "(" in code for name in _COPY_CALLS)
    for index, lit in enumerate(lits):
        budget.tick(1 + len(lit.value) // 64)
        if index == dest_index and looks_like_path(lit.value):
            # The destination of `shutil.copy(src, DST)`, `os.rename(src, DST)`: written.
            writes.append(lit.value)
            continue
        value = lit.value
        if lit.kind == "x":
            commands.append(value)  # `qx{cat ~/.aws/credentials}`, `%x(id)`
            continue
        callee = _call_before(code, lit.start)
        if lit.kind == "w" and _matches(callee, _EXEC_CALLS):
            argvs.append(tuple(value.split()))  # `system qw(cat /etc/shadow)`
            continue
        if _matches(callee, _COPY_CALLS):
            nxt = index + 1
            if nxt < len(lits) and code[lit.end : lits[nxt].start].strip() == ",":
                dest_index = nxt
                if _matches(callee, _MOVE_CALLS):
                    deletes.append(value)  # `os.rename(SRC, dst)`: SRC is gone afterwards
        if _matches(callee, _DECODE_CALLS):
            hidden = _decoded_literal(value)
            if hidden is not None and looks_like_path(hidden):
                reads.append(hidden)  # `open(b64decode('L2V0Yy9zaGFkb3c=').decode())`
                obfuscated = True
                continue
            if hidden is not None and _looks_like_command(hidden):
                commands.append(hidden)
                obfuscated = True
                continue
        local = file_url_paths(value)
        if local:
            reads.extend(local)  # `urlopen('file:///home/u/.ssh/id_rsa')` reads a local file
            continue
        target = url_target(value, language)
        if target is not None:
            network.append(target)
            if callee.rsplit(".", 1)[-1] in _REMOTE_LOADERS:
                remote_code = True  # Node `import('https://x/p.mjs')`, `require(URL)`
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
        if open_mode and index == open_mode[0]:
            # The path after a Perl three-argument `open(F, ">>", path)` mode.
            mode = open_mode[1]
            if "|" in mode:
                commands.append(value)
            elif ">" in mode or "+" in mode:
                writes.append(value)
            else:
                reads.append(value)
            continue
        if language in ("perl", "ruby") and _open_argument(code, lit.start, callee):
            handled = _perl_open(
                value, index, code, lits, reads=reads, writes=writes, commands=commands
            )
            if handled is not None:
                open_mode = handled
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
            if copying and _is_destination(code, lit.start):
                writes.append(value)  # `shutil.copy(expanduser('~/x'), 'out/x')`
            else:
                reads.append(value)
            if lit.escaped:
                obfuscated = True

    folded = _folded(code, lits, language, budget) if len(lits) >= 2 else []
    for lit in folded:
        value = lit.value
        if _hides_a_name(lit, code):
            obfuscated = True
        callee = _call_before(code, lit.start)
        target = url_target(value, language)
        if target is not None:
            network.append(target)
        elif _matches(callee, _EXEC_CALLS):
            commands.append(value)
        elif _matches(callee, _DELETE_CALLS):
            deletes.append(value)
        elif _matches(callee, _WRITE_CALLS) or (
            _matches(callee, _READ_CALLS) and _OPEN_FOR_WRITING.match(code, lit.end) is not None
        ):
            writes.append(value)
        elif _matches(callee, _READ_CALLS) or looks_like_path(value):
            reads.append(value)

    if _HOME_HINTS_ANY(code):
        home_reads, home_writes = _home_paths(code, lits)
        reads.extend(home_reads)
        writes.extend(home_writes)

    if language in ("perl", "ruby", "php", "julia") and "`" in code:
        for lit in _literals(code, "`", budget):
            commands.append(lit.value)
    if exec_api:
        known = set(commands) | {a[0] for a in argvs if a}
        for lit in [*lits, *folded]:
            if lit.value not in known and _looks_like_command(lit.value):
                commands.append(lit.value)
    built: list[str] = []
    if language == "awk":
        built = _awk_effects(
            code, lits, reads, writes, commands, skipped=awk_skipped, budget=budget
        )
    if elisp is not None:
        writes.extend(elisp.writes)
        deletes.extend(elisp.deletes)
        commands.extend(elisp.commands)
        argvs.extend(elisp.argvs)

    decoder = any(d in code for d in _DECODERS)
    sink = any(s in code for s in _SINKS)
    if decoder and (sink or exec_api):
        obfuscated = True
    if code.count("chr(") >= 4 or (code.count("fromCharCode") >= 1 and sink):
        obfuscated = True
    if (
        not obfuscated
        and elisp is None
        and language not in ("awk", "applescript")
        and _hides_a_file_name(code, lits, language, budget)
    ):
        obfuscated = True  # `open(''.join(map(chr, [...])))`: the file's name is hidden
    shell_lit = any(any(b in lit.value for b in _SHELL_BINARIES) for lit in lits)
    # A bare `"sh"` is only telling with a descriptor hand-over: PHP's `proc_open("sh",
    # [0 => $sock, ...])`, or a dup/`STDIN` trick; `run(["bash", "build.sh"])` is not.
    bare_shell = any(_names_a_shell(lit.value) for lit in lits)
    fd_trick = any(t in code for t in _FD_TRICKS)
    reverse = net_api and (
        ("dup2" in code)
        or ("pty.spawn" in code)
        or (shell_lit and (exec_api or fd_trick))
        or (bare_shell and ("proc_open" in code or fd_trick or _socket_as_stdio(code)))
        # Perl `STDIN->fdopen($socket, r)` then `system $_ while <>`: commands from the socket.
        or ("fdopen" in code and (exec_api or "system" in code or "exec" in code))
        or ("/inet/tcp/" in code and ("|&" in code or "getline" in code))
        # Ruby `c=TCPSocket.new(h,p); while cmd=c.gets; IO.popen(cmd)`: the socket's bytes
        # are what runs, whatever shell (if any) the code names.
        or (
            any(r in code for r in _RAW_SOCKETS)
            and (_runs_computed(code, budget) or any(_interpolated(lit) for lit in lits))
        )
    )
    if "/dev/tcp/" in code or "/dev/udp/" in code:
        dev_tcp = True
    if not remote_code and (
        any(t.host is not None and not _loopback(t.host) for t in network)
        # A download run through the shell (`eval(execSync('curl -s URL').toString())`):
        # what the code then evaluates may be what came back.
        or any(_fetches(command) for command in commands)
    ):
        remote_code = _evals_computed(code, budget)
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
        remote_code,
        tuple(built),
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


_OPEN_WINDOW = 48


def _open_argument(code: str, start: int, callee: str) -> bool:
    """Whether the literal at `start` is an argument of a Perl/Ruby `open`: the first
    (`open("| cmd")`) or one after a handle (`open(F, ">>x")`, `open my $f, '<', $p`)."""
    if callee.rsplit(".", 1)[-1] == "open":
        return True
    window = code[max(0, start - _OPEN_WINDOW) : start]
    at = window.rfind("open")
    if at < 0 or (at > 0 and (window[at - 1].isalnum() or window[at - 1] == "_")):
        return False
    between = window[at + 4 :]
    return bool(between) and all(c.isalnum() or c in "_$ ,(" for c in between)


_OPEN_MODES = frozenset({"<", ">", ">>", "+<", "+>", "+>>", "-|", "|-"})


def _perl_open(
    value: str,
    index: int,
    code: str,
    lits: list[_Literal],
    *,
    reads: list[str],
    writes: list[str],
    commands: list[str],
) -> tuple[int, str] | None:
    """Perl/Ruby `open` whose first string is a mode or carries one: `open(F, ">>", path)`
    (returns the index of the path literal and the mode), `open(F, ">>path")` (a write),
    `open(F, "cmd |")` / `open("| cmd")` (a command). None when `value` is a plain path."""
    mode = value.split(":", 1)[0].strip()  # `"<:encoding(UTF-8)"`
    if mode in _OPEN_MODES:
        nxt = index + 1
        if nxt < len(lits) and code[lits[index].end : lits[nxt].start].strip() == ",":
            return nxt, mode
        return -1, mode
    stripped = value.strip()
    if stripped.startswith("|") or stripped.endswith("|"):
        commands.append(stripped.strip("|").strip())
        return -1, ""
    if stripped.startswith(("+<", "+>", ">", "<")):
        path = stripped.lstrip("+<>").strip()
        (writes if ">" in stripped[:3] or stripped.startswith("+") else reads).append(path)
        return -1, ""
    return None


def _runs_computed(code: str, budget: Budget) -> bool:
    """Whether `code` calls one of `_COMPUTED_EXEC` on something that is not a literal
    (`IO.popen(cmd, "r")`, `exec(s.recv(99))`, `system $_`). One `find` loop per name."""
    n = len(code)
    for _, end in _word_uses(code, _COMPUTED_EXEC, budget):
        i = _blanks(code, end)
        if i < n and code[i] == "(":
            i = _blanks(code, i + 1)
        if i < n and (code[i].isalpha() or code[i] in "_$@"):
            return True
    return False


def _word_uses(code: str, names: Iterable[str], budget: Budget | None) -> Iterator[tuple[str, int]]:
    """Each whole-word use of one of `names` in `code`: the character before it and the
    index just after it (one `find` loop per name, each step counted in `budget`; None for a
    text already bounded by a fixed window)."""
    n = len(code)
    for name in names:
        at = code.find(name)
        while at >= 0:
            if budget is not None:
                budget.tick(1)
            end = at + len(name)
            before = code[at - 1] if at > 0 else ""
            if not (before.isalnum() or before == "_") and not (
                end < n and (code[end].isalnum() or code[end] == "_")
            ):
                yield before, end
            at = code.find(name, end)


def _blanks(code: str, i: int) -> int:
    """The index of the first character at or after `i` that is not a space or tab."""
    while i < len(code) and code[i] in " \t":
        i += 1
    return i


_MOVE_CALLS = ("move", "rename", "replace", "renameSync", "FileUtils.mv")
"""The calls of `_COPY_CALLS` that take their source away."""
_COPY_CALLS = (
    "copy",
    "copy2",
    "copyfile",
    "copytree",
    "move",
    "rename",
    "replace",
    "copyFileSync",
    "copyFile",
    "cpSync",
    "cp",
    "renameSync",
    "FileUtils.cp",
    "FileUtils.mv",
    "FileUtils.cp_r",
    "symlink",
    "symlinkSync",
    "link",
    "linkSync",
    "copy_file",
    "rename_file",
)
"""Calls whose second argument is a file they create or replace."""
_DECODE_CALLS = (
    "b64decode",
    "decodebytes",
    "urlsafe_b64decode",
    "atob",
    "decode_base64",
    "base64_decode",
    "unhexlify",
    "fromhex",
    "hex2bin",
)
"""Decoders whose literal argument is hidden text (a path, a command)."""
_REMOTE_LOADERS = frozenset({"import", "require", "require_relative", "load", "run_path"})
_EVAL_NAMES = ("exec", "eval", "Function", "instance_eval", "class_eval", "execfile")
_STDIO_WORDS = ("stdin=", "stdout=", "stderr=")
_MAX_STDIO_NAME = 32
_MAX_STDIO_NAMES = 8
_IDENT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _decoded_literal(value: str) -> str | None:
    """The printable text a base64 or hex literal decodes to, or None."""
    text = value.strip()
    if len(text) < 4 or len(text) > 4096:
        return None
    if all(c in "0123456789abcdefABCDEF" for c in text):
        decoded = decode_hex(text)
    else:
        decoded = decode_base64(text)
    if decoded is None or not decoded.isprintable():
        return None
    return decoded


# --------------------------------------------------------------- a file name decoded at run time

_NAME_FIRST_SKIP = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "getline"})
"""File APIs of `_READ_CALLS`/`_WRITE_CALLS` whose first argument is not the file's name
(`Path(p).write_bytes(data)`) or that awk's lexer handles."""
_BARE_FILE_CALLS = frozenset(
    name for name in (*_READ_CALLS, *_WRITE_CALLS, *_DELETE_CALLS) if "." not in name
)
_NAMED_FILE_CALLS = tuple(
    dict.fromkeys(
        name
        for name in (*_READ_CALLS, *_WRITE_CALLS, *_DELETE_CALLS)
        if name not in _NAME_FIRST_SKIP
        and not ("." in name and name.rsplit(".", 1)[-1] in _BARE_FILE_CALLS)
    )
)
"""File APIs whose first argument is the name of the file they read, write, open or delete
(a dotted name whose last part is listed by itself is found through that part)."""
_SHARED_FILE_NAMES = frozenset({"remove", "copy", "file", "rmdir"})
"""File-API names other objects' methods share (`letters.remove(chr(97))`): counted only when
called bare or on a file module."""
_FILE_MODULES = frozenset(
    {"os", "shutil", "fs", "fsp", "promises", "File", "FileUtils", "Dir", "pathlib", "io",
     "posix", "Deno", "Bun"}
)  # fmt: skip
_DECODING_HINTS = (
    "chr", "decode", "fromhex", "hexlify", "a2b_", "atob", "fromCharCode", "fromCodePoint",
    "Buffer.from", "pack", "reverse", "[::-1]", "rot13", "codecs", "tr(", "compress", "inflate",
    "gunzip", "hex2bin", "strrev", "bytes(", "bytearray(", "string.char", "utf8.char",
)  # fmt: skip
"""A cheap gate: code that spells none of these decodes nothing `_decoded_file_name` finds."""
_DECODER_NAMES = frozenset(
    {"b64decode", "urlsafe_b64decode", "standard_b64decode", "b32decode", "b16decode",
     "b85decode", "a85decode", "decodebytes", "decodestring", "unhexlify", "a2b_hex",
     "a2b_base64", "fromhex", "atob", "fromCharCode", "fromCodePoint", "decode64",
     "strict_decode64", "urlsafe_decode64", "base64_decode", "decode_base64",
     "decode_base64url", "hex2bin", "str_rot13", "strrev", "gzinflate", "gzdecode",
     "gzuncompress", "convert_uudecode", "chr", "pack", "unpack", "unpack1", "decompress",
     "inflateSync", "gunzipSync", "rot13", "reversed"}
)  # fmt: skip
"""Calls whose result is text the code does not spell: decoders, `chr`, `pack`, reversal."""
_CODEC_CALLS = frozenset({"codecs.decode", "codecs.encode"})
_HIDING_CODECS = ("rot", "hex", "base64", "zlib", "bz2", "uu")
"""Codecs that hide text (`codecs.decode(s, 'rot13')`); `'utf-8'` does not."""
_BUFFER_ENCODINGS = ("base64", "'hex'", '"hex"')
"""Encodings that make `Buffer.from(s, ENC)` a decoder (its default, UTF-8, copies `s`)."""
_CHAR_CALLS = frozenset({"string.char", "utf8.char", "string.reverse"})
"""Lua's `string.char(47, 101, ...)` and `string.reverse(s)`."""
_STRING_JOINS = frozenset({"join", "implode"})
_JOIN_DECODERS = ("chr", "fromCharCode", "reversed", "reverse")
"""What a join of characters builds a hidden name from: `''.join(map(chr, [...]))`,
Perl `join("", map {chr} ...)`, `''.join(reversed('...'))`."""
_PATH_WRAPPERS = frozenset(
    {"expanduser", "expandvars", "abspath", "realpath", "normpath", "join", "joinpath",
     "resolve", "Path", "PurePath", "str", "String", "expand_path", "fspath", "scalar",
     "catfile", "normalize", "sprintf"}
)  # fmt: skip
"""Calls that hand on a file name built from their arguments (`os.path.expanduser(x)`,
`path.join(a, b)`, `sprintf("%s/x", $p)`): a decoded argument is a decoded name."""
_LITERAL_DECODERS = (".reverse", ":reverse", ".unpack", ".tr(", "[::-1]")
"""What decodes the literal it follows: Ruby `"...".reverse`, `"...".unpack1("m")`, Lua
`("..."):reverse()`, Python `'...'[::-1]`."""
_PIECE_STEPS = 8
"""Pieces (literals, names, wrapper calls) looked at in one file name; bounds the walk."""
_DECODE_WINDOW = 48
"""How far into a join or after a literal the decoding word may appear."""
_ARRAY_WINDOW = 1024
"""How far an array literal (`[47,114,...].pack("c*")`) may reach."""
_CALL_NAME = re.compile(
    r"[$@%]?+[A-Za-z_][A-Za-z0-9_]{0,63}+(?:(?:\.|::)[A-Za-z_][A-Za-z0-9_]{0,63}+){0,8}+"
)
_PERL_HANDLE = re.compile(r"\s*+(?:(?:my|our|local)\s++)?+[$*]?+[A-Za-z_]\w{0,63}+\s*+,")
"""The handle a Perl `open` takes before the file name: `F,`, `my $fh,`, `local *F,`."""
_NUMBER_CHR = re.compile(r"[0-9]{1,7}+\s*+\.chr\b")
"""Ruby `47.chr`."""
_MAX_DECODED_NAMES = 32
"""Distinct names kept that were assigned decoded text (`p = codecs.decode(s, 'rot13')`).
A use is one dictionary look-up, so this bounds memory, not time."""
_NAME_WINDOW = 128
"""How far back from an `=` the assigned name (`p`, `$p`, `self.p`) may start."""
_ASSIGNED_NAME_CHARS = _IDENT | {"."}
_COMPOUND_BEFORE = frozenset("=!<>+-*/%&|^.~?:")
"""What before an `=` makes it no plain assignment: `==`, `!=`, `<=`, `+=`, `.=`, `||=`."""
_RESET_WINDOW = 256
"""How far after a name's previous assignment a plain one may stand and still end it."""
_RESET_STATEMENT = 96
"""How far past a plain assignment its statement is looked at for a trailing condition."""
_CONDITIONAL_WORDS = (
    "if", "elif", "else", "unless", "while", "until", "for", "foreach", "case", "when",
    "switch", "try", "except", "catch", "finally", "rescue", "ensure", "and", "or", "not",
    "def", "function", "lambda", "sub", "do", "return", "yield", "with", "then", "goto",
)  # fmt: skip
_CONDITIONAL_MARKS = ("&&", "||", "?", "=>")
"""What makes an assignment one that may not run (`if 0: p = 'x'`, `$p = 'x' if 0`,
`c ? p = 'x' : 0`, a function's body): such an assignment does not end a decoded name."""
_INTERPOLATION_WINDOW = 512
"""How far into an interpolating literal (`f'...'`, a template, a double-quoted Ruby, Perl or
PHP string) its interpolations are looked at."""
_INTERPOLATION_BODY = 256
"""How long one interpolation (`{codecs.decode('...', 'rot13')}`) may be."""
_INTERPOLATED_VARIABLE = re.compile(r"\$\{?+([A-Za-z_][A-Za-z0-9_]{0,63}+)")
"""A variable a Perl or PHP double-quoted string interpolates: `$p`, `${p}`."""


def _has_word(text: str, words: Iterable[str]) -> bool:
    """Whether one of `words` appears in `text` (a fixed window) as a whole word (`chr`, not
    `chrome`)."""
    return next(_word_uses(text, words, None), None) is not None


def _joins_decoded(code: str, start: int) -> bool:
    """Whether the join whose argument list starts at `start` joins decoded characters."""
    return _has_word(code[start : start + _DECODE_WINDOW], _JOIN_DECODERS) or (
        "[::-1]" in code[start : start + _DECODE_WINDOW]
    )


def _decodes_literal(code: str, at: int) -> bool:
    """Whether what follows a literal at `at` decodes it: `.reverse`, `.unpack1("m")`,
    `.split('').reverse().join('')`, `''.join(map(chr, ...))` (the literal is the separator)."""
    if code.startswith(_LITERAL_DECODERS, at):
        return True
    if code.startswith(".split(", at):
        return ".reverse(" in code[at : at + _DECODE_WINDOW]
    if code.startswith(".join(", at):
        return _joins_decoded(code, at + len(".join("))
    return False


def _decoding_call(name: str, code: str, args: int, lits_at: dict[int, _Literal]) -> bool:
    """Whether a call of `name`, whose arguments start at `args`, returns decoded text."""
    parts = name.lstrip("$@%").replace("::", ".").split(".")
    tail = parts[-1]
    if tail in _DECODER_NAMES or (tail in ("apply", "call") and _DECODER_NAMES & set(parts)):
        return True  # `b64decode(`, `String.fromCharCode.apply(null, [...])`
    if name in _CHAR_CALLS:
        return True
    after = _blanks(code, args)
    first = lits_at.get(after)
    past = first.end if first is not None else after
    rest = code[past : past + _DECODE_WINDOW]
    if name in _CODEC_CALLS:
        return any(c in rest for c in _HIDING_CODECS)  # `codecs.decode(s, 'rot13')`
    if tail in ("bytes", "bytearray") and len(parts) == 1:
        return code.startswith("[", after)  # `bytes([47, 101, ...]).decode()`
    if name.endswith("Buffer.from"):
        # `Buffer.from('...', 'base64')`, `Buffer.from([47, 101, ...])`
        return code.startswith("[", after) or any(e in rest for e in _BUFFER_ENCODINGS)
    if tail in _STRING_JOINS and (len(parts) == 1 or parts[-2] not in ("path", "File", "os")):
        return _joins_decoded(code, args)  # Perl `join("", map {chr} ...)`, `sep.join(...)`
    return False


@dataclass(frozen=True, slots=True)
class _DecodedNames:
    """Names the code assigns decoded text to (`p = codecs.decode('...', 'rot13')`), with
    where each assignment stands: a name holds decoded text at a point when its last
    assignment before that point was decoded, so `p = 'notes.txt'` later ends it."""

    assignments: dict[str, list[tuple[int, bool]]]
    """Each kept name's assignments in code order: (index of the `=`, decoded or not)."""

    def holds(self, name: str, pos: int) -> bool:
        """Whether `name` holds decoded text where it is used, at `pos`."""
        places = self.assignments.get(name)
        if not places:
            return False
        k = bisect_left(places, (pos,)) - 1
        return k >= 0 and places[k][1]


def _decoded_file_name(
    code: str,
    start: int,
    language: str,
    lits_at: dict[int, _Literal],
    budget: Budget,
    *,
    names: _DecodedNames | None = None,
    offset: int = 0,
    nested: bool = False,
) -> bool:
    """Whether the file-name argument starting at `start` is, or is built with, text the code
    decodes at run time: `chr(47)+...`, `''.join(map(chr, [...]))`, `b64decode(x)`,
    `codecs.decode('...', 'rot13')`, `[47, 114].pack("c*")`, `'...'.split('').reverse()`,
    a name in `names` assigned such text before (`p = chr(47)+...; open(p)`), or an
    interpolating literal around one (`f'{codecs.decode(...)}/x'`, `` `${p}/x` ``).
    Walks at most `_PIECE_STEPS` pieces joined by the language's concatenation operator, or
    by `,` inside a path-building call (`os.path.join(d, chr(47))`); each piece costs a fixed
    window at most, so the walk is bounded. `code` may be a slice (one interpolation) that
    starts at `offset` in the whole code; `nested` walks do not look into literals again."""
    n = len(code)
    i = start
    inside = False  # within a path-building call, where `,` joins pieces
    concat: tuple[str, ...] = ("+",)
    if language in ("perl", "php"):
        concat = (".",)
    elif language == "lua":
        concat = ("..",)
    elif language in ("python", "ruby"):
        concat = ("+", "%")  # `'%s/.ssh/id_rsa' % p`
    for _ in range(_PIECE_STEPS):
        budget.tick(1)
        i = _blanks(code, i)
        if i >= n:
            return False
        ch = code[i]
        lit = lits_at.get(i)
        if lit is None and ch in "rbfuRBFU":
            lit = lits_at.get(i + 1) or lits_at.get(i + 2)  # `b'...'`, `rb"..."`
            if lit is not None and any(c not in "rbfuRBFU" for c in code[i : lit.start]):
                lit = None
        if lit is not None:
            if not nested and _interpolates_decoded(
                code, i, lit, language, budget=budget, names=names
            ):
                return True  # `f'{codecs.decode("/ebbg", "rot13")}/.ssh/id_rsa'`, `"$p/x"`
            i = _blanks(code, lit.end)
            if _decodes_literal(code, i):
                return True
            if language == "python" and code.startswith(".format(", i):
                i += len(".format(")  # `'{}/.ssh/id_rsa'.format(p)`: the arguments are pieces
                inside = True
                continue
        elif ch == "[":
            close = code.find("]", i, i + _ARRAY_WINDOW)
            if close < 0:
                return False
            after = code[close + 1 : close + 1 + _DECODE_WINDOW]
            # Ruby `[47, 114].pack("c*")`, `.map(&:chr)`, JS `[...'x'].reverse()`.
            return after.startswith((".pack", ".reverse")) or (
                after.startswith(".map") and _has_word(after, ("chr", "fromCharCode"))
            )
        elif ch == "(":
            i += 1
            continue
        elif ch.isdigit():
            return _NUMBER_CHR.match(code, i) is not None  # Ruby `47.chr + 101.chr`
        else:
            m = _CALL_NAME.match(code, i)
            if m is None:
                return False
            name = m.group()
            j = _blanks(code, m.end())
            called = j < n and code[j] == "("
            if names is not None and _holds_decoded(names, name, offset + i, called=called):
                return True  # `p` was assigned decoded text: `open(p)`, `p.decode()`
            bare_args = (
                language in ("perl", "ruby", "lua")
                and j > m.end()
                and j < n
                and (code[j] in "'\"[$" or code[j].isalnum())
            )
            if called or bare_args:
                if name == "reverse" and language == "perl":
                    return True  # Perl `scalar reverse "..."`
                args = j + 1 if called else j
                if _decoding_call(name, code, args, lits_at):
                    return True
                if name.replace("::", ".").rsplit(".", 1)[-1] not in _PATH_WRAPPERS:
                    return False  # some other call: what it returns is not known
                i = args
                inside = True
                continue
            if j < n and code[j] in "[{":
                close = code.find("]" if code[j] == "[" else "}", j, j + _DECODE_WINDOW)
                j = _blanks(code, close + 1) if close > 0 else n  # `sys.argv[1]`, `$ENV{X}`
            i = j
        if i >= n:
            return False
        if code.startswith(concat, i) and not code.startswith(("+=", ".=", "++", "%="), i):
            inside = inside or code[i] == "%"  # `'%s/%s' % (d, f)`: the tuple's items are pieces
            i += len(concat[0])
        elif inside and code[i] == ",":
            i += 1
        else:
            return False
    return False


def _holds_decoded(names: _DecodedNames, name: str, pos: int, *, called: bool) -> bool:
    """Whether `name`, used at `pos`, is a name assigned decoded text, or an attribute or
    method of one (`p.decode()`, `self.p`, `self.p.strip()`); a call of the name itself
    (`p(x)`) is not. `name` has at most nine dotted parts (`_CALL_NAME`)."""
    if not called and names.holds(name, pos):
        return True
    dot = name.find(".")
    while dot > 0:
        if names.holds(name[:dot], pos):
            return True
        dot = name.find(".", dot + 1)
    return False


def _interpolates_decoded(
    code: str,
    piece: int,
    lit: _Literal,
    language: str,
    *,
    budget: Budget,
    names: _DecodedNames | None,
) -> bool:
    """Whether the literal `lit` (its prefix, if any, starting at `piece`) interpolates
    decoded text: a Python f-string `{...}`, a JS template `${...}` or a Ruby `#{...}` whose
    expression is a decoding call or a name in `names`, or a Perl or PHP double-quoted string
    whose `$p` is in `names`. Only the first `_INTERPOLATION_WINDOW` characters of the literal
    are looked at; each interpolation is walked as a slice of at most `_INTERPOLATION_BODY`
    characters (its own literals read afresh), and interpolations do not overlap."""
    quote = code[lit.start] if lit.start < len(code) else ""
    if language == "python" and "f" in code[piece : lit.start].lower():
        opener = "{"
    elif (language, quote) in (("node", "`"), ("ruby", '"')):
        opener = "${" if language == "node" else "#{"
    elif language in ("perl", "php") and quote == '"':
        opener = "$"
    else:
        return False
    body_end = min(lit.end - 1, lit.start + 1 + _INTERPOLATION_WINDOW)
    k = code.find(opener, lit.start + 1, body_end)
    while k >= 0:
        budget.tick(1)
        inner = k + len(opener)
        if opener == "$":
            var = _INTERPOLATED_VARIABLE.match(code, k, body_end)
            if var is not None and names is not None and names.holds("$" + var.group(1), k):
                return True  # Perl `open(F, "<$p")`, PHP `file_get_contents("$p/x")`
            k = code.find(opener, inner, body_end)
            continue
        if opener == "{" and code.startswith("{", inner):
            k = code.find(opener, inner + 1, body_end)  # `{{` is a brace, not a slot
            continue
        limit = min(body_end, inner + _INTERPOLATION_BODY)
        close = code.find("}", inner, limit)
        stop = close if close >= 0 else limit
        body = code[inner:stop]
        quotes = _QUOTES.get(language, "'\"")
        inner_lits = {x.start: x for x in _literals(body, quotes, budget, language)}
        if _decoded_file_name(
            body, 0, language, inner_lits, budget, names=names, offset=inner, nested=True
        ):
            return True
        k = code.find(opener, max(stop, inner), body_end)
    return False


def _assigned_name(code: str, end: int) -> str | None:
    """The name an `=` at `end` assigns to (`p`, `$p`, `@p`, `self.p`; a keyword before it,
    `let`/`my`/..., is not part of it), or None when what stands before is no plain name."""
    j = end
    while j > 0 and end - j < 16 and code[j - 1] in " \t":
        j -= 1
    stop = j
    while j > 0 and stop - j < _NAME_WINDOW and code[j - 1] in _ASSIGNED_NAME_CHARS:
        j -= 1
    if j > 0 and code[j - 1] in "$@":
        j -= 1  # Perl and PHP `$p`, Ruby `@p`
    if j == stop or (j > 0 and (code[j - 1] in _ASSIGNED_NAME_CHARS or code[j - 1] in "$@>:")):
        return None  # `a[0] = ...`, `$h->p = ...`, `A::p = ...`, or a name too long to read
    name = code[j:stop]
    return name if _CALL_NAME.fullmatch(name) is not None else None


def _decoded_names(
    code: str,
    lits: list[_Literal],
    language: str,
    lits_at: dict[int, _Literal],
    budget: Budget,
) -> _DecodedNames:
    """The names `code` assigns decoded text to: `p = ''.join(map(chr, [...]))`,
    `const p = Buffer.from('...', 'base64').toString()`, `my $p = pack("H*", ...)`,
    `$p = str_rot13('...')`, `p = [47, 114].pack("c*")`, and Python's `(p := ...)`. What
    is assigned is judged by `_decoded_file_name` (so `q = p + '/x'` follows `p`). One `find`
    loop over `=`, skipping `==`, `=>`, `=~`, compound operators and `=` inside literals;
    each assignment costs one bounded look back and one bounded walk. At most
    `_MAX_DECODED_NAMES` names are kept. A kept name reused for plain text (`p =
    'notes.txt'`) no longer counts after that assignment when it surely runs
    (`_runs_in_line`); one that may not run (`if 0: p = 'x'`) leaves the name decoded."""
    names = _DecodedNames({})
    kept = names.assignments
    starts = [lit.start for lit in lits]
    n = len(code)
    at = code.find("=")
    while at >= 0:
        budget.tick(1)
        before = code[at - 1] if at > 0 else ""
        after = code[at + 1] if at + 1 < n else ""
        walrus = before == ":" and language == "python"
        k = bisect_right(starts, at) - 1
        if (
            after not in ("=", "~", ">")
            and (walrus or before not in _COMPOUND_BEFORE)
            and not (k >= 0 and lits[k].end > at)
        ):
            name = _assigned_name(code, at - 1 if walrus else at)
            if name is not None and (name in kept or len(kept) < _MAX_DECODED_NAMES):
                decoded = _decoded_file_name(code, at + 1, language, lits_at, budget, names=names)
                if decoded:
                    kept.setdefault(name, []).append((at, True))
                elif name in kept and _runs_in_line(code, kept[name][-1][0], at, budget):
                    kept[name].append((at, False))  # `p = 'notes.txt'`: plain text from here
        at = code.find("=", at + 1)
    return names


def _runs_in_line(code: str, since: int, at: int, budget: Budget) -> bool:
    """Whether the assignment at `at` surely runs after the one at `since`: it stands at most
    `_RESET_WINDOW` characters after it, and nothing from there to the end of its own
    statement makes it conditional or defers it (`_CONDITIONAL_WORDS`, `_CONDITIONAL_MARKS`).
    A decoded name is ended only by such an assignment, so `if 0: p = 'x'` does not end it."""
    if at - since > _RESET_WINDOW:
        return False
    stop = min(len(code), at + _RESET_STATEMENT)
    ends = [e for e in (code.find(";", at, stop), code.find("\n", at, stop)) if e >= 0]
    span = code[since : min(ends) if ends else stop]
    budget.tick(1 + len(span) // 64)
    return not any(m in span for m in _CONDITIONAL_MARKS) and not _has_word(
        span, _CONDITIONAL_WORDS
    )


def _hides_a_file_name(code: str, lits: list[_Literal], language: str, budget: Budget) -> bool:
    """Whether a file API's name argument is text the code decodes at run time:
    `open(''.join(map(chr, [...])))`, `readFileSync(Buffer.from('...', 'base64').toString())`,
    Perl `open(F, pack("H*", ...))`, Ruby `File.read(Base64.decode64("..."))`, or a name
    assigned such text before (`p = codecs.decode('...', 'rot13'); open(p)`). A program that
    builds a file name by decoding it hides the name from review. Decoded *content*
    (`write(b64decode(data))`) is not a name and is not counted. One `find` loop per API
    name, and a bounded walk (`_decoded_file_name`) per use; the assigned names are read
    (`_decoded_names`) at the first use of a file API, once."""
    if not any(hint in code for hint in _DECODING_HINTS):
        return False
    lits_at = {lit.start: lit for lit in lits}
    names: _DecodedNames | None = None
    n = len(code)
    for name in _NAMED_FILE_CALLS:
        at = code.find(name)
        while at >= 0:
            end = at + len(name)
            budget.tick(1)
            before = code[at - 1] if at > 0 else ""
            whole = not (before.isalnum() or before == "_") and not (
                end < n and (code[end].isalnum() or code[end] == "_")
            )
            if whole:
                if names is None:
                    names = _decoded_names(code, lits, language, lits_at, budget)
                if _names_decoded(
                    code,
                    at,
                    end,
                    name=name,
                    language=language,
                    lits_at=lits_at,
                    names=names,
                    budget=budget,
                ):
                    return True
            at = code.find(name, end)
    return False


def _names_decoded(
    code: str,
    at: int,
    end: int,
    *,
    name: str,
    language: str,
    lits_at: dict[int, _Literal],
    names: _DecodedNames,
    budget: Budget,
) -> bool:
    """Whether the use of file API `name` at `at`..`end` names its file by decoded text."""
    n = len(code)
    if name in _SHARED_FILE_NAMES and at > 0 and code[at - 1] == ".":
        k = at - 1
        while k > 0 and at - k <= 32 and code[k - 1] in _IDENT:
            k -= 1
        if code[k : at - 1] not in _FILE_MODULES:
            return False  # `letters.remove(chr(97))` is a list, not a file
    i = _blanks(code, end)
    if i < n and code[i] == "(":
        i += 1
    elif not (language in ("perl", "ruby") and i > end):
        return False
    if language == "perl" and name == "open":
        handle = _PERL_HANDLE.match(code, i)
        if handle is not None:
            i = _blanks(code, handle.end())
            mode = lits_at.get(i)
            if mode is not None and mode.value.split(":", 1)[0].strip() in _OPEN_MODES:
                k = _blanks(code, mode.end)
                if k < n and code[k] == ",":
                    i = k + 1  # `open(my $fh, "<", NAME)`
    return _decoded_file_name(code, i, language, lits_at, budget, names=names)


def _loopback(host: str) -> bool:
    lowered = host.lower().strip("[]")
    return lowered in ("localhost", "::1", "0.0.0.0") or lowered.startswith("127.")  # noqa: S104


_FETCH_WORDS = ("curl ", "wget ", "fetch ", "http ", "https ", "aria2c ", "lwp-request ")


def _fetches(command: str) -> bool:
    """Whether a shell command the code runs fetches an address that is not this machine's:
    a download tool and a URL in the same command."""
    if "://" not in command or not any(w in command for w in _FETCH_WORDS):
        return False
    for scheme in ("http://", "https://", "ftp://"):
        at = command.find(scheme)
        if at >= 0:
            host = command[at + len(scheme) :].split("/", 1)[0].split(":", 1)[0]
            host = host.strip("'\" )").rsplit("@", 1)[-1]
            if host and not _loopback(host):
                return True
    return False


def _evals_computed(code: str, budget: Budget) -> bool:
    """Whether code evaluates a value computed at run time (`exec(resp.read())`,
    `eval(get(URL))`, Ruby `eval(`curl URL`)`) or hands `eval` on as a callback
    (`.then(eval)`)."""
    n = len(code)
    for before, end in _word_uses(code, _EVAL_NAMES, budget):
        if before in "(," and end < n and code[end] == ")":
            return True
        i = _blanks(code, end)
        if i < n and code[i] == "`":
            return True  # Perl `eval `curl URL``: the command's output, without parentheses
        if i < n and code[i] == "(":
            i = _blanks(code, i + 1)
            # A name or call, or a backquoted command (Perl, Ruby, PHP: its output).
            if i < n and (code[i].isalpha() or code[i] in "_$`"):
                return True
    return False


def _socket_as_stdio(code: str) -> bool:
    """`subprocess.Popen(['sh'], stdin=s, ...)` where `s = socket.create_connection(...)`:
    the child's standard streams are the socket."""
    if "socket." not in code:
        return False
    names: set[str] = set()
    for word in _STDIO_WORDS:
        at = code.find(word)
        while at >= 0 and len(names) < _MAX_STDIO_NAMES:
            i = at + len(word)
            j = i
            while j < len(code) and j - i < _MAX_STDIO_NAME and code[j] in _IDENT:
                j += 1
            if j > i:
                names.add(code[i:j])
            at = code.find(word, j)
    # At most `_MAX_STDIO_NAMES` substring tests, each linear: the whole check stays linear.
    return any(f"{n}=socket." in code or f"{n} = socket." in code for n in names)


_STDIN_SPELLINGS = (
    "sys.stdin",
    "/dev/stdin",
    "input()",
    "process.stdin",
    "readFileSync(0",
    "STDIN",
    "$stdin",
    "<>",
    "php://stdin",
    "io.read",
    "readline()",
)


_STDIN_WINDOW = 48
"""How far into an `exec(`/`eval(` argument the standard-input read may appear."""


def runs_stdin(code: str) -> bool:
    """Whether `code` evaluates what arrives on its standard input: `exec(sys.stdin.read())`,
    `eval(require('fs').readFileSync(0, 'utf8'))`, `eval(<STDIN>)`. Then the input is the
    program and is scanned as code too."""
    if not any(s in code for s in _STDIN_SPELLINGS):
        return False
    for name in _EVAL_NAMES:
        for opener in (name + "(", name + " "):
            at = code.find(opener)
            while at >= 0:
                argument = code[at + len(opener) : at + len(opener) + _STDIN_WINDOW]
                if any(s in argument for s in _STDIN_SPELLINGS):
                    return True
                at = code.find(opener, at + len(opener))
    return False


def _interpolated(lit: _Literal) -> bool:
    """A command literal built at run time: Ruby `%x(#{cmd})`, Perl `qx($cmd)`."""
    return lit.kind == "x" and ("#{" in lit.value or "$" in lit.value)


def _looks_like_command(text: str) -> bool:
    """A string an exec-capable program might hand to a shell: `curl x | sh`, `rm -rf /`."""
    if not text or len(text) > 4096 or " " not in text.strip():
        return False
    head = text.strip().split(None, 1)[0]
    return head.rsplit("/", 1)[-1] in _COMMAND_HEADS


def _awk_literals(code: str, strings: Spans) -> list[_Literal]:
    """awk's string literals, from the spans its own lexer found (a `/"/` pattern is not a
    string)."""
    out: list[_Literal] = []
    for start, end in strings:
        closed = end - start >= 2 and code[end - 1] == '"'
        value, hidden = _decode_escapes(code[start + 1 : end - 1 if closed else end])
        out.append(_Literal(value, start, end, hidden))
    return out


def _awk_effects(
    code: str,
    lits: list[_Literal],
    reads: list[str],
    writes: list[str],
    commands: list[str],
    *,
    skipped: Spans,
    budget: Budget,
) -> list[str]:
    """What awk runs and redirects to (see `crustcore_nano.shell.awkio`); returns the commands
    it builds at run time. The code is read twice, with awk's own lexer (`lits`) and with every
    `"` taken as a quote: where a `/` could be a pattern or a division, one of the two readings
    is awk's, so nothing either finds is left out."""
    plain = _literals(code, '"', budget)
    built: list[str] = []
    for found in (lits, plain):
        io = awk_io(code, [(lit.value, lit.start, lit.end) for lit in found], skipped)
        if io.writes:
            written = set(io.writes)
            reads[:] = [r for r in reads if r not in written]  # `print > "f"` does not read f
            writes.extend(w for w in io.writes if w not in writes)
        reads.extend(r for r in io.reads if r not in reads)
        commands.extend(c for c in io.commands if c not in commands)
        built.extend(b for b in io.built if b not in built)
    return built


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


_WRITE_MODES = (
    *(",'a'", ", 'a'", ",'w'", ", 'w'", ',"a"', ', "a"', ',"w"', ', "w"'),
    *('">', "'>", '"+<', "'+<"),  # Perl `open(F, ">>", ...)`, `open(F, ">$ENV{HOME}/x")`
)
"""Open modes that make a home path the code names a write."""


_DEST_WINDOW = 160
"""How far back from a home path the copy/move call it is the destination of may start."""


def _is_destination(code: str, pos: int) -> bool:
    """Whether the expression at `pos` is the second (or later) argument of a copy, move or
    rename call: `shutil.move('payload', os.path.expanduser('~/.zshrc'))`."""
    window = code[max(0, pos - _DEST_WINDOW) : pos]
    best = -1
    for name in _COPY_CALLS:
        at = window.rfind(name.rsplit(".", 1)[-1] + "(")
        if at >= 0 and (at == 0 or not (window[at - 1].isalnum() or window[at - 1] == "_")):
            best = max(best, at + len(name.rsplit(".", 1)[-1]) + 1)
    if best < 0:
        return False
    depth = 0
    quote = ""
    for ch in window[best:]:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False  # the call closed before `pos`
        elif ch == "," and depth == 0:
            return True
    return False


def _HOME_HINTS_ANY(code: str) -> bool:  # noqa: N802 - reads as the constant test it is
    """Whether the code spells the home directory at all (a cheap gate for `_home_paths`)."""
    return "~" in code or any(t in code for t in _HOME_TOKENS)


_MAX_ALIASES = 32
"""Home tokens looked at for an assignment (`h = os.environ['HOME']`); bounds the work."""
_MAX_ALIAS_NAMES = 8
"""Distinct alias names kept; each literal then looks for each of them in a bounded window."""
_STATEMENT_WINDOW = 96
_ALIAS = re.compile(r"\s*+(?:(?:const|let|var|my|local)\s++)?\$?([A-Za-z_][A-Za-z0-9_]{0,63})\s*+=")
_STATEMENT_BREAKS = ";\n"


def _home_aliases(code: str) -> tuple[str, ...]:
    """Names the code assigns a home expression to (`h = os.environ['HOME']`,
    `const h = os.homedir()`, `my $h = $ENV{HOME}`): each then spells the home directory as
    the expression does. Only an assignment that opens its statement counts, and only the
    first `_MAX_ALIASES` home tokens are looked at (each costs one bounded window)."""
    names: list[str] = []
    seen = 0
    for token in _HOME_TOKENS:
        at = code.find(token)
        while at >= 0 and seen < _MAX_ALIASES:
            seen += 1
            window = code[max(0, at - _STATEMENT_WINDOW) : at]
            # The statement opens after the last `;` or newline, or a block's `{`.
            for start in (max(window.rfind(c) for c in _STATEMENT_BREAKS), window.rfind("{")):
                m = _ALIAS.match(window, start + 1)
                if m is not None and window[m.end() : m.end() + 1] != "=":
                    if m.group(1) != "HOME":
                        names.append(m.group(1))
                    break
            at = code.find(token, at + len(token))
    return tuple(dict.fromkeys(names))[:_MAX_ALIAS_NAMES]


def _alias_end(window: str, names: tuple[str, ...]) -> int:
    """Where the last use of one of `names` (as a whole word, perl's `$h` too) ends in
    `window`, or -1."""
    best = -1
    for name in names:
        at = window.rfind(name)
        while at >= 0:
            after = at + len(name)
            before_ok = at == 0 or not (window[at - 1].isalnum() or window[at - 1] in "_.")
            after_ok = after == len(window) or not (window[after].isalnum() or window[after] == "_")
            if before_ok and after_ok:
                best = max(best, after)
                break
            at = window.rfind(name, 0, at)
    return best


def _home_before(code: str, pos: int, aliases: tuple[str, ...] = ()) -> str | None:
    """The text between the end of a home expression shortly before `pos` and `pos`, or None."""
    window = code[max(0, pos - _HOME_WINDOW) : pos]
    best = -1
    for token in _HOME_TOKENS:
        at = window.rfind(token)
        if at >= 0:
            best = max(best, at + len(token))
    if aliases:
        best = max(best, _alias_end(window, aliases))
    return None if best < 0 else window[best:]


_JOIN_CALLS = frozenset({"joinpath", "join", "File.join", "path.join", "resolve"})
"""Calls whose arguments are path pieces joined onto their receiver or first argument:
pathlib's `Path.home().joinpath('.aws', 'credentials')`, Node's `.join(`."""


def _joiner_of(gap: str) -> str | None:
    """The joiner `gap` (text between two path pieces, closers stripped) stands for: itself
    when it is one of `_JOINERS`, `,` for the opening of a path-join call
    (`.joinpath(`), else None."""
    core = gap.strip(_CLOSERS)
    if core in _JOINERS:
        return core
    if core.endswith("(") and core.startswith(".") and core[1:-1].strip() in _JOIN_CALLS:
        return ","
    return None


def _joined(gap: str) -> bool:
    """Whether `gap` (text between two path pieces) is only closers and one joiner."""
    return _joiner_of(gap) is not None


def _home_paths(code: str, lits: list[_Literal]) -> tuple[list[str], list[str]]:
    """Paths built from the home directory and literals: `os.environ['HOME'] + '/.aws/x'`,
    `path.join(os.homedir(), '.ssh', 'id_rsa')`, `f"{Path.home()}/.kube/config"`,
    `'%s/.netrc' % os.environ['HOME']`. Each comes back as `~/...` (reads, and writes too when
    the code calls a file-writing API). One pass over the literals, a bounded window each."""
    found: list[str] = []
    starts: list[int] = []
    chain: str | None = None
    joiner = ""
    prev_end = -1
    aliases = _home_aliases(code)
    # An alias inside a literal (`f"{h}/.aws/x"`, `"<$h/.aws/x"`) reads as the expression.
    spelled = [(f"{{{n}}}/", f"${n}/") for n in aliases]
    for lit in lits:
        value = lit.value
        for braced, dollar in spelled:
            if braced in value or dollar in value:
                value = value.replace(braced, "{HOME}/").replace(dollar, "{HOME}/")
        gap = code[prev_end : lit.start].strip(" \t")
        if joiner == "*":
            gap = gap.strip(_CLOSERS)
        if chain is not None and gap.endswith("(") and joiner in ("*", ","):
            # `.joinpath('.ssh').joinpath('id_rsa')`: a chained join call is one more `,`.
            gap = _joiner_of(gap) or gap
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
            before = _home_before(code, lit.start, aliases)
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
                joiner = _joiner_of(before) or ""
        if chain is not None:
            found.append(chain)
            starts.append(lit.start)
            prev_end = lit.end
    kept = [(p, at) for p, at in zip(found, starts, strict=True) if p not in ("~", "~/")]
    found = [p for p, _ in kept]
    writing = any(h in code for h in _WRITE_HINTS) or any(m in code for m in _WRITE_MODES)
    if writing:
        return found, list(found)
    return found, [p for p, at in kept if _is_destination(code, at)]


_OPEN_FOR_WRITING = re.compile(r"[,(=]\s*+['\"](?:[wax]|r\+)[bt+]{0,2}['\"]")
"""An open mode that writes, as an argument: `, "w"`, `("ab")`, `mode='r+'`."""


def argument_effects(code: str) -> tuple[bool, bool]:
    """(may write, may delete) the files named by the code's command-line arguments: whether
    code that looks at its argv (`sys.argv`, `process.argv`, `$ARGV[0]`, `ARGV`) calls anything
    that writes, copies or moves a file, opens one for writing, or deletes one. The scan does
    not follow which argument reaches which call, so every argument counts."""
    writes = (
        any(hint in code for hint in _ARGUMENT_WRITE_HINTS)
        or any(m in code for m in _WRITE_MODES)
        or _OPEN_FOR_WRITING.search(code) is not None
    )
    return writes, any(hint in code for hint in _DELETE_HINTS)


_ARGUMENT_WRITE_HINTS = tuple(
    name.rsplit(".", 1)[-1] + "(" for name in (*_WRITE_CALLS, *_COPY_CALLS)
)
_DELETE_HINTS = tuple(name.rsplit(".", 1)[-1] + "(" for name in _DELETE_CALLS)


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
