"""One route to an exact resume, shared by the `Trainer`, ``model.fit`` and the GAN.

A run that saves after every epoch and, started again, goes on where it stopped needs four things,
which `ResumableRun` owns:

* the folder (`dlbook.training.run_folder.RunFolder`): checked against the run's identity and
  locked before anything trains;
* a ``tf.train.Checkpoint`` of the model, its optimizer(s), the epoch counter and the random
  state of its layers (Dropout's seed generators live in Keras variables that a checkpoint of the
  model does not reach), written each epoch by a ``tf.train.CheckpointManager``;
* ``history.json``, the values of every epoch, so a resumed run's history is the whole run's;
* with early stopping, the best epoch's weights (``best.weights.h5``), which the run gives back
  to the model when it stops;
* the shuffle order: ``tf.data`` draws a new order each time an iterator of a dataset is
  created, so one unread iterator per finished epoch puts a resumed run on the order it would
  have had.

Seeded (`dlbook.config.set_seed`), a resumed run then ends with the same weights, bit for bit, as
one that was never interrupted. `Trainer.fit` uses a `ResumableRun` directly; ``model.fit`` gets
one through the callbacks of `dlbook.training.callbacks.resumable_run`.

Under ``MultiWorkerMirroredStrategy`` every worker takes part in each save, but only the chief
writes the run's folder; the others save to a temporary folder of their own and delete it, and
every worker resumes from the chief's checkpoints.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.training.run_folder import RunFolder, RunMismatchError, run_identity

import keras
import tensorflow as tf

HistoryDict = dict[str, list[float]]
"""Per-epoch values keyed like Keras's ``History.history``: ``loss``, ``accuracy``, ``val_loss``."""

Optimizers = keras.optimizers.Optimizer | Mapping[str, keras.optimizers.Optimizer]
"""One optimizer, or several by name (a GAN's generator and discriminator)."""

HISTORY_FILE = "history.json"


class ResumableRun:
    """A run of ``epochs`` epochs of ``model`` that saves after each one in ``folder``.

    ``open()`` checks the folder and takes it (raising before any training when it holds another
    run or another process uses it), ``restore()`` loads the latest checkpoint, ``replay(dataset)``
    moves the dataset's shuffle order past the finished epochs, ``record(epoch, logs)`` adds an
    epoch to the history and ``save()`` writes the checkpoint; ``close()`` (or leaving a ``with``
    block) releases the folder. With ``folder=None`` nothing is written: the run keeps its
    history and epoch count in memory.

    ``optimizer`` is the model's optimizer, or a mapping of names to optimizers for a model that
    trains with several (they must then be attributes of the model, which the checkpoint holds).
    ``epoch`` is the variable counting the epochs done (a `Trainer` passes its own, made in its
    strategy's scope). ``is_chief`` is False on the workers of a ``MultiWorkerMirroredStrategy``
    other than the chief.
    """

    def __init__(self, folder: str | Path | None, model: keras.Model, optimizer: Optimizers,
                 epochs: int, data_identity: Mapping[str, object] | None = None,
                 restart: bool = False, is_chief: bool = True,
                 epoch: tf.Variable | None = None) -> None:
        if epochs < 1:
            raise ValueError(f"epochs={epochs}: expected at least 1")
        self.folder = None if folder is None else Path(folder)
        self.model, self.optimizer, self.epochs = model, optimizer, epochs
        self.identity = run_identity(model, optimizer, epochs, data_identity)
        self.is_chief = is_chief
        self.epoch = epoch if epoch is not None else tf.Variable(
            0, dtype=tf.int64, trainable=False, name="epoch")
        self.history: HistoryDict = {}
        self._folder = (RunFolder(self.folder, self.identity, restart=restart)
                        if self.folder is not None and is_chief else None)
        self._manager: tf.train.CheckpointManager | None = None
        self._save_dir: Path | None = None
        self._best_weights: list | None = None

    @property
    def epochs_done(self) -> int:
        """Epochs trained so far, counting those restored from a checkpoint."""
        return int(self.epoch.numpy())

    @property
    def best_weights_path(self) -> Path | None:
        """Where early stopping keeps the best epoch's weights (the chief's folder only)."""
        return self.folder / "best.weights.h5" if self._folder is not None else None

    def open(self) -> ResumableRun:
        """Check the folder against this run and take it, before any training."""
        if self._folder is not None:
            self._folder.open()
        return self

    def restore(self, verbose: int = 1) -> int:
        """Load the folder's latest checkpoint into the model, optimizer(s) and epoch counter,
        and its history; returns the epochs done (0 for a new run)."""
        if self.folder is None:
            return self.epochs_done
        checkpoint = self._checkpoint()
        self._save_dir = self.folder if self.is_chief else Path(
            tempfile.gettempdir()) / f"dlbook-worker-{os.getpid()}"
        self._manager = tf.train.CheckpointManager(checkpoint, str(self._save_dir), max_to_keep=2)
        latest = tf.train.latest_checkpoint(str(self.folder))
        if latest is None:
            return 0
        try:
            checkpoint.restore(latest).assert_existing_objects_matched()
        except (ValueError, AssertionError) as error:
            raise RunMismatchError(
                f"the checkpoint {latest} was written by a different model or optimizer and "
                f"cannot resume this run; pass restart=True (or delete {self.folder}) to start "
                f"afresh ({str(error).splitlines()[0]})"
            ) from error
        self.history = read_history(self.folder, self.epochs_done)
        if verbose:
            print(f"Resuming from {latest} ({self.epochs_done} of {self.epochs} epochs done; "
                  "restart=True trains from the first epoch)")
        return self.epochs_done

    def _checkpoint(self) -> tf.train.Checkpoint:
        optimizers = ({"optimizer": self.optimizer}
                      if isinstance(self.optimizer, keras.optimizers.Optimizer)
                      else {"optimizers": tf.train.Checkpoint(**self.optimizer)})
        return tf.train.Checkpoint(
            model=self.model, epoch=self.epoch, **optimizers,
            random_states=tf.train.Checkpoint(variables=self.model.non_trainable_variables))

    def replay(self, dataset: Iterable, iterators_per_epoch: int = 1,
               already_read: int = 0) -> None:
        """Create (and drop) the iterators of ``dataset`` that the finished epochs created,
        ``iterators_per_epoch`` each, less those of the ``already_read`` epochs this process
        read from it: a seeded shuffle that reshuffles each iteration then gives the next epoch
        the order it would have had."""
        for _ in range(max(self.epochs_done - already_read, 0) * iterators_per_epoch):
            iter(dataset)

    def record(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Add epoch ``epoch`` (1-based) and its values to the run."""
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        self.epoch.assign(epoch)

    def save(self) -> None:
        """Write the history and a checkpoint of the epochs done (nothing without a folder)."""
        if self._manager is None:
            return
        if self.is_chief:
            write_history(self.folder, self.history)
        self._manager.save(checkpoint_number=self.epochs_done)
        if not self.is_chief:
            shutil.rmtree(self._save_dir, ignore_errors=True)

    def keep_best_weights(self) -> None:
        """Keep the model's weights as the best epoch's (early stopping): in the folder,
        atomically, or in memory when the run has no folder."""
        path = self.best_weights_path
        if path is None:
            self._best_weights = self.model.get_weights()
            return
        temporary = path.with_name("best_temp.weights.h5")  # Keras wants the .weights.h5 ending
        self.model.save_weights(temporary)
        os.replace(temporary, path)

    def restore_best_weights(self) -> None:
        """Give the model back the weights `keep_best_weights` kept."""
        if self._best_weights is not None:
            self.model.set_weights(self._best_weights)
        elif self.best_weights_path is not None and self.best_weights_path.is_file():
            self.model.load_weights(self.best_weights_path)

    def keras_history(self) -> keras.callbacks.History:
        """The run's history as the ``keras.callbacks.History`` that ``model.fit`` returns."""
        history = keras.callbacks.History()
        history.history = self.history
        history.epoch = list(range(len(next(iter(self.history.values()), []))))
        return history

    def close(self) -> None:
        if self._folder is not None:
            self._folder.close()

    def __enter__(self) -> ResumableRun:
        return self.open()

    def __exit__(self, *exc_info) -> None:
        self.close()


def epochs_saved(checkpoint_dir: str | Path) -> int:
    """The epoch of the latest checkpoint saved in ``checkpoint_dir``, 0 if none."""
    latest = tf.train.latest_checkpoint(str(checkpoint_dir))
    return int(latest.rsplit("-", 1)[1]) if latest else 0


def write_history(folder: Path, history: HistoryDict) -> None:
    """Write ``history.json`` in ``folder`` atomically (never half-written)."""
    path = folder / HISTORY_FILE
    temporary = path.with_name(f"{HISTORY_FILE}.tmp")
    temporary.write_text(json.dumps(history))
    os.replace(temporary, path)


def read_history(folder: Path, epochs: int) -> HistoryDict:
    """The first ``epochs`` epochs of the history in ``folder``; an epoch it lacks (a run killed
    between the checkpoint and the history) is NaN, never a shift."""
    path = folder / HISTORY_FILE
    try:
        saved = json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        saved = {}
    return {key: (list(values) + [math.nan] * epochs)[:epochs] for key, values in saved.items()}
