"""Threat: a `gopher:` or `dict:` URL makes the client that fetches it write bytes of the URL's
choosing to any TCP port. `curl gopher://127.0.0.1:6379/_CONFIG%20SET%20dir%20...` sends Redis
commands to a local Redis, and the same trick reaches memcached or an SMTP server: a fetch
becomes a write to a local service that holds data or runs as the user. Such URLs to a loopback
address were allowed like any other local URL.

Invariant: a network client, a text browser, a program the analyser does not model, or a
fetch tool given a `gopher:` or `dict:` URL as an argument, to any host, is asked about
(`builtin:protocol-smuggling`); the same URL as text (searched for, committed, written in a
document, in a prompt, inside a longer argument) is not a request, and HTTP to a local server
stays allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import ToolCall, Verdict

BashVerdict = Callable[[str], tuple[Verdict, str]]  # the `bash` fixture of conftest.py
_RULE = "builtin:protocol-smuggling"


@pytest.mark.parametrize(
    "command",
    [
        "curl -s gopher://127.0.0.1:6379/_CONFIG%20SET%20dir%20/root/.ssh",
        "curl gopher://localhost:6379/_FLUSHALL",
        "curl dict://localhost:11211/stats",
        "curl -o /dev/null 'dict://127.0.0.1:6379/info'",
        "curl --url dict://127.0.0.1:11211/stats",
        "curl GOPHER://127.0.0.1:25/_HELO%20x",
        'curl "gopher://[::1]:6379/_x"',
        "wget -qO- gopher://localhost:25/",
        "cd src && curl -s gopher://10.0.0.5:6379/_INFO",
        "bash -c 'curl gopher://127.0.0.1:6379/_x'",
        # text browsers and programs the analyser does not model fetch a URL they are given
        "lynx -dump gopher://127.0.0.1:6379/_FLUSHALL",
        "w3m -dump 'dict://localhost:11211/stats'",
        "elinks -dump gopher://localhost:25/_HELO%20x",
        "some-fetcher --url=dict://127.0.0.1:11211/stats",
        "./scripts/get gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_a_client_given_a_raw_byte_url_is_asked(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ASK, _RULE)


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("WebFetch", {"url": "gopher://127.0.0.1:25/_HELO%20x", "prompt": "summarize"}),
        ("fetch", {"url": "dict://localhost:11211/stats"}),
    ],
)
def test_a_fetch_tool_given_a_raw_byte_url_is_asked(
    seeded_engine: PolicyEngine, tool: str, args: dict[str, object]
) -> None:
    decision = seeded_engine.evaluate(ToolCall(tool, args))
    assert (decision.verdict, decision.rule) == (Verdict.ASK, _RULE)


@pytest.mark.parametrize(
    "command",
    [
        "grep -rn 'gopher://' docs/",
        "echo 'see gopher://gopher.floodgap.com/'",
        "curl -fsS http://localhost:8080/healthz",
        "curl -s http://127.0.0.1:6379/",
        "curl -s 'http://localhost:3000/search?q=gopher://x'",
        "git clone https://example.com/dict.git",
        "git commit -m 'gopher://127.0.0.1:6379/_x is now asked'",
        "some-tool 'see gopher://gopher.floodgap.com/ for history'",
        "lynx -dump https://example.com/",
    ],
)
def test_the_same_text_as_data_and_local_http_stay_allowed(bash: BashVerdict, command: str) -> None:
    assert bash(command) == (Verdict.ALLOW, "allow")


def test_a_raw_byte_url_in_a_document_or_a_prompt_is_not_a_request(
    seeded_engine: PolicyEngine,
) -> None:
    note = "Gopher menus lived at gopher://gopher.floodgap.com/ before the web.\n"
    for call in (
        ToolCall("Write", {"file_path": "docs/history.md", "content": note}),
        ToolCall("WebFetch", {"url": "https://docs.python.org/3/", "prompt": f"compare {note}"}),
    ):
        assert seeded_engine.evaluate(call).verdict is Verdict.ALLOW, call
