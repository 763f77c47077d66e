"""Optimizer recipes used by the chapters (section 3: gradient descent and its refinements)."""

from __future__ import annotations

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.errors import DlbookError

import keras


class RateScheduleError(DlbookError):
    """A learning-rate schedule that cannot be drawn (a warm-up of all the steps or more)."""


def adam_cosine(learning_rate: float, epochs: int, steps_per_epoch: int,
                warmup: float = 0.0) -> keras.optimizers.Adam:
    """Adam whose rate falls from ``learning_rate`` to 0 along a half cosine, after a warm-up.

    ``eta_t = learning_rate * (1 + cos(pi t / T)) / 2`` over ``T = epochs * steps_per_epoch``
    steps: large steps while the loss is high, small ones to settle at the end. With ``warmup``,
    the first ``warmup`` share of the steps rises in a straight line from ``learning_rate / 10``
    to ``learning_rate`` and the cosine takes the rest: a one-cycle rate (Smith, 2018), which
    lets a larger peak rate train in fewer epochs.
    """
    if not 0 <= warmup < 1:
        raise RateScheduleError(f"warmup={warmup}: the warm-up is a share of the steps, at least "
                                "0 and below 1; pass warmup=0.2, say, or warmup=0 for none")
    total = epochs * steps_per_epoch
    if not warmup:
        return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, total))
    warmup_steps = round(warmup * total)
    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, total - warmup_steps, warmup_target=learning_rate,
        warmup_steps=warmup_steps)
    return keras.optimizers.Adam(schedule)
