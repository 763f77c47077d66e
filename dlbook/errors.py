"""Expected failures: problems with the user's input that a one-line message can explain.

A missing dataset, a damaged file, a flag out of range, a run folder that holds another run: each
raises a subclass of `DlbookError` whose message names the problem and the fix. A chapter script
prints that message on one line and exits with status 2 (`report_expected_errors`), as argparse
does for a bad flag; any other exception is a bug and keeps its full traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

EXIT_STATUS = 2
"""The exit status of a script stopped by an expected error (argparse's status for a bad flag)."""


class DlbookError(Exception):
    """A problem with the user's input or files; the message says what is wrong and what to do."""


def report_expected_errors(script: str, wording: Callable[[str], str] = str) -> None:
    """From now on, an uncaught `DlbookError` prints ``<script>: error: <message>`` on one line
    to standard error and exits with status 2; other exceptions print their traceback as usual.
    ``wording`` rewrites the message first (`dlbook.cli` puts a page's flags in it).
    """
    def hook(kind: type[BaseException], error: BaseException,
             traceback: TracebackType | None) -> None:
        if not isinstance(error, DlbookError):
            sys.__excepthook__(kind, error, traceback)
            return
        message = wording(" ".join(str(error).split()))  # one line, whatever it holds
        print(f"{Path(script).name}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_STATUS)  # Python's own status for an uncaught exception is 1

    sys.excepthook = hook
