"""Toy sequence tasks whose answer is known exactly, for attention (section 2) and for training
a recurrent network over long sequences (section 3).

* `key_value_lookup`: a sequence of (key, value) pairs and a query key; the answer is the value
  stored under that key. One attention layer can solve it: the query must find its key.
* `adding_problem` (Hochreiter and Schmidhuber, 1997): a long sequence of random numbers, two of
  them marked; the answer is the sum of the two marked numbers. The first mark sits in the first
  half, so the gradient must flow back over many steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LookupTask:
    """``num_examples`` lookups: ``keys``, ``values`` ``int32 [N, pairs]``, ``query`` and
    ``answer`` ``int32 [N]``; ``position`` ``int32 [N]`` is where the queried pair sits."""

    keys: np.ndarray
    values: np.ndarray
    query: np.ndarray
    answer: np.ndarray
    position: np.ndarray
    num_keys: int
    num_values: int

    def __len__(self) -> int:
        return len(self.answer)

    @property
    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(keys, values, query)``, what a model is given."""
        return self.keys, self.values, self.query


def key_value_lookup(num_examples: int, num_pairs: int = 8, num_keys: int = 16,
                     num_values: int = 10, seed: int = 0) -> LookupTask:
    """Random lookups: ``num_pairs`` distinct keys out of ``num_keys``, each holding a value out of
    ``num_values``, and a query that is one of the keys. Guessing is right ``1 / num_values`` of
    the time."""
    if num_examples < 1 or num_values < 2 or not 1 <= num_pairs <= num_keys:
        raise ValueError(f"expected num_examples >= 1, num_values >= 2 and 1 <= num_pairs <= "
                         f"num_keys, got {num_examples}, {num_values}, {num_pairs}, {num_keys}")
    rng = np.random.default_rng(seed)
    keys = np.argsort(rng.random((num_examples, num_keys)), axis=1)[:, :num_pairs]
    values = rng.integers(0, num_values, size=(num_examples, num_pairs))
    position = rng.integers(0, num_pairs, size=num_examples)
    rows = np.arange(num_examples)
    query, answer = keys[rows, position], values[rows, position]
    return LookupTask(*(a.astype(np.int32) for a in (keys, values, query, answer, position)),
                      num_keys=num_keys, num_values=num_values)


def adding_problem(num_examples: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``float32 [N, length, 2]`` (a number in [0, 1) and a 0/1 mark at each step) and
    ``y`` ``float32 [N, 1]``, the sum of the two marked numbers: one mark in the first half of the
    sequence, one in the second.

    Always answering the mean, 1, gives a mean squared error of 1/6 (the variance of the sum of
    two uniform numbers): a model must do better than that to have learnt anything.
    """
    if num_examples < 1 or length < 2:
        raise ValueError(f"expected num_examples >= 1 and length >= 2, got {num_examples} and "
                         f"{length}")
    rng = np.random.default_rng(seed)
    x = np.zeros((num_examples, length, 2), np.float32)
    x[..., 0] = rng.random((num_examples, length))
    rows = np.arange(num_examples)
    first = rng.integers(0, length // 2, size=num_examples)
    second = rng.integers(length // 2, length, size=num_examples)
    x[rows, first, 1] = x[rows, second, 1] = 1.0
    y = x[rows, first, 0] + x[rows, second, 0]
    return x, y[:, None].astype(np.float32)
