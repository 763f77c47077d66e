"""Chapter 6's sentiment page takes the sentences it is given, or stops with one line: it never
classifies something else in their place (red team N044, N045, N046)."""

import io
import json
import os
import sys

from dlbook.data import InvalidDataError

import pytest
from test_ch06_sentiment import run_page, text_model  # noqa: F401  (the fixture)


def stdin_of(monkeypatch, data: bytes) -> None:
    """Standard input as a pipe holding ``data``, as `printf ... | python page.py` gives it."""
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.FileIO(read), encoding="utf-8"))


@pytest.mark.parametrize("data", [b"", b"  \n\n \t\n"])
def test_an_empty_pipe_is_refused_not_replaced_by_the_examples(text_model, tmp_path,  # noqa: F811
                                                                monkeypatch, data):
    """N044: `printf '' | sentiment.py` classified the six built-in examples as the input."""
    stdin_of(monkeypatch, data)
    with pytest.raises(InvalidDataError, match="standard input holds no sentence; give one per "
                                               "line, or pass text=SENTENCE"):
        run_page(monkeypatch, tmp_path, "--model", str(text_model))
    assert "sentences" not in json.loads((tmp_path / "results.json").read_text())


def test_bytes_that_are_not_utf8_are_named_in_one_line(text_model, tmp_path,  # noqa: F811
                                                       monkeypatch):
    """N046: a Latin-1 byte on standard input ended in TensorFlow's 'Error converting unicode
    string' traceback."""
    stdin_of(monkeypatch, "the plot was good\ncafé was dull\n".encode("latin-1"))
    with pytest.raises(InvalidDataError, match="standard input, line 2: byte 0xe9 is not UTF-8 "
                                               "text; convert it first"):
        run_page(monkeypatch, tmp_path, "--model", str(text_model))
    stdin_of(monkeypatch, "the plot was good\ncafé was dull\n".encode())
    results = run_page(monkeypatch, tmp_path, "--model", str(text_model))
    assert [answer["text"] for answer in results["sentences"]] == ["the plot was good",
                                                                  "café was dull"]


def test_an_empty_text_is_refused(text_model, tmp_path, monkeypatch):  # noqa: F811
    """N045: `--text ''` was classified, 'positive', without a word."""
    with pytest.raises(InvalidDataError, match=r"text=' \\n ': no words to classify"):
        run_page(monkeypatch, tmp_path, "--model", str(text_model), "--text", " \n ")


def test_no_input_at_all_classifies_the_examples(text_model, tmp_path, monkeypatch):  # noqa: F811
    """Standard input from /dev/null (a notebook, `make chapters` in CI) is no input: the page
    shows its examples, as it says it does."""
    with open(os.devnull) as nothing:
        monkeypatch.setattr(sys, "stdin", nothing)
        results = run_page(monkeypatch, tmp_path, "--model", str(text_model))
    assert len(results["sentences"]) == 6
    assert results["sentences"][0]["text"] == "the acting was superb and the story was not boring"
