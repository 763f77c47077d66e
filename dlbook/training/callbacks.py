"""Keras callbacks for the ``model.fit`` route: resume, TensorBoard, seconds per epoch."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from dlbook.training.run_folder import RunFolder, training_identity

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


class ReleaseRunFolder(keras.callbacks.Callback):
    """Releases a `RunFolder`'s lock when ``fit`` ends (a crashed process's lock is stale and
    recognised as such by the next run)."""

    def __init__(self, folder: RunFolder) -> None:
        super().__init__()
        self.folder = folder

    def on_train_end(self, logs=None):
        self.folder.close()


def resumable_run(
    run_dir: str | Path,
    model: keras.Model,
    epochs: int,
    identity: Mapping[str, object] | None = None,
    restart: bool = False,
) -> list[keras.callbacks.Callback]:
    """What `Trainer.fit` does with ``checkpoint_dir``/``log_dir``, as callbacks for ``fit()``.

    ``BackupAndRestore`` (an interrupted ``fit`` resumes at its last epoch) in
    ``run_dir/backup``, TensorBoard scalars in ``run_dir/logs``. Call it after ``compile``: the
    backup folder is checked now, before training, against the run's identity (the compiled
    model and optimizer, ``epochs``, and ``identity`` such as the dataset's), and locked for this
    process (`dlbook.training.run_folder`); ``restart`` deletes an earlier backup first.
    """
    run_dir = Path(run_dir)
    identity = {**training_identity(model, model.optimizer, epochs), **(identity or {})}
    folder = RunFolder(run_dir / "backup", identity, restart=restart).open()
    return [
        keras.callbacks.BackupAndRestore(run_dir / "backup"),
        keras.callbacks.TensorBoard(run_dir / "logs"),
        ReleaseRunFolder(folder),
    ]
