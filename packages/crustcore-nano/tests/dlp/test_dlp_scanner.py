"""Scanner behaviour: offsets, lines, overlap resolution, test keys, limits, and the registry's
own guarantees (unique names, anchors, bounded patterns, example-free descriptions)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import string
import zlib

import pytest
from crustcore_nano.dlp import DETECTORS, Category, Confidence, Finding, redact, scan
from crustcore_nano.dlp.checksums import crc32_base62_tail
from crustcore_nano.dlp.scanner import (  # pyright: ignore[reportPrivateUsage]
    _PREFILTER,  # pyright: ignore[reportPrivateUsage]
    _Prefilter,  # pyright: ignore[reportPrivateUsage]
)

_B62 = string.ascii_letters + string.digits


def _gh(prefix: str = "ghp_", seed: int = 1) -> str:
    body = "".join(_B62[(seed * 7 + i * 13) % 62] for i in range(30))
    return prefix + body + crc32_base62_tail(body)


def _jwt(payload: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(payload)}.{'Qx7_' * 10}"


def test_registry_has_at_least_sixty_unique_types() -> None:
    names = [d.name for d in DETECTORS]
    assert len(names) >= 60
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", n) for n in names)
    assert {d.category for d in DETECTORS} == set(Category)


def test_every_detector_has_anchors_and_a_description_without_secrets() -> None:
    for d in DETECTORS:
        assert d.anchors and all(d.anchors), d.name
        assert d.description.strip(), d.name
        # Descriptions name formats, never example values: no long random-looking runs.
        for run in re.findall(r"[A-Za-z0-9_\-]{20,}", d.description):
            assert not re.search(r"\d", run) or not re.search(r"[A-Z]", run), (d.name, run)


def _unbounded_quantifiers(pattern: str) -> list[int]:
    """Positions of `*`, `+` (other than the possessive `}+` and `?+`) and `{n,}` outside
    classes."""
    found: list[int] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif (
            ch == "*"
            or (ch == "+" and pattern[i - 1 : i] not in ("}", "?"))
            or (ch == "{" and re.match(r"\{\d+,\}", pattern[i:]))
        ):
            found.append(i)
        i += 1
    return found


def test_unbounded_quantifier_finder_works() -> None:
    assert _unbounded_quantifiers(r"a+b") == [1]
    assert _unbounded_quantifiers(r"a{2,}") == [1]
    assert _unbounded_quantifiers(r"[+*]\+a{1,9}+") == []
    assert _unbounded_quantifiers(r"a?+b") == []
    assert _unbounded_quantifiers(r"a*+b") == [1, 2]


def test_every_pattern_is_bounded() -> None:
    """No unbounded repetition: a match attempt touches a bounded window whatever the input."""
    for d in DETECTORS:
        assert _unbounded_quantifiers(d.pattern.pattern) == [], d.name
        assert _unbounded_quantifiers(d.anchor_guard) == [], d.name


def test_prefilter_covers_every_anchor() -> None:
    for d in DETECTORS:
        for anchor in d.anchors:
            text = f"~ {anchor} ~"
            hits = [a for _, a in _PREFILTER.hits(text)]
            if anchor in _PREFILTER.guards:
                continue
            assert anchor in hits, (d.name, anchor)


def test_prefilter_rejects_malformed_detectors() -> None:
    base = DETECTORS[0]
    with pytest.raises(ValueError, match="empty anchor"):
        _Prefilter([dataclasses.replace(base, anchors=("",))])
    with pytest.raises(ValueError, match="back_chars"):
        _Prefilter([dataclasses.replace(base, back=5, back_chars="")])
    with pytest.raises(ValueError, match="conflicting guards"):
        _Prefilter(
            [
                dataclasses.replace(base, anchors=("=",), anchor_guard="a"),
                dataclasses.replace(base, name="other", anchors=("=",), anchor_guard="b"),
            ]
        )


def test_overlapping_anchors_are_all_found() -> None:
    text = "ghp_sk_live_xoxb-"
    anchors = {a for _, a in _PREFILTER.hits(text)}
    assert {"ghp_", "sk_live_", "xoxb-"} <= anchors


def test_offsets_are_in_characters_and_lines_are_one_based() -> None:
    token = _gh()
    text = f"héllo wörld ✓\n\n🙂 x={token}\n"
    (finding,) = scan(text)
    assert text[finding.start : finding.end] == token
    assert finding.line == 3
    assert finding.to_json() == {
        "type": "github-pat",
        "start": finding.start,
        "end": finding.end,
        "line": 3,
        "confidence": "high",
        "test_key": False,
        "checksum_valid": True,
    }


def test_findings_are_sorted_and_limited() -> None:
    tokens = [_gh(seed=i) for i in range(20)]
    text = "\n".join(f"t{i}={t}" for i, t in enumerate(tokens))
    findings = scan(text)
    assert len(findings) == 20
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert [text[f.start : f.end] for f in findings] == tokens
    assert len(scan(text, max_findings=5)) == 5
    assert scan(text, max_findings=0) == ()


def test_scan_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        scan(b"ghp_" + b"a" * 36)  # type: ignore[arg-type]


def test_specific_format_wins_over_generic_and_jwt() -> None:
    token = _gh()
    (finding,) = scan(f'api_token = "{token}"')
    assert finding.type == "github-pat"
    mapbox = "sk.eyJ" + "Zm9vYmFyYmF6cXV4" * 4 + "." + "QmFyQmF6UXV4Rm9v1234"
    assert scan(f"MAPBOX={mapbox}")[0].type == "mapbox-secret-token"


def test_service_account_json_is_one_finding() -> None:
    body = "\\n".join("MIIEv" + "QIBADANBgkqhkiG9w0BAQEFAASC" * 2 for _ in range(4))
    key = f"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"
    text = json.dumps({"type": "service_account", "private_key": key.replace("\\n", "\n")})
    (finding,) = scan(text)
    assert finding.type == "gcp-service-account-key"
    assert finding.confidence is Confidence.HIGH


def test_private_key_without_end_line_and_header_without_body() -> None:
    body = "\n".join(
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz" for _ in range(3)
    )
    (finding,) = scan(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n")
    assert finding.type == "private-key-openssh"
    assert scan('HEADER = "-----BEGIN RSA PRIVATE KEY-----"\n') == ()
    assert scan("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----") == ()


def test_jwt_needs_a_json_header_with_alg() -> None:
    token = _jwt({"sub": "u-81723", "scope": "admin"})
    (finding,) = scan(f"Cookie: s={token}")
    assert (finding.type, finding.confidence) == ("jwt", Confidence.HIGH)
    no_alg = base64.urlsafe_b64encode(b'{"typ":"JWT"}').decode().rstrip("=")
    assert scan(f"{no_alg}.eyJzdWIiOiIxIn0.c2ln") == ()
    demo = _jwt({"sub": "1234567890", "name": "John Doe"})
    (fixture,) = scan(demo)
    assert fixture.test_key and fixture.confidence is Confidence.LOW


@pytest.mark.parametrize(
    "text",
    [
        "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "AKIAIOSFODNN7EXAMPLE",
        "postgres://dev:Zq81mVx0PaLw@localhost:5432/dev",
        'password = "test-password-Zx81Lq0"',
        "access_token$sandbox$abcdefgh12345678$" + "0123456789abcdef" * 2,
    ],
)
def test_test_keys_are_low_and_not_blocking(text: str) -> None:
    findings = scan(text)
    assert findings
    for f in findings:
        assert f.test_key
        assert f.confidence is Confidence.LOW
        assert not f.blocking


def test_live_stripe_key_blocks() -> None:
    (finding,) = scan("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc")
    assert finding.blocking
    assert finding.confidence is Confidence.HIGH


def test_github_lookalike_with_wrong_checksum_is_low() -> None:
    token = _gh()
    broken = token[:-6] + ("000000" if token[-6:] != "000000" else "000001")
    (finding,) = scan(broken)
    assert finding.checksum_valid is False
    assert finding.confidence is Confidence.LOW


def test_crc_of_payload_is_what_is_checked() -> None:
    token = _gh()
    payload = token[4:-6]
    crc = zlib.crc32(payload.encode())
    assert crc32_base62_tail(payload) == token[-6:]
    assert crc >= 0


@pytest.mark.parametrize(
    "text",
    [
        "https://user@github.com/acme/repo.git",
        "postgres://localhost/db",
        'password = os.environ["DB_PASSWORD"]',
        "token = os.getenv('GITHUB_TOKEN_FOR_RELEASES')",
        "3f2b8c1e-9a4d-4e7b-8f21-6c0d5e9a7b13",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        'key = "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"',
        "keyboard_layout = 'us-international-alt-gr-dead-keys'",
        "secret_name = 'projects/acme/secrets/db-password/versions/3'",
        "def load(key: PKCS12PrivateKeyTypes | None, password: bytes) -> None:",
        "if key_node.tag == 'tag:yaml.org,2002:value':",
        "t.CancellationToken=t.CancellationTokenSource2=void 0;",
        "token = self.tokenizer.decode(ids[0], skip_special_tokens=True)",
    ],
)
def test_hard_negatives(text: str) -> None:
    assert scan(text) == ()


def test_generic_assignment_forms() -> None:
    value = "Zq81mVx0PaLw7RtY3nBc"
    for text in (
        f'client_secret = "{value}"',
        f"DB_PASSWORD={value}",
        f'{{"apiToken": "{value}"}}',
        f"auth_token: {value}",
        f"$password = '{value}';",
        f"if password == '{value}':",
    ):
        (finding,) = scan(text)
        assert finding.type == "generic-secret-assignment", text
        assert text[finding.start : finding.end] == value
        assert finding.confidence is Confidence.LOW


def test_redact_replaces_with_type_markers() -> None:
    token = _gh()
    text = f"a {token} b postgres://app:Zq81mVx0PaLw7RtY@db.acme.io/x c"
    out = redact(text)
    assert out == (
        "a [REDACTED:github-pat] b "
        "postgres://app:[REDACTED:postgres-connection-string]@db.acme.io/x c"
    )
    assert redact(out) == out
    assert redact("nothing to see") == "nothing to see"


def test_redacting_a_token_used_as_url_user_leaves_one_marker() -> None:
    token = _gh()
    text = f"git remote set-url origin https://{token}@github.com/acme/app.git"
    assert redact(text) == (
        "git remote set-url origin https://[REDACTED:github-pat]@github.com/acme/app.git"
    )


def test_finding_blocking_property() -> None:
    assert Finding("x", 0, 1, 1, Confidence.MEDIUM).blocking
    assert not Finding("x", 0, 1, 1, Confidence.LOW).blocking
    assert not Finding("x", 0, 1, 1, Confidence.HIGH, test_key=True).blocking
