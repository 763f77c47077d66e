"""Text classification data for the recurrent classifier of section 5: IMDB reviews, a folder of
text files in the aclImdb layout, a table of labelled texts (CSV or TSV) such as the SMS Spam
Collection, or the synthetic sentiment task of `dlbook.data.sentiment`.

Every source gives batches of ``(tf.string [B], int32 [B])``. Class names are sorted and label
``i`` is ``class_names[i]``: for neg/pos reviews pos = 1, for ham/spam messages spam = 1.

A table is read by what its columns hold, not by their position: the label and the text column
are found by their header (any case: label, sentiment, class, category, target; text, review,
sentence, message, sms) or, without a header, by their content (few distinct short values; long
varied texts), or named with ``label_column`` / ``text_column``. Other columns are ignored. What
cannot be a labelled text is refused before any training, with the counts: a label column with
more than `MAX_CLASSES` values or mostly unique ones, a class of fewer than 2 texts, an empty
split, text that is not in the file's encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dlbook import config
from dlbook.data.download import is_reachable
from dlbook.data.errors import (
    CorruptFileError,
    DatasetNotFoundError,
    InvalidDataError,
    UnknownDatasetError,
)
from dlbook.data.pipeline import DataSplits, Split, stratified_split, train_validation_test
from dlbook.data.sentiment import read_sentiment

import keras
import numpy as np

IMDB_URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
LAYOUT = "<root>/train/<class>/*.txt and <root>/test/<class>/*.txt"
"""The folder layout of the aclImdb archive; ``train/unsup`` (unlabelled reviews) is ignored."""

LABEL_HEADERS = ("label", "sentiment", "class", "category", "target")
TEXT_HEADERS = ("text", "review", "sentence", "message", "sms")
"""Header names that mark the label and the text column, in order of preference."""

MAX_CLASSES = 100
"""More distinct labels than this and the label column is taken for text, and refused."""

SYNTHETIC = "synthetic"
"""The name of `dlbook.data.sentiment`'s task, the offline fallback of ``auto``."""


class TextData(DataSplits):
    """Train / validation / test pipelines of ``(tf.string [B], int32 [B])`` batches."""


# -- IMDB and folders in its layout

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
            f"--dataset {SYNTHETIC} (generated here), a folder or a CSV/TSV file of your own."
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
    (``--data-dir``), ``auto`` is the IMDB in that folder, or an error: never another dataset.

    Any other name is returned as is.
    """
    if name != "auto":
        return name
    if data_dir is not None:
        if (found := locate_imdb(data_dir)) is None:
            raise DatasetNotFoundError(
                f"--dataset auto: --data-dir {data_dir} holds no IMDB (an aclImdb/ folder in the "
                f"layout {LAYOUT}, or tensorflow_datasets/imdb_reviews/); put it there, or leave "
                f"out --data-dir"
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

@dataclass(frozen=True)
class Table:
    """The rows of a CSV/TSV file as read (a row may be shorter than others), its header apart."""

    path: Path
    rows: list[list[str]]
    lines: list[int]
    """The line of the file where each row starts."""
    header: list[str] | None

    @property
    def width(self) -> int:
        """The number of columns: the length of the longest row or of the header."""
        return max(len(fields) for fields in [*self.rows, self.header or []])

    def column_name(self, index: int) -> str:
        """``column 2 ('review')``, or ``column 2`` without a header."""
        name = (f" ({self.header[index].strip()!r})"
                if self.header and index < len(self.header) else "")
        return f"column {index + 1}{name}"

    def column(self, index: int) -> list[str]:
        """The column's values, "" for rows that end before it."""
        return [row[index] if index < len(row) else "" for row in self.rows]


def decode(path: Path, encoding: str) -> str:
    """The file's text; bytes that are not ``encoding`` name the line and the ``--encoding`` flag.

    UTF-8 files may start with a byte-order mark (as Excel writes them); it is dropped.
    """
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError as error:
        raise InvalidDataError(f"--encoding {encoding}: no such text encoding; e.g. utf-8, "
                               "latin-1, cp1252") from error
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InvalidDataError(
            f"{path}, line {line}: byte 0x{data[error.start]:02x} is not {error.encoding} text; "
            f"pass the file's encoding with --encoding (e.g. --encoding latin-1 or cp1252)"
        ) from error


def parse(text: str, delimiter: str, quoted: bool) -> tuple[list[list[str]], list[int]]:
    """The non-blank rows of ``text`` and the line each starts on. ``quoted``: CSV quoting, a
    field in double quotes may hold delimiters, newlines and doubled quotes (a malformed quote
    raises ``csv.Error``); else every line is a row, its quotes kept as written."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True,
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    rows, lines, line = [], [], 0
    for fields in reader:
        if any(field.strip() for field in fields):
            rows.append(fields)
            lines.append(line + 1)
        line = reader.line_num
    return rows, lines


def read_table_rows(path: Path, encoding: str = "utf-8") -> tuple[list[list[str]], list[int]]:
    """The rows of a CSV (comma) or TSV (a tab in the first line) file.

    Fields in double quotes may span lines. A TSV file whose quotes do not follow CSV quoting,
    as in the SMS Spam Collection, whose messages hold stray quotes, is read one row per line:
    when quoting fails there, or would merge lines that each hold as many fields as the others.
    """
    text = decode(path, encoding)
    delimiter = "\t" if "\t" in text.partition("\n")[0] else ","
    try:
        rows, lines = parse(text, delimiter, quoted=True)
    except csv.Error as error:
        if delimiter == ",":
            raise CorruptFileError(f"{path}, line {error_line(text, delimiter)}: {error} (CSV "
                                   "quoting: a quoted field ends with a quote followed by a "
                                   "comma or the line's end; quotes inside it are doubled)"
                                   ) from error
        rows, lines = None, []
    if delimiter == "\t":
        line_rows, line_numbers = parse(text, delimiter, quoted=False)
        if rows is None or (len(line_rows) > len(rows)
                            and len({len(fields) for fields in line_rows}) == 1):
            rows, lines = line_rows, line_numbers
    return rows, lines


def error_line(text: str, delimiter: str) -> int:
    """The line on which strict CSV parsing of ``text`` fails."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return reader.line_num
    return 0


def read_table(path: Path, encoding: str = "utf-8", label_column: str | None = None,
               text_column: str | None = None) -> Table:
    """The file's rows, with its first row taken as a header when it holds a known column name
    (`LABEL_HEADERS`, `TEXT_HEADERS`) or a name given as ``label_column`` / ``text_column``.
    A row with values beyond the header's columns (without a header: beyond the width of most
    rows) is refused: its text was cut at an unquoted delimiter."""
    rows, lines = read_table_rows(path, encoding)
    names = {*LABEL_HEADERS, *TEXT_HEADERS,
             *(name.strip().lower() for name in (label_column, text_column)
               if name and not name.strip().isdigit())}
    if rows and any(field.strip().lower() in names for field in rows[0]):
        rows, lines, header = rows[1:], lines[1:], rows[0]
    else:
        header = None
    if not rows:
        raise InvalidDataError(f"{path}: no rows of data; expected a label and a text on each "
                               "line")
    widths = [len(row) - next((i for i, field in enumerate(reversed(row)) if field.strip()),
                              len(row)) for row in rows]  # trailing empty fields not counted
    columns = len(header) if header else Counter(widths).most_common(1)[0][0]
    if longer := [(line, width) for width, line in zip(widths, lines, strict=True)
                  if width > columns]:
        (line, fields), *others = longer
        named = (f"the header names {columns} columns" if header else
                 f"most rows have {columns}")
        raise CorruptFileError(
            f"{path}, line {line}: {fields} fields, but {named} ({len(others)} more such "
            f"rows); a text that holds the delimiter must be in double quotes "
            f'("like, this"), or it is cut into columns')
    return Table(path, rows, lines, header)


def named_column(table: Table, name: str, flag: str) -> int:
    """The index of the column ``name`` (a header name in any case, or a number from 1)."""
    if name.strip().isdigit():
        if not 1 <= int(name) <= table.width:
            raise InvalidDataError(f"{table.path}: {flag} {name}, but the file has "
                                   f"{table.width} columns (numbered from 1)")
        return int(name) - 1
    header = [field.strip().lower() for field in table.header or []]
    if name.strip().lower() not in header:
        raise InvalidDataError(f"{table.path}: {flag} {name}: no such column; the header is "
                               f"{table.header}" if table.header else
                               f"{table.path}: {flag} {name}: the file has no header; give the "
                               f"column's number (from 1) instead")
    return header.index(name.strip().lower())


def by_header(table: Table, known: tuple[str, ...]) -> int | None:
    """The column whose header is the first of the ``known`` names the header holds."""
    header = [field.strip().lower() for field in table.header or []]
    return next((header.index(name) for name in known if name in header), None)


def mean_length(values: list[str]) -> float:
    """The mean number of characters of the values."""
    return sum(map(len, values)) / len(values)


def choose_columns(table: Table, label_column: str | None = None,
                   text_column: str | None = None) -> tuple[int, int, str]:
    """The label and the text column, and one line saying how each was found.

    Given names (``--label-column``, ``--text-column``) first, then header names; what is still
    missing by content among the non-empty columns: the labels are the column of the fewest
    distinct values (but at least two), the texts the column of the longest values on average.
    """
    found: dict[str, tuple[int, str]] = {}
    for role, given, flag, known in (("label", label_column, "--label-column", LABEL_HEADERS),
                                     ("text", text_column, "--text-column", TEXT_HEADERS)):
        if given:
            found[role] = named_column(table, given, flag), f"by {flag}"
        elif (index := by_header(table, known)) is not None:
            found[role] = index, "by its header"
    filled = [index for index in range(table.width)
              if any(value.strip() for value in table.column(index))]
    free = [index for index in filled if index not in {index for index, _ in found.values()}]
    if "label" not in found and free:
        label = min(free, key=lambda index: (len(set(table.column(index))) < 2,
                                              len(set(table.column(index))),
                                              mean_length(table.column(index))))
        found["label"] = label, "by content: the fewest distinct values"
        free.remove(label)
    if "text" not in found and free:
        text = max(free, key=lambda index: mean_length(table.column(index)))
        found["text"] = text, "by content: the longest values"
    if len(found) < 2:
        raise InvalidDataError(f"{table.path}: {len(filled)} of its {table.width} column(s) "
                               "hold values; expected a label column and a text column")
    (label, how_label), (text, how_text) = found["label"], found["text"]
    if label == text:
        raise InvalidDataError(f"{table.path}: the label and the text column are both "
                               f"{table.column_name(label)}; name two different columns")
    if short := [(line, len(row)) for row, line in zip(table.rows, table.lines, strict=True)
                 if len(row) <= max(label, text)]:
        (line, fields), *others = short
        raise CorruptFileError(
            f"{table.path}, line {line}: {fields} field(s), but the labels are in "
            f"{table.column_name(label)} and the texts in {table.column_name(text)} "
            f"({len(others)} more such row(s)); expected a label and a text on every row")
    return label, text, (f"{table.path.name}: labels from {table.column_name(label)}, "
                         f"{how_label}; texts from {table.column_name(text)}, {how_text}")


def check_labels(table: Table, label: int) -> list[str]:
    """The column's labels, stripped, unless they cannot be classes: an empty one (its line
    named), more than `MAX_CLASSES` distinct values or mostly unique ones (text, not labels),
    a class of fewer than 2 rows."""
    labels = [value.strip() for value in table.column(label)]
    if "" in labels:
        line = table.lines[labels.index("")]
        raise InvalidDataError(f"{table.path}, line {line}: no label in "
                               f"{table.column_name(label)}; fill it in or delete the row")
    counts = Counter(labels)
    unique = sum(count == 1 for count in counts.values())
    if len(counts) > MAX_CLASSES or 2 * unique > len(labels):
        raise InvalidDataError(
            f"{table.path}: {table.column_name(label)} looks like text, not labels: "
            f"{len(counts):,} distinct values in {len(labels):,} rows, {unique:,} of them "
            f"unique (labels are at most {MAX_CLASSES} classes, most repeated); name the label "
            "column with --label-column")
    if len(counts) < 2:
        raise InvalidDataError(f"{table.path}: all {len(labels):,} rows have the label "
                               f"{labels[0]!r}; a classifier needs at least two classes")
    rare = sorted((count, name) for name, count in counts.items() if count < 2)
    if rare:
        line = table.lines[labels.index(rare[0][1])]
        header_hint = (f" If line {line} is a header, name the columns with --label-column and "
                       "--text-column." if line == 1 else "")
        raise InvalidDataError(
            f"{table.path}: {len(rare)} class(es) with fewer than 2 of the {len(labels):,} "
            f"rows, e.g. {rare[0][1]!r} (line {line}); every class needs at least 2, one to "
            f"train on and one to test.{header_hint}")
    return labels


def read_labelled_texts(path: Path, test_fraction: float, seed: int, encoding: str = "utf-8",
                        label_column: str | None = None, text_column: str | None = None
                        ) -> tuple[Split, Split, list[str]]:
    """A table of labelled texts split into train and test by a seeded stratified split.

    Prints which columns hold the labels and the texts, and how they were found.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction}: expected a fraction between 0 and 1")
    table = read_table(path, encoding, label_column, text_column)
    label, text, how = choose_columns(table, label_column, text_column)
    print(how)
    labels = check_labels(table, label)
    class_names = sorted(set(labels))
    texts = np.array(table.column(text), dtype=object)
    targets = np.searchsorted(class_names, labels).astype(np.int32)
    is_test = stratified_split(targets, test_fraction, seed)
    if not is_test.any():
        raise InvalidDataError(
            f"{path}: the test split would be empty: {test_fraction:.0%} of each class of "
            f"{len(labels)} rows ({dict(Counter(labels))}) rounds to 0 texts; add rows")
    return (texts[~is_test], targets[~is_test]), (texts[is_test], targets[is_test]), class_names


# -- every source

def read_source(source: str, test_fraction: float, seed: int, data_dir: str | Path | None,
                encoding: str = "utf-8", label_column: str | None = None,
                text_column: str | None = None) -> tuple[str, Split, Split, list[str], str]:
    """``(name, train, test, class_names, where)`` of a dataset name, folder or table."""
    source = resolve_text_dataset(source, data_dir)
    if source == "imdb":
        return ("imdb", *read_imdb(data_dir))
    if data_dir is not None:
        raise InvalidDataError(f"--data-dir {data_dir} is for the files of imdb; {source} does "
                               "not read it: leave out one or the other")
    if source == SYNTHETIC:
        return (SYNTHETIC, *read_sentiment(), "dlbook.data.sentiment (generated)")
    path = Path(source).expanduser()
    if path.is_dir():
        return (path.name, *read_folder(path), str(path))
    if path.is_file():
        return (path.stem, *read_labelled_texts(path, test_fraction, seed, encoding,
                                                label_column, text_column), str(path))
    if len(path.parts) > 1 or path.suffix:
        raise DatasetNotFoundError(f"{path}: no such folder or file")
    image = (" is an image dataset;" if source.lower().replace("-", "_")
             in ("mnist", "fashion_mnist") else ";")
    raise UnknownDatasetError(f"unknown text dataset {source!r}{image} known: auto, imdb, "
                              f"{SYNTHETIC}, a folder in the layout {LAYOUT}, or a CSV/TSV file "
                              "of labelled texts")


def shuffled(split: Split, limit: int | None, rng: np.random.Generator) -> Split:
    """The split in a random order (folders list one class after another), cut to ``limit``."""
    order = rng.permutation(len(split[0]))[:limit]
    return split[0][order], split[1][order]


def load_text(source: str = "auto", batch_size: int = 32, validation_fraction: float = 0.1,
              test_fraction: float = 0.2, limit: int | None = None, seed: int = 0,
              data_dir: str | Path | None = None, encoding: str = "utf-8",
              label_column: str | None = None, text_column: str | None = None) -> TextData:
    """A text classification dataset as batched ``tf.data`` pipelines.

    ``source`` is ``"auto"`` (`resolve_text_dataset`), ``"imdb"`` (``<data_dir>/aclImdb/``,
    else tensorflow_datasets), ``"synthetic"`` (`dlbook.data.sentiment`), a folder in the
    aclImdb layout, or a CSV/TSV table of labelled texts, read as the module says (its
    ``encoding``; ``label_column`` / ``text_column`` by header name or number from 1), whose
    ``test_fraction`` of each class becomes the test set. ``limit`` keeps that many random
    examples of each split; the last ``validation_fraction`` of the training examples (at most
    5,000) become the validation set.
    """
    name, train, test, class_names, where = read_source(
        source, test_fraction, seed, data_dir, encoding, label_column, text_column)
    rng = np.random.default_rng(seed)
    train, test = shuffled(train, limit, rng), shuffled(test, limit, rng)
    return TextData(name=name, class_names=list(class_names), source=where,
                    **train_validation_test(name, train, test, batch_size, validation_fraction,
                                            seed))
