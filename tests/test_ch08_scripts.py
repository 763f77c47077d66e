"""Every chapter 8 page runs with ``--quick`` and measures what it claims: pruning, quantization,
transfer learning, and distributed training with two real worker processes."""

import json
import runpy
import shlex
import signal
import sys
from pathlib import Path

from dlbook.data import InvalidDataError
from dlbook.training.trained_cnn import UnusableModelError

import jupytext
import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "chapters" / "ch08_trends"
PLOTS = {
    "pruning": ["pruning.png", "pruning_sizes.png"],
    "quantization": ["quantization.png"],
    "transfer": ["transfer.png"],
    "distributed": [],
}


def test_the_chapter_has_its_pages(capsys):
    # exercises.py is tested by test_exercises*.py
    assert {page.stem for page in CHAPTER.glob("*.py")} == {*PLOTS, "exercises"}
    book = runpy.run_path(str(REPO / "book" / "build.py"))
    book["main"](["scripts", "--dry-run", "--chapter", "ch08", "--quick"])  # make ch08 QUICK=1
    dry_run = capsys.readouterr().out
    commands = [shlex.split(line.split("   (")[0]) for line in dry_run.splitlines()
                if "chapters/ch08_" in line]
    assert sorted(Path(word).stem for command in commands for word in command
                  if word.endswith(".py")) == sorted([*PLOTS, "exercises"])
    assert all("--quick" in command for command in commands)


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


def test_a_missing_model_is_refused_in_one_line_before_training(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pruning.py", "--quick", "--output-dir", str(tmp_path),
                                      "--cnn", str(tmp_path / "missing.keras")])
    with pytest.raises(UnusableModelError, match="missing.keras: no such file") as error:
        runpy.run_path(str(CHAPTER / "pruning.py"), run_name="__main__")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "results.json").exists()  # no figure: nothing was measured


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
    assert results["labels_per_class"] == [10, 50] and results["settings"]["REPEATS"] == 1
    assert results["new_classes"] == ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    curves = results["test_accuracy"]
    assert list(curves) == ["from scratch", "new head on transferred features", "fine-tuned"]
    for method, curve in curves.items():
        assert len(curve) == 2 and all(0.4 < value <= 1 for value in curve), method  # chance 0.2


def image_classes(root, counts, size=(16, 16)):
    """A folder of ``counts[name]`` PNG images for each class ``name``, each class a bright bar at
    its own place on noise."""
    rng = np.random.default_rng(0)
    for label, (name, count) in enumerate(counts.items()):
        (root / name).mkdir(parents=True)
        for i in range(count):
            image = rng.integers(0, 40, size).astype(np.uint8)
            image[2 * label:2 * label + 3, 2:-2] = 250
            Image.fromarray(image).save(root / name / f"{i}.png")
    return root


def run_transfer(tmp_path, monkeypatch, dataset, *flags):
    monkeypatch.setattr(sys, "argv", ["transfer.py", "--quick", "--dataset", str(dataset),
                                      "--output-dir", str(tmp_path / "out"), "--epochs", "1",
                                      "--steps", "2", *flags])
    runpy.run_path(str(CHAPTER / "transfer.py"), run_name="__main__")
    return json.loads((tmp_path / "out" / "results.json").read_text())


def test_transfer_refuses_fewer_than_four_classes_before_training(tmp_path, monkeypatch, capsys):
    """Red team N062: three classes ended in IndexError (the page took classes 0-4 and 5-9)."""
    three = image_classes(tmp_path / "three", {"a": 20, "b": 20, "c": 20})
    with pytest.raises(InvalidDataError, match=r"has 3 classes; transfer needs 4 at least") as e:
        run_transfer(tmp_path, monkeypatch, three)
    assert "\n" not in str(e.value)
    assert "accuracy" not in capsys.readouterr().out  # nothing was trained


def test_transfer_leaves_out_what_a_rare_class_cannot_give_and_says_so(tmp_path, monkeypatch,
                                                                        capsys):
    """Red team N064: a new class of 20 training images trained the first network and the
    10-label models, then ended in ValueError at 50 labels per class."""
    rare = image_classes(tmp_path / "rare", {"a": 30, "b": 30, "c": 30, "d": 15})
    results = run_transfer(tmp_path, monkeypatch, rare, "--labels-per-class", "10,50")
    printed = capsys.readouterr().out
    assert "50 labels per class left out: the new class 'd' has 11 training images\n" in printed
    assert results["old_classes"] == ["a", "b"] and results["new_classes"] == ["c", "d"]
    assert results["labels_per_class"] == [10]
    assert all(len(curve) == 1 for curve in results["test_accuracy"].values())


def test_transfer_refuses_labels_no_new_class_can_give_before_training(tmp_path, monkeypatch,
                                                                        capsys):
    rare = image_classes(tmp_path / "rare", {"a": 30, "b": 30, "c": 30, "d": 15})
    with pytest.raises(InvalidDataError, match=r"labels_per_class=50,100: the new class 'd' has "
                                               r"11 training image\(s\); ask for at most 11"):
        run_transfer(tmp_path, monkeypatch, rare, "--labels-per-class", "50,100")
    assert "accuracy" not in capsys.readouterr().out


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
    assert "worker 0 of 1" in (run.output_dir / "one_worker" / "start" / "worker-0.log").read_text()
    # the workers run a program of their own, which the page shows whole
    assert (CHAPTER / "distributed_worker" / "worker.py").read_text() in run.stdout


def test_too_few_epochs_for_the_distributed_page_become_three_in_one_line(tmp_path, monkeypatch,
                                                                          capsys):
    """Red team N067: `--epochs 1` trained 3 epochs without a word."""
    imports, settings = [cell.source for cell in jupytext.read(CHAPTER / "distributed.py").cells
                         if cell.cell_type == "code"][:2]
    monkeypatch.setattr(sys, "argv", ["distributed.py", "--epochs", "1", "--output-dir",
                                      str(tmp_path)])
    namespace = {"__name__": "__main__"}
    exec(imports, namespace)
    exec(settings, namespace)
    assert namespace["EPOCHS"] == 3
    assert capsys.readouterr().out == (
        "1 epoch(s) asked for; this page trains 3, the fewest that show a run losing a worker "
        "and resuming (one epoch saved, one cut short, one after the restart)\n")
