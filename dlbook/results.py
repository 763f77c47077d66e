"""``results.json``: a run's headline figures, the command that produced them and what it measured.

``make bench`` gathers these files into the tables of ``benchmarks/results/``; a chapter's README
quotes them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


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
