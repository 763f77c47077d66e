"""The image pipelines on small generated datasets, and `load_arrays` on the real Fashion-MNIST."""

import numpy as np
import pytest
import tensorflow as tf
from idx_fixtures import write_dataset, write_idx

from dlbook.data import CorruptFileError, ImageData, load_arrays, load_images
from dlbook.data.sources import DATASETS, files_in

TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


@pytest.fixture
def folder(tmp_path):
    arrays = write_dataset(tmp_path, num_train=64, num_test=24, seed=7)
    return tmp_path, arrays


def collect(dataset):
    images, labels = zip(*dataset.as_numpy_iterator(), strict=True)
    return np.concatenate(images), np.concatenate(labels)


def test_batches_shapes_dtypes_and_values(folder):
    path, arrays = folder
    data = load_images("mnist", batch_size=16, data_dir=path)
    assert isinstance(data, ImageData) and data.name == "mnist" and data.source == str(path)
    assert data.class_names == list("0123456789") and data.validation is None
    assert (data.num_train, data.num_validation, data.num_test) == (64, 0, 24)
    images, labels = next(iter(data.train))
    assert images.shape == (16, 28, 28, 1) and images.dtype == tf.float32
    assert labels.shape == (16,) and labels.dtype == tf.int32
    test_images, test_labels = collect(data.test)
    np.testing.assert_allclose(test_images[..., 0], arrays[TEST_IMAGES] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(test_labels, arrays[TEST_LABELS])
    assert test_images.min() == 0.0 and test_images.max() == 1.0


def test_limit_and_validation_from_the_end(folder):
    path, arrays = folder
    data = load_images("fashion_mnist", batch_size=8, limit=40, validation_size=10, data_dir=path)
    assert (data.num_train, data.num_validation, data.num_test) == (30, 10, 24)
    assert data.class_names[0] == "T-shirt/top" and len(data.class_names) == 10
    val_images, val_labels = collect(data.validation)
    np.testing.assert_array_equal(val_labels, arrays[TRAIN_LABELS][30:40])
    np.testing.assert_allclose(val_images[..., 0] * 255, arrays[TRAIN_IMAGES][30:40], atol=1e-4)
    train_images, _ = collect(data.train)
    assert len(train_images) == 30
    assert sorted((train_images * 255).round().sum(axis=(1, 2, 3))) == sorted(
        arrays[TRAIN_IMAGES][:30].sum(axis=(1, 2), dtype=np.int64))


def test_validation_size_must_leave_training_examples(folder):
    with pytest.raises(ValueError, match="validation_size=64: expected 0 <= validation_size < 64"):
        load_images("mnist", validation_size=64, data_dir=folder[0])


def test_shuffling_is_seeded_and_changes_every_epoch(folder):
    path, arrays = folder
    first = load_images("mnist", batch_size=16, seed=3, data_dir=path)
    again = load_images("mnist", batch_size=16, seed=3, data_dir=path)
    other = load_images("mnist", batch_size=16, seed=4, data_dir=path)
    epoch_1, epoch_2 = collect(first.train)[1], collect(first.train)[1]
    np.testing.assert_array_equal(epoch_1, collect(again.train)[1])
    assert not np.array_equal(epoch_1, epoch_2)
    assert not np.array_equal(epoch_1, collect(other.train)[1])
    assert not np.array_equal(epoch_1, arrays[TRAIN_LABELS])
    assert sorted(epoch_1) == sorted(arrays[TRAIN_LABELS])


def test_load_arrays_like_keras_datasets(tmp_path):
    arrays = write_dataset(tmp_path, num_train=12, num_test=5, gzip=False)
    (x_train, y_train), (x_test, y_test) = load_arrays("mnist", limit=10, data_dir=tmp_path)
    assert x_train.shape == (10, 28, 28) and y_train.shape == (10,) and x_test.shape == (5, 28, 28)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, arrays[TRAIN_IMAGES][:10])
    np.testing.assert_array_equal(y_test, arrays[TEST_LABELS])


def test_labels_and_images_must_agree(folder):
    path, _ = folder
    write_idx(path / f"{TRAIN_LABELS}.gz", np.zeros(63, np.uint8))
    with pytest.raises(CorruptFileError, match=r"shape \(64, 28, 28\) .*shape \(63,\)"):
        load_arrays("mnist", data_dir=path)


def test_real_fashion_mnist_from_debian():
    folder = DATASETS["fashion_mnist"].system_dir
    if files_in(folder) is None:
        pytest.skip(f"Fashion-MNIST is not in {folder} (`make data` installs it)")
    (x_train, y_train), (x_test, y_test) = load_arrays("fashion_mnist", data_dir=folder)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert x_train.max() == 255 and x_train.min() == 0
