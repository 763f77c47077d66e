"""Optimizer recipes used by the chapters (section 3: gradient descent and its refinements)."""

from __future__ import annotations

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)

import keras


def adam_cosine(learning_rate: float, epochs: int, steps_per_epoch: int) -> keras.optimizers.Adam:
    """Adam whose rate falls from ``learning_rate`` to 0 along a half cosine.

    ``eta_t = learning_rate * (1 + cos(pi t / T)) / 2`` over ``T = epochs * steps_per_epoch``
    steps: large steps while the loss is high, small ones to settle at the end.
    """
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch)
    return keras.optimizers.Adam(schedule)
