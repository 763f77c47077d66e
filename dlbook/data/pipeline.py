"""The ``tf.data`` input pipeline every loader shares (section 5.2):
``cache -> shuffle (whole set, new order each epoch) -> batch -> prefetch``, the split of the
training examples into training and validation sets, and the one meaning of ``limit``.

``limit`` (a quick run sets it) keeps at most ``limit`` examples of each split, drawn at random
with the seed and stratified by class: each class keeps its share, and every class at least one
example while ``limit`` is at least the number of classes, so a quick run sees every class
(`stratified_subset`). The examples kept stay in their order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from dlbook.data.errors import InvalidDataError

import numpy as np
import tensorflow as tf

Split = tuple[np.ndarray, np.ndarray]
"""Examples and their labels, as two arrays of the same length."""

WITHOUT_AUTOTUNER = tf.data.Options()
WITHOUT_AUTOTUNER.autotune.enabled = False
"""tf.data's autotuner off: ``AUTOTUNE`` then means one thread per core and a batch prefetched.
With it on, ending an epoch's iterator waited up to 2.5 s for the tuner, in most epochs (about
10 s of ``make run``'s 40), and the pipeline alone was slower: 0.24 s an epoch of Fashion-MNIST
against 0.16 s without it (way (i) of ``benchmarks/results/lenet.md``)."""

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
    return data.prefetch(tf.data.AUTOTUNE).with_options(WITHOUT_AUTOTUNER)


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


def hold_out(split: Split, size: int, seed: int, stratified: bool) -> tuple[Split, Split]:
    """``(kept, held_out)``: ``size`` examples of ``split`` held out, the last ones, or with
    ``stratified`` a seeded draw of each class's share (`stratified_subset`)."""
    examples, labels = split
    if stratified:
        is_held_out = np.zeros(len(labels), bool)
        is_held_out[stratified_subset(labels, size, seed)] = True
    else:
        is_held_out = np.arange(len(labels)) >= len(labels) - size
    return ((examples[~is_held_out], labels[~is_held_out]),
            (examples[is_held_out], labels[is_held_out]))


def train_validation_test(name: str, train: Split, test: Split, batch_size: int,
                          validation_fraction: float, seed: int,
                          per_batch: Callable | None = None, stratified: bool = False) -> dict:
    """The three pipelines, their sizes and the data's identity, as fields for `DataSplits`.

    ``validation_fraction`` of the training examples (at most `MAX_VALIDATION`) become the
    validation set (None when 0): the last ones (files in a random order already: MNIST, the
    shuffled texts), or with ``stratified`` each class's share drawn with ``seed`` (image
    folders, read class after class). Only the rest, the training set, is shuffled.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size}: expected at least 1")
    examples, labels = train
    if len(examples) < 2 or len(test[0]) < 1:
        raise InvalidDataError(f"{name}: {len(examples)} training and {len(test[0])} test "
                               "examples; at least 2 and 1 are needed")
    held_out_size = validation_size(len(examples), validation_fraction)
    fit, held_out = hold_out(train, held_out_size, seed, stratified)
    num_train = len(fit[0])
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


def class_quotas(counts: np.ndarray, limit: int) -> np.ndarray:
    """How many examples of each class (``counts``) a sample of ``limit`` takes: each class its
    share ``limit * count / total``, rounded by the largest remainders, at least one per class
    while ``limit`` allows, never more than the class holds."""
    share = counts * limit / counts.sum()
    quotas = np.floor(share).astype(int)
    if limit >= len(counts):
        quotas = np.maximum(quotas, 1)
    while quotas.sum() > limit:
        quotas[np.argmax(quotas)] -= 1
    while quotas.sum() < limit:  # the largest remainder among the classes with room left
        room = np.flatnonzero(quotas < counts)
        quotas[room[np.argmin((quotas - share)[room])]] += 1
    return quotas


def stratified_subset(labels: np.ndarray, limit: int | None, seed: int) -> np.ndarray:
    """The indices (ascending) of at most ``limit`` examples drawn with ``seed``, each class
    keeping its share (`class_quotas`); all of them when ``limit`` is None or not smaller."""
    if limit is None or limit >= len(labels):
        return np.arange(len(labels))
    if limit < 0:
        raise ValueError(f"limit={limit}: expected a number of examples, at least 0")
    classes, counts = np.unique(labels, return_counts=True)
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), quota, replace=False)
              for label, quota in zip(classes, class_quotas(counts, limit), strict=True)]
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def subset(split: Split, limit: int | None, seed: int) -> Split:
    """``split`` cut to at most ``limit`` examples, the module's one meaning of ``limit``."""
    examples, labels = split
    keep = stratified_subset(labels, limit, seed)
    return examples[keep], labels[keep]
