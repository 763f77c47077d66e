"""Every chapter 2 page runs with ``--quick`` (the suite's `make chapters QUICK=1` run), draws
its plots and measures what it claims."""

from pathlib import Path

import pytest

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "ch02_concepts"
PLOTS = {
    "perceptron": ["decision_boundaries.png"],
    "activations": ["activations.png"],
    "family_tree": ["parameters.png"],
    "attention": ["attention.png"],
    "graph_network": ["karate_club.png"],
}


@pytest.fixture
def run_page(quick_chapters):
    return lambda name: quick_chapters[f"ch02_concepts/{name}"].results(*PLOTS[name])


def test_the_chapter_has_its_pages():
    # exercises.py is tested by test_exercises*.py
    assert {page.stem for page in CHAPTER.glob("*.py")} == {*PLOTS, "exercises"}


def test_perceptron_learns_and_or_never_xor(run_page):
    results = run_page("perceptron")
    assert results["settings"]["EPOCHS"] == 100  # --quick changes nothing on this page
    converged = results["perceptron_epochs_to_converge"]
    assert converged["AND"] and converged["OR"] and converged["XOR"] is None
    assert results["perceptron_best_accuracy"]["XOR"] == 0.75
    assert results["best_random_line_accuracy_xor"] == 0.75
    assert results["mlp_accuracy_xor"] == 1.0


def test_activation_derivatives_match_the_tape(run_page):
    results = run_page("activations")
    differences = results["largest_difference_from_tensorflow"]
    assert set(differences) == {"sigmoid", "tanh", "relu", "leaky_relu", "softmax"}
    assert max(differences.values()) < 1e-7  # leaky ReLU's slope is a float32 in TensorFlow
    assert results["largest_derivative"]["sigmoid"] == pytest.approx(0.25)


def test_family_tree_builds_every_branch(run_page):
    results = run_page("family_tree")
    assert results["parameters"]["convolutional CNN"] == 121_930
    assert results["parameters"]["convolutional LeNet-5"] == 44_426
    assert len(results["parameters"]) == 7
    assert results["recurrent_formula_matches"] is True


def test_attention_matches_keras_and_learns(run_page):
    results = run_page("attention")
    assert results["settings"]["EPOCHS"] == 1 and results["settings"]["TRAIN_LOOKUPS"] == 2048
    assert results["multi_head_attention_weight_difference"] < 1e-5
    assert results["multi_head_attention_output_difference"] < 1e-5
    assert results["test_accuracy"] > results["chance_accuracy"]


def test_graph_network_beats_the_graphless_mlp(run_page):
    results = run_page("graph_network")
    assert results["settings"]["EPOCHS"] == 200  # --quick changes nothing on this page
    assert results["gcn_accuracy_unlabelled"] > 0.85
    assert results["gcn_accuracy_unlabelled"] > results["mlp_accuracy_unlabelled"] + 0.2
