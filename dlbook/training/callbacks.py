"""Keras callbacks for the ``model.fit`` route: resume, whole-run history, TensorBoard, timing."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path

from dlbook.training.run_folder import RunFolder, run_identity

import keras

_HELD: dict[Path, RunFolder] = {}
"""The run folders this process holds for a ``fit()``. An interrupted ``fit()`` (Ctrl-C in a
notebook) never reaches ``on_train_end``; the next `resumable_run` of the folder releases it."""


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of each epoch, like `Trainer.epoch_seconds`."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._start)


class RunHistory(keras.callbacks.History):
    """The ``History`` that ``fit()`` returns, holding every epoch of a resumed run.

    Keras's own history starts empty when ``BackupAndRestore`` resumes a run at epoch ``k``, so
    the curves would begin at epoch ``k + 1`` labelled as epoch 1. This one writes the epochs'
    values to ``path`` (beside the backup) after each epoch and, on a resumed run, starts from the
    ``k`` epochs the backup holds. Passed to ``fit`` in ``callbacks``, it replaces Keras's own.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)

    def on_train_begin(self, logs=None):
        # BackupAndRestore (earlier in the list) has set the epoch to resume from.
        done = getattr(self.model, "_initial_epoch", None) or 0
        saved = json.loads(self.path.read_text()) if done and self.path.is_file() else {}
        # A run killed between the backup and this file misses one epoch: NaN, not a shift.
        self.history = {key: (values + [math.nan] * done)[:done] for key, values in saved.items()}
        self.epoch = list(range(done))
        if done:
            print(f"Resuming from {self.path.parent} ({done} of {self.params['epochs']} epochs "
                  "done; add --restart to train from the first epoch)")

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, {key: float(value) for key, value in (logs or {}).items()})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.history))
        os.replace(temporary, self.path)


class ReleaseRunFolder(keras.callbacks.Callback):
    """Releases a `RunFolder`'s lock when ``fit`` ends (a crashed process's lock is stale and
    recognised as such by the next run)."""

    def __init__(self, folder: RunFolder) -> None:
        super().__init__()
        self.folder = folder

    def on_train_end(self, logs=None):
        self.folder.close()
        _HELD.pop(self.folder.folder, None)


def resumable_run(
    run_dir: str | Path,
    model: keras.Model,
    epochs: int,
    identity: Mapping[str, object] | None = None,
    restart: bool = False,
) -> list[keras.callbacks.Callback]:
    """What `Trainer.fit` does with ``checkpoint_dir``/``log_dir``, as callbacks for ``fit()``.

    ``BackupAndRestore`` in ``run_dir/backup``: an interrupted ``fit`` resumes at its last
    finished epoch (weights, optimizer state and epoch restored; the examples' order after the
    restart is not the one the interrupted run would have seen, so unlike `Trainer` the end
    result is close to, not bit for bit, an uninterrupted run's). The backup is kept twice, so a
    run killed while writing it falls back on the epoch before; it is deleted when ``fit``
    completes. `RunHistory` makes the returned history hold every epoch of a resumed run;
    TensorBoard scalars go to ``run_dir/logs``.

    Call it after ``compile`` and after the model is built: the backup folder is checked now,
    before training, against the run's identity (the model and optimizer, ``epochs``, and
    ``identity`` such as the dataset's), and locked for this process
    (`dlbook.training.run_folder`); ``restart`` deletes an earlier backup first.
    """
    backup = Path(run_dir) / "backup"
    if (interrupted := _HELD.pop(backup, None)) is not None:
        interrupted.close()
    identity = run_identity(model, model.optimizer, epochs, identity)
    folder = RunFolder(backup, identity, restart=restart).open()
    _HELD[backup] = folder
    return [
        keras.callbacks.BackupAndRestore(backup, double_checkpoint=True),
        RunHistory(backup / "history.json"),
        keras.callbacks.TensorBoard(Path(run_dir) / "logs"),
        ReleaseRunFolder(folder),
    ]
