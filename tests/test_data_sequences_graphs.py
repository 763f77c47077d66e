"""The toy sequence tasks and the karate-club graph hold what their docstrings promise."""

from dlbook.data.graphs import load_karate_club
from dlbook.data.sequences import adding_problem, key_value_lookup

import numpy as np
import pytest


def test_key_value_lookup_answers_are_the_values_under_the_query():
    task = key_value_lookup(500, num_pairs=6, num_keys=12, num_values=7, seed=3)
    assert task.keys.shape == task.values.shape == (500, 6) and len(task) == 500
    rows = np.arange(500)
    np.testing.assert_array_equal(task.keys[rows, task.position], task.query)
    np.testing.assert_array_equal(task.values[rows, task.position], task.answer)
    assert all(len(set(row)) == 6 for row in task.keys)  # the query matches exactly one key
    assert task.keys.max() < 12 and task.values.max() < 7 and task.keys.dtype == np.int32
    np.testing.assert_array_equal(key_value_lookup(50, seed=1).keys,
                                  key_value_lookup(50, seed=1).keys)


def test_key_value_lookup_rejects_more_pairs_than_keys():
    with pytest.raises(ValueError, match="num_pairs <= num_keys"):
        key_value_lookup(10, num_pairs=9, num_keys=8)


def test_adding_problem_marks_two_numbers_one_in_each_half():
    x, y = adding_problem(300, 20, seed=0)
    assert x.shape == (300, 20, 2) and y.shape == (300, 1) and x.dtype == np.float32
    marks = x[..., 1]
    np.testing.assert_array_equal(marks.sum(axis=1), 2)
    np.testing.assert_array_equal(marks[:, :10].sum(axis=1), 1)
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * marks).sum(axis=1), rtol=1e-6)
    # always answering 1 scores about the variance of a sum of two uniforms, 1/6
    assert abs(np.mean((adding_problem(20_000, 10)[1] - 1) ** 2) - 1 / 6) < 0.01


def test_adding_problem_rejects_a_sequence_too_short():
    with pytest.raises(ValueError, match="length >= 2"):
        adding_problem(10, 1)


def test_karate_club_is_zacharys_graph():
    graph = load_karate_club()
    assert graph.num_nodes == 34 and graph.num_edges == 78
    np.testing.assert_array_equal(graph.adjacency, graph.adjacency.T)
    assert np.all(np.diag(graph.adjacency) == 0)
    assert graph.class_names[graph.labels[0]] == "Mr. Hi"
    assert graph.class_names[graph.labels[33]] == "Officer"
    assert np.bincount(graph.labels).tolist() == [17, 17]
    assert len(graph.edges) == 78 and all(i < j for i, j in graph.edges)
    assert "34 nodes, 78 edges" in str(graph)
