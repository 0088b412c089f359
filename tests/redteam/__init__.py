"""Red-team fixtures: attacker-side tests, one file per closed hole (see CLAUDE.md)."""
