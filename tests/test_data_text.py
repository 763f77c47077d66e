"""The text loaders end to end on generated data: an aclImdb-layout folder, TSV and CSV files."""

from dlbook.data import CorruptFileError, DatasetNotFoundError, TextData, load_text, text

import numpy as np
import pytest
import tensorflow as tf


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


def test_folder_in_the_aclimdb_layout(tmp_path):
    root = write_reviews(tmp_path / "aclImdb")
    data = load_text(str(root), batch_size=4, validation_size=2)
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


def test_imdb_offline_names_the_layout_and_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(text, "is_reachable", lambda url: False)
    with pytest.raises(DatasetNotFoundError) as error:
        load_text("imdb", data_dir=tmp_path)
    message = str(error.value)
    assert str(tmp_path / "aclImdb") in message
    assert "<root>/train/<class>/*.txt and <root>/test/<class>/*.txt" in message


def test_folder_with_the_wrong_layout(tmp_path):
    (tmp_path / "train" / "neg").mkdir(parents=True)
    (tmp_path / "train" / "neg" / "1.txt").write_text("meh")
    with pytest.raises(DatasetNotFoundError, match=r"train: \['neg'\], test: \[\]"):
        load_text(str(tmp_path))


SMS = [("ham", 'Ok lar... Joking wif u oni, "really"'), ("spam", "WINNER!! Claim your prize, now")]


def write_messages(path, delimiter, header, count=50):
    rows = [SMS[1] if number % 5 == 0 else SMS[0] for number in range(count)]
    lines = [f"{label}{delimiter}{message} #{n}" for n, (label, message) in enumerate(rows)]
    if delimiter == ",":
        lines = [f'{label},"{message.replace(chr(34), 2 * chr(34))} #{n}"'
                 for n, (label, message) in enumerate(rows)]
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
    data = load_text(str(path), batch_size=8, test_fraction=0.2, seed=1)
    assert data.class_names == ["ham", "spam"] and data.source == str(path)
    assert (data.num_train, data.num_test) == (40, 10)
    train_texts, train_labels = collect(data.train)
    test_texts, test_labels = collect(data.test)
    assert np.bincount(test_labels).tolist() == [8, 2]
    assert np.bincount(train_labels).tolist() == [32, 8]
    assert not set(train_texts) & set(test_texts)
    for message, label in zip(train_texts + test_texts, [*train_labels, *test_labels], strict=True):
        assert message.startswith(SMS[label][1]), (message, label)


def test_split_is_seeded(tmp_path):
    path = write_messages(tmp_path / "sms.tsv", "\t", "Label\tSMS")
    test_texts = [sorted(collect(load_text(str(path), seed=seed).test)[0]) for seed in (0, 0, 1)]
    assert test_texts[0] == test_texts[1] != test_texts[2]


def test_malformed_row_names_file_and_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("ham\thello\nspam\tbuy\njust one field\n")
    with pytest.raises(CorruptFileError, match="bad.tsv, line 3: expected label'\\\\t'text"):
        load_text(str(path))


def test_unknown_names_and_missing_paths(tmp_path):
    with pytest.raises(ValueError, match="unknown text dataset 'sst2'; known: 'imdb'"):
        load_text("sst2")
    with pytest.raises(DatasetNotFoundError, match="no such folder or file"):
        load_text(str(tmp_path / "missing.tsv"))
