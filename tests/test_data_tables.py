"""Tables of labelled texts as they are shared (`dlbook.data.tables`, issue 21 items 11 and 12):
the Kaggle copy of the SMS Spam Collection, UTF-16 files with and without a byte-order mark,
`;` and `|` between the fields, an empty text column (red team N099, N100, N103)."""

import csv

from dlbook.data import CorruptFileError, InvalidDataError, load_text
from dlbook.data.tables import guess_encoding, sniff_delimiter

import numpy as np
import pytest
from text_fixtures import SMS


def every_text(data):
    pairs = [(text.decode(), data.class_names[label]) for split in (data.train, data.validation,
                                                                     data.test) if split
             for text, label in split.unbatch().as_numpy_iterator()]
    return sorted(pairs)


def write_kaggle_spam_csv(path, copies=4):
    """The layout of the SMS Spam Collection's widely shared ``spam.csv``: Latin-1, a header
    ``v1,v2,,,`` (two named columns, three unnamed), every row ending in empty fields, and some
    messages cut at their commas into the unnamed columns, as a spreadsheet left them. Returns
    the (message, label) pairs as they were before the cut."""
    rows, expected = [], []
    for copy in range(copies):
        for number, (label, message) in enumerate(SMS):
            message = f"{message} (#{copy}-{number})"
            expected.append((message, label))
            if number % 4 == 0:  # cut at its commas, as the download has ~50 such rows
                pieces = f"{message}, see you, bye".split(",")
                expected[-1] = (",".join(pieces), label)
                rows.append([label, *pieces, *[""] * (4 - len(pieces))])
            else:
                rows.append([label, message, "", "", ""])
    with path.open("w", newline="", encoding="latin-1") as file:
        writer = csv.writer(file)
        writer.writerow(["v1", "v2", "", "", ""])
        writer.writerows(rows)
    return sorted(expected)


def test_the_kaggle_spam_csv_is_read_its_run_on_texts_joined_back(tmp_path, capsys):
    """Item 11: refused whole ('4 fields, but most rows have 2 ... 49 more such rows')."""
    path = tmp_path / "spam.csv"
    expected = write_kaggle_spam_csv(path)
    with pytest.raises(InvalidDataError, match=r"spam.csv, line \d+: byte 0xa3 is not utf-8 "
                                               r"text; the file reads as cp1252: pass "
                                               r"encoding=cp1252"):
        load_text(str(path))
    data = load_text(str(path), encoding="latin-1", validation_fraction=0)
    assert data.class_names == ["ham", "spam"]
    assert every_text(data) == [(message, label) for message, label in expected]
    line = capsys.readouterr().out.splitlines()[0]
    assert line == ("spam.csv: labels from column 1 ('v1'), by content: the fewest distinct "
                    "values; texts from column 2 ('v2'), by content: the longest values; 48 rows "
                    "after the header, line 1; read as iso8859-1; the text of 12 rows ran on "
                    "into the unnamed columns 3-5: joined back with ','")


def test_a_first_row_unlike_a_header_is_still_refused_as_a_class_of_one(tmp_path):
    """The v1,v2,,, header is told by its unnamed columns; a first data row is not taken for a
    header because its label is unique (issue 10)."""
    path = tmp_path / "first.csv"
    path.write_text("neutral,so-so\n" + "".join(f"{'ham' if n % 2 else 'spam'},message {n}\n"
                                                for n in range(20)))
    with pytest.raises(InvalidDataError, match=r"'neutral' \(line 1\)"):
        load_text(str(path))


def test_values_in_unnamed_columns_before_the_text_are_refused(tmp_path):
    """The common IMDB CSV has `review,sentiment,,,`: a review cut into the unnamed columns
    would put a piece of it in the label column, so such a row is refused, not mended."""
    path = tmp_path / "imdb.csv"
    rows = [["review", "sentiment", "", ""]] + [[f"review {n}", "pos" if n % 2 else "neg", "",
                                                 ""] for n in range(20)]
    rows[5] = ["I liked it", " a lot", "neg", ""]
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(rows)
    with pytest.raises(CorruptFileError, match=r"imdb.csv, line 6: 3 fields, but the header "
                                               r"names 2 columns"):
        load_text(str(path))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_read_by_its_byte_order_mark_or_named_without_one(tmp_path, capsys, encoding):
    """N100: a UTF-16 file was told to try latin-1, which then failed on its quoting."""
    path = tmp_path / "reviews.csv"
    rows = "label,text\n" + "".join(f"{'pos' if n % 2 else 'neg'},avis numéro {n}\n"
                                    for n in range(20))
    path.write_bytes(rows.encode(encoding))
    if encoding == "utf-16":  # Python writes the byte-order mark: read as UTF-16 at once
        data = load_text(str(path), validation_fraction=0)
        assert "; read as utf-16" in capsys.readouterr().out
    else:
        with pytest.raises(InvalidDataError, match=f"the file reads as {encoding}: pass "
                                                   f"encoding={encoding}"):
            load_text(str(path))
        with pytest.raises(InvalidDataError, match=f"read as iso8859-1, the text holds NUL "
                                                   f"characters.*pass encoding={encoding}"):
            load_text(str(path), encoding="latin-1")  # the advice of old
        data = load_text(str(path), encoding=encoding, validation_fraction=0)
    assert ("avis numéro 7", "pos") in every_text(data)


def test_the_encoding_guessed_for_bytes_that_are_not_utf8():
    assert guess_encoding("naïve café".encode("latin-1")) == "cp1252"
    assert guess_encoding("“quoted” – €5".encode("cp1252")) == "cp1252"
    assert guess_encoding(b"\x81\x8d\x8f caf\xe9") == "latin-1"  # bytes cp1252 does not have
    assert guess_encoding("label,text".encode("utf-16-le")) == "utf-16-le"


@pytest.mark.parametrize("delimiter", [";", "|", "\t", ","])
def test_the_delimiter_is_sniffed(tmp_path, capsys, delimiter):
    """N099: a `;`-separated file was diagnosed as a quoting problem, its delimiter unnamed."""
    path = tmp_path / "reviews.txt"
    with path.open("w", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(["label", "text"])
        writer.writerows([["pos" if n % 2 else "neg", f"I liked it, a lot; number {n} | ok"]
                          for n in range(30)])
    assert sniff_delimiter(path.read_text()) == delimiter
    data = load_text(str(path), validation_fraction=0)
    assert every_text(data)[0] == ("I liked it, a lot; number 0 | ok", "neg")
    named = delimiter not in ",\t"
    assert (f"fields separated by {delimiter!r}" in capsys.readouterr().out) == named


def test_a_text_column_empty_on_every_row_is_refused_in_one_line(tmp_path):
    """N103: it passed the checks and ended in a TextVectorization traceback (no vocabulary)."""
    path = tmp_path / "e.csv"
    path.write_text("label,text\n" + "pos,\nneg,\n" * 5)
    with pytest.raises(InvalidDataError, match=r"e.csv: column 2 \('text'\), taken for the "
                                               r"texts, is empty on all 10 rows; name the column "
                                               r"of the texts with text_column="):
        load_text(str(path))


def test_the_limit_draws_each_class_its_share(tmp_path):
    """A table sorted by label (all ham, then all spam) cut by ``limit``: both classes kept, in
    the table's proportions."""
    path = tmp_path / "sorted.tsv"
    path.write_text("".join(f"ham\tmessage {n}\n" for n in range(80))
                    + "".join(f"spam\toffer {n}\n" for n in range(20)))
    data = load_text(str(path), limit=20, validation_fraction=0)
    labels = np.concatenate([labels for _, labels in data.train.as_numpy_iterator()])
    assert np.bincount(labels).tolist() == [16, 4]
