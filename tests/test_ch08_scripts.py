"""Every chapter 8 page runs with ``--quick`` and measures what it claims: pruning, quantization,
transfer learning, and distributed training with two real worker processes."""

import runpy
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from dlbook.training.trained_cnn import UnusableModelError

import jupytext
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "chapters" / "ch08_trends"
PLOTS = {
    "pruning": ["pruning.png", "pruning_sizes.png"],
    "quantization": ["quantization.png"],
    "transfer": ["transfer.png"],
    "distributed": [],
}


def test_the_chapter_has_its_pages():
    # exercises.py is tested by test_exercises*.py
    assert {page.stem for page in CHAPTER.glob("*.py")} == {*PLOTS, "exercises"}
    dry_run = subprocess.run([sys.executable, "book/build.py", "scripts", "--dry-run", "--chapter",
                              "ch08", "--quick"], capture_output=True, text=True, cwd=REPO,
                             check=True).stdout  # what make ch08 QUICK=1 runs
    commands = [shlex.split(line.split("   (")[0]) for line in dry_run.splitlines()
                if "chapters/ch08_" in line]
    assert sorted(Path(word).stem for command in commands for word in command
                  if word.endswith(".py")) == sorted([*PLOTS, "exercises"])
    assert all("--quick" in command for command in commands)


def page_cell(name, defining):
    """The namespace of the code cell of page ``name`` that defines function ``defining``, the
    cell run on its own."""
    cells = [cell.source for cell in jupytext.read(CHAPTER / f"{name}.py").cells
             if cell.cell_type == "code"]
    namespace = {"np": np}
    exec(next(source for source in cells if f"def {defining}(" in source), namespace)
    return namespace


def test_pruning_reaches_each_sparsity_and_shrinks_the_weights(quick_chapters):
    run = quick_chapters["ch08_trends/pruning"]  # the suite's `make chapters QUICK=1` run
    results = run.results(*PLOTS["pruning"])
    assert results["cnn"].startswith("loaded from ")  # chapter 5's quick CNN, saved before
    assert results["cnn"].endswith("cnn-quick/cnn-fashion_mnist.keras")
    rows = results["pruned"]
    assert list(rows) == ["dense", "50% sparse", "80% sparse", "90% sparse",
                          "90% sparse, every layer"]
    for name, row in rows.items():
        assert row["sparsity"] == pytest.approx(row["target_sparsity"], abs=0.002), name
        assert 0.3 < row["test_accuracy"] <= 1, name  # well above chance (0.1)
    sizes = [rows[name]["gzip_bytes"] for name in ["dense", "50% sparse", "80% sparse",
                                                    "90% sparse"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] < results["float32_bytes"]
    assert rows["90% sparse"]["smaller_than_dense"] > 4
    # training while pruning recovers much of what pruning at once loses
    assert rows["90% sparse"]["test_accuracy"] > rows["90% sparse"]["pruned_at_once_accuracy"]

    first, *inner, last = rows["90% sparse"]["layer_sparsity"].values()
    assert first == last == 0  # kept whole
    assert all(zeros > 0.7 for zeros in inner)
    assert min(rows["90% sparse, every layer"]["layer_sparsity"].values()) > 0


def test_the_pages_mask_functions_keep_the_largest_weights():
    cell = page_cell("pruning", "magnitude_masks")
    kernels = [np.array([[0.1, -3.0], [0.5, 2.0]]), np.array([-0.2, 1.0, -4.0, 0.3])]
    masks = cell["magnitude_masks"](kernels, 0.5)  # |w| >= 0.75, the median of all eight
    assert [mask.tolist() for mask in masks] == [[[False, True], [False, True]],
                                                 [False, True, True, False]]
    masks = cell["masks_keeping_the_ends"]([np.full(2, 0.01), np.arange(1.0, 9.0),
                                            np.full(2, 0.02)], 0.5)
    assert masks[0].all() and masks[2].all()
    assert masks[1].tolist() == [False] * 6 + [True] * 2  # 6 zeros: half of the 12 weights


def test_a_missing_model_is_refused_in_one_line_before_training(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pruning.py", "--quick", "--output-dir", str(tmp_path),
                                      "--cnn", str(tmp_path / "missing.keras")])
    with pytest.raises(UnusableModelError, match="missing.keras: no such file") as error:
        runpy.run_path(str(CHAPTER / "pruning.py"), run_name="__main__")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "results.json").exists()


def test_quantization_to_int8_is_smaller_and_as_accurate(quick_chapters):
    run = quick_chapters["ch08_trends/quantization"]  # the suite's `make chapters QUICK=1` run
    results = run.results(*PLOTS["quantization"])
    assert results["cnn"].endswith("cnn-quick/cnn-fashion_mnist.keras")
    files = {path.name for path in run.output_dir.glob("*.tflite")}
    assert files == {f"cnn-fashion_mnist-{name}.tflite"
                     for name in ("float32", "dynamic-range", "float16", "int8")}
    rows = results["tflite"]
    assert rows["float32"]["test_accuracy"] == pytest.approx(results["keras_test_accuracy"],
                                                             abs=0.002)
    assert rows["float16"]["smaller_than_float32"] == pytest.approx(2, abs=0.1)
    assert results["int8_smaller_than_float32"] > 3.5
    assert abs(results["int8_accuracy_change_points"]) < 2


def test_transfer_learning_draws_a_curve_per_method(quick_chapters):
    run = quick_chapters["ch08_trends/transfer"]  # the suite's `make chapters QUICK=1` run
    results = run.results()
    run.plot("transfer.png")
    assert results["labels_per_class"] == [10, 50] and results["repeats"] == 1
    assert results["new_classes"] == ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    curves = results["test_accuracy"]
    assert list(curves) == ["from scratch", "new head on transferred features", "fine-tuned"]
    for method, curve in curves.items():
        assert len(curve) == 2 and all(0.4 < value <= 1 for value in curve), method  # chance 0.2


def test_two_workers_train_one_model_and_resume_after_losing_one(quick_chapters):
    run = quick_chapters["ch08_trends/distributed"]  # two real worker processes, started twice
    results = run.results()
    exits = results["worker_exit_statuses"]  # every worker ended: none is left running
    assert exits["first start"][1] == -signal.SIGKILL  # the worker killed on purpose
    assert None not in exits["first start"] and exits["second start"] == [0, 0]
    assert results["killed_worker_after_epoch"] == 1 and results["resumed_at_epoch"] == 2
    assert results["max_weight_difference_between_workers"] == 0.0
    two, one = results["two_worker_loss"], results["one_process_loss"]
    assert len(two) == len(one) == 3 and two == sorted(two, reverse=True)
    assert results["max_loss_relative_difference"] < 5e-3  # float32 sums in another order
    assert results["two_worker_test_accuracy"] == pytest.approx(
        results["one_process_test_accuracy"], abs=0.01)
    for start in ("first-start", "second-start"):
        log = (run.output_dir / "two_workers" / start / "worker-0.log").read_text()
        assert "worker 0 of 2" in log
