"""The daemon's entry point: ``python -m crustcore_nano.daemon serve --home H [options]``.

Options: ``--config F``, ``--tokens-fd N``, ``--import-env NAME=label`` (repeatable).

Runs the kernel daemon in the foreground (``crustcore up`` starts it this way). Exit codes: 0 after
a clean stop, 1 when it cannot start (another kernel serves the home, bad config), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crustcore_nano.errors import CrustCoreError

from .run import ServeOptions, serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crustcore_nano.daemon")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve", help="run the kernel daemon in the foreground")
    serve_p.add_argument("--home", default=None, help="CrustCore home (default $CRUSTCORE_HOME)")
    serve_p.add_argument("--config", default=None, help="config file (default HOME/crustcore.toml)")
    serve_p.add_argument(
        "--tokens-fd", type=int, default=None, help="read role:token lines from this inherited fd"
    )
    serve_p.add_argument(
        "--import-env",
        action="append",
        default=[],
        metavar="NAME=label",
        help="register environment variable NAME as secret 'label' (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    imports: list[tuple[str, str]] = []
    for item in args.import_env:
        name, sep, label = str(item).partition("=")
        if not sep or not name or not label:
            print(f"crustcore kernel: --import-env wants NAME=label, got {item!r}", file=sys.stderr)
            return 2
        imports.append((name, label))
    options = ServeOptions(
        home=args.home, config=args.config, tokens_fd=args.tokens_fd, import_env=tuple(imports)
    )
    try:
        return serve(options)
    except CrustCoreError as exc:
        print(f"crustcore kernel: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
