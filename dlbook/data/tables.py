"""Tables of labelled texts as people have them (CSV, TSV, ``;`` or ``|`` between the fields), for
the text classifier of section 5: the SMS Spam Collection, the common IMDB CSV, your own file.

A table is read in these steps, and one printed line says what each found:

1. **Encoding**: the one given, UTF-8 by default. A byte-order mark decides for UTF-8, UTF-16 and
   UTF-32 (Excel and Windows' Notepad write one). Bytes that are not in the encoding are refused
   with the encoding the file does read as (`guess_encoding`): UTF-16 when every other byte is
   zero, else cp1252 (Windows' Western European, which holds latin-1's printable characters),
   else latin-1.
2. **Delimiter**: whichever of tab, comma, semicolon and bar cuts the first lines into one number
   of fields most often (`sniff_delimiter`).
3. **Quoting**: CSV's: a field in double quotes may hold delimiters, line breaks and doubled
   quotes. A TSV whose quotes do not follow it (the SMS Spam Collection) is read line by line.
4. **Header**: the first row, when it holds a known column name (`LABEL_HEADERS`,
   `TEXT_HEADERS`) or a name given, or when it names its first columns and leaves the rest
   unnamed (``v1,v2,,,`` in the Kaggle copy of the SMS Spam Collection) with names that appear
   nowhere below.
5. **Columns**: named by ``label_column`` / ``text_column`` (a header name in any case, or a
   number from 1), else by header, else by content among the named columns: the labels are the
   column of the fewest distinct values, the texts the one of the longest values.
6. **Irregular rows**: a text cut at unquoted delimiters into the header's unnamed columns is
   joined back with the delimiter, and the rows so mended are counted. Any other row with more
   fields than the header names (without a header: than most rows have) is refused, as its text
   was cut with nothing to tell where it ends.
7. **Content**: refused before any training, with the counts: a label column with more than
   `MAX_CLASSES` values or mostly unique ones, an empty label, a class of fewer than 2 texts, a
   text column empty on every row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dlbook.data.errors import CorruptFileError, InvalidDataError

LABEL_HEADERS = ("label", "sentiment", "class", "category", "target")
TEXT_HEADERS = ("text", "review", "sentence", "message", "sms")
"""Header names that mark the label and the text column, in order of preference."""

MAX_CLASSES = 100
"""More distinct labels than this and the label column is taken for text, and refused."""

BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                    (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and the codec that reads past them (UTF-32's first: it begins like
UTF-16's)."""

DELIMITERS = ("\t", ",", ";", "|")
"""The delimiters a table may use, preferred in this order when two fit as well."""

SNIFFED_LINES, SNIFFED_CHARACTERS = 200, 1 << 20
"""How much of a table the delimiter is told from: its first lines, in its first megabyte."""


@dataclass
class Table:
    """The rows of a CSV/TSV file as read (a row may be shorter than others), its header apart,
    and what reading it found (`notes`, for the line printed)."""

    path: Path
    rows: list[list[str]]
    lines: list[int]
    """The line of the file where each row starts."""
    header: list[str] | None
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)

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

    def named(self) -> list[int]:
        """The columns the header names (every column without a header)."""
        if self.header is None:
            return list(range(self.width))
        return [index for index, name in enumerate(self.header) if name.strip()]


# -- 1. encoding

def codec_name(encoding: str) -> str:
    """Python's name of ``encoding``; `InvalidDataError` for one it does not know."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as error:
        raise InvalidDataError(f"encoding={encoding}: no such text encoding; e.g. utf-8, "
                               "utf-16, cp1252, latin-1") from error


def guess_encoding(data: bytes) -> str:
    """The encoding bytes that are not UTF-8 most likely are: UTF-16 (little- or big-endian)
    when one byte of two is zero, else cp1252 if they decode as it, else latin-1."""
    sample = data[:4096]
    for parity, name in ((1, "utf-16-le"), (0, "utf-16-be")):
        if sample[parity::2].count(0) > len(sample) // 4:
            return name
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def decode(path: Path, encoding: str = "utf-8") -> tuple[str, str]:
    """The file's text and the encoding read: a byte-order mark decides when ``encoding`` is
    UTF-8 (the default); bytes that are not ``encoding`` raise `InvalidDataError` naming the line
    and the encoding to pass."""
    encoding, data = codec_name(encoding), path.read_bytes()
    if encoding == "utf-8":
        encoding = next((name for mark, name in BYTE_ORDER_MARKS if data.startswith(mark)),
                        encoding)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        guess = guess_encoding(data)
        raise InvalidDataError(
            f"{path}, line {line}: byte 0x{data[error.start]:02x} is not {error.encoding} "
            f"text; the file reads as {guess}: pass encoding={guess}") from error
    if "\x00" in text:
        guess = guess_encoding(data)
        raise InvalidDataError(f"{path}: read as {encoding}, the text holds NUL characters, as "
                               f"UTF-16 read with a one-byte encoding does; pass encoding={guess}")
    return text, encoding


# -- 2. and 3. delimiter and quoting

def widths(text: str, delimiter: str, quoting: int) -> list[int]:
    """The number of fields of each non-blank row among the first lines, read leniently."""
    lines = text[:SNIFFED_CHARACTERS].splitlines()[:SNIFFED_LINES]
    sample = io.StringIO("\n".join(lines), newline="")
    reader = csv.reader(sample, delimiter=delimiter, quoting=quoting)
    try:
        return [len(row) for row in reader if any(field.strip() for field in row)]
    except csv.Error:
        return []


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives most rows one number of fields, at least two; ties go to the
    first of `DELIMITERS`, and a file of one column is read as comma-separated."""
    def fit(delimiter: str) -> float:
        best = 0.0
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            counts = Counter(widths(text, delimiter, quoting))
            if counts and (common := counts.most_common(1)[0])[0] >= 2:
                best = max(best, common[1] / sum(counts.values()))
        return best

    scores = {delimiter: fit(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: scores[delimiter])
    return best if scores[best] > 0 else ","


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


def error_line(text: str, delimiter: str) -> int:
    """The line on which strict CSV parsing of ``text`` fails."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return reader.line_num
    return 0


def read_rows(path: Path, text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The rows of ``text``, fields in double quotes spanning lines if need be.

    A tab-separated file whose quotes do not follow CSV quoting, as in the SMS Spam Collection,
    whose messages hold stray quotes, is read one row per line: when quoting fails there, or
    would merge lines that each hold as many fields as the others.
    """
    try:
        rows, lines = parse(text, delimiter, quoted=True)
    except csv.Error as error:
        if delimiter != "\t":
            raise CorruptFileError(
                f"{path}, line {error_line(text, delimiter)}: {error} (CSV quoting: a quoted "
                f"field ends with a quote followed by {delimiter!r} or the line's end; quotes "
                "inside it are doubled)") from error
        rows, lines = None, []
    if delimiter == "\t":
        line_rows, line_numbers = parse(text, delimiter, quoted=False)
        if rows is None or (len(line_rows) > len(rows)
                            and len({len(fields) for fields in line_rows}) == 1):
            rows, lines = line_rows, line_numbers
    return rows, lines


# -- 4. header

def unnamed_tail_header(rows: list[list[str]]) -> bool:
    """Whether the first row names its first columns and leaves the others unnamed
    (``v1,v2,,,``), with names that no row below holds in their columns."""
    first = rows[0]
    named = len(first) - next((i for i, name in enumerate(reversed(first)) if name.strip()),
                              len(first))
    if named < 2 or named == len(first) or not all(name.strip() for name in first[:named]):
        return False
    below = [{row[index] for row in rows[1:] if index < len(row)} for index in range(named)]
    return not any(first[index] in values for index, values in enumerate(below))


def find_header(rows: list[list[str]], given: set[str]) -> bool:
    """Whether the first of ``rows`` is a header (see the module docstring, step 4)."""
    names = {*LABEL_HEADERS, *TEXT_HEADERS, *given}
    return bool(rows) and (any(field.strip().lower() in names for field in rows[0])
                           or unnamed_tail_header(rows))


def read_table(path: Path, encoding: str = "utf-8", label_column: str | None = None,
               text_column: str | None = None) -> Table:
    """The file's rows (steps 1 to 4 of the module docstring), its header apart."""
    text, read_as = decode(path, encoding)
    delimiter = sniff_delimiter(text)
    rows, lines = read_rows(path, text, delimiter)
    given = {name.strip().lower() for name in (label_column, text_column)
             if name and not name.strip().isdigit()}
    header = None
    if find_header(rows, given):
        rows, lines, header = rows[1:], lines[1:], rows[0]
    if not rows:
        raise InvalidDataError(f"{path}: no rows of data; expected a label and a text on each "
                               "line")
    table = Table(path, rows, lines, header, delimiter)
    if read_as not in ("utf-8", "utf-8-sig") or codec_name(encoding) != read_as:
        table.notes.append(f"read as {read_as}")
    if delimiter not in ",\t":
        table.notes.append(f"fields separated by {delimiter!r}")
    return table


# -- 5. and 6. columns and irregular rows

def named_column(table: Table, name: str, setting: str) -> int:
    """The index of the column ``name`` (a header name in any case, or a number from 1)."""
    if name.strip().isdigit():
        if not 1 <= int(name) <= table.width:
            raise InvalidDataError(f"{table.path}: {setting}={name}, but the file has "
                                   f"{table.width} columns (numbered from 1)")
        return int(name) - 1
    header = [field.strip().lower() for field in table.header or []]
    if name.strip().lower() not in header:
        raise InvalidDataError(f"{table.path}: {setting}={name}: no such column; the header is "
                               f"{table.header}" if table.header else
                               f"{table.path}: {setting}={name}: the file has no header; give "
                               f"the column's number (from 1) instead")
    return header.index(name.strip().lower())


def by_header(table: Table, known: tuple[str, ...]) -> int | None:
    """The column whose header is the first of the ``known`` names the header holds."""
    header = [field.strip().lower() for field in table.header or []]
    return next((header.index(name) for name in known if name in header), None)


def mean_length(values: list[str]) -> float:
    """The mean number of characters of the values."""
    return sum(map(len, values)) / len(values)


def by_content(table: Table, found: dict[str, tuple[int, str]]) -> None:
    """The label and text columns still missing from ``found``, among the named columns that
    hold values: the labels are those of the fewest distinct values (but at least two), the
    texts those of the longest values."""
    taken = {index for index, _ in found.values()}
    free = [index for index in table.named() if index not in taken
            and any(value.strip() for value in table.column(index))]
    if "label" not in found and free:
        label = min(free, key=lambda index: (len(set(table.column(index))) < 2,
                                              len(set(table.column(index))),
                                              mean_length(table.column(index))))
        found["label"] = label, "by content: the fewest distinct values"
        free.remove(label)
    if "text" not in found and free:
        text = max(free, key=lambda index: mean_length(table.column(index)))
        found["text"] = text, "by content: the longest values"


def choose_columns(table: Table, label_column: str | None = None,
                   text_column: str | None = None) -> tuple[int, int, str]:
    """The label and the text column, and how each was found (step 5 of the module docstring).
    """
    found: dict[str, tuple[int, str]] = {}
    for role, given, setting, known in (
            ("label", label_column, "label_column", LABEL_HEADERS),
            ("text", text_column, "text_column", TEXT_HEADERS)):
        if given:
            found[role] = named_column(table, given, setting), f"by {setting}"
        elif (index := by_header(table, known)) is not None:
            found[role] = index, "by its header"
    by_content(table, found)
    if len(found) < 2:
        filled = sum(any(value.strip() for value in table.column(index))
                     for index in range(table.width))
        raise InvalidDataError(f"{table.path}: {filled} of its {table.width} column(s) hold "
                               "values; expected a label column and a text column")
    (label, how_label), (text, how_text) = found["label"], found["text"]
    if label == text:
        raise InvalidDataError(f"{table.path}: the label and the text column are both "
                               f"{table.column_name(label)}; name two different columns")
    return label, text, (f"labels from {table.column_name(label)}, {how_label}; texts from "
                         f"{table.column_name(text)}, {how_text}")


def filled_width(row: list[str]) -> int:
    """The number of fields up to the last one that holds anything."""
    return len(row) - next((i for i, value in enumerate(reversed(row)) if value.strip()),
                           len(row))


def mend_spilled_texts(table: Table, text: int) -> None:
    """Join back, with the delimiter, each text cut into the unnamed columns that follow the
    text column in the header (step 6); count the rows so mended in the table's notes. A row
    longer than the header is left for `check_widths` to refuse."""
    if not table.header or text != max(table.named()) or len(table.header) == text + 1:
        return
    mended = 0
    for row in table.rows:
        if text + 1 < filled_width(row) <= len(table.header):
            row[text:] = [table.delimiter.join(row[text:filled_width(row)])]
            mended += 1
    if mended:
        table.notes.append(f"the text of {mended:,} rows ran on into the unnamed columns "
                           f"{text + 2}-{len(table.header)}: joined back with "
                           f"{table.delimiter!r}")


def check_widths(table: Table, label: int, text: int) -> None:
    """`CorruptFileError` for a row with values beyond the header's named columns (without a
    header: beyond the width of most rows), whose text was cut at an unquoted delimiter, and for
    a row that ends before the label or the text."""
    columns = (max(table.named()) + 1 if table.header
               else Counter(map(filled_width, table.rows)).most_common(1)[0][0])
    if longer := [(line, filled_width(row)) for row, line in zip(table.rows, table.lines,
                                                                 strict=True)
                  if filled_width(row) > columns]:
        (line, fields), *others = longer
        named = (f"the header names {columns} columns" if table.header else
                 f"most rows have {columns}")
        raise CorruptFileError(
            f"{table.path}, line {line}: {fields} fields, but {named} ({len(others)} more such "
            f"rows); a text that holds the delimiter must be in double quotes "
            f'("like, this"), or it is cut into columns')
    if short := [(line, len(row)) for row, line in zip(table.rows, table.lines, strict=True)
                 if len(row) <= max(label, text)]:
        (line, fields), *others = short
        raise CorruptFileError(
            f"{table.path}, line {line}: {fields} field(s), but the labels are in "
            f"{table.column_name(label)} and the texts in {table.column_name(text)} "
            f"({len(others)} more such row(s)); expected a label and a text on every row")


# -- 7. content

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
            "column with label_column=")
    if len(counts) < 2:
        raise InvalidDataError(f"{table.path}: all {len(labels):,} rows have the label "
                               f"{labels[0]!r}; a classifier needs at least two classes")
    rare = sorted((count, name) for name, count in counts.items() if count < 2)
    if rare:
        line = table.lines[labels.index(rare[0][1])]
        header_hint = (f" If line {line} is a header, name the columns with label_column= and "
                       "text_column=." if line == 1 else "")
        raise InvalidDataError(
            f"{table.path}: {len(rare)} class(es) with fewer than 2 of the {len(labels):,} "
            f"rows, e.g. {rare[0][1]!r} (line {line}); every class needs at least 2, one to "
            f"train on and one to test.{header_hint}")
    return labels


def check_texts(table: Table, text: int) -> list[str]:
    """The column's texts, unless every one is empty."""
    texts = table.column(text)
    if not any(value.strip() for value in texts):
        raise InvalidDataError(
            f"{table.path}: {table.column_name(text)}, taken for the texts, is empty on all "
            f"{len(texts):,} rows; name the column of the texts with text_column=")
    return texts


def read_labelled_texts(path: Path, encoding: str = "utf-8", label_column: str | None = None,
                        text_column: str | None = None) -> tuple[list[str], list[str]]:
    """The texts and labels of a table, read as the module docstring says; one printed line
    says how the columns were found and what else was done."""
    table = read_table(path, encoding, label_column, text_column)
    label, text, how = choose_columns(table, label_column, text_column)
    mend_spilled_texts(table, text)
    check_widths(table, label, text)
    labels, texts = check_labels(table, label), check_texts(table, text)
    rows = f"{len(texts):,} rows after {'the header, line 1' if table.header else 'no header'}"
    print(f"{path.name}: " + "; ".join([how, rows, *table.notes]))
    return texts, labels
