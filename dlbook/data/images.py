"""Image datasets as NumPy arrays and as ``tf.data`` pipelines (section 5.2): MNIST and
Fashion-MNIST, or a folder of the user's own PNG/JPEG files (`dlbook.data.image_folders`).

Every split is checked when it is loaded, not when a model trips over it: labels within the class
range, pixel values ``uint8`` (scaled to [0, 1]) or floats already in [0, 1] (kept), and the same
image shape in every split. Scaling happens one batch at a time, after the pipeline's cache, so
the cache holds the compact bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from dlbook.data.errors import CorruptFileError, InvalidDataError
from dlbook.data.idx import read_idx
from dlbook.data.image_folders import read_image_folder
from dlbook.data.pipeline import DataSplits, train_validation_test
from dlbook.data.sources import dataset, fetch, resolve_dataset

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class ImageData(DataSplits):
    """Train / validation / test pipelines of ``(float32 [B, H, W, C], int32 [B])`` batches."""

    @property
    def image_shape(self) -> tuple[int, ...]:
        """``(height, width, channels)`` of every image."""
        return tuple(self.train.element_spec[0].shape[1:])


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

    ``name`` is ``mnist``, ``fashion_mnist`` or ``auto`` (`resolve_dataset`); ``limit`` keeps the
    first ``limit`` examples of each split; ``data_dir`` is the folder holding the files (see
    `dlbook.data.sources`).
    """
    return read_arrays(fetch(resolve_dataset(name, data_dir), data_dir), limit)


def check_images(split: tuple[np.ndarray, np.ndarray], num_classes: int, where: str,
                 like: np.ndarray | None = None) -> None:
    """Raise `InvalidDataError` naming ``where`` unless the labels are class numbers below
    ``num_classes``, the pixels are ``uint8`` or floats in [0, 1], and the images have the shape
    of ``like`` (the training images)."""
    images, labels = split
    if not np.issubdtype(labels.dtype, np.integer):
        raise InvalidDataError(f"{where}: labels of type {labels.dtype}; expected whole class "
                               f"numbers 0 to {num_classes - 1}")
    outside = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if outside.size:
        raise InvalidDataError(
            f"{where}: {outside.size} labels outside the classes 0 to {num_classes - 1} (the "
            f"first is {labels[outside[0]]}, example {outside[0]}); fix the labels or the list "
            f"of classes"
        )
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.floating):
            raise InvalidDataError(f"{where}: pixels of type {images.dtype}; expected uint8 "
                                   "(0-255) or floats in [0, 1]")
        low, high = float(images.min()), float(images.max())
        if low < 0 or high > 1:
            raise InvalidDataError(
                f"{where}: float pixels from {low:g} to {high:g}; expected [0, 1] (for 0-255 "
                f"values, store them as uint8 or divide them by 255)"
            )
    if like is not None and images.shape[1:] != like.shape[1:]:
        raise InvalidDataError(f"{where}: images of shape {images.shape[1:]}, but the training "
                               f"images have shape {like.shape[1:]}; every split needs one shape")


def scale(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Pixels to ``float32 [B, H, W, C]`` in ``[0, 1]`` (``uint8`` divided by 255, floats kept;
    a channel axis added to ``[B, H, W]``); labels to int32."""
    if images.dtype == tf.uint8:
        images = tf.cast(images, tf.float32) / 255.0
    images = tf.cast(images, tf.float32)
    if images.shape.rank == 3:
        images = images[..., tf.newaxis]
    return images, tf.cast(labels, tf.int32)


def to_tanh_range(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Map images from [0, 1] to [-1, 1], a GAN generator's tanh range:
    ``dataset.map(to_tanh_range)``."""
    return images * 2.0 - 1.0, labels


def load_images(name: str = "auto", batch_size: int = 128, limit: int | None = None,
                validation_fraction: float = 0.1, seed: int = 0,
                data_dir: str | Path | None = None) -> ImageData:
    """An image dataset as batched ``tf.data`` pipelines.

    ``name`` is ``mnist``, ``fashion_mnist``, ``auto`` (`resolve_dataset`: MNIST if it can be had,
    else Fashion-MNIST) or a folder of image files (`dlbook.data.image_folders`). ``limit`` keeps
    the first ``limit`` examples of each split; the last ``validation_fraction`` of the training
    examples (at most 5,000) become the validation set; only the training set is shuffled, with
    ``seed``, in a new order every epoch.
    """
    if Path(name).expanduser().is_dir():
        folder = Path(name).expanduser()
        if data_dir is not None:
            raise InvalidDataError(f"--data-dir {data_dir} is for the files of mnist or "
                                   f"fashion_mnist; {folder} is a folder of images already: "
                                   "leave out one or the other")
        train, test, class_names = read_image_folder(folder, seed)
        train, test = (train[0][:limit], train[1][:limit]), (test[0][:limit], test[1][:limit])
        name, source, where = folder.name, str(folder), (str(folder / "train"), str(folder / "test"))
    else:
        spec = dataset(resolve_dataset(name, data_dir))
        files = fetch(spec.name, data_dir)
        train, test = read_arrays(files, limit)
        name, class_names = spec.name, list(spec.class_names)
        source = str(files["train-images-idx3-ubyte"].parent)
        where = (str(files["train-labels-idx1-ubyte"]), str(files["t10k-labels-idx1-ubyte"]))
    check_images(train, len(class_names), where[0])
    check_images(test, len(class_names), where[1], like=train[0])
    return ImageData(
        name=name, class_names=class_names, source=source,
        **train_validation_test(name, train, test, batch_size, validation_fraction, seed,
                                per_batch=scale),
    )

