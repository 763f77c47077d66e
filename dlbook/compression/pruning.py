"""Magnitude pruning of a Keras 3 model during training (section 8: efficiency by pruning).

The TF Model Optimization toolkit prunes Keras 2 models only; this module is the same machinery
for Keras 3, around a mask function the caller supplies (chapter 8 writes magnitude pruning,
``mask = |w| >= the sparsity-quantile of |w|``, on its page):

* `PolynomialSparsity`, the schedule of Zhu & Gupta (2017): the sparsity rises from ``s_0`` to
  ``s_f`` between steps ``t_0`` and ``t_1`` as ``s_t = s_f + (s_0 - s_f) (1 - (t - t_0) / (t_1 -
  t_0))^3``: fast at first, while many weights are near zero, slowly at the end;
* `Pruning`, a ``model.fit`` callback that recomputes each kernel's mask on that schedule and,
  after every training step, multiplies the kernel by its mask, so pruned weights stay at zero
  while the others keep training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dlbook.tf_startup  # noqa: F401  (TensorFlow imported without its start-up notices)
from dlbook.errors import DlbookError

import keras
import numpy as np

MaskFunction = Callable[[list[np.ndarray], float], list[np.ndarray]]
"""``mask_fn(kernels, sparsity)``: one boolean array per kernel, of its shape, False where the
weight is pruned; ``sparsity`` is the fraction to prune (of each kernel, or of all together)."""


@dataclass(frozen=True)
class PolynomialSparsity:
    """Sparsity ``s_t`` at training step ``t`` (counted from 0): ``initial`` until ``begin_step``,
    rising as a cubic to ``final`` at ``end_step``, ``final`` after."""

    final: float
    begin_step: int
    end_step: int
    initial: float = 0.0
    power: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.initial <= self.final < 1:
            raise ValueError(f"sparsities initial={self.initial}, final={self.final}: expected "
                             "0 <= initial <= final < 1")
        if not 0 <= self.begin_step < self.end_step:
            raise ValueError(f"steps begin={self.begin_step}, end={self.end_step}: expected "
                             "0 <= begin < end")

    def __call__(self, step: int) -> float:
        progress = min(max((step - self.begin_step) / (self.end_step - self.begin_step), 0.0), 1.0)
        return self.final + (self.initial - self.final) * (1.0 - progress) ** self.power


class UnprunableModelError(DlbookError):
    """The model has fewer Dense or Conv2D kernels than the pruning asked needs."""


def prunable_kernels(model: keras.Model, minimum: int = 1) -> list[keras.Variable]:
    """The kernels of the model's convolution and dense layers (biases are left whole: they are
    few, and each one shifts a whole feature map); fewer than ``minimum`` of them is a one-line
    `UnprunableModelError` (a mask function that keeps the first and last layers whole needs
    3)."""
    kernels = _kernels(model)
    if len(kernels) < minimum:
        raise UnprunableModelError(
            f"model {model.name!r} has {len(kernels)} Dense or Conv2D kernel(s), this pruning "
            f"needs at least {minimum}; use a model with more layers, such as chapter 5's CNN")
    return kernels


def _kernels(model: keras.Model) -> list[keras.Variable]:
    kernels = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            kernels += _kernels(layer)
        elif isinstance(layer, keras.layers.Dense | keras.layers.Conv2D):
            kernels.append(layer.kernel)
    return kernels


def sparsity(model: keras.Model) -> float:
    """The fraction of zeros among the weights of the prunable kernels."""
    kernels = [np.asarray(kernel) for kernel in prunable_kernels(model)]
    return sum(int((k == 0).sum()) for k in kernels) / sum(k.size for k in kernels)


class Pruning(keras.callbacks.Callback):
    """Prune every kernel of `prunable_kernels` to ``schedule(step)`` with ``mask_fn``.

    The masks are recomputed every ``update_every`` steps while the schedule rises, and once
    more at its end; after each step the kernels are multiplied by their masks. The model must
    be compiled with ``steps_per_execution=1`` (the default), so that the callback sees every
    step.
    """

    def __init__(self, schedule: PolynomialSparsity, mask_fn: MaskFunction,
                 update_every: int = 50) -> None:
        super().__init__()
        if update_every < 1:
            raise ValueError(f"update_every={update_every}: expected at least 1")
        self.schedule = schedule
        self.mask_fn = mask_fn
        self.update_every = update_every
        self.step = 0
        self.kernels: list[keras.Variable] = []
        self.masks: list[np.ndarray] = []

    def on_train_begin(self, logs=None):
        if getattr(self.model, "steps_per_execution", 1) != 1:
            raise ValueError(f"Pruning needs compile(steps_per_execution=1), got "
                             f"{self.model.steps_per_execution}: it masks after every step")
        self.kernels = prunable_kernels(self.model)
        self.masks = [np.ones(kernel.shape, bool) for kernel in self.kernels]

    def on_train_batch_end(self, batch, logs=None):
        schedule = self.schedule
        due = self.step % self.update_every == 0 or self.step == schedule.end_step
        if schedule.begin_step <= self.step <= schedule.end_step and due:
            kernels = [np.asarray(kernel) for kernel in self.kernels]
            self.masks = [np.asarray(mask, bool)
                          for mask in self.mask_fn(kernels, schedule(self.step))]
            if [mask.shape for mask in self.masks] != [kernel.shape for kernel in kernels]:
                raise ValueError(f"mask_fn returned masks of shapes "
                                 f"{[mask.shape for mask in self.masks]} for kernels of shapes "
                                 f"{[kernel.shape for kernel in kernels]}")
        for kernel, mask in zip(self.kernels, self.masks, strict=True):
            kernel.assign(np.where(mask, np.asarray(kernel), 0.0))
        self.step += 1
