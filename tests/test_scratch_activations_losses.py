"""Activations, softmax, losses and the gradient checker of `dlbook.scratch` against TensorFlow."""

import re

from dlbook.scratch import Comparisons, activations, losses, numerical_gradient, relative_error

import keras
import numpy as np
import pytest
import tensorflow as tf
from scratch_reference import (
    assert_close,
    assert_matches_numerical,
    loss_and_gradient,
    output_and_gradient,
)

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_activation_and_derivative_match_keras(name, dtype):
    z = np.random.default_rng(0).normal(scale=3, size=(4, 7)).astype(dtype)
    f, f_derivative = activations.get_activation(name)
    y_tf, dy_dz_tf = output_and_gradient(keras.activations.get(name), z)
    # TensorFlow keeps the leaky slope as a float32 attribute even in float64: 0.2 becomes
    # 0.200000003, a relative difference of 1.5e-8.
    tolerance_dtype = "float32" if name == "leaky_relu" else dtype
    assert_close(f(z), y_tf, tolerance_dtype)
    assert_close(f_derivative(z), dy_dz_tf, tolerance_dtype)


def test_leaky_relu_with_an_exact_slope_matches_keras_in_float64():
    z = np.random.default_rng(0).normal(scale=3, size=(4, 7))
    y_tf, dy_dz_tf = output_and_gradient(
        lambda z: keras.activations.leaky_relu(z, negative_slope=0.25), z)
    assert_close(activations.leaky_relu(z, alpha=0.25), y_tf, "float64")
    assert_close(activations.leaky_relu_derivative(z, alpha=0.25), dy_dz_tf, "float64")


def test_sigmoid_does_not_overflow_on_large_inputs():
    z = np.array([-1000.0, 0.0, 1000.0])
    with np.errstate(over="raise"):
        np.testing.assert_array_equal(activations.sigmoid(z), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_and_its_backward_match_keras(dtype):
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3, size=(5, 6)).astype(dtype)
    dL_ds = rng.normal(size=z.shape).astype(dtype)
    s_tf, dL_dz_tf = output_and_gradient(keras.activations.softmax, z, dL_ds)
    s = activations.softmax(z)
    assert_close(s, s_tf, dtype)
    assert_close(activations.softmax_backward(dL_ds, s), dL_dz_tf, dtype)


def test_softmax_is_stable_for_large_logits():
    s = activations.softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(s, [[0.5, 0.5, 0.0]])


def distributions(rng, shape, dtype):
    return activations.softmax(rng.normal(size=shape)).astype(dtype)


LOSS_CASES = {
    "mse": (losses.mse, losses.mse_gradient, keras.losses.MeanSquaredError),
    "binary_cross_entropy": (losses.binary_cross_entropy, losses.binary_cross_entropy_gradient,
                             keras.losses.BinaryCrossentropy),
    "kl_divergence": (losses.kl_divergence, losses.kl_divergence_gradient,
                      keras.losses.KLDivergence),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_loss_and_gradient_match_keras(name, dtype):
    loss, gradient, keras_loss = LOSS_CASES[name]
    rng = np.random.default_rng(2)
    if name == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(6, 3)).astype(dtype)
        p = rng.uniform(0.05, 0.95, size=(6, 3)).astype(dtype)
    else:
        y, p = distributions(rng, (6, 4), dtype), distributions(rng, (6, 4), dtype)
    value_tf, gradient_tf = loss_and_gradient(keras_loss(dtype=dtype), y, p)
    assert_close(loss(y, p), value_tf, dtype)
    assert_close(gradient(y, p), gradient_tf, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_matches_keras_through_the_softmax(dtype):
    """Keras renormalizes ``p``, which changes ``dL/dp`` by a constant per row but not the
    gradient at the logits, so compare there: ``dL/dz = softmax_backward(dL/dp)``."""
    rng = np.random.default_rng(3)
    y = losses.one_hot(rng.integers(0, 5, size=6), 5, dtype)
    z = rng.normal(scale=2, size=(6, 5)).astype(dtype)
    keras_loss = keras.losses.CategoricalCrossentropy(dtype=dtype)
    value_tf, dL_dz_tf = loss_and_gradient(lambda y, z: keras_loss(y, tf.nn.softmax(z)), y, z)
    p = activations.softmax(z)
    assert_close(losses.cross_entropy(y, p), value_tf, dtype)
    assert_close(activations.softmax_backward(losses.cross_entropy_gradient(y, p), p),
                 dL_dz_tf, dtype)
    logits_loss = keras.losses.CategoricalCrossentropy(from_logits=True, dtype=dtype)
    value_tf, dL_dz_tf = loss_and_gradient(logits_loss, y, z)
    assert_close(losses.softmax_cross_entropy(y, z), value_tf, dtype)
    assert_close(losses.softmax_cross_entropy_gradient(y, z), dL_dz_tf, dtype)


@pytest.mark.parametrize("name", ["mse", "binary_cross_entropy", "kl_divergence",
                                  "cross_entropy", "softmax_cross_entropy"])
def test_loss_gradient_matches_numerical_gradient(name):
    loss, gradient = getattr(losses, name), getattr(losses, f"{name}_gradient")
    rng = np.random.default_rng(4)
    y, p = distributions(rng, (3, 4), "float64"), distributions(rng, (3, 4), "float64")
    assert_matches_numerical(lambda: loss(y, p), p, gradient(y, p))


def test_kl_divergence_of_a_distribution_with_itself_is_zero_even_with_zeros():
    y = np.array([[0.0, 0.25, 0.75]])
    assert losses.kl_divergence(y, y) == 0.0


def test_losses_reject_mismatched_shapes():
    with pytest.raises(ValueError, match=re.escape("y (4, 3) vs p (4, 2)")):
        losses.mse(np.zeros((4, 3)), np.zeros((4, 2)))


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(x**3), x), 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored after the nudges


def test_relative_error():
    assert relative_error(np.array([1.0, 100.0]), np.array([1.0, 101.0])) == pytest.approx(1 / 101)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match=re.escape("(3,) and (2,)")):
        relative_error(np.zeros(3), np.zeros(2))


def test_comparisons_print_and_keep_each_relative_error(capsys):
    check = Comparisons()
    assert check.largest == 0.0
    check("close", np.array([1.0, 100.0]), np.array([1.0, 101.0]))
    check("equal", np.zeros(2), np.zeros(2))
    assert check.errors == {"close": pytest.approx(1 / 101), "equal": 0.0}
    assert check.largest == pytest.approx(1 / 101)
    assert capsys.readouterr().out.splitlines()[0].split() == ["close", "relative", "error",
                                                               "1e-02"]
    with pytest.raises(ValueError, match="'equal' is already compared"):
        check("equal", np.ones(2), np.ones(2))


def test_comparisons_record_every_relative_error_as_it_is_made(capsys):
    recorded = {}
    check = Comparisons(record=recorded.update)
    check("close", np.array([1.0, 100.0]), np.array([1.0, 101.0]))
    assert recorded == {"relative_errors": {"close": pytest.approx(1 / 101)},
                        "max_relative_error": pytest.approx(1 / 101)}
    check("equal", np.zeros(2), np.zeros(2))
    assert set(recorded["relative_errors"]) == {"close", "equal"}
    assert recorded["max_relative_error"] == pytest.approx(1 / 101)


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activations.get_activation("swish")
