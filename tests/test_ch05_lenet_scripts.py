"""The LeNet pages run end to end with --quick (the suite's `make chapters QUICK=1` run); both
resume an interrupted run and refuse a folder that holds another run (the Trainer in lenet.py,
model.fit in lenet_fit.py)."""

import json
import runpy
import sys
from pathlib import Path

from dlbook.training import EpochTimer
from dlbook.training.run_folder import RunMismatchError

import numpy as np
import pytest

CHAPTER = Path(__file__).parents[1] / "chapters" / "ch05_practice"


def run_script(name, output_dir, monkeypatch, *args):
    argv = [name, "--quick", "--dataset", "fashion_mnist", "--output-dir", str(output_dir), *args]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(CHAPTER / name), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


@pytest.mark.parametrize("script", ["lenet", "lenet_fit"])
def test_quick_run_writes_results_and_plots(script, quick_chapters):
    run = quick_chapters[f"ch05_practice/{script}"]
    results = run.results()
    assert results["quick"] is True and results["settings"]["EPOCHS"] == 1
    assert 0.2 < results["test_accuracy"] <= 1.0  # chance is 0.1
    assert results["seconds_per_epoch"] > 0
    identity = results["identity"]  # the whole run it measured, as its checkpoints record it
    assert identity["dataset"] == "fashion_mnist" and identity["epochs"] == 1
    assert identity["model"][0] in ("LeNet", "TapeStepModel") and identity["optimizer"]["config"]
    run.plot("curves.png")
    if script == "lenet":  # the loop written on the page ran one epoch too
        assert results["settings"]["PAGE_EPOCHS"] == 1
        assert 0.2 < results["page_loop_test_accuracy"] <= 1.0
        assert results["page_loop_images_per_second"] > 0


def test_lenet_script_resumes_instead_of_retraining(tmp_path, monkeypatch, capsys):
    skipped = run_script("lenet.py", tmp_path, monkeypatch, "--page-epochs", "0")
    first = capsys.readouterr().out
    run_script("lenet.py", tmp_path, monkeypatch, "--page-epochs", "0")
    second = capsys.readouterr().out
    assert "Resuming" not in first
    assert "the loop on this page: skipped (--page-epochs 0)" in first  # no untrained accuracy
    assert "page_loop_test_accuracy" not in skipped and skipped["settings"]["PAGE_EPOCHS"] == 0
    assert "Resuming" in second and "Epoch 1/1" not in second
    for name in ("predictions.png", "confusion_matrix.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_lenet_refuses_another_runs_folder_before_its_own_loop_trains(tmp_path, monkeypatch,
                                                                       capsys):
    """Red team N001: another seed into the same folder used to train the page's loop for an
    epoch, then stop at the Trainer's checkpoints."""
    monkeypatch.setattr("dlbook.cli.QUICK_LIMIT", 512)
    run_script("lenet.py", tmp_path, monkeypatch, "--page-epochs", "0")
    capsys.readouterr()
    with pytest.raises(RunMismatchError, match=r"another run \(.*seed 0 -> 1\)"):
        run_script("lenet.py", tmp_path, monkeypatch, "--seed", "1")
    assert "epoch 1:" not in capsys.readouterr().out


class Interrupted(Exception):
    """Stands for Ctrl-C or a killed process after some epochs."""


def interrupt_after_epochs(monkeypatch, count):
    """Make the page's fit() stop after ``count`` epochs, once their backup is written."""
    seen = []
    record = EpochTimer.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        record(self, epoch, logs)
        seen.append(epoch)
        if len(seen) == count:
            raise Interrupted

    monkeypatch.setattr(EpochTimer, "on_epoch_end", on_epoch_end)


def test_fit_route_resumes_the_same_run_and_refuses_another(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("dlbook.cli.QUICK_LIMIT", 512)
    with monkeypatch.context() as patch:
        interrupt_after_epochs(patch, 1)
        with pytest.raises(Interrupted):
            run_script("lenet_fit.py", tmp_path, patch, "--epochs", "2")
    capsys.readouterr()

    # Another seed would silently have resumed the seed-0 backup; now it stops before training.
    with pytest.raises(RunMismatchError, match=r"holds checkpoints of another run \(.*seed 0 -> 1\)"
                                               r"; pass restart=True .*another checkpoint folder"):
        run_script("lenet_fit.py", tmp_path, monkeypatch, "--epochs", "2", "--seed", "1")
    assert "Epoch" not in capsys.readouterr().out

    # --restart deletes the seed-0 backup and trains the seed-1 run from its first epoch.
    with monkeypatch.context() as patch:
        interrupt_after_epochs(patch, 1)
        with pytest.raises(Interrupted):
            run_script("lenet_fit.py", tmp_path, patch, "--epochs", "2", "--seed", "1",
                       "--restart")
    restarted = capsys.readouterr().out
    assert "Resuming" not in restarted and "Epoch 1/2" in restarted

    # The same run again resumes at epoch 2, and its history holds both epochs.
    results = run_script("lenet_fit.py", tmp_path, monkeypatch, "--epochs", "2", "--seed", "1")
    resumed = capsys.readouterr().out
    assert "Resuming from" in resumed and "(1 of 2 epochs done" in resumed
    assert "Epoch 1/2" not in resumed and "Epoch 2/2" in resumed
    assert results["identity"]["epochs"] == 2 and results["identity"]["seed"] == 1


def test_lenet_takes_the_size_and_channels_of_your_own_image_folder(tmp_path, monkeypatch):
    """32x32 colour images in class folders: LeNet is built for them (the listing's 28x28x1 is
    only the default), as LeCun's original took 32x32 inputs."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for name in ("cats", "dogs"):
            folder = tmp_path / "pictures" / split / name
            folder.mkdir(parents=True)
            for i in range(12):
                pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(folder / f"{i}.png")
    results = run_script("lenet.py", tmp_path / "out", monkeypatch, "--page-epochs", "0",
                         "--validation-fraction", "0", "--dataset", str(tmp_path / "pictures"),
                         "--image-size", "32x32")
    assert results["identity"]["dataset"] == "pictures"
    assert results["parameters"] == 61_326  # 2 classes; 5x5x16 features after the two pools
