"""Folders of text files as `keras.utils.text_dataset_from_directory` reads them (issue 21 item
10): the plain `<root>/<class>/*.txt` layout with a README beside the class folders, and
`train/` with or without `test/`."""

from dlbook.data import DatasetNotFoundError, load_text

import numpy as np
import pytest


def write_texts(root, count=10, classes=("neg", "pos")):
    """``count`` texts per class folder; each text starts with its class."""
    for name in classes:
        (root / name).mkdir(parents=True, exist_ok=True)
        for n in range(count):
            (root / name / f"{n}.txt").write_text(f"{name} text number {n}")
    return root


def texts_and_labels(data, split):
    pairs = [(text.decode(), label) for text, label in split.unbatch().as_numpy_iterator()]
    for text, label in pairs:
        assert text.startswith(data.class_names[label])
    return pairs


def test_plain_class_folders_beside_a_readme_are_read(tmp_path, capsys):
    """Only `<root>/train/` + `<root>/test/` was accepted: this layout was refused."""
    root = write_texts(tmp_path / "opinions")
    (root / "README.md").write_text("collected in 2024")
    (root / "LICENSE").write_text("CC-BY")
    (root / "neg" / "deeper").mkdir()
    (root / "neg" / "deeper" / "extra.txt").write_text("neg text from a sub-folder")
    (root / "images").mkdir()
    (root / "images" / "cover.png").write_bytes(b"not a text")
    data = load_text(str(root), validation_fraction=0, seed=3)
    assert data.class_names == ["neg", "pos"] and (data.num_train, data.num_test) == (17, 4)
    test = texts_and_labels(data, data.test)
    assert np.bincount([label for _, label in test]).tolist() == [2, 2]
    assert len({text for text, _ in texts_and_labels(data, data.train) + test}) == 21
    assert capsys.readouterr().out.splitlines()[0] == (
        "opinions: 17 training and 4 test texts of 2 classes (neg, pos); test: a stratified 20% "
        "of each class; left out LICENSE, README.md, images/")


def test_train_without_test_holds_out_a_stratified_share_and_says_so(tmp_path, capsys):
    write_texts(tmp_path / "set" / "train")
    write_texts(tmp_path / "set" / "train" / "unsup", classes=("x",))
    data = load_text(str(tmp_path / "set"), validation_fraction=0)
    assert (data.num_train, data.num_test) == (16, 4)
    assert ("test: a stratified 20% of each class (no test/ folder); left out train/unsup/"
            in capsys.readouterr().out)


def test_a_folder_of_fewer_than_two_classes_is_refused_with_the_layouts(tmp_path):
    write_texts(tmp_path / "one", classes=("pos",))
    with pytest.raises(DatasetNotFoundError, match=r"expected one folder of .txt files per "
                                                   r"class, at least two, as <root>/<class>/\*.txt"
                                                   r".*found class folders \['pos'\]"):
        load_text(str(tmp_path / "one"))
