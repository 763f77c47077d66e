"""A dense layer, the MLP's back-propagation and its training, against Keras and on real data."""

import re

from dlbook.scratch import MLP, dense_backward, dense_forward, gradient_descent_step
from dlbook.scratch.losses import one_hot, softmax_cross_entropy, softmax_cross_entropy_gradient
from dlbook.scratch.mlp import evaluate, fit

import keras
import numpy as np
import pytest
from scratch_reference import (
    assert_close,
    assert_matches_numerical,
    keras_mlp,
    layer_output_and_gradients,
    randomize_weights,
)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_dense_layer_forward_and_delta_rule_match_keras(activation, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5)).astype(dtype)
    dy = rng.normal(size=(6, 4)).astype(dtype)
    layer = keras.layers.Dense(4, activation=activation, dtype=dtype)
    layer.build((None, 5))
    kernel, bias = randomize_weights(layer, rng)
    y_tf, dx_tf, (dkernel_tf, dbias_tf) = layer_output_and_gradients(layer, x, dy)

    W = kernel.T  # Keras's kernel is (in, out); the formula's W is (out, in)
    y, z = dense_forward(x, W, bias, activation)
    dx, dW, db = dense_backward(dy, x, z, W, activation)
    assert_close(y, y_tf, dtype)
    assert_close(dx, dx_tf, dtype)
    assert_close(dW, dkernel_tf.T, dtype)
    assert_close(db, dbias_tf, dtype)


def test_delta_rule_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    x, W, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=2)
    dy = rng.normal(size=(3, 2))

    def loss():
        return np.sum(dense_forward(x, W, b, "tanh")[0] * dy)

    dx, dW, db = dense_backward(dy, x, dense_forward(x, W, b, "tanh")[1], W, "tanh")
    for param, analytic in [(x, dx), (W, dW), (b, db)]:
        assert_matches_numerical(loss, param, analytic)


def test_dense_rejects_inputs_of_the_wrong_size():
    with pytest.raises(ValueError, match=re.escape("x has shape (3, 5) but W has shape (2, 4)")):
        dense_forward(np.zeros((3, 5)), np.zeros((2, 4)), np.zeros(2))


def small_problem(seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)


def test_mlp_backward_matches_numerical_gradient():
    x, labels = small_problem()
    model = MLP(inputs=5, hidden=4, outputs=3, seed=0)
    targets = one_hot(labels, 3)
    grads = model.backward(softmax_cross_entropy_gradient(targets, model.forward(x)))

    def loss():
        return softmax_cross_entropy(targets, model.forward(x))

    for param, analytic in zip(model.parameters(), grads, strict=True):
        assert_matches_numerical(loss, param, analytic)


def test_mlp_gradients_and_descent_step_match_keras_sgd():
    """One training step of the MLP equals one step of the same Keras model trained with SGD."""
    x, labels = small_problem()
    model = MLP(inputs=5, hidden=4, outputs=3, seed=0)
    keras_model = keras_mlp(model)
    keras_model.compile(keras.optimizers.SGD(0.5),
                        keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                                   dtype="float64"))
    keras_loss = keras_model.train_on_batch(x, labels)

    logits = model.forward(x)
    loss = softmax_cross_entropy(one_hot(labels, 3), logits)
    grads = model.backward(softmax_cross_entropy_gradient(one_hot(labels, 3), logits))
    gradient_descent_step(model.parameters(), grads, learning_rate=0.5)

    assert_close(loss, keras_loss, "float32")  # Keras reports the loss through a float32 mean
    for ours, theirs in zip(model.parameters(), keras_model.get_weights(), strict=True):
        assert_close(ours, theirs.T, "float64")


def test_fit_lowers_the_loss_and_rejects_mismatched_labels():
    x, labels = small_problem()
    model = MLP(inputs=5, hidden=8, outputs=3, seed=0)
    history = fit(model, x, labels, epochs=100, batch_size=4, verbose=False,
                  validation_data=(x, labels))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert evaluate(model, x, labels)[1] == history["val_accuracy"][-1]
    with pytest.raises(ValueError, match=re.escape("x has shape (8, 5) but labels has shape (7,)")):
        fit(model, x, labels[:7], epochs=1)


@pytest.mark.integration
def test_mlp_from_scratch_reaches_84_percent_on_fashion_mnist():
    """Full training set, 3 epochs (about 85.4% test accuracy; 10 epochs give 86.1%)."""
    from dlbook.data import load_arrays

    (x_train, y_train), (x_test, y_test) = load_arrays("fashion_mnist")
    x_train = x_train.reshape(len(x_train), -1) / 255.0
    x_test = x_test.reshape(len(x_test), -1) / 255.0
    model = MLP(seed=0)
    history = fit(model, x_train, y_train, epochs=3, verbose=False)
    _, accuracy = evaluate(model, x_test, y_test)
    assert history["loss"][-1] < history["loss"][0]
    assert accuracy >= 0.84
