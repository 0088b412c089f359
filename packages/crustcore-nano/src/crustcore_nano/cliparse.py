"""argparse for CrustCore's subcommands: writes to the streams it is given, never exits.

Every ``crustcore`` command runs as a function ``(argv, *, stdin, stdout, stderr) -> int`` so
that it can be tested and embedded; argparse's habit of printing to ``sys.std*`` and calling
``sys.exit`` is turned into writes to those streams and two exceptions: :class:`ParserExit`
(``--help`` and friends, with their status) and :class:`UsageError` (bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from crustcore_nano.errors import UsageError


class ParserExit(Exception):
    """argparse wanted to exit (``--help``); carries the status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class StreamParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` bound to the given streams, raising instead of exiting."""

    def __init__(
        self, prog: str, description: str, stdout: TextIO, stderr: TextIO, **kwargs: Any
    ) -> None:
        super().__init__(prog=prog, description=description, **kwargs)
        self._out = stdout
        self._err = stderr

    def _print_message(self, message: str, file: object = None) -> None:
        # argparse prints help and version to sys.stdout and everything else to sys.stderr.
        if message:
            (self._out if file is None or file is sys.stdout else self._err).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._err.write(message)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def parse_or_status(
    parser: StreamParser, argv: Sequence[str], stderr: TextIO
) -> argparse.Namespace | int:
    """Parsed options, or the exit status to return: that of ``--help``, or 2 after writing
    the usage error (``PROG: error: WHAT``) to ``stderr``."""
    try:
        return parser.parse_args(list(argv))
    except ParserExit as exc:
        return exc.status
    except UsageError as exc:
        stderr.write(f"{parser.prog}: error: {exc}\n")
        return 2
