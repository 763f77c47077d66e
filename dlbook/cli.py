"""The flags every chapter script shares: ``--epochs``, ``--dataset``, ``--quick``...

The Makefile maps ``make ch05-lenet EPOCHS=3 DATASET=mnist QUICK=1`` onto these flags. A flag out
of range stops the script at once with a one-line error (exit status 2), before anything loads.
Run as a notebook, a script takes its flags from ``$DLBOOK_ARGS`` (``DLBOOK_ARGS=--quick``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (a page's later `import keras` finds TensorFlow imported quietly)
from dlbook.config import output_dir
from dlbook.errors import EXIT_STATUS, report_expected_errors
from dlbook.notebook import in_notebook

QUICK_LIMIT = 2048
"""Training examples a ``--quick`` run uses: enough to see the loss fall in a few seconds."""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (no usage block), exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_STATUS, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """An integer >= 1, for ``--epochs`` and ``--batch-size``."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: expected a whole number of at least 1")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0, for ``--page-epochs`` and such."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: expected a whole number of at least 0")
    return value


def seed(text: str) -> int:
    """A seed NumPy and TensorFlow both take: an integer from 0 to 2**32 - 1."""
    value = non_negative_int(text)
    if value >= 2**32:
        raise argparse.ArgumentTypeError(f"{value}: expected a whole number from 0 to "
                                         f"{2**32 - 1:,}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1), for ``--validation-fraction``."""
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{value}: expected a fraction from 0 up to (not "
                                         "including) 1, e.g. 0.1")
    return value


def notebook_argv() -> list[str] | None:
    """The flags of a script run as a notebook (``$DLBOOK_ARGS``), None when run as a script.

    A script that only imports ``ipykernel`` (as a notebook runner does) keeps its command-line
    flags (`dlbook.notebook.in_notebook`).
    """
    if not in_notebook():
        return None
    return shlex.split(os.environ.get("DLBOOK_ARGS", ""))


def chapter_args(
    script: str,
    about: str,
    *,
    epochs: int,
    quick_epochs: int = 1,
    dataset: str | None = "auto",
    batch_size: int = 128,
    own_flags: argparse.ArgumentParser | None = None,
    argv: Sequence[str] | None = None,
) -> argparse.Namespace:
    """Parse a chapter script's flags.

    ``script`` names it as ``"<chapter folder>/<script>"`` (``"ch05_practice/lenet"``); its
    outputs go to ``outputs/<chapter folder>/<script>/``. ``about`` is the ``--help`` text.
    ``dataset=None`` is for a script that loads no dataset: ``--dataset`` is then accepted and
    ignored, so that ``make ch05 DATASET=mnist`` can run every script of the chapter.
    ``own_flags`` is a parser (made with ``add_help=False``) of the script's own flags, such as
    ``--rnn``; they are parsed and listed by ``--help`` with the shared ones.
    With ``--quick`` a run trains ``quick_epochs`` epochs (one, unless a page shows nothing in
    fewer and its epochs cost next to nothing; ``--epochs`` overrides it) on ``QUICK_LIMIT``
    examples, in its own ``<script>-quick`` folder; ``args.limit`` is then set, else ``None``.
    """
    chapter, name = script.split("/")
    report_expected_errors(f"{name}.py")
    parser = OneLineParser(prog=f"{name}.py", description=about,
                           parents=[own_flags] if own_flags else [])
    parser.add_argument("--epochs", type=positive_int, default=None, help=f"default {epochs}")
    parser.add_argument("--dataset", default=dataset,
                        help=f"default {dataset}" if dataset else "not used by this script")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                        help=f"default {batch_size}")
    parser.add_argument("--seed", type=seed, default=0, help="default 0")
    parser.add_argument("--quick", action="store_true", help="a few seconds on a small subset")
    parser.add_argument("--validation-fraction", type=fraction, default=0.1,
                        help="share of the training set held out for validation (at most "
                             "5,000 examples), default 0.1")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the folder holding the dataset's files (used as given, no "
                             "fallback)")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help=f"default outputs/{chapter}/{name}/")
    parser.add_argument("--restart", action="store_true",
                        help="delete this run's checkpoints and train from the first epoch")
    if argv is None:
        argv = notebook_argv()
    if argv is None:
        argv = sys.argv[1:]
    args = parser.parse_args(argv)
    args.command = shlex.join(["python", f"chapters/{script}.py", *argv])

    if args.data_dir is not None and not args.data_dir.expanduser().is_dir():
        parser.error(f"--data-dir {args.data_dir}: no such folder")
    if args.output_dir is not None and args.output_dir.exists() and not args.output_dir.is_dir():
        parser.error(f"--output-dir {args.output_dir}: this is a file, not a folder; name a "
                     "folder (it is created if missing)")
    if args.epochs is None:
        args.epochs = quick_epochs if args.quick else epochs
    args.limit = QUICK_LIMIT if args.quick else None
    args.script = script
    if args.output_dir is None:
        args.output_dir = output_dir(chapter, name + ("-quick" if args.quick else ""))
    args.output_dir.mkdir(parents=True, exist_ok=True)
    return args
