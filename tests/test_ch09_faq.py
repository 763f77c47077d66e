"""Chapter 9, the FAQ as runs: each page runs with --quick (the suite's `make chapters QUICK=1`
run) and writes its figures and plots; a learning curve larger than the data is refused."""

import json
import runpy
import sys
from pathlib import Path

import pytest
from idx_fixtures import write_dataset

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "ch09_faq"


def run_page(name, output_dir, monkeypatch, *flags):
    monkeypatch.setattr(sys, "argv", [name, "--quick", "--dataset", "fashion_mnist",
                                      "--output-dir", str(output_dir), *flags])
    runpy.run_path(str(CHAPTER / name), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_losses_by_hand_agree_with_keras(quick_chapters):
    run = quick_chapters["ch09_faq/losses"]
    results = run.results()
    assert len(results["checks"]) == 10
    for name, check in results["checks"].items():
        # Keras's Poisson loss takes log(mu + 1e-7): the one difference above float64 rounding
        assert check["difference"] < (1e-6 if "Poisson" in name else 1e-12), name
    assert results["checks"]["CE = -sum y log p = -log 0.7"]["by_hand"] == pytest.approx(0.356675,
                                                                                        abs=1e-6)
    assert results["gradient_max_difference"] < 1e-12
    # at z = -5: dCE/dz = sigmoid(-5) - 1, dMSE/dz = 2 (sigmoid - 1) sigmoid (1 - sigmoid)
    assert results["gradient_ratio_at_minus_5"] == pytest.approx(75.2, abs=0.1)
    assert run.plot("losses.png").stat().st_size > 10_000


def test_activations_train_the_same_network_four_times(quick_chapters):
    run = quick_chapters["ch09_faq/activations"]
    results = run.results()
    assert list(results["activations"]) == ["sigmoid", "tanh", "ReLU", "leaky ReLU"]
    for row in results["activations"].values():
        assert 0 <= row["test_accuracy"] <= 1 and row["final_training_loss"] > 0
    accuracies = {name: row["test_accuracy"] for name, row in results["activations"].items()}
    # one epoch of plain SGD: the sigmoid network has barely left chance, ReLU has not
    assert accuracies["sigmoid"] < 0.3 < accuracies["ReLU"]
    assert results["optimizer"] == "SGD(0.1)"
    assert run.plot("curves-sgd.png").stat().st_size > 10_000


def test_the_learning_curve_has_a_point_per_size_with_and_without_augmentation(quick_chapters):
    run = quick_chapters["ch09_faq/data_size"]
    results = run.results()
    assert results["sizes"] == [100, 1000]
    curves = results["test_accuracy"]
    assert set(curves) == {"without augmentation", "with augmentation"}
    assert all(len(accuracies) == 2 and all(0 <= a <= 1 for a in accuracies)
               for accuracies in curves.values())
    assert curves["without augmentation"][1] > 0.2  # 1,000 images, 30 steps: above chance
    assert run.plot("learning_curve.png").stat().st_size > 10_000
    assert results["augmentation"] == ["RandomFlip", "RandomTranslation"]


def test_the_learning_curve_flips_no_digit(tmp_path, monkeypatch):
    """A mirror image keeps a garment's class, not a digit's: MNIST is only shifted."""
    write_dataset(tmp_path / "mnist", num_train=100, num_test=20, like="mnist")
    monkeypatch.setattr(sys, "argv", [
        "data_size.py", "--quick", "--data-dir", str(tmp_path / "mnist"), "--sizes", "10,20",
        "--steps", "2", "--output-dir", str(tmp_path / "out")])
    runpy.run_path(str(CHAPTER / "data_size.py"), run_name="__main__")
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["dataset"] == "mnist"
    assert results["augmentation"] == ["RandomTranslation"]


@pytest.mark.parametrize("sizes", ["100,5000", "5,100"])
def test_a_size_the_dataset_cannot_give_is_refused_before_training(sizes, tmp_path, monkeypatch):
    """At most the training images there are (2,048 with --quick), at least one per class."""
    from dlbook.data import InvalidDataError

    with pytest.raises(InvalidDataError, match=(
            rf"sizes={sizes}: fashion_mnist has 10 classes and 2048 training images here; ask "
            r"for sizes from 10 to 2048$")):
        run_page("data_size.py", tmp_path, monkeypatch, "--sizes", sizes)
