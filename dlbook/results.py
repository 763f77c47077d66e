"""``results.json``: a run's headline figures, the command that produced them and what it measured.

``make bench`` gathers these files into the tables of ``benchmarks/results/``; a chapter's README
quotes them.
"""

from __future__ import annotations

import json
import os
from argparse import Namespace
from collections.abc import Mapping, Sequence
from pathlib import Path


def save_results(
    args: Namespace,
    identity: Mapping[str, object] | None = None,
    epoch_seconds: Sequence[float] = (),
    **figures: object,
) -> Path:
    """Write ``figures`` to ``<output dir>/results.json``, with the command (`dlbook.cli`) and the
    run's ``identity`` (what was trained on what, see `dlbook.training.run_folder`).

    ``epoch_seconds`` (the epochs this run trained) becomes ``seconds_per_epoch``, their mean.
    The file is replaced atomically: a reader never sees half of it.
    """
    record = {"command": args.command, "quick": args.quick, **figures}
    if epoch_seconds:
        record["seconds_per_epoch"] = sum(epoch_seconds) / len(epoch_seconds)
    if identity is not None:
        record["identity"] = dict(identity)
    path = Path(args.output_dir) / "results.json"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record, indent=2, default=_plain) + "\n")
    os.replace(temporary, path)
    return path


def update_results(path: Path, **fields: object) -> Path:
    """Write ``fields`` to the JSON file ``path``, replacing it atomically: a reader never sees
    half of it. NumPy numbers become JSON numbers, paths strings."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(fields, indent=2, default=_plain) + "\n")
    os.replace(temporary, path)
    return path


def _plain(value: object) -> object:
    """NumPy numbers and paths as JSON numbers and strings."""
    if isinstance(value, Path):
        return str(value)
    return float(value)
