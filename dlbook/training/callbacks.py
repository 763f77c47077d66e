"""Keras callbacks for the ``model.fit`` route: the exact resume of `ResumableRun`, TensorBoard,
timing."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.training.resume import Optimizers, ResumableRun

import keras
import tensorflow as tf

FIT_ITERATORS_PER_EPOCH = 2
"""Iterators of the training dataset that Keras 3's ``fit`` creates per epoch (of a dataset of
known cardinality): one as the epoch starts, and one as it ends that the next epoch does not use.
The exact-resume tests (the GAN's, lenet_fit's) fail if a Keras version changes it."""

_OPEN: dict[Path, ResumableRun] = {}
"""The runs this process holds for a ``fit()``. An interrupted ``fit()`` (Ctrl-C in a notebook)
never reaches ``on_train_end``; the next `resumable_run` of the folder releases it."""


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of each epoch, like `Trainer.epoch_seconds`."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._start)

    @property
    def seconds_per_epoch(self) -> float | None:
        """The mean of `epoch_seconds`; None if this run trained no epoch (all were done)."""
        return sum(self.epoch_seconds) / len(self.epoch_seconds) if self.epoch_seconds else None


class ResumeRun(keras.callbacks.History):
    """``fit``'s side of a `ResumableRun`: ``fit`` starts at the first epoch not done, each
    epoch is saved, and the ``History`` that ``fit`` returns holds the whole run (passed in
    ``callbacks``, it replaces Keras's own, which would start at the resumed epoch)."""

    def __init__(self, run: ResumableRun) -> None:
        super().__init__()
        self.run = run

    def on_train_begin(self, logs=None):
        self.model._initial_epoch = self.run.epochs_done  # as keras.callbacks.BackupAndRestore
        self.history = self.run.history
        self.epoch = list(range(self.run.epochs_done))

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        self.run.record(epoch + 1, logs or {})
        self.run.save()

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
        self.run.close()
        _OPEN.pop(self.run.folder, None)


def resumable_run(
    run_dir: str | Path,
    model: keras.Model,
    epochs: int,
    identity: Mapping[str, object] | None = None,
    restart: bool = False,
    train_data: tf.data.Dataset | None = None,
    optimizer: Optimizers | None = None,
    verbose: int = 1,
) -> list[keras.callbacks.Callback]:
    """What `Trainer.fit` does with ``checkpoint_dir``/``log_dir``, as callbacks for ``fit()``.

    A `ResumableRun` in ``run_dir/checkpoints``, checked and opened now, before training: its
    identity (the model and optimizer, ``epochs``, and ``identity`` such as the dataset's) must
    match what the folder recorded, or `RunMismatchError` is raised, and the folder is locked
    for this process; ``restart`` deletes its checkpoints first. The latest checkpoint is
    restored now, and ``train_data``, the dataset ``fit`` will get, is moved past the finished
    epochs' shuffle orders, so that a resumed ``fit`` ends bit for bit where an uninterrupted
    one does (without ``train_data`` it draws the rest of the orders afresh). Then, as
    callbacks: `ResumeRun` (start at the next epoch, save each epoch, the whole run's history)
    and TensorBoard scalars in ``run_dir/logs``.

    Call it after ``compile`` and after the model is built. ``optimizer``: default the model's;
    a mapping of names to optimizers for a model that trains with several (a GAN), each built
    for its variables and held by the model.
    """
    folder = Path(run_dir) / "checkpoints"
    if (interrupted := _OPEN.pop(folder, None)) is not None:
        interrupted.close()
    optimizer = optimizer if optimizer is not None else model.optimizer
    if optimizer is model.optimizer and not optimizer.built:
        optimizer.build(model.trainable_variables)  # fit would; the checkpoint needs them now
    run = ResumableRun(folder, model, optimizer, epochs, identity, restart=restart).open()
    try:
        run.restore(verbose)
    except BaseException:
        run.close()
        raise
    if train_data is not None:
        run.replay(train_data, FIT_ITERATORS_PER_EPOCH)
    _OPEN[folder] = run
    return [ResumeRun(run), keras.callbacks.TensorBoard(Path(run_dir) / "logs")]
