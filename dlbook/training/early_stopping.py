"""Early stopping with the best weights restored: section 3's "iterate until the validation
performance stops improving", for `dlbook.training.Trainer`.

Like ``keras.callbacks.EarlyStopping(patience=..., restore_best_weights=True)``, but its state is
read from the run's history, which the Trainer checkpoints, and the best weights are kept in the
checkpoint folder: a resumed run knows its best epoch and how long it has waited.
"""

from __future__ import annotations

import os
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

import keras


class EarlyStopping:
    """Watch ``monitor`` in the history: lower is better for a loss, higher for anything else."""

    def __init__(self, monitor: str, patience: int) -> None:
        if patience < 1:
            raise ValueError(f"patience={patience}: expected at least 1 epoch")
        self.monitor, self.patience = monitor, patience
        self.lower_is_better = "loss" in monitor
        self.best_epoch = 0
        self.should_stop = False
        self._best_weights: list | None = None

    def update(self, history: dict[str, list[float]]) -> bool:
        """Read the epochs so far from ``history``; True when the last one is the best."""
        if self.monitor not in history:
            raise KeyError(f"early stopping watches {self.monitor!r}, which the history lacks; "
                           f"it has {sorted(history)}")
        values = history[self.monitor]
        best_value = (min if self.lower_is_better else max)(values)
        self.best_epoch = values.index(best_value) + 1
        self.should_stop = len(values) - self.best_epoch >= self.patience
        return self.best_epoch == len(values)

    def remember(self, model: keras.Model, path: Path | None) -> None:
        """Keep the model's weights as the best: in ``path`` (atomically) or else in memory."""
        if path is None:
            self._best_weights = model.get_weights()
            return
        temporary = path.with_name(path.name.replace(".weights.h5", "_temp.weights.h5"))
        model.save_weights(temporary)  # Keras insists on the .weights.h5 ending
        os.replace(temporary, path)

    def restore_best(self, model: keras.Model, path: Path | None) -> None:
        """Give the model the best epoch's weights back."""
        if self._best_weights is not None:
            model.set_weights(self._best_weights)
        elif path is not None and path.is_file():
            model.load_weights(path)
