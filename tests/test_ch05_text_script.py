"""The text classifier page runs end to end with --quick: offline on the synthetic task, and on
a CSV in the common IMDB layout; a table it cannot use stops it before any training."""

import json
import runpy
import sys
from pathlib import Path

from dlbook.data import InvalidDataError
from dlbook.models.saving import record_path
from dlbook.training.run_folder import RunMismatchError

import keras
import pytest
import tensorflow as tf
from text_fixtures import write_imdb_csv

SCRIPT = Path(__file__).parents[1] / "chapters" / "ch05_practice" / "text_classifier.py"


def run_script(monkeypatch, output_dir, *args):
    argv = [SCRIPT.name, "--quick", "--output-dir", str(output_dir), *args]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_offline_auto_runs_the_synthetic_task_with_three_models(quick_chapters):
    run = quick_chapters["ch05_practice/text_classifier"]  # offline, no IMDB on disk
    results = run.results()
    output, out = run.output_dir, run.stdout
    assert out.startswith("dataset auto -> synthetic (IMDB is not in ")
    assert results["quick"] is True and results["identity"]["dataset"] == "synthetic"
    assert results["dataset"] == "synthetic"  # chapter 6's sentiment page reads these two
    assert results["classes"] == ["negative", "positive"]
    assert results["parameters"] == 677_314 and results["settings"]["EPOCHS"] == 1
    assert results["epochs_trained"] == results["best_epoch"] == 1
    for key in ("test_accuracy", "listing_test_accuracy", "bag_of_words_test_accuracy", "f1"):
        assert 0.0 <= results[key] <= 1.0, key
    assert results["identity"]["dataset"] == "synthetic"
    assert "Total params: 677,834" in out  # the listing's model, ten softmax units
    assert "F1 of the class 'positive'" in out
    assert "bag of words: " in out and "true negative: 'the " in out
    for name in ("curves.png", "confusion_matrix.png"):
        assert (output / name).stat().st_size > 1000

    # The saved model classifies raw text as the trained one did, and its record says what
    # classes it tells apart (chapter 6 checks them).
    model = keras.saving.load_model(output / "synthetic-lstm.keras")
    record = json.loads(record_path(output / "synthetic-lstm.keras").read_text())
    assert record["class_names"] == ["negative", "positive"]
    assert model(tf.constant(["the plot was not good", "the music was never dull"])).shape == (2, 2)
    assert model.vectorizer.vocabulary_size() > 30


def test_quick_run_on_a_csv_in_the_imdb_layout_with_a_gru(tmp_path, monkeypatch, capsys):
    path = write_imdb_csv(tmp_path / "IMDB Dataset.csv", 80)
    results = run_script(monkeypatch, tmp_path / "out", "--dataset", str(path), "--rnn", "gru")
    out = capsys.readouterr().out
    assert ("IMDB Dataset.csv: labels from column 2 ('sentiment'), by its header; texts from "
            "column 1 ('review'), by its header") in out
    assert results["identity"]["dataset"] == "IMDB Dataset"
    assert results["settings"]["RNN"] == "gru" and results["parameters"] == 669_250
    assert results["seconds_per_epoch"] > 0
    assert (tmp_path / "out" / "IMDB Dataset-gru.keras").is_file()

    # Another file of the same name: the folder holds another run, refused before training.
    write_imdb_csv(path, 80, seed=1)
    with pytest.raises(RunMismatchError, match="holds checkpoints of another run .*fingerprint"):
        run_script(monkeypatch, tmp_path / "out", "--dataset", str(path), "--rnn", "gru")
    assert "Epoch 1/1" not in capsys.readouterr().out


def test_a_table_it_cannot_use_stops_the_page_before_training(tmp_path, monkeypatch):
    path = tmp_path / "swapped.csv"
    path.write_text("label,text\n" + "".join(f"a whole review number {n},pos\n"
                                             for n in range(300)))
    with pytest.raises(InvalidDataError, match="looks like text, not labels: 300 distinct"):
        run_script(monkeypatch, tmp_path / "out", "--dataset", str(path))
    assert not (tmp_path / "out" / "checkpoints").exists()
    # Named by the page's flags, the columns are read the other way round.
    with pytest.raises(InvalidDataError, match=r"all 300 rows have the label 'pos'"):
        run_script(monkeypatch, tmp_path / "out", "--dataset", str(path),
                   "--label-column", "text", "--text-column", "label")


def test_unknown_rnn_is_refused_with_the_choices(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        run_script(monkeypatch, tmp_path, "--rnn", "transformer")
    error = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "--rnn: invalid choice: 'transformer'" in error and "bigru" in error
