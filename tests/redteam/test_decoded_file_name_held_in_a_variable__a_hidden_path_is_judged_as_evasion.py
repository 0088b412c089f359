"""Threat: interpreter code that decodes a file's name into a variable first and only then
hands the variable to a file API: `p = ''.join(map(chr, [...])); open(p)`,
`p = codecs.decode('/ebbg/.ffu/vq_efn', 'rot13'); open(p)`,
`const p = Buffer.from('...', 'base64').toString(); readFileSync(p)`, Perl
`my $p = pack("H*", ...); open(F, $p)`, Ruby `p = [...].pack("c*"); File.read(p)`, PHP
`$p = str_rot13('...'); file_get_contents($p)`. The scan recognised a decoded name only
when the decoding was written inside the file call, so one assignment in between was
enough to read `/root/.ssh/id_rsa` or `~/.aws/credentials` unseen. The same held for a
decoding call placed inside an f-string or a template literal.

Invariant: a name assigned text the code decodes at run time holds decoded text until it
is assigned something else by an assignment that surely runs (not one under a condition,
`p = 'x' if 0 else p`, `$p = "x" if 0`). When such a name is the file-name argument of a
file API, or a piece of it (`p + '_ed25519'`, `os.path.join(p, ...)`, `f'{p}...'`,
`"$p..."`, `'%s...' % p`), the code hides which file it touches and is denied as evasion
(`builtin:shell-evasion`, fact `interpreter_obfuscation`), as it is when the decoding is
written inline or inside an interpolation. A variable holding decoded *content*, a name
built with no decoding, and a decoded name plainly reused for other text before the file
call stay allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict
from crustcore_nano.shell.interp import scan_code
from crustcore_nano.shell.limits import Budget

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py

# `/root/.ssh/id_rsa` and `/root/.ssh/id` in the spellings the code uses. Where a piece is
# written plainly it is one no rule knows by itself (`_ed25519`), so before this check each
# command below was allowed.
_CODES = "47,114,111,111,116,47,46,115,115,104,47,105,100,95,114,115,97"
_ID = "47,114,111,111,116,47,46,115,115,104,47,105,100"
_B64 = "L3Jvb3QvLnNzaC9pZF9yc2E="
_HEX = "2f726f6f742f2e7373682f69645f727361"


@pytest.mark.parametrize(
    "command",
    [
        f"""python3 -c "p=''.join(map(chr,[{_CODES}]));print(open(p).read())\"""",
        """python3 -c "import codecs;p=codecs.decode('/ebbg/.ffu/vq_efn','rot13');"""
        """print(open(p).read())\"""",
        """python3 -c "import codecs,os;d=codecs.decode('/ebbg/.ffu','rot13');"""
        """print(open(os.path.join(d,'id_rsa')).read())\"""",
        """python3 -c "import codecs;d=codecs.decode('/ebbg/.ffu/vq','rot13');q=d+'_ed25519';"""
        """print(open(q).read())\"""",
        """python3 -c "import codecs;d=codecs.decode('/ebbg/.ffu/vq_','rot13');"""
        """print(open('%sed25519' % d).read())\"""",
        """python3 -c "import codecs;d=codecs.decode('/ebbg/.ffu/vq_','rot13');"""
        """print(open(f'{d}ed25519').read())\"""",
        """python3 -c "import codecs;print(open(f'{codecs.decode(\\"/ebbg/.ffu/vq_efn\\","""
        """\\"rot13\\")}').read())\"""",
        """python3 -c "import base64;p=base64.b64decode(open('k.txt').read());"""
        """print(open(p.decode()).read())\"""",
        # A plain assignment that may not run leaves the name decoded.
        """python3 -c "import codecs;p=codecs.decode('/ebbg/.ffu/vq_efn','rot13');"""
        """p='notes.txt' if 0 else p;print(open(p).read())\"""",
        f"""node -e "const p=Buffer.from('{_B64}','base64').toString();"""
        """console.log(require('fs').readFileSync(p,'utf8'))\"""",
        f"""node -e "let p=String.fromCharCode({_ID});"""
        """console.log(require('fs').readFileSync(p+'_ed25519','utf8'))\"""",
        f"""node -e 'let p=String.fromCharCode({_ID});"""
        """console.log(require("fs").readFileSync(`${p}_ed25519`,"utf8"))'""",
        f"""node -e 'console.log(require("fs").readFileSync(`${{Buffer.from("{_B64}","base64")}}`"""
        ""","utf8"))'""",
        f"""perl -e 'my $p=pack("H*","{_HEX}"); open(F,$p); print <F>'""",
        f"""perl -e 'my $p=pack("H*","{_HEX}"); $p="notes.txt" if 0; open(F,$p); print <F>'""",
        """perl -e 'my $p=pack("H*","2f726f6f742f2e7373682f6964");"""
        """ open(my $fh, "<", "${p}_ed25519"); print <$fh>'""",
        f"""ruby -e 'p=[{_CODES}].pack("c*"); puts File.read(p)'""",
        f"""ruby -e 'p=[{_ID}].pack("c*"); puts File.read("#{{p}}_ed25519")'""",
        """php -r '$p=str_rot13("/ebbg/.ffu/vq_efn"); echo file_get_contents($p);'""",
        """php -r '$p=str_rot13("/ebbg/.ffu/vq"); echo file_get_contents("{$p}_ed25519");'""",
    ],
)
def test_a_file_named_by_a_variable_holding_decoded_text_is_denied_as_evasion(
    seeded_engine: PolicyEngine, command: str
) -> None:
    decision = seeded_engine.evaluate(ToolCall("Bash", {"command": command}))
    assert (decision.verdict, decision.rule) == (Verdict.DENY, "builtin:shell-evasion")
    assert "interpreter_obfuscation" in decision.reason


@pytest.mark.parametrize(
    "command",
    [
        """python3 -c "import base64;p=base64.b64decode(data);open('out.bin','wb').write(p)\"""",
        """python3 -c "name=''.join(parts);print(open(name).read())\"""",
        """python3 -c "import os;p=os.path.join('src','app.py');print(open(p).read())\"""",
        """python3 -c "import codecs,sys;s=codecs.decode(sys.argv[1],'rot13');print(s)\"""",
        """python3 -c "import codecs,sys;p=codecs.decode(sys.argv[1],'rot13');print(p);"""
        """p='src/app.py';print(open(p).read())\"""",
        """python3 -c "import base64,sys;d=base64.b64decode(sys.argv[1]);"""
        """print(open(f'{sys.argv[2]}.txt').read(), d)\"""",
        """node -e "const buf=Buffer.from(process.argv[1],'base64');"""
        """require('fs').writeFileSync('logo.png', buf)\"""",
        """perl -e 'my $d=pack("H*",$ARGV[0]); open(F,">out.bin"); print F $d'""",
        """ruby -e 'require "base64"; d = Base64.decode64(STDIN.read); File.write("out.bin", d)'""",
        """php -r '$d=base64_decode($argv[1]); file_put_contents("out.bin", $d);'""",
    ],
)
def test_decoded_content_in_a_variable_and_plain_names_stay_allowed(
    bash: BashVerdict, command: str
) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")


@pytest.mark.parametrize(
    ("language", "unit", "hidden"),
    [
        ("python", "p=codecs.decode(s,'rot13');open(q)\n", False),
        ("python", "p=codecs.decode(s,'rot13');print(p);p='a.txt';open(p)\n", False),
        ("python", "p=codecs.decode(s,'rot13');open(f'{q}/{p}')\n", True),
        ("python", "p=p+codecs.decode(s,'rot13');q=p;open(r)\n", False),
        ("python", "p=p+codecs.decode(s,'rot13');q=p;open(q)\n", True),
        ("node", "const p=Buffer.from(s,'base64');fs.readFileSync(`${q}/x`);", False),
        ("perl", 'my $p=pack("H*",$h);open(F,"<$q");', False),
        ("ruby", 'p=[1].pack("c*");File.read("#{q}");', False),
        ("php", "$p=str_rot13($s);file_get_contents($q);", False),
    ],
)
def test_a_hundred_kilobytes_of_assignments_and_uses_is_scanned_to_an_answer(
    language: str, unit: str, hidden: bool
) -> None:
    # Every `=` opens a bounded look back and a bounded walk, and every file call one walk,
    # so the scan stays linear however many assignments and uses the code repeats.
    code = (unit * (100_000 // len(unit) + 1))[:100_000]
    assert scan_code(language, code, Budget(10_000_000)).obfuscated is hidden
