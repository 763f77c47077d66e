"""Optimizer recipes used by the chapters (section 3: gradient descent and its refinements)."""

from __future__ import annotations

import keras


def sgd_cosine(
    learning_rate: float, epochs: int, steps_per_epoch: int, momentum: float = 0.9
) -> keras.optimizers.SGD:
    """SGD with momentum whose rate falls from ``learning_rate`` to 0 along a half cosine.

    ``w <- w - eta_t v_t`` with ``v_t = momentum v_(t-1) + grad`` and
    ``eta_t = learning_rate * (1 + cos(pi t / T)) / 2`` over ``T = epochs * steps_per_epoch`` steps.
    """
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch)
    return keras.optimizers.SGD(schedule, momentum=momentum)
