"""Every chapter 4 page defines the formulas it teaches (the modules of `dlbook.scratch` are
generated from them), runs with ``--quick``, writes its plots, agrees with TensorFlow and shows
what it claims (the loss falls after a step, convolution and cross-correlation differ...)."""

from pathlib import Path

from dlbook.pages import saved_cells

import pytest

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "chapters" / "ch04_math"
# exercises.py is tested by test_exercises*.py
SCRIPTS = sorted(path for path in CHAPTER.glob("*.py") if path.stem != "exercises")
PLOTS = {"neuron": ["activations.png"], "convolution": ["cross_correlation.png"],
         "pooling": ["pooling.png"], "mlp_from_scratch": ["curves.png"]}


def test_the_chapter_has_its_scripts():
    assert {script.stem for script in SCRIPTS} == {
        "neuron", "losses", "backprop", "mlp_from_scratch", "convolution", "pooling", "rnn",
        "lstm_gru"}


MODULES = {"activations": "neuron", "losses": "losses", "dense": "backprop",
           "gradcheck": "backprop", "mlp": "mlp_from_scratch", "conv": "convolution",
           "pooling": "pooling", "rnn": "rnn", "lstm": "lstm_gru", "gru": "lstm_gru"}
"""Each module of `dlbook.scratch` and the page that teaches its formulas."""


def test_each_scratch_module_is_written_on_the_page_that_teaches_it():
    saved = {Path(module).stem: page.stem
             for page in (REPO / "chapters" / "ch04_math").glob("*.py")
             for module in saved_cells(page) if module.startswith("dlbook/scratch/")}
    assert saved == MODULES
    by_hand = {path.stem for path in (REPO / "dlbook" / "scratch").glob("*.py")} - set(saved)
    assert by_hand == {"__init__", "comparisons"}  # the re-exports and the pages' checking tool


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.stem)
def test_the_page_checks_its_definitions_against_keras_not_against_a_second_copy(script):
    source = script.read_text()
    assert "#@save dlbook/scratch/" in source
    assert "vs dlbook.scratch" not in source and "from dlbook.results" not in source


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.stem)
def test_the_page_writes_its_formulas_without_dispatch_tables(script):
    source = script.read_text()
    assert source.splitlines()[1].startswith("# # Section 4 · ")
    assert "getattr(" not in source
    assert "check(" in source  # each formula is compared, one plain line per comparison
    last_cell = source.rsplit("# %%", 1)[1]
    assert last_cell.startswith(" [markdown]") and "## What to notice" in last_cell


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.stem)
def test_script_runs_quick(script, quick_chapters):
    run = quick_chapters[f"ch04_math/{script.stem}"]
    results = run.results()
    out = run.stdout
    for plot in PLOTS.get(script.stem, []):
        run.plot(plot)
    assert results["quick"] is True
    assert results["relative_errors"], "the page compared nothing"
    # float64 throughout; leaky ReLU's slope is a float32 in TensorFlow (3e-9, neuron.py)
    assert results["max_relative_error"] < 1e-7
    if script.stem == "mlp_from_scratch":
        assert results["test_accuracy"] > 0.4  # one epoch on 1,843 images: 0.54, chance 0.1
        assert results["test_accuracy"] > results["randn_init_test_accuracy"]
        assert "epoch 1/1" in out
    if script.stem == "backprop":
        assert results["loss_after_step"] < results["loss_before_step"]
    if script.stem == "convolution":
        assert results["convolution_vs_cross_correlation"] > 0.5  # two different images
    if script.stem == "rnn":
        norms = results["gradient_norms_from_last_step"]
        assert norms[-1] < norms[0] / 100  # the gradient fades going back in time
