"""The LeNet chapter scripts run end to end with --quick and write their outputs."""

import json
import runpy
import sys
from pathlib import Path

import pytest

CHAPTER = Path(__file__).parents[1] / "chapters" / "ch05_practice"


def run_script(name, output_dir, monkeypatch, *args):
    argv = [name, "--quick", "--dataset", "fashion_mnist", "--output-dir", str(output_dir), *args]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(CHAPTER / name), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


@pytest.mark.parametrize("script", ["lenet.py", "lenet_fit.py"])
def test_quick_run_writes_results_and_plots(script, tmp_path, monkeypatch):
    results = run_script(script, tmp_path, monkeypatch)
    assert results["quick"] is True
    assert results["dataset"] == "fashion_mnist"
    assert 0.1 < results["test_accuracy"] <= 1.0
    assert results["seconds_per_epoch"] > 0
    assert (tmp_path / "curves.png").stat().st_size > 0


def test_lenet_script_resumes_instead_of_retraining(tmp_path, monkeypatch, capsys):
    run_script("lenet.py", tmp_path, monkeypatch)
    first = capsys.readouterr().out
    run_script("lenet.py", tmp_path, monkeypatch)
    second = capsys.readouterr().out
    assert "Resuming" not in first
    assert "Resuming" in second and "Epoch 1/1" not in second
    for name in ("predictions.png", "confusion_matrix.png"):
        assert (tmp_path / name).stat().st_size > 0
