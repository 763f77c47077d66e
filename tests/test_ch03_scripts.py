"""Every chapter 3 page runs with ``--quick`` (the suite's `make chapters QUICK=1` run), draws
its plots and measures what it claims; a bad flag stops a page before it trains."""

import json
import runpy
import sys
from pathlib import Path

import pytest
from idx_fixtures import write_dataset

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "ch03_algorithm"
PLOTS = {
    "six_steps": [],
    "initialization": ["signal.png", "curves.png"],
    "gradients": ["layer_gradients.png", "rnn_training.png"],
    "learning_rate": ["learning_rates.png"],
    "overfitting": ["curves.png"],
}


@pytest.fixture
def run_page(quick_chapters):
    def results_of(name):
        results = quick_chapters[f"ch03_algorithm/{name}"].results(*PLOTS[name])
        assert results["identity"]["dataset"] == "fashion_mnist"
        return results
    return results_of


def test_the_chapter_has_its_pages():
    # exercises.py is tested by test_exercises*.py
    assert {page.stem for page in CHAPTER.glob("*.py")} == {*PLOTS, "exercises"}


def test_six_steps_gradient_by_hand_matches_the_tape(run_page):
    results = run_page("six_steps")
    assert max(results["hand_vs_tape_gradient_difference"].values()) < 1e-6
    assert results["batch_loss_fell_at_every_update"] is True
    assert results["test_accuracy"] > 0.5  # one epoch on 1,843 images


def test_six_steps_stops_when_the_validation_accuracy_stops_improving(tmp_path, monkeypatch):
    """The page's loop stops by its EarlyStopping, after the first epoch that ends PATIENCE
    epochs after the best one, and ends with the best epoch's weights."""
    monkeypatch.setattr("dlbook.cli.QUICK_LIMIT", 512)
    monkeypatch.setattr(sys, "argv", [
        "six_steps.py", "--quick", "--epochs", "8", "--patience", "1", "--learning-rate", "0.5",
        "--dataset", "fashion_mnist", "--output-dir", str(tmp_path)])
    page = runpy.run_path(str(CHAPTER / "six_steps.py"), run_name="__main__")
    accuracies = json.loads((tmp_path / "results.json").read_text())["validation_accuracy"]

    def waited(epochs):  # epochs since the best of the first ``epochs``
        return epochs - (accuracies.index(max(accuracies[:epochs])) + 1)

    assert len(accuracies) < 8 and waited(len(accuracies)) == 1  # it stopped, on time
    assert all(waited(epochs) < 1 for epochs in range(1, len(accuracies)))  # not before
    assert page["accuracy"](page["held_out"]) == max(accuracies)  # the best weights, restored


def test_initialization_zeros_keep_units_identical(run_page):
    results = run_page("initialization")
    units = results["distinct_units_first_layer"]
    assert units["zeros"] == 1 and units["constant 0.01"] == 1 and units["He normal"] == 128
    signal = results["signal_std_per_layer"]
    assert signal["small random (std 0.01)"][-1] < 1e-6 < signal["He normal"][-1]


def test_gradients_vanish_in_sigmoid_and_clipping_saves_the_rnn(run_page):
    results = run_page("gradients")
    ratio = results["first_to_last_layer_gradient_ratio"]
    assert ratio["sigmoid"] < 1e-6 and 0.1 < ratio["relu"] < 10
    assert results["rnn"]["no clipping"]["survived"] is False
    assert results["rnn"]["clipped to norm 1"]["survived"] is True


def test_learning_rate_sweep_shows_the_summed_loss_diverging(run_page):
    results = run_page("learning_rate")
    runs = results["runs"]
    assert len(runs) == 7
    assert runs["rate 0.1, summed, logits"]["largest_loss"] > 1e3
    assert runs["rate 0.1"]["final_loss"] < runs["rate 0.001"]["final_loss"]
    # Keras computes the listing's loss on a softmax output from the logits underneath
    assert results["listing_form_same_as_logits"] is True
    assert runs["rate 0.1, summed, softmax (listing)"]["largest_loss"] > 1e3
    # from probabilities alone the loss of an example is at most -log(1e-7) = 16.1
    assert runs["rate 0.1, summed, clipped"]["largest_loss"] <= 16.2


def test_overfitting_table_has_every_remedy(run_page):
    results = run_page("overfitting")
    assert results["identity"]["num_train"] == 500 and results["identity"]["num_validation"] == 500
    assert len(results["remedies"]) == 6
    for row in results["remedies"].values():
        assert 0.0 <= row["validation_accuracy"] <= 1.0
        assert row["epochs_trained"] == 1
    assert results["augmentation"] == ["RandomFlip", "RandomTranslation", "RandomZoom"]


def test_overfitting_flips_no_digit(tmp_path, monkeypatch):
    """A mirror image keeps a garment's class, not a digit's: MNIST is shifted and zoomed only."""
    write_dataset(tmp_path / "mnist", num_train=1_000, num_test=100, like="mnist")
    monkeypatch.setattr(sys, "argv", [
        "overfitting.py", "--quick", "--data-dir", str(tmp_path / "mnist"),
        "--output-dir", str(tmp_path / "out")])
    runpy.run_path(str(CHAPTER / "overfitting.py"), run_name="__main__")
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["identity"]["dataset"] == "mnist"
    assert results["augmentation"] == ["RandomTranslation", "RandomZoom"]


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--batch-size", "-3"]])
def test_bad_flags_stop_before_training(bad, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["overfitting.py", *bad])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_path(str(CHAPTER / "overfitting.py"), run_name="__main__")
    assert stopped.value.code == 2
    assert "error" in capsys.readouterr().err
