"""Text classification data for the LSTM / GRU classifier: IMDB reviews, a folder of text files
in the aclImdb layout, or a two-column label/text file such as the SMS Spam Collection.

Every source gives batches of ``(tf.string [B], int32 [B])``. Class names are sorted and label
``i`` is ``class_names[i]``: for neg/pos reviews pos = 1, for ham/spam messages spam = 1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import keras
import numpy as np

from dlbook import config
from dlbook.data.download import is_reachable
from dlbook.data.errors import CorruptFileError, DatasetNotFoundError
from dlbook.data.pipeline import DataSplits, Split, stratified_split, train_validation_test

IMDB_URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
LAYOUT = "<root>/train/<class>/*.txt and <root>/test/<class>/*.txt"
"""The folder layout of the aclImdb archive; ``train/unsup`` (unlabelled reviews) is ignored."""


class TextData(DataSplits):
    """Train / validation / test pipelines of ``(tf.string [B], int32 [B])`` batches."""


def class_folders(root: Path) -> list[str]:
    """The sorted class folder names shared by ``root/train`` and ``root/test``."""
    def classes(split: Path) -> list[str]:
        return sorted(folder.name for folder in split.glob("*")
                      if folder.is_dir() and folder.name != "unsup" and any(folder.glob("*.txt")))

    train, test = classes(root / "train"), classes(root / "test")
    if not train or train != test:
        raise DatasetNotFoundError(
            f"{root}: expected text files in the layout {LAYOUT}, with the same class folders "
            f"in train/ and test/; found class folders train: {train}, test: {test}"
        )
    return train


def read_folder(root: Path) -> tuple[Split, Split, list[str]]:
    """Both splits of a folder in the aclImdb layout, read by Keras, one class after another."""
    class_names = class_folders(root)

    def read(split: str) -> Split:
        files = keras.utils.text_dataset_from_directory(
            root / split, class_names=class_names, batch_size=1024, shuffle=False, verbose=False)
        texts, labels = zip(*files.as_numpy_iterator(), strict=True)
        return np.concatenate(texts), np.concatenate(labels).astype(np.int32)

    return read("train"), read("test"), class_names


def read_rows(path: Path) -> list[tuple[str, str]]:
    """The ``(label, text)`` rows of a TSV or CSV file, its header line dropped if it has one.

    Tab-separated if the first line has a tab, else comma-separated; the first line is a header
    when its label appears on no other line (``Label<TAB>SMS``, ``label,text``).
    """
    with path.open(encoding="utf-8", errors="replace", newline="") as file:
        tab = "\t" in file.readline()
        file.seek(0)
        delimiter = "\t" if tab else ","
        reader = csv.reader(file, delimiter=delimiter,
                            quoting=csv.QUOTE_NONE if tab else csv.QUOTE_MINIMAL)
        rows = []
        for fields in reader:
            while fields and not fields[-1].strip():
                fields.pop()
            if not fields:
                continue
            if len(fields) < 2:
                raise CorruptFileError(f"{path}, line {reader.line_num}: expected "
                                       f"label{delimiter!r}text, got {fields[0][:60]!r}")
            rows.append((fields[0].strip(), delimiter.join(fields[1:])))
    if rows and sum(label == rows[0][0] for label, _ in rows) == 1:
        rows = rows[1:]
    return rows


def read_table(path: Path, test_fraction: float, seed: int) -> tuple[Split, Split, list[str]]:
    """A label/text file split into train and test by a seeded stratified split."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction}: expected a fraction between 0 and 1")
    rows = read_rows(path)
    class_names = sorted({label for label, _ in rows})
    if len(class_names) < 2:
        raise CorruptFileError(f"{path}: expected label/text rows of at least two classes, "
                               f"found {len(rows)} rows with labels {class_names}")
    texts = np.array([text for _, text in rows], dtype=object)
    labels = np.searchsorted(class_names, [label for label, _ in rows]).astype(np.int32)
    is_test = stratified_split(labels, test_fraction, seed)
    return (texts[~is_test], labels[~is_test]), (texts[is_test], labels[is_test]), class_names


def imdb_builder(data_dir: str | Path | None = None, download: bool = True):
    """The tensorflow_datasets builder of ``imdb_reviews``, downloaded and prepared if need be
    (None if it is not prepared and ``download`` is False)."""
    import tensorflow_datasets as tfds

    root = Path(data_dir or config.data_dir())
    tfds_dir = root / "tensorflow_datasets"
    if (tfds_dir / "imdb_reviews").is_dir():
        builder = tfds.builder("imdb_reviews", data_dir=tfds_dir)
        if builder.is_prepared():
            return builder
    if not download:
        return None
    if not is_reachable(IMDB_URL):
        raise DatasetNotFoundError(
            f"imdb: {root / 'aclImdb'} does not exist and {IMDB_URL} cannot be reached. "
            f"Unpack aclImdb_v1.tar.gz into {root}/ (the layout {LAYOUT}), or pass "
            f"load_text the folder or a label/text file of your own."
        )
    builder = tfds.builder("imdb_reviews", data_dir=tfds_dir)
    builder.download_and_prepare()
    return builder


def locate_imdb(data_dir: str | Path | None = None) -> Path | None:
    """Where IMDB is on disk: the ``aclImdb`` folder, or the prepared tensorflow_datasets copy."""
    folder = Path(data_dir or config.data_dir()) / "aclImdb"
    if folder.is_dir():
        return folder
    prepared = imdb_builder(data_dir, download=False)
    return Path(prepared.data_dir) if prepared else None


def read_imdb(data_dir: str | Path | None = None) -> tuple[Split, Split, list[str], str]:
    """IMDB reviews from ``<data_dir>/aclImdb/`` if it is there, else from tensorflow_datasets."""
    import tensorflow_datasets as tfds

    folder = Path(data_dir or config.data_dir()) / "aclImdb"
    if folder.is_dir():
        return (*read_folder(folder), str(folder))
    builder = imdb_builder(data_dir)
    train, test = (tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1, as_supervised=True))
                   for split in ("train", "test"))
    splits = [(texts.astype(object), labels.astype(np.int32)) for texts, labels in (train, test)]
    return (*splits, builder.info.features["label"].names, str(builder.data_dir))


def read_source(source: str, test_fraction: float, seed: int,
                data_dir: str | Path | None) -> tuple[str, Split, Split, list[str], str]:
    """``(name, train, test, class_names, where)`` of ``imdb``, a folder or a label/text file."""
    if source == "imdb":
        return ("imdb", *read_imdb(data_dir))
    path = Path(source).expanduser()
    if path.is_dir():
        return (path.name, *read_folder(path), str(path))
    if path.is_file():
        return (path.stem, *read_table(path, test_fraction, seed), str(path))
    if len(path.parts) > 1 or path.suffix:
        raise DatasetNotFoundError(f"{path}: no such folder or file")
    raise ValueError(f"unknown text dataset {source!r}; known: 'imdb', a folder in the layout "
                     f"{LAYOUT}, or a label/text file (TSV or CSV)")


def shuffled(split: Split, limit: int | None, rng: np.random.Generator) -> Split:
    """The split in a random order (folders list one class after another), cut to ``limit``."""
    order = rng.permutation(len(split[0]))[:limit]
    return split[0][order], split[1][order]


def load_text(source: str, batch_size: int = 32, validation_fraction: float = 0.1,
              test_fraction: float = 0.2, limit: int | None = None, seed: int = 0,
              data_dir: str | Path | None = None) -> TextData:
    """A text classification dataset as batched ``tf.data`` pipelines.

    ``source`` is ``"imdb"`` (``<data_dir>/aclImdb/``, else tensorflow_datasets), a folder in the
    aclImdb layout, or a two-column label/text file, whose ``test_fraction`` of each class
    becomes the test set. ``limit`` keeps that many random examples of each split; the last
    ``validation_fraction`` of the training examples (at most 5,000) become the validation set.
    """
    name, train, test, class_names, where = read_source(source, test_fraction, seed, data_dir)
    rng = np.random.default_rng(seed)
    train, test = shuffled(train, limit, rng), shuffled(test, limit, rng)
    return TextData(name=name, class_names=list(class_names), source=where,
                    **train_validation_test(name, train, test, batch_size, validation_fraction,
                                            seed))
