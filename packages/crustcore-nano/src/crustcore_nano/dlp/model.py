"""What a detector is: literal anchors for the prefilter, one bounded regex, and a check.

A detector never scans the whole text by itself. The engine finds its anchors (cheap literal
substrings that every match must contain) and only then runs the detector's regex in a small
window around each anchor, so the cost of a detector on clean text is close to zero.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from crustcore_nano.dlp.finding import Confidence


class Category(enum.Enum):
    """Families of credentials, for reports and for rules that treat families differently."""

    CLOUD = "cloud"
    VCS = "vcs"
    REGISTRY = "package-registry"
    AI = "ai-provider"
    CHAT = "chat"
    PAYMENT = "payment"
    PRIVATE_KEY = "private-key"
    TOKEN_FORMAT = "token-format"  # noqa: S105 (a category label, not a password)
    CONNECTION_STRING = "connection-string"
    SAAS = "saas"
    CRYPTO = "crypto"
    GENERIC = "generic"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A check's judgement on one regex match; `end` may extend the span (private-key bodies)."""

    confidence: Confidence
    test_key: bool = False
    checksum_valid: bool | None = None
    start: int | None = None
    end: int | None = None


Check = Callable[["Detector", "re.Match[str]"], "Verdict | None"]


@dataclass(frozen=True, slots=True)
class Detector:
    """One credential type.

    - `anchors`: literal, case-sensitive substrings; every match contains one of them.
    - `pattern`: a linear regex (bounded repetitions, no nested quantifiers); if it has a group
      named `secret`, that group is the reported span, otherwise the whole match is.
    - `back`: how many characters before an anchor a match may start (0: the match starts at
      the anchor); needs `back_chars`. `span`: an upper bound on the length of a match
      (informational: every pattern is bounded by its own quantifiers).
    - `check`: turns a match into a Verdict, or None to drop it (placeholders, failed structure).
    - `priority`: when two findings overlap, the higher priority (more specific) one is kept.
    - `back_chars`: with `back`, the characters a match may contain before its anchor; the
      engine walks back over them and tries one anchored match there instead of searching.
    - `anchor_guard`: a regex the text right after an anchor must match before the anchor
      counts as a hit; it runs inside the prefilter regex, so frequent anchors stay cheap.
    """

    name: str
    category: Category
    description: str
    anchors: tuple[str, ...]
    pattern: re.Pattern[str]
    check: Check
    confidence: Confidence = Confidence.MEDIUM
    back: int = 0
    span: int = 512
    priority: int = 50
    anchor_guard: str = ""
    back_chars: str = ""
