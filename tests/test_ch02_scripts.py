"""Every chapter 2 page runs with ``--quick``, draws its plots and measures what it claims."""

import json
import runpy
import sys
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
EXTRA_FLAGS = {"perceptron": ["--epochs", "30"], "graph_network": ["--epochs", "200"]}


def run_page(name, output_dir, monkeypatch):
    argv = [name, "--quick", "--output-dir", str(output_dir), *EXTRA_FLAGS.get(name, [])]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(CHAPTER / f"{name}.py"), run_name="__main__")
    for plot in PLOTS[name]:
        assert (output_dir / plot).stat().st_size > 5000, f"{plot} was not drawn"
    results = json.loads((output_dir / "results.json").read_text())
    assert results["quick"] is True
    return results


def test_the_chapter_has_its_pages():
    assert {page.stem for page in CHAPTER.glob("*.py")} == set(PLOTS)


def test_perceptron_learns_and_or_never_xor(tmp_path, monkeypatch):
    results = run_page("perceptron", tmp_path, monkeypatch)
    converged = results["perceptron_epochs_to_converge"]
    assert converged["AND"] and converged["OR"] and converged["XOR"] is None
    assert results["perceptron_best_accuracy"]["XOR"] == 0.75
    assert results["best_random_line_accuracy_xor"] == 0.75
    assert results["mlp_accuracy_xor"] == 1.0


def test_activation_derivatives_match_the_tape(tmp_path, monkeypatch):
    results = run_page("activations", tmp_path, monkeypatch)
    differences = results["largest_difference_from_tensorflow"]
    assert set(differences) == {"sigmoid", "tanh", "relu", "leaky_relu", "softmax"}
    assert max(differences.values()) < 1e-7  # leaky ReLU's slope is a float32 in TensorFlow
    assert results["largest_derivative"]["sigmoid"] == pytest.approx(0.25)


def test_family_tree_builds_every_branch(tmp_path, monkeypatch):
    results = run_page("family_tree", tmp_path, monkeypatch)
    assert results["parameters"]["convolutional CNN"] == 121_930
    assert results["parameters"]["convolutional LeNet-5"] == 44_426
    assert len(results["parameters"]) == 7
    assert results["recurrent_formula_matches"] is True


def test_attention_matches_keras_and_learns(tmp_path, monkeypatch):
    results = run_page("attention", tmp_path, monkeypatch)
    assert results["multi_head_attention_weight_difference"] < 1e-5
    assert results["multi_head_attention_output_difference"] < 1e-5
    assert results["test_accuracy"] > results["chance_accuracy"]


def test_graph_network_beats_the_graphless_mlp(tmp_path, monkeypatch):
    results = run_page("graph_network", tmp_path, monkeypatch)
    assert results["gcn_accuracy_unlabelled"] > 0.85
    assert results["gcn_accuracy_unlabelled"] > results["mlp_accuracy_unlabelled"] + 0.2
