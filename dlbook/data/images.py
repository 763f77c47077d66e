"""MNIST and Fashion-MNIST as NumPy arrays and as ``tf.data`` pipelines (section 5.2).

Pixels are scaled from ``uint8`` to ``float32`` in ``[0, 1]`` one batch at a time, after the
pipeline's cache, so the cache holds the compact bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from dlbook.data.errors import CorruptFileError
from dlbook.data.idx import read_idx
from dlbook.data.pipeline import DataSplits, train_validation_test
from dlbook.data.sources import dataset, fetch

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class ImageData(DataSplits):
    """Train / validation / test pipelines of ``(float32 [B, 28, 28, 1], int32 [B])`` batches."""


def read_split(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One split's images ``(N, H, W)`` and labels ``(N,)``, checked against each other."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise CorruptFileError(
            f"{images_path} has shape {images.shape} and {labels_path} has shape "
            f"{labels.shape}; expected (N, height, width) images and N labels"
        )
    return images, labels


def read_arrays(files: dict[str, Path], limit: int | None = None) -> Arrays:
    """The four files read into ``(x_train, y_train), (x_test, y_test)``, each cut to ``limit``."""
    train = read_split(files["train-images-idx3-ubyte"], files["train-labels-idx1-ubyte"])
    test = read_split(files["t10k-images-idx3-ubyte"], files["t10k-labels-idx1-ubyte"])
    return tuple((x[:limit], y[:limit]) for x, y in (train, test))


def load_arrays(name: str, limit: int | None = None, data_dir: str | Path | None = None) -> Arrays:
    """``(x_train, y_train), (x_test, y_test)`` as ``uint8`` arrays, like ``keras.datasets``.

    ``limit`` keeps the first ``limit`` examples of each split; ``data_dir`` is the folder holding
    the files (or the cache root holding ``<name>/``), see `dlbook.data.sources`.
    """
    return read_arrays(fetch(name, data_dir), limit)


def scale(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """``uint8 [B, H, W]`` pixels to ``float32 [B, H, W, 1]`` in ``[0, 1]``; labels to int32."""
    return tf.cast(images, tf.float32)[..., tf.newaxis] / 255.0, tf.cast(labels, tf.int32)


def load_images(name: str, batch_size: int = 128, limit: int | None = None,
                validation_size: int = 0, seed: int = 0,
                data_dir: str | Path | None = None) -> ImageData:
    """MNIST or Fashion-MNIST as batched ``tf.data`` pipelines.

    The last ``validation_size`` training examples (after ``limit``) become the validation set;
    only the training set is shuffled, with ``seed``, in a new order every epoch.
    """
    spec = dataset(name)
    files = fetch(spec.name, data_dir)
    train, test = read_arrays(files, limit)
    return ImageData(
        name=spec.name,
        class_names=list(spec.class_names),
        source=str(files["train-images-idx3-ubyte"].parent),
        **train_validation_test(train, test, batch_size, validation_size, seed, per_batch=scale),
    )
