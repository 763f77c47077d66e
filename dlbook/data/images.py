"""Image datasets as NumPy arrays and as ``tf.data`` pipelines (section 5.2): MNIST and
Fashion-MNIST, or a folder of the user's own images (`dlbook.data.image_folders`).

Every split is checked when it is loaded, not when a model trips over it: labels within the class
range, pixel values ``uint8`` (scaled to [0, 1]) or floats already in [0, 1] (kept), and the same
image shape in every split. Scaling happens one batch at a time, after the pipeline's cache, so
the cache holds the compact bytes. ``limit`` is `dlbook.data.pipeline`'s: at most that many
examples of each split, a seeded draw stratified by class.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dlbook.data.errors import CorruptFileError, InvalidDataError
from dlbook.data.idx import read_idx
from dlbook.data.image_files import check_color_mode
from dlbook.data.image_folders import read_image_folder
from dlbook.data.pipeline import DataSplits, Split, subset, train_validation_test
from dlbook.data.sources import dataset as known_dataset
from dlbook.data.sources import fetch, resolve_dataset

import numpy as np
import tensorflow as tf

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


def read_arrays(files: dict[str, Path]) -> Arrays:
    """The four files read into ``(x_train, y_train), (x_test, y_test)``."""
    return (read_split(files["train-images-idx3-ubyte"], files["train-labels-idx1-ubyte"]),
            read_split(files["t10k-images-idx3-ubyte"], files["t10k-labels-idx1-ubyte"]))


def load_arrays(dataset: str, limit: int | None = None, data_dir: str | Path | None = None,
                seed: int = 0) -> Arrays:
    """``(x_train, y_train), (x_test, y_test)`` as ``uint8`` arrays, like ``keras.datasets``.

    ``dataset`` is ``mnist``, ``fashion_mnist`` or ``auto`` (`resolve_dataset`); ``limit`` keeps
    at most ``limit`` examples of each split, drawn with ``seed`` and stratified by class
    (`dlbook.data.pipeline.subset`); ``data_dir`` is the folder holding the files (see
    `dlbook.data.sources`).
    """
    train, test = read_arrays(fetch(resolve_dataset(dataset, data_dir), data_dir))
    return subset(train, limit, seed), subset(test, limit, seed)


def check_labels(labels: np.ndarray, num_classes: int, where: str) -> None:
    """Raise `InvalidDataError` naming ``where`` (the labels' file) unless the labels are class
    numbers below ``num_classes``."""
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


def check_pixels(images: np.ndarray, where: str, like: np.ndarray | None = None) -> None:
    """Raise `InvalidDataError` naming ``where`` (the images' file) unless the pixels are
    ``uint8`` or floats in [0, 1] and the images have the shape of ``like`` (the training
    images)."""
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.floating):
            raise InvalidDataError(f"{where}: pixels of type {images.dtype}; expected uint8 "
                                   "(0-255) or floats in [0, 1]")
        low, high = float(images.min(initial=0)), float(images.max(initial=0))
        if low < 0 or high > 1:
            raise InvalidDataError(
                f"{where}: float pixels from {low:g} to {high:g}; expected [0, 1] (for 0-255 "
                f"values, store them as uint8 or divide them by 255)"
            )
    if like is not None and images.shape[1:] != like.shape[1:]:
        raise InvalidDataError(f"{where}: images of shape {images.shape[1:]}, but the training "
                               f"images have shape {like.shape[1:]}; every split needs one shape")


def check_images(train: Split, test: Split, num_classes: int, where: dict[str, str]) -> None:
    """Both splits checked (`check_labels`, `check_pixels`), each problem reported against the
    file it comes from: ``where`` names the ``train_images``, ``train_labels``, ``test_images``
    and ``test_labels``."""
    check_labels(train[1], num_classes, where["train_labels"])
    check_labels(test[1], num_classes, where["test_labels"])
    check_pixels(train[0], where["train_images"])
    check_pixels(test[0], where["test_images"], like=train[0])


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


def resizer(size: tuple[int, int] | None, color_mode: str | None) -> Callable:
    """A per-batch map that `scale`s the images and then, if asked, resizes them to ``size``
    (antialiased bilinear) and gives them ``color_mode``'s channels."""
    def scale_and_resize(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = scale(images, labels)
        if size is not None:
            images = tf.image.resize(images, size, antialias=True)
        if color_mode == "rgb" and images.shape[-1] == 1:
            images = tf.image.grayscale_to_rgb(images)
        if color_mode == "grayscale" and images.shape[-1] == 3:
            images = tf.image.rgb_to_grayscale(images)
        return images, labels

    return scale_and_resize


def read_files(dataset_name: str, data_dir: str | Path | None, limit: int | None, seed: int,
               image_size: tuple[int, int] | None, color_mode: str | None
               ) -> tuple[Split, Split, dict]:
    """An IDX dataset's splits (cut to ``limit``), checked, and the fields of `ImageData` that
    say what it is; one line says so when it is resized or given colour channels."""
    spec = known_dataset(resolve_dataset(dataset_name, data_dir))
    files = fetch(spec.name, data_dir)
    train, test = (subset(split, limit, seed) for split in read_arrays(files))
    check_images(train, test, len(spec.class_names), {
        "train_images": str(files["train-images-idx3-ubyte"]),
        "train_labels": str(files["train-labels-idx1-ubyte"]),
        "test_images": str(files["t10k-images-idx3-ubyte"]),
        "test_labels": str(files["t10k-labels-idx1-ubyte"])})
    native = tuple(train[0].shape[1:3])
    size = tuple(image_size) if image_size and tuple(image_size) != native else None
    if size or color_mode == "rgb":
        print(f"{spec.name}: images of {native[0]}x{native[1]} grayscale given as "
              f"{(size or native)[0]}x{(size or native)[1]} {color_mode or 'grayscale'}")
    return train, test, {"name": spec.name, "class_names": list(spec.class_names),
                         "source": str(files["train-images-idx3-ubyte"].parent),
                         "per_batch": resizer(size, color_mode)}


def read_folder(folder: Path, data_dir: str | Path | None, limit: int | None, seed: int,
                image_size: tuple[int, int] | None, color_mode: str | None
                ) -> tuple[Split, Split, dict]:
    """A folder of images (`read_image_folder`), read and described in one printed line, and
    the fields of `ImageData` that say what it is."""
    if data_dir is not None:
        raise InvalidDataError(f"data_dir={data_dir} is for the files of mnist or fashion_mnist; "
                               f"dataset={folder} is a folder of images already: leave out one "
                               "or the other")
    read = read_image_folder(folder, image_size, color_mode, seed, limit)
    print(read.description)
    where = {key: str(folder) for key in ("train_images", "train_labels", "test_images",
                                          "test_labels")}
    check_images(read.train, read.test, len(read.class_names), where)
    return read.train, read.test, {"name": folder.name, "class_names": read.class_names,
                                   "source": str(folder), "per_batch": scale}


def load_images(dataset: str = "auto", batch_size: int = 128, limit: int | None = None,
                validation_fraction: float = 0.1, seed: int = 0,
                data_dir: str | Path | None = None, image_size: tuple[int, int] | None = None,
                color_mode: str | None = None) -> ImageData:
    """An image dataset as batched ``tf.data`` pipelines.

    ``dataset`` is ``mnist``, ``fashion_mnist``, ``auto`` (`resolve_dataset`: MNIST if it can be
    had, else Fashion-MNIST) or a folder of image files (`dlbook.data.image_folders`: read,
    resized to ``image_size = (height, width)`` and given ``color_mode``, ``"grayscale"`` or
    ``"rgb"``, when they are given, and described in one printed line). MNIST's images are
    resized and given colour channels as asked, too. ``limit`` keeps at most ``limit`` examples
    of each split, drawn with ``seed`` and stratified by class. ``validation_fraction`` of the
    training examples (at most 5,000) become the validation set: the last ones of MNIST's files,
    each class's share of a folder's; only the training set is shuffled, with ``seed``, in a new
    order every epoch.
    """
    if color_mode is not None:
        check_color_mode(color_mode)
    folder = Path(dataset).expanduser()
    read = read_folder if folder.is_dir() else read_files
    train, test, fields = read(folder if folder.is_dir() else dataset, data_dir, limit, seed,
                               image_size, color_mode)
    per_batch = fields.pop("per_batch")
    return ImageData(**fields, **train_validation_test(
        fields["name"], train, test, batch_size, validation_fraction, seed, per_batch=per_batch,
        stratified=folder.is_dir()))
