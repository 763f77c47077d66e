"""Text classification data for the recurrent classifier of section 5: IMDB reviews, a folder of
text files, a table of labelled texts (CSV, TSV... such as the SMS Spam Collection, read by
`dlbook.data.tables`), or the synthetic sentiment task of `dlbook.data.sentiment`.

Every source gives batches of ``(tf.string [B], int32 [B])``. Class names are sorted and label
``i`` is ``class_names[i]``: for neg/pos reviews pos = 1, for ham/spam messages spam = 1.

A folder is read as ``keras.utils.text_dataset_from_directory`` reads it, the ``.txt`` files of
each class folder (sub-folders too), in one of two layouts:

* ``<root>/<class>/*.txt``: a seeded, stratified ``test_fraction`` of each class is the test set;
* ``<root>/train/<class>/*.txt`` and ``<root>/test/<class>/*.txt``, as the aclImdb archive has
  them (its ``train/unsup``, unlabelled reviews, is left out); without ``test/``, as above.

Files beside the class folders (a README) and folders without text files are left out, and the
line printed names them. ``limit`` is `dlbook.data.pipeline`'s: at most that many examples of
each split, a seeded draw stratified by class.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from dlbook import config
from dlbook.data.download import is_reachable
from dlbook.data.errors import DatasetNotFoundError, InvalidDataError, UnknownDatasetError
from dlbook.data.pipeline import (
    DataSplits,
    Split,
    stratified_split,
    subset,
    train_validation_test,
)
from dlbook.data.sentiment import read_sentiment
from dlbook.data.tables import read_labelled_texts

import keras
import numpy as np

IMDB_URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
LAYOUT = "<root>/train/<class>/*.txt and <root>/test/<class>/*.txt"
"""The folder layout of the aclImdb archive; ``train/unsup`` (unlabelled reviews) is ignored."""
LAYOUTS = f"<root>/<class>/*.txt, or {LAYOUT}"

TEST_FRACTION = 0.2

SYNTHETIC = "synthetic"
"""The name of `dlbook.data.sentiment`'s task, the offline fallback of ``auto``."""


class TextData(DataSplits):
    """Train / validation / test pipelines of ``(tf.string [B], int32 [B])`` batches."""


# -- folders of text files

def class_folders(split: Path, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The sorted names of ``split``'s visible sub-folders that hold ``.txt`` files (at any
    depth), except ``leave_out``."""
    return sorted(folder.name for folder in split.iterdir()
                  if folder.is_dir() and not folder.name.startswith(".")
                  and folder.name not in leave_out and next(folder.rglob("*.txt"), None))


def left_out(folder: Path, class_names: list[str]) -> list[str]:
    """What a read of ``folder`` leaves out: its visible entries that are no class folder."""
    return [f"{entry.name}{'/' if entry.is_dir() else ''}" for entry in sorted(folder.iterdir())
            if entry.name not in class_names and not entry.name.startswith(".")]


def read_texts(split: Path, class_names: list[str]) -> Split:
    """The texts of ``split``'s class folders, read by Keras, one class after another."""
    files = keras.utils.text_dataset_from_directory(
        split, class_names=class_names, batch_size=1024, shuffle=False, verbose=False)
    texts, labels = zip(*files.as_numpy_iterator(), strict=True)
    return np.concatenate(texts).astype(object), np.concatenate(labels).astype(np.int32)


def folder_splits(root: Path) -> tuple[Path, Path | None, tuple[str, ...]]:
    """``(train, test, left_out)``: ``root/train`` and ``root/test`` (None if missing) with
    ``unsup`` left out, or ``root`` itself and no test folder."""
    if (root / "train").is_dir():
        test = root / "test"
        return root / "train", test if test.is_dir() else None, ("unsup",)
    return root, None, ()


def read_folder(root: Path, test_fraction: float = TEST_FRACTION, seed: int = 0
                ) -> tuple[Split, Split, list[str]]:
    """Both splits of a folder of text files in either layout (see the module docstring); one
    printed line says what was read and left out."""
    train_dir, test_dir, leave_out = folder_splits(root)
    class_names = class_folders(train_dir, leave_out)
    test_names = class_folders(test_dir, leave_out) if test_dir else class_names
    if len(class_names) < 2 or test_names != class_names:
        found = (f"train/: {class_names}, test/: {test_names}" if test_dir else
                 f"{class_names or 'none'}")
        raise DatasetNotFoundError(
            f"{root}: expected one folder of .txt files per class, at least two, as {LAYOUTS} "
            f"(the same class folders in train/ and test/); found class folders {found}")
    train = read_texts(train_dir, class_names)
    if test_dir:
        test, how = read_texts(test_dir, class_names), "test: the test/ folder"
    else:
        is_test = stratified_split(train[1], test_fraction, seed)
        train, test = (train[0][~is_test], train[1][~is_test]), (train[0][is_test],
                                                                   train[1][is_test])
        how = f"test: a stratified {test_fraction:.0%} of each class" + (
            " (no test/ folder)" if train_dir != root else "")
    skipped = [*left_out(root, ["train", "test"] if train_dir != root else class_names),
               *(f"train/{name}/" for name in leave_out if (train_dir / name).is_dir())]
    print(f"{root.name}: {len(train[0]):,} training and {len(test[0]):,} test texts of "
          f"{len(class_names)} classes ({', '.join(class_names)}); {how}"
          + (f"; left out {', '.join(skipped)}" if skipped else ""))
    return train, test, class_names


# -- IMDB

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
            f"dataset={SYNTHETIC} (generated here), a folder or a CSV/TSV file of your own."
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


def resolve_text_dataset(name: str, data_dir: str | Path | None = None) -> str:
    """The dataset to use: ``auto`` is IMDB when it is on disk or can be downloaded, else the
    synthetic sentiment task, and one line says which and why. With ``data_dir``
    ``auto`` is the IMDB in that folder, or an error: never another dataset.

    Any other name is returned as is.
    """
    if name != "auto":
        return name
    if data_dir is not None:
        if (found := locate_imdb(data_dir)) is None:
            raise DatasetNotFoundError(
                f"dataset=auto: data_dir={data_dir} holds no IMDB (an aclImdb/ folder in the "
                f"layout {LAYOUT}, or tensorflow_datasets/imdb_reviews/); put it there, or leave "
                f"out data_dir="
            )
        choice, reason = "imdb", f"IMDB is in {found}"
    elif found := locate_imdb():
        choice, reason = "imdb", f"IMDB is on disk in {found}"
    elif is_reachable(IMDB_URL):
        choice, reason = "imdb", f"IMDB can be downloaded from {IMDB_URL}"
    else:
        choice = SYNTHETIC
        reason = (f"IMDB is not in {config.data_dir()} and {IMDB_URL} cannot be reached; a "
                  f"generated task whose labels need word order")
    print(f"dataset auto -> {choice} ({reason})")
    return choice


# -- tables of labelled texts

def read_table(path: Path, test_fraction: float, seed: int, encoding: str = "utf-8",
               label_column: str | None = None, text_column: str | None = None
               ) -> tuple[Split, Split, list[str]]:
    """A table of labelled texts (`dlbook.data.tables`) split into train and test by a seeded
    stratified split."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction}: expected a fraction between 0 and 1")
    texts, labels = read_labelled_texts(path, encoding, label_column, text_column)
    class_names = sorted(set(labels))
    texts = np.array(texts, dtype=object)
    targets = np.searchsorted(class_names, labels).astype(np.int32)
    is_test = stratified_split(targets, test_fraction, seed)
    if not is_test.any():
        raise InvalidDataError(
            f"{path}: the test split would be empty: {test_fraction:.0%} of each class of "
            f"{len(labels)} rows ({dict(Counter(labels))}) rounds to 0 texts; add rows")
    return (texts[~is_test], targets[~is_test]), (texts[is_test], targets[is_test]), class_names


# -- every source

def read_source(dataset: str, test_fraction: float, seed: int, data_dir: str | Path | None,
                encoding: str = "utf-8", label_column: str | None = None,
                text_column: str | None = None) -> tuple[str, Split, Split, list[str], str]:
    """``(name, train, test, class_names, where)`` of a dataset name, folder or table."""
    dataset = resolve_text_dataset(dataset, data_dir)
    if dataset == "imdb":
        return ("imdb", *read_imdb(data_dir))
    if data_dir is not None:
        raise InvalidDataError(f"data_dir={data_dir} is for the files of imdb; dataset={dataset} "
                               "does not read it: leave out one or the other")
    if dataset == SYNTHETIC:
        return (SYNTHETIC, *read_sentiment(), "dlbook.data.sentiment (generated)")
    path = Path(dataset).expanduser()
    if path.is_dir():
        return (path.name, *read_folder(path, test_fraction, seed), str(path))
    if path.is_file():
        return (path.stem, *read_table(path, test_fraction, seed, encoding, label_column,
                                       text_column), str(path))
    if len(path.parts) > 1 or path.suffix:
        raise DatasetNotFoundError(f"dataset={path}: no such folder or file")
    image = (" is an image dataset;" if dataset.lower().replace("-", "_")
             in ("mnist", "fashion_mnist") else ";")
    raise UnknownDatasetError(f"unknown text dataset {dataset!r}{image} known: auto, imdb, "
                              f"{SYNTHETIC}, a folder ({LAYOUTS}), or a CSV/TSV file of "
                              "labelled texts")


def load_text(dataset: str = "auto", batch_size: int = 32, validation_fraction: float = 0.1,
              test_fraction: float = TEST_FRACTION, limit: int | None = None, seed: int = 0,
              data_dir: str | Path | None = None, encoding: str = "utf-8",
              label_column: str | None = None, text_column: str | None = None) -> TextData:
    """A text classification dataset as batched ``tf.data`` pipelines.

    ``dataset`` is ``"auto"`` (`resolve_text_dataset`), ``"imdb"`` (``<data_dir>/aclImdb/``,
    else tensorflow_datasets), ``"synthetic"`` (`dlbook.data.sentiment`), a folder of text files
    (see the module docstring), or a table of labelled texts read by `dlbook.data.tables` (its
    ``encoding``; ``label_column`` / ``text_column`` by header name or number from 1). A folder
    without ``test/`` and a table give ``test_fraction`` of each class to the test set.
    ``limit`` keeps at most ``limit`` examples of each split, drawn with ``seed`` and stratified
    by class. Each split is put in a random order (folders list one class after another), and
    the last ``validation_fraction`` of the training examples (at most 5,000) become the
    validation set.
    """
    name, train, test, class_names, where = read_source(
        dataset, test_fraction, seed, data_dir, encoding, label_column, text_column)
    rng = np.random.default_rng(seed)
    train, test = (shuffled(subset(split, limit, seed), rng) for split in (train, test))
    return TextData(name=name, class_names=list(class_names), source=where,
                    **train_validation_test(name, train, test, batch_size, validation_fraction,
                                            seed))


def shuffled(split: Split, rng: np.random.Generator) -> Split:
    """The split in a random order."""
    order = rng.permutation(len(split[0]))
    return split[0][order], split[1][order]
