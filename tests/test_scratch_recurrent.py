"""SimpleRNN, LSTM and GRU of `dlbook.scratch` against Keras and central differences."""

import re

from dlbook.scratch import (
    gru_backward,
    gru_forward,
    gru_params_from_keras,
    lstm_backward,
    lstm_forward,
    lstm_params_from_keras,
    rnn_backward,
    rnn_forward,
    rnn_params_from_keras,
)

import keras
import numpy as np
import pytest
from scratch_reference import (
    assert_close,
    assert_matches_numerical,
    keras_recurrent,
    layer_output_and_gradients,
)


def run_rnn(xs, params, dhs):
    hs = rnn_forward(xs, params)
    return hs, *rnn_backward(dhs, xs, hs, params)


def run_lstm(xs, params, dhs):
    hs, caches = lstm_forward(xs, params)
    return hs, *lstm_backward(dhs, caches, params)


def run_gru(xs, params, dhs):
    hs, caches = gru_forward(xs, params)
    return hs, *gru_backward(dhs, caches, params)


CELLS = {  # name: (Keras layer, weight mapping, forward and backward pass)
    "rnn": (keras.layers.SimpleRNN, rnn_params_from_keras, run_rnn),
    "lstm": (keras.layers.LSTM, lstm_params_from_keras, run_lstm),
    "gru": (keras.layers.GRU, gru_params_from_keras, run_gru),
}


def keras_params(name, batch, steps, features, hidden, dtype, rng):
    """A Keras layer of the cell with random weights, and the same weights in our layout."""
    keras_layer, from_keras, _ = CELLS[name]
    return keras_recurrent(keras_layer, from_keras, (batch, steps, features), hidden, rng, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_forward_and_backpropagation_through_time_match_keras(name, dtype):
    _, from_keras, run = CELLS[name]
    rng = np.random.default_rng(0)
    layer, params = keras_params(name, 3, 6, 4, 5, dtype, rng)
    xs = rng.normal(size=(3, 6, 4)).astype(dtype)
    dhs = rng.normal(size=(3, 6, 5)).astype(dtype)
    hs_tf, dxs_tf, weight_grads_tf = layer_output_and_gradients(layer, xs, dhs)

    hs, dxs, grads = run(xs, params, dhs)
    assert_close(hs, hs_tf, dtype)
    assert_close(dxs, dxs_tf, dtype)
    grads_tf = from_keras(*weight_grads_tf)  # Keras's gradients, rearranged like its weights
    assert grads.keys() == grads_tf.keys() == params.keys()
    for param in params:
        assert_close(grads[param], grads_tf[param], dtype)


@pytest.mark.parametrize("name", sorted(CELLS))
def test_backpropagation_through_time_matches_numerical_gradient(name):
    _, _, run = CELLS[name]
    rng = np.random.default_rng(1)
    _, params = keras_params(name, 2, 3, 3, 2, "float64", rng)
    xs, dhs = rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3, 2))
    _, dxs, grads = run(xs, params, dhs)

    def loss():
        return np.sum(run(xs, params, dhs)[0] * dhs)

    assert_matches_numerical(loss, xs, dxs)
    for param, value in params.items():
        assert_matches_numerical(loss, value, grads[param])


@pytest.mark.parametrize(("name", "weights", "shape"), [
    ("rnn", "W_xh", "(5, 4)"), ("lstm", "W_f (H, H + D)", "(5, 9)"), ("gru", "W_z", "(5, 4)")])
def test_a_sequence_of_the_wrong_feature_size_is_rejected(name, weights, shape):
    _, _, run = CELLS[name]
    _, params = keras_params(name, 2, 3, 4, 5, "float64", np.random.default_rng(2))
    message = f"the sequence has shape (2, 3, 7) but {weights} has shape {shape}"
    with pytest.raises(ValueError, match=re.escape(message)):
        run(np.zeros((2, 3, 7)), params, np.zeros((2, 3, 5)))
