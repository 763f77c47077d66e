"""The image pipelines on small generated datasets, and `load_arrays` on the real Fashion-MNIST."""

from dlbook.data import CorruptFileError, ImageData, InvalidDataError, load_arrays, load_images
from dlbook.data.pipeline import stratified_subset, validation_size
from dlbook.data.sources import DATASETS, files_in

import numpy as np
import pytest
import tensorflow as tf
from idx_fixtures import write_dataset, write_idx

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
    data = load_images("mnist", batch_size=16, validation_fraction=0, data_dir=path)
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


def test_limit_is_a_seeded_stratified_draw_and_validation_the_last_of_it(folder):
    """``limit`` was "the first N" for images: a file sorted by class lost its last classes."""
    path, arrays = folder
    data = load_images("fashion_mnist", batch_size=8, limit=40, validation_fraction=0.25,
                       data_dir=path)
    assert (data.num_train, data.num_validation, data.num_test) == (30, 10, 24)
    keep = stratified_subset(arrays[TRAIN_LABELS], 40, seed=0)
    assert len(keep) == 40 and not np.array_equal(keep, np.arange(40))
    val_images, val_labels = collect(data.validation)
    np.testing.assert_array_equal(val_labels, arrays[TRAIN_LABELS][keep[30:]])
    np.testing.assert_allclose(val_images[..., 0] * 255, arrays[TRAIN_IMAGES][keep[30:]],
                               atol=1e-4)
    train_images, _ = collect(data.train)
    assert sorted((train_images * 255).round().sum(axis=(1, 2, 3))) == sorted(
        arrays[TRAIN_IMAGES][keep[:30]].sum(axis=(1, 2), dtype=np.int64))


@pytest.mark.parametrize(("counts", "limit", "expected"), [
    ([240] * 10, 2048, [205] * 8 + [204] * 2),   # each class its share
    ([50, 30, 20], 10, [5, 3, 2]),
    ([97, 2, 1], 10, [8, 1, 1]),                   # every class, while the limit allows
    ([97, 2, 1], 2, [2, 0, 0]),                    # fewer than the classes: the largest shares
    ([3, 3], 100, [3, 3]),                         # not smaller than the data: everything
])
def test_limit_keeps_each_class_its_share(counts, limit, expected):
    labels = np.repeat(np.arange(len(counts)), counts)  # sorted by class, as folders are read
    keep = stratified_subset(labels, limit, seed=0)
    np.testing.assert_array_equal(np.bincount(labels[keep], minlength=len(counts)), expected)
    assert np.all(np.diff(keep) > 0)  # in the data's order, each example once
    again, other = stratified_subset(labels, limit, seed=0), stratified_subset(labels, limit, 1)
    np.testing.assert_array_equal(keep, again)
    assert sum(expected) == sum(counts) or not np.array_equal(keep, other)


def test_a_quick_run_of_a_file_sorted_by_class_sees_every_class(tmp_path):
    labels = np.repeat(np.arange(10, dtype=np.uint8), 30)
    write_dataset(tmp_path, num_train=300, num_test=100)
    write_idx(tmp_path / f"{TRAIN_LABELS}.gz", labels)
    data = load_images("mnist", limit=50, validation_fraction=0, data_dir=tmp_path)
    assert np.bincount(collect(data.train)[1]).tolist() == [5] * 10


@pytest.mark.parametrize("num_train, fraction, expected", [
    (8000, 0.1, (7200, 800)),      # a small dataset keeps most of its examples for training
    (6000, 0.1, (5400, 600)),
    (60000, 0.1, (55000, 5000)),   # at most 5,000 held out
    (64, 0.0, (64, 0)),
    (3, 0.9, (1, 2)),              # never all of them
])
def test_validation_is_a_fraction_of_the_training_set(num_train, fraction, expected):
    assert (num_train - validation_size(num_train, fraction),
            validation_size(num_train, fraction)) == expected


def test_validation_fraction_is_checked(folder):
    with pytest.raises(ValueError, match="validation fraction 1: expected 0 <= fraction < 1"):
        load_images("mnist", validation_fraction=1, data_dir=folder[0])


def test_shuffling_is_seeded_and_changes_every_epoch(folder):
    path, arrays = folder
    first, again, other = (load_images("mnist", batch_size=16, seed=seed, validation_fraction=0,
                                       data_dir=path) for seed in (3, 3, 4))
    epoch_1, epoch_2 = collect(first.train)[1], collect(first.train)[1]
    np.testing.assert_array_equal(epoch_1, collect(again.train)[1])
    assert not np.array_equal(epoch_1, epoch_2)
    assert not np.array_equal(epoch_1, collect(other.train)[1])
    assert not np.array_equal(epoch_1, arrays[TRAIN_LABELS])
    assert sorted(epoch_1) == sorted(arrays[TRAIN_LABELS])


def test_every_split_runs_without_the_autotuner_whose_iterators_stall_when_deleted(folder):
    """With tf.data's autotuner on, deleting an epoch's iterator waited up to 2.5 s in most of
    make run's epochs (`dlbook.data.pipeline.WITHOUT_AUTOTUNER`)."""
    data = load_images("mnist", batch_size=16, validation_fraction=0.2, data_dir=folder[0])
    for split in (data.train, data.validation, data.test):
        assert split.options().autotune.enabled is False


def test_load_arrays_like_keras_datasets(tmp_path):
    arrays = write_dataset(tmp_path, num_train=12, num_test=5, gzip=False)
    (x_train, y_train), (x_test, y_test) = load_arrays("mnist", limit=10, data_dir=tmp_path)
    assert x_train.shape == (10, 28, 28) and y_train.shape == (10,) and x_test.shape == (5, 28, 28)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    keep = stratified_subset(arrays[TRAIN_LABELS], 10, seed=0)
    np.testing.assert_array_equal(x_train, arrays[TRAIN_IMAGES][keep])
    np.testing.assert_array_equal(y_train, arrays[TRAIN_LABELS][keep])
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


def test_labels_outside_the_classes_are_named_with_their_file(folder):
    path, arrays = folder
    labels = arrays[TEST_LABELS].copy()
    labels[5] = 12
    write_idx(path / f"{TEST_LABELS}.gz", labels)
    with pytest.raises(InvalidDataError, match=rf"{TEST_LABELS}.gz: 1 labels outside the classes "
                                               r"0 to 9 \(the first is 12, example 5\)"):
        load_images("mnist", data_dir=path)


def test_float_pixels_in_0_1_are_kept_and_other_ranges_refused(folder):
    path, arrays = folder
    for stem in (TRAIN_IMAGES, TEST_IMAGES):
        write_idx(path / f"{stem}.gz", (arrays[stem] / 255.0).astype(np.float32))
    data = load_images("mnist", batch_size=64, validation_fraction=0, data_dir=path)
    test_images, _ = collect(data.test)
    np.testing.assert_allclose(test_images[..., 0], arrays[TEST_IMAGES] / 255.0, rtol=1e-6)
    write_idx(path / f"{TEST_IMAGES}.gz", arrays[TEST_IMAGES].astype(np.float32))
    with pytest.raises(InvalidDataError, match=rf"{TEST_IMAGES}.gz: float pixels from 0 to 255; "
                                               r"expected \[0, 1\]"):
        load_images("mnist", data_dir=path)  # R07b: the labels' file was named


def test_test_images_of_another_size_are_refused_before_training(folder):
    path, _ = folder
    write_idx(path / f"{TEST_IMAGES}.gz", np.zeros((24, 32, 32), np.uint8))
    with pytest.raises(InvalidDataError, match=rf"{TEST_IMAGES}.gz: images of shape \(32, 32\), "
                                               r"but the training images have shape \(28, 28\)"):
        load_images("mnist", data_dir=path)  # R09b: the labels' file was named


def write_png_folder(root, split_folders, size=(12, 10), mode="L", count=6):
    """Class folders of PNG files whose brightness gives their class away."""
    from PIL import Image

    for split in split_folders:
        for label, name in enumerate(["dark", "light"]):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                Image.new(mode, size, color=40 + 150 * label + i).save(folder / f"{i}.png")


def test_a_folder_of_png_files_loads_like_a_dataset(tmp_path):
    write_png_folder(tmp_path / "shapes", ["train", "test"])
    data = load_images(str(tmp_path / "shapes"), batch_size=4, validation_fraction=0)
    assert (data.name, data.class_names) == ("shapes", ["dark", "light"])
    assert (data.num_train, data.num_test) == (12, 12) and data.image_shape == (10, 12, 1)
    images, labels = collect(data.test)
    assert images.shape == (12, 10, 12, 1) and images.max() <= 1.0
    np.testing.assert_array_equal(labels, [0] * 6 + [1] * 6)
    np.testing.assert_allclose(images[labels == 1].mean(), (190 + 2.5) / 255, rtol=1e-5)


def test_a_folder_without_a_split_is_split_by_class_and_checked(tmp_path):
    write_png_folder(tmp_path / "colour", [""], mode="RGB", count=10)
    data = load_images(str(tmp_path / "colour"), batch_size=4, validation_fraction=0)
    assert (data.num_train, data.num_test, data.image_shape) == (16, 4, (10, 12, 3))
    from PIL import Image

    Image.new("RGB", (20, 20)).save(tmp_path / "colour" / "dark" / "odd.png")
    with pytest.raises(InvalidDataError, match=r"colour: images of 2 sizes, height x width: "
                       r"10x12 \(20\), 20x20 \(1\); pass image_size=\(height, width\) to "
                       r"resize them all, e.g. image_size=\(10, 12\)"):
        load_images(str(tmp_path / "colour"))
    resized = load_images(str(tmp_path / "colour"), image_size=(10, 12), validation_fraction=0)
    assert resized.num_train + resized.num_test == 21 and resized.image_shape == (10, 12, 3)
