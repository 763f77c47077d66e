"""Where dlbook keeps data and outputs, and how a run is made reproducible."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = PACKAGE_DIR.parent


def data_dir() -> Path:
    """The dataset cache: ``$DLBOOK_DATA_DIR``, else the repository's ``data/``, else
    ``~/.cache/dlbook``."""
    if env := os.environ.get("DLBOOK_DATA_DIR"):
        return Path(env).expanduser()
    if (_REPO_DIR / "pyproject.toml").is_file():
        return _REPO_DIR / "data"
    return Path.home() / ".cache" / "dlbook"


def output_root() -> Path:
    """Where plots and checkpoints go: ``$DLBOOK_OUTPUT_DIR``, else the repository's ``outputs/``
    (wherever a script or notebook runs from), else ``./outputs``; not created here."""
    if env := os.environ.get("DLBOOK_OUTPUT_DIR"):
        return Path(env).expanduser()
    if (_REPO_DIR / "pyproject.toml").is_file():
        return _REPO_DIR / "outputs"
    return Path("outputs")


def output_dir(*parts: str) -> Path:
    """A folder under `output_root`, created if missing."""
    path = output_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def one_thread_per_op() -> int:
    """Give every TensorFlow op one thread and run up to one op per core at a time; returns the
    number of cores, or 1 when TensorFlow has already started with other thread settings (which
    then stay as they are). Call it before the first op runs.

    A small model's ops (LeNet's take tenths of a millisecond) lose time when each one is shared
    out over the cores; split each batch instead, one part per core, with
    ``Trainer(batch_parts=one_thread_per_op())`` (``benchmarks/results/lenet.md``).
    """
    import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

    import tensorflow as tf

    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(cores)
    except RuntimeError:  # TensorFlow has started: its thread pools are made
        return 1
    return cores


def set_seed(seed: int = 0, deterministic: bool = True) -> None:
    """Seed Python, NumPy and TensorFlow; with ``deterministic`` also make TF ops deterministic.

    Together with seeded ``tf.data`` shuffling this makes a run repeat bit for bit on the same
    machine, which is what lets an interrupted run resume to the same weights.
    """
    import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
