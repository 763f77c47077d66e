"""The command line every chapter script shares: ``--epochs``, ``--dataset``, ``--quick``...

The Makefile maps ``make ch05-lenet EPOCHS=3 DATASET=mnist QUICK=1`` onto these flags.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from dlbook.config import output_dir

QUICK_LIMIT = 2048
"""Training examples a ``--quick`` run uses: enough to see the loss fall in a few seconds."""


def chapter_args(
    description: str,
    *,
    script: str,
    epochs: int,
    dataset: str | None = "auto",
    batch_size: int = 128,
    own_flags: argparse.ArgumentParser | None = None,
) -> argparse.Namespace:
    """Parse a chapter script's flags.

    ``script`` is the script's ``__file__``; its outputs go to ``outputs/<chapter>/<script>/``.
    ``dataset=None`` is for a script that loads no dataset: ``--dataset`` is then accepted and
    ignored, so that ``make ch05 DATASET=mnist`` can run every script of the chapter.
    ``own_flags`` is a parser (made with ``add_help=False``) of the script's own flags, such as
    ``--rnn``; they are parsed and listed by ``--help`` with the shared ones.
    With ``--quick`` a run trains one epoch (unless ``--epochs`` is given) on ``QUICK_LIMIT``
    examples, in its own ``<script>-quick`` folder; ``args.limit`` is then set, else ``None``.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[own_flags] if own_flags else [],
    )
    parser.add_argument("--epochs", type=int, default=None, help=f"default {epochs}")
    parser.add_argument("--dataset", default=dataset,
                        help=f"default {dataset}" if dataset else "not used by this script")
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a few seconds on a small subset")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder of the dataset files")
    parser.add_argument("--output-dir", type=Path, default=None)
    args = parser.parse_args()

    if args.epochs is None:
        args.epochs = 1 if args.quick else epochs
    args.limit = QUICK_LIMIT if args.quick else None
    if args.output_dir is None:
        path = Path(script).resolve()
        args.output_dir = output_dir(path.parent.name, path.stem + ("-quick" if args.quick else ""))
    args.output_dir.mkdir(parents=True, exist_ok=True)
    return args


def save_results(
    args: argparse.Namespace, epoch_seconds: Sequence[float] = (), **figures: object
) -> Path:
    """Write a script's headline figures, with the command that produced them, to ``results.json``.

    ``epoch_seconds`` (the epochs this run trained) becomes ``seconds_per_epoch``, their mean.
    ``make bench`` gathers these files into the model table of ``benchmarks/results/``.
    """
    import json
    import sys

    record = {"command": " ".join(["python", *sys.argv]), "quick": args.quick, **figures}
    if epoch_seconds:
        record["seconds_per_epoch"] = sum(epoch_seconds) / len(epoch_seconds)
    path = args.output_dir / "results.json"
    path.write_text(json.dumps(record, indent=2, default=float) + "\n")
    return path


def load_image_data(args: argparse.Namespace, validation_size: int = 5000):
    """The images a chapter script trains on, as its flags ask, with one line saying what they are.

    ``--dataset auto`` is resolved (`dlbook.data.resolve_dataset`); ``--quick`` keeps
    ``QUICK_LIMIT`` examples and holds out at most 500 of them for validation.
    """
    from dlbook.data import load_images, resolve_dataset

    data = load_images(resolve_dataset(args.dataset), batch_size=args.batch_size,
                       limit=args.limit,
                       validation_size=min(validation_size, 500) if args.quick else validation_size,
                       seed=args.seed, data_dir=args.data_dir)
    print(data)
    return data
