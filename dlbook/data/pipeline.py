"""The ``tf.data`` input pipeline every loader shares (section 5.2):
``cache -> shuffle (whole set, new order each epoch) -> batch -> prefetch``, and the split of the
training examples into training and validation sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from dlbook.data.errors import InvalidDataError

Split = tuple[np.ndarray, np.ndarray]
"""Examples and their labels, as two arrays of the same length."""

MAX_VALIDATION = 5000
"""The most training examples held out for validation, whatever the fraction asked."""


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
    identity: dict
    """What a run trained on: dataset name, fingerprint of the examples, sizes, batch size and
    shuffling seed (`dlbook.training.run_folder` compares it when a run resumes)."""

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


def validation_size(num_examples: int, fraction: float) -> int:
    """How many of ``num_examples`` training examples a ``fraction`` holds out: rounded, at most
    `MAX_VALIDATION`, and never all of them."""
    if not 0 <= fraction < 1:
        raise ValueError(f"validation fraction {fraction}: expected 0 <= fraction < 1")
    return min(round(fraction * num_examples), MAX_VALIDATION, num_examples - 1)


def fingerprint(*splits: Split) -> str:
    """A short SHA-256 of the examples and labels: different data, different fingerprint."""
    digest = hashlib.sha256()
    for examples, labels in splits:
        for array in (examples, labels):
            if array.dtype == object:  # texts
                digest.update("\x00".join(map(str, array)).encode())
            else:
                digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def train_validation_test(name: str, train: Split, test: Split, batch_size: int,
                          validation_fraction: float, seed: int,
                          per_batch: Callable | None = None) -> dict:
    """The three pipelines, their sizes and the data's identity, as fields for `DataSplits`.

    The last ``validation_fraction`` of the training examples (at most `MAX_VALIDATION`)
    become the validation set (None when 0); only the rest, the training set, is shuffled.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size}: expected at least 1")
    examples, labels = train
    if len(examples) < 2 or len(test[0]) < 1:
        raise InvalidDataError(f"{name}: {len(examples)} training and {len(test[0])} test "
                               "examples; at least 2 and 1 are needed")
    held_out_size = validation_size(len(examples), validation_fraction)
    num_train = len(examples) - held_out_size
    fit = examples[:num_train], labels[:num_train]
    held_out = examples[num_train:], labels[num_train:]
    validation = batches(held_out, batch_size, per_batch=per_batch) if held_out_size else None
    return {
        "train": batches(fit, batch_size, shuffle_seed=seed, per_batch=per_batch),
        "validation": validation,
        "test": batches(test, batch_size, per_batch=per_batch),
        "num_train": num_train,
        "num_validation": held_out_size,
        "num_test": len(test[0]),
        "identity": {"dataset": name, "fingerprint": fingerprint(train, test),
                     "num_train": num_train, "num_validation": held_out_size,
                     "num_test": len(test[0]), "batch_size": batch_size, "seed": seed},
    }


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """A boolean test mask holding out ``test_fraction`` of each class, chosen with ``seed``."""
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(labels), bool)
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        is_test[members[: round(test_fraction * len(members))]] = True
    return is_test
