"""The evaluation pipeline: tool calls in, decisions out (see docs/policy.md)."""
