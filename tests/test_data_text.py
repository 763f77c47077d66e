"""The text loaders on generated files: an aclImdb-layout folder, CSV and TSV tables read by
header or by content, the refusals (with their counts) and the offline choice of ``auto``."""

import csv

from dlbook.data import (
    CorruptFileError,
    DatasetNotFoundError,
    InvalidDataError,
    TextData,
    UnknownDatasetError,
    load_text,
    text,
)

import numpy as np
import pytest
import tensorflow as tf
from text_fixtures import SMS, write_imdb_csv, write_sms_tsv


def write_reviews(root):
    """An aclImdb-like folder; each review starts with its class, so labels can be checked."""
    for split, count in (("train", 6), ("test", 4)):
        for label in ("neg", "pos"):
            (root / split / label).mkdir(parents=True)
            for number in range(count):
                (root / split / label / f"{number}_7.txt").write_text(
                    f"{label} review {number}, a {split} example.<br />Fine.")
    (root / "train" / "unsup").mkdir()
    (root / "train" / "unsup" / "0_0.txt").write_text("unlabelled review")
    (root / "train" / "urls_pos.txt").write_text("http://example.com\n")
    return root


def collect(dataset):
    texts, labels = zip(*dataset.as_numpy_iterator(), strict=True)
    return [t.decode() for t in np.concatenate(texts)], np.concatenate(labels)


def every_text(data):
    """All texts and labels of the three splits."""
    splits = [collect(split) for split in (data.train, data.validation, data.test) if split]
    return [t for texts, _ in splits for t in texts], np.concatenate([y for _, y in splits])


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No IMDB on disk (an empty cache) and no network."""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(text, "is_reachable", lambda url: False)


def test_folder_in_the_aclimdb_layout(tmp_path):
    root = write_reviews(tmp_path / "aclImdb")
    data = load_text(str(root), batch_size=4, validation_fraction=0.2)
    assert isinstance(data, TextData) and data.name == "aclImdb" and data.source == str(root)
    assert data.class_names == ["neg", "pos"]
    assert (data.num_train, data.num_validation, data.num_test) == (10, 2, 8)
    assert data.train.element_spec == (tf.TensorSpec([None], tf.string),
                                       tf.TensorSpec([None], tf.int32))
    for split in (data.train, data.validation, data.test):
        texts, labels = collect(split)
        assert [data.class_names[label] for label in labels] == [t.split()[0] for t in texts]
    train_texts, _ = collect(data.train)
    assert all("test example" not in t and "unlabelled" not in t for t in train_texts)
    assert len({*train_texts, *collect(data.validation)[0]}) == 12


def test_imdb_reads_aclimdb_under_the_data_dir(tmp_path, monkeypatch):
    write_reviews(tmp_path / "aclImdb")
    monkeypatch.setattr(text, "is_reachable", lambda url: pytest.fail("probed the network"))
    data = load_text("imdb", limit=5, data_dir=tmp_path)
    assert data.name == "imdb" and data.source == str(tmp_path / "aclImdb")
    assert (data.num_train, data.num_test) == (5, 5)


def test_imdb_offline_names_the_layout_the_folder_and_the_synthetic_task(tmp_path, monkeypatch):
    monkeypatch.setattr(text, "is_reachable", lambda url: False)
    with pytest.raises(DatasetNotFoundError) as error:
        load_text("imdb", data_dir=tmp_path)
    message = str(error.value)
    assert str(tmp_path / "aclImdb") in message
    assert "<root>/train/<class>/*.txt and <root>/test/<class>/*.txt" in message
    assert "dataset=synthetic" in message


# -- auto: IMDB when it can be had, else the synthetic task (issue 10, point 8) ----------------

def test_auto_offline_takes_the_synthetic_task_and_says_why(offline, capsys):
    data = load_text("auto", limit=64)
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("dataset auto -> synthetic (IMDB is not in ")
    assert "cannot be reached" in line
    assert data.name == "synthetic" and data.class_names == ["negative", "positive"]
    assert data.num_train + data.num_validation == 64 and data.num_test == 64


def test_auto_takes_imdb_on_disk_without_probing_the_network(tmp_path, monkeypatch, capsys):
    write_reviews(tmp_path / "aclImdb")
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(text, "is_reachable", lambda url: pytest.fail("probed the network"))
    assert load_text("auto").name == "imdb"
    assert capsys.readouterr().out.startswith(
        f"dataset auto -> imdb (IMDB is on disk in {tmp_path / 'aclImdb'})")


def test_auto_takes_imdb_when_it_can_be_downloaded(offline, monkeypatch, capsys):
    monkeypatch.setattr(text, "is_reachable", lambda url: True)
    assert text.resolve_text_dataset("auto") == "imdb"
    assert "IMDB can be downloaded from http://ai.stanford.edu" in capsys.readouterr().out


def test_auto_with_a_data_dir_uses_that_folder_or_says_what_it_lacks(tmp_path, offline):
    with pytest.raises(DatasetNotFoundError, match="data_dir=.* holds no IMDB"):
        load_text("auto", data_dir=tmp_path)
    write_reviews(tmp_path / "aclImdb")
    assert load_text("auto", data_dir=tmp_path).source == str(tmp_path / "aclImdb")


def test_unknown_names_and_missing_paths(tmp_path):
    with pytest.raises(UnknownDatasetError, match="unknown text dataset 'sst2'; known: auto, imdb, "
                       "synthetic"):
        load_text("sst2")
    with pytest.raises(UnknownDatasetError, match="'fashion_mnist' is an image dataset"):
        load_text("fashion_mnist")
    with pytest.raises(DatasetNotFoundError, match="no such folder or file"):
        load_text(str(tmp_path / "missing.tsv"))


# -- tables by header or by content (issue 10, point 3) ------------------------------------------

def write_messages(path, delimiter, header, count=50):
    rows = [SMS[2] if number % 5 == 0 else SMS[0] for number in range(count)]
    lines = [f"{label}{delimiter}{message} #{n}" for n, (label, message) in enumerate(rows)]
    path.write_text("\n".join(([header] if header else []) + lines) + "\n")
    return path


@pytest.mark.parametrize(("name", "delimiter", "header"), [
    ("sms.tsv", "\t", "Label\tSMS"),
    ("SMSSpamCollection", "\t", None),
    ("spam.csv", ",", "label,text"),
    ("no_header.csv", ",", None),
])
def test_label_text_files(tmp_path, name, delimiter, header):
    path = write_messages(tmp_path / name, delimiter, header)
    if delimiter == ",":  # quote the messages, which hold commas
        rows = list(csv.reader(path.read_text().splitlines(), delimiter=","))
        with path.open("w", newline="") as file:
            csv.writer(file).writerows([row[0], ",".join(row[1:])] for row in rows)
    data = load_text(str(path), batch_size=8, test_fraction=0.2, seed=1)
    assert data.class_names == ["ham", "spam"] and data.source == str(path)
    assert (data.num_train + data.num_validation, data.num_test) == (40, 10)
    test_texts, test_labels = collect(data.test)
    texts, labels = every_text(data)
    assert np.bincount(test_labels).tolist() == [8, 2]
    assert np.bincount(labels).tolist() == [40, 10]
    assert len(set(texts)) == 50
    for message, label in zip(texts, labels, strict=True):
        assert message.startswith(dict(SMS[::-1])[data.class_names[label]]), (message, label)


def test_split_is_seeded(tmp_path):
    path = write_messages(tmp_path / "sms.tsv", "\t", "Label\tSMS")
    test_texts = [sorted(collect(load_text(str(path), seed=seed).test)[0]) for seed in (0, 0, 1)]
    assert test_texts[0] == test_texts[1] != test_texts[2]


def test_header_in_another_order(tmp_path, capsys):
    """Defect: a `text,label` header was read by position, each text its own class."""
    path = tmp_path / "reviews.csv"
    rows = [["Text", "Label"]] + [[f"review number {n}, fine", "good" if n % 2 else "bad"]
                                  for n in range(20)]
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(rows)
    data = load_text(str(path), validation_fraction=0)
    assert data.class_names == ["bad", "good"]
    texts, labels = every_text(data)
    assert {(t, data.class_names[y]) for t, y in zip(texts, labels, strict=True)} == \
        {(t, y) for t, y in rows[1:]}
    assert ("reviews.csv: labels from column 2 ('Label'), by its header; texts from column 1 "
            "('Text'), by its header") in capsys.readouterr().out


def test_the_common_imdb_csv_layout(tmp_path):
    """Defect: `review,sentiment` followed by empty columns, with quoted multi-line reviews."""
    path = write_imdb_csv(tmp_path / "IMDB Dataset.csv", 40)
    data = load_text(str(path), validation_fraction=0)
    assert data.class_names == ["negative", "positive"]
    assert (data.num_train, data.num_test) == (32, 8)
    with path.open(newline="") as file:
        expected = {(review, label) for review, label, *_ in list(csv.reader(file))[1:]}
    texts, labels = every_text(data)
    found = {(t, data.class_names[y]) for t, y in zip(texts, labels, strict=True)}
    assert found == expected
    assert any("\n" in t for t in texts) and any('"' in t for t in texts)


def test_three_columns_without_a_header_are_told_apart_by_content(tmp_path, capsys):
    """Defect: a third column was glued into the text (and an id column read as labels)."""
    path = tmp_path / "three.tsv"
    path.write_text("".join(f"{1000 + n}\t{'spam' if n % 4 == 0 else 'ham'}\tmessage {n} "
                            f"with some words\tsource-{n % 3}\n" for n in range(40)))
    data = load_text(str(path), validation_fraction=0)
    assert data.class_names == ["ham", "spam"]
    texts, labels = every_text(data)
    assert sorted(texts) == sorted(f"message {n} with some words" for n in range(40))
    for message, label in zip(texts, labels, strict=True):
        number = int(message.split()[1])
        assert data.class_names[label] == ("spam" if number % 4 == 0 else "ham")
    out = capsys.readouterr().out
    assert "labels from column 2, by content" in out and "texts from column 3, by content" in out


def test_columns_named_by_flag_by_header_name_or_number(tmp_path):
    rows = "".join(f"{n},{n % 3},a comment of {n} words\n" for n in range(30))
    path, no_header = tmp_path / "named.csv", tmp_path / "numbered.csv"
    path.write_text("id,stars,comment\n" + rows)
    no_header.write_text(rows)
    by_name = load_text(str(path), label_column="STARS", text_column="comment")
    by_number = load_text(str(no_header), label_column="2", text_column="3")
    assert by_name.class_names == by_number.class_names == ["0", "1", "2"]
    assert sorted(every_text(by_name)[0]) == sorted(every_text(by_number)[0])
    with pytest.raises(InvalidDataError, match=r"text_column=review: no such column; the "
                       r"header is \['id', 'stars', 'comment'\]"):
        load_text(str(path), label_column="stars", text_column="review")
    with pytest.raises(InvalidDataError, match="label_column=7, but the file has 3 columns"):
        load_text(str(path), label_column="7")


def test_a_label_column_of_text_is_refused_with_the_counts(tmp_path):
    """Defect: thousands of distinct labels trained at 0% accuracy, then Keras crashed."""
    path = tmp_path / "swapped.csv"
    path.write_text("label,text\n" + "".join(f"a whole review number {n},pos\n"
                                             for n in range(3000)))
    with pytest.raises(InvalidDataError, match=r"swapped.csv: column 1 \('label'\) looks like "
                       r"text, not labels: 3,000 distinct values in 3,000 rows, 3,000 of them "
                       r"unique .* label_column="):
        load_text(str(path))
    path.write_text("label,text\n" + "".join(f"class {n % 150},text {n}\n" for n in range(600)))
    with pytest.raises(InvalidDataError, match="150 distinct values in 600 rows, 0 of them"):
        load_text(str(path))


def test_a_unique_first_label_is_refused_not_dropped_as_a_header(tmp_path):
    """Defect: a first data row whose label appears once was dropped as a header."""
    path = tmp_path / "first.tsv"
    path.write_text("neutral\tso-so\n" + "".join(f"{'ham' if n % 2 else 'spam'}\tmessage {n}\n"
                                                 for n in range(20)))
    with pytest.raises(InvalidDataError, match=r"1 class\(es\) with fewer than 2 of the 21 rows, "
                       r"e.g. 'neutral' \(line 1\).* If line 1 is a header, name the columns"):
        load_text(str(path))


def test_a_class_of_one_text_is_refused_with_its_line(tmp_path):
    path = tmp_path / "rare.csv"
    path.write_text("label,text\n" + "".join(f"{'a' if n % 2 else 'b'},t{n}\n" for n in range(10))
                    + "c,lonely\n")
    with pytest.raises(InvalidDataError, match=r"'c' \(line 12\); every class needs at least 2"):
        load_text(str(path))


def test_an_empty_test_split_is_refused_before_training(tmp_path):
    """Defect: Keras crashed on an empty test split after the training."""
    path = tmp_path / "tiny.csv"
    path.write_text("label,text\na,one\na,two\nb,three\nb,four\n")
    with pytest.raises(InvalidDataError, match=r"tiny.csv: the test split would be empty: 20% "
                       r"of each class of 4 rows \({'a': 2, 'b': 2}\) rounds to 0"):
        load_text(str(path))


def test_text_that_is_not_utf8_names_the_line_and_the_flag(tmp_path):
    """Defect: Latin-1 text was decoded into replacement characters without a word."""
    path = tmp_path / "latin1.tsv"
    lines = [f"{'pos' if n % 2 else 'neg'}\tcritique {n}" for n in range(20)]
    lines[6] = "pos\tun film très réussi, café compris"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(InvalidDataError, match=r"latin1.tsv, line 7: byte 0xe8 is not utf-8 text; "
                       r"the file reads as cp1252: pass encoding=cp1252"):
        load_text(str(path))
    texts, _ = every_text(load_text(str(path), encoding="latin-1"))
    assert "un film très réussi, café compris" in texts
    with pytest.raises(InvalidDataError, match="encoding=latin-9000: no such text encoding"):
        load_text(str(path), encoding="latin-9000")


def test_a_utf8_byte_order_mark_is_not_part_of_the_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("label,text\n" + "".join(f"{n % 2},text {n}\n" for n in range(10)),
                    encoding="utf-8-sig")
    assert load_text(str(path)).class_names == ["0", "1"]


def test_sms_spam_collection_layout(tmp_path):
    """No header, no quoting, quotes that open and never close, or close without opening."""
    path = write_sms_tsv(tmp_path / "SMSSpamCollection", copies=5)
    data = load_text(str(path), validation_fraction=0)
    assert data.class_names == ["ham", "spam"]
    texts, labels = every_text(data)
    expected = sorted(message for _ in range(5) for _, message in SMS)
    assert sorted(texts) == expected
    assert np.bincount(labels).tolist() == [45, 15]


def test_malformed_row_names_file_and_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("ham\thello there\nspam\tbuy now\nham\thi\nspam\tsell\njust one field\n")
    with pytest.raises(CorruptFileError, match=r"bad.tsv, line 5: 1 field\(s\), but the labels "
                       r"are in column 1 and the texts in column 2 \(0 more such row"):
        load_text(str(path))


def test_malformed_csv_quoting_names_the_line(tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text('label,text\npos,"fine"\nneg,"a "quoted" word"\n')
    with pytest.raises(CorruptFileError, match=r"quotes.csv, line 3: .*quotes inside it are "
                       "doubled"):
        load_text(str(path))


def test_an_empty_label_names_its_line(tmp_path):
    path = tmp_path / "hole.csv"
    path.write_text("sentiment,review\n" + "".join(f"{'pos' if n % 2 else 'neg'},r{n}\n"
                                                   for n in range(8)) + ",no label here\n")
    with pytest.raises(InvalidDataError, match=r"hole.csv, line 10: no label in column 1 "
                       r"\('sentiment'\)"):
        load_text(str(path))
