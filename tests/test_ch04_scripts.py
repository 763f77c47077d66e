"""Every chapter 4 script runs with ``--quick``, writes its plots and agrees with TensorFlow."""

import json
import runpy
import sys
from pathlib import Path

import pytest

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "ch04_math"
SCRIPTS = sorted(CHAPTER.glob("*.py"))
PLOTS = {"convolution": ["kernels.png"], "pooling": ["pooling.png"],
         "mlp_from_scratch": ["curves.png"]}


def test_the_chapter_has_its_scripts():
    assert {script.stem for script in SCRIPTS} >= {
        "neuron", "losses", "backprop", "mlp_from_scratch", "convolution", "pooling", "rnn",
        "lstm_gru"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.stem)
def test_script_runs_quick(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(script), "--quick", "--dataset", "fashion_mnist",
                                      "--output-dir", str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")

    for plot in PLOTS.get(script.stem, []):
        assert (tmp_path / plot).stat().st_size > 1000, f"{plot} was not drawn"
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["quick"] is True
    if script.stem == "mlp_from_scratch":
        assert results["test_accuracy"] > 0.2  # one epoch on 1,548 images, well above chance
        assert "epoch 1/1" in capsys.readouterr().out
    else:
        # float64 throughout; leaky ReLU's slope is a float32 in TensorFlow (1e-8, neuron.py)
        assert results["max_relative_error"] < 1e-7
