"""Threat: interpreter code that never spells the name of the file it reads, writes or deletes,
but builds the name while it runs: `open(''.join(map(chr, [47, 114, ...])))`,
`open(codecs.decode('/ebbg/.ffu/vq_efn', 'rot13'))`,
`readFileSync(Buffer.from('fi8u...', 'base64').toString())`, `String.fromCharCode(...)`,
Perl `open(F, pack("H*", ...))` or `join("", map {chr} ...)`, Ruby
`File.read([47, 114].pack("c*"))` or `File.read(Base64.decode64("..."))`. The one-liner scan
found no literal path to judge and no decoder next to `exec`/`eval`, so it allowed all of them,
though each could read `~/.ssh/id_rsa` or `~/.aws/credentials`.

Invariant: when the name argument of a file API (the first argument, or the one after a Perl
handle and mode) is text the code decodes at run time (character codes, rot13, base64, hex,
`pack`, a reversed string), the code hides which file it touches and is denied as evasion
(`builtin:shell-evasion`, fact `interpreter_obfuscation`). Decoded data that is a file's
*content*, or decoding with no file API around it, stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict
from crustcore_nano.shell.interp import scan_code
from crustcore_nano.shell.limits import Budget

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py

# `/root/.ssh/id_rsa`, `~/.ssh/id_rsa` and `~/.aws/credentials` in the spellings the code uses.
_CODES = "47,114,111,111,116,47,46,115,115,104,47,105,100,95,114,115,97"
_B64 = "fi8uc3NoL2lkX3JzYQ=="
_HEX = "2f726f6f742f2e7373682f69645f727361"


@pytest.mark.parametrize(
    "command",
    [
        f"""python -c "print(open(''.join(map(chr,[{_CODES}]))).read())\"""",
        """python3 -c "import codecs;print(open(codecs.decode('/ebbg/.ffu/vq_efn','rot13'))"""
        """.read())\"""",
        """python3 -c "print(open(chr(126)+chr(47)+'.ssh/id_ed25519').read())\"""",
        """python3 -c "print(open(''.join(reversed('sliatnederc/swa./~'))).read())\"""",
        """python3 -c "import os;print(open(os.path.join(os.environ['HOME'],"""
        """bytes([46,115,115,104]).decode(),'id_ed25519')).read())\"""",
        f"""python -c "import base64;print(open(base64.b64decode('{_B64}').decode()).read())\"""",
        f"""node -e "console.log(require('fs').readFileSync(Buffer.from('{_B64}','base64')"""
        """.toString(),'utf8'))\"""",
        f"""node -e "console.log(require('fs').readFileSync(String.fromCharCode({_CODES}),"""
        """'utf8'))\"""",
        """node -e "console.log(require('fs').readFileSync('asr_di/hss./~'.split('')"""
        """.reverse().join(''),'utf8'))\"""",
        f"""perl -e 'open(F, join("", map {{chr}} ({_CODES}))); print <F>'""",
        f"""perl -e 'open(my $fh, "<", pack("H*", "{_HEX}")); print <$fh>'""",
        f"""ruby -e 'puts File.read([{_CODES}].pack("c*"))'""",
        f"""ruby -e 'require "base64"; puts File.read(Base64.decode64("{_B64}"))'""",
        """php -r 'echo file_get_contents(str_rot13("/ebbg/.ffu/vq_efn"));'""",
    ],
)
def test_a_file_named_by_decoded_text_is_denied_as_evasion(
    seeded_engine: PolicyEngine, command: str
) -> None:
    decision = seeded_engine.evaluate(ToolCall("Bash", {"command": command}))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:shell-evasion")
    assert "interpreter_obfuscation" in decision.reason


@pytest.mark.parametrize(
    "command",
    [
        """python -c "import base64,sys; open('out.bin','wb')"""
        """.write(base64.b64decode(sys.stdin.read()))\"""",
        """python -c "import base64; print(base64.b64decode(open('data.b64').read()))\"""",
        """node -e "require('fs').writeFileSync('logo.png', Buffer.from(s,'base64'))\"""",
        """python -c "print(''.join(map(chr,[72,105])))\"""",
        """python -c "import json;print(json.load(open('package.json'))['version'])\"""",
        """ruby -e 'require "base64"; File.write("x.bin", Base64.decode64(STDIN.read))'""",
        """python3 -c "letters=list('abc');letters.remove(chr(97));print(letters)\"""",
        """python3 -c "import codecs;print(codecs.decode('uryyb','rot13'))\"""",
        """python3 -c "import os;print(open(os.path.join('src','app.py')).read())\"""",
        """node -e "require('fs').writeFileSync('out.txt', String.fromCharCode(72,105))\"""",
        """perl -e 'open(F, ">out.bin"); print F pack("H*", "6869")'""",
        """ruby -e 'puts File.read("src/app.py").reverse'""",
        """php -r 'file_put_contents("out.bin", base64_decode("aGk="));'""",
    ],
)
def test_decoded_content_and_plain_names_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")


@pytest.mark.parametrize(
    ("language", "unit", "hidden"),
    [
        ("python", "open(chr(", True),
        ("python", "open(", False),
        ("python", "open(''.join(", False),
        ("python", "open(os.path.join(x, ", False),
        ("python", "open(Path(Path(", False),
        ("ruby", "File.read([", False),
        ("perl", "open(F, ", False),
    ],
)
def test_a_hundred_kilobytes_of_file_calls_is_scanned_to_an_answer(
    language: str, unit: str, hidden: bool
) -> None:
    # Every call opens a walk over its argument; each walk is bounded, so the scan stays
    # linear. The leading `chr` comment makes every walk run (it passes the cheap gate).
    code = "# chr\n" + (unit * (100_000 // len(unit) + 1))[:100_000]
    assert scan_code(language, code, Budget(10_000_000)).obfuscated is hidden
