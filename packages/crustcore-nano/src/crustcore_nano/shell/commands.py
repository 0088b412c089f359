"""What common programs do to files, the network and other programs.

One function per family, keyed by the program's basename. The tables are our own reading of each
tool's documented options; they err towards reporting an effect (an unknown option is treated as
a flag, a positional argument of a file tool is treated as a file).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from crustcore_nano.shell import argwords
from crustcore_nano.shell.argwords import PATTERN_PROGRAMS, nonfile_words
from crustcore_nano.shell.expand import GLOB_CHARS, Field, Val, join_fields
from crustcore_nano.shell.facts import NetworkTarget, OpKind, ShellSignal
from crustcore_nano.shell.leaks import MAILERS
from crustcore_nano.shell.netparse import is_url, split_host_port
from crustcore_nano.shell.options import (
    Opt,
    basename,
    has,
    option_fields,
    parse_opts,
    sub,
    values,
)
from crustcore_nano.shell.pkgsources import (
    index_reason,
    index_source,
    installs_reason,
    remote_source,
)
from crustcore_nano.shell.sedscript import SedEffectKind, scan_sed
from crustcore_nano.shell.sink import Sink
from crustcore_nano.shell.storage import (
    GH_OPTS,
    STORAGE_CLIENTS,
    UPLOAD,
    sends_stdin,
    stdin_sent,
    storage,
)
from crustcore_nano.shell.tunnels import TUNNEL_PROGRAMS, exposes_port, tunnel_reason

# OpKind members, bound once: on Python 3.11 each `OpKind.X` look-up costs a descriptor call.
_CHMOD = OpKind.CHMOD
_CHOWN = OpKind.CHOWN
_DELETE = OpKind.DELETE
_EXECUTE = OpKind.EXECUTE
_LINK = OpKind.LINK
_LIST = OpKind.LIST
_NETWORK = OpKind.NETWORK
_READ = OpKind.READ
_WRITE = OpKind.WRITE

Handler = Callable[[str, list[Field], Sink], None]


def _w(words: str) -> list[str]:
    """A word list written as one string (keeps the option tables readable)."""
    return words.split()


SHELLS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "ash",
        "mksh",
        "yash",
        "fish",
        "rbash",
        "busybox-sh",
        "tcsh",
        "csh",
    }
)
_PY = ("python", "pypy")
FETCHERS = frozenset(
    {"curl", "wget", "aria2c", "fetch", "http", "https", "xh", "lwp-request", "GET", "ftp", "tftp"}
)
SOCKET_TOOLS = frozenset(
    {
        "nc",
        "ncat",
        "netcat",
        "nc.traditional",
        "nc.openbsd",
        "socat",
        "telnet",
        "openssl",
        "cryptcat",
        "pwncat",
    }
)


_LANGUAGE_INITIALS = frozenset("pnbdrjloRg")
"""First letters of every name `language_of` recognises (most programs fail this one test)."""


def language_of(name: str) -> str | None:
    """The scripting language a program name runs, or None."""
    if name[:1] not in _LANGUAGE_INITIALS:
        return None
    if name.startswith(_PY):
        return "python"
    if name in ("node", "nodejs", "bun", "deno"):
        return "node"
    if name.startswith("perl"):
        return "perl"
    if name.startswith(("ruby", "jruby")):
        return "ruby"
    if name.startswith("php"):
        return "php"
    if name in ("lua", "luajit") or name.startswith("lua5"):
        return "lua"
    if name == "osascript":
        return "applescript"
    if name in ("Rscript", "R"):
        return "r"
    if name == "groovy":
        return "groovy"
    if name == "julia":
        return "julia"
    return None


def is_shell(name: str) -> bool:
    """Whether `name` is a POSIX-ish shell."""
    return name in SHELLS


# --------------------------------------------------------------------------- file tools

_READERS = frozenset(
    _w(
        "cat tac nl head tail less more bat batcat od xxd hexdump hd strings "
        "base64 base32 basenc md5sum sha1sum sha224sum sha256sum sha384sum "
        "sha512sum b2sum cksum sum wc sort uniq cut paste comm diff diff3 cmp "
        "file readelf objdump nm ldd iconv column fold fmt expand unexpand rev "
        "look pr shuf zcat bzcat xzcat zless zmore zgrep view jq yq xmllint "
        "gpg split csplit sha1 md5 shasum ssh-keygen ssh-add openssl-rsa "
        "vimdiff colordiff dos2unix unix2dos source ."
    )
)
# Options of file readers that take a value. Unlisted options are flags, so an unknown
# option can only make us report one file too many, never one too few.
_READER_VALUE_OPTS: frozenset[str] = frozenset()
_LISTERS = frozenset(
    _w(
        "ls ll dir vdir tree du stat realpath readlink namei lsattr getfacl "
        "exa eza lsd dirname basename test [ fd fdfind locate"
    )
)
_DELETERS = frozenset(_w("rm rmdir unlink shred srm trash trash-put wipe"))
_EDITORS = frozenset(_w("vi vim nvim nano emacs ed ex code subl micro joe pico kak hx gedit"))


def _paths(args: list[Field], skip: int = 0) -> list[Field]:
    return [a for a in args[skip:] if a.text and a.text != "-"]


def _through_links(roots: list[Field], sink: Sink, name: str) -> None:
    """`name` reads the whole tree below each root and reads *through* every symlink it meets
    there (`grep -R`, `rg -L`, `tar -h`, `zip -r`): besides the root itself, the tree is read
    as `ROOT/**`, a form the engine walks for the links below ROOT, each then judged by where
    it leads (a repository can carry `docs/notes.txt -> ~/.aws/credentials`)."""
    for root in _paths(roots):
        if root.exact and GLOB_CHARS.isdisjoint(root.text):
            sink.op(_READ, sub(root, root.text.rstrip("/") + "/**"), name)


_READER_OPTS_BY_NAME: dict[str, frozenset[str]] = {
    "head": frozenset(_w("-n -c --lines --bytes")),
    "tail": frozenset(_w("-n -c -s --lines --bytes --pid --sleep-interval")),
    "cut": frozenset(_w("-d -f -c -b --delimiter --fields --characters --bytes")),
    "sort": frozenset(_w("-k -t -o -S -T --key --output --field-separator --buffer-size")),
    "wc": frozenset(_w("--files0-from")),
    "less": frozenset(_w("-b -h -j -k -o -O -p -P -t -T -x -y -z")),
    "od": frozenset(_w("-A -j -N -t -w")),
    "xxd": frozenset(_w("-c -g -l -o -s -n")),
    "jq": frozenset(_w("--arg --argjson --slurpfile --rawfile --indent -f --from-file")),
    "bat": frozenset(_w("-l --language -H --highlight-line --theme --style -r --line-range")),
    "batcat": frozenset(_w("-l --language -H --highlight-line --theme --style -r --line-range")),
    "nl": frozenset(_w("-b -d -f -h -i -l -n -s -v -w")),
    "fold": frozenset(_w("-w --width")),
    "column": frozenset(_w("-s -o -c -N -R -E")),
    "cmp": frozenset(_w("-i -n --ignore-initial --bytes")),
    "diff": frozenset(_w("-U -C -L --label --unified --context -I -x -X -F -D --exclude")),
    "strings": frozenset(_w("-n -t -e --bytes --radix --encoding")),
    "hexdump": frozenset(_w("-n -s -e -f")),
    "hd": frozenset(_w("-n -s -e -f")),
    "split": frozenset(_w("-l -b -C -n -a --lines --bytes --number --suffix-length")),
    "shuf": frozenset(_w("-n -o -i --head-count --output --input-range")),
    "iconv": frozenset(_w("-f -t -o --from-code --to-code --output")),
    "gpg": frozenset(_w("-o --output -r --recipient -u --local-user --homedir")),
    "ssh-keygen": frozenset(_w("-f -t -b -C -N -P -E -O -Y -n -I -V -z -Z -a")),
    "paste": frozenset(_w("-d --delimiters")),
    "pr": frozenset(_w("-h -l -w -o -N")),
    "uniq": frozenset(_w("-f -s -w --skip-fields --skip-chars --check-chars")),
    "xmllint": frozenset(_w("--xpath --schema --output -o --relaxng")),
}


def _jq_pairs(args: list[Field], sink: Sink, name: str) -> list[Field]:
    """jq's two-word options taken out of `args`: `--arg NAME VALUE` and `--argjson` (values,
    not files), `--slurpfile NAME FILE` and `--rawfile` (the file is read)."""
    kept: list[Field] = []
    i = 0
    while i < len(args):
        text = args[i].text
        if args[i].exact and text in ("--arg", "--argjson", "--slurpfile", "--rawfile"):
            if text in ("--slurpfile", "--rawfile") and i + 2 < len(args):
                sink.op(_READ, args[i + 2], name)
            i += 3
            continue
        kept.append(args[i])
        i += 1
    return kept


def _reader(name: str, args: list[Field], sink: Sink) -> None:
    if name == "jq":
        args = _jq_pairs(args, sink, name)
    opts, pos = parse_opts(args, _READER_OPTS_BY_NAME.get(name, _READER_VALUE_OPTS))
    if name in ("sort", "shuf"):
        for f in values(opts, "-o", "--output"):
            sink.op(_WRITE, f, name)
    if name == "uniq" and len(pos) >= 2:
        sink.op(_WRITE, pos[1], name)
        pos = pos[:1]
    if name == "yq" and pos and pos[0].text in ("e", "eval", "ea", "eval-all"):
        pos = pos[1:]  # `yq e '.env' compose.yml`: a subcommand, then the filter
    if name in ("jq", "yq") and pos and not has(opts, "-f", "--from-file"):
        pos = pos[1:]
    if name in ("gpg", "iconv"):
        for f in values(opts, "-o", "--output"):
            sink.op(_WRITE, f, name)
    if name == "ssh-keygen":
        for f in values(opts, "-f"):
            sink.op(_READ, f, name)
            if not has(opts, "-l", "-y", "-F", "-R"):
                sink.op(_WRITE, f, name)
        return
    if name in ("xxd",) and len(pos) >= 2:
        sink.op(_WRITE, pos[1], name)
        pos = pos[:1]
    if name == "split" and len(pos) >= 2:
        sink.op(_WRITE, pos[1], name)
        pos = pos[:1]
    if name in ("dos2unix", "unix2dos"):
        for f in _paths(pos):
            sink.op(_WRITE, f, name)
    for f in _paths(pos):
        sink.op(_READ, f, name)
    if name == "diff" and has(opts, "-r", "--recursive") and not has(opts, "--no-dereference"):
        _through_links(pos, sink, name)  # it compares (and prints) what links lead to


_GREP_PROGRAMS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack", "zgrep", "fd", "fdfind"})
"""Programs whose first operand (unless `-e`/`-f` gives the patterns) is what they search for."""
_SED_PROGRAMS = frozenset({"sed", "gsed"})
SEARCH_PROGRAMS = _GREP_PROGRAMS | _SED_PROGRAMS | PATTERN_PROGRAMS
"""Programs some of whose words are patterns, scripts or messages rather than files
(`search_patterns`): the search programs, sed, and those with exclusion patterns or messages
(`argwords`)."""
_GREP_OPTS = frozenset(
    _w(
        "-e -f -m -A -B -C -d -D -g -t -j -M --regexp --file --max-count "
        "--after-context --before-context --context --include --exclude "
        "--exclude-dir --glob --type --type-not --threads --max-columns "
        "--label --binary-files --devices --directories "
        "--encoding --sort --sortr --max-depth --ignore-file --replace"
    )
)
_RG_OPTS = _GREP_OPTS | frozenset({"-r", "-E", "-T", "--color", "--colour"})
"""rg's `-r` (replace), `-E` (encoding), `-T` (type-not) and `--color WHEN` take a value; for
grep `-r`, `-E` and `-T` are flags and `--color` takes one only as `--color=WHEN`."""


def _grep_split(name: str, args: list[Field]) -> tuple[list[Opt], list[Field], list[Field]]:
    """A search command's options, its patterns written as operands, and its file operands."""
    opts, pos = parse_opts(args, _RG_OPTS if name == "rg" else _GREP_OPTS)
    if not has(opts, "-e", "--regexp", "-f", "--file") and name not in ("fd", "fdfind"):
        return opts, pos[:1], pos[1:]
    return opts, [], pos


def search_patterns(name: str, argv: list[str]) -> frozenset[str]:
    """The words of a `SEARCH_PROGRAMS` command (`argv` without the program) that name no
    file: a search program's patterns (each `-e` value, or the first operand), and the
    exclusion patterns and messages `argwords.nonfile_words` finds."""
    words = nonfile_words(name, argv)
    if name in _SED_PROGRAMS:
        return words | _sed_scripts(argv)
    if name not in _GREP_PROGRAMS:
        return words
    opts, patterns, _ = _grep_split(name, [Field(a) for a in argv])
    return words | frozenset(f.text for f in (*values(opts, "-e", "--regexp"), *patterns))


def _sed_scripts(argv: list[str]) -> frozenset[str]:
    """A sed command's script words (a program, not files: the files a script itself reads
    or writes with `r`/`w` are reported from it by `_sed_effects`), unless the same text is
    also one of its file operands."""
    opts, scripts, files, _ = _sed_split([Field(a) for a in argv])
    operands = {f.text for f in (*files, *values(opts, "-f", "--file"))}
    return frozenset(s.text for s in scripts if s.text not in operands)


def _grep(name: str, args: list[Field], sink: Sink) -> None:
    opts, _, pos = _grep_split(name, args)
    for f in values(opts, "-f", "--file", "--ignore-file"):
        sink.op(_READ, f, name)
    recursive = name in ("rg", "ag", "ack") or has(
        opts, "-r", "-R", "--recursive", "--dereference-recursive"
    )
    if not pos and recursive:
        pos = [Field(".")]
    for f in _paths(pos):
        sink.op(_READ, f, name)
    if has(opts, *_FOLLOWING_SEARCH.get(name, _GREP_FOLLOWS)):
        _through_links(pos, sink, name)


_GREP_FOLLOWS = ("-R", "--dereference-recursive")
_FOLLOWING_SEARCH = {
    "rg": ("-L", "--follow"),
    "ag": ("-f", "--follow"),
    "ack": ("--follow",),
    "fd": (),
    "fdfind": (),
}
"""The options that make a search program read through the symlinks of a tree (grep's `-r`
reads only the links named on the command line; `fd` lists names, it reads nothing)."""


_AWK_OPTS = frozenset(
    {"-f", "-v", "-F", "--file", "--assign", "--field-separator", "-i", "--include"}
)


def _awk(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        args,
        _AWK_OPTS,
    )
    progs = values(opts, "-f", "--file")
    for f in progs:
        sink.op(_READ, f, name)
        sink.op(_EXECUTE, f, name)
    if not progs and pos:
        sink.code("awk", pos[0].val(), f"{name} program")
        pos = pos[1:]
    for f in _paths(pos):
        if "=" in f.text and not f.text.startswith(("/", ".")):
            continue
        sink.op(_READ, f, name)


_SED_OPTS = frozenset({"-e", "-f", "--expression", "--file", "-l", "--line-length"})


def _sed_split(args: list[Field]) -> tuple[list[Opt], list[Field], list[Field], bool]:
    """A sed command's options, its scripts (each `-e`, or the first operand), its file
    operands, and whether it edits in place."""
    in_place = False
    cleaned: list[Field] = []
    for arg in args:
        t = arg.text
        if arg.exact and (t.startswith("--in-place") or t.startswith("-i")):
            in_place = True
            continue
        cluster = arg.exact and t.startswith("-") and not t.startswith("--") and t[1:].isalpha()
        if cluster and "i" in t[1:] and "e" not in t[1:] and "f" not in t[1:]:
            in_place = True
            t = t.replace("i", "")
            if t == "-":
                continue
            cleaned.append(sub(arg, t))
            continue
        cleaned.append(arg)
    opts, pos = parse_opts(cleaned, _SED_OPTS)
    scripts = values(opts, "-e", "--expression")
    if not has(opts, "-e", "--expression", "-f", "--file") and pos:
        scripts = pos[:1]
        pos = pos[1:]
    return opts, scripts, pos, in_place


def _sed(name: str, args: list[Field], sink: Sink) -> None:
    opts, scripts, pos, in_place = _sed_split(args)
    for f in values(opts, "-f", "--file"):
        sink.op(_READ, f, name)
    if len(scripts) > 1:
        # sed joins its `-e` scripts with newlines into one script, so a command may run on
        # from one into the next: `-e 's#x#curl ...|sh\\' -e '#e'` is a single `s///e`.
        scripts = [
            Field(
                "\n".join(s.text for s in scripts),
                all(s.exact for s in scripts),
                any(s.glob for s in scripts),
                any(s.escaped for s in scripts),
                any(s.decoded for s in scripts),
                any(s.brace for s in scripts),
                any(s.secret for s in scripts),
            )
        ]
    for script in scripts:
        _sed_effects(name, script, sink)
    for f in _paths(pos):
        sink.op(_READ, f, name)
        if in_place:
            sink.op(_WRITE, f, f"{name} -i")


def _sed_effects(name: str, script: Field, sink: Sink) -> None:
    """The files a sed script reads or writes and the commands it runs (`sedscript`)."""
    scanned = scan_sed(script.text)
    for effect in scanned.effects:
        kind = effect.kind
        if kind is SedEffectKind.READ:
            sink.op(_READ, sub(script, effect.text), f"{name} r")
        elif kind is SedEffectKind.WRITE:
            sink.op(_WRITE, sub(script, effect.text), f"{name} w")
        elif kind is SedEffectKind.EXEC:
            sink.shell_code(sub(script, effect.text).val(), f"{name} e")
        else:
            sink.signal(
                ShellSignal.UNRESOLVED_CODE, f"{name} runs its input text as a shell command"
            )
    if scanned.truncated:
        sink.signal(ShellSignal.UNRESOLVED_CODE, f"{name} script has too many commands to follow")


_WRITER_OPTS = frozenset(
    {
        "-m",
        "--mode",
        "-s",
        "--size",
        "-r",
        "--reference",
        "-d",
        "--date",
        "-t",
        "-Z",
        "--context",
    }
)


def _writer(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        args,
        _WRITER_OPTS,
    )
    for f in _paths(pos):
        sink.op(_WRITE, f, name)
        for mode in values(opts, "-m", "--mode"):
            sink.chmod(mode, f, False, name)


_TEE_OPTS = frozenset({"--output-error"})


def _tee(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(args, _TEE_OPTS)
    for f in _paths(pos):
        sink.op(_WRITE, f, name)


_PATCH_OPTS = frozenset(
    {
        "-i", "--input", "-o", "--output", "-d", "--directory", "-p", "--strip", "-D",
        "--ifdef", "-B", "--prefix", "-Y", "--basename-prefix", "-z", "--suffix", "-r",
        "--reject-file", "-F", "--fuzz", "-V", "--version-control", "-g", "--get",
        "--quoting-style", "--read-only", "--reject-format",
    }
)  # fmt: skip


def _patch(name: str, args: list[Field], sink: Sink) -> None:
    """`patch [FILE [PATCHFILE]]`: FILE is changed in place (or `-o OUT` written), and with no
    FILE every file the patch names is written below `-d DIR`, or the current directory."""
    opts, pos = parse_opts(args, _PATCH_OPTS)
    for f in values(opts, "-i", "--input"):
        sink.op(_READ, f, name)
    if len(pos) > 1:
        sink.op(_READ, pos[1], name)
    outputs = values(opts, "-o", "--output")
    for f in outputs + values(opts, "-r", "--reject-file"):
        if f.text != "-":
            sink.op(_WRITE, f, name)
    if has(opts, "--dry-run"):
        return
    dirs = values(opts, "-d", "--directory")
    if pos:
        if not outputs:
            target = pos[0]
            if dirs and not target.text.startswith(("/", "~")):
                target = sub(target, dirs[-1].text.rstrip("/") + "/" + target.text)
            sink.op(_WRITE, target, name)
        return
    for d in dirs[-1:] or [Field(".")]:
        sink.op(_WRITE, d, f"{name} (the files the patch names)")


def _dd(name: str, args: list[Field], sink: Sink) -> None:
    for a in args:
        key, eq, value = a.text.partition("=")
        if not eq:
            continue
        if key == "if":
            sink.op(_READ, sub(a, value), name)
        elif key == "of":
            sink.op(_WRITE, sub(a, value), name)


_COPY_OPTS = frozenset(
    {
        "-t",
        "--target-directory",
        "-S",
        "--suffix",
        "-m",
        "--mode",
        "-o",
        "--owner",
        "-g",
        "--group",
        "--backup",
        "--sparse",
        "--reflink",
    }
)


def _copy(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        args,
        _COPY_OPTS,
    )
    targets = values(opts, "-t", "--target-directory")
    if targets:
        dests, sources = targets, pos
    elif name == "install" and has(opts, "-d", "--directory"):
        dests, sources = pos, []
    elif len(pos) >= 2:
        dests, sources = pos[-1:], pos[:-1]
    else:
        dests, sources = [], pos
    for f in _paths(sources):
        sink.op(_READ, f, name)
        if name == "mv":
            sink.op(_DELETE, f, name)
    if (
        name in ("cp", "gcp")
        and has(opts, "-L", "--dereference")
        and has(opts, "-r", "-R", "--recursive", "-a", "--archive")
    ):
        _through_links(sources, sink, name)
    for f in _paths(dests):
        sink.op(_WRITE, f, name)
        for mode in values(opts, "-m", "--mode"):
            sink.chmod(mode, f, False, name)
        for landed in _landed(f, _paths(sources)):
            sink.op(_WRITE, landed, name)


def _landed(dest: Field, sources: list[Field]) -> list[Field]:
    """Where sources copied, moved or linked into `dest` land when `dest` is a directory:
    `DEST/basename(SRC)`. Whether it is a directory is not known statically, so both the
    destination and these paths are reported (`cp -r hooks .git/` writes `.git/hooks`,
    `cp x.pth .venv/lib/python3.12/site-packages/` writes the `.pth` file there)."""
    head = dest.text.rstrip("/")
    if not head and not dest.text.startswith("/"):
        return []
    out: list[Field] = []
    for src in sources[:_MAX_LANDED]:
        landed = _landed_one(head, dest, src)
        if landed is not None:
            out.append(landed)
    return out


def _landed_one(head: str, dest: Field, src: Field) -> Field | None:
    name = basename(src.text)
    if name in ("", ".", "..") or "/" in name:
        return None
    return Field(head + "/" + name, dest.exact and src.exact, dest.glob or src.glob)


_MAX_LANDED = 64  # bounded: a copy of more files is reported by its destination alone


_LN_OPTS = frozenset({"-t", "--target-directory", "-S", "--suffix"})


def _ln(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _LN_OPTS)
    targets = values(opts, "-t", "--target-directory")
    if targets:
        for f in pos:
            sink.op(_LINK, targets[0], f.text)
            sink.op(_READ, f, name)
        return
    if len(pos) >= 2:
        link, dest = pos[-1], pos[:-1]
    elif pos:
        link, dest = Field(basename(pos[0].text), pos[0].exact), pos[:1]
    else:
        return
    for f in dest:
        sink.op(_LINK, link, f.text)
        sink.op(_READ, f, name)
    head = link.text.rstrip("/")
    if len(pos) >= 2 and (head or link.text.startswith("/")):
        for f in dest[:_MAX_LANDED]:
            landed = _landed_one(head, link, f)
            if landed is not None:  # the link made inside a directory (written there)
                sink.op(_WRITE, landed, f"{name} into a directory")


_DELETE_OPTS = frozenset({"-n", "--iterations", "-s", "--size", "--random-source"})


def _delete(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _DELETE_OPTS)
    for f in _paths(pos):
        if name in ("shred", "wipe"):
            sink.op(_WRITE, f, name)
            if not has(opts, "-u", "--remove") and name == "shred":
                continue
        sink.op(_DELETE, f, name)


_LISTER_OPTS = frozenset(
    {"-I", "-L", "-P", "--ignore", "--hide", "-T", "--format", "-c", "-w", "--width", "-t"}
)


def _lister(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(
        args,
        _LISTER_OPTS,
    )
    if name in ("test", "["):
        pos = [a for a in args if a.text.startswith(("/", "~", "."))]
    for f in _paths(pos):
        sink.op(_LIST, f, name)
    if not pos and name in ("ls", "ll", "dir", "tree", "du", "eza", "exa", "lsd"):
        sink.op(_LIST, Field("."), name)


_CHMOD_OPTS = frozenset({"--reference", "--from"})


def _chmod(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        [
            a
            for a in args
            if not (
                a.exact
                and len(a.text) > 1
                and a.text[0] == "-"
                and a.text[1:2] in "rwxXst"
                and name == "chmod"
            )
        ],
        _CHMOD_OPTS,
    )
    mode_args = [
        a
        for a in args
        if a.exact
        and len(a.text) > 1
        and a.text[0] == "-"
        and a.text[1:2] in "rwxXst"
        and name == "chmod"
    ]
    recursive = has(opts, "-R", "--recursive")
    if not pos:
        return
    spec = mode_args[0] if mode_args else pos[0]
    files = pos if mode_args else pos[1:]
    for f in _paths(files):
        if name == "chmod":
            sink.chmod(spec, f, recursive, name)
            sink.op(_CHMOD, f, spec.text)
        else:
            sink.op(_CHOWN, f, spec.text)


_EDITOR_OPTS = frozenset({"-c", "-S", "-u", "-i", "--cmd", "-t", "-q"})


def _editor(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(args, _EDITOR_OPTS)
    _edits(name, pos, sink)


def _edits(name: str, files: list[Field], sink: Sink) -> None:
    """An editor reads the files it is given and may write them back (`+N` is a line)."""
    for f in _paths(files):
        if not f.text.startswith("+"):
            sink.op(_READ, f, name)
            sink.op(_WRITE, f, name)


_EMACS_LOADS = frozenset(_w("-l --load -load --script -script -x --insert -insert"))
_EMACS_OPTS = _EMACS_LOADS | frozenset(
    _w(
        "--eval -eval --execute -execute -f --funcall -funcall -L --directory -directory --chdir"
        " -chdir -t --terminal -d --display --dump-file -u --user --init-directory -fn --font"
        " -bg -fg --background-color --foreground-color --name -T --title -g --geometry -bd -bw"
        " -cr -ms --border-color --border-width --cursor-color --mouse-color -ib"
        " --internal-border -lsp --line-spacing --color"
    )
)
_EMACSCLIENT_OPTS = frozenset(
    _w(
        "-a --alternate-editor -s --socket-name -f --server-file -d --display -F --frame-parameters"
        " -T --tramp --tty-type"
    )
)


def _emacs(name: str, args: list[Field], sink: Sink) -> None:
    """Emacs visits (reads and may save) the files it is given and reads the Lisp files it
    loads (`-l`, `--script`); the Lisp it evaluates (`--eval`) is read by the analyser
    (`embedded.py`, `elisp.py`). `emacsclient -e` takes expressions, not files, and
    `-a CMD` runs CMD when no Emacs server answers."""
    if name == "emacsclient":
        opts, pos = parse_opts(args, _EMACSCLIENT_OPTS)
        for command in values(opts, "-a", "--alternate-editor"):
            sink.shell_code(command.val(), "emacsclient alternate editor")
        if has(opts, "-e", "--eval"):
            return
    else:
        opts, pos = parse_opts(args, _EMACS_OPTS)
        for f in _paths(values(opts, *_EMACS_LOADS)):
            sink.op(_READ, f, f"{name} load")
    _edits(name, pos, sink)


def _ffmpeg(name: str, args: list[Field], sink: Sink) -> None:
    """`ffmpeg [OPTS] -i IN ... [OPTS] OUT`: every `-i` input is read, and every other argument
    that is not an option is taken as an output and written (a URL as a network target). Option
    values count too: which options take one is not modelled, and a value read as a file name in
    the project costs nothing, while a flag taken for an option with a value would hide the
    output after it."""
    i = 0
    while i < len(args):
        f = args[i]
        t = f.text
        if t == "-i" and i + 1 < len(args):
            i += 1
            if not is_url(args[i].text):
                sink.op(_READ, args[i], name)
        elif is_url(t):
            sink.address(f, name)
        elif t and not t.startswith("-") and not t.startswith("pipe:"):
            sink.op(_WRITE, f, name)
        i += 1


def _without_coder(f: Field) -> Field:
    """ImageMagick's `FORMAT:FILE` (`png:out`, `text:notes.txt`) names FILE."""
    head, colon, rest = f.text.partition(":")
    if colon and head.isalnum() and 1 < len(head) <= 8 and rest and not rest.startswith("//"):
        return sub(f, rest)
    return f


def _imagemagick(name: str, args: list[Field], sink: Sink) -> None:
    """ImageMagick reads its inputs and writes its last argument (`convert IN... OUT`,
    `montage`, `composite`; `magick` the same) and any `-write FILE`, or, as `mogrify`, every
    image in place. An
    input named with a coder prefix or as a list file (`text:FILE`, `@list.txt`) is that
    file."""
    files = [a for a in args if a.text and a.text[0] not in "-+"]
    for k, f in enumerate(args[:-1]):
        if f.text in ("-write", "+write"):  # `-write FILE` saves the image so far there too
            sink.op(_WRITE, _without_coder(args[k + 1]), name)
    if name == "mogrify":
        for f in files:
            sink.op(_WRITE, _without_coder(f), name)
    elif len(files) > 1 and args[-1] is files[-1]:
        sink.op(_WRITE, _without_coder(files.pop()), name)
    for f in files:  # the inputs (and option values, read as names in the project)
        bare = _without_coder(f)
        sink.op(_READ, sub(bare, bare.text.lstrip("@")), name)


# Options whose value is a file or directory the program writes (builds, install roots,
# downloads, archives).
_OUTPUT_OPTIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("gcc", "g++", "cc", "c++", "clang", "clang++", "ld", "go"), ("-o",)),
    "rustc": ("-o", "--out-dir"),
    "cargo": ("--target-dir", "--out-dir", "--artifact-dir", "--root"),
    "gem": ("-i", "--install-dir", "-n", "--bindir"),
    "javac": ("-d",),
    "tsc": ("--outDir", "--outFile", "--declarationDir"),
    "esbuild": ("--outfile", "--outdir"),
    "webpack": ("-o", "--output-path"),
    "pyinstaller": ("--distpath", "--workpath"),
    "npm": ("--pack-destination",),
    "aria2c": ("-d", "--dir"),
    "cpio": ("-D", "--directory"),
    "7z": ("-o",),
}


_ANY_MEMBER = Field("$(archive member)", exact=False)
"""Where an archive member that may be named anywhere lands: a path no one can pin down,
judged as if it could be the home directory or `/` (asked, not denied: the archive may be
harmless, and the user can look)."""


def _cpio(name: str, args: list[Field], sink: Sink) -> None:
    """`cpio -i` extracts members under the names they carry, absolute ones included, unless
    told `--no-absolute-filenames`: such an extraction may write anywhere."""
    _outputs(name, args, sink)
    texts = {f.text for f in args}
    extract = "--extract" in texts or any(
        t.startswith("-") and not t.startswith("--") and "i" in t for t in texts
    )
    if extract and "--no-absolute-filenames" not in texts:
        sink.op(_WRITE, _ANY_MEMBER, f"{name} extract (absolute member names)")


def _outputs(name: str, args: list[Field], sink: Sink) -> None:
    """The files and directories `name`'s output options name (`gcc -o FILE`, `-oFILE`,
    `tsc --outDir=DIR`, `7z x a.7z -oDIR`, `cargo install --root DIR`) are written."""
    names = _OUTPUT_OPTIONS[name]
    for k, f in enumerate(args):
        t = f.text
        for option in names:
            if t == option and k + 1 < len(args):
                sink.op(_WRITE, args[k + 1], f"{name} {option}")
            elif t.startswith(option + "=") or (
                len(option) == 2 and len(t) > 2 and t[:2] == option
            ):
                value = t[len(option) + 1 :] if t.startswith(option + "=") else t[2:]
                sink.op(_WRITE, sub(f, value), f"{name} {option}")


# Formatters and fixers that rewrite the files they are given: the options that make them
# write (None: they always do) and the options that make them only check.
_FORMATTERS: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {
    "black": (None, frozenset({"--check", "--diff"})),
    "isort": (None, frozenset({"--check-only", "-c", "--check", "--diff"})),
    "rustfmt": (None, frozenset({"--check"})),
    "prettier": (frozenset({"--write", "-w"}), frozenset()),
    "eslint": (frozenset({"--fix"}), frozenset()),
    "autopep8": (frozenset({"-i", "--in-place"}), frozenset()),
    "yapf": (frozenset({"-i", "--in-place"}), frozenset()),
    "gofmt": (frozenset({"-w"}), frozenset()),
    "goimports": (frozenset({"-w"}), frozenset()),
    "shfmt": (frozenset({"-w", "--write"}), frozenset()),
    "clang-format": (frozenset({"-i"}), frozenset()),
    "ruff format": (None, frozenset({"--check", "--diff"})),
    "ruff check": (frozenset({"--fix"}), frozenset()),
    "terraform fmt": (None, frozenset({"-check", "--check"})),
}
_FORMAT_VALUE_OPTS = frozenset(
    _w(
        "--config -c --settings-path --settings-file --sp --ignore-path --stdin-filename --style"
        " --rulesdir --resolve-plugins-relative-to --plugin --line-length -l --target-version -t"
        " --exclude --extend-exclude --force-exclude --include --output-format --format -f"
        " --cache-location --cache-dir --ext --edition --config-path"
    )
)


def _formatter(name: str, args: list[Field], sink: Sink) -> None:
    """A formatter or fixer in writing mode (`black`, `prettier --write`, `ruff check --fix`,
    `gofmt -w`, ...) rewrites every file (or tree) it is given."""
    if name in ("ruff", "terraform"):
        if not args or f"{name} {args[0].text}" not in _FORMATTERS:
            return
        name, args = f"{name} {args[0].text}", args[1:]
    on, off = _FORMATTERS[name]
    words = {a.text.partition("=")[0] for a in args}
    if (on is not None and words.isdisjoint(on)) or not words.isdisjoint(off):
        return
    skip = False
    for f in args:
        if skip:
            skip = False
        elif f.text.startswith("-"):
            skip = f.text in _FORMAT_VALUE_OPTS
        elif f.text:
            sink.op(_WRITE, f, name)


_TCPDUMP_OPTS = frozenset(
    _w(
        "-w -r -F -V -z -i --interface -c --count -C -G -W -s --snapshot-length -B"
        " --buffer-size -E -M -T -y --linktype -Z --relinquish-privileges -j"
        " --time-stamp-type --time-stamp-precision -Q --direction --print-sampling"
    )
)


def _tcpdump(name: str, args: list[Field], sink: Sink) -> None:
    """`tcpdump -w FILE` writes the capture there; `-r`, `-F` (the filter) and `-V` (a list of
    captures) are reads; `-z CMD` runs CMD on every capture file it finishes."""
    opts, _ = parse_opts(args, _TCPDUMP_OPTS)
    for f in _paths(values(opts, "-r", "-F", "-V")):
        sink.op(_READ, f, name)
    for f in _paths(values(opts, "-w")):
        sink.op(_WRITE, f, name)
    for command in values(opts, "-z"):
        sink.shell_code(command.val(), "tcpdump -z command")


_TAR_OPTS = frozenset(
    {
        "-f",
        "--file",
        "-C",
        "--directory",
        "-T",
        "--files-from",
        "-X",
        "--exclude-from",
        "--exclude",
        "-b",
        "-N",
        "--use-compress-program",
        "-I",
        "--to-command",
        "--checkpoint-action",
    }
)


def _tar(name: str, args: list[Field], sink: Sink) -> None:
    first = args[0].text if args else ""
    if args and not first.startswith("-") and args[0].exact:
        args = [sub(args[0], "-" + first), *args[1:]]
    opts, pos = parse_opts(
        args,
        _TAR_OPTS,
    )
    archives = values(opts, "-f", "--file")
    dirs = values(opts, "-C", "--directory")
    for f in values(opts, "-T", "--files-from", "-X", "--exclude-from"):
        sink.op(_READ, f, name)
    for code in values(opts, "--to-command", "-I", "--use-compress-program"):
        sink.shell_code(code.val(), "tar command")
    for action in values(opts, "--checkpoint-action"):
        if action.text.startswith("exec="):
            sink.shell_code(sub(action, action.text[5:]).val(), "tar checkpoint")
    create = has(opts, "-c", "--create", "-r", "--append", "-u", "--update")
    extract = has(opts, "-x", "--extract", "--get")
    for f in archives:
        sink.op(_WRITE if create else _READ, f, name)
    if create:
        for f in _paths(pos):
            sink.op(_READ, f, name)
        if has(opts, "-h", "--dereference"):
            _through_links(pos, sink, name)
    elif extract:
        for d in dirs or [Field(".")]:
            sink.op(_WRITE, d, f"{name} extract")
        if has(opts, "-P", "--absolute-names"):
            # Members named `/home/u/.bashrc` or `../../x` are written where they say.
            sink.op(_WRITE, _ANY_MEMBER, f"{name} extract with absolute names")


_ZIP_OPTS = frozenset({"-d", "-x", "-i", "-P", "--password", "-O"})


def _zip(name: str, args: list[Field], sink: Sink) -> None:
    if name in _OUTPUT_OPTIONS:
        _outputs(name, args, sink)  # `7z x a.7z -oDIR`
    opts, pos = parse_opts(args, _ZIP_OPTS)
    if name == "unzip":
        for f in pos[:1]:
            sink.op(_READ, f, name)
        for d in values(opts, "-d") or [Field(".")]:
            sink.op(_WRITE, d, name)
        if has(opts, "-:"):
            # `-:` keeps `../` in member names: they are written wherever they lead.
            sink.op(_WRITE, _ANY_MEMBER, f"{name} -: (members outside the directory)")
        return
    if name in ("gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz", "zstd", "7z"):
        for f in _paths(pos):
            sink.op(_READ, f, name)
            if not has(opts, "-c", "--stdout", "-l", "-t"):
                sink.op(_WRITE, f, name)
        if name == "7z" and pos and pos[0].text in ("a", "u") and not _has_word(args, "-snl"):
            _through_links(pos[2:], sink, name)  # 7z stores a link's target unless `-snl`
        return
    if pos:
        sink.op(_WRITE, pos[0], name)
    for f in _paths(pos[1:]):
        sink.op(_READ, f, name)
    if has(opts, "-r", "-R", "--recurse-paths") and not has(opts, "-y", "--symlinks"):
        _through_links(pos[1:], sink, name)  # zip stores a link's target unless `-y`


def _has_word(args: list[Field], word: str) -> bool:
    return any(a.exact and a.text == word for a in args)


def _rename(name: str, args: list[Field], sink: Sink) -> None:
    """`rename FROM TO FILES...` (util-linux) and `rename EXPR FILES...` (Perl's): every file
    named is moved away from its name, so each is a delete, and the new names are not known."""
    opts, pos = parse_opts(args, frozenset())
    perl = bool(pos) and (pos[0].text[:2] in ("s/", "y/") or "/" in pos[0].text[:3])
    files = pos[1:] if perl else pos[2:]
    if has(opts, "-n", "--no-act", "--nono"):
        return
    for f in files:
        sink.op(_DELETE, f, name)


FILTERED_DELETE = "find -delete of what its tests select"
"""The detail of `find ROOT TESTS... -delete`: not every file under ROOT goes."""


def _find(name: str, args: list[Field], sink: Sink) -> None:
    roots: list[Field] = []
    i = 0
    while i < len(args) and not args[i].text.startswith(("-", "(", "!")):
        roots.append(args[i])
        i += 1
    if not roots:
        roots = [Field(".")]
    for r in roots:
        sink.op(_LIST, r, name)
    globs = _find_globs(roots, args[i:])
    found: list[str | None] = [None] if globs is None else list(globs)
    while i < len(args):
        t = args[i].text
        if t in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(args) and args[j].text not in (";", "+"):
                j += 1
            inner = args[i + 1 : j]
            if inner:
                # `{}` is each path found: as `| xargs` gets them, one glob per root.
                for glob in found:
                    sink.run_argv([_each_found(a, glob) for a in inner], f"find {t}")
            i = j + 1
            continue
        if t == "-delete":
            # With tests only what they select goes: with one `-name` (`-name '*.pyc'`), at
            # most what `ROOT/**/NAME` names; with others, the engine cannot tell, and asks
            # when the root holds what it protects (see its walk).
            tested = any(a.text.startswith("-") and a.text != "-delete" for a in args[:i])
            if tested and globs is not None and not any(g.endswith("/**") for g in globs):
                for glob in globs:
                    sink.op(_DELETE, Field(glob), FILTERED_DELETE)
            else:
                for r in roots:
                    sink.op(_DELETE, r, FILTERED_DELETE if tested else "find -delete")
        elif t in ("-fprint", "-fprint0", "-fprintf", "-fls") and i + 1 < len(args):
            sink.op(_WRITE, args[i + 1], name)
        i += 1


_FIND_OWN_OUTPUT = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-printf", "-fprintf", "-ls", "-fls", "-delete"}
)
_FD_VALUE_OPTS = frozenset(
    _w(
        "-e --extension -t --type -E --exclude -d --max-depth --min-depth -S --size "
        "-c --color -j --threads --changed-within --changed-before -o --owner "
        "--base-directory --search-path --ignore-file --max-results"
    )
)


def found_paths(name: str, args: list[Field]) -> Val | None:
    """What `find`/`fd` prints, as a glob per root: `find ~/.ssh` -> `~/.ssh/**`,
    `find ~ -name id_rsa` -> `~/**/id_rsa`. Output fed on (`| xargs cat`, `$(find ...)`,
    `| while read f`) then names the files it can reach. None when it prints something else."""
    if name == "find":
        roots: list[Field] = []
        i = 0
        while i < len(args) and not args[i].text.startswith(("-", "(", "!")):
            roots.append(args[i])
            i += 1
        rest = args[i:]
        if any(a.text in _FIND_OWN_OUTPUT for a in rest):
            return None
        globs = _find_globs(roots or [Field(".")], rest)
    else:
        opts, pos = parse_opts(args, _FD_VALUE_OPTS)
        if has(opts, "-x", "--exec", "-X", "--exec-batch", "-l", "--list-details"):
            return None
        roots = pos[1:] + values(opts, "--search-path", "--base-directory")
        globs = _find_globs(roots or [Field(".")], [])
    return None if globs is None else Val("\n".join(globs) + "\n")


def path_output(name: str, args: list[Field]) -> Val | None:
    """What `dirname`, `basename`, `realpath` and `readlink -f|-e|-m` print for operands known
    exactly: `$(dirname ~/.aws/config)/credentials` names `~/.aws/credentials`. `realpath`
    prints each operand as written (the path checks resolve its links themselves); `readlink`
    without a canonicalizing flag prints a link's target, which is not known here. None when
    the output is not known."""
    flags = {a.text for a in args if _is_flag(a)}
    operands = _exact_operands(args)
    if operands is None:
        return None
    if name == "readlink" and not flags & _CANONICAL:
        return None
    if name == "dirname":
        lines = [_dirname(a.text) for a in operands]
    elif name == "basename":
        if flags - {"-a", "--multiple", "-z", "--zero"}:
            return None  # `-s SUFFIX` and anything else: not modelled
        if flags & {"-a", "--multiple"}:
            lines = [_basename(a.text, "") for a in operands]
        else:
            suffix = operands[1].text if len(operands) == 2 else ""
            lines = [_basename(operands[0].text, suffix)]
    else:
        lines = [a.text for a in operands]
    return Val("\n".join(lines) + "\n")


_CANONICAL = frozenset({"-f", "-e", "-m", "--canonicalize", "--canonicalize-existing"})


def _dirname(text: str) -> str:
    """GNU `dirname`: `a/b/` -> `a`, `x` -> `.`, `/x` -> `/`."""
    stripped = text.rstrip("/") or "/"
    if "/" not in stripped:
        return "."
    head = stripped.rsplit("/", 1)[0].rstrip("/")
    return head or "/"


def _basename(text: str, suffix: str) -> str:
    stripped = text.rstrip("/") or "/"
    name = stripped.rsplit("/", 1)[-1] or "/"
    if suffix and name.endswith(suffix) and name != suffix:
        name = name[: -len(suffix)]
    return name


def listed_paths(args: list[Field]) -> Val | None:
    """What `ls` prints that names a file where it is: each operand as written (a file's, or
    any with `-d`; a directory's entries are printed as bare names, which name files only
    relative to it). `ls ~/.aws/credentials | while read f; do cat $f; done` reads the file.
    None when an operand is not known exactly."""
    operands = _exact_operands(args)
    if operands is None:
        return None
    return Val("\n".join(a.text for a in operands) + "\n")


def _is_flag(f: Field) -> bool:
    return f.exact and f.text.startswith("-") and f.text != "-"


def _exact_operands(args: list[Field]) -> list[Field] | None:
    """The arguments that are not flags, when there are some (at most 64) and every one is
    known exactly; else None (what a command prints of them is then not known)."""
    operands = [a for a in args if not _is_flag(a)]
    if not operands or len(operands) > 64 or not all(a.exact for a in operands):
        return None
    return operands


def _find_globs(roots: list[Field], tests: list[Field]) -> list[str] | None:
    """Per root, globs for the paths `find` reaches: `ROOT/**`, or `ROOT/**/NAME` for each
    branch of `-o` alternatives when every branch has a `-name` (or `-iname`) test, which then
    bounds what it selects (other tests only narrow it further). A negation (`! -name x`) or a
    branch without a name selects more than any name says: `ROOT/**`. None when a root is not
    known exactly (or too many)."""
    if not all(r.exact for r in roots) or len(roots) > 8:
        return None
    leaves: list[str] = []
    branch: list[Field] = []
    for arg in [*tests, Field("-o")]:
        if arg.text in _FIND_NOT:
            leaves = [""]
            break
        if arg.text not in _FIND_OR:
            branch.append(arg)
            continue
        names = [branch[k + 1] for k, a in enumerate(branch[:-1]) if a.text in _FIND_NAMES]
        if not names or not names[0].exact or "/" in names[0].text:
            leaves = [""]
            break
        leaves.append(names[0].text)
        branch = []
    if not tests:
        leaves = [""]
    suffixes = dict.fromkeys("/**/" + leaf if leaf else "/**" for leaf in leaves)
    return [r.text.rstrip("/") + suffix for r in roots for suffix in suffixes]


_FIND_NAMES = frozenset({"-name", "-iname"})
_FIND_NOT = frozenset({"!", "-not"})
_FIND_OR = frozenset({"-o", "-or", ","})


_FD_EXEC = frozenset({"-x", "--exec", "-X", "--exec-batch"})
_FD_PLACEHOLDERS = ("{/}", "{//}", "{.}", "{/.}")


def _fd(name: str, args: list[Field], sink: Sink) -> None:
    """`fd PATTERN [PATH...]` lists names like the other listers; with `-x`/`--exec` or
    `-X`/`--exec-batch` the rest of the line (up to `;`) is a command run on what it finds,
    each found path standing for `{}` or appended when no placeholder is written:
    `fd id_rsa ~ -x cat` reads `~/**` like `find ~ -exec cat {} +`."""
    cut = next((k for k, a in enumerate(args) if a.exact and a.text in _FD_EXEC), None)
    if cut is None:
        _lister(name, args, sink)
        return
    own, command = args[:cut], args[cut + 1 :]
    end = next((k for k, a in enumerate(command) if a.exact and a.text == ";"), None)
    if end is not None:
        own += command[end + 1 :]
        command = command[:end]
    _lister(name, own, sink)
    if not command:
        return
    opts, pos = parse_opts(own, _FD_VALUE_OPTS)
    roots = pos[1:] + values(opts, "--search-path", "--base-directory")
    # `-e EXT` bounds what is found by name, as `find -name '*.EXT'` does.
    tests: list[Field] = []
    for ext in values(opts, "-e", "--extension"):
        if not ext.exact:
            tests = []
            break
        tests += [Field("-o")] if tests else []
        tests += [Field("-name"), Field(f"*.{ext.text.lstrip('.')}")]
    globs = _find_globs(roots or [Field(".")], tests)
    for glob in [None] if globs is None else globs:
        argv = [
            Field(a.text, False) if any(h in a.text for h in _FD_PLACEHOLDERS) else
            _each_found(a, glob)
            for a in command
        ]  # fmt: skip
        if not any("{" in a.text for a in command):
            argv.append(Field("{fd found}", False) if glob is None else Field(glob))
        sink.run_argv(argv, f"{name} {args[cut].text}")


def _each_found(arg: Field, glob: str | None) -> Field:
    """An argument of `find -exec` with `{}` standing for each path found (`glob`); not known
    exactly when there is no glob."""
    if "{}" not in arg.text:
        return arg
    if glob is None or not arg.exact:
        return Field(arg.text, False)
    return sub(arg, arg.text.replace("{}", glob))


# --------------------------------------------------------------------------- network tools


_CURL_OPTS = frozenset(
    _w(
        "-o --output -T --upload-file -d --data --data-binary --data-raw "
        "--data-ascii --data-urlencode --json -F --form --form-string -K "
        "--config -x --proxy -H --header -A --user-agent -e --referer -u "
        "--user -X --request -b --cookie -c --cookie-jar -w --write-out -m "
        "--max-time --connect-timeout --retry -r --range -E --cert --key "
        "--cacert --capath --unix-socket --abstract-unix-socket --resolve "
        "--connect-to -D --dump-header --trace --trace-ascii --stderr --url -U "
        "--proxy-user --output-dir --limit-rate -y -Y -z --interface "
        "--dns-servers --preproxy --socks5 --socks5-hostname --socks4 "
        "--socks4a -Q --quote --netrc-file --aws-sigv4 --oauth2-bearer "
        "--ciphers --max-filesize --retry-delay --retry-max-time "
        "--expect100-timeout --happy-eyeballs-timeout-ms --keepalive-time -t "
        "--telnet-option -P --ftp-port --mail-from --mail-rcpt --variable "
        "--etag-save --etag-compare --hsts --alt-svc --proto --proto-redir "
        "--local-port"
    )
)


def _curl(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        args,
        _CURL_OPTS,
    )
    for f in values(
        opts,
        "-o",
        "--output",
        "-c",
        "--cookie-jar",
        "-D",
        "--dump-header",
        "--trace",
        "--trace-ascii",
        "--stderr",
        "--etag-save",
        "--hsts",
        "--alt-svc",
    ):
        sink.op(_WRITE, f, name)
    dirs = values(opts, "--output-dir")
    for f in dirs:
        sink.op(_WRITE, f, name)
    if has(opts, "-O", "--remote-name", "-J", "--remote-name-all"):
        sink.op(_WRITE, Field("."), f"{name} -O")
        places: list[Field | None] = [*dirs] or [None]
        for where in places:
            _saved_as(values(opts, "--url") + pos, name, sink, where)
    for f in values(
        opts,
        "-T",
        "--upload-file",
        "-K",
        "--config",
        "-E",
        "--cert",
        "--key",
        "--netrc-file",
        "--cacert",
    ):
        sink.op(_READ, f, name)
    for f in values(opts, "-d", "--data", "--data-binary", "--data-ascii", "--json"):
        if f.text.startswith("@"):
            sink.op(_READ, sub(f, f.text[1:]), name)
    for f in values(opts, "--data-urlencode"):
        head, at, tail = f.text.partition("@")
        if at and "=" not in head:
            sink.op(_READ, sub(f, tail), name)
    for f in values(opts, "-H", "--header"):
        if f.text.startswith("@"):  # header lines read from a file, then sent
            sink.op(_READ, sub(f, f.text[1:]), name)
    for f in values(opts, "--variable"):
        head, at, tail = f.text.partition("@")  # `--variable name@FILE` (`name=text` is literal)
        if at and head and "=" not in head:
            sink.op(_READ, sub(f, tail), name)
    for f in values(opts, "-F", "--form"):
        _, eq, value = f.text.partition("=")
        if eq and value[:1] in ("@", "<"):
            sink.op(_READ, sub(f, value[1:].split(";", 1)[0]), name)
    for f in values(opts, "-b", "--cookie"):
        if "=" not in f.text:
            sink.op(_READ, f, name)
    for f in values(opts, "-K", "--config"):
        sink.signal(
            ShellSignal.UNSEEN_TRANSFER,
            f"{name} reads more options from {f.text}, which this check does not read",
        )
    for f in values(opts, "--unix-socket", "--abstract-unix-socket"):
        sink.op(_NETWORK, f, "unix socket")
    for f in values(
        opts,
        "-x",
        "--proxy",
        "--preproxy",
        "--socks5",
        "--socks5-hostname",
        "--socks4",
        "--socks4a",
    ):
        sink.address(f, f"{name} proxy")
    for f in values(opts, "--url") + pos:
        sink.address(f, name, 80)


_WGET_OPTS = frozenset(
    _w(
        "-O --output-document -o --output-file -a --append-output -P "
        "--directory-prefix --post-file --body-file -i --input-file "
        "--post-data --body-data --header -U --user-agent --user --password -e "
        "--execute --load-cookies --save-cookies --ca-certificate "
        "--certificate --private-key -t --tries -T --timeout -w --wait -Q "
        "--quota -l --level -A --accept -R --reject -D --domains -X "
        "--exclude-directories -I --include-directories --method --referer "
        "--bind-address -B --base --limit-rate --config --use-askpass"
    )
)


# `wget -e COMMAND` runs a wgetrc command; these set what an option would (names compared
# without case, `_` or `-`, as wget does).
_WGETRC_OPTIONS = {
    "postfile": "--post-file",
    "bodyfile": "--body-file",
    "input": "--input-file",
    "outputdocument": "--output-document",
    "dirprefix": "--directory-prefix",
    "logfile": "--output-file",
    "loadcookies": "--load-cookies",
    "savecookies": "--save-cookies",
    "certificate": "--certificate",
    "privatekey": "--private-key",
    "useaskpass": "--use-askpass",
    "header": "--header",
}


def wgetrc_option(command: str) -> tuple[str, str] | None:
    """`wget -e NAME=VALUE`: the long option NAME stands for, and VALUE, for the commands that
    name files or run code (names compared without case, `_` or `-`, as wget does)."""
    key, eq, value = command.partition("=")
    option = _WGETRC_OPTIONS.get(key.strip().lower().replace("_", "").replace("-", ""))
    return (option, value.strip()) if eq and option is not None else None


def _wget(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _WGET_OPTS)
    for f in values(opts, "--config"):
        sink.signal(
            ShellSignal.UNSEEN_TRANSFER,
            f"{name} reads more commands from {f.text}, which this check does not read",
        )
    implied: list[Field] = []
    for f in values(opts, "-e", "--execute"):
        found = wgetrc_option(f.text)
        if found is not None:
            implied.append(sub(f, f"{found[0]}={found[1]}"))
    if implied:
        opts, pos = parse_opts(implied + args, _WGET_OPTS)
    for f in values(
        opts,
        "-O",
        "--output-document",
        "-o",
        "--output-file",
        "-a",
        "--append-output",
        "--save-cookies",
        "-P",
        "--directory-prefix",
    ):
        sink.op(_WRITE, f, name)
    for f in values(
        opts,
        "--post-file",
        "--body-file",
        "-i",
        "--input-file",
        "--load-cookies",
        "--certificate",
        "--private-key",
        "--config",
    ):
        sink.op(_READ, f, name)
    for code in values(opts, "--use-askpass"):
        sink.shell_code(code.val(), "wget --use-askpass")
    prefixes = values(opts, "-P", "--directory-prefix")
    if not values(opts, "-O", "--output-document") and pos:
        if not prefixes:
            sink.op(_WRITE, Field("."), name)
        places: list[Field | None] = [*prefixes[-1:]] or [None]  # wget uses the last `-P`
        for where in places:
            _saved_as(pos, name, sink, where)
    for f in pos:
        sink.address(f, name, 80)


def _saved_as(urls: list[Field], name: str, sink: Sink, where: Field | None = None) -> None:
    """The file a download lands in when named after the URL (`curl -O`, plain `wget`), in
    the directory `where` when one is given (`curl --output-dir`, `wget -P`)."""
    for f in urls:
        if not f.exact or "://" not in f.text:
            continue
        rest = f.text.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
        _host, slash, path = rest.partition("/")
        leaf = path.rsplit("/", 1)[-1]
        if slash and leaf and leaf not in (".", ".."):
            saved = leaf if where is None else where.text.rstrip("/") + "/" + leaf
            exact = f.exact and (where is None or where.exact)
            sink.op(_WRITE, Field(saved, exact), f"{name} saves")


_GENERIC_FETCH_OPTS = frozenset({"-o", "-d", "--dir", "-i", "--input-file", "-a", "--auth"})


_HTTP_METHODS = frozenset(_w("GET POST PUT PATCH DELETE HEAD OPTIONS"))


def _generic_fetch(name: str, args: list[Field], sink: Sink) -> None:
    if name in _OUTPUT_OPTIONS:
        _outputs(name, args, sink)  # `aria2c -d DIR`
    _, pos = parse_opts(args, _GENERIC_FETCH_OPTS)
    if name in ("http", "https", "xh", "xhs"):
        _httpie(name, pos, sink)
        return
    for f in pos:
        if is_url(f.text) or "." in f.text:
            sink.address(f, name, 80)


def _httpie(name: str, pos: list[Field], sink: Sink) -> None:
    """httpie and xh: `[METHOD] URL [ITEM...]`. A URL without a scheme gets `http://` (https
    for `https`/`xhs`), so a host without a dot (`metadata/computeMetadata/v1/`) is a host;
    `:8000/x` is localhost. Items `name@FILE`, `name=@FILE` and `name:=@FILE` send a file."""
    if pos and pos[0].text.upper() in _HTTP_METHODS:
        pos = pos[1:]
    if not pos:
        return
    url, items = pos[0], pos[1:]
    text = url.text
    if not is_url(text) and url.exact and text and not text.startswith("-"):
        scheme = "https://" if name in ("https", "xhs") else "http://"
        text = scheme + ("localhost" + text if text.startswith(":") else text)
        url = Field(text, exact=url.exact)
    sink.address(url, name, 443 if text.startswith("https://") else 80)
    for item in items:
        at = item.text.find("@")
        if at > 0 and item.text[at - 1] not in ("\\",) and len(item.text) > at + 1:
            head = item.text[:at]
            if head.endswith(("=", ":=")) or head.replace("-", "").replace("_", "").isalnum():
                sink.op(_READ, Field(item.text[at + 1 :], exact=item.exact), name)


_NC_OPTS = frozenset(
    _w(
        "-e -c -p -s -w -i -q -X -x -O -T -V -W -I -M -m -P -g -G --exec "
        "--sh-exec --lua-exec --source-port --source --wait "
        "--idle-timeout --proxy --proxy-type --output -o --append-output "
        "--hex-dump"
    )
)


def _nc(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        args,
        _NC_OPTS,
    )
    for code in values(opts, "-e", "--exec", "-c", "--sh-exec", "--lua-exec"):
        sink.signal(ShellSignal.REVERSE_SHELL, f"{name} runs {code.text!r} on a socket")
        sink.op(_EXECUTE, code, name)
        if not code.text.startswith("/") or " " in code.text:
            sink.shell_code(code.val(), f"{name} -e")
    for f in values(opts, "-o", "--output", "--append-output"):
        sink.op(_WRITE, f, name)
    listen = has(opts, "-l", "--listen")
    if has(opts, "--unixsock") or (name != "ncat" and has(opts, "-U")):
        for f in pos[:1]:
            sink.op(_NETWORK, f, "unix socket")
        return
    ports = values(opts, "-p", "--source-port")
    if len(pos) >= 2:
        port = pos[1].text if pos[1].text.isdigit() else None
        host = pos[0].text if pos[0].exact else None
        sink.connect(NetworkTarget(host, int(port) if port else None, None, name, listen))
    elif len(pos) == 1:
        if pos[0].text.isdigit():
            sink.connect(NetworkTarget(None, int(pos[0].text), None, name, listen))
        else:
            p = ports[0].text if ports and ports[0].text.isdigit() else None
            sink.connect(
                NetworkTarget(
                    pos[0].text if pos[0].exact else None, int(p) if p else None, None, name, listen
                )
            )
    elif ports:
        p = ports[0].text
        sink.connect(NetworkTarget(None, int(p) if p.isdigit() else None, None, name, listen))


_SOCAT_NET = (
    "TCP",
    "TCP4",
    "TCP6",
    "TCP-CONNECT",
    "UDP",
    "UDP4",
    "UDP6",
    "UDP-CONNECT",
    "SCTP",
    "SCTP-CONNECT",
    "OPENSSL",
    "SSL",
    "OPENSSL-CONNECT",
    "SOCKS4",
    "SOCKS4A",
    "SOCKS5",
    "PROXY",
    "UDP-SENDTO",
    "DCCP-CONNECT",
)
_SOCAT_LISTEN = (
    "TCP-LISTEN",
    "TCP4-LISTEN",
    "TCP6-LISTEN",
    "UDP-LISTEN",
    "UDP4-LISTEN",
    "OPENSSL-LISTEN",
    "SSL-L",
    "SCTP-LISTEN",
    "UDP-RECV",
    "UDP-RECVFROM",
    "TCP-L",
)
_SOCAT_EXEC = ("EXEC", "SYSTEM")
_SOCAT_FILES = ("FILE", "OPEN", "CREATE", "CREAT", "GOPEN", "PIPE")
_SOCAT_UNIX = ("UNIX-CONNECT", "UNIX-CLIENT", "UNIX", "UNIX-LISTEN", "UNIX-SENDTO", "ABSTRACT")


_SOCAT_OPTS = frozenset({"-d", "-D", "-L", "-W", "-b", "-t", "-T", "-lf", "-lp"})


def _socat(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(args, _SOCAT_OPTS)
    has_net = has_exec = False
    for f in pos:
        text = f.text
        kind, colon, rest = text.partition(":")
        upper = kind.upper()
        rest = rest.split(",", 1)[0] if upper not in _SOCAT_EXEC else rest
        if not colon:
            if text.startswith("/"):
                sink.op(_READ, f, name)
            continue
        if upper in _SOCAT_NET:
            host, port = split_host_port(rest)
            sink.connect(NetworkTarget(host, port, None, name))
            has_net = True
        elif upper in _SOCAT_LISTEN:
            port_text = rest.split(":", 1)[0]
            sink.connect(
                NetworkTarget(
                    None, int(port_text) if port_text.isdigit() else None, None, name, True
                )
            )
            has_net = True
        elif upper in _SOCAT_EXEC:
            code = rest.split(",", 1)[0] if upper == "EXEC" else rest
            sink.op(_EXECUTE, sub(f, code), name)
            sink.shell_code(sub(f, code).val(), f"socat {upper.lower()}")
            has_exec = True
        elif upper in _SOCAT_FILES:
            sink.op(_WRITE if upper in ("CREATE", "CREAT") else _READ, sub(f, rest), name)
        elif upper in _SOCAT_UNIX:
            sink.op(_NETWORK, sub(f, rest), "unix socket")
    if has_net and has_exec:
        sink.signal(ShellSignal.REVERSE_SHELL, "socat joins a socket to a program")


_SSH_OPTS = frozenset(_w("-p -i -F -o -l -L -R -D -J -b -c -E -e -m -O -Q -S -W -w -B -I -P"))


_AUTOSSH_OPTS = _SSH_OPTS | {"-M"}  # autossh's monitoring port


def _ssh(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(
        args,
        _AUTOSSH_OPTS if name == "autossh" else _SSH_OPTS,
        permute=False,
    )
    for f in values(opts, "-i", "-F"):
        sink.op(_READ, f, name)
    for f in values(opts, "-E"):
        sink.op(_WRITE, f, name)
    for f in values(opts, "-o"):
        key, value = _ssh_option(f.text)
        if key.lower() in ("proxycommand", "localcommand", "knownhostscommand", "remotecommand"):
            sink.shell_code(sub(f, value).val(), f"ssh {key}")
    for f in values(opts, "-J"):
        sink.address(f, "ssh jump", 22)
    exposure = exposes_port(values(opts, "-R"), values(opts, "-o"))
    if exposure is not None:
        sink.signal(ShellSignal.REVERSE_SHELL, exposure)
    port_vals = values(opts, "-p", "-P")
    port = int(port_vals[0].text) if port_vals and port_vals[0].text.isdigit() else 22
    if name in ("scp", "rsync"):
        return
    if pos:
        dest = pos[0]
        if is_url(dest.text):
            sink.address(dest, name, 22)
        else:
            host, p = split_host_port(dest.text)
            sink.connect(NetworkTarget(host if dest.exact else None, p or port, None, name))


_SSH_COPY_ID_OPTS = frozenset(_w("-i -p -o -F -t"))
_LOOPBACK_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "::1", "0.0.0.0"}  # noqa: S104 - names, no bind
)


def _ssh_copy_id(name: str, args: list[Field], sink: Sink) -> None:
    """`ssh-copy-id [-i KEY] [user@]HOST` appends a public key to HOST's authorized keys, so
    whoever holds its private half may log in there from then on: the key file is sent (an
    upload), and to this machine the append is a write of the local `~/.ssh/authorized_keys`."""
    opts, pos = parse_opts(args, _SSH_COPY_ID_OPTS)
    for f in values(opts, "-i"):
        sink.op(_READ, f, UPLOAD)
    port_vals = values(opts, "-p")
    port = int(port_vals[0].text) if port_vals and port_vals[0].text.isdigit() else 22
    for dest in pos[:1]:
        host, p = split_host_port(dest.text)
        sink.connect(NetworkTarget(host if dest.exact else None, p or port, None, name))
        if (
            not dest.exact
            or host is None
            or host.lower() in _LOOPBACK_NAMES
            or host.startswith("127.")
        ):
            sink.op(_WRITE, sink.home(".ssh/authorized_keys"), name)


_SCP_OPTS = frozenset(_w("-P -i -F -o -l -c -J -S -X"))
_SCP_OPTS_2 = frozenset(
    _w(
        "-e --rsh --exclude --include --files-from --password-file --port "
        "--log-file -T --temp-dir --rsync-path --exclude-from --include-from "
        "-f --filter --backup-dir --suffix --chmod --timeout --contimeout "
        "--bwlimit --compare-dest --link-dest --copy-dest --partial-dir"
    )
)


def _scp(name: str, args: list[Field], sink: Sink) -> None:
    value_opts = _SCP_OPTS
    if name == "rsync":
        value_opts = _SCP_OPTS_2
    opts, pos = parse_opts(args, value_opts)
    for f in values(
        opts, "-i", "-F", "--files-from", "--password-file", "--exclude-from", "--include-from"
    ):
        sink.op(_READ, f, name)
    for f in values(opts, "--log-file"):
        sink.op(_WRITE, f, name)
    for code in values(opts, "-e", "--rsh", "-S", "--rsync-path"):
        sink.shell_code(code.val(), f"{name} -e")
    for f in values(opts, "-o"):
        key, value = _ssh_option(f.text)
        if key.lower() in ("proxycommand", "localcommand"):
            sink.shell_code(sub(f, value).val(), f"{name} {key}")
    for index, f in enumerate(pos):
        remote = remote_path(f.text)
        if remote is not None:
            host, path = remote
            sink.connect(NetworkTarget(host, 22 if name == "scp" else None, None, name))
            dest = pos[-1] if len(pos) > 1 and index < len(pos) - 1 else None
            if dest is not None and remote_path(dest.text) is None and not is_url(dest.text):
                # `scp host:settings.json .claude/` writes `.claude/settings.json`
                for landed in _landed(dest, [sub(f, path)]):
                    sink.op(_WRITE, landed, name)
            continue
        if is_url(f.text):
            sink.address(f, name)
            continue
        last = index == len(pos) - 1 and len(pos) > 1
        sink.op(_WRITE if last else _READ, f, name)
        if not last and has(opts, *_COPIES_LINKED.get(name, ())):
            _through_links([f], sink, name)


_COPIES_LINKED = {
    "scp": ("-r",),
    "rsync": ("-L", "--copy-links", "--copy-unsafe-links", "-k", "--copy-dirlinks"),
}
"""Options with which scp and rsync copy what the links of a tree lead to (scp's recursive
copy always does)."""


def _run_package(args: list[Field], sink: Sink) -> None:
    """`npx localtunnel --port 3000`: a package run straight from the registry."""
    for index, f in enumerate(args):
        if f.text.startswith("-"):
            continue
        package = f.text.rsplit("/", 1)[-1]
        at = package.find("@", 1)
        bare = package[:at] if at > 0 else package
        if bare in _INTERPRETER_PACKAGES and f.exact:
            # `npx -y node@20 -e CODE`: the package is an interpreter run on these arguments.
            sink.run_argv([sub(f, _INTERPRETER_PACKAGES[bare]), *args[index + 1 :]], "npx")
            return
        if bare in _TABLE:  # `npx prettier --write FILE` is prettier, `npx tsc` is tsc
            _TABLE[bare](bare, args[index + 1 :], sink)
        _tunnel(bare, args[index + 1 :], sink)
        return


_INTERPRETER_PACKAGES = {"node": "node", "ts-node": "node", "tsx": "node", "deno": "deno"}
"""npm packages that are a JavaScript interpreter, with the program whose options they take."""


def _tunnel(name: str, args: list[Field], sink: Sink) -> None:
    reason = tunnel_reason(name, args)
    if reason is not None:
        sink.signal(ShellSignal.REVERSE_SHELL, reason)


def _ssh_option(text: str) -> tuple[str, str]:
    """`Key=value` or `Key value` (ssh accepts both)."""
    cut = min((i for i in (text.find("="), text.find(" ")) if i >= 0), default=-1)
    if cut < 0:
        return text, ""
    return text[:cut], text[cut + 1 :].lstrip("= ")


def remote_path(text: str) -> tuple[str | None, str] | None:
    """`[user@]host:path` (not a local path with a colon, not a URL)."""
    if is_url(text) or text.startswith(("/", "./", "../", "~")):
        return None
    colon = text.find(":")
    if colon <= 0:
        return None
    slash = text.find("/")
    if 0 <= slash < colon:
        return None
    host = text[:colon].rsplit("@", 1)[-1].strip("[]")
    return (host or None), text[colon + 1 :].lstrip(":")


_HOST_TOOL_OPTS = frozenset(_w("-c -i -w -W -t -s -p -q -m -f -l -T -I -b -4 -6 -x -y -k --port"))


def _host_tool(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(
        args,
        _HOST_TOOL_OPTS,
    )
    first = next((f for f in pos if not f.text.startswith("@")), None)
    if first is None or name == "openssl":
        return
    if name == "telnet" and len(pos) >= 2 and pos[1].text.isdigit() and first.exact:
        sink.connect(NetworkTarget(first.text, int(pos[1].text), None, name))
        return
    sink.address(first, name, 23 if name == "telnet" else None)


# --------------------------------------------------------------------------- scripted transfers

# Clients whose transfers are commands in a script: on standard input, in a batch file or in an
# option (`lftp -c`, `smbclient -c`, `tftp -c`). The options that take a value, per client.
_TRANSFER_OPTS: dict[str, frozenset[str]] = {
    "sftp": frozenset(_w("-B -b -c -D -F -i -J -l -o -P -R -S -s -X")),
    "ftp": frozenset(_w("-P -s -T -o -r -q")),
    "lftp": frozenset(_w("-c -e -f -p -u --rcfile --env-password -d")),
    "smbclient": frozenset(
        _w(
            "-c --command -A --authentication-file -U --user -W --workgroup -I --ip-address "
            "-p --port -n --netbiosname -O --socket-options -s --configfile -l --log-basename "
            "-d --debuglevel -m --max-protocol -D --directory -T --tar -E -t --timeout "
            "-b --send-buffer -M --message -L --list"
        )
    ),
    "tftp": frozenset(_w("-m -l -R -v")),
}
TRANSFER_SCRIPT = "transfer script"
"""The detail of the read of a transfer client's script file: it is read, not sent."""
_MAX_TRANSFER_SCRIPT = 65536  # characters of a visible transfer script that are read
_MAX_TRANSFER_COMMANDS = 256
_SENDS_FIRST = frozenset({"put", "reput", "append", "send", "appe"})
_SENDS_ALL = frozenset({"mput", "mreput"})
_FETCHES = frozenset({"get", "reget", "recv"})


def _transfer(name: str, args: list[Field], sink: Sink) -> None:
    """sftp, ftp, lftp, smbclient and tftp take their transfers as commands. Where the script
    is on the line (`-c`, a here-string, `echo ... |`), each `put` is a read of the local file
    it sends (the engine counts such a client's reads as uploads) and each `!cmd` a shell
    command. Where it is not (a batch file, a pipe from another program, a terminal), the
    transfer is reported as one this analysis cannot see."""
    scripts: list[Val] = []
    from_stdin = True
    if name == "tftp" and any(a.text == "-c" for a in args):
        at = next(k for k, a in enumerate(args) if a.text == "-c")
        args, words = args[:at], args[at + 1 :]
        scripts.append(Val(" ".join(a.text for a in words), all(a.exact for a in words)))
        from_stdin = False
    opts, pos = parse_opts(args, _TRANSFER_OPTS[name])
    for host in pos[:1]:
        text = host.text
        if name == "smbclient":
            text = _smb_server(text)
        elif name == "sftp":
            text = text.split(":", 1)[0]
        sink.address(sub(host, text), name, 22 if name == "sftp" else None)
    if name in ("sftp", "smbclient"):
        for f in values(opts, "-F", "-i", "-A", "--authentication-file", "-s", "--configfile"):
            sink.op(_READ, f, name)
    if name == "smbclient":
        for f in values(opts, "-L", "--list"):  # lists a server's shares; runs no commands
            sink.address(sub(f, _smb_server(f.text)), name)
            return
    if name == "sftp":
        for f in values(opts, "-S"):
            sink.op(_EXECUTE, f, "sftp -S")
    if name in ("lftp", "smbclient"):
        for f in values(opts, "-c", "--command", "-e"):
            scripts.append(f.val())
        from_stdin = from_stdin and not has(opts, "-c", "--command")
    unseen = ""
    for f in values(opts, "-b") if name == "sftp" else values(opts, "-f") if name == "lftp" else []:
        if f.text != "-":
            sink.op(_READ, f, TRANSFER_SCRIPT)
            unseen = f"{name} runs the transfer commands in {f.text}, which this check never reads"
            from_stdin = False
    if from_stdin:
        stdin = sink.stdin
        if stdin is not None and stdin.val is not None:
            scripts.append(stdin.val)
        else:
            unseen = f"{name} takes its transfer commands from input this check cannot see"
    for script in scripts:
        if not script.exact or len(script.text) > _MAX_TRANSFER_SCRIPT:
            unseen = f"{name} runs transfer commands this check cannot read in full"
        elif not _transfer_script(name, script.text, sink):
            unseen = f"{name} runs more than {_MAX_TRANSFER_COMMANDS} transfer commands"
    if unseen:
        sink.signal(ShellSignal.UNSEEN_TRANSFER, unseen)


def _smb_server(service: str) -> str:
    """The server of `//server/share` (or `\\\\server\\share`)."""
    return service.replace("\\", "/").lstrip("/").split("/", 1)[0]


def _transfer_script(name: str, text: str, sink: Sink) -> bool:
    """Report what the commands of a visible transfer script do; False when it holds more
    commands than are read (the caller then reports the transfer as unseen)."""
    base = ""
    commands: list[str] = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("-@")  # sftp batch lines: `-put` ignores errors, `@` is quiet
        if name in ("lftp", "smbclient") and not line.startswith("!"):
            commands.extend(part.strip() for part in line.split(";"))  # `;` separates too
        else:
            commands.append(line)  # `!cmd` is a local shell command: the rest of the line
    for line in commands[:_MAX_TRANSFER_COMMANDS]:
        if line.startswith("!"):
            if line[1:].strip():
                sink.shell_code(Val(line[1:].strip()), f"{name} !")
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if not words:
            continue
        command, rest = words[0].lower(), words[1:]
        if name == "lftp":  # `put -o REMOTE LOCAL`, `mirror -R -O BASE LOCAL`
            taken = {k + 1 for k, w in enumerate(rest) if w in ("-o", "-O")}
            rest = [w for k, w in enumerate(rest) if k not in taken]
        local = [w for w in rest if not w.startswith("-")]
        if command == "open" and local:  # `open [user@]host`, `open sftp://host`
            sink.address(Field(local[0]), name, 22 if name == "sftp" else None)
            continue
        if command == "lcd" and local:
            base = _under(base, local[0])
            continue
        if command == "mirror" and ("-R" in rest or "--reverse" in rest):
            local = local[:1]
        elif command in _SENDS_FIRST:
            if name == "lftp":
                pass  # every word left names a local file
            elif name == "tftp" and len(local) > 1:
                local = local[:-1]  # `put a b dir`: the last word is the remote directory
            else:
                local = local[:1]  # `put LOCAL [REMOTE]`
        elif command not in _SENDS_ALL:
            if command in _FETCHES and len(local) >= 2 and name != "lftp":
                sink.op(_WRITE, Field(_under(base, local[1])), f"{name} {command}")
            continue
        for path in local:
            sink.op(_READ, Field(_under(base, path)), f"{name} {command}")
    return len(commands) <= _MAX_TRANSFER_COMMANDS


def _under(base: str, path: str) -> str:
    """`path` after `lcd base` (absolute and home paths are not moved)."""
    if not base or path.startswith(("/", "~")):
        return path
    return f"{base.rstrip('/')}/{path}"


def _openssl(name: str, args: list[Field], sink: Sink) -> None:
    sub_cmd = args[0].text if args else ""
    # openssl uses single-dash long options; re-scan them literally.
    pairs: dict[str, Field] = {}
    rest = args[1:]
    for i, a in enumerate(rest):
        if a.text.startswith("-") and i + 1 < len(rest):
            pairs.setdefault(a.text, rest[i + 1])
    for key in ("-in", "-inkey", "-key", "-kfile", "-cert", "-CAfile"):
        if key in pairs:
            sink.op(_READ, pairs[key], name)
    if "-out" in pairs:
        sink.op(_WRITE, pairs["-out"], name)
    if sub_cmd in ("s_client",) and "-connect" in pairs:
        host, port = split_host_port(pairs["-connect"].text)
        sink.connect(NetworkTarget(host, port or 443, None, "openssl s_client"))
    if sub_cmd == "s_server":
        port_f = pairs.get("-accept") or pairs.get("-port")
        port = int(port_f.text) if port_f is not None and port_f.text.isdigit() else None
        sink.connect(NetworkTarget(None, port, None, "openssl s_server", True))


GIT_VALUE_OPTIONS = argwords.GIT_VALUE_OPTIONS
"""git's own options that take the next word as their value (before the subcommand)."""

_GIT_OPTS = frozenset(
    {
        "-b",
        "--branch",
        "-o",
        "--origin",
        "--depth",
        "-c",
        "--config",
        "--template",
        "-u",
        "--upload-pack",
        "--receive-pack",
        "--exec",
        "--reference",
        "--separate-git-dir",
        "-m",
        "-F",
        "--file",
        "-C",
        "-t",
    }
)


def _git(name: str, args: list[Field], sink: Sink) -> None:
    i = 0
    configs: list[Field] = []
    tree: Field | None = None  # `--work-tree DIR`
    while i < len(args):
        t = args[i].text
        if t.startswith("--work-tree="):
            tree = sub(args[i], t.partition("=")[2])
        if t in GIT_VALUE_OPTIONS and i + 1 < len(args):
            if t == "-c":
                configs.append(args[i + 1])
            elif t == "--work-tree":
                tree = args[i + 1]
            elif t == "-C":
                sink.chdir(args[i + 1])
            elif t == "--config-env":
                _git_config_env(args[i + 1], sink)
            i += 2
            continue
        if t.startswith("--config-env="):
            _git_config_env(sub(args[i], t.partition("=")[2]), sink)
        if t.startswith("-"):
            i += 1
            continue
        break
    for c in configs:
        _git_config_value(
            c.text.partition("=")[0], sub(c, c.text.partition("=")[2]), sink, "git -c"
        )
    if i >= len(args):
        return
    cmd = args[i].text
    rest = args[i + 1 :]
    opts, pos = parse_opts(
        rest,
        _GIT_OPTS,
    )
    for code in values(opts, "-u", "--upload-pack", "--receive-pack", "--exec"):
        sink.shell_code(code.val(), f"git {cmd} {code.text[:0]}pack program")
    if cmd in _GIT_RUNS:
        _git_runs(cmd, rest, sink)
    elif cmd in ("submodule", "bisect"):
        _git_runs_words(cmd, rest, sink)
    for c in values(opts, "-c", "--config"):
        _git_config_value(
            c.text.partition("=")[0], sub(c, c.text.partition("=")[2]), sink, f"git {cmd} -c"
        )
    if cmd in ("init", "clone"):
        _git_template(cmd, opts, pos, sink)
    if cmd == "clone":
        if pos:
            sink.address(pos[0], "git clone")
        if len(pos) >= 2:
            sink.op(_WRITE, pos[1], "git clone")
    elif cmd == "maintenance" and pos and pos[0].text == "start":
        _git_maintenance_start(rest, sink)
    elif cmd in ("fetch", "pull", "push", "ls-remote"):
        if pos and (is_url(pos[0].text) or remote_path(pos[0].text) is not None):
            sink.address(pos[0], f"git {cmd}")
    elif cmd == "remote" and len(pos) >= 3 and pos[0].text in ("add", "set-url"):
        sink.address(pos[2], "git remote")
    elif cmd == "submodule" and pos and pos[0].text == "add" and len(pos) >= 2:
        sink.address(pos[1], "git submodule")
    elif cmd == "config":
        if has(opts, "--global"):
            target = sink.home(".gitconfig")
        elif has(opts, "--system"):
            target = Field("/etc/gitconfig")
        else:
            target = Field(".git/config")
        files = values(opts, "-f", "--file")
        if files:
            target = files[0]
        verb = ""
        if pos and pos[0].text in _GIT_CONFIG_VERBS:  # `git config set KEY VALUE` (git 2.46)
            verb, pos = pos[0].text, pos[1:]
        writing = (
            len(pos) >= 2
            or verb in ("set", "unset", "edit", "rename-section", "remove-section")
            or has(
                opts,
                "--add",
                "--unset",
                "--unset-all",
                "--replace-all",
                "--rename-section",
                "--remove-section",
                "-e",
                "--edit",
            )
        )
        sink.op(_WRITE if writing else _READ, target, "git config")
        if len(pos) >= 2:
            _git_config_value(pos[0].text, pos[1], sink, "git config")
    elif cmd in ("apply", "am") and pos:
        for f in _paths(pos):
            sink.op(_READ, f, f"git {cmd}")
    elif cmd == "diff" and has(opts, "--no-index"):
        for f in _paths(pos):  # `git diff --no-index /dev/null FILE` prints FILE whole
            sink.op(_READ, f, "git diff --no-index")
    _git_tree_writes(cmd, rest, opts, pos, sink, tree=tree)


# Subcommands with options whose value git runs as a shell command: (options whose value
# may be the next word, options whose value must be attached: `-Ocmd`, `--name=cmd`).
# `--exec` (`git rebase --exec`) is read with the pack programs above.
_GIT_FILTERS = frozenset(
    {"--env-filter", "--tree-filter", "--index-filter", "--parent-filter", "--msg-filter",
     "--commit-filter", "--tag-name-filter"}
)  # fmt: skip
_GIT_SEND_CMDS = frozenset({"--to-cmd", "--cc-cmd", "--header-cmd", "--sendmail-cmd"})
_GIT_RUNS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "rebase": (frozenset({"-x"}), frozenset()),
    "filter-branch": (_GIT_FILTERS, frozenset()),
    "difftool": (frozenset({"-x", "--extcmd"}), frozenset()),
    "send-email": (_GIT_SEND_CMDS, frozenset()),
    "grep": (frozenset(), frozenset({"-O", "--open-files-in-pager"})),
}


def _git_runs(cmd: str, rest: list[Field], sink: Sink) -> None:
    """The commands git runs for `rebase -x CMD`, `filter-branch --tree-filter CMD`, `difftool
    --extcmd CMD`, `send-email --to-cmd CMD` and `grep -OCMD` (a pager given the matching
    files): each is a shell command line of its own."""
    for key, code in option_fields(rest, *_GIT_RUNS[cmd]):
        sink.shell_code(code.val(), f"git {cmd} {key}")


def _git_runs_words(cmd: str, rest: list[Field], sink: Sink) -> None:
    """`git submodule foreach CMD...` runs its words as a shell command line in every
    submodule; `git bisect run CMD ARGS...` runs that command at every step."""
    words = [f for f in rest if not (f.exact and f.text in ("-q", "--quiet"))]
    if not words or words[0].text != ("foreach" if cmd == "submodule" else "run"):
        return
    body = words[1:]
    if cmd == "bisect":
        sink.run_argv(body, "git bisect run")
        return
    while body and body[0].exact and body[0].text in ("--recursive", "--"):
        body = body[1:]
    if body:
        sink.shell_code(join_fields(body), "git submodule foreach")


# Subcommands that change files of the work tree, and for `reset` and `apply` the options
# without which they do not.
_GIT_TREE_WRITERS = frozenset(
    {"checkout", "switch", "restore", "reset", "stash", "merge", "pull", "rebase",
     "cherry-pick", "revert", "clean", "am", "apply", "rm", "mv", "checkout-index"}
)  # fmt: skip
_GIT_PATH_WRITERS = frozenset({"restore", "rm", "mv", "checkout-index"})
_GIT_APPLY_READ_ONLY = ("--check", "--stat", "--numstat", "--summary", "--cached")


def _git_tree_writes(
    cmd: str,
    rest: list[Field],
    opts: list[Opt],
    pos: list[Field],
    sink: Sink,
    *,
    tree: Field | None,
) -> None:
    """What a subcommand that changes the work tree writes: the paths it names (after `--`,
    or any for `restore`, `rm`, `mv`), else the work tree itself (`--work-tree DIR`, or the
    directory it runs in, which `-C DIR` sets). `git apply --unsafe-paths` may write anywhere."""
    if cmd not in _GIT_TREE_WRITERS:
        return
    if cmd == "reset" and not has(opts, "--hard", "--merge", "--keep"):
        return
    if cmd == "apply" and has(opts, *_GIT_APPLY_READ_ONLY):
        return
    if (cmd == "rm" and has(opts, "--cached")) or (
        cmd == "restore" and has(opts, "--staged", "-S") and not has(opts, "--worktree", "-W")
    ):
        return  # the index only
    if cmd == "apply" and has(opts, "--unsafe-paths"):
        sink.op(_WRITE, Field("/"), "git apply --unsafe-paths")
    dashes = next((k for k, a in enumerate(rest) if a.text == "--" and a.exact), None)
    paths = rest[dashes + 1 :] if dashes is not None else pos if cmd in _GIT_PATH_WRITERS else []
    if cmd == "checkout" and dashes is None and len(pos) > 1:
        paths = pos[1:]  # `git checkout REV PATH...`: the paths, as `REV` has them
    root = tree if tree is not None else Field(".")
    named = _paths(paths)
    for index, f in enumerate(named):
        joined = (
            f
            if f.text.startswith(("/", "~")) or tree is None
            else sub(f, tree.text.rstrip("/") + "/" + f.text)
        )
        # `git rm PATH` and the sources of `git mv SRC... DST` take those paths away
        gone = cmd == "rm" or (cmd == "mv" and index < len(named) - 1)
        sink.op(_DELETE if gone else _WRITE, joined, f"git {cmd}")
    if not paths:
        sink.op(_WRITE, root, f"git {cmd}")


_GIT_CONFIG_VERBS = frozenset(
    {"set", "get", "unset", "list", "edit", "rename-section", "remove-section"}
)
_GIT_CODE_KEYS = (
    "core.sshcommand",
    "core.pager",
    "core.editor",
    "core.fsmonitor",
    "sequence.editor",
    "diff.external",
    "gpg.program",
    "core.gitproxy",
    "credential.helper",
    "pager.",
    "uploadpack.packobjectshook",
    "core.alternaterefscommand",
    "interactive.difffilter",
    "sendemail.sendmailcmd",
)


def _git_template(cmd: str, opts: list[Opt], pos: list[Field], sink: Sink) -> None:
    """`git init|clone --template=DIR` copies DIR's `hooks/` into the new (or, for `init` in
    an existing repository, the current) `.git/hooks`: planting hooks without writing them.
    An empty `--template=` copies nothing (a common way to start without sample hooks)."""
    if not any(t.text for t in values(opts, "--template")):
        return
    if cmd == "init":
        repo = pos[0] if pos else Field(".")
    elif len(pos) >= 2:
        repo = pos[1]
    elif pos:
        tail = basename(pos[0].text.rstrip("/").rsplit(":", 1)[-1])
        repo = sub(pos[0], tail.removesuffix(".git") or ".")
    else:
        return
    sink.op(_WRITE, sub(repo, repo.text.rstrip("/") + "/.git/hooks"), f"git {cmd} --template")


# Where `git maintenance start` installs its schedule, by `--scheduler` (the default on Linux
# is a systemd user timer, falling back to cron).
_MAINTENANCE_SCHEDULES = {
    "systemd-timer": ".config/systemd/user/git-maintenance@.timer",
    "launchctl": "Library/LaunchAgents/org.git-scm.git.hourly.plist",
}


def _git_maintenance_start(rest: list[Field], sink: Sink) -> None:
    scheduler = "auto"
    for a in rest:
        if a.text.startswith("--scheduler="):
            scheduler = a.text.partition("=")[2]
    if scheduler == "crontab":
        sink.op(_WRITE, Field("/var/spool/cron/crontabs"), "git maintenance start")
        return
    rel = _MAINTENANCE_SCHEDULES.get(scheduler, _MAINTENANCE_SCHEDULES["systemd-timer"])
    sink.op(_WRITE, sink.home(rel), "git maintenance start")


def _git_config_env(spec: Field, sink: Sink) -> None:
    """`git --config-env=KEY=ENVVAR`: KEY takes the value of ENVVAR, which the command line
    does not show. For a key whose value git runs, that is code the analyser cannot read."""
    key = spec.text.partition("=")[0]
    low = key.lower()
    if _git_code_key(low) or low.startswith("alias.") or low == "core.hookspath":
        sink.signal(
            ShellSignal.UNRESOLVED_CODE,
            f"git --config-env sets {key} from an environment variable (a program git runs)",
        )


def _git_code_key(low: str) -> bool:
    return low.startswith(_GIT_CODE_KEYS) or (
        low.startswith(("filter.", "diff.", "merge."))
        and low.endswith((".clean", ".smudge", ".command", ".driver", ".textconv", ".process"))
    )


def _git_config_value(key: str, value: Field, sink: Sink, context: str) -> None:
    low = key.lower()
    if low.startswith("alias.") and value.text.startswith("!"):
        sink.shell_code(sub(value, value.text[1:]).val(), f"{context} {key}")
    elif _git_code_key(low):
        code = value.text[1:] if value.text.startswith("!") else value.text
        sink.shell_code(sub(value, code).val(), f"{context} {key}")
    elif low == "core.hookspath":
        sink.op(_EXECUTE, value, f"{context} {key}")


_RUNNERS = frozenset({"npx", "bunx", "pnpx"})
_PIP_READS = ("-r", "--requirement", "-c", "--constraint", "--build-constraint")
_PIP_WRITES = (
    "-t", "--target", "--prefix", "--root", "-d", "--dest", "-w", "--wheel-dir", "--src",
    "--log", "--report",
)  # fmt: skip
_PIP_OPTS = frozenset(_PIP_READS + _PIP_WRITES)
_NPM_INSTALLS = frozenset(
    {"install", "i", "add", "ci", "update", "up", "uninstall", "rm", "remove", "un", "link"}
)
_NPM_PREFIX = frozenset({"--prefix"})


def _pip_files(name: str, args: list[Field], sink: Sink) -> None:
    """`pip install -r FILE` reads FILE (and prints the lines it cannot parse, so a credential
    file named there reaches the agent); `--target`, `--prefix`, `--root`, `download -d`,
    `wheel -w`, `--src`, `--log` and `--report` write where they point."""
    opts, _ = parse_opts(args, _PIP_OPTS)
    for f in values(opts, *_PIP_READS):
        sink.op(_READ, f, f"{name} requirements")
    for f in values(opts, *_PIP_WRITES):
        sink.op(_WRITE, f, f"{name} output")


def _npm_prefix(name: str, args: list[Field], sink: Sink) -> None:
    """`npm --prefix DIR install ...` installs into DIR (its `node_modules`, `package.json`)."""
    opts, pos = parse_opts(args, _NPM_PREFIX)
    if pos and pos[0].text in _NPM_INSTALLS:
        for f in values(opts, "--prefix"):
            sink.op(_WRITE, f, f"{name} --prefix")


def _checkout_dest(name: str, args: list[Field], sink: Sink) -> None:
    """`svn checkout|co|export URL [DEST]`, `hg clone SRC [DEST]`: DEST is written, and every
    URL is a network target."""
    pos = [a for a in args if a.text and not a.text.startswith("-")]
    for f in pos:
        if is_url(f.text):
            sink.address(f, name)
    verbs = ("clone",) if name == "hg" else ("checkout", "co", "export")
    if len(pos) >= 3 and pos[0].text in verbs:
        sink.op(_WRITE, pos[2], f"{name} {pos[0].text}")


def _venv(name: str, args: list[Field], sink: Sink) -> None:
    """`virtualenv DIR` and `python -m venv DIR` create (write) DIR."""
    for f in _paths([a for a in args if not a.text.startswith("-")]):
        sink.op(_WRITE, f, name)


def _remote_package(name: str, args: list[Field], sink: Sink) -> None:
    """An install from an address, not from the registry (`pip install git+https://...`);
    also all `uv` is modelled as (`uv pip install`, `uv add`; `uv run` is a wrapper)."""
    if name not in _SOURCE_TOOLS:
        return
    words = [a.text for a in args if a.exact]
    found = remote_source(name, words)
    if found is not None:
        sink.signal(ShellSignal.REMOTE_PACKAGE, installs_reason(name, found))
    index = index_source(name, words)
    if index is not None:
        sink.signal(ShellSignal.REMOTE_PACKAGE, index_reason(name, index))


_SOURCE_TOOLS = frozenset(
    {"pip", "pip3", "npm", "pnpm", "yarn", "bun", "npx", "bunx", "pnpx", "cargo", "uv", "pipx"}
    | {"gem"}
)


def _pkg(name: str, args: list[Field], sink: Sink) -> None:
    _remote_package(name, args, sink)
    if name in _OUTPUT_OPTIONS:
        _outputs(name, args, sink)
    if name in ("pip", "pip3"):
        _pip_files(name, args, sink)
    elif name == "npm":
        _npm_prefix(name, args, sink)
    if name in _CONFIG_WRITERS:
        _pkg_config(name, args, sink)
    elif name in ("go", "gem", "composer"):
        _tool_config(name, args, sink)
    if name in _RUNNERS or (args and args[0].text == "dlx" and name in ("pnpm", "yarn")):
        _run_package(args[1:] if name not in _RUNNERS else args, sink)
    if name in ("docker", "podman") and args and args[0].text in ("run", "create"):
        _container_mounts(args[1:], sink)
    if name in ("docker", "podman", "kubectl") and args and args[0].text == "cp":
        _container_copy(name, args[1:], sink)
    for arg in args:
        text = arg.text
        if text.startswith("--") and "=" in text:
            text = text.split("=", 1)[1]
        if "://" not in text:
            continue  # neither test below can pass (both look for a URL scheme)
        f = sub(arg, text)
        if is_url(text):
            sink.address(f, name)
        elif "+" in text and is_url(text.split("+", 1)[1]):
            sink.address(sub(f, text.split("+", 1)[1]), name)


_CONFIG_WRITERS = frozenset({"npm", "pnpm", "yarn", "pip", "pip3"})
_CONFIG_VERBS = frozenset({"set", "delete", "rm", "unset", "edit"})
_PKG_CONFIG_OPTS = frozenset({"--location", "-L", "--userconfig", "--globalconfig"})


def _pkg_config(name: str, args: list[Field], sink: Sink) -> None:
    """`npm|pnpm|yarn|pip config set|delete|edit` (and `npm set`) rewrite the tool's config
    file, which can redirect the package index or make the tool run a program (`npm`'s
    `script-shell`, `node-options`; `yarnPath`). Reported as a write of the file it edits, so
    the same path rules apply as for writing that file directly. Reading (`get`, `list`) is
    not reported: those commands hide tokens."""
    opts, pos = parse_opts(args, _PKG_CONFIG_OPTS)
    words = [p.text for p in pos[:2]]
    if words[:1] == ["set"] and name == "npm":
        verb = "set"
    elif len(words) == 2 and words[0] in ("config", "c") and words[1] in _CONFIG_VERBS:
        verb = words[1]
    else:
        return
    detail = f"{name} config {verb}"
    location = next((v.text for v in values(opts, "--location", "-L")), "")
    if has(opts, "-g", "--global") and name != "pip":
        location = "global"
    if name in ("pip", "pip3"):
        if has(opts, "--global"):
            sink.op(_WRITE, Field("/etc/pip.conf"), detail)
        elif has(opts, "--site"):
            sink.op(_WRITE, Field("$VIRTUAL_ENV/pip.conf", exact=False), detail)
        else:
            sink.op(_WRITE, sink.home(".config/pip/pip.conf"), detail)
    elif name == "yarn":
        if has(opts, "-H", "--home"):
            sink.op(_WRITE, sink.home(".yarnrc.yml"), detail)
        else:  # yarn 2+ edits the project's file, yarn 1 the home one
            sink.op(_WRITE, Field(".yarnrc.yml"), detail)
            sink.op(_WRITE, sink.home(".yarnrc"), detail)
    elif location == "project":
        sink.op(_WRITE, Field(".npmrc"), detail)
    elif location == "global":
        sink.op(_WRITE, Field("/usr/local/etc/npmrc"), detail)
    else:
        explicit = values(opts, "--userconfig")
        default = sink.home(".config/pnpm/rc" if name == "pnpm" else ".npmrc")
        sink.op(_WRITE, explicit[0] if explicit else default, detail)


_TOOL_CONFIG_OPTS = frozenset({"--file", "--config-file", "--configfile", "--name", "-n", "-s"})
_CONDA_SETTERS = frozenset(
    {"--add", "--append", "--prepend", "--set", "--remove", "--remove-key", "--stdin"}
)


def _tool_config(name: str, args: list[Field], sink: Sink) -> None:
    """Commands that rewrite a tool's user-wide settings file: where packages come from
    (`go env -w GOPROXY=`, `conda config --add channels`, `gem sources --add`, `poetry config
    repositories.x`, `pdm config pypi.url`, `pixi config set`, `bundle config mirror.*`,
    `composer config -g repositories.x`, `dotnet nuget add source`), a program every build
    runs (`go env -w GOFLAGS=-toolexec=...`), or which project files may run code on `cd`
    (`direnv allow`, `mise trust`, `mise settings`). Reported as a write of the file they
    change, so the path rules that guard that file apply; reading settings is not reported."""
    opts, pos = parse_opts(args, _TOOL_CONFIG_OPTS)
    words = [p.text for p in pos[:3]]
    first = words[0] if words else ""
    detail = " ".join([name, *words[:2]])
    target: Field | None = None
    if name == "go":
        if first == "env" and has(opts, "-w", "-u"):
            target = sink.home(".config/go/env")
    elif name in ("conda", "mamba", "micromamba"):
        if first == "config" and any(o.name in _CONDA_SETTERS for o in opts):
            explicit = values(opts, "--file")
            if explicit:
                target = explicit[0]
            elif has(opts, "--env"):
                target = Field("$CONDA_PREFIX/.condarc", exact=False)
            elif has(opts, "--system"):
                target = Field("$CONDA_ROOT/.condarc", exact=False)
            else:
                target = sink.home(".condarc")
    elif name == "gem":
        if first == "sources" and has(opts, "-a", "--add", "-r", "--remove"):
            explicit = values(opts, "--config-file")
            target = explicit[0] if explicit else sink.home(".gemrc")
    elif name == "poetry":
        if first == "config" and (len(pos) >= 3 or has(opts, "--unset")):
            local = has(opts, "--local")
            target = Field("poetry.toml") if local else sink.home(".config/pypoetry/config.toml")
    elif name == "pdm":
        if first == "config" and (len(pos) >= 3 or has(opts, "-d", "--delete")):
            local = has(opts, "-l", "--local")
            target = Field("pdm.toml") if local else sink.home(".config/pdm/config.toml")
    elif name == "pixi":
        if first == "config" and len(words) > 1 and words[1] in ("set", "unset", "append"):
            local = has(opts, "-l", "--local")
            target = Field(".pixi/config.toml") if local else sink.home(".pixi/config.toml")
    elif name in ("bundle", "bundler"):
        setting = len(words) > 1 and words[1] in ("set", "unset")
        legacy = len(pos) >= 3 and words[1] not in ("get", "list")
        if first == "config" and (setting or legacy):
            # The project's `.bundle/config` is everyday (`set --local path vendor/bundle`);
            # only a local mirror, which redirects every gem, is worth the question.
            key = words[2] if setting and len(words) > 2 else words[1] if len(words) > 1 else ""
            if not has(opts, "--local"):
                target = sink.home(".bundle/config")
            elif key.lower().startswith("mirror."):
                target = Field(".bundle/config")
    elif name == "composer":
        if (
            first == "config"
            and has(opts, "-g", "--global")
            and (len(pos) >= 3 or has(opts, "--unset"))
        ):
            target = sink.home(".config/composer/config.json")
    elif name in ("dotnet", "nuget"):
        verbs = ("add", "remove", "update", "enable", "disable")
        nuget = words[1:3] if name == "dotnet" and first == "nuget" else words[:2]
        if (len(nuget) == 2 and nuget[0] in verbs and nuget[1] == "source") or (
            name == "nuget" and first == "sources" and len(words) > 1 and words[1] != "list"
        ):
            explicit = values(opts, "--configfile", "-ConfigFile")
            target = explicit[0] if explicit else sink.home(".nuget/NuGet/NuGet.Config")
    elif name == "direnv":
        if first in ("allow", "permit", "grant"):
            target = sink.home(".local/share/direnv/allow/entry")
    elif name in ("mise", "rtx"):
        trust = first == "trust" and not has(opts, "--untrust", "--show", "--ignore")
        setting = first == "settings" and len(words) > 1 and words[1] in ("set", "add")
        if trust:
            target = sink.home(".local/state/mise/trusted-configs/entry")
        elif setting or (first == "settings" and len(pos) >= 3):
            target = sink.home(".config/mise/config.toml")
    if target is not None:
        sink.op(_WRITE, target, detail)


CONTAINER_COPY = "a copy out of a container"
"""The detail of the local destination of `docker cp CTR:PATH DEST` (a tree nobody can read
here)."""


def _container_copy(name: str, args: list[Field], sink: Sink) -> None:
    """`docker cp CTR:PATH DEST`, `kubectl cp POD:PATH DEST`: DEST is written with whatever
    the container holds; `docker cp SRC CTR:PATH` reads SRC."""
    pos: list[Field] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif name == "kubectl" and arg.text in ("-c", "--container", "-n", "--namespace"):
            skip = True  # these take a value
        elif not arg.text.startswith("-"):
            pos.append(arg)
    if len(pos) != 2:
        return
    src, dest = pos

    def inside(f: Field) -> bool:
        head, colon, _ = f.text.partition(":")
        return bool(colon) and (name == "kubectl" or "/" not in head)

    if inside(src) and not inside(dest):
        sink.op(_WRITE, dest, CONTAINER_COPY)
    elif inside(dest) and not inside(src):
        sink.op(_READ, src, f"{name} cp")


def _container_mounts(args: list[Field], sink: Sink) -> None:
    """`-v HOST:CTR` and `--mount type=bind,source=HOST`: the host path is exposed read-write."""
    for i, a in enumerate(args):
        t = a.text
        value: Field | None = None
        if t in ("-v", "--volume", "--mount", "--env-file") and i + 1 < len(args):
            value = args[i + 1]
        elif t.startswith(("--volume=", "--mount=", "--env-file=")):
            value = sub(a, t.split("=", 1)[1])
        elif t.startswith("-v") and len(t) > 2:
            value = sub(a, t[2:])
        if value is None:
            continue
        if t.startswith("--env-file"):
            sink.op(_READ, value, "container env file")
            continue
        text = value.text
        if text.startswith("type=") or ",source=" in text or ",src=" in text:
            for item in text.split(","):
                key, _, val = item.partition("=")
                if key in ("source", "src"):
                    text = val
                    break
            else:
                continue
        else:
            text = text.split(":", 1)[0]
        if text.startswith(("/", "~", ".", "$")):
            host = sub(value, text)
            sink.op(_READ, host, "container mount")
            sink.op(_WRITE, host, "container mount")


def _gh_api_files(args: list[Field], sink: Sink) -> None:
    """Files `gh api` sends: `-F key=@FILE` / `--field` values (`-f`/`--raw-field` take text
    as it is) and the request body `--input FILE`."""
    for index, arg in enumerate(args):
        text = arg.text
        following = args[index + 1] if index + 1 < len(args) else None
        field: str | None = None
        if text in ("-F", "--field") and following is not None:
            field = following.text
        elif text.startswith("--field="):
            field = text[len("--field=") :]
        elif text.startswith("-F") and len(text) > 2:
            field = text[2:]
        if field is not None:
            _, eq, value = field.partition("=")
            if eq and value.startswith("@") and value not in ("@", "@-"):
                sink.op(_READ, Field(value[1:], exact=arg.exact), "gh api -F")
        body: Field | None = None
        if text == "--input" and following is not None:
            body = following
        elif text.startswith("--input="):
            body = Field(text[len("--input=") :], exact=arg.exact)
        if body is not None and body.text not in ("", "-"):
            sink.op(_READ, body, "gh api --input")


_GH_FILES = frozenset(
    {("gist", "create"), ("gist", "new"), ("release", "create"), ("release", "upload")}
)


def _gh(name: str, args: list[Field], sink: Sink) -> None:
    """`gh api` request bodies, `gh gist create FILE...` (each file is sent to a gist, which can
    be public) and `gh release create|upload TAG FILE...` (assets read for the project's own
    release)."""
    if args and args[0].text == "api":
        _gh_api_files(args[1:], sink)
    group = args[0].text if args else ""
    verb = args[1].text if len(args) > 1 else ""
    if (group, verb) in _GH_FILES:
        opts, pos = parse_opts(args[2:], GH_OPTS)
        gist = group == "gist"
        for f in values(opts, "-F", "--notes-file") if not gist else []:
            sink.op(_READ, f, "gh release --notes-file")
        if gist and sends_stdin(name, args):
            stdin_sent(sink)  # `gh gist create < FILE`, `gh gist create - < FILE`
        for f in _paths(pos if gist else pos[1:]):
            if gist:
                sink.op(_READ, f, UPLOAD)
            else:  # `dist/app.zip#Label`: the text after `#` is the asset's display name
                sink.op(_READ, sub(f, f.text.split("#", 1)[0]), "gh release")
    sink.connect(NetworkTarget("api.github.com", 443, None, "gh"))


_CRONTAB_OPTS = frozenset({"-u"})


def _crontab(name: str, args: list[Field], sink: Sink) -> None:
    opts, pos = parse_opts(args, _CRONTAB_OPTS)
    if has(opts, "-l"):
        sink.op(_READ, Field("/var/spool/cron/crontabs"), "crontab -l")
        return
    if has(opts, "-r"):
        sink.op(_DELETE, Field("/var/spool/cron/crontabs"), "crontab -r")
        return
    sink.op(_WRITE, Field("/var/spool/cron/crontabs"), "crontab")
    for f in _paths(pos):
        sink.op(_READ, f, name)
    stdin = sink.stdin
    if (not pos or pos[0].text == "-") and stdin is not None and stdin.val is not None:
        for line in stdin.val.text.splitlines()[:64]:
            entry = line.strip()
            if not entry or entry.startswith("#") or "=" in entry.split(None, 1)[0]:
                continue
            fields = entry.split(None, 1 if entry.startswith("@") else 5)
            if len(fields) == (2 if entry.startswith("@") else 6):
                sink.shell_code(
                    sub(Field(fields[-1], stdin.val.exact), fields[-1]).val(), "crontab entry"
                )


_AT_OPTS = frozenset({"-f", "-q", "-t", "-m"})


def _at(name: str, args: list[Field], sink: Sink) -> None:
    """`at`/`batch` run their standard input (or `-f FILE`) later, as shell code."""
    opts, _ = parse_opts(args, _AT_OPTS)
    if has(opts, "-l", "-r", "-d", "-c"):
        return  # listing, showing or removing queued jobs
    # The job is stored in the spool directory and runs later, outside the task.
    sink.op(_WRITE, Field("/var/spool/cron/atjobs"), f"{name} job")
    for f in values(opts, "-f"):
        sink.op(_READ, f, name)
        sink.op(_EXECUTE, f, name)
    stdin = sink.stdin
    if not values(opts, "-f") and stdin is not None and stdin.val is not None:
        sink.shell_code(stdin.val, f"{name} job")


_TMUX_OPTS = frozenset(_w("-t -s -n -c -e -F -x -y -l -p -T -S -f"))
_TMUX_OPTS_2 = frozenset(_w("-S -c -L -Logfile -p -X -T -e -h -s -t"))


def _tmux(name: str, args: list[Field], sink: Sink) -> None:
    """Commands handed to a terminal multiplexer run in a shell there."""
    if name == "screen":
        _, pos = parse_opts(args, _TMUX_OPTS_2, permute=False)
        if pos:
            sink.run_argv(pos, "screen")
        return
    if not args:
        return
    sub_cmd = args[0].text
    _, pos = parse_opts(args[1:], _TMUX_OPTS)
    if sub_cmd in (
        "new",
        "new-session",
        "new-window",
        "neww",
        "split-window",
        "splitw",
        "respawn-pane",
        "respawnp",
        "run-shell",
        "run",
    ):
        if pos:
            joined = " ".join(f.text for f in pos)
            sink.shell_code(Field(joined, all(f.exact for f in pos)).val(), f"tmux {sub_cmd}")
    elif sub_cmd in ("send-keys", "send"):
        keys = [f for f in pos if f.text not in ("Enter", "C-m", "KPEnter")]
        if keys:
            joined = " ".join(f.text for f in keys)
            sink.shell_code(Field(joined, all(f.exact for f in keys)).val(), "tmux send-keys")


def _loginctl(name: str, args: list[Field], sink: Sink) -> None:
    """`loginctl enable-linger` keeps a user's services (and timers) running after logout and
    starts them at boot: the step that makes a user unit outlive the session. It writes a
    flag file under `/var/lib/systemd/linger/`."""
    _, pos = parse_opts(args, frozenset({"-H", "--host", "-M", "--machine", "-p", "--property"}))
    if not pos or pos[0].text != "enable-linger":
        return
    for user in pos[1:] or [Field("self")]:
        sink.op(_WRITE, sub(user, "/var/lib/systemd/linger/" + user.text), "loginctl enable-linger")


_MKFIFO_OPTS = frozenset({"-m", "--mode", "-Z"})


def _mkfifo(name: str, args: list[Field], sink: Sink) -> None:
    _, pos = parse_opts(args, _MKFIFO_OPTS)
    for f in _paths(pos):
        if name == "mknod" and f is not pos[0]:
            break
        sink.op(_WRITE, f, name)


_TABLE: dict[str, Handler] = {}
for _n in _READERS:
    _TABLE[_n] = _reader
for _n in _GREP_PROGRAMS:
    _TABLE[_n] = _grep
for _n in ("awk", "gawk", "mawk", "nawk"):
    _TABLE[_n] = _awk
_TABLE["sed"] = _sed
_TABLE["gsed"] = _sed
for _n in ("touch", "mkdir", "truncate", "sponge", "fallocate"):
    _TABLE[_n] = _writer
_TABLE["tee"] = _tee
_TABLE["patch"] = _patch
_TABLE["dd"] = _dd
for _n in ("cp", "mv", "install", "gcp", "gmv"):
    _TABLE[_n] = _copy
_TABLE["ln"] = _ln
for _n in _DELETERS:
    _TABLE[_n] = _delete
for _n in _LISTERS:
    _TABLE[_n] = _lister
_TABLE["fd"] = _fd  # a lister that can run a command on what it finds
_TABLE["fdfind"] = _fd
for _n in ("chmod", "chown", "chgrp"):
    _TABLE[_n] = _chmod
for _n in _EDITORS:
    _TABLE[_n] = _editor
for _n in ("emacs", "emacs-nox", "emacs-gtk", "emacs-lucid", "xemacs", "emacsclient"):
    _TABLE[_n] = _emacs
_TABLE["tar"] = _tar
_TABLE["tcpdump"] = _tcpdump
_TABLE["ffmpeg"] = _ffmpeg
for _n in ("convert", "magick", "montage", "composite", "mogrify"):
    _TABLE[_n] = _imagemagick
_TABLE["bsdtar"] = _tar
for _n in ("zip", "unzip", "gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz", "zstd", "7z"):
    _TABLE[_n] = _zip
_TABLE["find"] = _find
_TABLE["curl"] = _curl
_TABLE["wget"] = _wget
for _n in ("aria2c", "http", "https", "xh", "lwp-request", "GET", "POST", "fetch"):
    _TABLE[_n] = _generic_fetch
for _n in ("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "cryptcat", "pwncat"):
    _TABLE[_n] = _nc
_TABLE["socat"] = _socat
_TABLE["ssh"] = _ssh
for _n in TUNNEL_PROGRAMS:
    _TABLE[_n] = _tunnel
_TABLE["autossh"] = _ssh
_TABLE["scp"] = _scp
_TABLE["ssh-copy-id"] = _ssh_copy_id
_TABLE["rsync"] = _scp
for _n in _TRANSFER_OPTS:
    _TABLE[_n] = _transfer
for _n in (
    "telnet",
    "ping",
    "ping6",
    "dig",
    "nslookup",
    "host",
    "traceroute",
    "mtr",
    "whois",
):
    _TABLE[_n] = _host_tool
_TABLE["openssl"] = _openssl
_TABLE["git"] = _git
for _n in (
    "pip",
    "pip3",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "gem",
    "cargo",
    "go",
    "composer",
    "brew",
    "apt",
    "apt-get",
    "docker",
    "podman",
    "helm",
    "kubectl",
):
    _TABLE[_n] = _pkg
_TABLE["bunx"] = _pkg
_TABLE["svn"] = _checkout_dest
for _n in _OUTPUT_OPTIONS:
    _TABLE.setdefault(_n, _outputs)  # `go`, `cargo`, `gem`, `npm` keep `_pkg`, which calls it
for _n in {f.partition(" ")[0] for f in _FORMATTERS}:
    _TABLE[_n] = _formatter
_TABLE["hg"] = _checkout_dest
_TABLE["cpio"] = _cpio
_TABLE["uv"] = _remote_package
_TABLE["bun"] = _remote_package  # only its package commands (`bun add`) come here
_TABLE["pipx"] = _remote_package
_TABLE["virtualenv"] = _venv
_TABLE["venv"] = _venv  # `python -m venv`
for _n in ("conda", "mamba", "micromamba", "poetry", "pdm", "pixi", "bundle", "bundler"):
    _TABLE[_n] = _tool_config
for _n in ("dotnet", "nuget", "direnv", "mise", "rtx"):
    _TABLE[_n] = _tool_config
_TABLE["pnpx"] = _pkg
_TABLE["crontab"] = _crontab
_TABLE["gh"] = _gh
for _n in STORAGE_CLIENTS:
    _TABLE[_n] = storage
_TABLE["at"] = _at
_TABLE["batch"] = _at
_TABLE["tmux"] = _tmux
_TABLE["screen"] = _tmux
_TABLE["mkfifo"] = _mkfifo
_TABLE["loginctl"] = _loginctl
_TABLE["mknod"] = _mkfifo


_MAIL_ATTACH = frozenset({"-a", "-A", "--attach"})
_MAIL_VALUE_OPTS = frozenset(
    {"-s", "-c", "-b", "-r", "-S", "-F", "-f", "-i", "-e", "-H", "-q", "--to", "--from",
     "--server", "--header", "--body", "--data", "--h-Subject", "-t", "--subject"}
)  # fmt: skip


def _mail(name: str, args: list[Field], sink: Sink) -> None:
    """A mail client sends what it reads to the addresses it is given: every `user@host` word
    is a destination (an unknown one when none is on the line, `sendmail -t`), and attached
    files (`-a FILE`, mutt's `-a F1 F2 --`, swaks `--attach FILE`) are uploads. What arrives
    on standard input (`mail ... < FILE`) is sent too (see the engine's upload check)."""
    if any(f.text in ("--help", "-h", "--version", "-V") for f in args):
        return
    found = False
    i = 0
    while i < len(args):
        f = args[i]
        t = f.text
        if t in _MAIL_ATTACH:
            files = args[i + 1 : i + 2]
            if name in ("mutt", "neomutt"):  # `-a F1 F2 ... --`: files up to `--`
                end = next((k for k in range(i + 1, len(args)) if args[k].text == "--"), len(args))
                files = args[i + 1 : end]
            for file in files:
                sink.op(_READ, sub(file, file.text.removeprefix("@")), UPLOAD)
            i += 1 + len(files)
            continue
        if t in _MAIL_VALUE_OPTS and i + 1 < len(args):
            value = args[i + 1]
            if "@" in value.text and " " not in value.text.strip():
                sink.address(value, name)
                found = True
            i += 2
            continue
        if not t.startswith("-") and "@" in t and " " not in t and ":" not in t:
            sink.address(f, name)
            found = True
        i += 1
    if not found:
        sink.connect(NetworkTarget(None, None, None, name))


for _n in MAILERS:
    _TABLE[_n] = _mail
for _n in ("rename", "prename", "file-rename", "rename.ul"):
    _TABLE[_n] = _rename


# Programs that run an option's value as a shell command line (the value may be the next
# word, attached with `=`, or attached to a one-letter option: `man -Pcat`).
_COMMAND_OPTIONS: dict[str, frozenset[str]] = {
    "entr": frozenset(),  # `entr -s CMD`: see `_command_options`
    "nodemon": frozenset({"--exec", "-x"}),
    "zip": frozenset({"-TT", "--unzip-command"}),
    "sort": frozenset({"--compress-program"}),
    "man": frozenset({"-P", "--pager"}),
}


def _command_options(name: str, args: list[Field], sink: Sink) -> None:
    """`nodemon --exec CMD`, `zip -T -TT CMD`, `sort --compress-program=CMD`, `man -P CMD`:
    the value is a command line the program runs; so is `entr -s CMD`'s first argument."""
    keys = _COMMAND_OPTIONS[name]
    if name == "entr":  # `-s`: the first argument is run by the shell, not as a program
        flags = [f.text for f in args if f.exact and f.text.startswith("-")]
        first = next((f for f in args if not (f.exact and f.text.startswith("-"))), None)
        if first is not None and any("s" in t[1:] for t in flags if not t.startswith("--")):
            sink.shell_code(first.val(), "entr -s")
        return
    for key, code in option_fields(args, keys):
        sink.shell_code(code.val(), f"{name} {key}")


def describe(name: str, args: list[Field], sink: Sink) -> None:
    """Report what `name args...` does to files and the network (not interpreters/shells)."""
    handler = _TABLE.get(name)
    if handler is not None:
        handler(name, args, sink)
    if name in _COMMAND_OPTIONS:
        _command_options(name, args, sink)


def known(name: str) -> bool:
    """Whether the table describes `name`."""
    return name in _TABLE or name in _COMMAND_OPTIONS
