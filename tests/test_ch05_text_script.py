"""The text classifier script runs end to end with --quick on a folder and on a TSV file."""

import json
import runpy
import sys
from pathlib import Path

import keras
import pytest
import tensorflow as tf

SCRIPT = Path(__file__).parents[1] / "chapters" / "ch05_practice" / "text_classifier.py"
WORDS = {"neg": ["awful", "boring", "dull", "hated"], "pos": ["great", "superb", "moving", "loved"]}


def review(label, i):
    """A short text whose sentiment words give its class away, amid shared filler words."""
    words = WORDS[label]
    return f"the film was {words[i % 4]} and the plot {words[(i + 1) % 4]} too, take {i}"


@pytest.fixture(scope="module")
def imdb_layout_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("reviews")
    for split, count in (("train", 24), ("test", 8)):
        for label in ("neg", "pos"):
            folder = root / split / label
            folder.mkdir(parents=True)
            for i in range(count):
                (folder / f"{i}_1.txt").write_text(review(label, i))
    return root


@pytest.fixture(scope="module")
def tsv_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sms") / "messages.tsv"
    rows = [f"{'spam' if label == 'pos' else 'ham'}\t{review(label, i)}"
            for i in range(30) for label in ("neg", "pos")]
    path.write_text("label\ttext\n" + "\n".join(rows) + "\n")
    return path


def run_script(monkeypatch, output_dir, *args):
    argv = [SCRIPT.name, "--quick", "--epochs", "3", "--output-dir", str(output_dir), *args]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_quick_run_on_a_folder_in_the_aclimdb_layout(imdb_layout_folder, tmp_path, monkeypatch,
                                                     capsys):
    results = run_script(monkeypatch, tmp_path, "--dataset", str(imdb_layout_folder))
    out = capsys.readouterr().out
    assert results["quick"] is True
    assert results["dataset"] == imdb_layout_folder.name
    assert results["parameters"] == 677_314 and results["epochs"] == 3
    assert 0.0 <= results["test_accuracy"] <= 1.0 and 0.0 <= results["f1"] <= 1.0
    assert "F1 of the class 'pos'" in out
    assert "true neg: 'the film was" in out and "true pos: 'the film was" in out
    for name in ("curves.png", "confusion_matrix.png"):
        assert (tmp_path / name).stat().st_size > 0

    # The saved model classifies raw text as the trained one did.
    model = keras.saving.load_model(tmp_path / f"{imdb_layout_folder.name}-lstm.keras")
    texts = tf.constant([review("neg", 5), review("pos", 5)])
    assert model(texts).shape == (2, 2)
    assert model.vectorizer.vocabulary_size() > 10


def test_quick_run_on_a_tsv_file_with_a_gru(tsv_file, tmp_path, monkeypatch, capsys):
    results = run_script(monkeypatch, tmp_path, "--dataset", str(tsv_file), "--rnn", "gru")
    out = capsys.readouterr().out
    assert results["dataset"] == "messages"
    assert results["model"].startswith("GRU")
    assert results["parameters"] == 669_250
    assert "F1 of the class 'spam'" in out
    assert (tmp_path / "messages-gru.keras").is_file()
    assert results["seconds_per_epoch"] > 0


def test_unknown_rnn_is_refused_with_the_choices(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        run_script(monkeypatch, tmp_path, "--rnn", "transformer")
    error = capsys.readouterr().err
    assert "--rnn: invalid choice: 'transformer'" in error and "bigru" in error
