"""Keras callbacks for the ``model.fit`` route: resume, TensorBoard, seconds per epoch."""

from __future__ import annotations

import time
from pathlib import Path

import keras


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of each epoch, like `Trainer.epoch_seconds`."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._start)


def resumable_run(run_dir: str | Path) -> list[keras.callbacks.Callback]:
    """What `Trainer.fit` does with ``checkpoint_dir``/``log_dir``, as callbacks for ``fit()``.

    ``BackupAndRestore`` (an interrupted ``fit`` resumes at its last epoch) in
    ``run_dir/backup``, TensorBoard scalars in ``run_dir/logs``.
    """
    run_dir = Path(run_dir)
    return [
        keras.callbacks.BackupAndRestore(run_dir / "backup"),
        keras.callbacks.TensorBoard(run_dir / "logs"),
    ]
