"""The values the DLP scanner hands back: how sure it is, and where a secret sits.

Findings carry positions and labels only, never the matched text, so that a finding can be logged,
printed or sent to a dashboard without spreading the secret it points at.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Confidence(enum.Enum):
    """How strongly the structure of a match says "this is a live credential".

    - HIGH: a checksum inside the token verified, or the format is unmistakable (a private-key
      block with a body, a prefix plus an exact internal layout). Block on sight.
    - MEDIUM: a distinctive prefix or shape without a checksum to confirm it. Block.
    - LOW: a heuristic (entropy of a value assigned to a secret-looking name), a checksum that
      failed, or a recognised test/example key. Worth reporting, not worth blocking by default.
    """

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Orders confidences so callers can filter with `>=` semantics."""
        return _RANK[self]


_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected secret.

    `start`/`end` are offsets in characters (code points) of the scanned `str`, `end` exclusive;
    `line` is 1-based and counts `\\n` characters before `start`. `test_key` marks documentation,
    sandbox and placeholder-looking keys (always reported with LOW confidence). `checksum_valid`
    is None when the format has no checksum, otherwise whether it verified.
    """

    type: str
    start: int
    end: int
    line: int
    confidence: Confidence
    test_key: bool = False
    checksum_valid: bool | None = None

    @property
    def blocking(self) -> bool:
        """The default policy: block what is at least MEDIUM and not a test key."""
        return not self.test_key and self.confidence.rank >= Confidence.MEDIUM.rank

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict: the contract keys first, then the extras."""
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "confidence": self.confidence.value,
            "test_key": self.test_key,
            "checksum_valid": self.checksum_valid,
        }
