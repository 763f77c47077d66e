"""The MLP and CNN pages of chapter 5 run with ``--quick`` (the suite's `make chapters QUICK=1`
run) and write their plots and results."""

import json
import runpy
import sys
from pathlib import Path

from dlbook.gan_scores import load_judge

import keras
import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "chapters" / "ch05_practice"

EXPECTED_FILES = {
    "mlp_binary": ["curves.png", "confusion_matrix.png"],
    "mlp_images": ["curves.png", "predictions.png", "confusion_matrix.png"],
    "cnn": ["curves.png", "predictions.png", "confusion_matrix.png", "cnn-fashion_mnist.keras"],
}


def run_quick(script, output_dir, monkeypatch, *flags):
    argv = [script, "--quick", "--dataset", "fashion_mnist", "--output-dir", str(output_dir),
            *flags]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(SCRIPTS / f"{script}.py"), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


@pytest.mark.integration
@pytest.mark.parametrize("script", EXPECTED_FILES)
def test_quick_run_writes_plots_and_results(script, quick_chapters):
    run = quick_chapters[f"ch05_practice/{script}"]
    results = run.results()
    for name in EXPECTED_FILES[script]:
        assert (run.output_dir / name).stat().st_size > 0, name
    assert results["quick"] is True
    assert results["settings"]["EPOCHS"] == 1 and results["identity"]["epochs"] == 1
    assert 0.0 <= results["test_accuracy"] <= 1.0
    assert results["parameters"] > 0 and results["seconds_per_epoch"] > 0
    assert results["identity"]["seed"] == 0
    if script == "mlp_binary":
        assert results["test_accuracy"] <= results["bayes_accuracy"] + 0.02
        assert results["test_accuracy"] > 0.75  # chance is 0.5, the ceiling 0.894
        assert results["identity"]["batch_size"] == 32  # the listing's
    else:
        assert results["identity"]["dataset"] == "fashion_mnist"
        assert results["test_accuracy"] > 0.3  # well above chance (0.1) after one quick epoch
    if script == "cnn":  # dcgan.py measures its images in this model's "features" space
        assert results["settings"]["LISTING"] is False  # dlbook's recipe
        model = load_judge(run.output_dir / "cnn-fashion_mnist.keras", (28, 28, 1), 10)
        images = np.random.default_rng(0).uniform(size=(3, 28, 28, 1)).astype(np.float32)
        assert model.predict(images, verbose=0).shape == (3, 10)
        assert model.get_layer("features").output.shape == (None, 64)
        assert "Dropout" in [type(layer).__name__ for layer in model.layers]
        assert not list(run.output_dir.glob(".*tmp*"))  # saved in one step, nothing left behind


@pytest.mark.integration
def test_cnn_listing_flag_trains_the_listings_recipe(tmp_path, monkeypatch):
    monkeypatch.setattr("dlbook.cli.QUICK_LIMIT", 256)
    results = run_quick("cnn", tmp_path, monkeypatch, "--listing")
    assert results["settings"]["LISTING"] is True
    model = keras.saving.load_model(tmp_path / "cnn-fashion_mnist.keras", safe_mode=True)
    assert "Dropout" not in [type(layer).__name__ for layer in model.layers]
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)  # constant, Adam's default


def test_make_bench_takes_the_dataset_and_epochs_of_a_page_from_its_identity():
    """The pages record their figures and the run's identity; `make bench`'s table still has
    its model, dataset and epochs columns."""
    bench = runpy.run_path(str(SCRIPTS.parents[1] / "benchmarks" / "run_all.py"))
    identity = {"dataset": "fashion_mnist", "epochs": 10}
    row = bench["with_table_columns"]("cnn-fashion", {"identity": identity})
    assert (row["model"], row["dataset"], row["epochs"]) == ("cnn-fashion", "fashion_mnist", 10)
    stopped_early = {"identity": identity, "epochs_trained": 4}
    assert bench["with_table_columns"]("text-lstm", stopped_early)["epochs"] == 4
