"""The ``tf.data`` input pipeline every loader shares (section 5.2):
``cache -> shuffle (whole set, new order each epoch) -> batch -> prefetch``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

Split = tuple[np.ndarray, np.ndarray]
"""Examples and their labels, as two arrays of the same length."""


@dataclass(frozen=True)
class DataSplits:
    """A dataset's train / validation (None when not asked for) / test pipelines and sizes."""

    name: str
    class_names: list[str]
    source: str
    train: tf.data.Dataset
    validation: tf.data.Dataset | None
    test: tf.data.Dataset
    num_train: int
    num_validation: int
    num_test: int

    def __str__(self) -> str:
        return (f"{self.name}: {self.num_train} train, {self.num_validation} validation, "
                f"{self.num_test} test examples from {self.source}")


def batches(split: Split, batch_size: int, shuffle_seed: int | None = None,
            per_batch: Callable | None = None) -> tf.data.Dataset:
    """One split as a pipeline of ``(examples, labels)`` batches.

    With ``shuffle_seed`` the whole split is reshuffled every epoch, the same way for the same
    seed; without, the order is kept (validation and test sets). ``per_batch`` maps each batch,
    after the cache, so the cache holds the compact originals.
    """
    examples, labels = split
    data = tf.data.Dataset.from_tensor_slices((examples, labels)).cache()
    if shuffle_seed is not None:
        data = data.shuffle(len(examples), seed=shuffle_seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)
    if per_batch is not None:
        data = data.map(per_batch, num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def train_validation_test(train: Split, test: Split, batch_size: int, validation_size: int,
                          seed: int, per_batch: Callable | None = None) -> dict:
    """The three pipelines and their sizes, as fields for `DataSplits`.

    The last ``validation_size`` training examples become the validation set (None when 0);
    only the rest, the training set, is shuffled.
    """
    examples, labels = train
    if not 0 <= validation_size < len(examples):
        raise ValueError(f"validation_size={validation_size}: expected 0 <= validation_size < "
                         f"{len(examples)}, the number of training examples")
    num_train = len(examples) - validation_size
    fit = examples[:num_train], labels[:num_train]
    held_out = examples[num_train:], labels[num_train:]
    validation = batches(held_out, batch_size, per_batch=per_batch) if validation_size else None
    return {
        "train": batches(fit, batch_size, shuffle_seed=seed, per_batch=per_batch),
        "validation": validation,
        "test": batches(test, batch_size, per_batch=per_batch),
        "num_train": num_train,
        "num_validation": validation_size,
        "num_test": len(test[0]),
    }
