"""Folders of one's own images as people have them (`dlbook.data.image_folders`, issue 21 items
1-4): shuffled and split by class, any sizes and formats, sub-folders, clutter, damaged files.
Each test names the red team's case (N032 to N040) it reproduces."""

import os

from dlbook.data import DatasetNotFoundError, InvalidDataError, load_images
from dlbook.data.image_folders import read_image_folder

import keras
import numpy as np
import pytest
from PIL import Image

FORMATS = ("png", "jpg", "gif", "webp", "bmp", "tiff")


def pattern(label, size=(28, 28), seed=0):
    """A noisy image whose bright bar's place gives its class away (ten places)."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 40, size).astype(np.uint8)
    row, column = (label // 5) * size[0] // 2 + 2, (label % 5) * size[1] // 5 + 1
    image[row:row + size[0] // 3, column:column + max(2, size[1] // 7)] = 250
    return image


def write_classes(root, count, classes="abcdefghij", size=(28, 28), sub=""):
    """``count`` PNG files in ``root/<class>/<sub>`` for each class."""
    for label, name in enumerate(classes):
        folder = root / name / sub
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            Image.fromarray(pattern(label, size, seed=1000 * label + i)).save(folder / f"{i}.png")
    return root


def labels_of(split):
    return np.concatenate([labels for _, labels in split.as_numpy_iterator()])


def test_a_folder_read_class_after_class_is_split_by_class_and_learnt(tmp_path):
    """N034: the last 10% of a folder read class after class was the validation set, one whole
    class never trained: val_accuracy 0.0000 every epoch, test accuracy at most 0.90."""
    write_classes(tmp_path / "ten", 30)
    data = load_images(str(tmp_path / "ten"), batch_size=32, validation_fraction=0.1)
    assert (data.num_train, data.num_validation, data.num_test) == (216, 24, 60)
    for split, per_class in ((data.train, 0), (data.validation, 0), (data.test, 6)):
        counts = np.bincount(labels_of(split), minlength=10)
        assert counts.min() >= 2 and (not per_class or set(counts) == {per_class})
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(data.image_shape), keras.layers.Flatten(),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(
        from_logits=True), metrics=["accuracy"])
    history = model.fit(data.train, validation_data=data.validation, epochs=8, verbose=0,
                        shuffle=False)
    assert history.history["val_accuracy"][-1] > 0.5
    assert model.evaluate(data.test, verbose=0)[1] > 0.5


def test_a_quick_run_of_a_folder_trains_on_every_class(tmp_path):
    """N035: cut to its first 2,048 images, a folder of 10 x 300 lost its last two classes."""
    write_classes(tmp_path / "ten", 30)
    data = load_images(str(tmp_path / "ten"), limit=50, validation_fraction=0.2)
    assert data.num_train + data.num_validation == 50
    assert np.bincount(labels_of(data.train), minlength=10).min() >= 4
    assert set(labels_of(data.validation)) == set(range(10))


def test_the_split_is_seeded(tmp_path):
    write_classes(tmp_path / "ten", 10, classes="ab")
    splits = [read_image_folder(tmp_path / "ten", seed=seed).test[0] for seed in (0, 0, 1)]
    np.testing.assert_array_equal(splits[0], splits[1])
    assert not np.array_equal(splits[0], splits[2])


def test_images_in_sub_folders_belong_to_their_class(tmp_path, capsys):
    """N037: a class whose images sat in a sub-folder was dropped without a word."""
    write_classes(tmp_path / "nested", 10, classes="ab")
    write_classes(tmp_path / "nested", 10, classes="ab"[:0] + "c", sub="sub")
    data = load_images(str(tmp_path / "nested"), validation_fraction=0)
    assert data.class_names == ["a", "b", "c"]
    assert np.bincount(labels_of(data.train)).tolist() == [8, 8, 8]
    assert "10 in sub-folders of their class folder, counted in that class" in \
        capsys.readouterr().out


def test_images_of_other_sizes_are_resized_to_the_size_asked_or_refused(tmp_path, capsys):
    """N038: a nested 56x56 image was resized to 28x28 by Keras while the module promised that
    sizes are checked; real photo folders, of many sizes, were refused with 'one size'."""
    write_classes(tmp_path / "sizes", 10, classes="ab")
    (tmp_path / "sizes" / "b" / "more").mkdir()
    Image.fromarray(pattern(1, (56, 56))).save(tmp_path / "sizes" / "b" / "more" / "big.png")
    Image.fromarray(pattern(0, (40, 30))).save(tmp_path / "sizes" / "a" / "wide.png")
    with pytest.raises(InvalidDataError, match=r"sizes: images of 3 sizes, height x width: 28x28 "
                       r"\(20\), .*; pass image_size=\(height, width\) to resize them all, e.g. "
                       r"image_size=\(28, 28\)"):
        load_images(str(tmp_path / "sizes"))
    data = load_images(str(tmp_path / "sizes"), image_size=(16, 20), validation_fraction=0)
    assert data.image_shape == (16, 20, 1) and data.num_train + data.num_test == 22
    assert "16x20 grayscale;" in capsys.readouterr().out


def test_photos_of_every_format_size_and_name_are_read_and_described(tmp_path, capsys):
    rng = np.random.default_rng(0)
    root = tmp_path / "my photos"
    for label, name in enumerate(["cats", "dogs ü 狗"]):
        (root / name).mkdir(parents=True)
        for i in range(12):
            height, width = rng.integers(40, 90, 2)
            colour = np.stack([pattern(label, (height, width), seed=i)] * 3, -1)
            colour[..., 2] //= 2
            Image.fromarray(colour).save(root / name / f"photo {i}.{FORMATS[i % 6]}")
    Image.fromarray(pattern(1).astype(np.uint16) * 257).save(root / "dogs ü 狗" / "deep.png")
    data = load_images(str(root), image_size=(32, 32), validation_fraction=0)
    assert data.class_names == ["cats", "dogs ü 狗"] and data.image_shape == (32, 32, 3)
    assert data.num_train + data.num_test == 25
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("my photos: 20 training and 5 test images of 2 classes (cats, dogs ü "
                           "狗), 32x32 rgb; test: a stratified 20% of each class; 25 resized; "
                           "1 converted to rgb; 1 of 16 bits or more scaled to 8")


def test_clutter_is_ignored_and_files_that_are_not_images_are_named(tmp_path, capsys):
    root = write_classes(tmp_path / "tidy", 10, classes="ab")
    for name in (".DS_Store", "Thumbs.db", "desktop.ini", "README.md"):
        (root / name).write_text("clutter")
    (root / "a" / "Thumbs.db").write_bytes(b"\x00" * 64)
    (root / "a" / ".hidden.png").write_bytes(b"not even an image")
    (root / "b" / "notes.txt").write_text("photos taken in May")
    (root / "__MACOSX" / "a").mkdir(parents=True)
    (root / "__MACOSX" / "a" / "._0.png").write_bytes(b"resource fork")
    data = load_images(str(root), validation_fraction=0)
    assert data.class_names == ["a", "b"] and data.num_train + data.num_test == 20
    assert capsys.readouterr().out.splitlines()[0].endswith(
        "skipped 2 files that are not images (README.md, b/notes.txt)")


def test_damaged_files_are_skipped_and_named_or_refused_when_many(tmp_path, capsys):
    """N039, N040: a PDF named .png ended in PIL's UnidentifiedImageError, a truncated PNG in
    TensorFlow's InvalidArgumentError, both tracebacks."""
    root = write_classes(tmp_path / "bad", 20, classes="ab")
    (root / "b" / "zz.png").write_bytes(b"%PDF-1.4\n")
    data = (root / "b" / "0.png").read_bytes()
    (root / "b" / "0.png").write_bytes(data[: len(data) // 2])
    os.symlink("loop.png", root / "a" / "loop.png")
    (root / "a" / "folder.png").mkdir()  # an empty folder so named is no image, nor a class
    loaded = load_images(str(root), validation_fraction=0)
    assert loaded.num_train + loaded.num_test == 39
    line = capsys.readouterr().out.splitlines()[0]
    assert ("skipped 3 that cannot be decoded (a/loop.png: a link that leads nowhere (a loop, or "
            "its target is gone); b/0.png: damaged or cut short") in line
    assert "b/zz.png: not an image file Pillow can read)" in line
    for i in range(1, 5):  # four of a's images broken too: 7 of 42
        (root / "a" / f"{i}.png").write_bytes(b"broken")
    with pytest.raises(InvalidDataError, match=r"bad: 7 of 42 image files cannot be decoded, "
                                               r"more than 10% \(a/1.png: not an image file"):
        load_images(str(root))


def test_train_without_test_holds_out_a_stratified_test_share_and_says_so(tmp_path, capsys):
    """Issue 21 item 2: `<root>/train/<class>/` without test/ stopped with 'found none'."""
    write_classes(tmp_path / "set" / "train", 10, classes="ab")
    write_classes(tmp_path / "set" / "valid", 2, classes="ab")
    data = load_images(str(tmp_path / "set"), validation_fraction=0)
    assert (data.num_train, data.num_test) == (16, 4)
    assert np.bincount(labels_of(data.test)).tolist() == [2, 2]
    line = capsys.readouterr().out.splitlines()[0]
    assert ("test: a stratified 20% of each class (no test/ folder); valid/ not read (only "
            "train/ and test/ are)") in line
    write_classes(tmp_path / "set" / "test", 3, classes="ab")
    data = load_images(str(tmp_path / "set"), validation_fraction=0)
    assert (data.num_train, data.num_test) == (20, 6)


def test_layouts_that_cannot_be_read_are_refused_with_the_reason(tmp_path):
    write_classes(tmp_path / "split" / "train", 3, classes="ab")
    write_classes(tmp_path / "split" / "test", 3, classes="ac")
    with pytest.raises(DatasetNotFoundError, match=r"train/ and test/ must hold the same class "
                                                   r"folders; test/ lacks \['b'\] and train/ "
                                                   r"lacks \['c'\]"):
        load_images(str(tmp_path / "split"))
    write_classes(tmp_path / "wrapped" / "photos", 3, classes="ab")
    with pytest.raises(DatasetNotFoundError, match=r"found 1 \(photos\); photos/ holds folders "
                                                   r"itself: pass dataset=.*wrapped/photos"):
        load_images(str(tmp_path / "wrapped"))
    (tmp_path / "loose").mkdir()
    Image.fromarray(pattern(0)).save(tmp_path / "loose" / "0.png")
    with pytest.raises(DatasetNotFoundError, match=r"found 0 \(none\) and 1 files in no class"):
        load_images(str(tmp_path / "loose"))
    with pytest.raises(DatasetNotFoundError, match=r"dataset=.*/missing: no such folder"):
        load_images(str(tmp_path / "missing"))


def test_an_image_folder_given_as_data_dir_is_sent_to_dataset(tmp_path):
    """N033: `--data-dir FOLDER` of images asked for the four MNIST files, and did not name the
    setting that works."""
    write_classes(tmp_path / "shapes", 3, classes="ab")
    with pytest.raises(DatasetNotFoundError, match=r"data_dir=.*shapes lacks train-images-idx3-"
                       r"ubyte.gz, .*it holds folders of images: pass dataset=.*shapes in its "
                       r"place"):
        load_images("mnist", data_dir=tmp_path / "shapes")


def test_mnist_is_given_the_size_and_colour_mode_asked(tmp_path, capsys):
    from idx_fixtures import write_dataset

    arrays = write_dataset(tmp_path, 20, 10)
    data = load_images("mnist", data_dir=tmp_path, image_size=(32, 32), color_mode="rgb",
                       validation_fraction=0)
    assert data.image_shape == (32, 32, 3)
    assert "mnist: images of 28x28 grayscale given as 32x32 rgb" in capsys.readouterr().out
    images = np.concatenate([batch for batch, _ in data.test.as_numpy_iterator()])
    assert abs(images.mean() - arrays["t10k-images-idx3-ubyte"].mean() / 255) < 0.01
